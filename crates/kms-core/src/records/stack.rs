//! A CloudFormation stack as the engine keeps it: its template, parameters, resources, outputs
//! and events ([`crate::cloudformation`] runs the operations on it).

use crate::env::Millis;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

pub const STACK_PREFIX: &str = "cloudformation/stack/";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StackParameter {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StackOutput {
    pub key: String,
    pub value: String,
    pub description: Option<String>,
    pub export_name: Option<String>,
}

/// One resource of a stack.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StackResource {
    pub logical_id: String,
    pub resource_type: String,
    pub physical_id: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    pub updated: Millis,
    /// The properties as resolved when the resource was last made or updated.
    pub properties: Value,
    /// `Fn::GetAtt` values (Arn, KeyId).
    pub attributes: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StackEvent {
    pub event_id: String,
    pub logical_id: String,
    pub physical_id: Option<String>,
    pub resource_type: String,
    pub timestamp: Millis,
    pub status: String,
    pub reason: Option<String>,
    pub properties: Option<String>,
    /// The `ClientRequestToken` of the operation that made the event.
    #[serde(default)]
    pub client_request_token: Option<String>,
}

/// A stack, with its template, resources and events.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StackRecord {
    /// `arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>`.
    pub stack_id: String,
    pub stack_name: String,
    pub region: String,
    pub description: Option<String>,
    pub template_body: String,
    pub parameters: Vec<StackParameter>,
    pub status: String,
    pub status_reason: Option<String>,
    pub created: Millis,
    pub last_updated: Option<Millis>,
    pub deleted: Option<Millis>,
    pub disable_rollback: bool,
    pub tags: Vec<(String, String)>,
    pub outputs: Vec<StackOutput>,
    /// In the order they were made.
    pub resources: Vec<StackResource>,
    /// Oldest first.
    pub events: Vec<StackEvent>,
    /// The export names its template imports (`Fn::ImportValue`): an export in use cannot be
    /// removed, changed or deleted.
    #[serde(default)]
    pub imports: Vec<String>,
    /// EnableTerminationProtection: DeleteStack refuses while it is on.
    #[serde(default)]
    pub termination_protection: bool,
    /// CreateStack's TimeoutInMinutes (the sandbox finishes within the request).
    #[serde(default)]
    pub timeout_in_minutes: Option<i64>,
    /// The Capabilities of the last CreateStack or UpdateStack, which DescribeStacks answers.
    #[serde(default)]
    pub capabilities: Vec<String>,
}

impl StackRecord {
    pub fn storage_key(&self) -> String {
        let uuid = self.stack_id.rsplit('/').next().unwrap_or_default();
        format!("{STACK_PREFIX}{}/{uuid}", self.region)
    }

    pub(crate) fn resource(&self, logical: &str) -> Option<&StackResource> {
        self.resources.iter().find(|r| r.logical_id == logical)
    }
}
