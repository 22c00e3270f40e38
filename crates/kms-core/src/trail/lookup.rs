//! The event history: events as the shell stores them, CloudTrail's LookupEvents over them, and
//! the retention rule (90 days of sandbox time, at most [`MAX_EVENTS`]).

use crate::env::{Millis, MILLIS_PER_DAY};
use crate::error::{ErrorType, KmsError, Result};
use crate::tx::{wire_time, Req};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// What the AWS SDK v3 puts before the operation in `X-Amz-Target`
/// (`CloudTrail_20131101.LookupEvents`); the model's long form is accepted too.
pub const TARGET_PREFIX: &str = "CloudTrail_20131101";

/// How long the event history keeps an event, in days of sandbox time.
pub const RETENTION_DAYS: i64 = 90;

/// The most events the sandbox keeps; beyond it the oldest go first.
pub const MAX_EVENTS: usize = 100_000;

const DEFAULT_MAX_RESULTS: i64 = 50;

/// The operation an `X-Amz-Target` names, if it is CloudTrail's.
pub fn operation_of_target(target: &str) -> Option<&str> {
    let long = &crate::model::cloudtrail().target_prefix;
    [long.as_str(), TARGET_PREFIX]
        .into_iter()
        .find_map(|prefix| target.strip_prefix(prefix)?.strip_prefix('.'))
}

/// A resource as LookupEvents lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventResource {
    pub resource_type: String,
    pub resource_name: String,
}

/// One event as the shell stores it: the record, and the attributes LookupEvents filters on
/// (indexable: `eventTime` for order and retention, `eventId` as the key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredEvent {
    pub event_id: String,
    pub event_time: Millis,
    pub event_name: String,
    pub event_source: String,
    /// `awsRegion`: LookupEvents answers a Region's events only.
    pub region: String,
    pub read_only: bool,
    #[serde(default)]
    pub access_key_id: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub resources: Vec<EventResource>,
    /// The record as a JSON string, in CloudTrail's field order: LookupEvents' `CloudTrailEvent`.
    pub cloud_trail_event: String,
}

impl StoredEvent {
    /// The stored form of a record made by [`super::api_call_record`] or
    /// [`super::service_event_record`].
    pub fn from_record(record: &Value) -> StoredEvent {
        let text = |name: &str| record[name].as_str().unwrap_or_default().to_string();
        let identity = &record["userIdentity"];
        let username = match identity["type"].as_str() {
            Some("Root") => Some("root".to_string()),
            Some("IAMUser") => identity["userName"].as_str().map(str::to_string),
            // A role session's user name is its session name.
            Some("AssumedRole") => identity["arn"]
                .as_str()
                .and_then(|arn| arn.rsplit('/').next())
                .map(str::to_string),
            _ => None,
        };
        StoredEvent {
            event_id: text("eventID"),
            event_time: record["eventTime"]
                .as_str()
                .and_then(crate::query::parse_timestamp)
                .unwrap_or_default(),
            event_name: text("eventName"),
            event_source: text("eventSource"),
            region: text("awsRegion"),
            read_only: record["readOnly"].as_bool().unwrap_or(false),
            access_key_id: identity["accessKeyId"].as_str().map(str::to_string),
            username,
            resources: lookup_resources(record),
            cloud_trail_event: record_text(record),
        }
    }

    /// The record, parsed back.
    pub fn record(&self) -> Value {
        serde_json::from_str(&self.cloud_trail_event).unwrap_or(Value::Null)
    }

    /// The event as LookupEvents returns it.
    pub(crate) fn to_lookup(&self) -> Value {
        let mut e = serde_json::Map::new();
        e.insert("EventId".into(), json!(self.event_id));
        e.insert("EventName".into(), json!(self.event_name));
        e.insert("ReadOnly".into(), json!(self.read_only.to_string()));
        if let Some(id) = &self.access_key_id {
            e.insert("AccessKeyId".into(), json!(id));
        }
        e.insert("EventTime".into(), wire_time(self.event_time));
        e.insert("EventSource".into(), json!(self.event_source));
        if let Some(name) = &self.username {
            e.insert("Username".into(), json!(name));
        }
        e.insert("Resources".into(), json!(self.resources));
        e.insert("CloudTrailEvent".into(), json!(self.cloud_trail_event));
        Value::Object(e)
    }

