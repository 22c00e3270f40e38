//! Argument values into the operation's input, as the CLI unpacks them: `file://` and
//! `fileb://` from the file area, JSON or shorthand for structures, maps and lists, numbers,
//! base64 blobs (`--cli-binary-format base64`, CLI v2's default) or raw text
//! (`raw-in-base64-out`), ISO 8601 or epoch timestamps; then botocore's client-side validation.
//! The input is the sandbox's wire JSON: blobs as base64, timestamps as epoch seconds.

use crate::data::Svc;
use crate::doc::{parse_json, parse_time, Doc};
use crate::shorthand::{self, Sh};
use crate::{BinaryFormat, CliError, FileArea};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{Map, Value};

/// What followed an option on the command line.
#[derive(Debug, Clone)]
pub enum Raw {
    One(String),
    Many(Vec<String>),
    Flag(bool),
}

enum Loaded {
    Text(String),
    Bytes(Vec<u8>),
}

pub struct Unpacker<'a> {
    pub svc: &'static Svc,
    pub files: &'a dyn FileArea,
    pub binary: BinaryFormat,
}

impl Unpacker<'_> {
    fn param_file(&self, cli: &str, v: &str) -> Result<Loaded, CliError> {
        let (path, binary) = if let Some(p) = v.strip_prefix("fileb://") {
            (p, true)
        } else if let Some(p) = v.strip_prefix("file://") {
            (p, false)
        } else {
            return Ok(Loaded::Text(v.to_string()));
        };
        match self.files.read(path) {
            Some(bytes) if binary => Ok(Loaded::Bytes(bytes)),
            Some(bytes) => String::from_utf8(bytes)
                .map(Loaded::Text)
                .map_err(|_| CliError::param(cli, &undecodable(path))),
            None => Err(CliError::param(cli, &missing(v, path))),
        }
    }

    /// One option's value.
    pub fn arg(&self, cli: &str, shape: &str, raw: Raw) -> Result<Value, CliError> {
        match raw {
            Raw::Flag(b) => Ok(Value::Bool(b)),
            Raw::One(v) => match self.param_file(cli, &v)? {
                Loaded::Bytes(b) if self.svc.shape(shape).ty == "blob" => {
                    Ok(Value::String(STANDARD.encode(b)))
                }
                // fileb:// gives bytes, which the CLI hands on as they are: botocore refuses
                // them for a string.
                Loaded::Bytes(b) if self.svc.shape(shape).ty == "string" => Ok(bytes_value(&b)),
                Loaded::Bytes(b) => self.text(cli, shape, &String::from_utf8_lossy(&b)),
                Loaded::Text(t) => self.text(cli, shape, &t),
            },
            Raw::Many(values) => {
                let list = self.svc.shape(shape);
                let member = list.member.clone().unwrap_or_default();
                if let [v] = values.as_slice() {
                    if let Loaded::Text(t) = self.param_file(cli, v)? {
                        if t.trim_start().starts_with('[') {
                            return self.json(cli, shape, &t);
                        }
                        if v.starts_with("file://") {
                            return self.file_list(cli, &member, &t);
                        }
                    }
                }
                let mut out = Vec::new();
                for v in values {
                    out.push(self.arg(cli, &member, Raw::One(v))?);
                }
                Ok(Value::Array(out))
            }
        }
    }

    /// A list option whose one value is a file that does not hold a JSON list. The CLI then has
    /// the file's text, not a list of values: shorthand is read as one member (which botocore
    /// refuses for not being a list), and anything else one character at a time, so that a JSON
    /// object fails at its `{` (awscli's argprocess and paramfile).
    fn file_list(&self, cli: &str, member: &str, text: &str) -> Result<Value, CliError> {
        let complex = matches!(
            self.svc.shape(member).ty.as_str(),
            "structure" | "map" | "list"
        );
        if complex && !text.trim_start().starts_with('{') {
            let sh = shorthand::parse(text).map_err(|e| CliError::param(cli, &e.0))?;
            return self.typed_sh(cli, member, &sh);
        }
        if complex && text.starts_with(char::is_whitespace) {
            // Python's `value.lstrip()[0]` of a blank character.
            return Err(CliError::general("string index out of range".into()));
        }
        text.chars()
            .map(|c| self.arg(cli, member, Raw::One(c.to_string())))
            .collect::<Result<_, _>>()
            .map(Value::Array)
    }

    fn json(&self, cli: &str, shape: &str, text: &str) -> Result<Value, CliError> {
        let doc = parse_json(text).map_err(|e| {
            CliError::param(cli, &format!("Invalid JSON: {e}\nJSON received: {text}"))
        })?;
        self.typed_doc(shape, &doc)
    }

    /// A value typed as text (after `file://`).
    fn text(&self, cli: &str, shape_name: &str, text: &str) -> Result<Value, CliError> {
        let shape = self.svc.shape(shape_name);
        match shape.ty.as_str() {
            "structure" | "map" | "list" => {
                let t = text.trim_start();
                // JSON, but not an object: not shorthand either.
                if shape.ty != "list" && t.starts_with('[') {
                    return Err(CliError::param(cli, &format!("Invalid JSON:\n{text}")));
                }
                if t.starts_with('{') || t.starts_with('[') {
                    return self.json(cli, shape_name, text);
                }
                if text.trim().is_empty() {
                    return Err(CliError::param(cli, &format!("Invalid JSON:\n{text}")));
                }
                let sh = shorthand::parse(text).map_err(|e| CliError::param(cli, &e.0))?;
                self.typed_sh(cli, shape_name, &sh)
            }
            _ => self.scalar(cli, shape_name, text),
        }
    }

    fn scalar(&self, cli: &str, shape_name: &str, text: &str) -> Result<Value, CliError> {
        let shape = self.svc.shape(shape_name);
        Ok(match shape.ty.as_str() {
            "integer" | "long" => match text.trim().parse::<i64>() {
                Ok(i) => Value::from(i),
                Err(_) => {
                    return Err(CliError::general(format!(
                        "invalid literal for int() with base 10: '{text}'"
                    )))
                }
            },
            "float" | "double" => match text.trim().parse::<f64>() {
                Ok(f) => serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .unwrap_or(Value::Null),
                Err(_) => {
                    return Err(CliError::general(format!(
                        "could not convert string to float: '{text}'"
                    )))
                }
            },
            "boolean" => match text.to_ascii_lowercase().as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => Value::String(text.to_string()),
            },
            "blob" => Value::String(self.blob(cli, text)?),
            "timestamp" => match parse_time(text) {
                Some(us) => epoch(us),
                None => {
                    // botocore's message names the member (`--start-time` is StartTime).
                    let member: String = cli
                        .trim_start_matches('-')
                        .split('-')
                        .map(|w| {
                            let mut c = w.chars();
                            c.next()
                                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                                .unwrap_or_default()
                        })
                        .collect();
                    return Err(CliError::param_validation(vec![format!(
                        "Invalid type for parameter {member}, value: {text}, type: <class 'str'>, valid types: <class 'datetime.datetime'>, timestamp-string"
                    )]));
                }
            },
            _ => Value::String(text.to_string()),
        })
    }

    /// A blob given as text: base64 (decoded, as CLI v2 does by default) or raw text. CLI v2's
    /// Base64DecodeVisitor raises a plain exception for bad base64, so its general handler
    /// prints it (exit 255).
    fn blob(&self, _cli: &str, text: &str) -> Result<String, CliError> {
        match self.binary {
            BinaryFormat::RawInBase64Out => Ok(STANDARD.encode(text.as_bytes())),
            BinaryFormat::Base64 => match b64decode(text) {
                Ok(bytes) => Ok(STANDARD.encode(bytes)),
                // Python's base64 refuses a str with other characters before decoding: a
                // ValueError the visitor does not catch.
                Err(B64Error::NotAscii) => Err(CliError::general(
                    "string argument should contain only ASCII characters".into(),
                )),
                Err(B64Error::Invalid) => {
                    Err(CliError::general(format!("Invalid base64: \"{text}\"")))
                }
            },
        }
    }

    /// A JSON value typed by the model (blobs and timestamps into their wire form).
    pub fn typed_doc(&self, shape_name: &str, doc: &Doc) -> Result<Value, CliError> {
        let shape = self.svc.shape(shape_name);
        Ok(match (shape.ty.as_str(), doc) {
            ("structure", Doc::Map(m)) => {
                let mut out = Map::new();
                for (k, v) in m {
                    let value = match shape.members.get(k) {
                        Some(ms) => self.typed_doc(ms, v)?,
                        None => v.to_json(),
                    };
                    out.insert(k.clone(), value);
                }
                Value::Object(out)
            }
            ("list", Doc::List(l)) => {
                let member = shape.member.clone().unwrap_or_default();
                Value::Array(
                    l.iter()
                        .map(|x| self.typed_doc(&member, x))
                        .collect::<Result<_, _>>()?,
                )
            }
            ("map", Doc::Map(m)) => {
                let value = shape.value.clone().unwrap_or_default();
                let mut out = Map::new();
                for (k, v) in m {
                    out.insert(k.clone(), self.typed_doc(&value, v)?);
                }
                Value::Object(out)
            }
            ("blob", Doc::Str(s)) => Value::String(self.blob("", s)?),
            ("timestamp", Doc::Str(s)) => match parse_time(s) {
                Some(us) => epoch(us),
                None => Value::String(s.clone()),
            },
            _ => doc.to_json(),
        })
    }

    /// A shorthand tree typed by the model.
    fn typed_sh(&self, cli: &str, shape_name: &str, sh: &Sh) -> Result<Value, CliError> {
        let shape = self.svc.shape(shape_name);
        Ok(match (shape.ty.as_str(), sh) {
            ("structure", Sh::Map(m)) => {
                let mut out = Map::new();
                for (k, v) in m {
                    let value = match shape.members.get(k) {
                        Some(ms) => self.typed_sh(cli, ms, v)?,
                        None => sh_json(v),
                    };
                    out.insert(k.clone(), value);
                }
                Value::Object(out)
            }
            ("list", Sh::List(l)) => {
                let member = shape.member.clone().unwrap_or_default();
                Value::Array(
                    l.iter()
                        .map(|x| self.typed_sh(cli, &member, x))
                        .collect::<Result<_, _>>()?,
                )
            }
            ("list", other) => {
                let member = shape.member.clone().unwrap_or_default();
                Value::Array(vec![self.typed_sh(cli, &member, other)?])
            }
            ("map", Sh::Map(m)) => {
                let value = shape.value.clone().unwrap_or_default();
                let mut out = Map::new();
                for (k, v) in m {
                    out.insert(k.clone(), self.typed_sh(cli, &value, v)?);
                }
                Value::Object(out)
            }
            ("structure" | "map", other) => sh_json(other),
            (_, Sh::Str(s)) => self.scalar(cli, shape_name, s)?,
            (_, other) => sh_json(other),
        })
    }
}

