//! AWS's KMS API model (extracted from `service-2.json` by `tools/gen-model.py`) and the input
//! validation it defines: required members, types, lengths, ranges, patterns and enums, reported as AWS
//! reports them (`ValidationException: 1 validation error detected: ...`).

use crate::error::{KmsError, Result};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const MODEL_JSON: &str = include_str!("../model/kms-model.json");

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Model {
    pub api_version: String,
    pub target_prefix: String,
    pub operations: BTreeMap<String, Operation>,
    pub shapes: BTreeMap<String, Shape>,
}

#[derive(Debug, Deserialize)]
pub struct Operation {
    pub input: Option<String>,
    pub output: Option<String>,
    #[serde(default)]
    pub errors: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct Shape {
    #[serde(rename = "type")]
    pub ty: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// A regular expression the whole value must match (AWS's validators match it whole).
    pub pattern: Option<String>,
    #[serde(skip)]
    compiled: OnceLock<Option<regex_lite::Regex>>,
    #[serde(rename = "enum")]
    pub enum_values: Option<Vec<String>>,
    #[serde(default)]
    pub required: Vec<String>,
    #[serde(default)]
    pub members: BTreeMap<String, String>,
    pub member: Option<String>,
    pub key: Option<String>,
    pub value: Option<String>,
    #[serde(default)]
    pub sensitive: bool,
}

pub fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| serde_json::from_str(MODEL_JSON).expect("embedded model parses"))
}

impl Model {
    pub fn shape(&self, name: &str) -> &Shape {
        &self.shapes[name]
    }
}

impl Shape {
    /// Whether `value` matches the shape's pattern (true when it has none).
    pub fn matches_pattern(&self, value: &str) -> bool {
        let Some(pattern) = &self.pattern else {
            return true;
        };
        let re = self
            .compiled
            .get_or_init(|| regex_lite::Regex::new(&format!("^(?:{pattern})$")).ok());
        // A pattern this engine cannot compile is not enforced rather than refusing every value.
        re.as_ref().is_none_or(|re| re.is_match(value))
    }
}

/// Checks a request body against the operation's input shape.
pub fn validate_input(operation: &str, body: &Value) -> Result<()> {
    let m = model();
    let Some(op) = m.operations.get(operation) else {
        return Err(KmsError::new(crate::ErrorType::UnknownOperation, ""));
    };
    let Some(input) = &op.input else {
        return Ok(());
    };
    let mut errors = Vec::new();
    check(m, input, body, "", &mut errors, true)?;
    if errors.is_empty() {
        Ok(())
    } else {
        let n = errors.len();
        let plural = if n == 1 { "error" } else { "errors" };
        Err(KmsError::validation(format!(
            "{n} validation {plural} detected: {}",
            errors.join("; ")
        )))
    }
}