    pub(crate) fn attribute_matches(&self, key: &str, value: &str) -> bool {
        match key {
            "EventId" => self.event_id == value,
            "EventName" => self.event_name == value,
            "ReadOnly" => self.read_only.to_string() == value,
            "Username" => self.username.as_deref() == Some(value),
            "ResourceType" => self.resources.iter().any(|r| r.resource_type == value),
            "ResourceName" => self.resources.iter().any(|r| r.resource_name == value),
            "EventSource" => self.event_source == value,
            "AccessKeyId" => self.access_key_id.as_deref() == Some(value),
            _ => false,
        }
    }
}

/// What LookupEvents reads of an event: a [`StoredEvent`], or a history's own compact form
/// ([`super::Recorded`]) that makes its record only for the events a page returns.
pub trait LookupEvent {
    fn region(&self) -> &str;
    /// Whole seconds, as [`StoredEvent::event_time`].
    fn event_time(&self) -> Millis;
    fn event_id(&self) -> &str;
    /// Whether a lookup attribute (`AttributeKey`, `AttributeValue`) selects the event.
    fn attribute_matches(&self, key: &str, value: &str) -> bool;
    /// The event as LookupEvents returns it.
    fn to_lookup(&self) -> Value;
}

impl LookupEvent for StoredEvent {
    fn region(&self) -> &str {
        &self.region
    }
    fn event_time(&self) -> Millis {
        self.event_time
    }
    fn event_id(&self) -> &str {
        &self.event_id
    }
    fn attribute_matches(&self, key: &str, value: &str) -> bool {
        StoredEvent::attribute_matches(self, key, value)
    }
    fn to_lookup(&self) -> Value {
        StoredEvent::to_lookup(self)
    }
}

impl<T: LookupEvent + ?Sized> LookupEvent for &T {
    fn region(&self) -> &str {
        (**self).region()
    }
    fn event_time(&self) -> Millis {
        (**self).event_time()
    }
    fn event_id(&self) -> &str {
        (**self).event_id()
    }
    fn attribute_matches(&self, key: &str, value: &str) -> bool {
        (**self).attribute_matches(key, value)
    }
    fn to_lookup(&self) -> Value {
        (**self).to_lookup()
    }
}

/// The resources LookupEvents lists for a record: its `resources` (KMS keys and aliases by ARN,
/// the role an AssumeRole names), and for IAM and STS the users, roles, policies, access keys and
/// sessions its parameters and response name.
fn lookup_resources(record: &Value) -> Vec<EventResource> {
    let mut out: Vec<EventResource> = Vec::new();
    let mut push = |ty: &str, name: Option<&str>| {
        if let Some(name) = name.filter(|n| !n.is_empty()) {
            let r = EventResource {
                resource_type: ty.to_string(),
                resource_name: name.to_string(),
            };
            if !out.contains(&r) {
                out.push(r);
            }
        }
    };
    let source = record["eventSource"].as_str().unwrap_or_default();
    if source == "sts.amazonaws.com" {
        // AWS lists an AssumeRole's session before the role: the new access key, then the
        // session by its ARN, its role-id form and its bare name (each findable by
        // ResourceName), as LookupEvents answers for real sessions.
        let resp = &record["responseElements"];
        push(
            "AWS::IAM::AccessKey",
            resp["credentials"]["accessKeyId"].as_str(),
        );
        push(
            "AWS::STS::AssumedRole",
            resp["assumedRoleUser"]["arn"].as_str(),
        );
        push(
            "AWS::STS::AssumedRole",
            resp["assumedRoleUser"]["assumedRoleId"].as_str(),
        );
        if resp["assumedRoleUser"].is_object() {
            push(
                "AWS::STS::AssumedRole",
                record["requestParameters"]["roleSessionName"].as_str(),
            );
        }
    }
    for r in record["resources"].as_array().into_iter().flatten() {
        push(r["type"].as_str().unwrap_or_default(), r["ARN"].as_str());
    }
    if source == "iam.amazonaws.com" || source == "sts.amazonaws.com" {
        let p = &record["requestParameters"];
        let resp = &record["responseElements"];
        push("AWS::IAM::User", p["userName"].as_str());
        push("AWS::IAM::Role", p["roleName"].as_str());
        push("AWS::IAM::Policy", p["policyArn"].as_str());
        push("AWS::IAM::Policy", p["policyName"].as_str());
        push("AWS::IAM::AccessKey", p["accessKeyId"].as_str());
        push(
            "AWS::IAM::AccessKey",
            resp["accessKey"]["accessKeyId"].as_str(),
        );
    }
    out
}