/// paramfile.py's get_file path: `os.path.expandvars(os.path.expanduser(path))` in CloudShell
/// (the home directory, and `$HOME`, the one variable the terminal knows).
pub fn expand_path(path: &str) -> String {
    const HOME: &str = "/home/cloudshell-user";
    let path = match path.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("{HOME}{rest}"),
        _ => path.to_string(),
    };
    // os.path.expandvars: `$NAME` (a run of word characters) or `${NAME}`; unknown ones stay.
    let mut out = String::new();
    let mut rest = path.as_str();
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let plain = rest[1..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(rest.len(), |n| n + 1);
        let name_len = if rest[1..].starts_with("{HOME}") {
            "${HOME}".len()
        } else if &rest[1..plain] == "HOME" {
            plain
        } else {
            out.push('$');
            rest = &rest[1..];
            continue;
        };
        out.push_str(HOME);
        rest = &rest[name_len..];
    }
    out.push_str(rest);
    out
}

/// get_file's error for a file:// file that is not text (the path as it opened it).
pub fn undecodable(path: &str) -> String {
    format!(
        "Unable to load paramfile ({}), text contents could not be decoded.  If this is a binary file, please use the fileb:// prefix instead of the file:// prefix.",
        expand_path(path)
    )
}

/// get_file's error for a file that is not there: the argument as typed, then the OSError,
/// which names the path it opened.
pub fn missing(arg: &str, path: &str) -> String {
    format!(
        "Unable to load paramfile {arg}: [Errno 2] No such file or directory: '{}'",
        expand_path(path)
    )
}

