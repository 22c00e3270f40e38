//! An error as the console shows it: an AWS error (`__type` and message) from the sandbox, or a
//! failure on the console's side shown like one.

use std::fmt;
use std::rc::Rc;

/// An AWS error as the API reports it: `__type` and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub error_type: String,
    pub message: String,
    /// For a KMS request refused with AccessDeniedException: the request, so "Why?" can ask the
    /// sandbox how it was decided.
    pub denied: Option<Rc<DeniedCall>>,
}

/// A KMS request that was refused, and who sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeniedCall {
    pub region: String,
    pub operation: String,
    pub body: serde_json::Value,
    /// The principal the console acted as (`None`: the account root) and its session name.
    pub principal: Option<(String, Option<String>)>,
}

impl ApiError {
    /// A failure on the console's side (bad input file, browser API), shown like an AWS error.
    pub fn local(error_type: &str, message: impl Into<String>) -> Self {
        ApiError {
            error_type: error_type.to_string(),
            message: message.into(),
            denied: None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error_type, self.message)
    }
}