/// The record as JSON text, its fields in the order CloudTrail writes them (nested objects
/// without a known order sorted by name).
fn record_text(record: &Value) -> String {
    let mut out = Vec::with_capacity(1024);
    write_ordered(&mut out, record, Some(Context::Root));
    // Only whole UTF-8 strings and JSON punctuation were written.
    String::from_utf8(out).unwrap_or_default()
}

/// An object of the record whose fields CloudTrail writes in a known order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    Root,
    UserIdentity,
    Session,
    SessionIssuer,
    SessionAttributes,
    Resources,
    Resource,
}

impl Context {
    fn field_order(self) -> &'static [&'static str] {
        match self {
            Context::Root => &[
                "eventVersion",
                "userIdentity",
                "eventTime",
                "eventSource",
                "eventName",
                "awsRegion",
                "sourceIPAddress",
                "userAgent",
                "errorCode",
                "errorMessage",
                "requestParameters",
                "responseElements",
                "additionalEventData",
                "requestID",
                "eventID",
                "readOnly",
                "resources",
                "eventType",
                "managementEvent",
                "recipientAccountId",
                "serviceEventDetails",
                "eventCategory",
            ],
            Context::UserIdentity => &[
                "type",
                "principalId",
                "arn",
                "accountId",
                "accessKeyId",
                "userName",
                "sessionContext",
                "invokedBy",
            ],
            Context::Session => &["sessionIssuer", "attributes"],
            Context::SessionIssuer => &["type", "principalId", "arn", "accountId", "userName"],
            Context::SessionAttributes => &["creationDate", "mfaAuthenticated"],
            Context::Resource => &["accountId", "type", "ARN"],
            Context::Resources => &[],
        }
    }

    /// The context of member `key` of an object in this context (`None`: no known order).
    fn member(self, key: &str) -> Option<Context> {
        match (self, key) {
            (Context::Root, "userIdentity") => Some(Context::UserIdentity),
            (Context::Root, "resources") => Some(Context::Resources),
            (Context::UserIdentity, "sessionContext") => Some(Context::Session),
            (Context::Session, "sessionIssuer") => Some(Context::SessionIssuer),
            (Context::Session, "attributes") => Some(Context::SessionAttributes),
            _ => None,
        }
    }

    /// The context of an item of an array in this context.
    fn item(self) -> Option<Context> {
        (self == Context::Resources).then_some(Context::Resource)
    }
}

fn write_ordered(out: &mut Vec<u8>, v: &Value, context: Option<Context>) {
    match v {
        Value::Object(m) => {
            let order = context.map_or(&[][..], Context::field_order);
            // By rank, then by name.
            let mut keys: Vec<(usize, &String)> = m
                .keys()
                .map(|k| {
                    let rank = order.iter().position(|o| *o == k).unwrap_or(order.len());
                    (rank, k)
                })
                .collect();
            keys.sort();
            out.push(b'{');
            for (i, (_, k)) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_scalar(out, k);
                out.push(b':');
                write_ordered(out, &m[k], context.and_then(|c| c.member(k)));
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            let inner = context.and_then(Context::item);
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_ordered(out, item, inner);
            }
            out.push(b']');
        }
        scalar => write_scalar(out, scalar),
    }
}

fn write_scalar<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) {
    // Writing a string, number, bool or null into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, v);
}

