//! The event history's pure side: LookupEvents requests, the events it answers as table rows,
//! and the dates the sandbox clock shows. The page sends and renders; this builds and reads.

use serde_json::{json, Map, Value};

/// LookupEvents' lookup attributes, in the order CloudTrail's console lists them.
pub const LOOKUP_ATTRIBUTES: [(&str, &str); 8] = [
    ("EventName", "Event name"),
    ("Username", "User name"),
    ("ResourceType", "Resource type"),
    ("ResourceName", "Resource name"),
    ("EventSource", "Event source"),
    ("EventId", "Event ID"),
    ("ReadOnly", "Read-only"),
    ("AccessKeyId", "AWS access key"),
];

/// LookupEvents' largest page.
pub const MAX_RESULTS: u32 = 50;

/// What the event history is asked for: one lookup attribute (or none) and a time range, in
/// epoch seconds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lookup {
    pub attribute: Option<(String, String)>,
    pub start: Option<f64>,
    pub end: Option<f64>,
}

impl Lookup {
    /// The LookupEvents request for one page (`token`: the previous page's NextToken).
    pub fn request(&self, max_results: u32, token: Option<&str>) -> Value {
        let mut body = Map::new();
        if let Some((key, value)) = &self.attribute {
            body.insert(
                "LookupAttributes".into(),
                json!([{ "AttributeKey": key, "AttributeValue": value }]),
            );
        }
        if let Some(s) = self.start {
            body.insert("StartTime".into(), json!(s));
        }
        if let Some(e) = self.end {
            body.insert("EndTime".into(), json!(e));
        }
        body.insert("MaxResults".into(), json!(max_results));
        if let Some(t) = token {
            body.insert("NextToken".into(), json!(t));
        }
        Value::Object(body)
    }
}

impl Lookup {
    /// The event history's URL query for this lookup (`attribute=...&value=...&start=...`), so
    /// that a link can open the page filtered.
    pub fn to_query(&self) -> String {
        let mut parts = Vec::new();
        if let Some((k, v)) = &self.attribute {
            parts.push(format!("attribute={}", percent_encode(k)));
            parts.push(format!("value={}", percent_encode(v)));
        }
        if let Some(s) = self.start {
            parts.push(format!("start={s}"));
        }
        if let Some(e) = self.end {
            parts.push(format!("end={e}"));
        }
        parts.join("&")
    }

    /// The lookup a URL query names (unknown or malformed parameters are ignored).
    pub fn from_query(query: &str) -> Lookup {
        let mut attribute = None;
        let mut value = String::new();
        let mut out = Lookup::default();
        for pair in query.trim_start_matches('?').split('&') {
            let Some((k, v)) = pair.split_once('=') else {
                continue;
            };
            let v = percent_decode(v);
            match k {
                "attribute" if LOOKUP_ATTRIBUTES.iter().any(|(a, _)| *a == v) => {
                    attribute = Some(v)
                }
                "value" => value = v,
                "start" => out.start = v.parse().ok(),
                "end" => out.end = v.parse().ok(),
                _ => {}
            }
        }
        out.attribute = attribute.filter(|_| !value.is_empty()).map(|a| (a, value));
        out
    }
}

