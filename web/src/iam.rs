//! IAM as the console's IAM pages see it: users, roles, managed policies and access keys read
//! from IAM's answers (the IAM model's member names, timestamps as epoch seconds), and the
//! documents the editors start from. Pure: tested natively.

use crate::policy::pretty;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct User {
    pub user_name: String,
    pub arn: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub create_date: f64,
    #[serde(default)]
    pub tags: Vec<IamTag>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Role {
    pub role_name: String,
    pub arn: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub create_date: f64,
    #[serde(default)]
    pub description: Option<String>,
    /// The trust policy, as IAM returns it (JSON text).
    #[serde(default)]
    pub assume_role_policy_document: String,
    #[serde(default)]
    pub tags: Vec<IamTag>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedPolicy {
    pub policy_name: String,
    pub arn: String,
    #[serde(default)]
    pub default_version_id: String,
    #[serde(default)]
    pub attachment_count: u32,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub create_date: f64,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedPolicy {
    pub policy_name: String,
    pub policy_arn: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessKey {
    pub access_key_id: String,
    pub status: String,
    #[serde(default)]
    pub create_date: f64,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IamTag {
    pub key: String,
    pub value: String,
}

/// `member` of an IAM answer, read as `T` (an empty list when absent).
pub fn read<T: for<'de> Deserialize<'de> + Default>(v: &Value, member: &str) -> Result<T, String> {
    match v.get(member) {
        None | Some(Value::Null) => Ok(T::default()),
        Some(m) => serde_json::from_value(m.clone()).map_err(|e| e.to_string()),
    }
}

/// The trust policy the role wizard starts from: any principal of this account that its IAM
/// policies allow to call `sts:AssumeRole` on the role (the AWS console's "AWS account: this
/// account" choice).
pub fn default_trust_policy(account_id: &str, region: &str) -> String {
    pretty(&json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "AWS": crate::policy::root_arn(region, account_id) },
            "Action": "sts:AssumeRole"
        }]
    }))
}

/// The policy the identity-policy editors start from: what a principal needs to see keys in
/// this console.
pub fn starter_identity_policy() -> String {
    pretty(&json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "Statement1",
            "Effect": "Allow",
            "Action": ["kms:ListKeys", "kms:ListAliases", "kms:DescribeKey"],
            "Resource": "*"
        }]
    }))
}

/// A policy document as the console shows it: IAM answers it URL-encoded; pretty JSON (the text
/// as it is if it is not JSON).
pub fn show_document(text: &str) -> String {
    let text = kms_web::decode_policy_document(text);
    serde_json::from_str::<Value>(&text)
        .map(|v| pretty(&v))
        .unwrap_or(text)
}

/// The editor's own check before sending: the text must be a JSON object. Everything else
/// (grammar, actions, principals) is IAM's to judge, with its MalformedPolicyDocument errors.
pub fn check_json(text: &str) -> Result<(), String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(_)) => Ok(()),
        Ok(_) => Err("The policy must be a JSON object.".into()),
        Err(e) => Err(format!("The policy is not valid JSON: {e}")),
    }
}

/// Tags for a Create request from the tag editor's rows (rows without a key dropped).
pub fn tags_value(rows: &[(String, String)]) -> Value {
    Value::Array(
        rows.iter()
            .filter(|(k, _)| !k.trim().is_empty())
            .map(|(k, v)| json!({ "Key": k.trim(), "Value": v }))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_from_iam_answers() {
        let v = json!({"Users": [{"UserName": "alice", "Arn": "arn:aws:iam::111122223333:user/alice",
            "Path": "/", "UserId": "AIDA", "CreateDate": 1700000000.0}], "IsTruncated": false});
        let users: Vec<User> = read(&v, "Users").unwrap();
        assert_eq!(users[0].user_name, "alice");
        assert_eq!(users[0].create_date, 1700000000.0);
        let none: Vec<Role> = read(&json!({}), "Roles").unwrap();
        assert!(none.is_empty());
        let keys: Vec<AccessKey> = read(
            &json!({"AccessKeyMetadata": [{"AccessKeyId": "AKIA1", "Status": "Active", "CreateDate": 1}]}),
            "AccessKeyMetadata",
        )
        .unwrap();
        assert_eq!(keys[0].status, "Active");
    }

    #[test]
    fn default_trust_policy_trusts_the_account() {
        let p: Value =
            serde_json::from_str(&default_trust_policy("111122223333", "us-east-1")).unwrap();
        assert_eq!(
            p["Statement"][0]["Principal"]["AWS"],
            "arn:aws:iam::111122223333:root"
        );
        assert_eq!(p["Statement"][0]["Action"], "sts:AssumeRole");
        assert!(check_json(&starter_identity_policy()).is_ok());
    }

    #[test]
    fn check_json_wants_an_object() {
        assert!(check_json("{").unwrap_err().contains("not valid JSON"));
        assert!(check_json("[]").unwrap_err().contains("JSON object"));
        assert!(check_json("{}").is_ok());
    }

    #[test]
    fn tags_drop_empty_keys() {
        let rows = vec![
            ("team".to_string(), "a".to_string()),
            ("".into(), "b".into()),
        ];
        assert_eq!(tags_value(&rows), json!([{"Key": "team", "Value": "a"}]));
    }
}