/// The events the retention rule drops at `now`: those older than [`RETENTION_DAYS`] of sandbox
/// time, and all but the newest [`MAX_EVENTS`]. `events` newest first (every Region); the answer
/// is their event ids.
pub fn expired_events<'a>(
    events: impl IntoIterator<Item = &'a StoredEvent>,
    now: Millis,
) -> Vec<String> {
    let cutoff = now - RETENTION_DAYS * MILLIS_PER_DAY;
    events
        .into_iter()
        .enumerate()
        .filter(|(i, e)| *i >= MAX_EVENTS || e.event_time < cutoff)
        .map(|(_, e)| e.event_id.clone())
        .collect()
}

/// The weighted length an AttributeValue may have.
const MAX_ATTRIBUTE_VALUE: usize = 2000;

/// Answers CloudTrail's LookupEvents (`request` in the JSON value form) from the stored events,
/// `events` newest first (by `eventTime`; events of every Region may be passed: only `region`'s
/// are answered). Events older than 90 days of sandbox time at `now` are never returned.
pub fn lookup_events<E: LookupEvent>(
    events: impl IntoIterator<Item = E>,
    region: &str,
    request: &Value,
    now: Millis,
) -> Result<Value> {
    let req = Req(request);
    // CloudTrail's own errors first, where its model has one for the mistake.
    if let Some(n) = req.int("MaxResults") {
        if !(1..=50).contains(&n) {
            return Err(KmsError::new(
                ErrorType::InvalidMaxResults,
                format!("Value {n} for MaxResults is invalid: it must be between 1 and 50."),
            ));
        }
    }
    let attributes = req.list("LookupAttributes");
    if attributes.len() > 1 {
        return Err(KmsError::new(
            ErrorType::InvalidLookupAttributes,
            "You can specify only one lookup attribute.",
        ));
    }
    let keys = crate::model::cloudtrail()
        .shape("LookupAttributeKey")
        .enum_values
        .as_deref()
        .unwrap_or_default();
    if let Some(key) = attributes.first().and_then(|a| a["AttributeKey"].as_str()) {
        if !keys.iter().any(|k| k == key) {
            return Err(KmsError::new(
                ErrorType::InvalidLookupAttributes,
                format!(
                    "{key} is not a valid lookup attribute key. Valid keys are: {}.",
                    keys.join(", ")
                ),
            ));
        }
    }
    if let Some(value) = attributes
        .first()
        .and_then(|a| a["AttributeValue"].as_str())
    {
        // "The following characters ('_', ' ', ',', '\n') count as two characters towards the
        // 2000 character limit" (LookupAttribute.AttributeValue).
        let weight: usize = value
            .chars()
            .map(|c| {
                if matches!(c, '_' | ' ' | ',' | '\n') {
                    2
                } else {
                    1
                }
            })
            .sum();
        if weight > MAX_ATTRIBUTE_VALUE {
            return Err(KmsError::validation(format!(
                "1 validation error detected: Value at 'lookupAttributes.1.member.attributeValue' failed to satisfy constraint: Member must have length less than or equal to {MAX_ATTRIBUTE_VALUE} ('_', ' ', ',' and newline count as two characters)"
            )));
        }
    }
    // An event category of no such name is CloudTrail's own error, not a validation error.
    if let Some(category) = req.str("EventCategory") {
        if category != "insight" {
            return Err(KmsError::new(
                ErrorType::InvalidEventCategory,
                format!("{category} is not a valid event category. The valid event category is: insight."),
            ));
        }
    }
    crate::model::cloudtrail().validate_input("LookupEvents", request)?;
    let time = |name: &str| {
        request
            .get(name)
            .and_then(Value::as_f64)
            .map(|secs| (secs * 1000.0).round() as Millis)
    };
    let oldest = now - RETENTION_DAYS * MILLIS_PER_DAY;
    let (start, end) = (time("StartTime"), time("EndTime"));
    if let (Some(s), Some(e)) = (start, end) {
        if s > e {
            return Err(KmsError::new(
                ErrorType::InvalidTimeRange,
                "The start time must not be after the end time.",
            ));
        }
    }
    let start = start.unwrap_or(oldest).max(oldest);
    let end = end.unwrap_or(now);
    let max = req.int("MaxResults").unwrap_or(DEFAULT_MAX_RESULTS) as usize;
    let fingerprint = fingerprint(request, region);
    let resume = match req.str("NextToken") {
        None => None,
        Some(token) => Some(parse_token(token, &fingerprint)?),
    };
    // The sandbox records no Insights events.
    if req.str("EventCategory").is_some() {
        return Ok(json!({ "Events": [] }));
    }
    let filter = attributes.first().map(|a| {
        (
            a["AttributeKey"].as_str().unwrap_or_default(),
            a["AttributeValue"].as_str().unwrap_or_default(),
        )
    });

    // An event's record is asked for only if the page takes it (an in-memory history keeps
    // repeated calls compact, and makes their records when asked).
    let mut page: Vec<E> = Vec::new();
    let mut more = false;
    // Resuming: skip what earlier pages returned, i.e. everything newer than the last event
    // returned, and at its very time everything up to and including it.
    let mut passed_mark = false;
    for e in events {
        let time = e.event_time();
        if e.region() != region || time > end || time < start {
            continue;
        }
        if let Some((t, id)) = &resume {
            if time > *t {
                continue;
            }
            if time == *t && !passed_mark {
                passed_mark = e.event_id() == id;
                continue;
            }
        }
        if let Some((key, value)) = filter {
            if !e.attribute_matches(key, value) {
                continue;
            }
        }
        if page.len() == max {
            more = true;
            break;
        }
        page.push(e);
    }
    let mut out = serde_json::Map::new();
    out.insert(
        "Events".into(),
        Value::Array(page.iter().map(LookupEvent::to_lookup).collect()),
    );
    if more {
        if let Some(last) = page.last() {
            out.insert(
                "NextToken".into(),
                json!(make_token(&fingerprint, last.event_time(), last.event_id())),
            );
        }
    }
    Ok(Value::Object(out))
}

