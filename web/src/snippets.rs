//! The AWS CLI command and AWS SDK for JavaScript v3 call equivalent to a request the console
//! sends, derived from the very request JSON, so the two can never drift apart.

use base64::Engine as _;
use serde_json::Value;

/// The AWS CLI's word for a name of the model (`CreateKey` -> `create-key`): the terminal's own.
pub use kms_cli::kebab;

/// The members of `operation`'s request that are blobs in the KMS model (base64 on the JSON
/// wire, bytes in the SDK).
fn blob_members(operation: &str) -> Vec<&'static str> {
    let model = kms_web::types::model::kms();
    let Some(input) = model
        .operations
        .get(operation)
        .and_then(|o| o.input.as_deref())
    else {
        return Vec::new();
    };
    model
        .shape(input)
        .members
        .iter()
        .filter(|(_, shape)| model.shape(shape).ty == "blob")
        .map(|(member, _)| member.as_str())
        .collect()
}

/// The members of a request in the order people write them: the key first (`KeyId`,
/// `TargetKeyId`, `AliasName`), then the rest alphabetically.
fn key_first(obj: &serde_json::Map<String, Value>) -> Vec<(&String, &Value)> {
    let rank = |k: &str| match k {
        "KeyId" | "AliasName" => 0,
        "TargetKeyId" => 1,
        _ => 2,
    };
    let mut members: Vec<(&String, &Value)> = obj.iter().collect();
    members.sort_by(|a, b| (rank(a.0), a.0).cmp(&(rank(b.0), b.0)));
    members
}

