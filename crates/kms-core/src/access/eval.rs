//! The authorization decision: a request, the policies that apply to it, and AWS's evaluation
//! logic as KMS applies it.
//!
//! In order (the KMS developer guide's "Troubleshooting key access" flow, and the IAM User
//! Guide's evaluation logic):
//! 1. An explicit `Deny` in any policy that applies denies the request.
//! 2. A resource-based policy (the key policy) that allows the caller by name (its user, role or
//!    session ARN, or `*`) allows it, whatever the identity-based policies say.
//! 3. A resource-based policy that allows only the caller's account (`arn:aws:iam::A:root` or
//!    `A`) delegates to IAM: the root user is allowed (it has every permission in its account);
//!    anyone else needs an identity-based policy that allows the request too.
//! 4. A grant allows the request (the caller says whether one does).
//! 5. Without a resource-based policy (operations on no resource; IAM and STS), identity-based
//!    policies decide, and the root user is allowed.
//!
//! KMS's `kms:RetireGrant` is the exception: a key policy's `Allow` of it is not effective, and
//! the key's own account is treated as allowed whatever the key policy says (its root user may
//! retire any grant; its IAM policies may delegate the permission); grants decide the rest.
//!
//! A caller from another account than the resource's needs both: the resource-based policy
//! must allow it (or its account) and an identity-based policy of its own account must allow it
//! (its root user needs none). KMS only takes cross-account calls for some operations; the
//! caller of this module decides which.

use super::context::Context;
use super::messages;
use super::pattern::Action;
use super::policy::{Effect, Policy, PolicyKind, PrincipalMatch, Statement};
use crate::caller::Caller;
use std::fmt;

/// What is being authorized.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The action, as policies name it: `kms:Decrypt`, `iam:CreateUser`.
    pub action: &'a str,
    /// The resource's ARN (a key ARN), or `*` for operations on no resource (`kms:CreateKey`,
    /// `kms:ListKeys`).
    pub resource: &'a str,
    pub caller: &'a Caller,
    /// The Region the request is made in: denials name the caller in its partition.
    pub region: &'a str,
    /// The condition keys of the request, filled in by whoever builds it.
    pub context: &'a Context,
    /// The condition keys the resource-based policy sees, when they differ from `context`:
    /// some keys are supported in identity-based policies only (KMS's `aws:ResourceTag/*` and
    /// `kms:ResourceAliases` are not in key policies). `None`: the resource-based policy sees
    /// `context`.
    pub resource_context: Option<&'a Context>,
}

impl<'a> Request<'a> {
    pub fn new(
        action: &'a str,
        resource: &'a str,
        caller: &'a Caller,
        region: &'a str,
        context: &'a Context,
    ) -> Request<'a> {
        Request {
            action,
            resource,
            caller,
            region,
            context,
            resource_context: None,
        }
    }

    /// The request, with the condition keys its resource-based policy sees instead of
    /// [`Request::context`] (`None`: the same keys).
    pub fn with_resource_context(mut self, context: Option<&'a Context>) -> Request<'a> {
        self.resource_context = context;
        self
    }
}

/// Which side of the evaluation a policy is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicySide {
    /// A resource-based policy: a key policy, a role trust policy.
    ResourceBased,
    /// An identity-based policy: attached to the caller's user or role.
    IdentityBased,
}

impl PolicySide {
    fn as_str(self) -> &'static str {
        match self {
            PolicySide::ResourceBased => "resource-based",
            PolicySide::IdentityBased => "identity-based",
        }
    }
}

/// Why a request was allowed or denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The resource-based policy allows the caller by name, or everyone.
    AllowedByResourcePolicy,
    /// An identity-based policy allows the request, and the resource-based policy (if any)
    /// allows the caller's account, which lets IAM policies grant access.
    AllowedByIdentityPolicy,
    /// A grant allows the request.
    AllowedByGrant,
    /// The caller is the root user of the account, which the resource-based policy (if any)
    /// allows.
    AllowedAsRoot,
    ExplicitDenyInIdentityPolicy,
    ExplicitDenyInResourcePolicy,
    /// The resource-based policy allows the caller's account, but no identity-based policy of
    /// the caller allows the request.
    NoIdentityPolicyAllows,
    /// The resource-based policy allows neither the caller nor its account (and no grant does);
    /// identity-based policies alone cannot allow the request.
    NoResourcePolicyAllows,
}

