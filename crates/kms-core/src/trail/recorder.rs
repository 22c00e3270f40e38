//! [`Recorder`]: the stored events of API calls, made fast for calls that repeat.
//!
//! A record is worth a few allocations per field; for an app that encrypts in a loop that would
//! cost more than the Encrypt itself. But the records of two calls of one cryptographic operation
//! with the same key, caller, parameters (blobs aside) and outcome differ only in `eventTime`,
//! `requestID` and `eventID`. The recorder keeps the last few such records as templates; a call
//! that fits one is recorded as the template and its three values ([`Recorded`]), and its text is
//! made only when asked for. Anything else is recorded in full by [`super::api_call_record`].
//! Either way the event is the one [`StoredEvent::from_record`] makes of that record (a test
//! holds it to that).

use super::record::{api_call_record, is_cryptographic, CallRecordInput, TrailFacts};
use super::{LookupEvent, StoredEvent};
use crate::caller::Caller;
use crate::env::Millis;
use crate::error::KmsError;
use crate::service::Service;
use serde_json::{Map, Value};
use std::rc::Rc;

/// How many shapes of record a recorder keeps.
const TEMPLATES: usize = 16;

/// Makes [`StoredEvent`]s of API calls (see the module doc). One per sandbox.
#[derive(Debug, Default)]
pub struct Recorder {
    templates: Vec<Rc<Template>>,
    /// The template the next new one replaces once there are [`TEMPLATES`].
    next: usize,
}

/// An event as a [`Recorder`] recorded it: whole, or as a template and the values that differ.
#[derive(Debug, Clone)]
pub struct Recorded(Kind);

#[derive(Debug, Clone)]
enum Kind {
    Whole(StoredEvent),
    Repeat {
        template: Rc<Template>,
        time: Millis,
        request_id: String,
        event_id: String,
    },
}

impl From<StoredEvent> for Recorded {
    fn from(event: StoredEvent) -> Recorded {
        Recorded(Kind::Whole(event))
    }
}

impl Recorded {
    pub fn event_id(&self) -> &str {
        match &self.0 {
            Kind::Whole(e) => &e.event_id,
            Kind::Repeat { event_id, .. } => event_id,
        }
    }

    /// [`StoredEvent::event_time`]: whole seconds.
    pub fn event_time(&self) -> Millis {
        match &self.0 {
            Kind::Whole(e) => e.event_time,
            Kind::Repeat { time, .. } => time.div_euclid(1000) * 1000,
        }
    }

    /// The event, if it was recorded whole.
    pub fn as_event(&self) -> Option<&StoredEvent> {
        match &self.0 {
            Kind::Whole(e) => Some(e),
            Kind::Repeat { .. } => None,
        }
    }

    /// The event (its record's text made now for a repeat).
    pub fn to_event(&self) -> StoredEvent {
        match &self.0 {
            Kind::Whole(e) => e.clone(),
            Kind::Repeat { .. } => self.make(),
        }
    }

    pub fn into_event(self) -> StoredEvent {
        match self.0 {
            Kind::Whole(e) => e,
            Kind::Repeat { .. } => self.make(),
        }
    }

    /// For an event recorded from a template, its request id: another event with the same
    /// template ([`Recorded::same_template`]) has the same record but for `eventTime`,
    /// `requestID` and `eventID`.
    pub fn repeated_request_id(&self) -> Option<&str> {
        match &self.0 {
            Kind::Whole(_) => None,
            Kind::Repeat { request_id, .. } => Some(request_id),
        }
    }

    /// Whether both were recorded from one template.
    pub fn same_template(&self, other: &Recorded) -> bool {
        match (&self.0, &other.0) {
            (Kind::Repeat { template: a, .. }, Kind::Repeat { template: b, .. }) => {
                Rc::ptr_eq(a, b)
            }
            _ => false,
        }
    }

    /// The fields every event of a template shares: the template's first event's.
    fn shared(&self) -> &StoredEvent {
        match &self.0 {
            Kind::Whole(e) => e,
            Kind::Repeat { template, .. } => &template.event,
        }
    }

    fn make(&self) -> StoredEvent {
        let Kind::Repeat {
            template,
            time,
            request_id,
            event_id,
        } = &self.0
        else {
            unreachable!("only a repeat is made from its template")
        };
        template.instantiate(*time, request_id, event_id)
    }
}

