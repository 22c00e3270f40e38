//! What KMS does on its own (a deletion whose waiting period ended, a scheduled rotation): the
//! operations note it in their transaction, and CloudTrail records it as an `AwsServiceEvent`
//! (re-exported as [`crate::trail::ServiceEvent`]). A KMS call another service made for the
//! caller (CloudFormation's, for a stack) travels the same way, with its whole record.

use crate::env::Millis;
use crate::records::KeyRecord;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What KMS does by itself, which CloudTrail records as an `AwsServiceEvent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServiceEventKind {
    /// A key's waiting period ended and KMS deleted it (`ct-delete-key.md`).
    DeleteKey,
    /// A scheduled rotation fell due and KMS rotated the key (`ct-rotatekey.md`).
    RotateKey,
    /// Imported key material reached its ValidTo and KMS deleted it
    /// (`ct-deleteexpiredkeymaterial.md`).
    DeleteExpiredKeyMaterial,
    /// KMS copied a multi-Region primary key's shared properties to its replicas
    /// (`ct-synchronize-multi-region-key.md`): recorded in the primary's Region, naming the
    /// primary key, as an `AwsApiCall` by AWS Internal.
    SynchronizeMultiRegionKey,
    /// A KMS call another service made with the caller's credentials (CloudFormation making a
    /// stack's keys): an `AwsApiCall` whose whole record is [`ServiceEvent::record`].
    InvokedCall,
}

impl ServiceEventKind {
    /// The record's `eventName`.
    pub fn event_name(self) -> &'static str {
        match self {
            ServiceEventKind::DeleteKey => "DeleteKey",
            ServiceEventKind::RotateKey => "RotateKey",
            ServiceEventKind::DeleteExpiredKeyMaterial => "DeleteExpiredKeyMaterial",
            ServiceEventKind::SynchronizeMultiRegionKey => "SynchronizeMultiRegionKey",
            // The operation's name is in the record.
            ServiceEventKind::InvokedCall => "",
        }
    }
}

/// One thing KMS did on its own, when it happened: the time the waiting period ended or the
/// rotation fell due, not the time of the request that noticed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceEvent {
    pub kind: ServiceEventKind,
    pub account_id: String,
    pub region: String,
    pub key_id: String,
    pub key_arn: String,
    pub time: Millis,
    /// The record of an [`ServiceEventKind::InvokedCall`], but its `eventID`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<Box<Value>>,
}

impl ServiceEvent {
    pub(crate) fn new(kind: ServiceEventKind, key: &KeyRecord, time: Millis) -> ServiceEvent {
        ServiceEvent {
            kind,
            account_id: key.account_id.clone(),
            region: key.region.clone(),
            key_id: key.key_id.clone(),
            key_arn: key.arn.clone(),
            time,
            record: None,
        }
    }

    /// A call another service made, from its record (made by [`crate::trail::api_call_record`]
    /// with the caller's identity and `invokedBy`).
    pub(crate) fn invoked_call(record: Value, region: &str, time: Millis) -> ServiceEvent {
        ServiceEvent {
            kind: ServiceEventKind::InvokedCall,
            account_id: record["recipientAccountId"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            region: region.to_string(),
            key_id: String::new(),
            key_arn: String::new(),
            time,
            record: Some(Box::new(record)),
        }
    }

    /// The record of an invoked call, with its `eventID`.
    pub(crate) fn invoked_record(&self, event_id: &str) -> Option<Value> {
        let mut record = *self.record.clone()?;
        record["eventID"] = Value::from(event_id);
        Some(record)
    }
}
