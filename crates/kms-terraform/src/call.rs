//! The one request type every step speaks: refresh reads and apply's changes alike.

use serde_json::Value;

/// One KMS request.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub region: String,
    pub operation: String,
    pub input: Value,
}
