//! AWS's API models of the services the engine answers (KMS, the parts of IAM and STS it
//! implements, and CloudTrail's LookupEvents; extracted from `service-2.json` by
//! `tools/gen-model.py`) and the input validation they define: required members, types,
//! lengths, ranges, patterns and enums, reported as each service reports them (KMS:
//! `ValidationException: 1 validation error detected: ...`; IAM and STS: `ValidationError` with
//! the same sentences).

use crate::error::{ErrorType, KmsError, Result};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const KMS_JSON: &str = include_str!("../model/kms-model.json");
const IAM_JSON: &str = include_str!("../model/iam-model.json");
const STS_JSON: &str = include_str!("../model/sts-model.json");
const CLOUDTRAIL_JSON: &str = include_str!("../model/cloudtrail-model.json");
const CLOUDFORMATION_JSON: &str = include_str!("../model/cloudformation-model.json");

/// How a service's requests and answers travel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// JSON 1.1 with `X-Amz-Target` (KMS).
    #[default]
    Json,
    /// Form-encoded requests, XML answers (IAM, STS): see `crate::query`.
    Query,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Model {
    pub api_version: String,
    /// JSON protocol only: what precedes the operation in `X-Amz-Target`.
    #[serde(default)]
    pub target_prefix: String,
    #[serde(default)]
    pub protocol: Protocol,
    /// Query protocol only: the namespace of every answer's root element.
    #[serde(default)]
    pub xml_namespace: Option<String>,
    pub operations: BTreeMap<String, Operation>,
    pub shapes: BTreeMap<String, Shape>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    pub input: Option<String>,
    pub output: Option<String>,
    #[serde(default)]
    pub errors: Vec<String>,
    /// Query protocol: the element that wraps the output inside `<OperationResponse>`.
    pub result_wrapper: Option<String>,
}

/// An error shape's wire identity (query protocol).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorInfo {
    pub code: String,
    pub http_status_code: u16,
    #[serde(default)]
    pub sender_fault: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
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
    /// Member name to shape name.
    #[serde(default)]
    pub members: BTreeMap<String, String>,
    pub member: Option<String>,
    pub key: Option<String>,
    pub value: Option<String>,
    #[serde(default)]
    pub sensitive: bool,
    /// Query protocol: members whose wire name differs from the member name.
    #[serde(default)]
    pub location_names: BTreeMap<String, String>,
    /// Query protocol: members (lists, maps) written without their `member`/`entry` level.
    #[serde(default)]
    pub flattened_members: Vec<String>,
    /// Query protocol: a list or map shape written without its `member`/`entry` level.
    #[serde(default)]
    pub flattened: bool,
    /// Query protocol: a list's item name (default `member`), a map's key and value names
    /// (default `key`, `value`).
    pub member_location_name: Option<String>,
    pub key_location_name: Option<String>,
    pub value_location_name: Option<String>,
    /// A timestamp's wire format when not the protocol's default.
    pub timestamp_format: Option<String>,
    /// Error shapes of query-protocol models: the code, HTTP status and fault.
    pub error: Option<ErrorInfo>,
}

/// The KMS model (2014-11-01).
pub fn kms() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| serde_json::from_str(KMS_JSON).expect("embedded KMS model parses"))
}

/// The IAM model (2010-05-08), the operations the engine implements.
pub fn iam() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| serde_json::from_str(IAM_JSON).expect("embedded IAM model parses"))
}

/// The STS model (2011-06-15), the operations the engine implements.
pub fn sts() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| serde_json::from_str(STS_JSON).expect("embedded STS model parses"))
}

/// The CloudTrail model (2013-11-01): LookupEvents only (see `crate::trail`).
pub fn cloudtrail() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        serde_json::from_str(CLOUDTRAIL_JSON).expect("embedded CloudTrail model parses")
    })
}

/// The CloudFormation model (2010-05-15): the stack operations the engine answers.
pub fn cloudformation() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        serde_json::from_str(CLOUDFORMATION_JSON).expect("embedded CloudFormation model parses")
    })
}

/// The KMS model, by its older name.
pub fn model() -> &'static Model {
    kms()
}

