//! Every sentence AWS says about policies, in one place: MalformedPolicyDocument messages and
//! AccessDeniedException messages. Where AWS's exact words are known they are used verbatim;
//! where they are not (marked), the message is ours and says plainly what is wrong.

/// IAM's MalformedPolicyDocument messages (CreatePolicy, PutUserPolicy, CreateRole, ...).
pub(crate) mod iam {
    pub(crate) const SYNTAX: &str = "Syntax errors in policy.";
    pub(crate) const VERSION: &str = "Policy document must be version 2012-10-17 or greater.";
    pub(crate) const LEGACY_PARSING: &str = "The policy failed legacy parsing";
    pub(crate) const PRINCIPAL_FORBIDDEN: &str = "Policy document should not specify a principal.";
    pub(crate) const NEEDS_ACTIONS: &str = "Policy statement must contain actions.";
    pub(crate) const NEEDS_RESOURCES: &str = "Policy statement must contain resources.";
    pub(crate) const SID_UNIQUE: &str = "Statement IDs (SID) in a single policy must be unique.";
    pub(crate) const SID_ALPHANUMERIC: &str = "Statement IDs (SID) must be alpha-numeric. Check \
        that your input satisfies the regular expression [0-9A-Za-z]*";
    pub(crate) const VENDOR: &str =
        "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
    pub(crate) const ONE_COLON: &str = "Actions/Condition can contain only one colon.";
    pub(crate) const RESOURCE_VENDOR: &str =
        "Resource vendor must be fully qualified and cannot contain regexes.";
    /// Trust policies (CreateRole, UpdateAssumeRolePolicy).
    pub(crate) const MISSING_PRINCIPAL: &str = "Missing required field Principal";
    pub(crate) const PROHIBITED_RESOURCE: &str = "Has prohibited field Resource";
    /// A trust policy that is not JSON (an identity policy's is [`SYNTAX`]).
    pub(crate) const TRUST_INVALID_JSON: &str = "This policy contains invalid Json";
    /// A trust policy whose `Action` is not an STS assume action (LocalStack's test_iam_roles
    /// snapshot, for `sts:InvalidAction`).
    pub(crate) const TRUST_ACTIONS_ONLY: &str =
        "AssumeRole policy may only specify STS AssumeRole actions.";

    pub(crate) fn vendor_invalid(vendor: &str) -> String {
        format!("Vendor {vendor} is not valid")
    }

    pub(crate) fn resource_format(resource: &str) -> String {
        format!("Resource {resource} must be in ARN format or \"*\".")
    }

    pub(crate) fn partition(partition: &str, resource: &str) -> String {
        format!("Partition \"{partition}\" is not valid for resource \"{resource}\".")
    }

    pub(crate) fn invalid_principal(kind: &str, value: &str) -> String {
        format!("Invalid principal in policy: \"{kind}\":\"{value}\"")
    }
}

/// KMS's MalformedPolicyDocumentException messages (CreateKey, PutKeyPolicy, ReplicateKey).
pub(crate) mod kms {
    pub(crate) const INVALID_PRINCIPALS: &str =
        "Policy contains a statement with one or more invalid principals.";
    /// Not verified against KMS (which has been seen answering an unparsable policy with an
    /// empty message): IAM's wording, as KMS parses the same policy language.
    pub(crate) const SYNTAX: &str = super::iam::SYNTAX;
    pub(crate) const SID_UNIQUE: &str = super::iam::SID_UNIQUE;
    /// conditions-kms.md, kms:EncryptionContext:context-key.
    pub(crate) const OVERLY_PERMISSIVE_ENCRYPTION_CONTEXT: &str =
        "OverlyPermissiveCondition:EncryptionContext: Using the ForAllValues set operator with a \
         single-valued condition key matches requests without the specified encryption context \
         or with an unspecified encryption context. To fix, remove ForAllValues.";
    /// conditions-kms.md gives this one with "[encryption context or tag]"; this is its tag
    /// reading.
    pub(crate) const OVERLY_PERMISSIVE_TAG: &str =
        "OverlyPermissiveCondition: Using the ForAllValues set operator with a single-valued \
         condition key matches requests without the specified tag or with an unspecified tag. \
         To fix, remove ForAllValues.";
}

/// The AccessDeniedException message, in AWS's words:
/// `User: <arn> is not authorized to perform: <action> on resource: <resource> <why>`, without
/// the resource part when there is none yet.
pub(crate) fn access_denied(
    caller_arn: &str,
    action: &str,
    resource: Option<&str>,
    why: &str,
) -> String {
    match resource {
        Some(resource) => format!(
            "User: {caller_arn} is not authorized to perform: {action} on resource: {resource} \
             {why}"
        ),
        None => format!("User: {caller_arn} is not authorized to perform: {action} {why}"),
    }
}

pub(crate) fn no_identity_policy_allows(action: &str) -> String {
    format!("because no identity-based policy allows the {action} action")
}

pub(crate) fn no_resource_policy_allows(action: &str) -> String {
    format!("because no resource-based policy allows the {action} action")
}

pub(crate) const EXPLICIT_DENY_IDENTITY: &str = "with an explicit deny in an identity-based policy";
pub(crate) const EXPLICIT_DENY_RESOURCE: &str = "with an explicit deny in a resource-based policy";