impl Reason {
    pub fn is_allowed(self) -> bool {
        matches!(
            self,
            Reason::AllowedByResourcePolicy
                | Reason::AllowedByIdentityPolicy
                | Reason::AllowedByGrant
                | Reason::AllowedAsRoot
        )
    }

    /// The end of AWS's AccessDeniedException message for this reason (empty when allowed).
    fn denial_clause(self, action: &str) -> String {
        match self {
            Reason::ExplicitDenyInIdentityPolicy => messages::EXPLICIT_DENY_IDENTITY.into(),
            Reason::ExplicitDenyInResourcePolicy => messages::EXPLICIT_DENY_RESOURCE.into(),
            Reason::NoIdentityPolicyAllows => messages::no_identity_policy_allows(action),
            Reason::NoResourcePolicyAllows => messages::no_resource_policy_allows(action),
            _ => String::new(),
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Reason::AllowedByResourcePolicy => {
                "Allowed: the resource-based policy allows the caller by name (or everyone)"
            }
            Reason::AllowedByIdentityPolicy => {
                "Allowed: an identity-based policy allows the request, and the resource-based \
                 policy, if any, lets the caller's account grant it with IAM policies"
            }
            Reason::AllowedByGrant => "Allowed by a grant",
            Reason::AllowedAsRoot => {
                "Allowed: the caller is the account's root user, which needs no IAM policy; the \
                 resource-based policy, if any, allows the account"
            }
            Reason::ExplicitDenyInIdentityPolicy => {
                "Denied: an identity-based policy explicitly denies the request"
            }
            Reason::ExplicitDenyInResourcePolicy => {
                "Denied: a resource-based policy explicitly denies the request"
            }
            Reason::NoIdentityPolicyAllows => {
                "Denied: the resource-based policy leaves access to the caller's IAM policies, \
                 and no identity-based policy allows the request"
            }
            Reason::NoResourcePolicyAllows => {
                "Denied: no resource-based policy allows the request (IAM policies alone cannot \
                 grant access a key policy does not delegate)"
            }
        })
    }
}

/// A statement that took part in a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecidingStatement<'a> {
    /// The policy's label (`key policy`, `user alice inline policy p1`, a managed policy ARN).
    pub policy: &'a str,
    pub side: PolicySide,
    pub sid: Option<&'a str>,
    /// The statement's position in its policy, from 0.
    pub index: usize,
    pub effect: Effect,
    /// For a resource-based `Allow`: it names the caller only through its account, so it
    /// delegates to the account's IAM policies.
    pub through_account: bool,
}

impl fmt::Display for DecidingStatement<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({} policy), statement ",
            self.policy,
            self.side.as_str()
        )?;
        match self.sid {
            Some(sid) => write!(f, "\"{sid}\"")?,
            None => write!(f, "#{}", self.index + 1)?,
        }
        write!(f, ": {}", self.effect)?;
        if self.through_account {
            f.write_str(", to the caller's account (delegates to its IAM policies)")?;
        }
        Ok(())
    }
}

/// The outcome of [`decide`], with what decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision<'a> {
    pub allowed: bool,
    pub reason: Reason,
    /// The statements behind the reason: the denying statements for an explicit deny; the
    /// allowing ones for an allow; for an implicit deny, the allows that were not enough (an
    /// IAM allow the key policy does not delegate, a delegation no IAM policy uses).
    pub statements: Vec<DecidingStatement<'a>>,
    /// For [`Reason::AllowedByGrant`], the grant.
    pub grant: Option<&'a str>,
}