/// Checks a KMS request body against the operation's input shape.
pub fn validate_input(operation: &str, body: &Value) -> Result<()> {
    kms().validate_input(operation, body)
}

impl Model {
    pub fn shape(&self, name: &str) -> &Shape {
        &self.shapes[name]
    }

    /// The SDK's exception name for a query-protocol error code: the error shape that carries
    /// it (`NoSuchEntity` is `NoSuchEntityException`). `None` for codes no shape of this model
    /// carries, which the SDK names by the code itself.
    pub fn exception_name(&self, code: &str) -> Option<&str> {
        self.shapes
            .iter()
            .find(|(_, s)| s.error.as_ref().is_some_and(|e| e.code == code))
            .map(|(name, _)| name.as_str())
    }

    /// The answer to an operation the model does not have, in the service's words.
    pub fn unknown_operation(&self, operation: &str) -> KmsError {
        match self.protocol {
            Protocol::Json => KmsError::new(ErrorType::UnknownOperation, ""),
            Protocol::Query => KmsError::new(
                ErrorType::InvalidAction,
                format!(
                    "Could not find operation {operation} for version {}",
                    self.api_version
                ),
            ),
        }
    }

    /// A constraint violation, as the service reports it.
    fn validation(&self, message: String) -> KmsError {
        match self.protocol {
            Protocol::Json => KmsError::validation(message),
            Protocol::Query => KmsError::validation_error(message),
        }
    }

    /// A value of the wrong type: KMS cannot deserialize it; the query services, which read
    /// every value from a string, call it a validation error.
    fn type_error(&self, path: &str, expected: &str) -> KmsError {
        let at = if path.is_empty() {
            "the request body".to_string()
        } else {
            format!("'{path}'")
        };
        let message = format!("Expected {expected} at {at}");
        match self.protocol {
            Protocol::Json => KmsError::serialization(message),
            Protocol::Query => KmsError::validation_error(message),
        }
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
            .get_or_init(|| regex_lite::Regex::new(&regex_source(pattern)).ok());
        // A pattern this engine cannot compile is not enforced rather than refusing every value.
        re.as_ref().is_none_or(|re| re.is_match(value))
    }

    /// The name a member travels under in the query protocol.
    pub fn location_name<'a>(&'a self, member: &'a str) -> &'a str {
        self.location_names
            .get(member)
            .map(String::as_str)
            .unwrap_or(member)
    }

    /// Whether a member (of this structure) is a flattened list or map.
    pub fn is_flattened_member(&self, member: &str) -> bool {
        self.flattened_members.iter().any(|m| m == member)
    }
}

/// A model's pattern as `regex_lite` takes it, anchored. `regex_lite` has no Unicode classes: IAM's
/// tag patterns (`[\p{L}\p{Z}\p{N}_.:/=+\-@]+`) become exact for ASCII, where users' mistakes
/// are, and admit every non-ASCII character.
fn regex_source(pattern: &str) -> String {
    let p = pattern
        .replace(r"\p{L}", r"A-Za-z\x{80}-\x{10FFFF}")
        .replace(r"\p{Z}", " ")
        .replace(r"\p{N}", "0-9");
    format!("^(?:{p})$")
}

impl Model {
    /// Checks a request body (in the JSON value form) against the operation's input shape.
    pub fn validate_input(&self, operation: &str, body: &Value) -> Result<()> {
        let Some(op) = self.operations.get(operation) else {
            return Err(self.unknown_operation(operation));
        };
        let Some(input) = &op.input else {
            return Ok(());
        };
        let mut errors = Vec::new();
        check(self, input, body, &Path::Root, &mut errors)?;
        if errors.is_empty() {
            Ok(())
        } else {
            let n = errors.len();
            let plural = if n == 1 { "error" } else { "errors" };
            Err(self.validation(format!(
                "{n} validation {plural} detected: {}",
                errors.join("; ")
            )))
        }
    }
}

