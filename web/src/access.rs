//! Access decisions as the console shows them: the sandbox's `explain` answer read into
//! [`Decision`]s, and the requests the key page's policy check asks about. Pure: the same code
//! builds natively for `cargo test -p kms-console`.

use crate::policy::PolicyKeyKind;
use serde_json::{json, Map, Value};

/// How AWS decides one permission a request needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// `kms:Encrypt`.
    pub action: String,
    /// The key's ARN, an alias ARN, or `*`.
    pub resource: String,
    pub allowed: bool,
    /// AWS's AccessDeniedException message, for a denial.
    pub message: Option<String>,
    /// Why, in one sentence ("Denied: no resource-based policy allows the request ...").
    pub reason: String,
    /// The statements (or grant) that decided, one line each: `key policy (resource-based
    /// policy), statement "Sid": Allow`.
    pub statements: Vec<String>,
}

/// Reads `explain`'s answer: `[{Action, Resource, Allowed, Why}]`, where `Why` is the denial
/// message (for a denial), the reason, then one `  - statement` line per deciding statement.
pub fn parse_explain(v: &Value) -> Vec<Decision> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            let allowed = d["Allowed"].as_bool().unwrap_or(false);
            let why = d["Why"].as_str().unwrap_or_default();
            let mut lines = why.lines();
            let message = if allowed {
                None
            } else {
                lines.next().map(str::to_string)
            };
            let mut reason = Vec::new();
            let mut statements = Vec::new();
            for line in lines {
                match line.strip_prefix("  - ") {
                    Some(s) => statements.push(s.to_string()),
                    None => reason.push(line.trim()),
                }
            }
            Decision {
                action: d["Action"].as_str().unwrap_or_default().to_string(),
                resource: d["Resource"].as_str().unwrap_or_default().to_string(),
                allowed,
                message,
                reason: reason.join(" "),
                statements,
            }
        })
        .collect()
}

/// The whole request is allowed only if every permission it needs is.
pub fn all_allowed(decisions: &[Decision]) -> bool {
    decisions.iter().all(|d| d.allowed)
}

/// The operations the policy check offers for a key, in the console's order: the key's
/// cryptographic operations first, then the management ones.
pub fn key_operations(kind: PolicyKeyKind) -> Vec<&'static str> {
    let mut ops: Vec<&'static str> = match kind {
        PolicyKeyKind::SymmetricEncryption => vec![
            "Encrypt",
            "Decrypt",
            "ReEncrypt",
            "GenerateDataKey",
            "GenerateDataKeyWithoutPlaintext",
            "GenerateDataKeyPair",
        ],
        PolicyKeyKind::AsymmetricEncryption => {
            vec!["Encrypt", "Decrypt", "ReEncrypt", "GetPublicKey"]
        }
        PolicyKeyKind::AsymmetricSigning => vec!["Sign", "Verify", "GetPublicKey"],
        PolicyKeyKind::Hmac => vec!["GenerateMac", "VerifyMac"],
        PolicyKeyKind::KeyAgreement => vec!["DeriveSharedSecret", "GetPublicKey"],
        PolicyKeyKind::KeyEncapsulation => vec!["Encapsulate", "Decapsulate", "GetPublicKey"],
    };
    ops.extend([
        "DescribeKey",
        "GetKeyPolicy",
        "PutKeyPolicy",
        "ListResourceTags",
        "TagResource",
        "UntagResource",
        "UpdateKeyDescription",
        "EnableKey",
        "DisableKey",
        "ScheduleKeyDeletion",
        "CancelKeyDeletion",
        "CreateGrant",
        "ListGrants",
        "RevokeGrant",
    ]);
    if kind == PolicyKeyKind::SymmetricEncryption {
        ops.extend([
            "GetKeyRotationStatus",
            "EnableKeyRotation",
            "DisableKeyRotation",
            "RotateKeyOnDemand",
        ]);
    }
    ops
}

/// Whether the operation carries an encryption context (and so `kms:EncryptionContext:`
/// conditions and grant constraints apply).
pub fn takes_context(operation: &str) -> bool {
    matches!(
        operation,
        "Encrypt"
            | "Decrypt"
            | "ReEncrypt"
            | "GenerateDataKey"
            | "GenerateDataKeyWithoutPlaintext"
            | "GenerateDataKeyPair"
            | "GenerateDataKeyPairWithoutPlaintext"
    )
}

