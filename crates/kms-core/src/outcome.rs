//! What a request answers, with the changes that must be durable before it is reported: the
//! [`Outcome`] of the engine's dispatcher ([`crate::engine`]) and of the services it calls.

use crate::error::Result;
use crate::records::Change;
use crate::trail::{ServiceEvent, TrailFacts};
use serde_json::Value;

/// What an operation answered, and the changes that must be durable before it is reported.
#[derive(Debug)]
pub struct Outcome {
    pub result: Result<Value>,
    pub changes: Vec<Change>,
    /// What the request's CloudTrail record needs that only the engine knows (the keys and
    /// aliases it named, resolved before it ran): see [`crate::trail::CallRecordInput`].
    pub trail: TrailFacts,
    /// What KMS did on its own before answering (deletions whose waiting period ended, scheduled
    /// rotations), and the KMS calls a CloudFormation stack made for the caller, each to be
    /// recorded with [`crate::trail::service_event_record`] once the changes are durable.
    pub service_events: Vec<ServiceEvent>,
    /// Storage keys of sealed key records ([`crate::KeyRecord::sealed`]) whose secrets the request
    /// needs. When not empty the request did not run: the shell unwraps them, loads the records
    /// and asks again. Such an outcome is neither persisted nor recorded.
    pub unseal: Vec<String>,
    /// The private-key operation a successful Sign or Decrypt left to the platform: its result
    /// is missing from `result` until the shell fills it in (only with
    /// [`Engine::set_platform_crypto`]).
    pub delegated: Option<crate::platform::Delegated>,
}

impl Outcome {
    /// An outcome with no CloudTrail resources or service events.
    pub(crate) fn new(result: Result<Value>, changes: Vec<Change>) -> Outcome {
        Outcome {
            result,
            changes,
            trail: TrailFacts::default(),
            service_events: Vec::new(),
            unseal: Vec::new(),
            delegated: None,
        }
    }

    /// The HTTP status and JSON body AWS would send.
    pub fn http(&self) -> (u16, String) {
        match &self.result {
            Ok(v) => (200, v.to_string()),
            Err(e) => (e.status(), e.to_json().to_string()),
        }
    }
}
