//! The answers as the CLI holds them before printing: Python values in the order botocore built
//! them (a structure's members in the model's order), blobs as base64 text and timestamps as ISO
//! 8601 text (CLI v2's default `cli_timestamp_format`), IAM's policy documents decoded to JSON.

use crate::data::Svc;
use serde_json::Value;

/// A value with its maps' key order kept.
#[derive(Debug, Clone, PartialEq)]
pub enum Doc {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Doc>),
    Map(Vec<(String, Doc)>),
}

impl Doc {
    pub fn get(&self, key: &str) -> Option<&Doc> {
        match self {
            Doc::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Doc> {
        match self {
            Doc::Map(m) => m.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Sets a key of a map (appended when new).
    pub fn set(&mut self, key: &str, value: Doc) {
        if let Doc::Map(m) = self {
            if let Some(slot) = m.iter_mut().find(|(k, _)| k == key) {
                slot.1 = value;
            } else {
                m.push((key.to_string(), value));
            }
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Doc> {
        if let Doc::Map(m) = self {
            if let Some(i) = m.iter().position(|(k, _)| k == key) {
                return Some(m.remove(i).1);
            }
        }
        None
    }

    pub fn is_scalar(&self) -> bool {
        !matches!(self, Doc::List(_) | Doc::Map(_))
    }

    /// Python's truthiness (`if response:`).
    pub fn truthy(&self) -> bool {
        match self {
            Doc::Null => false,
            Doc::Bool(b) => *b,
            Doc::Int(i) => *i != 0,
            Doc::Float(f) => *f != 0.0,
            Doc::Str(s) => !s.is_empty(),
            Doc::List(l) => !l.is_empty(),
            Doc::Map(m) => !m.is_empty(),
        }
    }

    /// Python's `str()` of a scalar, as the text and table formats print them.
    pub fn py_str(&self) -> String {
        match self {
            Doc::Null => "None".into(),
            Doc::Bool(true) => "True".into(),
            Doc::Bool(false) => "False".into(),
            Doc::Int(i) => i.to_string(),
            Doc::Float(f) => py_float(*f),
            Doc::Str(s) => s.clone(),
            Doc::List(_) | Doc::Map(_) => python_repr(self),
        }
    }

    pub fn from_json(v: &Value) -> Doc {
        match v {
            Value::Null => Doc::Null,
            Value::Bool(b) => Doc::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Doc::Int(i),
                None => Doc::Float(n.as_f64().unwrap_or(0.0)),
            },
            Value::String(s) => Doc::Str(s.clone()),
            Value::Array(a) => Doc::List(a.iter().map(Doc::from_json).collect()),
            Value::Object(o) => Doc::Map(
                o.iter()
                    .map(|(k, v)| (k.clone(), Doc::from_json(v)))
                    .collect(),
            ),
        }
    }

    pub fn to_json(&self) -> Value {
        match self {
            Doc::Null => Value::Null,
            Doc::Bool(b) => Value::Bool(*b),
            Doc::Int(i) => Value::from(*i),
            Doc::Float(f) => serde_json::Number::from_f64(*f)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            Doc::Str(s) => Value::String(s.clone()),
            Doc::List(l) => Value::Array(l.iter().map(Doc::to_json).collect()),
            Doc::Map(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
        }
    }
}

/// Python's `repr()` of a float: the shortest text that reads back, `1.0` for whole numbers,
/// exponent form below 1e-4 and from 1e16.
pub fn py_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let sci = format!("{f:e}"); // like 1.2345e-5 or 1e16
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..16).contains(&exp) {
        let s = format!("{f}");
        if s.contains('.') {
            s
        } else {
            format!("{s}.0")
        }
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    }
}

// ---------------------------------------------------------------------------------------------
// Ordered JSON reading (policy documents, `--cli-input-json`, JSON argument values).

/// Parses JSON text keeping object key order. The error is Python's `json` message.
/// `--cli-input-yaml`: the first document of a YAML text (YAML 1.2's core schema, as awscli's
/// safe loader reads it), mappings in their order.
pub fn parse_yaml(text: &str) -> Result<Doc, String> {
    use yaml_rust2::{Yaml, YamlLoader};
    fn doc(y: &Yaml) -> Doc {
        match y {
            Yaml::Null | Yaml::BadValue | Yaml::Alias(_) => Doc::Null,
            Yaml::Boolean(b) => Doc::Bool(*b),
            Yaml::Integer(n) => Doc::Int(*n),
            Yaml::Real(r) => r
                .parse::<f64>()
                .map_or_else(|_| Doc::Str(r.clone()), Doc::Float),
            Yaml::String(s) => Doc::Str(s.clone()),
            Yaml::Array(items) => Doc::List(items.iter().map(doc).collect()),
            Yaml::Hash(h) => Doc::Map(
                h.iter()
                    .map(|(k, v)| {
                        let key = match k {
                            Yaml::String(s) | Yaml::Real(s) => s.clone(),
                            Yaml::Integer(n) => n.to_string(),
                            Yaml::Boolean(b) => if *b { "True" } else { "False" }.to_string(),
                            _ => "None".to_string(),
                        };
                        (key, doc(v))
                    })
                    .collect(),
            ),
        }
    }
    let docs = YamlLoader::load_from_str(text).map_err(|e| e.to_string())?;
    Ok(docs.first().map_or(Doc::Null, doc))
}

pub fn parse_json(text: &str) -> Result<Doc, String> {
    let mut p = JsonParser {
        s: text.as_bytes(),
        i: 0,
        text,
    };
    p.ws();
    let v = p.value()?;
    p.ws();
    if p.i < p.s.len() {
        return Err(p.err("Extra data"));
    }
    Ok(v)
}

struct JsonParser<'a> {
    s: &'a [u8],
    i: usize,
    text: &'a str,
}

impl JsonParser<'_> {
    fn err(&self, what: &str) -> String {
        let before = &self.text[..self.i.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rfind('\n').map_or(before.chars().count() + 1, |p| {
            before[p + 1..].chars().count() + 1
        });
        format!(
            "{what}: line {line} column {col} (char {})",
            before.chars().count()
        )
    }

    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn value(&mut self) -> Result<Doc, String> {
        match self.s.get(self.i) {
            Some(b'{') => {
                self.i += 1;
                let mut m: Vec<(String, Doc)> = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Doc::Map(m));
                }
                loop {
                    self.ws();
                    if self.s.get(self.i) != Some(&b'"') {
                        return Err(self.err("Expecting property name enclosed in double quotes"));
                    }
                    let k = self.string()?;
                    self.ws();
                    if self.s.get(self.i) != Some(&b':') {
                        return Err(self.err("Expecting ':' delimiter"));
                    }
                    self.i += 1;
                    self.ws();
                    let v = self.value()?;
                    if let Some(slot) = m.iter_mut().find(|(x, _)| *x == k) {
                        slot.1 = v;
                    } else {
                        m.push((k, v));
                    }
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Doc::Map(m));
                        }
                        _ => return Err(self.err("Expecting ',' delimiter")),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut l = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Doc::List(l));
                }
                loop {
                    self.ws();
                    l.push(self.value()?);
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Doc::List(l));
                        }
                        _ => return Err(self.err("Expecting ',' delimiter")),
                    }
                }
            }
            Some(b'"') => Ok(Doc::Str(self.string()?)),
            Some(b't') if self.s[self.i..].starts_with(b"true") => {
                self.i += 4;
                Ok(Doc::Bool(true))
            }
            Some(b'f') if self.s[self.i..].starts_with(b"false") => {
                self.i += 5;
                Ok(Doc::Bool(false))
            }
            Some(b'n') if self.s[self.i..].starts_with(b"null") => {
                self.i += 4;
                Ok(Doc::Null)
            }
            Some(c) if *c == b'-' || c.is_ascii_digit() => {
                let start = self.i;
                self.i += 1;
                while self.i < self.s.len()
                    && (self.s[self.i].is_ascii_digit()
                        || matches!(self.s[self.i], b'.' | b'e' | b'E' | b'+' | b'-'))
                {
                    self.i += 1;
                }
                let t = &self.text[start..self.i];
                if let Ok(i) = t.parse::<i64>() {
                    Ok(Doc::Int(i))
                } else if let Ok(f) = t.parse::<f64>() {
                    Ok(Doc::Float(f))
                } else {
                    self.i = start;
                    Err(self.err("Expecting value"))
                }
            }
            _ => Err(self.err("Expecting value")),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        let start = self.i;
        self.i += 1;
        let mut out = String::new();
        loop {
            let Some(&c) = self.s.get(self.i) else {
                self.i = start;
                return Err(self.err("Unterminated string starting at"));
            };
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(out);
                }
                b'\\' => {
                    let e = self.s.get(self.i + 1).copied();
                    self.i += 2;
                    match e {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            let hex = |p: &Self, at: usize| -> Option<u32> {
                                std::str::from_utf8(p.s.get(at..at + 4)?)
                                    .ok()
                                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                            };
                            let Some(mut cp) = hex(self, self.i) else {
                                return Err(self.err("Invalid \\uXXXX escape"));
                            };
                            self.i += 4;
                            if (0xD800..0xDC00).contains(&cp)
                                && self.s.get(self.i) == Some(&b'\\')
                                && self.s.get(self.i + 1) == Some(&b'u')
                            {
                                if let Some(lo) = hex(self, self.i + 2) {
                                    if (0xDC00..0xE000).contains(&lo) {
                                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                                        self.i += 6;
                                    }
                                }
                            }
                            out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                        }
                        _ => {
                            self.i -= 1;
                            return Err(self.err("Invalid \\escape"));
                        }
                    }
                }
                _ => {
                    // Copy one UTF-8 character.
                    let rest = &self.text[self.i..];
                    let ch = rest.chars().next().unwrap_or('\u{FFFD}');
                    if (ch as u32) < 0x20 {
                        return Err(self.err("Invalid control character at"));
                    }
                    out.push(ch);
                    self.i += ch.len_utf8();
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Time.

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Python's `datetime.isoformat()` of a UTC time given in microseconds since the epoch:
/// `2025-01-01T12:34:56.789000+00:00`, without the fraction when it is zero.
pub fn iso_micros(us: i64) -> String {
    let secs = us.div_euclid(1_000_000);
    let frac = us.rem_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let mut s = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    );
    if frac != 0 {
        s.push_str(&format!(".{frac:06}"));
    }
    s.push_str("+00:00");
    s
}

