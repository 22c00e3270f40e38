//! Checks of the policy documents IAM stores: identity policies (inline, managed, session) and
//! role trust policies, by the policy evaluator's own grammar ([`Policy::parse`], in IAM's words):
//! a document the evaluator could not read would be stored and then ignored whole, a Deny in it
//! silently lost. Refusals are `MalformedPolicyDocument`.

use crate::access::{Policy, PolicyKind};
use crate::error::{KmsError, Result};

/// An identity-based policy: statements with actions and resources, and no principal.
pub fn validate_identity_policy(text: &str) -> Result<()> {
    grammar(text, PolicyKind::Identity).map(drop)
}

/// A role's trust policy: statements with a principal and actions, and no resource.
pub fn validate_trust_policy(text: &str) -> Result<Policy> {
    if serde_json::from_str::<serde::de::IgnoredAny>(text).is_err() {
        return Err(malformed(crate::access::messages::iam::TRUST_INVALID_JSON));
    }
    grammar(text, PolicyKind::Trust)
}

/// The document as the policy evaluator reads it.
fn grammar(text: &str, kind: PolicyKind) -> Result<Policy> {
    Policy::parse(text, kind).map_err(|e| malformed(&e.message))
}

/// A policy's size as IAM's quotas count it: characters, not counting white space.
pub(crate) fn policy_size(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

fn malformed(message: &str) -> KmsError {
    KmsError::iam_malformed_policy(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal<T: std::fmt::Debug>(r: Result<T>) -> String {
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
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        )
        .unwrap();
        for (doc, message) in [
            ("[]", "Syntax errors in policy."),
            ("{}", "Syntax errors in policy."),
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}"#,
                "Syntax errors in policy.",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
                "Policy document must be version 2012-10-17 or greater.",
            ),
            (
                r#"{"Version":"2020-01-01","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
                "Syntax errors in policy.",
            ),
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}"#,
                "Policy statement must contain actions.",
            ),
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"*"},"Action":"*","Resource":"*"}]}"#,
                "Policy document should not specify a principal.",
            ),
        ] {
            assert_eq!(refusal(validate_identity_policy(doc)), message, "{doc}");
        }
    }

    /// What the evaluator could not read is refused when stored (it was stored and then ignored
    /// whole); documents of other services, as real accounts hold, are still taken.
    #[test]
    fn identity_policies_pass_the_evaluators_grammar() {
        for doc in [
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"S3","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":["arn:aws:s3:::bucket","arn:aws:s3:::bucket/*"],"Condition":{"Bool":{"aws:SecureTransport":"true"},"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}},{"Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}}]}"#,
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:*:111122223333:key/*","Condition":{"StringEquals":{"kms:EncryptionContext:app":"web"},"ForAnyValue:StringLike":{"kms:ResourceAliases":"alias/app-*"}}}}"#,
        ] {
            validate_identity_policy(doc).unwrap_or_else(|e| panic!("{doc}: {e}"));
        }
        for (doc, message) in [
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"Encrypt","Resource":"*"}]}"#,
                "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
            ),
            (
                r#"{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Action":"kms:Encrypt","Resource":"*"},{"Sid":"a","Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}]}"#,
                "Statement IDs (SID) in a single policy must be unique.",
            ),
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kms:*","Resource":"*","Condition":{"StringEqualz":{"aws:username":"x"}}}]}"#,
                "Syntax errors in policy.",
            ),
        ] {
            assert_eq!(refusal(validate_identity_policy(doc)), message, "{doc}");
        }
    }

    #[test]
    fn trust_policies() {
        for doc in [
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:org/repo:*"}}}]}"#,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{"StringEquals":{"sts:ExternalId":"x"}}}]}"#,
        ] {
            validate_trust_policy(doc).unwrap_or_else(|e| panic!("{doc}: {e}"));
        }
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
