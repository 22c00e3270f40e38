//! The CloudTrail record of one API call, and of one thing KMS did on its own, field by field as
//! the developer guide's `ct-*.md` examples show them.
//!
//! `requestParameters` and `responseElements` follow one rule, driven by the service's model:
//! member names in lowerCamel case, map keys (an encryption context, tags) as given, timestamps as
//! `Aug 10, 2022, 10:38:27 PM`, and no member that is a blob or that the model marks sensitive,
//! nor any `SecretAccessKey` or `SessionToken`. On top of it, what the examples show of each KMS
//! operation: the defaults AWS writes (CreateKey, Encrypt, Decrypt, ReEncrypt, Sign, Verify), the
//! key ARN as Decrypt's `keyId` when the request named no key, no parameters for GenerateRandom and RetireGrant, and a response
//! only for operations that change something (never for reads or cryptographic operations).

use super::{element_time, event_time, ServiceEvent, ServiceEventKind};
use crate::caller::{Caller, Identity};
use crate::env::Millis;
use crate::error::KmsError;
use crate::model::{lower_camel, Model};
use crate::records::iam::IamView;
use crate::resolve::{resolve_ref, Naming};
use crate::service::Service;
use crate::tx::{Req, Tx};
use crate::Engine;
use serde_json::{json, Map, Value};

/// CloudTrail's record format version, as the current examples carry it.
const EVENT_VERSION: &str = "1.08";

/// Members no record carries, whatever their shape: credentials.
const SECRET_MEMBERS: [&str; 2] = ["SecretAccessKey", "SessionToken"];

/// What only the engine knows about a request, for its record: found before the request ran.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrailFacts {
    /// The ARNs of the KMS keys and aliases the request named, in the order the record lists
    /// them (an alias's target key included; for Decrypt and ReEncrypt, the key the ciphertext
    /// names).
    pub resources: Vec<String>,
    /// The grant a RetireGrant retired (it may name it by its token alone).
    pub grant_id: Option<String>,
}

/// One API call, as the shell saw it.
#[derive(Debug, Clone, Copy)]
pub struct CallRecordInput<'a> {
    pub service: Service,
    /// The Region the request went to (IAM calls are recorded in us-east-1 whatever it is).
    pub region: &'a str,
    pub operation: &'a str,
    /// The request in the JSON value form the engine took (KMS's wire JSON; IAM and STS as the
    /// query codec decodes them).
    pub request: &'a Value,
    pub result: &'a Result<Value, KmsError>,
    pub caller: &'a Caller,
    /// When the call was made (sandbox time).
    pub time: Millis,
    /// The request id the answer carried (`x-amzn-RequestId`); the shell makes one per request.
    pub request_id: &'a str,
    /// A new UUID for this record.
    pub event_id: &'a str,
    pub user_agent: &'a str,
    pub source_ip: &'a str,
    /// The outcome's [`crate::Outcome::trail`] (empty for IAM, STS and CloudTrail calls).
    pub facts: &'a TrailFacts,
    /// For a role session, when AssumeRole issued it ([`Engine::session_created`]).
    pub session_created: Option<Millis>,
}