/// Reads a timestamp as the CLI accepts one: epoch seconds, or ISO 8601 (`2025-01-01`,
/// `2025-01-01T10:00:00Z`, `2025-01-01T10:00:00.5+02:00`). Microseconds since the epoch.
pub fn parse_time(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Ok(f) = t.parse::<f64>() {
        return Some((f * 1e6).round() as i64);
    }
    let b = t.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> { t.get(r)?.parse().ok() };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)? as u32, num(8..10)? as u32);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let mut us = days_from_civil(y, mo, d) * 86_400_000_000;
    if b.len() == 10 {
        return Some(us);
    }
    if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 16 {
        return None;
    }
    let (h, mi) = (num(11..13)?, num(14..16)?);
    let mut i = 16;
    let mut s = 0;
    if b.get(16) == Some(&b':') {
        s = num(17..19)?;
        i = 19;
    }
    us += (h * 3600 + mi * 60 + s) * 1_000_000;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        let mut end = start;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
        let digits = &t[start..end];
        let mut frac: String = digits.chars().take(6).collect();
        while frac.len() < 6 {
            frac.push('0');
        }
        us += frac.parse::<i64>().ok()?;
        i = end;
    }
    match &t[i..] {
        "" | "Z" | "z" => Some(us),
        off if (off.starts_with('+') || off.starts_with('-')) && off.len() >= 3 => {
            let sign = if off.starts_with('-') { -1 } else { 1 };
            let digits: String = off[1..].chars().filter(|c| c.is_ascii_digit()).collect();
            let oh: i64 = digits.get(0..2)?.parse().ok()?;
            let om: i64 = digits.get(2..4).map_or(Some(0), |m| m.parse().ok())?;
            Some(us - sign * (oh * 3600 + om * 60) * 1_000_000)
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Answers.

/// An operation's answer (the sandbox's wire JSON) as botocore parses it for the CLI.
pub fn from_wire(svc: &Svc, shape_name: &str, v: &Value) -> Doc {
    let shape = svc.shape(shape_name);
    match (shape.ty.as_str(), v) {
        ("structure", Value::Object(o)) => Doc::Map(
            svc.members(shape_name)
                .into_iter()
                .filter_map(|(m, s)| o.get(m).map(|v| (m.to_string(), from_wire(svc, s, v))))
                .collect(),
        ),
        ("list", Value::Array(a)) => {
            let member = shape.member.as_deref().unwrap_or("");
            Doc::List(a.iter().map(|x| from_wire(svc, member, x)).collect())
        }
        ("map", Value::Object(o)) => {
            let value = shape.value.as_deref().unwrap_or("");
            Doc::Map(
                o.iter()
                    .map(|(k, x)| (k.clone(), from_wire(svc, value, x)))
                    .collect(),
            )
        }
        ("timestamp", Value::Number(n)) => {
            Doc::Str(iso_micros((n.as_f64().unwrap_or(0.0) * 1e6).round() as i64))
        }
        ("timestamp", Value::String(s)) => match parse_time(s) {
            Some(us) => Doc::Str(iso_micros(us)),
            None => Doc::Str(s.clone()),
        },
        ("string", Value::String(s)) if shape_name == "policyDocumentType" => {
            let decoded = if s.contains('%') {
                percent_decode(s)
            } else {
                s.clone()
            };
            parse_json(&decoded).unwrap_or(Doc::Str(s.clone()))
        }
        // botocore's json_decode_template_body (after GetTemplate): a JSON template is read
        // into its object, a YAML one stays text.
        ("string", Value::String(s)) if shape_name == "TemplateBody" => {
            parse_json(s).unwrap_or(Doc::Str(s.clone()))
        }
        _ => Doc::from_json(v),
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(x) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(x);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Python's `repr()` of a value (what `str()` prints for a list or dict).
pub fn python_repr(doc: &Doc) -> String {
    match doc {
        Doc::Str(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
        Doc::List(l) => format!(
            "[{}]",
            l.iter().map(python_repr).collect::<Vec<_>>().join(", ")
        ),
        Doc::Map(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("'{k}': {}", python_repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.py_str(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_floats() {
        assert_eq!(py_float(1.0), "1.0");
        assert_eq!(py_float(0.1), "0.1");
        assert_eq!(py_float(1e16), "1e+16");
        assert_eq!(py_float(1.5e-5), "1.5e-05");
        assert_eq!(py_float(1735689600.5), "1735689600.5");
    }

    #[test]
    fn times() {
        assert_eq!(
            iso_micros(1_735_734_896_789_000),
            "2025-01-01T12:34:56.789000+00:00"
        );
        assert_eq!(
            iso_micros(1_735_689_600_000_000),
            "2025-01-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_time("2025-01-01T12:34:56.789Z"),
            Some(1_735_734_896_789_000)
        );
        assert_eq!(
            parse_time("2025-01-01T14:34:56.789+02:00"),
            Some(1_735_734_896_789_000)
        );
        assert_eq!(parse_time("2025-01-01"), Some(1_735_689_600_000_000));
        assert_eq!(parse_time("1735689600"), Some(1_735_689_600_000_000));
        assert_eq!(parse_time("soon"), None);
    }

    #[test]
    fn ordered_json() {
        let d = parse_json(r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}], "n": 1.5, "u": "\u00e9"}"#).unwrap();
        let Doc::Map(m) = &d else { panic!() };
        assert_eq!(m[0].0, "Version");
        assert_eq!(m[1].0, "Statement");
        assert_eq!(d.get("n"), Some(&Doc::Float(1.5)));
        assert_eq!(d.get("u"), Some(&Doc::Str("é".into())));
        assert!(parse_json("{\"a\": }")
            .unwrap_err()
            .starts_with("Expecting value: line 1 column 7"));
    }
}