fn lower_camel(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn join(path: &str, member: &str) -> String {
    if path.is_empty() {
        member.to_string()
    } else {
        format!("{path}.{member}")
    }
}

fn type_error(path: &str, expected: &str) -> KmsError {
    let at = if path.is_empty() {
        "the request body".to_string()
    } else {
        format!("'{path}'")
    };
    KmsError::serialization(format!("Expected {expected} at {at}"))
}

/// Type mismatches are SerializationExceptions (the JSON cannot be read as the shape); constraint
/// violations are collected into `errors` as AWS words them.
fn check(
    m: &Model,
    shape_name: &str,
    v: &Value,
    path: &str,
    errors: &mut Vec<String>,
    top: bool,
) -> Result<()> {
    let s = m.shape(shape_name);
    let shown = |v: &Value| -> String {
        if s.sensitive || s.ty == "blob" {
            "Value".to_string()
        } else {
            match v {
                Value::String(x) => format!("Value '{x}'"),
                other => format!("Value '{other}'"),
            }
        }
    };
    let at = |p: &str| format!("at '{p}'");
    match s.ty.as_str() {
        "structure" => {
            let obj = v
                .as_object()
                .ok_or_else(|| type_error(path, "a structure"))?;
            for req in &s.required {
                if obj.get(req).is_none_or(Value::is_null) {
                    errors.push(format!(
                        "Value null at '{}' failed to satisfy constraint: Member must not be null",
                        join(path, &lower_camel(req))
                    ));
                }
            }
            for (name, member_shape) in &s.members {
                if let Some(mv) = obj.get(name).filter(|x| !x.is_null()) {
                    check(
                        m,
                        member_shape,
                        mv,
                        &join(path, &lower_camel(name)),
                        errors,
                        false,
                    )?;
                }
            }
            let _ = top;
        }
        "string" => {
            let x = v.as_str().ok_or_else(|| type_error(path, "a string"))?;
            let len = x.chars().count() as f64;
            length(s, len, &shown(v), &at(path), errors);
            if !s.matches_pattern(x) {
                errors.push(format!(
                    "{} {} failed to satisfy constraint: Member must satisfy regular expression pattern: {}",
                    shown(v),
                    at(path),
                    s.pattern.as_deref().unwrap_or_default()
                ));
            }
            if let Some(values) = &s.enum_values {
                if !values.iter().any(|e| e == x) {
                    errors.push(format!(
                        "{} {} failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                        shown(v), at(path), values.join(", ")
                    ));
                }
            }
        }
        "blob" => {
            let x = v
                .as_str()
                .ok_or_else(|| type_error(path, "a base64-encoded blob"))?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(x)
                .map_err(|_| KmsError::serialization(format!("Invalid base64 at '{path}'")))?;
            length(s, bytes.len() as f64, &shown(v), &at(path), errors);
        }
        "integer" | "long" => {
            let n = v.as_i64().ok_or_else(|| type_error(path, "an integer"))? as f64;
            if let Some(min) = s.min.filter(|min| n < *min) {
                errors.push(format!(
                    "{} {} failed to satisfy constraint: Member must have value greater than or equal to {min}",
                    shown(v), at(path)
                ));
            }
            if let Some(max) = s.max.filter(|max| n > *max) {
                errors.push(format!(
                    "{} {} failed to satisfy constraint: Member must have value less than or equal to {max}",
                    shown(v), at(path)
                ));
            }
        }
        "boolean" => {
            v.as_bool().ok_or_else(|| type_error(path, "a boolean"))?;
        }
        "timestamp" => {
            v.as_f64().ok_or_else(|| type_error(path, "a timestamp"))?;
        }
        "list" => {
            let items = v.as_array().ok_or_else(|| type_error(path, "a list"))?;
            length(s, items.len() as f64, &shown(v), &at(path), errors);
            let member = s.member.as_deref().expect("list has a member");
            for (i, item) in items.iter().enumerate() {
                check(
                    m,
                    member,
                    item,
                    &format!("{}.{}.member", path, i + 1),
                    errors,
                    false,
                )?;
            }
        }
        "map" => {
            let obj = v.as_object().ok_or_else(|| type_error(path, "a map"))?;
            length(s, obj.len() as f64, &shown(v), &at(path), errors);
            let (ks, vs) = (
                s.key.as_deref().expect("map key"),
                s.value.as_deref().expect("map value"),
            );
            for (k, val) in obj {
                check(
                    m,
                    ks,
                    &Value::String(k.clone()),
                    &format!("{path}.{k}.key"),
                    errors,
                    false,
                )?;
                check(m, vs, val, &format!("{path}.{k}.value"), errors, false)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn length(s: &Shape, len: f64, shown: &str, at: &str, errors: &mut Vec<String>) {
    if let Some(min) = s.min.filter(|min| len < *min) {
        errors.push(format!(
            "{shown} {at} failed to satisfy constraint: Member must have length greater than or equal to {min}"
        ));
    }
    if let Some(max) = s.max.filter(|max| len > *max) {
        errors.push(format!(
            "{shown} {at} failed to satisfy constraint: Member must have length less than or equal to {max}"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_model_has_every_kms_operation() {
        assert_eq!(model().operations.len(), 56);
        assert_eq!(model().target_prefix, "TrentService");
    }

    #[test]
    fn missing_required_members_are_named_as_aws_names_them() {
        let e = validate_input("Encrypt", &json!({})).unwrap_err();
        assert_eq!(e.error_type, crate::ErrorType::Validation);
        assert_eq!(
            e.message,
            "2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: \
             Member must not be null; Value null at 'plaintext' failed to satisfy constraint: \
             Member must not be null"
        );
    }

    #[test]
    fn ranges_enums_and_lengths() {
        let e = validate_input("GenerateRandom", &json!({"NumberOfBytes": 2000})).unwrap_err();
        assert_eq!(
            e.message,
            "1 validation error detected: Value '2000' at 'numberOfBytes' failed to satisfy \
             constraint: Member must have value less than or equal to 1024"
        );
        let e = validate_input("CreateKey", &json!({"KeyUsage": "NOPE"})).unwrap_err();
        assert!(e.message.contains("Value 'NOPE' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: [SIGN_VERIFY, ENCRYPT_DECRYPT"), "{}", e.message);
        let big = base64::engine::general_purpose::STANDARD.encode(vec![0u8; 4097]);
        let e = validate_input("Encrypt", &json!({"KeyId": "k", "Plaintext": big})).unwrap_err();
        assert!(e.message.ends_with("Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096"), "{}", e.message);
    }

    #[test]
    fn wrong_json_types_are_serialization_errors() {
        let e = validate_input("DescribeKey", &json!({"KeyId": 7})).unwrap_err();
        assert_eq!(e.error_type, crate::ErrorType::Serialization);
        let e = validate_input("Encrypt", &json!({"KeyId": "k", "Plaintext": "!!!"})).unwrap_err();
        assert_eq!(e.error_type, crate::ErrorType::Serialization);
    }
}

#[cfg(test)]
mod pattern_tests {
    use super::model;

    #[test]
    fn every_pattern_of_the_model_compiles() {
        for (name, shape) in &model().shapes {
            if let Some(p) = &shape.pattern {
                assert!(
                    regex_lite::Regex::new(&format!("^(?:{p})$")).is_ok(),
                    "{name}: {p}"
                );
            }
        }
    }

    #[test]
    fn patterns_match_whole_values() {
        let m = model();
        assert!(m
            .shape("PrincipalIdType")
            .matches_pattern("arn:aws:iam::111122223333:user/a.b+c=d,e@f"));
        assert!(!m
            .shape("PrincipalIdType")
            .matches_pattern("not a principal!"));
        assert!(m.shape("AccountIdType").matches_pattern("111122223333"));
        assert!(!m.shape("AccountIdType").matches_pattern("1111222233334"));
        assert!(m
            .shape("PolicyType")
            .matches_pattern("{\"Version\": \"2012-10-17\"}\n\t"));
        assert!(!m.shape("PolicyType").matches_pattern("emoji \u{1F600}"));
        assert!(m
            .shape("ServicePrincipalType")
            .matches_pattern("ebs.amazonaws.com"));
        assert!(!m.shape("ServicePrincipalType").matches_pattern("ebs"));
    }
}