/// What a token is bound to: the request's filters and the Region. A token used with other
/// filters is invalid, as CloudTrail says.
fn fingerprint(request: &Value, region: &str) -> String {
    use sha2::{Digest, Sha256};
    let bound = json!([
        region,
        request.get("LookupAttributes"),
        request.get("StartTime"),
        request.get("EndTime"),
        request.get("EventCategory"),
    ]);
    let digest = Sha256::digest(bound.to_string().as_bytes());
    base16ct::lower::encode_string(&digest[..8])
}

fn make_token(fingerprint: &str, time: Millis, event_id: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!("1|{fingerprint}|{time}|{event_id}"))
}

fn parse_token(token: &str, fingerprint: &str) -> Result<(Millis, String)> {
    use base64::Engine as _;
    let invalid = || KmsError::new(ErrorType::InvalidNextToken, "Invalid NextToken.");
    let text = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(invalid)?;
    let parts: Vec<&str> = text.splitn(4, '|').collect();
    let [version, bound, time, id] = parts[..] else {
        return Err(invalid());
    };
    if version != "1" {
        return Err(invalid());
    }
    if bound != fingerprint {
        return Err(KmsError::new(
            ErrorType::InvalidNextToken,
            "Invalid NextToken: it was issued for a request with different parameters.",
        ));
    }
    let time = time.parse().map_err(|_| invalid())?;
    Ok((time, id.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_in_both_forms() {
        assert_eq!(
            operation_of_target("CloudTrail_20131101.LookupEvents"),
            Some("LookupEvents")
        );
        assert_eq!(
            operation_of_target(
                "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"
            ),
            Some("LookupEvents")
        );
        assert_eq!(operation_of_target("TrentService.Encrypt"), None);
    }

    #[test]
    fn record_text_keeps_cloudtrails_order() {
        let text = record_text(&json!({
            "eventCategory": "Management",
            "eventVersion": "1.08",
            "userIdentity": {"accountId": "1", "type": "Root"},
            "resources": [{"ARN": "a", "type": "AWS::KMS::Key", "accountId": "1"}],
            "requestParameters": {"b": 1, "a": 2},
        }));
        assert_eq!(
            text,
            r#"{"eventVersion":"1.08","userIdentity":{"type":"Root","accountId":"1"},"requestParameters":{"a":2,"b":1},"resources":[{"accountId":"1","type":"AWS::KMS::Key","ARN":"a"}],"eventCategory":"Management"}"#
        );
    }
}