pub(crate) fn lower_camel(name: &str) -> String {
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

/// Where a value is in the request, as AWS's messages name it (`keyId`, `tags.1.member`,
/// `encryptionContext.k.value`). Rendered only for a message: a valid request builds no text.
#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Member(&'a Path<'a>, &'a str),
    Item(&'a Path<'a>, usize),
    MapKey(&'a Path<'a>, &'a str),
    MapValue(&'a Path<'a>, &'a str),
}

impl Path<'_> {
    fn render(&self) -> String {
        match self {
            Path::Root => String::new(),
            Path::Member(parent, name) => join(&parent.render(), &lower_camel(name)),
            Path::Item(parent, i) => format!("{}.{}.member", parent.render(), i + 1),
            Path::MapKey(parent, k) => format!("{}.{k}.key", parent.render()),
            Path::MapValue(parent, k) => format!("{}.{k}.value", parent.render()),
        }
    }
}

/// Type mismatches are errors at once (KMS's SerializationException: the JSON cannot be read as
/// the shape); constraint violations are collected into `errors` as AWS words them.
fn check(
    m: &Model,
    shape_name: &str,
    v: &Value,
    path: &Path<'_>,
    errors: &mut Vec<String>,
) -> Result<()> {
    let s = m.shape(shape_name);
    let iam = std::ptr::eq(m, iam());
    let shown = || -> String {
        if s.sensitive || s.ty == "blob" || (iam && IAM_HIDDEN.contains(&shape_name)) {
            "Value".to_string()
        } else {
            match v {
                Value::String(x) => format!("Value '{x}'"),
                // A list of strings or numbers as AWS's Java services print one: `[a, b]`.
                Value::Array(items) if items.iter().all(|i| i.is_string() || i.is_number()) => {
                    let items: Vec<String> = items
                        .iter()
                        .map(|i| match i {
                            Value::String(x) => x.clone(),
                            other => other.to_string(),
                        })
                        .collect();
                    format!("Value '[{}]'", items.join(", "))
                }
                other => format!("Value '{other}'"),
            }
        }
    };
    let at = || format!("at '{}'", path.render());
    let type_error = |expected: &str| m.type_error(&path.render(), expected);
    match s.ty.as_str() {
        "structure" => {
            let obj = v.as_object().ok_or_else(|| type_error("a structure"))?;
            for req in &s.required {
                if obj.get(req).is_none_or(Value::is_null) {
                    // A sensitive blob is not shown even when missing: "Value at", no `null`.
                    let member = s.members.get(req).map(|n| m.shape(n));
                    let value = if member.is_some_and(|x| x.sensitive && x.ty == "blob") {
                        "Value"
                    } else {
                        "Value null"
                    };
                    errors.push(format!(
                        "{value} at '{}' failed to satisfy constraint: Member must not be null",
                        Path::Member(path, req).render()
                    ));
                }
            }
            for (name, member_shape) in &s.members {
                if let Some(mv) = obj.get(name).filter(|x| !x.is_null()) {
                    check(m, member_shape, mv, &Path::Member(path, name), errors)?;
                }
            }
        }
        "string" => {
            let x = v.as_str().ok_or_else(|| type_error("a string"))?;
            let len = x.chars().count() as f64;
            length(s, len, &shown, &at, errors);
            if !s.matches_pattern(x) {
                errors.push(format!(
                    "{} {} failed to satisfy constraint: Member must satisfy regular expression pattern: {}",
                    shown(),
                    at(),
                    s.pattern.as_deref().unwrap_or_default()
                ));
            }
            if let Some(values) = &s.enum_values {
                if !values.iter().any(|e| e == x) {
                    errors.push(format!(
                        "{} {} failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                        shown(), at(), listed_enum(m, shape_name, values).join(", ")
                    ));
                }
            }
        }
        "blob" => {
            let x = v
                .as_str()
                .ok_or_else(|| type_error("a base64-encoded blob"))?;
            let mut bytes = base64::engine::general_purpose::STANDARD
                .decode(x)
                .map_err(|_| {
                    KmsError::serialization(format!("Invalid base64 at '{}'", path.render()))
                })?;
            let len = bytes.len();
            // The blob may be a plaintext: the copy made to measure it does not outlive the check.
            zeroize::Zeroize::zeroize(&mut bytes);
            length(s, len as f64, &shown, &at, errors);
        }
        "integer" | "long" => {
            let n = v.as_i64().ok_or_else(|| type_error("an integer"))? as f64;
            if let Some(min) = s.min.filter(|min| n < *min) {
                errors.push(format!(
                    "{} {} failed to satisfy constraint: Member must have value greater than or equal to {min}",
                    shown(), at()
                ));
            }
            if let Some(max) = s.max.filter(|max| n > *max) {
                errors.push(format!(
                    "{} {} failed to satisfy constraint: Member must have value less than or equal to {max}",
                    shown(), at()
                ));
            }
        }
        "boolean" => {
            v.as_bool().ok_or_else(|| type_error("a boolean"))?;
        }
        "timestamp" => {
            v.as_f64().ok_or_else(|| type_error("a timestamp"))?;
        }
        "list" => {
            let items = v.as_array().ok_or_else(|| type_error("a list"))?;
            length(s, items.len() as f64, &shown, &at, errors);
            let member = s.member.as_deref().expect("list has a member");
            if iam && shape_name == "tagKeyListType" {
                // IAM words a bad tag key of Untag* as one violation of the whole list, listing
                // every constraint of a member (LocalStack's test_iam_roles and test_iam_policies
                // snapshots).
                let mut bad = Vec::new();
                for item in items {
                    check(m, member, item, &Path::Root, &mut bad)?;
                }
                if !bad.is_empty() {
                    errors.push(format!(
                        "Value {} failed to satisfy constraint: Member must satisfy constraint: \
                         [{}]",
                        at(),
                        member_constraints(m.shape(member)).join(", ")
                    ));
                }
            } else {
                for (i, item) in items.iter().enumerate() {
                    check(m, member, item, &Path::Item(path, i), errors)?;
                }
            }
        }
        "map" => {
            let obj = v.as_object().ok_or_else(|| type_error("a map"))?;
            length(s, obj.len() as f64, &shown, &at, errors);
            let (ks, vs) = (
                s.key.as_deref().expect("map key"),
                s.value.as_deref().expect("map value"),
            );
            for (k, val) in obj {
                check(
                    m,
                    ks,
                    &Value::String(k.clone()),
                    &Path::MapKey(path, k),
                    errors,
                )?;
                check(m, vs, val, &Path::MapValue(path, k), errors)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// IAM's shapes whose values its validation messages leave out (`Value at 'tags.1.member.key'`,
/// `Value at 'tags'`, `Value at 'versionId'`), as AWS answers (LocalStack's IAM snapshots); names
/// and other members keep theirs (`Value 'x' at 'roleName'`).
const IAM_HIDDEN: &[&str] = &[
    "tagKeyType",
    "tagValueType",
    "tagListType",
    "tagKeyListType",
    "policyVersionIdType",
];

/// Every constraint of a string shape, as IAM lists them in one message: its maximum length,
/// minimum length, pattern, and that it must be there.
fn member_constraints(s: &Shape) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(max) = s.max {
        out.push(format!(
            "Member must have length less than or equal to {max}"
        ));
    }
    if let Some(min) = s.min {
        out.push(format!(
            "Member must have length greater than or equal to {min}"
        ));
    }
    if let Some(p) = &s.pattern {
        out.push(format!(
            "Member must satisfy regular expression pattern: {p}"
        ));
    }
    out.push("Member must not be null".to_string());
    out
}

/// KMS's order of an enum's values in its messages, where it differs from the model's: the
/// values listed first, then any others in the model's order (values added since). keyUsage,
/// macAlgorithm and encryptionAlgorithm as captured from AWS's answers; signingAlgorithm as the
/// floci emulator measured it (hectorvent/floci, KmsIntegrationTest.java).
const ENUM_ORDER: &[(&str, &[&str])] = &[
    (
        "KeyUsageType",
        &["ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC"],
    ),
    (
        "MacAlgorithmSpec",
        &[
            "HMAC_SHA_384",
            "HMAC_SHA_256",
            "HMAC_SHA_224",
            "HMAC_SHA_512",
        ],
    ),
    (
        "EncryptionAlgorithmSpec",
        &[
            "RSAES_OAEP_SHA_1",
            "RSAES_OAEP_SHA_256",
            "SM2PKE",
            "SYMMETRIC_DEFAULT",
        ],
    ),
    (
        "SigningAlgorithmSpec",
        &[
            "RSASSA_PSS_SHA_256",
            "RSASSA_PSS_SHA_384",
            "RSASSA_PSS_SHA_512",
            "RSASSA_PKCS1_V1_5_SHA_256",
            "RSASSA_PKCS1_V1_5_SHA_384",
            "RSASSA_PKCS1_V1_5_SHA_512",
            "ECDSA_SHA_256",
            "ECDSA_SHA_384",
            "ECDSA_SHA_512",
            "ED25519_SHA_512",
            "ED25519_PH_SHA_512",
            "SM2DSA",
            "ML_DSA_SHAKE_256",
        ],
    ),
];

/// GenerateDataKey's KeySpec (DataKeySpec) is refused with CreateKey's KeySpec values listed, in
/// this order (AWS's quirk, boto3#3428; the list as the floci emulator measured it).
const DATA_KEY_SPEC_LISTED: &[&str] = &[
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "ECC_NIST_P256",
    "ECC_NIST_P384",
    "ECC_NIST_P521",
    "ECC_SECG_P256K1",
    "ECC_NIST_EDWARDS25519",
    "SYMMETRIC_DEFAULT",
    "HMAC_224",
    "HMAC_256",
    "HMAC_384",
    "HMAC_512",
    "SM2",
    "ML_DSA_44",
    "ML_DSA_65",
    "ML_DSA_87",
];

/// The values an enum violation lists, as AWS lists them (see [`ENUM_ORDER`]).
fn listed_enum<'v>(m: &'v Model, shape_name: &str, values: &'v [String]) -> Vec<&'v str> {
    if !std::ptr::eq(m, kms()) {
        return values.iter().map(String::as_str).collect();
    }
    if shape_name == "DataKeySpec" {
        if let Some(key_specs) = m.shapes.get("KeySpec").and_then(|k| k.enum_values.as_ref()) {
            return in_order(DATA_KEY_SPEC_LISTED, key_specs);
        }
    }
    // CreateKey's KeySpec is the same enum in AWS: listed in the same order.
    if shape_name == "KeySpec" {
        return in_order(DATA_KEY_SPEC_LISTED, values);
    }
    match ENUM_ORDER.iter().find(|(name, _)| *name == shape_name) {
        Some((_, first)) => in_order(first, values),
        None => values.iter().map(String::as_str).collect(),
    }
}

/// `values` with those of `first` first, in its order, then the others (added since) in the
/// model's order.
fn in_order<'v>(first: &[&'static str], values: &'v [String]) -> Vec<&'v str> {
    let listed = values.iter().map(String::as_str);
    let known = first
        .iter()
        .filter_map(|f| values.iter().find(|v| v == f).map(String::as_str));
    known.chain(listed.filter(|v| !first.contains(v))).collect()
}

fn length(
    s: &Shape,
    len: f64,
    shown: &dyn Fn() -> String,
    at: &dyn Fn() -> String,
    errors: &mut Vec<String>,
) {
    if let Some(min) = s.min.filter(|min| len < *min) {
        errors.push(format!(
            "{} {} failed to satisfy constraint: Member must have length greater than or equal to {min}",
            shown(),
            at()
        ));
    }
    if let Some(max) = s.max.filter(|max| len > *max) {
        errors.push(format!(
            "{} {} failed to satisfy constraint: Member must have length less than or equal to {max}",
            shown(),
            at()
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
             Member must not be null; Value at 'plaintext' failed to satisfy constraint: \
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
        assert!(e.message.contains("Value 'NOPE' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: [ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT"), "{}", e.message);
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
mod query_model_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_iam_and_sts_models_hold_what_the_query_protocol_needs() {
        let iam = iam();
        assert_eq!(iam.protocol, Protocol::Query);
        assert_eq!(iam.api_version, "2010-05-08");
        assert_eq!(
            iam.xml_namespace.as_deref(),
            Some("https://iam.amazonaws.com/doc/2010-05-08/")
        );
        let op = &iam.operations["CreateUser"];
        assert_eq!(op.result_wrapper.as_deref(), Some("CreateUserResult"));
        assert!(op
            .errors
            .iter()
            .any(|e| e == "EntityAlreadyExistsException"));
        let e = iam.shape("NoSuchEntityException").error.as_ref().unwrap();
        assert_eq!((e.code.as_str(), e.http_status_code), ("NoSuchEntity", 404));
        assert!(e.sender_fault);
        assert_eq!(
            iam.exception_name("NoSuchEntity"),
            Some("NoSuchEntityException")
        );
        assert_eq!(iam.exception_name("ValidationError"), None);
        let sts = sts();
        assert_eq!(sts.api_version, "2011-06-15");
        assert_eq!(
            sts.operations["AssumeRole"].result_wrapper.as_deref(),
            Some("AssumeRoleResult")
        );
        assert_eq!(kms().protocol, Protocol::Json);
    }

    #[test]
    fn every_error_type_of_the_query_models_is_known_with_its_status() {
        for m in [iam(), sts()] {
            for (name, s) in &m.shapes {
                let Some(e) = &s.error else { continue };
                if let Some(t) = ErrorType::from_name(&e.code) {
                    assert_eq!(t.status(), e.http_status_code, "{name}");
                    assert_eq!(t.is_sender_fault(), e.sender_fault, "{name}");
                }
            }
        }
        for code in [
            "NoSuchEntity",
            "EntityAlreadyExists",
            "LimitExceeded",
            "MalformedPolicyDocument",
            "InvalidInput",
            "DeleteConflict",
            "UnmodifiableEntity",
            "ExpiredTokenException",
        ] {
            assert!(ErrorType::from_name(code).is_some(), "{code}");
        }
    }

    #[test]
    fn iam_reports_validation_errors_as_validation_error() {
        let e = iam()
            .validate_input("CreateUser", &json!({"UserName": "bad name!"}))
            .unwrap_err();
        assert_eq!(e.error_type, ErrorType::ValidationError);
        assert_eq!(e.status(), 400);
        assert_eq!(
            e.message,
            "1 validation error detected: Value 'bad name!' at 'userName' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"
        );
        let e = iam().validate_input("GetRole", &json!({})).unwrap_err();
        assert_eq!(
            e.message,
            "1 validation error detected: Value null at 'roleName' failed to satisfy constraint: \
             Member must not be null"
        );
        let e = iam()
            .validate_input(
                "CreateUser",
                &json!({"UserName": "a", "Tags": [{"Key": "bad*key", "Value": "v"}]}),
            )
            .unwrap_err();
        assert!(
            e.message.contains("Value at 'tags.1.member.key' failed"),
            "{}",
            e.message
        );
        iam()
            .validate_input(
                "CreateUser",
                &json!({"UserName": "a", "Tags": [{"Key": "équipe", "Value": "rouge vif"}]}),
            )
            .unwrap();
        let e = sts()
            .validate_input(
                "AssumeRole",
                &json!({"RoleArn": "arn:aws:iam::111122223333:role/r", "RoleSessionName": "s", "DurationSeconds": 600}),
            )
            .unwrap_err();
        assert_eq!(
            e.message,
            "2 validation errors detected: Value '600' at 'durationSeconds' failed to satisfy \
             constraint: Member must have value greater than or equal to 900; Value 's' at \
             'roleSessionName' failed to satisfy constraint: Member must have length greater than \
             or equal to 2"
        );
        let e = iam().validate_input("NoSuchThing", &json!({})).unwrap_err();
        assert_eq!(e.error_type, ErrorType::InvalidAction);
        assert_eq!(
            e.message,
            "Could not find operation NoSuchThing for version 2010-05-08"
        );
        let e = iam()
            .validate_input("ListUsers", &json!({"MaxItems": "ten"}))
            .unwrap_err();
        assert_eq!(e.error_type, ErrorType::ValidationError);
    }
}

#[cfg(test)]
mod pattern_tests {
    use super::{iam, model, regex_source, sts};

    #[test]
    fn every_pattern_of_the_models_compiles() {
        for m in [model(), iam(), sts(), super::cloudtrail()] {
            for (name, shape) in &m.shapes {
                if let Some(p) = &shape.pattern {
                    assert!(
                        regex_lite::Regex::new(&regex_source(p)).is_ok(),
                        "{name}: {p}"
                    );
                }
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