/// The CloudTrail record (`eventType` `AwsApiCall`) of one call to any service of the account.
pub fn api_call_record(input: &CallRecordInput<'_>) -> Value {
    let CallRecordInput {
        service,
        operation,
        caller,
        ..
    } = *input;
    let mut r = Map::new();
    r.insert("eventVersion".into(), json!(EVENT_VERSION));
    r.insert(
        "userIdentity".into(),
        user_identity(caller, input.region, input.session_created),
    );
    r.insert("eventTime".into(), json!(event_time(input.time)));
    r.insert("eventSource".into(), json!(service.event_source()));
    r.insert("eventName".into(), json!(operation));
    r.insert(
        "awsRegion".into(),
        json!(service.event_region(input.region)),
    );
    r.insert("sourceIPAddress".into(), json!(input.source_ip));
    r.insert("userAgent".into(), json!(input.user_agent));
    if let Err(e) = input.result {
        let code = e.error_type.as_str();
        // IAM and STS record the exception's name (NoSuchEntityException), not the query code.
        let code = service.model().exception_name(code).unwrap_or(code);
        r.insert("errorCode".into(), json!(code));
        // An error without a message has no errorMessage in its record
        // (ct-generatedatakeyplaintext.md).
        if !e.message.is_empty() {
            r.insert("errorMessage".into(), json!(e.message));
        }
    }
    r.insert("requestParameters".into(), request_parameters(input));
    r.insert("responseElements".into(), response_elements(input));
    if service == Service::Kms && operation == "RetireGrant" {
        let grant_id = input
            .facts
            .grant_id
            .clone()
            .or_else(|| Req(input.request).str("GrantId").map(str::to_string));
        if let Some(id) = grant_id {
            r.insert("additionalEventData".into(), json!({ "grantId": id }));
        }
    }
    r.insert("requestID".into(), json!(input.request_id));
    r.insert("eventID".into(), json!(input.event_id));
    r.insert("readOnly".into(), json!(read_only(service, operation)));
    if let Some(resources) = resources(input) {
        r.insert("resources".into(), resources);
    }
    r.insert("eventType".into(), json!("AwsApiCall"));
    r.insert("managementEvent".into(), json!(true));
    r.insert("recipientAccountId".into(), json!(caller.account_id()));
    r.insert("eventCategory".into(), json!("Management"));
    Value::Object(r)
}

/// The CloudTrail record (`eventType` `AwsServiceEvent`) of a deletion or rotation KMS did on its
/// own. `event_id` is a new UUID.
pub fn service_event_record(event: &ServiceEvent, event_id: &str) -> Value {
    if let Some(record) = event.invoked_record(event_id) {
        return record;
    }
    let mut r = Map::new();
    r.insert("eventVersion".into(), json!(EVENT_VERSION));
    r.insert(
        "userIdentity".into(),
        json!({ "accountId": event.account_id, "invokedBy": "AWS Internal" }),
    );
    r.insert("eventTime".into(), json!(event_time(event.time)));
    r.insert("eventSource".into(), json!(Service::Kms.event_source()));
    r.insert("eventName".into(), json!(event.kind.event_name()));
    r.insert("awsRegion".into(), json!(event.region));
    r.insert("sourceIPAddress".into(), json!("AWS Internal"));
    r.insert("userAgent".into(), json!("AWS Internal"));
    r.insert("requestParameters".into(), Value::Null);
    r.insert("responseElements".into(), Value::Null);
    let api_call = event.kind == ServiceEventKind::SynchronizeMultiRegionKey;
    if api_call {
        // An AwsApiCall KMS makes to itself has a request id; the event id serves as one.
        r.insert("requestID".into(), json!(event_id));
    }
    r.insert("eventID".into(), json!(event_id));
    r.insert("readOnly".into(), json!(false));
    r.insert(
        "resources".into(),
        json!([key_resource(&event.key_arn, &event.account_id)]),
    );
    r.insert(
        "eventType".into(),
        json!(if api_call {
            "AwsApiCall"
        } else {
            "AwsServiceEvent"
        }),
    );
    r.insert("managementEvent".into(), json!(true));
    r.insert("recipientAccountId".into(), json!(event.account_id));
    r.insert("eventCategory".into(), json!("Management"));
    if matches!(
        event.kind,
        ServiceEventKind::RotateKey | ServiceEventKind::DeleteExpiredKeyMaterial
    ) {
        r.insert(
            "serviceEventDetails".into(),
            json!({ "keyId": event.key_id }),
        );
    }
    Value::Object(r)
}

/// Whether CloudTrail records a successful KMS call of `operation` in two Regions (a shell that
/// keeps compact records makes the whole one only for these).
pub fn recorded_in_two_regions(operation: &str) -> bool {
    operation == "UpdatePrimaryRegion"
}