impl Decision<'_> {
    /// AWS's AccessDeniedException message for a denied request (empty when allowed):
    /// `User: <arn> is not authorized to perform: <action> on resource: <resource> because no
    /// identity-based policy allows the <action> action`, and its three siblings.
    pub fn denial_message(&self, req: &Request<'_>) -> String {
        self.denial(req, Some(req.resource))
    }

    /// [`Decision::denial_message`] without `on resource: ...`: AWS's words when the resource
    /// does not exist yet (the tags of a key CreateKey is making).
    pub fn denial_message_without_resource(&self, req: &Request<'_>) -> String {
        self.denial(req, None)
    }

    fn denial(&self, req: &Request<'_>, resource: Option<&str>) -> String {
        if self.allowed {
            return String::new();
        }
        let mut why = self.reason.denial_clause(req.action);
        // An explicit deny from a managed policy names it: `with an explicit deny in an
        // identity-based policy: arn:aws:iam::A:policy/Name` (an inline policy is not named).
        if self.reason == Reason::ExplicitDenyInIdentityPolicy {
            let denying = self
                .statements
                .iter()
                .find(|s| s.side == PolicySide::IdentityBased && s.effect == Effect::Deny);
            if let Some(arn) = denying
                .map(|s| s.policy)
                .filter(|p| p.starts_with("arn:") && p.contains(":policy/"))
            {
                why = format!("{why}: {arn}");
            }
        }
        messages::access_denied(&req.caller.arn(req.region), req.action, resource, &why)
    }
}

impl fmt::Display for Decision<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.reason, self.grant) {
            (Reason::AllowedByGrant, Some(grant)) => write!(f, "Allowed by grant {grant}")?,
            (reason, _) => write!(f, "{reason}")?,
        }
        for s in &self.statements {
            write!(f, "\n  - {s}")?;
        }
        Ok(())
    }
}

/// Decides `req` under its resource-based policy (the key policy; `None` for operations on no
/// resource and for IAM and STS actions), the caller's identity-based policies (each with a
/// label for the explanation), and whether a grant allows it (`grant`: the grant's id, decided
/// by the caller).
///
/// Allocates at most the list of deciding statements; everything else is borrowed.
pub fn decide<'a>(
    req: &Request<'_>,
    resource_policy: Option<(&'a str, &'a Policy)>,
    identity_policies: &'a [(String, &'a Policy)],
    grant: Option<&'a str>,
) -> Decision<'a> {
    let ctx = req.context;
    // Actions match case-insensitively: fold the request's once (on the stack when short).
    let mut buf = [0u8; 128];
    let folded;
    let action = if req.action.len() <= buf.len() && req.action.is_ascii() {
        let b = &mut buf[..req.action.len()];
        b.copy_from_slice(req.action.as_bytes());
        b.make_ascii_lowercase();
        std::str::from_utf8(b).expect("ASCII")
    } else {
        folded = req.action.to_lowercase();
        &folded
    };
    // "The kms:RetireGrant permission is not effective in a key policy" (AWS's grant guide): a
    // key policy statement naming the caller does not let it retire grants; a Deny still applies.
    let resource_allow_effective = action != "kms:retiregrant";
    let action = Action::new(action);
    let mut hits: Vec<DecidingStatement<'a>> = Vec::new();
    let (mut deny_identity, mut deny_resource) = (false, false);
    let (mut identity_allows, mut resource_direct, mut resource_account) = (false, false, false);

    for (label, policy) in identity_policies {
        for s in policy.statements() {
            if !s.covers_action(&action)
                || !s.covers_resource(req.resource, PolicyKind::Identity, ctx)
                || !s.conditions_hold(ctx)
            {
                continue;
            }
            match s.effect() {
                Effect::Deny => deny_identity = true,
                Effect::Allow => identity_allows = true,
            }
            hits.push(hit(label, PolicySide::IdentityBased, s, false));
        }
    }
    if let Some((label, policy)) = resource_policy {
        let ctx = req.resource_context.unwrap_or(ctx);
        for s in policy.statements() {
            if !s.covers_action(&action) || !s.covers_resource(req.resource, policy.kind(), ctx) {
                continue;
            }
            let Some(named) = s.principal_match(req.caller) else {
                continue;
            };
            if !s.conditions_hold(ctx) {
                continue;
            }
            let through_account = named == PrincipalMatch::Account && s.effect() == Effect::Allow;
            if s.effect() == Effect::Allow && !through_account && !resource_allow_effective {
                continue;
            }
            match s.effect() {
                Effect::Deny => deny_resource = true,
                Effect::Allow if through_account => resource_account = true,
                Effect::Allow => resource_direct = true,
            }
            hits.push(hit(label, PolicySide::ResourceBased, s, through_account));
        }
    }

    let root = req.caller.is_root();
    let cross_account = resource_policy.is_some()
        && resource_account_id(req.resource).is_some_and(|a| a != req.caller.account_id());
    // "As a backup, the AWS account in which the grant was created can retire the grant", and
    // "The AWS account that owns the KMS key can delegate the kms:RetireGrant permission to an
    // IAM user in the account" (grant-manage.md): whatever the key policy allows, the key's
    // account lets its root user retire, and its IAM policies delegate the permission.
    if !resource_allow_effective && !cross_account && resource_policy.is_some() {
        resource_account = true;
    }
    let reason = if deny_identity {
        Reason::ExplicitDenyInIdentityPolicy
    } else if deny_resource {
        Reason::ExplicitDenyInResourcePolicy
    } else if resource_policy.is_none() {
        if root {
            Reason::AllowedAsRoot
        } else if identity_allows {
            Reason::AllowedByIdentityPolicy
        } else if grant.is_some() {
            Reason::AllowedByGrant
        } else {
            Reason::NoIdentityPolicyAllows
        }
    } else if cross_account {
        let resource_allows = resource_direct || resource_account;
        if resource_allows && root {
            Reason::AllowedAsRoot
        } else if resource_allows && identity_allows {
            Reason::AllowedByIdentityPolicy
        } else if grant.is_some() {
            Reason::AllowedByGrant
        } else if resource_allows {
            Reason::NoIdentityPolicyAllows
        } else {
            Reason::NoResourcePolicyAllows
        }
    } else if resource_direct {
        Reason::AllowedByResourcePolicy
    } else if resource_account && root {
        Reason::AllowedAsRoot
    } else if resource_account && identity_allows {
        Reason::AllowedByIdentityPolicy
    } else if grant.is_some() {
        Reason::AllowedByGrant
    } else if resource_account {
        Reason::NoIdentityPolicyAllows
    } else {
        Reason::NoResourcePolicyAllows
    };

    hits.retain(|h| match reason {
        Reason::ExplicitDenyInIdentityPolicy | Reason::ExplicitDenyInResourcePolicy => {
            h.effect == Effect::Deny
        }
        Reason::AllowedByGrant => false,
        Reason::AllowedByResourcePolicy => {
            h.side == PolicySide::ResourceBased && !h.through_account
        }
        // The allows that together make the decision, or fall short of one.
        Reason::AllowedAsRoot
        | Reason::AllowedByIdentityPolicy
        | Reason::NoIdentityPolicyAllows
        | Reason::NoResourcePolicyAllows => h.effect == Effect::Allow,
    });
    Decision {
        allowed: reason.is_allowed(),
        reason,
        statements: hits,
        grant: if reason == Reason::AllowedByGrant {
            grant
        } else {
            None
        },
    }
}