/// `#/events?...`: the event history showing `lookup`.
pub fn events_href(lookup: &Lookup) -> String {
    let q = lookup.to_query();
    if q.is_empty() {
        "#/events".to_string()
    } else {
        format!("#/events?{q}")
    }
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One event as the table shows it, read from a LookupEvents `Events` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct TrailEvent {
    pub event_id: String,
    pub event_name: String,
    /// Epoch seconds.
    pub event_time: f64,
    pub username: String,
    pub event_source: String,
    /// (type, name) of each resource.
    pub resources: Vec<(String, String)>,
    /// The record itself (CloudTrailEvent, parsed).
    pub record: Value,
}

impl TrailEvent {
    pub fn from_lookup(e: &Value) -> TrailEvent {
        let text = |name: &str| e[name].as_str().unwrap_or_default().to_string();
        TrailEvent {
            event_id: text("EventId"),
            event_name: text("EventName"),
            event_time: e["EventTime"].as_f64().unwrap_or_default(),
            username: text("Username"),
            event_source: text("EventSource"),
            resources: e["Resources"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| {
                    (
                        r["ResourceType"].as_str().unwrap_or_default().to_string(),
                        r["ResourceName"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect(),
            record: e["CloudTrailEvent"]
                .as_str()
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or(Value::Null),
        }
    }

    /// `AwsApiCall` or `AwsServiceEvent` (what KMS did on its own).
    pub fn event_type(&self) -> &str {
        self.record["eventType"].as_str().unwrap_or_default()
    }

    pub fn is_service_event(&self) -> bool {
        self.event_type() == "AwsServiceEvent"
    }

    pub fn error_code(&self) -> Option<&str> {
        self.record["errorCode"].as_str()
    }

    /// The user name column: the lookup's Username, or who the record names (KMS's own events
    /// have "AWS Internal" as their principal, like CloudTrail's console shows).
    pub fn user_name(&self) -> String {
        if !self.username.is_empty() {
            return self.username.clone();
        }
        let identity = &self.record["userIdentity"];
        identity["invokedBy"]
            .as_str()
            .or(identity["type"].as_str())
            .unwrap_or("-")
            .to_string()
    }

    /// The record, indented as the console shows it.
    pub fn pretty_record(&self) -> String {
        serde_json::to_string_pretty(&self.record).unwrap_or_default()
    }
}

/// The events of a LookupEvents answer, and its NextToken.
pub fn parse_page(answer: &Value) -> (Vec<TrailEvent>, Option<String>) {
    let events = answer["Events"]
        .as_array()
        .into_iter()
        .flatten()
        .map(TrailEvent::from_lookup)
        .collect();
    (events, answer["NextToken"].as_str().map(str::to_string))
}

/// The shown events as a download: `{"Records": [...]}`, the shape of CloudTrail's log files
/// (and of its console's JSON download).
pub fn download_json(events: &[TrailEvent]) -> String {
    let records: Vec<&Value> = events.iter().map(|e| &e.record).collect();
    serde_json::to_string_pretty(&json!({ "Records": records })).unwrap_or_default()
}

/// `2026-11-30T01:23:45.000Z` (a Date's ISO form) as the header shows it:
/// `2026-11-30 01:23 UTC`.
pub fn short_utc(iso: &str) -> String {
    match (iso.get(..10), iso.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time} UTC"),
        _ => iso.to_string(),
    }
}

/// How far ahead of real time the sandbox clock is, in words (`None`: not noticeably).
pub fn ahead_label(offset_ms: i64) -> Option<String> {
    const HOUR: i64 = 3_600_000;
    const DAY: i64 = 24 * HOUR;
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if offset_ms < 60_000 {
        return None;
    }
    Some(if offset_ms >= 365 * DAY {
        let days = offset_ms / DAY;
        format!("{} ahead", plural(days, "day"))
    } else if offset_ms >= DAY {
        let (d, h) = (offset_ms / DAY, offset_ms % DAY / HOUR);
        if h > 0 {
            format!("{}, {} ahead", plural(d, "day"), plural(h, "hour"))
        } else {
            format!("{} ahead", plural(d, "day"))
        }
    } else if offset_ms >= HOUR {
        format!("{} ahead", plural(offset_ms / HOUR, "hour"))
    } else {
        format!("{} ahead", plural(offset_ms / 60_000, "minute"))
    })
}

/// The clock's advance buttons: label and seconds.
pub const ADVANCES: [(&str, f64); 5] = [
    ("+1 hour", 3_600.0),
    ("+1 day", 86_400.0),
    ("+7 days", 7.0 * 86_400.0),
    ("+30 days", 30.0 * 86_400.0),
    ("+1 year", 365.0 * 86_400.0),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup_entry(record: Value) -> Value {
        json!({
            "EventId": "e1", "EventName": "DeleteKey", "EventTime": 1_800_000_000.5,
            "EventSource": "kms.amazonaws.com", "ReadOnly": "false",
            "Resources": [{ "ResourceType": "AWS::KMS::Key", "ResourceName": "arn:aws:kms:r:1:key/k" }],
            "CloudTrailEvent": record.to_string(),
        })
    }

    #[test]
    fn a_request_carries_one_attribute_the_range_and_the_token() {
        let l = Lookup {
            attribute: Some(("EventName".into(), "CreateKey".into())),
            start: Some(10.0),
            end: Some(20.0),
        };
        assert_eq!(
            l.request(50, Some("t")),
            json!({
                "LookupAttributes": [{ "AttributeKey": "EventName", "AttributeValue": "CreateKey" }],
                "StartTime": 10.0, "EndTime": 20.0, "MaxResults": 50, "NextToken": "t",
            })
        );
        assert_eq!(
            Lookup::default().request(5, None),
            json!({ "MaxResults": 5 })
        );
    }

    #[test]
    fn a_lookup_survives_the_url() {
        let l = Lookup {
            attribute: Some((
                "ResourceName".into(),
                "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab".into(),
            )),
            start: Some(1_800_000_000.0),
            end: None,
        };
        let href = events_href(&l);
        assert!(
            href.starts_with("#/events?attribute=ResourceName&value=arn%3Aaws"),
            "{href}"
        );
        assert_eq!(Lookup::from_query(href.split_once('?').unwrap().1), l);
        assert_eq!(events_href(&Lookup::default()), "#/events");
        // Unknown attributes and empty values filter nothing.
        assert_eq!(
            Lookup::from_query("?attribute=Nope&value=x"),
            Lookup::default()
        );
        assert_eq!(
            Lookup::from_query("attribute=EventName&value="),
            Lookup::default()
        );
    }

    #[test]
    fn service_events_read_as_aws_internal_with_their_record() {
        let e = TrailEvent::from_lookup(&lookup_entry(json!({
            "eventType": "AwsServiceEvent",
            "userIdentity": { "accountId": "1", "invokedBy": "AWS Internal" },
        })));
        assert!(e.is_service_event());
        assert_eq!(e.user_name(), "AWS Internal");
        assert_eq!(e.resources[0].0, "AWS::KMS::Key");
        assert_eq!(e.error_code(), None);
        assert!(e.pretty_record().contains("\n  \"eventType\""));
    }

    #[test]
    fn failed_calls_show_their_error_code() {
        let mut entry =
            lookup_entry(json!({ "eventType": "AwsApiCall", "errorCode": "NotFoundException" }));
        entry["Username"] = json!("alice");
        let (events, token) = parse_page(&json!({ "Events": [entry], "NextToken": "n" }));
        assert_eq!(events[0].error_code(), Some("NotFoundException"));
        assert_eq!(events[0].user_name(), "alice");
        assert_eq!(token.as_deref(), Some("n"));
        let file: Value = serde_json::from_str(&download_json(&events)).unwrap();
        assert_eq!(file["Records"][0]["errorCode"], "NotFoundException");
    }

    #[test]
    fn clock_labels() {
        assert_eq!(
            short_utc("2026-11-30T01:23:45.000Z"),
            "2026-11-30 01:23 UTC"
        );
        assert_eq!(ahead_label(5_000), None);
        assert_eq!(ahead_label(3_600_000).as_deref(), Some("1 hour ahead"));
        assert_eq!(ahead_label(7 * 86_400_000).as_deref(), Some("7 days ahead"));
        assert_eq!(
            ahead_label(86_400_000 + 2 * 3_600_000).as_deref(),
            Some("1 day, 2 hours ahead")
        );
        assert_eq!(
            ahead_label(400 * 86_400_000).as_deref(),
            Some("400 days ahead")
        );
    }
}
