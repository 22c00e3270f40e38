//! The IAM policy language and AWS's authorization decision, as a pure module: policy
//! documents parsed and validated ([`Policy`]), condition operators and policy variables
//! ([`Condition`], [`Context`]), and the decision for one request ([`decide`]) with the
//! explanation the console shows and the AccessDeniedException message AWS gives.
//!
//! It never looks anything up: the caller supplies the request's condition keys (`aws:username`,
//! `kms:EncryptionContext:...`), the policies that apply, and whether a grant allows the request.
//! Parse a policy once and keep it; evaluating it does not allocate (beyond the list of deciding
//! statements a decision returns).

mod condition;
mod context;
mod eval;
pub(crate) mod messages;
pub(crate) mod pattern;
mod policy;

pub use condition::Condition;
pub use context::Context;
pub use eval::{decide, DecidingStatement, Decision, PolicySide, Reason, Request};
pub use policy::{
    Effect, Policy, PolicyError, PolicyKind, Principal, PrincipalType, Principals, Statement,
    VERSION_2012,
};

#[cfg(test)]
mod tests;