fn hit<'a>(
    label: &'a str,
    side: PolicySide,
    s: &'a Statement,
    through_account: bool,
) -> DecidingStatement<'a> {
    DecidingStatement {
        policy: label,
        side,
        sid: s.sid(),
        index: s.index(),
        effect: s.effect(),
        through_account,
    }
}

/// The account field of an ARN (`arn:aws:kms:us-east-1:111122223333:key/...`).
fn resource_account_id(resource: &str) -> Option<&str> {
    let b = resource.as_bytes();
    if !b.starts_with(b"arn:") {
        return None;
    }
    // The account lies between the fourth and fifth colons.
    let (mut colons, mut start) = (0, 0);
    for (i, &c) in b.iter().enumerate() {
        if c == b':' {
            colons += 1;
            if colons == 4 {
                start = i + 1;
            } else if colons == 5 {
                return Some(&resource[start..i]).filter(|a| !a.is_empty());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::resource_account_id;

    #[test]
    fn account_of_a_resource() {
        let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        assert_eq!(resource_account_id(key), Some("111122223333"));
        assert_eq!(
            resource_account_id("arn:aws:iam::111122223333:user/a:b"),
            Some("111122223333")
        );
        assert_eq!(resource_account_id("arn:aws:s3:::bucket"), None);
        assert_eq!(resource_account_id("arn:aws:kms:us-east-1"), None);
        assert_eq!(resource_account_id("*"), None);
    }
}