/// The second record of a call CloudTrail records in two Regions, made from the first:
/// UpdatePrimaryRegion "writes two CloudTrail log entries" (`ct-update-primary-region.md`), the
/// second in the new primary's Region, invoked by KMS, naming the key by its ARN there, with the
/// same request id and no `resources`. `None` for every other call.
pub fn second_region_record(record: &Value, event_id: &str) -> Option<Value> {
    if !record["eventName"]
        .as_str()
        .is_some_and(recorded_in_two_regions)
        || record["eventSource"] != Service::Kms.event_source()
        || record.get("errorCode").is_some()
    {
        return None;
    }
    let region = record["requestParameters"]["primaryRegion"].as_str()?;
    let old_region = record["awsRegion"].as_str()?;
    let arn = record["resources"][0]["ARN"].as_str()?;
    let arn = arn.replacen(&format!(":{old_region}:"), &format!(":{region}:"), 1);
    let mut second = record.clone();
    let r = second.as_object_mut()?;
    r.insert("awsRegion".into(), json!(region));
    r.insert("eventID".into(), json!(event_id));
    r.remove("resources");
    r.get_mut("requestParameters")?
        .as_object_mut()?
        .insert("keyId".into(), json!(arn));
    r.get_mut("userIdentity")?
        .as_object_mut()?
        .insert("invokedBy".into(), json!("kms.amazonaws.com"));
    Some(second)
}

impl Engine {
    /// When AssumeRole issued the session a caller signs with (`None` for users, the root user,
    /// or a session the account no longer holds): the `creationDate` of a role session's record.
    pub fn session_created(&self, caller: &Caller) -> Option<Millis> {
        if !matches!(caller.identity, Identity::AssumedRole { .. }) {
            return None;
        }
        let id = caller.access_key_id.as_deref()?;
        self.iam.session(id).map(|s| s.created)
    }
}

/// `userIdentity` as CloudTrail writes it for the root user, an IAM user and a role session
/// calling in `region` (whose partition its ARNs are in).
fn user_identity(caller: &Caller, region: &str, session_created: Option<Millis>) -> Value {
    let mut u = Map::new();
    u.insert("type".into(), json!(caller.identity_type()));
    u.insert("principalId".into(), json!(caller.principal_id()));
    u.insert("arn".into(), json!(caller.arn(region)));
    u.insert("accountId".into(), json!(caller.account_id()));
    if let Some(id) = &caller.access_key_id {
        u.insert("accessKeyId".into(), json!(id));
    }
    match &caller.identity {
        Identity::Root { .. } => {}
        Identity::User { name, .. } => {
            u.insert("userName".into(), json!(name));
        }
        Identity::AssumedRole {
            account_id,
            role_name,
            role_id,
            ..
        } => {
            let mut attributes = Map::new();
            if let Some(t) = session_created {
                attributes.insert("creationDate".into(), json!(event_time(t)));
            }
            attributes.insert("mfaAuthenticated".into(), json!("false"));
            u.insert(
                "sessionContext".into(),
                json!({
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": role_id,
                        "arn": caller.role_arn(region),
                        "accountId": account_id,
                        "userName": role_name,
                    },
                    "attributes": attributes,
                }),
            );
        }
    }
    Value::Object(u)
}

/// Whether CloudTrail marks the operation `readOnly`: reads, and KMS's cryptographic operations
/// (the examples mark Encrypt, GenerateDataKey and Sign read-only), and STS's.
fn read_only(service: Service, operation: &str) -> bool {
    let read = ["Describe", "Get", "List", "Lookup"]
        .iter()
        .any(|p| operation.starts_with(p));
    match service {
        Service::Kms => read || is_cryptographic(operation),
        Service::Sts | Service::CloudTrail => true,
        Service::Iam => read,
        Service::CloudFormation => read || operation == "ValidateTemplate",
    }
}

/// KMS's cryptographic operations: their records have no `responseElements`.
pub(crate) fn is_cryptographic(operation: &str) -> bool {
    matches!(
        operation,
        "Encrypt"
            | "Decrypt"
            | "ReEncrypt"
            | "GenerateDataKey"
            | "GenerateDataKeyWithoutPlaintext"
            | "GenerateDataKeyPair"
            | "GenerateDataKeyPairWithoutPlaintext"
            | "GenerateRandom"
            | "GenerateMac"
            | "VerifyMac"
            | "Sign"
            | "Verify"
            | "DeriveSharedSecret"
            | "Encapsulate"
            | "Decapsulate"
    )
}