/// The record of one shape of call, and where its three varying values are.
#[derive(Debug)]
struct Template {
    region: String,
    operation: String,
    caller: Caller,
    session_created: Option<Millis>,
    facts: TrailFacts,
    error: Option<KmsError>,
    user_agent: String,
    source_ip: String,
    /// The request's top-level members but its blobs (which no record holds).
    request: Map<String, Value>,
    /// The names of the operation's top-level blob members.
    blobs: Vec<String>,
    event: StoredEvent,
    /// Byte ranges of the quoted `eventTime`, `requestID` and `eventID` values in the text.
    spans: [(usize, usize); 3],
}

impl Recorder {
    pub fn new() -> Recorder {
        Recorder::default()
    }

    /// The stored event of one API call: `StoredEvent::from_record(&api_call_record(input))`.
    pub fn record(&mut self, input: &CallRecordInput<'_>) -> StoredEvent {
        self.record_compact(input).into_event()
    }

    /// The same event, as a template and its values when a template fits (its text is made when
    /// [`Recorded::to_event`] asks for it).
    pub fn record_compact(&mut self, input: &CallRecordInput<'_>) -> Recorded {
        if let Some(t) = self.templates.iter().find(|t| t.matches(input)) {
            return Recorded(Kind::Repeat {
                template: t.clone(),
                time: input.time,
                request_id: input.request_id.to_string(),
                event_id: input.event_id.to_string(),
            });
        }
        let event = StoredEvent::from_record(&api_call_record(input));
        if let Some(t) = Template::new(input, &event) {
            let t = Rc::new(t);
            if self.templates.len() < TEMPLATES {
                self.templates.push(t);
            } else {
                self.templates[self.next] = t;
                self.next = (self.next + 1) % TEMPLATES;
            }
        }
        Recorded(Kind::Whole(event))
    }
}

/// A repeat is filtered on its template's fields and its own time and event id; its record is
/// made only when a page returns it.
impl LookupEvent for Recorded {
    fn region(&self) -> &str {
        &self.shared().region
    }
    fn event_time(&self) -> Millis {
        Recorded::event_time(self)
    }
    fn event_id(&self) -> &str {
        Recorded::event_id(self)
    }
    fn attribute_matches(&self, key: &str, value: &str) -> bool {
        match key {
            "EventId" => self.event_id() == value,
            _ => self.shared().attribute_matches(key, value),
        }
    }
    fn to_lookup(&self) -> Value {
        match self.as_event() {
            Some(e) => e.to_lookup(),
            None => self.make().to_lookup(),
        }
    }
}