/// A request for `operation` on `key_id` that passes the API model's checks, for `explain`: only
/// who asks, the key and the encryption context decide access, so the other members are
/// placeholders. `algorithm` is the key's first signing or MAC algorithm, where one is needed.
pub fn check_request(
    operation: &str,
    key_id: &str,
    algorithm: &str,
    context: &[(String, String)],
) -> Value {
    // One byte, base64: a placeholder blob.
    let blob = "AA==";
    let mut body = match operation {
        "Encrypt" => json!({ "KeyId": key_id, "Plaintext": blob }),
        "Decrypt" => json!({ "KeyId": key_id, "CiphertextBlob": blob }),
        "ReEncrypt" => json!({
            "CiphertextBlob": blob, "SourceKeyId": key_id, "DestinationKeyId": key_id
        }),
        "GenerateDataKey" | "GenerateDataKeyWithoutPlaintext" => {
            json!({ "KeyId": key_id, "KeySpec": kms_web::types::DataKeySpec::Aes256.as_str() })
        }
        "GenerateDataKeyPair" | "GenerateDataKeyPairWithoutPlaintext" => {
            json!({ "KeyId": key_id, "KeyPairSpec": "ECC_NIST_P256" })
        }
        "Sign" => json!({ "KeyId": key_id, "Message": blob, "SigningAlgorithm": algorithm }),
        "Verify" => json!({
            "KeyId": key_id, "Message": blob, "Signature": blob, "SigningAlgorithm": algorithm
        }),
        "GenerateMac" => json!({ "KeyId": key_id, "Message": blob, "MacAlgorithm": algorithm }),
        "VerifyMac" => json!({
            "KeyId": key_id, "Message": blob, "Mac": blob, "MacAlgorithm": algorithm
        }),
        "GetKeyPolicy" => json!({ "KeyId": key_id, "PolicyName": "default" }),
        "PutKeyPolicy" => json!({ "KeyId": key_id, "PolicyName": "default", "Policy": "{}" }),
        "TagResource" => json!({ "KeyId": key_id, "Tags": [{ "TagKey": "k", "TagValue": "v" }] }),
        "UntagResource" => json!({ "KeyId": key_id, "TagKeys": ["k"] }),
        "UpdateKeyDescription" => json!({ "KeyId": key_id, "Description": "" }),
        "ScheduleKeyDeletion" => json!({ "KeyId": key_id, "PendingWindowInDays": 30 }),
        "CreateGrant" => json!({
            "KeyId": key_id,
            "GranteePrincipal": "arn:aws:iam::111122223333:root",
            "Operations": ["DescribeKey"]
        }),
        "RevokeGrant" => json!({ "KeyId": key_id, "GrantId": "0".repeat(64) }),
        _ => json!({ "KeyId": key_id }),
    };
    if takes_context(operation) {
        let map: Map<String, Value> = context
            .iter()
            .filter(|(k, _)| !k.trim().is_empty())
            .map(|(k, v)| (k.trim().to_string(), Value::String(v.clone())))
            .collect();
        if !map.is_empty() {
            let member = if operation == "ReEncrypt" {
                "SourceEncryptionContext"
            } else {
                "EncryptionContext"
            };
            body[member] = Value::Object(map.clone());
            if operation == "ReEncrypt" {
                body["DestinationEncryptionContext"] = Value::Object(map);
            }
        }
    }
    body
}

