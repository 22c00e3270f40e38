//! The key policy the console attaches to a key it creates, built as the AWS console builds its
//! default policy (AWS KMS Developer Guide, "Default key policy"), and a light check of edited
//! policies before they are sent (the KMS has the last word).

use kms_web::types::{KeySpec, KeyUsage};
use serde_json::{json, Value};

/// What the policy's key-user statement has to allow depends on what the key does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyKeyKind {
    SymmetricEncryption,
    Hmac,
    AsymmetricEncryption,
    AsymmetricSigning,
    KeyAgreement,
    KeyEncapsulation,
}

impl PolicyKeyKind {
    /// From a key's `KeySpec` and `KeyUsage` (`None` when the console does not know them).
    pub fn from_spec(key_spec: Option<KeySpec>, key_usage: Option<KeyUsage>) -> PolicyKeyKind {
        match (key_spec, key_usage) {
            (Some(KeySpec::SymmetricDefault), _) => PolicyKeyKind::SymmetricEncryption,
            (_, Some(KeyUsage::GenerateVerifyMac)) => PolicyKeyKind::Hmac,
            (_, Some(KeyUsage::SignVerify)) => PolicyKeyKind::AsymmetricSigning,
            (_, Some(KeyUsage::KeyAgreement)) => PolicyKeyKind::KeyAgreement,
            (_, Some(KeyUsage::EncapsulateDecapsulate)) => PolicyKeyKind::KeyEncapsulation,
            _ => PolicyKeyKind::AsymmetricEncryption,
        }
    }
}

/// The wizard's choices that end up in the policy.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyChoices {
    pub account_id: String,
    /// The key's Region: the accounts' ARNs are in its partition.
    pub region: String,
    pub kind: PolicyKeyKind,
    pub administrators: Vec<String>,
    pub allow_admin_deletion: bool,
    pub users: Vec<String>,
    /// Account ids of other AWS accounts allowed to use the key.
    pub other_accounts: Vec<String>,
}

const ADMIN_ACTIONS: &[&str] = &[
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
];
const DELETION_ACTIONS: &[&str] = &["kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"];

fn user_actions(kind: PolicyKeyKind) -> &'static [&'static str] {
    match kind {
        PolicyKeyKind::SymmetricEncryption => &[
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*",
            "kms:DescribeKey",
        ],
        PolicyKeyKind::Hmac => &["kms:DescribeKey", "kms:GenerateMac", "kms:VerifyMac"],
        PolicyKeyKind::AsymmetricEncryption => &[
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:ReEncrypt*",
            "kms:DescribeKey",
            "kms:GetPublicKey",
        ],
        PolicyKeyKind::AsymmetricSigning => &[
            "kms:DescribeKey",
            "kms:GetPublicKey",
            "kms:Sign",
            "kms:Verify",
        ],
        PolicyKeyKind::KeyAgreement => &[
            "kms:DescribeKey",
            "kms:GetPublicKey",
            "kms:DeriveSharedSecret",
        ],
        PolicyKeyKind::KeyEncapsulation => &[
            "kms:DescribeKey",
            "kms:GetPublicKey",
            "kms:Encapsulate",
            "kms:Decapsulate",
        ],
    }
}

/// One principal as a string, several as a list: the console's own shape.
fn principal(arns: &[String]) -> Value {
    if arns.len() == 1 {
        json!({ "AWS": arns[0] })
    } else {
        json!({ "AWS": arns })
    }
}

/// An account's root user, in the partition of `region`.
pub fn root_arn(region: &str, account_id: &str) -> String {
    kms_web::types::arn::arn("iam", region, account_id, "root")
}

/// The console's default key policy for these choices.
pub fn console_default_policy(c: &PolicyChoices) -> Value {
    let mut statements = vec![json!({
        "Sid": "Enable IAM User Permissions",
        "Effect": "Allow",
        "Principal": { "AWS": root_arn(&c.region, &c.account_id) },
        "Action": "kms:*",
        "Resource": "*"
    })];
    if !c.administrators.is_empty() {
        let mut actions: Vec<&str> = ADMIN_ACTIONS.to_vec();
        if c.allow_admin_deletion {
            actions.extend_from_slice(DELETION_ACTIONS);
        }
        statements.push(json!({
            "Sid": "Allow access for Key Administrators",
            "Effect": "Allow",
            "Principal": principal(&c.administrators),
            "Action": actions,
            "Resource": "*"
        }));
    }
    let mut users = c.users.clone();
    users.extend(c.other_accounts.iter().map(|a| root_arn(&c.region, a)));
    if !users.is_empty() {
        statements.push(json!({
            "Sid": "Allow use of the key",
            "Effect": "Allow",
            "Principal": principal(&users),
            "Action": user_actions(c.kind),
            "Resource": "*"
        }));
        // Grants let integrated AWS services use the key; those services take only symmetric
        // encryption keys, so the console adds this statement for them alone.
        if c.kind == PolicyKeyKind::SymmetricEncryption {
            statements.push(json!({
                "Sid": "Allow attachment of persistent resources",
                "Effect": "Allow",
                "Principal": principal(&users),
                "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                "Resource": "*",
                "Condition": { "Bool": { "kms:GrantIsForAWSResource": "true" } }
            }));
        }
    }
    json!({ "Id": "key-consolepolicy-3", "Version": "2012-10-17", "Statement": statements })
}