/// Quotes a word for a POSIX shell when it needs it.
pub fn shell_quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c));
    if safe {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The AWS CLI v2 command for `operation` with `request` in `region`.
pub fn aws_cli(region: &str, operation: &str, request: &Value) -> String {
    let mut parts = vec![format!("aws kms {}", kebab(operation))];
    if let Some(obj) = request.as_object() {
        for (name, value) in key_first(obj) {
            let flag = kebab(name);
            match value {
                Value::Bool(true) => parts.push(format!("--{flag}")),
                Value::Bool(false) => parts.push(format!("--no-{flag}")),
                Value::Null => {}
                Value::Number(n) => parts.push(format!("--{flag} {n}")),
                Value::String(s) if name == "Policy" => {
                    let pretty = serde_json::from_str::<Value>(s)
                        .map(|v| v.to_string())
                        .unwrap_or_else(|_| s.clone());
                    parts.push(format!("--{flag} {}", shell_quote(&pretty)));
                }
                Value::String(s) => parts.push(format!("--{flag} {}", shell_quote(s))),
                Value::Array(items) if items.iter().all(Value::is_string) => {
                    let words: Vec<String> = items
                        .iter()
                        .map(|i| shell_quote(i.as_str().unwrap_or("")))
                        .collect();
                    parts.push(format!("--{flag} {}", words.join(" ")));
                }
                other => parts.push(format!("--{flag} {}", shell_quote(&other.to_string()))),
            }
        }
    }
    parts.push(format!("--region {region}"));
    parts.join(" \\\n    ")
}

fn js_string(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// A blob as the SDK takes it: text the reader can recognise, or bytes from base64.
fn js_blob(b64: &str) -> String {
    let decoded = base64::engine::general_purpose::STANDARD.decode(b64).ok();
    match decoded.and_then(|b| String::from_utf8(b).ok()) {
        Some(text)
            if !text.is_empty()
                && text
                    .chars()
                    .all(|c| !c.is_control() || c == '\n' || c == '\t') =>
        {
            format!("new TextEncoder().encode({})", js_string(&text))
        }
        _ => format!("Buffer.from({}, \"base64\")", js_string(b64)),
    }
}

fn js_value(v: &Value, indent: usize) -> String {
    let pad = "  ".repeat(indent + 1);
    let end = "  ".repeat(indent);
    match v {
        Value::Object(o) if o.is_empty() => "{}".into(),
        Value::Object(o) => {
            let fields: Vec<String> = key_first(o)
                .into_iter()
                .map(|(k, v)| {
                    let key = if k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        && !k.is_empty()
                    {
                        k.clone()
                    } else {
                        js_string(k)
                    };
                    format!("{pad}{key}: {}", js_value(v, indent + 1))
                })
                .collect();
            format!("{{\n{},\n{end}}}", fields.join(",\n"))
        }
        Value::Array(a) if a.is_empty() => "[]".into(),
        Value::Array(a) => {
            let items: Vec<String> = a
                .iter()
                .map(|v| format!("{pad}{}", js_value(v, indent + 1)))
                .collect();
            format!("[\n{},\n{end}]", items.join(",\n"))
        }
        other => other.to_string(),
    }
}

/// The AWS SDK for JavaScript v3 call for `operation` with `request` in `region`.
pub fn js_sdk(region: &str, operation: &str, request: &Value) -> String {
    let mut input = request.clone();
    let mut blobs = Vec::new();
    if let Some(obj) = input.as_object_mut() {
        for name in blob_members(operation) {
            if let Some(Value::String(b64)) = obj.get(name) {
                blobs.push((name.to_string(), js_blob(b64)));
                obj.insert(name.to_string(), Value::String(format!("\u{0}{name}\u{0}")));
            }
        }
    }
    let mut body = js_value(&input, 0);
    for (name, expr) in blobs {
        body = body.replace(&js_string(&format!("\u{0}{name}\u{0}")), &expr);
    }
    format!(
        "import {{ KMSClient, {operation}Command }} from \"@aws-sdk/client-kms\";\n\n\
         const client = new KMSClient({{ region: {} }});\n\
         const response = await client.send(new {operation}Command({body}));",
        js_string(region)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_become_cli_words() {
        assert_eq!(kebab("CreateKey"), "create-key");
        assert_eq!(kebab("GenerateDataKeyPair"), "generate-data-key-pair");
        assert_eq!(kebab("ReEncrypt"), "re-encrypt");
        assert_eq!(kebab("PendingWindowInDays"), "pending-window-in-days");
        assert_eq!(
            kebab("BypassPolicyLockoutSafetyCheck"),
            "bypass-policy-lockout-safety-check"
        );
        assert_eq!(kebab("AWSAccountId"), "aws-account-id");
    }

    #[test]
    fn blob_members_come_from_the_model() {
        assert_eq!(blob_members("Encrypt"), ["Plaintext"]);
        assert_eq!(blob_members("Verify"), ["Message", "Signature"]);
        assert_eq!(
            blob_members("ImportKeyMaterial"),
            ["EncryptedKeyMaterial", "ImportToken"]
        );
        assert!(blob_members("CreateKey").is_empty());
        assert!(blob_members("NoSuchOperation").is_empty());
    }

    #[test]
    fn cli_command_carries_every_member() {
        let cmd = aws_cli(
            "ap-southeast-2",
            "Encrypt",
            &json!({"KeyId": "alias/app", "Plaintext": "aGk=", "EncryptionContext": {"team": "a b"}}),
        );
        assert!(
            cmd.starts_with("aws kms encrypt \\\n    --key-id alias/app"),
            "{cmd}"
        );
        assert!(cmd.contains("--key-id alias/app"));
        assert!(cmd.contains("--plaintext aGk="));
        assert!(cmd.contains(r#"--encryption-context '{"team":"a b"}'"#));
        assert!(cmd.ends_with("--region ap-southeast-2"));
    }

    #[test]
    fn cli_booleans_numbers_and_lists() {
        let cmd = aws_cli(
            "us-east-1",
            "CreateKey",
            &json!({"MultiRegion": false, "Tags": [{"TagKey": "k", "TagValue": "it's"}]}),
        );
        assert!(cmd.contains("--no-multi-region"));
        assert!(cmd.contains(r#"--tags '[{"TagKey":"k","TagValue":"it'\''s"}]'"#));
        let cmd = aws_cli(
            "us-east-1",
            "UntagResource",
            &json!({"KeyId": "k", "TagKeys": ["a", "b c"]}),
        );
        assert!(cmd.contains("--tag-keys a 'b c'"));
        let cmd = aws_cli(
            "us-east-1",
            "ScheduleKeyDeletion",
            &json!({"KeyId": "k", "PendingWindowInDays": 7}),
        );
        assert!(cmd.contains("--pending-window-in-days 7"));
    }

    #[test]
    fn sdk_call_names_the_command_and_decodes_text_blobs() {
        let js = js_sdk(
            "eu-west-1",
            "Encrypt",
            &json!({"KeyId": "k", "Plaintext": "aGVsbG8="}),
        );
        assert!(js.contains("import { KMSClient, EncryptCommand }"));
        assert!(js.contains("region: \"eu-west-1\""));
        assert!(js.contains("Plaintext: new TextEncoder().encode(\"hello\")"));
        let js = js_sdk("eu-west-1", "Decrypt", &json!({"CiphertextBlob": "AAEC"}));
        assert!(js.contains("CiphertextBlob: Buffer.from(\"AAEC\", \"base64\")"));
    }

    #[test]
    fn sdk_input_is_a_js_object_literal() {
        let js = js_sdk(
            "r",
            "TagResource",
            &json!({"KeyId": "k", "Tags": [{"TagKey": "a", "TagValue": "b"}]}),
        );
        assert!(
            js.contains(
                "new TagResourceCommand({\n  KeyId: \"k\",\n  Tags: [\n    {\n      TagKey: \"a\""
            ),
            "{js}"
        );
    }
}
