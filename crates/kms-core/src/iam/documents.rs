//! Checks of the policy documents IAM stores: identity policies (inline, managed, session) and
//! role trust policies. Deliberately shallow for now, one function per kind so that the policy
//! evaluator's full grammar check can replace them: the document is a JSON object whose
//! `Statement` is a statement or a list of them, each with an `Effect` of `Allow` or `Deny`, and
//! the fields its kind requires or forbids. Refusals are `MalformedPolicyDocument` in IAM's words.

use crate::error::{KmsError, Result};
use serde_json::{Map, Value};

/// An identity-based policy: statements with actions and resources, and no principal.
pub fn validate_identity_policy(text: &str) -> Result<()> {
    for s in statements(text)? {
        if s.contains_key("Principal") || s.contains_key("NotPrincipal") {
            return Err(malformed("Policy document should not specify a principal."));
        }
        if !s.contains_key("Action") && !s.contains_key("NotAction") {
            return Err(malformed("Policy statement must contain actions."));
        }
        if !s.contains_key("Resource") && !s.contains_key("NotResource") {
            return Err(malformed("Policy statement must contain resources."));
        }
    }
    Ok(())
}

/// A role's trust policy: statements with a principal and actions, and no resource.
pub fn validate_trust_policy(text: &str) -> Result<()> {
    for s in statements(text)? {
        if s.contains_key("Resource") || s.contains_key("NotResource") {
            return Err(malformed("Has prohibited field Resource"));
        }
        if !s.contains_key("Principal") && !s.contains_key("NotPrincipal") {
            return Err(malformed("Missing required field Principal"));
        }
        if !s.contains_key("Action") && !s.contains_key("NotAction") {
            return Err(malformed("Policy statement must contain actions."));
        }
    }
    Ok(())
}

/// A policy's size as IAM's quotas count it: characters, not counting white space.
pub(crate) fn policy_size(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

fn malformed(message: &str) -> KmsError {
    KmsError::iam_malformed_policy(message)
}

fn statements(text: &str) -> Result<Vec<Map<String, Value>>> {
    let doc: Value =
        serde_json::from_str(text).map_err(|_| malformed("Syntax errors in policy."))?;
    let obj = doc
        .as_object()
        .ok_or_else(|| malformed("Syntax errors in policy."))?;
    if let Some(v) = obj.get("Version") {
        if !matches!(v.as_str(), Some("2012-10-17" | "2008-10-17")) {
            return Err(malformed("The policy failed legacy parsing"));
        }
    }
    let list: Vec<Value> = match obj.get("Statement") {
        Some(Value::Array(items)) if !items.is_empty() => items.clone(),
        Some(s @ Value::Object(_)) => vec![s.clone()],
        _ => return Err(malformed("Syntax errors in policy.")),
    };
    let mut out = Vec::with_capacity(list.len());
    for s in list {
        let Value::Object(m) = s else {
            return Err(malformed("Syntax errors in policy."));
        };
        if !matches!(
            m.get("Effect").and_then(Value::as_str),
            Some("Allow" | "Deny")
        ) {
            return Err(malformed("Syntax errors in policy."));
        }
        out.push(m);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(r: Result<()>) -> String {
        let e = r.unwrap_err();
        assert_eq!(e.error_type.as_str(), "MalformedPolicyDocument");
        e.message
    }

    #[test]
    fn identity_policies() {
        validate_identity_policy(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":"kms:Decrypt","NotResource":"arn:aws:kms:*:*:key/x"}}"#,
        )
        .unwrap();
        validate_identity_policy(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        )
        .unwrap();
        for (doc, message) in [
            ("[]", "Syntax errors in policy."),
            ("{}", "Syntax errors in policy."),
            (r#"{"Statement":[]}"#, "Syntax errors in policy."),
            (
                r#"{"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}"#,
                "Syntax errors in policy.",
            ),
            (
                r#"{"Version":"2020-01-01","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
                "The policy failed legacy parsing",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Resource":"*"}]}"#,
                "Policy statement must contain actions.",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"*"},"Action":"*","Resource":"*"}]}"#,
                "Policy document should not specify a principal.",
            ),
        ] {
            assert_eq!(refusal(validate_identity_policy(doc)), message, "{doc}");
        }
    }

    #[test]
    fn trust_policies() {
        validate_trust_policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        )
        .unwrap();
        assert_eq!(
            refusal(validate_trust_policy(
                r#"{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}"#
            )),
            "Missing required field Principal"
        );
    }

    #[test]
    fn sizes_leave_white_space_out() {
        assert_eq!(policy_size("{ \"a\" :\n\t1 }"), 7);
    }
}