fn request_parameters(input: &CallRecordInput<'_>) -> Value {
    let model = input.service.model();
    let Some(shape) = model
        .operations
        .get(input.operation)
        .and_then(|op| op.input.as_deref())
    else {
        return Value::Null;
    };
    let mut params = match cloudtrail_form(model, shape, input.request) {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    if input.service == Service::Kms {
        match kms_request_parameters(input, &mut params) {
            Params::Null => return Value::Null,
            Params::Keep => {}
        }
    }
    if params.is_empty() {
        Value::Null
    } else {
        Value::Object(params)
    }
}

enum Params {
    Keep,
    Null,
}

/// What the examples show of each KMS operation beyond the generic rule.
fn kms_request_parameters(input: &CallRecordInput<'_>, p: &mut Map<String, Value>) -> Params {
    let req = Req(input.request);
    let default = |p: &mut Map<String, Value>, name: &str, value: Value| {
        p.entry(name.to_string()).or_insert(value);
    };
    match input.operation {
        // ct-generaterandom.md, ct-retire-grant.md: no parameters (the grant id goes in
        // additionalEventData; a grant token identifies a grant and is left out).
        "GenerateRandom" | "RetireGrant" => return Params::Null,
        "CreateKey" => {
            // ct-createkey.md: the effective spec, usage, origin, description and lockout check.
            let spec = req
                .str("KeySpec")
                .or(req.str("CustomerMasterKeySpec"))
                .unwrap_or("SYMMETRIC_DEFAULT");
            default(p, "keyUsage", json!("ENCRYPT_DECRYPT"));
            default(p, "keySpec", json!(spec));
            let cmk_spec = crate::model::kms()
                .shape("CustomerMasterKeySpec")
                .enum_values
                .iter()
                .flatten()
                .any(|s| s == spec);
            if cmk_spec {
                default(p, "customerMasterKeySpec", json!(spec));
            }
            default(p, "origin", json!("AWS_KMS"));
            default(p, "description", json!(""));
            default(p, "bypassPolicyLockoutSafetyCheck", json!(false));
        }
        "Encrypt" => default(p, "encryptionAlgorithm", json!("SYMMETRIC_DEFAULT")),
        "Decrypt" => {
            // ct-decrypt.md: always the algorithm, and the key ARN when the request named no
            // key; a key the request named stays as named (alias-ct.md: "The alias appears in
            // the requestParameters field").
            default(p, "encryptionAlgorithm", json!("SYMMETRIC_DEFAULT"));
            if let Some(arn) = input.facts.resources.first() {
                default(p, "keyId", json!(arn));
            }
        }
        "ReEncrypt" => {
            default(p, "sourceEncryptionAlgorithm", json!("SYMMETRIC_DEFAULT"));
            default(
                p,
                "destinationEncryptionAlgorithm",
                json!("SYMMETRIC_DEFAULT"),
            );
        }
        "Sign" | "Verify" => default(p, "messageType", json!("RAW")),
        // ct-replicate-key.md: the lockout check and the description, whether given or not.
        "ReplicateKey" => {
            default(p, "bypassPolicyLockoutSafetyCheck", json!(false));
            default(p, "description", json!(""));
        }
        // ct-getkeypolicy.md: the policy name even when the request left it to its default.
        "GetKeyPolicy" => default(p, "policyName", json!("default")),
        // ct-put-key-policy.md: the policy name and the lockout check, whether given or not.
        "PutKeyPolicy" => {
            default(p, "policyName", json!("default"));
            default(p, "bypassPolicyLockoutSafetyCheck", json!(false));
        }
        _ => {}
    }
    Params::Keep
}

fn response_elements(input: &CallRecordInput<'_>) -> Value {
    let Ok(response) = input.result else {
        return Value::Null;
    };
    let (service, operation) = (input.service, input.operation);
    let recorded = match service {
        Service::Kms => !read_only(service, operation),
        Service::Iam => !read_only(service, operation),
        Service::Sts => operation == "AssumeRole",
        Service::CloudTrail => false,
        Service::CloudFormation => !read_only(service, operation),
    };
    // ct-importkeymaterial.md: no responseElements (its KeyMaterialId is not recorded).
    if !recorded || (service == Service::Kms && operation == "ImportKeyMaterial") {
        return Value::Null;
    }
    let model = service.model();
    let Some(shape) = model
        .operations
        .get(operation)
        .and_then(|op| op.output.as_deref())
    else {
        return Value::Null;
    };
    let mut out = match cloudtrail_form(model, shape, response) {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    if service == Service::Kms && operation == "CreateGrant" {
        // ct-creategrant.md: the grant id only.
        out.remove("grantToken");
    }
    if out.is_empty() {
        Value::Null
    } else {
        Value::Object(out)
    }
}

/// `resources`: every KMS record has the list (empty when the request named no key) except the
/// custom key store operations' (their ct-*-keystore.md records have none); STS's AssumeRole
/// names the role; IAM and CloudTrail records have none.
fn resources(input: &CallRecordInput<'_>) -> Option<Value> {
    let account = input.caller.account_id();
    match input.service {
        Service::Kms
            if input.operation.ends_with("CustomKeyStore")
                || input.operation == "DescribeCustomKeyStores" =>
        {
            None
        }
        Service::Kms => {
            let mut arns = input.facts.resources.clone();
            if let Ok(response) = input.result {
                // A new key is known only once made.
                if let Some(arn) = response["KeyMetadata"]["Arn"].as_str() {
                    if !arns.iter().any(|a| a == arn) {
                        arns.push(arn.to_string());
                    }
                }
            }
            Some(Value::Array(
                arns.iter().map(|arn| key_resource(arn, account)).collect(),
            ))
        }
        Service::Sts if input.operation == "AssumeRole" => {
            let arn = input.request.get("RoleArn")?.as_str()?;
            Some(json!([{
                "accountId": arn_account(arn).unwrap_or(account),
                "type": "AWS::IAM::Role",
                "ARN": arn,
            }]))
        }
        _ => None,
    }
}

/// A KMS resource entry. Aliases are typed `AWS::KMS::Key` too, as ct-createalias.md shows.
fn key_resource(arn: &str, account: &str) -> Value {
    json!({
        "accountId": arn_account(arn).unwrap_or(account),
        "type": "AWS::KMS::Key",
        "ARN": arn,
    })
}

fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// A value of `shape` as CloudTrail records it (see the module doc); `None` for what is left
/// out, including anything not of the shape's type.
fn cloudtrail_form(model: &Model, shape: &str, v: &Value) -> Option<Value> {
    let s = model.shapes.get(shape)?;
    if s.sensitive || s.ty == "blob" || v.is_null() {
        return None;
    }
    match s.ty.as_str() {
        "structure" => {
            let obj = v.as_object()?;
            let mut out = Map::new();
            for (name, member_shape) in &s.members {
                if SECRET_MEMBERS.contains(&name.as_str()) {
                    continue;
                }
                if let Some(mv) = obj.get(name) {
                    if let Some(x) = cloudtrail_form(model, member_shape, mv) {
                        out.insert(lower_camel(name), x);
                    }
                }
            }
            Some(Value::Object(out))
        }
        "list" => {
            let member = s.member.as_deref()?;
            let items = v.as_array()?;
            Some(Value::Array(
                items
                    .iter()
                    .filter_map(|item| cloudtrail_form(model, member, item))
                    .collect(),
            ))
        }
        "map" => {
            let value_shape = s.value.as_deref()?;
            let obj = v.as_object()?;
            Some(Value::Object(
                obj.iter()
                    .filter_map(|(k, x)| Some((k.clone(), cloudtrail_form(model, value_shape, x)?)))
                    .collect(),
            ))
        }
        "timestamp" => {
            let secs = v.as_f64()?;
            Some(json!(element_time((secs * 1000.0).round() as Millis)))
        }
        "string" => v.is_string().then(|| v.clone()),
        "boolean" => v.is_boolean().then(|| v.clone()),
        "integer" | "long" | "double" | "float" => v.is_number().then(|| v.clone()),
        _ => None,
    }
}

/// The keys and aliases a KMS request names, resolved as the operation will resolve them (before
/// it runs: an alias DeleteAlias removes still names its key), and the grant a RetireGrant names.
pub(crate) fn kms_facts(tx: &Tx<'_>, operation: &str, req: &Req<'_>) -> TrailFacts {
    let key_as = |id: &str, naming: Naming| resolve_ref(tx, id, naming).ok().map(|k| k.arn.clone());
    let key = |id: &str| key_as(id, Naming::KeyOrAlias);
    // A key-only KeyId that names an alias is refused before any lookup: no key to record.
    let named_key = |id: &str| key_as(id, Naming::of(operation));
    let target_key = |id: &str| key_as(id, Naming::KeyOnly);
    let alias = |name: &str| name.starts_with("alias/").then(|| tx.alias_arn(name));
    // The key a symmetric ciphertext names (an asymmetric one names none: the request must).
    let ciphertext_key = |member: &str| {
        let blob = req.blob(member)?;
        let parsed = crate::ciphertext::parse(&blob)?;
        tx.key(&parsed.key_id).map(|k| k.arn.clone())
    };
    let mut facts = TrailFacts::default();
    let r = &mut facts.resources;
    match operation {
        "CreateAlias" => {
            r.extend(target_key(req.req_str("TargetKeyId")));
            r.extend(alias(req.req_str("AliasName")));
        }
        "UpdateAlias" => {
            r.extend(alias(req.req_str("AliasName")));
            r.extend(target_key(req.req_str("TargetKeyId")));
        }
        "DeleteAlias" => {
            let name = req.req_str("AliasName");
            r.extend(alias(name));
            r.extend(key(name));
        }
        "Decrypt" => {
            r.extend(match req.str("KeyId") {
                Some(id) => key(id),
                None => ciphertext_key("CiphertextBlob"),
            });
        }
        "ReEncrypt" => {
            r.extend(match req.str("SourceKeyId") {
                Some(id) => key(id),
                None => ciphertext_key("CiphertextBlob"),
            });
            r.extend(key(req.req_str("DestinationKeyId")));
        }
        "RetireGrant" => match req.str("GrantToken") {
            Some(token) => {
                let found = tx.keys_with_grants().into_iter().find_map(|k| {
                    let g = k.grants.iter().find(|g| g.has_token(token))?;
                    Some((k.arn.clone(), g.grant_id.clone()))
                });
                if let Some((arn, grant_id)) = found {
                    r.push(arn);
                    facts.grant_id = Some(grant_id);
                }
            }
            None => r.extend(req.str("KeyId").and_then(named_key)),
        },
        _ => r.extend(req.str("KeyId").and_then(named_key)),
    }
    r.dedup();
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_as_the_examples_mark_it() {
        for op in [
            "Encrypt",
            "Decrypt",
            "GenerateDataKey",
            "Sign",
            "DescribeKey",
        ] {
            assert!(read_only(Service::Kms, op), "{op}");
        }
        for op in [
            "CreateKey",
            "ScheduleKeyDeletion",
            "PutKeyPolicy",
            "CreateGrant",
        ] {
            assert!(!read_only(Service::Kms, op), "{op}");
        }
        assert!(read_only(Service::Iam, "GetUser"));
        assert!(!read_only(Service::Iam, "CreateUser"));
        assert!(read_only(Service::Sts, "AssumeRole"));
        assert!(read_only(Service::CloudTrail, "LookupEvents"));
    }

    #[test]
    fn the_generic_rule_renames_members_keeps_map_keys_and_drops_blobs() {
        let m = crate::model::kms();
        let v = cloudtrail_form(
            m,
            "EncryptRequest",
            &json!({
                "KeyId": "alias/a",
                "Plaintext": "aGVsbG8=",
                "EncryptionContext": {"Department": "IT"},
                "GrantTokens": ["t"],
                "Unknown": 1,
            }),
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"keyId": "alias/a", "encryptionContext": {"Department": "IT"}, "grantTokens": ["t"]})
        );
        let v = cloudtrail_form(
            m,
            "TagResourceRequest",
            &json!({"KeyId": "k", "Tags": [{"TagKey": "a", "TagValue": "b"}]}),
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"keyId": "k", "tags": [{"tagKey": "a", "tagValue": "b"}]})
        );
        // A value not of its shape's type is left out rather than guessed at.
        let v = cloudtrail_form(m, "EncryptRequest", &json!({"EncryptionContext": 7})).unwrap();
        assert_eq!(v, json!({}));
    }
}
