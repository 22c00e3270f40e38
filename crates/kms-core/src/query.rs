//! The query protocol of IAM and STS, led by their models: form-encoded requests
//! (`Action=CreateUser&Version=2010-05-08&UserName=alice&Tags.member.1.Key=team...`) into the JSON
//! value form the engine answers (AWS's JSON wire form: timestamps as epoch seconds), and answers
//! and errors into the XML that `@aws-sdk/client-iam` and `@aws-sdk/client-sts` (awsQuery) parse.
//!
//! Pure text in, text out: no HTTP. The shell sends an answer with status 200 and
//! `Content-Type: text/xml`, an error with [`KmsError::status`].

use crate::error::{ErrorType, KmsError, Result};
use crate::model::{Model, Shape};
use serde_json::{Map, Number, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Shapes whose strings IAM sends URL-encoded (RFC 3986) in its answers: policy documents (the
/// API reference: "Policies returned by this operation are URL-encoded"). The SDK does not
/// decode them, so `service('iam').send` answers them encoded too.
pub const URL_ENCODED_SHAPES: &[&str] = &["policyDocumentType"];

/// Reads a query request body: the operation (`Action`) and its input in the JSON value form.
pub fn decode(model: &Model, body: &[u8]) -> Result<(String, Value)> {
    let params = parse_form(body)?;
    let Some(action) = params.get("Action").filter(|a| !a.is_empty()) else {
        return Err(KmsError::new(ErrorType::MissingAction, "Missing Action"));
    };
    let op = model
        .operations
        .get(action.as_str())
        .ok_or_else(|| model.unknown_operation(action))?;
    if let Some(version) = params.get("Version") {
        if *version != model.api_version {
            return Err(KmsError::new(
                ErrorType::InvalidAction,
                format!("Could not find operation {action} for version {version}"),
            ));
        }
    }
    let input = match &op.input {
        Some(shape) => read_structure(model, model.shape(shape), "", &params)?,
        None => Map::new(),
    };
    Ok((action.clone(), Value::Object(input)))
}

/// Writes an operation's answer: `<OpResponse xmlns=...><OpResult>...</OpResult>
/// <ResponseMetadata><RequestId>...</RequestId></ResponseMetadata></OpResponse>`.
pub fn encode_response(model: &Model, operation: &str, output: &Value, request_id: &str) -> String {
    let mut out = String::with_capacity(512);
    let ns = model.xml_namespace.as_deref().unwrap_or_default();
    let _ = write!(out, "<{operation}Response xmlns=\"{}\">", escape(ns));
    let op = model.operations.get(operation);
    if let Some((wrapper, shape)) =
        op.and_then(|o| Some((o.result_wrapper.as_ref()?, o.output.as_ref()?)))
    {
        let _ = write!(out, "<{wrapper}>");
        write_members(model, model.shape(shape), output, &mut out);
        let _ = write!(out, "</{wrapper}>");
    }
    let _ = write!(
        out,
        "<ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{operation}Response>",
        escape(request_id)
    );
    out
}

/// Writes an error in the service's namespace: `<ErrorResponse xmlns=...><Error><Type>Sender
/// </Type><Code>...</Code><Message>...</Message></Error><RequestId>...</RequestId>
/// </ErrorResponse>`.
pub fn encode_error(model: &Model, error: &KmsError, request_id: &str) -> String {
    let fault = if error.error_type.is_sender_fault() {
        "Sender"
    } else {
        "Receiver"
    };
    let ns = model.xml_namespace.as_deref().unwrap_or_default();
    format!(
        "<ErrorResponse xmlns=\"{}\"><Error><Type>{fault}</Type><Code>{}</Code><Message>{}</Message>\
         </Error><RequestId>{}</RequestId></ErrorResponse>",
        escape(ns),
        escape(error.error_type.as_str()),
        escape(&error.message),
        escape(request_id)
    )
}

// ---------------------------------------------------------------- decoding

type Params = BTreeMap<String, String>;

fn parse_form(body: &[u8]) -> Result<Params> {
    let mut params = Params::new();
    for pair in body.split(|b| *b == b'&') {
        if pair.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let (k, v) = match pair.iter().position(|b| *b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        params.insert(form_decode(k)?, form_decode(v)?);
    }
    Ok(params)
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte (a `%` not followed
/// by two hex digits stays as it is, as browsers leave it).
fn form_decode(raw: &[u8]) -> Result<String> {
    let hex = |b: Option<&u8>| b.and_then(|b| (*b as char).to_digit(16)).map(|d| d as u8);
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => bytes.push(b' '),
            b'%' => match (hex(raw.get(i + 1)), hex(raw.get(i + 2))) {
                (Some(h), Some(l)) => {
                    bytes.push(h << 4 | l);
                    i += 2;
                }
                _ => bytes.push(b'%'),
            },
            b => bytes.push(b),
        }
        i += 1;
    }
    String::from_utf8(bytes).map_err(|_| {
        KmsError::new(
            ErrorType::MalformedQueryString,
            "The query string is not valid UTF-8 once decoded.",
        )
    })
}

/// A policy document as IAM answers it ([`url_encode`]d), as its text: what a program does with
/// `decodeURIComponent` before it parses one. Text that is not encoded comes back as it is.
pub fn decode_policy_document(text: &str) -> String {
    let hex = |b: Option<&u8>| b.and_then(|b| (*b as char).to_digit(16)).map(|d| d as u8);
    let raw = text.as_bytes();
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match (raw[i], hex(raw.get(i + 1)), hex(raw.get(i + 2))) {
            (b'%', Some(h), Some(l)) => {
                bytes.push(h << 4 | l);
                i += 3;
            }
            (b, _, _) => {
                bytes.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// Whether any parameter is `key` or lies under `key.`.
fn present(params: &Params, key: &str) -> bool {
    let start = format!("{key}.");
    params.contains_key(key)
        || params
            .range(start.clone()..)
            .next()
            .is_some_and(|(k, _)| k.starts_with(&start))
}

/// The distinct first segments after `prefix.` (list indices), numerically sorted.
fn under(params: &Params, prefix: &str) -> BTreeSet<usize> {
    let start = format!("{prefix}.");
    params
        .range(start.clone()..)
        .take_while(|(k, _)| k.starts_with(&start))
        .filter_map(|(k, _)| k[start.len()..].split('.').next()?.parse().ok())
        .filter(|n| *n >= 1)
        .collect()
}

fn read_structure(
    model: &Model,
    s: &Shape,
    prefix: &str,
    params: &Params,
) -> Result<Map<String, Value>> {
    let mut out = Map::new();
    for (member, member_shape) in &s.members {
        let key = join(prefix, s.location_name(member));
        let flattened = s.is_flattened_member(member);
        if let Some(v) = read(model, member_shape, &key, flattened, params)? {
            out.insert(member.clone(), v);
        }
    }
    Ok(out)
}

fn read(
    model: &Model,
    shape_name: &str,
    key: &str,
    flattened: bool,
    params: &Params,
) -> Result<Option<Value>> {
    let s = model.shape(shape_name);
    let flattened = flattened || s.flattened;
    Ok(Some(match s.ty.as_str() {
        "structure" => {
            if !present(params, key) {
                return Ok(None);
            }
            Value::Object(read_structure(model, s, key, params)?)
        }
        "list" => {
            let items = if flattened {
                key.to_string()
            } else {
                join(key, s.member_location_name.as_deref().unwrap_or("member"))
            };
            let indices = under(params, &items);
            if indices.is_empty() {
                // The SDKs send an empty list as the bare member (`Tags=`).
                return Ok(params.contains_key(key).then(|| Value::Array(vec![])));
            }
            let member = s.member.as_deref().unwrap_or_default();
            let mut list = Vec::with_capacity(indices.len());
            for i in indices {
                if let Some(v) = read(model, member, &format!("{items}.{i}"), false, params)? {
                    list.push(v);
                }
            }
            Value::Array(list)
        }
        "map" => {
            let entries = if flattened {
                key.to_string()
            } else {
                join(key, "entry")
            };
            let indices = under(params, &entries);
            if indices.is_empty() {
                return Ok(params.contains_key(key).then(|| Value::Object(Map::new())));
            }
            let (key_name, value_name) = (
                s.key_location_name.as_deref().unwrap_or("key"),
                s.value_location_name.as_deref().unwrap_or("value"),
            );
            let value_shape = s.value.as_deref().unwrap_or_default();
            let mut map = Map::new();
            for i in indices {
                let entry = format!("{entries}.{i}");
                let Some(k) = params.get(&join(&entry, key_name)) else {
                    continue;
                };
                let v = read(model, value_shape, &join(&entry, value_name), false, params)?;
                map.insert(k.clone(), v.unwrap_or(Value::Null));
            }
            Value::Object(map)
        }
        ty => {
            let Some(raw) = params.get(key) else {
                return Ok(None);
            };
            scalar(ty, raw, key)?
        }
    }))
}

fn not_a(kind: &str, raw: &str, key: &str) -> KmsError {
    KmsError::validation_error(format!(
        "1 validation error detected: Value '{raw}' at '{key}' failed to satisfy constraint: \
         Member must be {kind}"
    ))
}

fn scalar(ty: &str, raw: &str, key: &str) -> Result<Value> {
    Ok(match ty {
        "integer" | "long" => Value::from(
            raw.trim()
                .parse::<i64>()
                .map_err(|_| not_a("an integer", raw, key))?,
        ),
        "float" | "double" => raw
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| not_a("a number", raw, key))?,
        "boolean" => match raw.trim().to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(not_a("a boolean", raw, key)),
        },
        "timestamp" => parse_timestamp(raw)
            .and_then(|ms| Number::from_f64(ms as f64 / 1000.0))
            .map(Value::Number)
            .ok_or_else(|| not_a("a timestamp", raw, key))?,
        // Strings, and blobs (base64 on the query wire as in the JSON form).
        _ => Value::String(raw.to_string()),
    })
}

// ---------------------------------------------------------------- encoding

fn write_members(model: &Model, s: &Shape, v: &Value, out: &mut String) {
    let Some(obj) = v.as_object() else { return };
    for (member, member_shape) in &s.members {
        if let Some(mv) = obj.get(member).filter(|x| !x.is_null()) {
            let flattened = s.is_flattened_member(member);
            write_value(
                model,
                member_shape,
                s.location_name(member),
                flattened,
                mv,
                out,
            );
        }
    }
}

fn write_value(
    model: &Model,
    shape_name: &str,
    name: &str,
    flattened: bool,
    v: &Value,
    out: &mut String,
) {
    let s = model.shape(shape_name);
    let flattened = flattened || s.flattened;
    match s.ty.as_str() {
        "structure" => {
            let _ = write!(out, "<{name}>");
            write_members(model, s, v, out);
            let _ = write!(out, "</{name}>");
        }
        "list" => {
            let member = s.member.as_deref().unwrap_or_default();
            let items = v.as_array().map(Vec::as_slice).unwrap_or_default();
            if flattened {
                for item in items {
                    write_value(model, member, name, false, item, out);
                }
            } else {
                let item_name = s.member_location_name.as_deref().unwrap_or("member");
                let _ = write!(out, "<{name}>");
                for item in items {
                    write_value(model, member, item_name, false, item, out);
                }
                let _ = write!(out, "</{name}>");
            }
        }
        "map" => {
            let (key_name, value_name) = (
                s.key_location_name.as_deref().unwrap_or("key"),
                s.value_location_name.as_deref().unwrap_or("value"),
            );
            let value_shape = s.value.as_deref().unwrap_or_default();
            let entries = v.as_object();
            if !flattened {
                let _ = write!(out, "<{name}>");
            }
            for (k, val) in entries.into_iter().flatten() {
                let entry = if flattened { name } else { "entry" };
                let _ = write!(out, "<{entry}><{key_name}>{}</{key_name}>", escape(k));
                write_value(model, value_shape, value_name, false, val, out);
                let _ = write!(out, "</{entry}>");
            }
            if !flattened {
                let _ = write!(out, "</{name}>");
            }
        }
        ty => {
            let text = match (ty, v) {
                ("timestamp", Value::Number(n)) => {
                    format_timestamp((n.as_f64().unwrap_or_default() * 1000.0).round() as i64)
                }
                (_, Value::String(x)) if URL_ENCODED_SHAPES.contains(&shape_name) => url_encode(x),
                (_, Value::String(x)) => x.clone(),
                (_, other) => other.to_string(),
            };
            let _ = write!(out, "<{name}>{}</{name}>", escape(&text));
        }
    }
}

/// XML character data and attribute values. `\r` is written as a reference, since XML parsers
/// turn a literal one into `\n` (the SDK's parser reads `&#xD;` back).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
    out
}

/// RFC 3986 percent-encoding, as IAM sends policy documents: unreserved characters as they are,
/// every other byte of the UTF-8 as `%XX`.
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3 / 2);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

// ---------------------------------------------------------------- timestamps

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// ISO 8601 in UTC as AWS's query answers write it: `2026-11-29T21:44:35Z`, with milliseconds
/// only when there are some.
pub(crate) fn format_timestamp(ms: i64) -> String {
    let (days, in_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (y, m, d) = civil_from_days(days);
    let secs = in_day / 1000;
    let (hh, mm, ss, frac) = (secs / 3600, secs / 60 % 60, secs % 60, in_day % 1000);
    if frac == 0 {
        format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")
    } else {
        format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}.{frac:03}Z")
    }
}

/// An ISO 8601 date-time (`2026-11-29T21:44:35Z`, fractions and `+hh:mm` offsets allowed) or
/// epoch seconds, as milliseconds since the epoch.
pub(crate) fn parse_timestamp(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Ok(secs) = t.parse::<f64>() {
        return secs.is_finite().then(|| (secs * 1000.0).round() as i64);
    }
    let b = t.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = t.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut rest = &t[19..];
    let mut millis = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let padded = format!("{:0<3}", &frac[..digits.min(3)]);
        millis = padded.parse::<i64>().ok()?;
        rest = &frac[digits..];
    }
    let offset_minutes = match rest {
        "Z" | "z" | "" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hm = rest[1..].replace(':', "");
            if hm.len() != 4 || !hm.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            sign * (hm[..2].parse::<i64>().ok()? * 60 + hm[2..].parse::<i64>().ok()?)
        }
    };
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset_minutes * 60;
    Some(secs * 1000 + millis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{iam, sts};
    use serde_json::json;

    fn decode_iam(body: &str) -> (String, Value) {
        decode(iam(), body.as_bytes()).unwrap_or_else(|e| panic!("{body}: {e}"))
    }

    #[test]
    fn a_create_user_request_as_the_sdk_sends_it() {
        let (op, input) = decode_iam(
            "Action=CreateUser&Version=2010-05-08&UserName=alice&Tags.member.1.Key=team&Tags.member.1.Value=red",
        );
        assert_eq!(op, "CreateUser");
        assert_eq!(
            input,
            json!({"UserName": "alice", "Tags": [{"Key": "team", "Value": "red"}]})
        );
    }

    #[test]
    fn lists_in_index_order_numbers_booleans_and_empty_lists() {
        let (_, input) = decode_iam(
            "Action=UntagUser&Version=2010-05-08&UserName=a&TagKeys.member.2=second&TagKeys.member.10=tenth&TagKeys.member.1=first",
        );
        assert_eq!(input["TagKeys"], json!(["first", "second", "tenth"]));
        let (_, input) = decode_iam(
            "Action=ListPolicies&Version=2010-05-08&OnlyAttached=true&MaxItems=20&Scope=Local&Marker=abc%3D%3D",
        );
        assert_eq!(
            input,
            json!({"OnlyAttached": true, "MaxItems": 20, "Scope": "Local", "Marker": "abc=="})
        );
        let (_, input) = decode_iam("Action=TagUser&Version=2010-05-08&UserName=a&Tags=");
        assert_eq!(input["Tags"], json!([]));
        let e = decode(iam(), b"Action=ListUsers&Version=2010-05-08&MaxItems=ten").unwrap_err();
        assert_eq!(e.error_type, ErrorType::ValidationError);
        assert!(e.message.contains("'MaxItems'"), "{}", e.message);
    }

    #[test]
    fn form_decoding_of_policy_documents() {
        let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}"#;
        let body = format!(
            "Action=PutUserPolicy&Version=2010-05-08&UserName=alice&PolicyName=p&PolicyDocument={}",
            url_encode(doc)
        );
        let (_, input) = decode_iam(&body);
        assert_eq!(input["PolicyDocument"], doc);
        // `+` is a space in form encoding; a stray `%` stays as it is.
        let (_, input) =
            decode_iam("Action=UpdateRole&Version=2010-05-08&RoleName=r&Description=a+b%2Bc+100%");
        assert_eq!(input["Description"], "a b+c 100%");
    }

    #[test]
    fn nested_structures_and_sts() {
        let (op, input) = decode(
            sts(),
            b"Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Freader\
              &RoleSessionName=s1&DurationSeconds=900&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FX\
              &Tags.member.1.Key=k&Tags.member.1.Value=v",
        )
        .unwrap();
        assert_eq!(op, "AssumeRole");
        assert_eq!(
            input,
            json!({
                "RoleArn": "arn:aws:iam::111122223333:role/reader",
                "RoleSessionName": "s1",
                "DurationSeconds": 900,
                "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/X"}],
                "Tags": [{"Key": "k", "Value": "v"}],
            })
        );
        let (op, input) = decode(sts(), b"Action=GetCallerIdentity&Version=2011-06-15").unwrap();
        assert_eq!((op.as_str(), input), ("GetCallerIdentity", json!({})));
    }

    #[test]
    fn unknown_and_missing_actions() {
        let e = decode(iam(), b"Action=CreateGroup&Version=2010-05-08").unwrap_err();
        assert_eq!(e.error_type, ErrorType::InvalidAction);
        assert_eq!(e.error_type.as_str(), "InvalidAction");
        assert_eq!(
            e.message,
            "Could not find operation CreateGroup for version 2010-05-08"
        );
        let e = decode(iam(), b"Action=ListUsers&Version=2011-06-15").unwrap_err();
        assert_eq!(e.error_type, ErrorType::InvalidAction);
        let e = decode(iam(), b"Version=2010-05-08&UserName=alice").unwrap_err();
        assert_eq!(e.error_type, ErrorType::MissingAction);
        assert_eq!(e.status(), 400);
        let e = decode(iam(), b"").unwrap_err();
        assert_eq!(e.error_type, ErrorType::MissingAction);
    }

    #[test]
    fn answers_wrap_the_result_and_write_lists_with_member() {
        let out = json!({
            "Users": [
                {"Path": "/", "UserName": "alice", "UserId": "AIDAEXAMPLE0000000001",
                 "Arn": "arn:aws:iam::111122223333:user/alice", "CreateDate": 1_795_988_675,
                 "Tags": [{"Key": "team", "Value": "r&d <1>"}]},
            ],
            "IsTruncated": false,
        });
        let xml = encode_response(iam(), "ListUsers", &out, "req-1");
        assert_eq!(
            xml,
            "<ListUsersResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ListUsersResult>\
             <IsTruncated>false</IsTruncated><Users><member>\
             <Arn>arn:aws:iam::111122223333:user/alice</Arn><CreateDate>2026-11-29T21:44:35Z</CreateDate>\
             <Path>/</Path><Tags><member><Key>team</Key><Value>r&amp;d &lt;1&gt;</Value></member></Tags>\
             <UserId>AIDAEXAMPLE0000000001</UserId><UserName>alice</UserName></member></Users>\
             </ListUsersResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>\
             </ListUsersResponse>"
        );
        let xml = encode_response(
            iam(),
            "ListUsers",
            &json!({"Users": [], "IsTruncated": false}),
            "r",
        );
        assert!(xml.contains("<Users></Users>"), "{xml}");
    }

    #[test]
    fn operations_without_output_answer_metadata_only() {
        let xml = encode_response(iam(), "DeleteUser", &json!({}), "r-2");
        assert_eq!(
            xml,
            "<DeleteUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\
             <ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata></DeleteUserResponse>"
        );
    }

    #[test]
    fn policy_documents_go_out_url_encoded() {
        let doc = "{\"Version\": \"2012-10-17\", \"Statement\": []}";
        let xml = encode_response(
            iam(),
            "GetUserPolicy",
            &json!({"UserName": "alice", "PolicyName": "p", "PolicyDocument": doc}),
            "r",
        );
        assert!(
            xml.contains(
                "<PolicyDocument>%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%20%5B%5D%7D</PolicyDocument>"
            ),
            "{xml}"
        );
        assert_eq!(form_decode(url_encode(doc).as_bytes()).unwrap(), doc);
        let with_plus = "{\"a\": \"x+y%\u{e9}\"}";
        assert_eq!(decode_policy_document(&url_encode(with_plus)), with_plus);
        assert_eq!(decode_policy_document(doc), doc);
    }

    #[test]
    fn sts_answers() {
        let out = json!({
            "Credentials": {"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "s/e+c", "SessionToken": "t",
                            "Expiration": 1_795_992_275.5},
            "AssumedRoleUser": {"AssumedRoleId": "AROAEXAMPLE:s1",
                                "Arn": "arn:aws:sts::111122223333:assumed-role/reader/s1"},
        });
        let xml = encode_response(sts(), "AssumeRole", &out, "r");
        assert!(xml.starts_with(
            "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
        ));
        assert!(
            xml.contains("<Expiration>2026-11-29T22:44:35.500Z</Expiration>"),
            "{xml}"
        );
        assert!(
            xml.contains("<SecretAccessKey>s/e+c</SecretAccessKey>"),
            "{xml}"
        );
    }

    #[test]
    fn errors_with_their_fault() {
        let e = KmsError::no_such_entity("The user with name <bob> cannot be found.");
        assert_eq!(
            encode_error(crate::model::iam(), &e, "r-3"),
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error>\
             <Type>Sender</Type><Code>NoSuchEntity</Code>\
             <Message>The user with name &lt;bob&gt; cannot be found.</Message></Error>\
             <RequestId>r-3</RequestId></ErrorResponse>"
        );
        let e = KmsError::new(ErrorType::ServiceFailure, "oops");
        assert!(encode_error(crate::model::sts(), &e, "r").contains("<Type>Receiver</Type>"));
        for (m, ns) in [
            (
                crate::model::sts(),
                "https://sts.amazonaws.com/doc/2011-06-15/",
            ),
            (
                crate::model::cloudformation(),
                "http://cloudformation.amazonaws.com/doc/2010-05-15/",
            ),
        ] {
            assert!(
                encode_error(m, &e, "r").starts_with(&format!("<ErrorResponse xmlns=\"{ns}\">"))
            );
        }
    }

    #[test]
    fn timestamps_both_ways() {
        assert_eq!(format_timestamp(1_795_988_675_000), "2026-11-29T21:44:35Z");
        assert_eq!(format_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(
            format_timestamp(951_782_400_123),
            "2000-02-29T00:00:00.123Z"
        );
        assert_eq!(
            parse_timestamp("2026-11-29T21:44:35Z"),
            Some(1_795_988_675_000)
        );
        assert_eq!(
            parse_timestamp("2026-11-29T22:44:35.5+01:00"),
            Some(1_795_988_675_500)
        );
        assert_eq!(parse_timestamp("1795988675"), Some(1_795_988_675_000));
        assert_eq!(parse_timestamp("yesterday"), None);
        for ms in [0, 86_399_999, 1_735_689_600_000, -1, 4_102_444_800_000] {
            assert_eq!(parse_timestamp(&format_timestamp(ms)), Some(ms));
        }
    }

    #[test]
    fn escaping() {
        assert_eq!(
            escape("a&b<c>\"d'\re"),
            "a&amp;b&lt;c&gt;&quot;d&apos;&#xD;e"
        );
        assert_eq!(url_encode("a b/é~"), "a%20b%2F%C3%A9~");
    }
}