/// The principal an ARN names, for people: `user/alice` → ("User", "alice").
pub fn principal_label(arn: &str) -> (&'static str, String) {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or(arn);
    let name = resource.rsplit('/').next().unwrap_or(resource).to_string();
    if resource == "root" {
        ("Account", "root user".to_string())
    } else if resource.starts_with("user/") {
        ("User", name)
    } else if resource.starts_with("assumed-role/") {
        let role = resource.split('/').nth(1).unwrap_or_default();
        ("Role session", format!("{role}/{name}"))
    } else {
        ("Role", name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_denial_splits_into_message_reason_and_statements() {
        let v = json!([{
            "Action": "kms:Decrypt",
            "Resource": "arn:aws:kms:ap-southeast-2:111122223333:key/k",
            "Allowed": false,
            "Why": "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:ap-southeast-2:111122223333:key/k because no identity-based policy allows the kms:Decrypt action\nDenied: the resource-based policy leaves access to the caller's IAM policies, and no identity-based policy allows the request\n  - key policy (resource-based policy), statement \"Enable IAM User Permissions\": Allow, to the caller's account (delegates to its IAM policies)"
        }]);
        let d = parse_explain(&v);
        assert_eq!(d.len(), 1);
        assert!(!d[0].allowed);
        assert!(d[0]
            .message
            .as_deref()
            .unwrap()
            .starts_with("User: arn:aws:iam::111122223333:user/alice is not authorized"));
        assert!(d[0].reason.starts_with("Denied: the resource-based policy"));
        assert_eq!(d[0].statements.len(), 1);
        assert!(d[0].statements[0].contains("\"Enable IAM User Permissions\""));
        assert!(!all_allowed(&d));
    }

    #[test]
    fn an_allow_has_no_message() {
        let v = json!([
            {"Action": "kms:ReEncryptFrom", "Resource": "r", "Allowed": true,
             "Why": "Allowed by grant abc"},
            {"Action": "kms:ReEncryptTo", "Resource": "r", "Allowed": true,
             "Why": "Allowed: the resource-based policy allows the caller by name (or everyone)\n  - key policy (resource-based policy), statement \"Allow use of the key\": Allow"}
        ]);
        let d = parse_explain(&v);
        assert_eq!(d[0].message, None);
        assert_eq!(d[0].reason, "Allowed by grant abc");
        assert!(d[0].statements.is_empty());
        assert_eq!(d[1].statements.len(), 1);
        assert!(all_allowed(&d));
    }

    #[test]
    fn operations_follow_the_key_type() {
        let sym = key_operations(PolicyKeyKind::SymmetricEncryption);
        assert_eq!(sym[0], "Encrypt");
        assert!(sym.contains(&"EnableKeyRotation"));
        assert!(!sym.contains(&"Sign"));
        let sign = key_operations(PolicyKeyKind::AsymmetricSigning);
        assert_eq!(sign[0], "Sign");
        assert!(!sign.contains(&"Encrypt") && !sign.contains(&"EnableKeyRotation"));
        assert!(key_operations(PolicyKeyKind::Hmac).contains(&"VerifyMac"));
    }

    #[test]
    fn check_requests_carry_the_key_and_the_context_where_it_applies() {
        let ctx = vec![
            ("purpose".to_string(), "test".to_string()),
            (" ".into(), "x".into()),
        ];
        let enc = check_request("Encrypt", "k", "", &ctx);
        assert_eq!(enc["KeyId"], "k");
        assert_eq!(enc["EncryptionContext"], json!({"purpose": "test"}));
        let re = check_request("ReEncrypt", "k", "", &ctx);
        assert_eq!(re["SourceKeyId"], "k");
        assert_eq!(re["DestinationKeyId"], "k");
        assert_eq!(re["SourceEncryptionContext"], json!({"purpose": "test"}));
        let desc = check_request("DescribeKey", "k", "", &ctx);
        assert_eq!(desc, json!({"KeyId": "k"}));
        let sign = check_request("Sign", "k", "ECDSA_SHA_256", &[]);
        assert_eq!(sign["SigningAlgorithm"], "ECDSA_SHA_256");
    }

    #[test]
    fn principal_labels() {
        assert_eq!(
            principal_label("arn:aws:iam::111122223333:user/dev/alice"),
            ("User", "alice".to_string())
        );
        assert_eq!(
            principal_label("arn:aws:iam::111122223333:role/App"),
            ("Role", "App".to_string())
        );
        assert_eq!(
            principal_label("arn:aws:sts::111122223333:assumed-role/App/console"),
            ("Role session", "App/console".to_string())
        );
        assert_eq!(
            principal_label("arn:aws:iam::111122223333:root").0,
            "Account"
        );
    }
}