/// The key of the one-member object that stands for Python bytes in the input (only
/// validation sees it: botocore refuses bytes for anything but a blob).
const BYTES: &str = "\u{0}bytes";

fn bytes_value(b: &[u8]) -> Value {
    let mut o = Map::new();
    o.insert(BYTES.into(), Value::String(bytes_repr(b)));
    Value::Object(o)
}

fn as_bytes(v: &Value) -> Option<&str> {
    match v {
        Value::Object(o) if o.len() == 1 => o.get(BYTES).and_then(Value::as_str),
        _ => None,
    }
}

/// Python's `repr()` of bytes: `b'...'` (double quotes when only `'` is in it), `\t`, `\n`,
/// `\r`, `\\`, the quote escaped, other bytes outside printable ASCII as `\xhh`.
fn bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = format!("b{quote}");
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            c if c as char == quote => {
                out.push('\\');
                out.push(quote);
            }
            0x20..=0x7e => out.push(c as char),
            c => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push(quote);
    out
}

fn sh_json(sh: &Sh) -> Value {
    match sh {
        Sh::Str(s) => Value::String(s.clone()),
        Sh::List(l) => Value::Array(l.iter().map(sh_json).collect()),
        Sh::Map(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), sh_json(v))).collect()),
    }
}

/// Epoch seconds, whole when they are.
fn epoch(us: i64) -> Value {
    if us % 1_000_000 == 0 {
        Value::from(us / 1_000_000)
    } else {
        serde_json::Number::from_f64(us as f64 / 1e6)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

// ---------------------------------------------------------------------------------------------
// botocore's ParamValidator.

fn py_type(v: &Value) -> &'static str {
    if as_bytes(v).is_some() {
        return "<class 'bytes'>";
    }
    match v {
        Value::Null => "<class 'NoneType'>",
        Value::Bool(_) => "<class 'bool'>",
        Value::Number(n) if n.is_i64() || n.is_u64() => "<class 'int'>",
        Value::Number(_) => "<class 'float'>",
        Value::String(_) => "<class 'str'>",
        Value::Array(_) => "<class 'list'>",
        Value::Object(_) => "<class 'dict'>",
    }
}

fn py_value(v: &Value) -> String {
    if let Some(repr) = as_bytes(v) {
        return repr.to_string();
    }
    match v {
        Value::String(s) => s.clone(),
        other => crate::format::python_repr(&Doc::from_json(other)),
    }
}

/// The input's client-side validation errors, as botocore words them (empty when valid).
pub fn validate(svc: &Svc, shape_name: &str, v: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    check(svc, shape_name, v, "input", &mut errors);
    errors
}

fn check(svc: &Svc, shape_name: &str, v: &Value, name: &str, errors: &mut Vec<String>) {
    let shape = svc.shape(shape_name);
    let type_error = |valid: &str, errors: &mut Vec<String>| {
        errors.push(format!(
            "Invalid type for parameter {name}, value: {}, type: {}, valid types: {valid}",
            py_value(v),
            py_type(v)
        ));
    };
    match shape.ty.as_str() {
        "structure" => {
            let Value::Object(o) = v else {
                return type_error("<class 'dict'>", errors);
            };
            for r in &shape.required {
                if !o.contains_key(r) {
                    errors.push(format!("Missing required parameter in {name}: \"{r}\""));
                }
            }
            let members = svc.members(shape_name);
            // The parameters in the model's order (the CLI builds them from its argument table
            // in that order), then any it does not know.
            let mut given: Vec<(&String, &Value)> = Vec::with_capacity(o.len());
            for (m, _) in &members {
                if let Some((k, x)) = o.get_key_value(*m) {
                    given.push((k, x));
                }
            }
            given.extend(o.iter().filter(|(k, _)| !shape.members.contains_key(*k)));
            for (k, x) in given {
                match shape.members.get(k) {
                    None => errors.push(format!(
                        "Unknown parameter in {name}: \"{k}\", must be one of: {}",
                        members
                            .iter()
                            .map(|(m, _)| *m)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                    Some(ms) => {
                        let child = if name == "input" {
                            k.clone()
                        } else {
                            format!("{name}.{k}")
                        };
                        check(svc, ms, x, &child, errors);
                    }
                }
            }
        }
        "list" => {
            let Value::Array(a) = v else {
                return type_error("<class 'list'>, <class 'tuple'>", errors);
            };
            if let Some(min) = shape.min {
                if (a.len() as f64) < min {
                    errors.push(format!(
                        "Invalid length for parameter {name}, value: {}, valid min length: {min}",
                        a.len()
                    ));
                }
            }
            let member = shape.member.clone().unwrap_or_default();
            for (i, x) in a.iter().enumerate() {
                check(svc, &member, x, &format!("{name}[{i}]"), errors);
            }
        }
        "map" => {
            let Value::Object(o) = v else {
                return type_error("<class 'dict'>", errors);
            };
            let value = shape.value.clone().unwrap_or_default();
            for (k, x) in o {
                check(svc, &value, x, &format!("{name}.{k}"), errors);
            }
        }
        "string" => {
            let Value::String(s) = v else {
                return type_error("<class 'str'>", errors);
            };
            if let Some(min) = shape.min {
                let len = s.chars().count();
                if (len as f64) < min {
                    errors.push(format!("Invalid length for parameter {name}, value: {len}, valid min length: {min}"));
                }
            }
        }
        "integer" | "long" => {
            let Some(i) = v.as_i64() else {
                return type_error("<class 'int'>", errors);
            };
            if let Some(min) = shape.min {
                if (i as f64) < min {
                    errors.push(format!(
                        "Invalid value for parameter {name}, value: {i}, valid min value: {min}"
                    ));
                }
            }
        }
        "float" | "double" if !v.is_number() => {
            type_error(
                "<class 'float'>, <class 'decimal.Decimal'>, <class 'int'>",
                errors,
            );
        }
        "boolean" if !v.is_boolean() => {
            type_error("<class 'bool'>", errors);
        }
        "blob" if !v.is_string() => {
            type_error(
                "<class 'bytes'>, <class 'bytearray'>, file-like object",
                errors,
            );
        }
        "timestamp" if !v.is_number() => {
            type_error("<class 'datetime.datetime'>, timestamp-string", errors);
        }
        _ => {}
    }
}

enum B64Error {
    NotAscii,
    Invalid,
}

/// Python's `base64.b64decode` without `validate=True` (binascii's non-strict `a2b_base64`):
/// characters outside the alphabet are skipped, `=` ends the data once it completes a quad
/// (`ab==cd` is `i`) and is skipped where it cannot (`test=`), and only a quad left unfinished
/// at the end is an error.
fn b64decode(text: &str) -> Result<Vec<u8>, B64Error> {
    if !text.is_ascii() {
        return Err(B64Error::NotAscii);
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut quad, mut pads, mut left) = (0u8, 0u8, 0u8);
    for c in text.bytes() {
        if c == b'=' {
            if quad >= 2 {
                pads += 1;
                if quad + pads >= 4 {
                    return Ok(out);
                }
            }
            continue;
        }
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        pads = 0;
        match quad {
            0 => left = v,
            1 => {
                out.push(left << 2 | v >> 4);
                left = v & 0x0f;
            }
            2 => {
                out.push(left << 4 | v >> 2);
                left = v & 0x03;
            }
            _ => out.push(left << 6 | v),
        }
        quad = (quad + 1) % 4;
    }
    if quad == 0 {
        Ok(out)
    } else {
        Err(B64Error::Invalid)
    }
}
