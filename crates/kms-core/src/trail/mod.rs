//! CloudTrail: the record AWS writes for every API call to the account's services and for what KMS
//! does on its own, the event history that LookupEvents searches, and how long it is kept.
//!
//! Pure like the rest of the engine: the shell stores the events. After each request it builds
//! the call's record with [`api_call_record`] (from the request, the [`crate::Outcome`] and the
//! caller) and one record per [`ServiceEvent`] the outcome reports with [`service_event_record`];
//! it keeps each as a [`StoredEvent`], prunes them with [`expired_events`], and answers
//! `CloudTrail_20131101.LookupEvents` with [`lookup_events`]. A [`Recorder`] makes the same
//! stored event as `StoredEvent::from_record(&api_call_record(..))`, reusing the text of earlier
//! records of calls that differ only in time and ids (the hot path of an app that encrypts in a
//! loop).
//!
//! A record never holds a plaintext, key material, a ciphertext, a MAC, a signature, a secret
//! access key or a session token: request members that are blobs or that the model marks
//! sensitive are left out, and cryptographic operations record no response, as on AWS.
//!
//! What the shell does for one request ([`crate::Sandbox`] does the same in memory):
//!
//! ```
//! use kms_core::trail::{self, CallRecordInput, StoredEvent};
//! use kms_core::{json, uuid_v4, Caller, Engine, SeededEntropy, Service};
//!
//! let mut engine = Engine::new("111122223333");
//! let mut entropy = SeededEntropy::new(1);
//! let caller = Caller::root("111122223333");
//! let (region, now, request) = ("eu-west-1", 1_735_689_600_000, json!({}));
//! let outcome = engine.handle(region, "CreateKey", &request, &caller, now, &mut entropy);
//! // ... the changes are made durable, then:
//! engine.apply(outcome.changes.clone());
//! let mut events: Vec<StoredEvent> = Vec::new(); // the store, oldest first
//! for done in &outcome.service_events {
//!     let record = trail::service_event_record(done, &uuid_v4(&mut entropy));
//!     events.push(StoredEvent::from_record(&record));
//! }
//! let request_id = uuid_v4(&mut entropy); // the answer's x-amzn-RequestId too
//! let record = trail::api_call_record(&CallRecordInput {
//!     service: Service::Kms,
//!     region,
//!     operation: "CreateKey",
//!     request: &request,
//!     result: &outcome.result,
//!     caller: &caller,
//!     time: now,
//!     request_id: &request_id,
//!     event_id: &uuid_v4(&mut entropy),
//!     user_agent: "aws-sdk-js/3.0.0",
//!     source_ip: "192.0.2.0",
//!     facts: &outcome.trail,
//!     session_created: engine.session_created(&caller),
//! });
//! events.push(StoredEvent::from_record(&record));
//! let gone = trail::expired_events(events.iter().rev(), now);
//! events.retain(|e| !gone.contains(&e.event_id));
//!
//! let found = trail::lookup_events(events.iter().rev(), region, &json!({}), now).unwrap();
//! assert_eq!(found["Events"][0]["EventName"], "CreateKey");
//! ```

mod lookup;
mod record;
mod recorder;

pub use crate::service_event::{ServiceEvent, ServiceEventKind};
pub use lookup::{
    expired_events, lookup_events, operation_of_target, EventResource, LookupEvent, StoredEvent,
    MAX_EVENTS, RETENTION_DAYS, TARGET_PREFIX,
};
pub(crate) use record::kms_facts;
pub use record::{
    api_call_record, recorded_in_two_regions, second_region_record, service_event_record,
    CallRecordInput, TrailFacts,
};
pub use recorder::{Recorded, Recorder};

use crate::env::Millis;

/// `eventTime`: ISO 8601 in UTC to the second, `2026-11-29T21:44:35Z`.
pub fn event_time(ms: Millis) -> String {
    crate::query::format_timestamp(ms.div_euclid(1000) * 1000)
}

/// A timestamp inside `requestParameters` or `responseElements`, as CloudTrail writes them:
/// `Aug 10, 2022, 10:38:27 PM` (UTC).
pub(crate) fn element_time(ms: Millis) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = ms.div_euclid(1000);
    let (y, m, d) = crate::query::civil_from_days(secs.div_euclid(86_400));
    let in_day = secs.rem_euclid(86_400);
    let (h, min, s) = (in_day / 3600, in_day / 60 % 60, in_day % 60);
    let (h12, half) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!(
        "{} {d}, {y}, {h12}:{min:02}:{s:02} {half}",
        MONTHS[(m - 1) as usize]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_as_cloudtrail_writes_them() {
        // 2022-08-10T22:38:27Z, the CreateKey example's creationDate.
        let t = 1_660_171_107_000;
        assert_eq!(event_time(t), "2022-08-10T22:38:27Z");
        assert_eq!(element_time(t), "Aug 10, 2022, 10:38:27 PM");
        // 2021-11-02T23:25:25Z, the ScheduleKeyDeletion example's deletionDate.
        assert_eq!(element_time(1_635_895_525_000), "Nov 2, 2021, 11:25:25 PM");
        assert_eq!(element_time(0), "Jan 1, 1970, 12:00:00 AM");
        assert_eq!(
            element_time(12 * 3_600_000 + 5_000),
            "Jan 1, 1970, 12:00:05 PM"
        );
    }
}