impl Template {
    /// A template of `event`, the record of `input`, if calls like it are recorded alike: KMS's
    /// cryptographic operations, whose records hold no response.
    fn new(input: &CallRecordInput<'_>, event: &StoredEvent) -> Option<Template> {
        if input.service != Service::Kms || !is_cryptographic(input.operation) {
            return None;
        }
        let request = input.request.as_object()?;
        let model = crate::model::kms();
        let shape = model.operations.get(input.operation)?.input.as_deref()?;
        let blobs: Vec<String> = model
            .shapes
            .get(shape)?
            .members
            .iter()
            .filter(|(_, s)| model.shapes.get(*s).is_some_and(|s| s.ty == "blob"))
            .map(|(name, _)| name.clone())
            .collect();
        let text = &event.cloud_trail_event;
        let time = super::event_time(input.time);
        let spans = [
            value_span(text, text.find("\"eventTime\":"), &time)?,
            value_span(text, text.rfind("\"requestID\":"), input.request_id)?,
            value_span(text, text.rfind("\"eventID\":"), input.event_id)?,
        ];
        if !(spans[0].1 <= spans[1].0 && spans[1].1 <= spans[2].0) {
            return None;
        }
        Some(Template {
            region: input.region.to_string(),
            operation: input.operation.to_string(),
            caller: input.caller.clone(),
            session_created: input.session_created,
            facts: input.facts.clone(),
            error: input.result.as_ref().err().cloned(),
            user_agent: input.user_agent.to_string(),
            source_ip: input.source_ip.to_string(),
            request: request
                .iter()
                .filter(|(k, _)| !blobs.contains(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            blobs,
            event: event.clone(),
            spans,
        })
    }

    /// Whether `input` is recorded as this template was, but for time and ids.
    fn matches(&self, input: &CallRecordInput<'_>) -> bool {
        if input.service != Service::Kms
            || self.operation != input.operation
            || self.region != input.region
            || self.user_agent != input.user_agent
            || self.source_ip != input.source_ip
            || self.session_created != input.session_created
            || self.error.as_ref() != input.result.as_ref().err()
            || self.facts != *input.facts
            || self.caller != *input.caller
        {
            return false;
        }
        let Some(request) = input.request.as_object() else {
            return false;
        };
        let mut members = 0;
        for (name, value) in request {
            if self.blobs.contains(name) {
                continue;
            }
            if self.request.get(name) != Some(value) {
                return false;
            }
            members += 1;
        }
        members == self.request.len()
    }

    fn instantiate(&self, at: Millis, rid: &str, eid: &str) -> StoredEvent {
        let text = &self.event.cloud_trail_event;
        let [time, request_id, event_id] = self.spans;
        let mut out = String::with_capacity(text.len() + 16);
        out.push_str(&text[..time.0]);
        push_quoted(&mut out, &super::event_time(at));
        out.push_str(&text[time.1..request_id.0]);
        push_quoted(&mut out, rid);
        out.push_str(&text[request_id.1..event_id.0]);
        push_quoted(&mut out, eid);
        out.push_str(&text[event_id.1..]);
        let e = &self.event;
        StoredEvent {
            event_id: eid.to_string(),
            // eventTime has whole seconds.
            event_time: at.div_euclid(1000) * 1000,
            event_name: e.event_name.clone(),
            event_source: e.event_source.clone(),
            region: e.region.clone(),
            read_only: e.read_only,
            access_key_id: e.access_key_id.clone(),
            username: e.username.clone(),
            resources: e.resources.clone(),
            cloud_trail_event: out,
        }
    }
}

/// The byte range of the value after the member name found at `at`, if it is `value` as JSON.
fn value_span(text: &str, at: Option<usize>, value: &str) -> Option<(usize, usize)> {
    let at = at?;
    let start = at + text[at..].find(':')? + 1;
    let mut quoted = String::new();
    push_quoted(&mut quoted, value);
    text[start..]
        .starts_with(&quoted)
        .then_some((start, start + quoted.len()))
}

/// `value` as a JSON string.
fn push_quoted(out: &mut String, value: &str) {
    let plain = value
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
    if plain {
        out.push('"');
        out.push_str(value);
        out.push('"');
    } else {
        out.push_str(&Value::String(value.to_string()).to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{json, Engine, SeededEntropy};

    /// Calls an operation and returns the input its record is made of.
    struct Call {
        operation: &'static str,
        request: Value,
        caller: Caller,
        time: Millis,
    }

    #[test]
    fn the_recorder_makes_the_event_the_full_record_makes() {
        let mut engine = Engine::new("111122223333");
        let mut entropy = SeededEntropy::new(7);
        let root = Caller::root("111122223333");
        let region = "eu-west-1";
        let now = 1_735_689_600_123;
        let mut run = |engine: &mut Engine, op: &str, req: Value, caller: &Caller| {
            let o = engine.handle(region, op, &req, caller, now, &mut entropy);
            engine.apply(o.changes.clone());
            o
        };
        let key = run(&mut engine, "CreateKey", json!({}), &root)
            .result
            .unwrap()["KeyMetadata"]["KeyId"]
            .as_str()
            .unwrap()
            .to_string();
        let other = run(&mut engine, "CreateKey", json!({}), &root)
            .result
            .unwrap()["KeyMetadata"]["KeyId"]
            .as_str()
            .unwrap()
            .to_string();
        run(
            &mut engine,
            "CreateAlias",
            json!({"AliasName": "alias/a", "TargetKeyId": key}),
            &root,
        );
        let user = {
            let o = engine.handle_iam(
                region,
                "CreateUser",
                &json!({"UserName": "dev"}),
                &root,
                now,
                &mut SeededEntropy::new(1),
            );
            engine.apply(o.changes);
            engine
                .caller_for_principal("arn:aws:iam::111122223333:user/dev", None)
                .unwrap()
        };
        let ct = run(
            &mut engine,
            "Encrypt",
            json!({"KeyId": key, "Plaintext": "aGVsbG8="}),
            &root,
        )
        .result
        .unwrap()["CiphertextBlob"]
            .clone();

        let mut calls: Vec<Call> = Vec::new();
        let mut push = |operation, request: Value, caller: &Caller, time| {
            calls.push(Call {
                operation,
                request,
                caller: caller.clone(),
                time,
            })
        };
        for i in 0..3 {
            let t = now + i * 1_700;
            push(
                "Encrypt",
                json!({"KeyId": key, "Plaintext": "aGVsbG8="}),
                &root,
                t,
            );
            push(
                "Encrypt",
                json!({"KeyId": key, "Plaintext": format!("eA{i}=")}),
                &root,
                t,
            );
            push(
                "Encrypt",
                json!({"KeyId": "alias/a", "Plaintext": "aGVsbG8=", "EncryptionContext": {"n": i.to_string()}}),
                &root,
                t,
            );
            push(
                "Encrypt",
                json!({"KeyId": other, "Plaintext": "aGVsbG8=", "EncryptionContext": {"eventID": "x", "requestID": "y"}}),
                &root,
                t,
            );
            push(
                "Encrypt",
                json!({"KeyId": key, "Plaintext": "aGVsbG8="}),
                &user,
                t,
            );
            push("Decrypt", json!({"CiphertextBlob": ct}), &root, t);
            push("Decrypt", json!({"CiphertextBlob": ct}), &user, t + 1);
            push(
                "GenerateDataKey",
                json!({"KeyId": key, "KeySpec": "AES_256"}),
                &root,
                t,
            );
            push("GenerateRandom", json!({"NumberOfBytes": 8}), &root, t);
            push(
                "Encrypt",
                json!({"KeyId": "alias/none", "Plaintext": "eA=="}),
                &root,
                t,
            );
            push("DescribeKey", json!({"KeyId": key}), &root, t);
            push("ListKeys", json!({}), &root, t);
        }
        let mut recorder = Recorder::new();
        let mut hits = 0;
        let (mut compacts, mut fulls) = (Vec::new(), Vec::new());
        for (n, call) in calls.iter().enumerate() {
            let outcome = engine.handle(
                region,
                call.operation,
                &call.request,
                &call.caller,
                call.time,
                &mut entropy,
            );
            let (request_id, event_id) = (format!("req-{n}"), format!("evt \"{n}\""));
            let input = CallRecordInput {
                service: Service::Kms,
                region,
                operation: call.operation,
                request: &call.request,
                result: &outcome.result,
                caller: &call.caller,
                time: call.time,
                request_id: &request_id,
                event_id: &event_id,
                user_agent: "ua",
                source_ip: "127.0.0.1",
                facts: &outcome.trail,
                session_created: engine.session_created(&call.caller),
            };
            let fits = recorder.templates.iter().any(|t| t.matches(&input));
            hits += usize::from(fits);
            let compact = recorder.record_compact(&input);
            let full = StoredEvent::from_record(&api_call_record(&input));
            assert_eq!(compact.event_id(), full.event_id);
            assert_eq!(compact.event_time(), full.event_time);
            assert_eq!(compact.repeated_request_id(), fits.then_some(&*request_id));
            assert_eq!(compact.to_event(), full, "call {n}: {}", call.operation);
            assert_eq!(
                recorder.record(&input),
                full,
                "call {n}: {}",
                call.operation
            );
            compacts.push(compact);
            fulls.push(full);
        }
        // LookupEvents reads the compact events (filtered on their templates) as it reads them
        // whole: every attribute, and pages.
        compacts.reverse();
        fulls.reverse();
        let user_arn = "arn:aws:iam::111122223333:user/dev";
        let key_arn = format!("arn:aws:kms:{region}:111122223333:key/{key}");
        let later = now + 10 * 1_700;
        for request in [
            json!({}),
            json!({"MaxResults": 3}),
            json!({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "Decrypt"}]}),
            json!({"LookupAttributes": [{"AttributeKey": "EventId", "AttributeValue": "evt \"7\""}]}),
            json!({"LookupAttributes": [{"AttributeKey": "Username", "AttributeValue": "dev"}]}),
            json!({"LookupAttributes": [{"AttributeKey": "ResourceName", "AttributeValue": key_arn}]}),
            json!({"LookupAttributes": [{"AttributeKey": "ReadOnly", "AttributeValue": "true"}]}),
            json!({"LookupAttributes": [{"AttributeKey": "AccessKeyId", "AttributeValue": user_arn}]}),
        ] {
            let mut request = request;
            loop {
                let a = super::super::lookup_events(&compacts, region, &request, later).unwrap();
                let b = super::super::lookup_events(&fulls, region, &request, later).unwrap();
                assert_eq!(a, b, "{request}");
                match b.get("NextToken") {
                    Some(t) => request["NextToken"] = t.clone(),
                    None => break,
                }
            }
        }
        // Two calls of one shape share a template.
        let (ok, facts) = (Ok(json!({})), TrailFacts::default());
        let mut one = |request_id: &str| {
            recorder.record_compact(&CallRecordInput {
                service: Service::Kms,
                region,
                operation: "GenerateRandom",
                request: &calls[8].request,
                result: &ok,
                caller: &root,
                time: now,
                request_id,
                event_id: "e",
                user_agent: "ua",
                source_ip: "127.0.0.1",
                facts: &facts,
                session_created: None,
            })
        };
        let (a, b) = (one("a"), one("b"));
        assert!(a.same_template(&b) && a.as_event().is_none());
        assert_eq!(b.repeated_request_id(), Some("b"));
        // Every cryptographic call after the first of its shape came from a template.
        assert!(hits >= 2 * 8, "{hits}");
    }
}