/// Where a policy element goes when the console prints a policy: IAM's own order (Version, Id,
/// Statement; Sid, Effect, Principal, Action, Resource, Condition). Other keys follow, sorted.
const POLICY_KEY_ORDER: &[&str] = &[
    "Version",
    "Id",
    "Statement",
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

fn key_rank(k: &str) -> usize {
    POLICY_KEY_ORDER
        .iter()
        .position(|x| *x == k)
        .unwrap_or(POLICY_KEY_ORDER.len())
}

/// Pretty JSON with 4-space indentation and policy elements in IAM's order, as the console
/// shows policies (serde_json's map would sort them alphabetically).
pub fn pretty(v: &Value) -> String {
    let mut out = String::new();
    write_pretty(v, 0, &mut out);
    out
}

fn write_pretty(v: &Value, depth: usize, out: &mut String) {
    let pad = |d: usize| "    ".repeat(d);
    match v {
        Value::Object(o) if !o.is_empty() => {
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort_by(|a, b| (key_rank(a), a.as_str()).cmp(&(key_rank(b), b.as_str())));
            out.push_str("{\n");
            for (i, k) in keys.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push_str(": ");
                write_pretty(&o[k.as_str()], depth + 1, out);
                out.push_str(if i + 1 < keys.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(depth));
            out.push('}');
        }
        Value::Array(a) if !a.is_empty() => {
            out.push_str("[\n");
            for (i, item) in a.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                write_pretty(item, depth + 1, out);
                out.push_str(if i + 1 < a.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(depth));
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Problems the editor can point out before sending: not JSON, or not shaped like a policy.
pub fn check_policy(text: &str) -> Result<(), String> {
    if text.len() > 32_768 {
        return Err(format!(
            "The key policy is {} characters long; the limit is 32,768.",
            text.len()
        ));
    }
    let v: Value =
        serde_json::from_str(text).map_err(|e| format!("The policy is not valid JSON: {e}"))?;
    let obj = v.as_object().ok_or("The policy must be a JSON object.")?;
    let statements = match obj.get("Statement") {
        Some(Value::Array(a)) if !a.is_empty() => a.clone(),
        Some(Value::Object(o)) => vec![Value::Object(o.clone())],
        _ => {
            return Err(
                "The policy must contain a \"Statement\" element with at least one statement."
                    .into(),
            )
        }
    };
    for (i, s) in statements.iter().enumerate() {
        let n = i + 1;
        let s = s
            .as_object()
            .ok_or(format!("Statement {n} must be a JSON object."))?;
        match s.get("Effect").and_then(Value::as_str) {
            Some("Allow") | Some("Deny") => {}
            _ => {
                return Err(format!(
                    "Statement {n}: \"Effect\" must be \"Allow\" or \"Deny\"."
                ))
            }
        }
        if !s.contains_key("Principal") && !s.contains_key("NotPrincipal") {
            return Err(format!(
                "Statement {n}: a key policy statement needs a \"Principal\"."
            ));
        }
        if !s.contains_key("Action") && !s.contains_key("NotAction") {
            return Err(format!("Statement {n}: \"Action\" is missing."));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choices(kind: PolicyKeyKind) -> PolicyChoices {
        PolicyChoices {
            account_id: "111122223333".into(),
            region: "us-east-1".into(),
            kind,
            administrators: vec!["arn:aws:iam::111122223333:role/Admin".into()],
            allow_admin_deletion: true,
            users: vec![
                "arn:aws:iam::111122223333:user/Alice".into(),
                "arn:aws:iam::111122223333:role/App".into(),
            ],
            other_accounts: vec!["444455556666".into()],
        }
    }

    #[test]
    fn symmetric_policy_has_the_four_console_statements() {
        let p = console_default_policy(&choices(PolicyKeyKind::SymmetricEncryption));
        let st = p["Statement"].as_array().unwrap();
        assert_eq!(st.len(), 4);
        assert_eq!(st[0]["Principal"]["AWS"], "arn:aws:iam::111122223333:root");
        assert_eq!(
            st[1]["Principal"]["AWS"],
            "arn:aws:iam::111122223333:role/Admin"
        );
        assert!(st[1]["Action"]
            .as_array()
            .unwrap()
            .contains(&json!("kms:ScheduleKeyDeletion")));
        let users = st[2]["Principal"]["AWS"].as_array().unwrap();
        assert_eq!(users.len(), 3);
        assert_eq!(users[2], "arn:aws:iam::444455556666:root");
        assert!(st[2]["Action"]
            .as_array()
            .unwrap()
            .contains(&json!("kms:GenerateDataKey*")));
        assert_eq!(
            st[3]["Condition"]["Bool"]["kms:GrantIsForAWSResource"],
            "true"
        );
        assert!(check_policy(&pretty(&p)).is_ok());
    }

    #[test]
    fn clearing_admin_deletion_removes_the_deletion_actions() {
        let mut c = choices(PolicyKeyKind::SymmetricEncryption);
        c.allow_admin_deletion = false;
        let p = console_default_policy(&c);
        let actions = p["Statement"][1]["Action"].as_array().unwrap();
        assert!(!actions.contains(&json!("kms:ScheduleKeyDeletion")));
        assert!(!actions.contains(&json!("kms:CancelKeyDeletion")));
    }

    #[test]
    fn signing_and_hmac_keys_get_their_own_user_actions() {
        let sign = console_default_policy(&choices(PolicyKeyKind::AsymmetricSigning));
        let st = sign["Statement"].as_array().unwrap();
        assert_eq!(st.len(), 3);
        assert!(st[2]["Action"]
            .as_array()
            .unwrap()
            .contains(&json!("kms:Sign")));
        let hmac = console_default_policy(&choices(PolicyKeyKind::Hmac));
        assert!(hmac["Statement"][2]["Action"]
            .as_array()
            .unwrap()
            .contains(&json!("kms:GenerateMac")));
    }

    #[test]
    fn no_principals_leaves_only_the_account_statement() {
        let mut c = choices(PolicyKeyKind::SymmetricEncryption);
        c.administrators.clear();
        c.users.clear();
        c.other_accounts.clear();
        let p = console_default_policy(&c);
        assert_eq!(p["Statement"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn kind_follows_spec_and_usage() {
        assert_eq!(
            PolicyKeyKind::from_spec(
                Some(KeySpec::SymmetricDefault),
                Some(KeyUsage::EncryptDecrypt)
            ),
            PolicyKeyKind::SymmetricEncryption
        );
        assert_eq!(
            PolicyKeyKind::from_spec(Some(KeySpec::Hmac256), Some(KeyUsage::GenerateVerifyMac)),
            PolicyKeyKind::Hmac
        );
        assert_eq!(
            PolicyKeyKind::from_spec(Some(KeySpec::EccNistP256), Some(KeyUsage::SignVerify)),
            PolicyKeyKind::AsymmetricSigning
        );
        assert_eq!(
            PolicyKeyKind::from_spec(Some(KeySpec::Rsa2048), Some(KeyUsage::EncryptDecrypt)),
            PolicyKeyKind::AsymmetricEncryption
        );
        assert_eq!(
            PolicyKeyKind::from_spec(
                Some(KeySpec::MlKem768),
                Some(KeyUsage::EncapsulateDecapsulate)
            ),
            PolicyKeyKind::KeyEncapsulation
        );
        // A key the console knows nothing of gets the asymmetric encryption statement, as before.
        assert_eq!(
            PolicyKeyKind::from_spec(None, None),
            PolicyKeyKind::AsymmetricEncryption
        );
    }

    #[test]
    fn check_policy_points_at_the_problem() {
        assert!(check_policy("{").unwrap_err().contains("not valid JSON"));
        assert!(check_policy("[]").unwrap_err().contains("JSON object"));
        assert!(check_policy(r#"{"Version":"2012-10-17"}"#)
            .unwrap_err()
            .contains("Statement"));
        let no_effect = r#"{"Statement":[{"Principal":{"AWS":"*"},"Action":"kms:*"}]}"#;
        assert!(check_policy(no_effect).unwrap_err().contains("Effect"));
        let ok = r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}}"#;
        assert!(check_policy(ok).is_ok());
    }

    #[test]
    fn pretty_uses_four_spaces() {
        assert_eq!(pretty(&json!({"a": 1})), "{\n    \"a\": 1\n}");
        assert_eq!(
            pretty(&json!({"a": [], "b": {}})),
            "{\n    \"a\": [],\n    \"b\": {}\n}"
        );
    }

    #[test]
    fn pretty_prints_policy_elements_in_iam_order() {
        let p = pretty(&console_default_policy(&choices(
            PolicyKeyKind::SymmetricEncryption,
        )));
        let at = |s: &str| p.find(s).unwrap();
        assert!(at("\"Version\"") < at("\"Id\"") && at("\"Id\"") < at("\"Statement\""));
        assert!(at("\"Sid\"") < at("\"Effect\"") && at("\"Effect\"") < at("\"Principal\""));
        assert!(at("\"Principal\"") < at("\"Action\"") && at("\"Action\"") < at("\"Resource\""));
        let back: Value = serde_json::from_str(&p).unwrap();
        assert_eq!(
            back,
            console_default_policy(&choices(PolicyKeyKind::SymmetricEncryption))
        );
    }
}
