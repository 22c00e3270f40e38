//! CloudTrail: each operation's record field by field against the developer guide's `ct-*.md`
//! examples (ids and times aside), KMS's own DeleteKey and RotateKey events as the clock makes
//! them due, no secret in any record, and LookupEvents' filters, paging and errors.

use base64::Engine as _;
use kms_core::trail::{self, StoredEvent};
use kms_core::{json, Caller, Clock, ErrorType, KmsError, Sandbox, Service, Value, MILLIS_PER_DAY};

const ACCOUNT: &str = "111122223333";
const REGION: &str = "ap-southeast-2";
/// The sandbox's start: 2025-01-01T00:00:00Z.
const T0: i64 = 1_735_689_600_000;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn sandbox() -> Sandbox {
    Sandbox::in_memory(5)
}

fn call(
    sb: &mut Sandbox,
    caller: &Caller,
    service: Service,
    op: &str,
    req: Value,
) -> Result<Value, KmsError> {
    let saved = std::mem::replace(&mut sb.caller, caller.clone());
    let out = sb.call_service(service, op, req);
    sb.caller = saved;
    out
}

fn ok(sb: &mut Sandbox, caller: &Caller, op: &str, req: Value) -> Value {
    call(sb, caller, Service::Kms, op, req.clone())
        .unwrap_or_else(|e| panic!("{op} {req} as {} failed: {e}", caller.arn(REGION)))
}

fn iam(sb: &mut Sandbox, op: &str, req: Value) -> Value {
    let root = sb.root();
    call(sb, &root, Service::Iam, op, req.clone()).unwrap_or_else(|e| panic!("{op} {req}: {e}"))
}

/// An IAM user allowed `actions`, signing with an access key of its own.
fn user(sb: &mut Sandbox, name: &str, actions: Value) -> Caller {
    iam(sb, "CreateUser", json!({"UserName": name}));
    if actions != json!([]) {
        let doc = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": actions, "Resource": "*"}]});
        iam(
            sb,
            "PutUserPolicy",
            json!({"UserName": name, "PolicyName": "p", "PolicyDocument": doc.to_string()}),
        );
    }
    let key = iam(sb, "CreateAccessKey", json!({"UserName": name}));
    let id = key["AccessKey"]["AccessKeyId"].as_str().unwrap();
    sb.engine.caller_for_access_key(id, sb.clock.now()).unwrap()
}

fn alice(sb: &mut Sandbox) -> Caller {
    user(sb, "Alice", json!("kms:*"))
}

/// The newest record named `name`.
fn last(sb: &Sandbox, name: &str) -> Value {
    sb.trail
        .iter()
        .rev()
        .find(|e| e.event_name == name)
        .unwrap_or_else(|| panic!("no {name} event"))
        .record()
}

fn all(sb: &Sandbox, name: &str) -> Vec<Value> {
    sb.trail
        .iter()
        .filter(|e| e.event_name == name)
        .map(StoredEvent::record)
        .collect()
}

/// `actual` equals `expected` once the ids and the event time are set aside.
fn same(mut actual: Value, expected: Value) {
    let m = actual.as_object_mut().unwrap();
    for id in ["eventID", "requestID", "eventTime"] {
        m.remove(id);
    }
    if actual != expected {
        panic!(
            "record differs\nactual:   {}\nexpected: {}",
            serde_json::to_string_pretty(&actual).unwrap(),
            serde_json::to_string_pretty(&expected).unwrap()
        );
    }
}

fn identity(caller: &Caller) -> Value {
    json!({
        "type": "IAMUser",
        "principalId": caller.principal_id(),
        "arn": caller.arn(REGION),
        "accountId": ACCOUNT,
        "accessKeyId": caller.access_key_id,
        "userName": caller.user_name(),
    })
}

fn key_resource(arn: &str) -> Value {
    json!({"accountId": ACCOUNT, "type": "AWS::KMS::Key", "ARN": arn})
}

/// A KMS `AwsApiCall` record as the examples show it, in the sandbox's Region.
fn kms_call(
    caller: &Caller,
    name: &str,
    params: Value,
    response: Value,
    read_only: bool,
    resources: Value,
) -> Value {
    json!({
        "eventVersion": "1.08",
        "userIdentity": identity(caller),
        "eventSource": "kms.amazonaws.com",
        "eventName": name,
        "awsRegion": REGION,
        "sourceIPAddress": "192.0.2.0",
        "userAgent": "kms-core/Sandbox",
        "requestParameters": params,
        "responseElements": response,
        "readOnly": read_only,
        "resources": resources,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
    })
}

fn with(mut record: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        record[k] = v.clone();
    }
    record
}

fn new_key(sb: &mut Sandbox, caller: &Caller, req: Value) -> (String, String) {
    let k = ok(sb, caller, "CreateKey", req);
    (
        k["KeyMetadata"]["KeyId"].as_str().unwrap().to_string(),
        k["KeyMetadata"]["Arn"].as_str().unwrap().to_string(),
    )
}

// ------------------------------------------------------------------ records of KMS operations

#[test]
fn create_key_as_ct_createkey_shows_it() {
    let mut sb = sandbox();
    let alice = alice(&mut sb);
    let created = ok(&mut sb, &alice, "CreateKey", json!({}));
    let m = &created["KeyMetadata"];
    let (id, arn) = (m["KeyId"].as_str().unwrap(), m["Arn"].as_str().unwrap());
    let material = &m["CurrentKeyMaterialId"];
    assert!(material.is_string());
    same(
        last(&sb, "CreateKey"),
        kms_call(
            &alice,
            "CreateKey",
            json!({
                "description": "",
                "origin": "AWS_KMS",
                "bypassPolicyLockoutSafetyCheck": false,
                "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
                "keySpec": "SYMMETRIC_DEFAULT",
                "keyUsage": "ENCRYPT_DECRYPT",
            }),
            json!({"keyMetadata": {
                "aWSAccountId": ACCOUNT,
                "keyId": id,
                "arn": arn,
                "creationDate": "Jan 1, 2025, 12:00:00 AM",
                "enabled": true,
                "description": "",
                "keyUsage": "ENCRYPT_DECRYPT",
                "keyState": "Enabled",
                "origin": "AWS_KMS",
                "keyManager": "CUSTOMER",
                "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
                "keySpec": "SYMMETRIC_DEFAULT",
                "encryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
                "multiRegion": false,
                // Newer than the example: the key material's id.
                "currentKeyMaterialId": material,
            }}),
            false,
            json!([key_resource(arn)]),
        ),
    );
    let record = last(&sb, "CreateKey");
    assert_eq!(record["eventTime"], "2025-01-01T00:00:00Z");
    assert_eq!(record["eventID"].as_str().unwrap().len(), 36);
}

#[test]
fn encrypt_decrypt_and_generate_data_key_as_their_pages_show_them() {
    let mut sb = sandbox();
    let alice = alice(&mut sb);
    let (id, arn) = new_key(&mut sb, &alice, json!({}));
    let plaintext = b64(b"the secret plaintext");
    // ct-encrypt.md
    let ct = ok(
        &mut sb,
        &alice,
        "Encrypt",
        json!({"KeyId": arn, "Plaintext": plaintext, "EncryptionContext": {"Department": "Engineering"}}),
    );
    same(
        last(&sb, "Encrypt"),
        kms_call(
            &alice,
            "Encrypt",
            json!({
                "encryptionContext": {"Department": "Engineering"},
                "keyId": arn,
                "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
            }),
            Value::Null,
            true,
            json!([key_resource(&arn)]),
        ),
    );
    // ct-decrypt.md: the key ARN and the algorithm although the request gave neither.
    let context = json!({"Department": "Engineering", "Project": "Alpha"});
    let ct2 = ok(
        &mut sb,
        &alice,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": plaintext, "EncryptionContext": context}),
    );
    ok(
        &mut sb,
        &alice,
        "Decrypt",
        json!({"CiphertextBlob": ct2["CiphertextBlob"], "EncryptionContext": context}),
    );
    let decrypt = kms_call(
        &alice,
        "Decrypt",
        json!({"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "keyId": arn, "encryptionContext": context}),
        Value::Null,
        true,
        json!([key_resource(&arn)]),
    );
    same(last(&sb, "Decrypt"), decrypt.clone());
    // ct-decrypt.md, the failure: the request names another key than the one that encrypted.
    let (_, other_arn) = new_key(&mut sb, &alice, json!({}));
    let e = call(
        &mut sb,
        &alice,
        Service::Kms,
        "Decrypt",
        json!({"CiphertextBlob": ct["CiphertextBlob"], "KeyId": other_arn,
               "EncryptionContext": context}),
    )
    .unwrap_err();
    assert_eq!(e.error_type, ErrorType::IncorrectKey);
    same(
        last(&sb, "Decrypt"),
        with(
            kms_call(
                &alice,
                "Decrypt",
                json!({"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "keyId": other_arn,
                       "encryptionContext": context}),
                Value::Null,
                true,
                json!([key_resource(&other_arn)]),
            ),
            json!({"errorCode": "IncorrectKeyException", "errorMessage": e.message}),
        ),
    );
    // ct-generatedatakey.md
    ok(
        &mut sb,
        &alice,
        "GenerateDataKey",
        json!({"KeyId": id, "KeySpec": "AES_256", "EncryptionContext": context}),
    );
    same(
        last(&sb, "GenerateDataKey"),
        kms_call(
            &alice,
            "GenerateDataKey",
            json!({"keyId": id, "keySpec": "AES_256", "encryptionContext": context}),
            Value::Null,
            true,
            json!([key_resource(&arn)]),
        ),
    );
}

#[test]
fn schedule_key_deletion_and_kms_deleting_the_key_when_the_window_ends() {
    let mut sb = sandbox();
    let alice = alice(&mut sb);
    let (id, arn) = new_key(&mut sb, &alice, json!({}));
    ok(
        &mut sb,
        &alice,
        "CreateAlias",
        json!({"AliasName": "alias/doomed", "TargetKeyId": id}),
    );
    // ct-schedule-key-deletion.md
    ok(
        &mut sb,
        &alice,
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 20}),
    );
    same(
        last(&sb, "ScheduleKeyDeletion"),
        kms_call(
            &alice,
            "ScheduleKeyDeletion",
            json!({"pendingWindowInDays": 20, "keyId": id}),
            json!({
                "keyId": arn,
                "deletionDate": "Jan 21, 2025, 12:00:00 AM",
                "keyState": "PendingDeletion",
                "pendingWindowInDays": 20,
            }),
            false,
            json!([key_resource(&arn)]),
        ),
    );
    // Nothing is deleted before the window ends.
    sb.advance_days(19);
    ok(&mut sb, &alice, "ListKeys", json!({}));
    assert!(all(&sb, "DeleteKey").is_empty());
    // Five days after it ended, a request notices: the event carries the time it ended.
    sb.advance_days(6);
    ok(&mut sb, &alice, "ListKeys", json!({}));
    let deletes = all(&sb, "DeleteKey");
    assert_eq!(deletes.len(), 1);
    let delete = deletes[0].clone();
    assert_eq!(delete["eventTime"], "2025-01-21T00:00:00Z");
    // ct-delete-key.md
    same(
        delete,
        json!({
            "eventVersion": "1.08",
            "userIdentity": {"accountId": ACCOUNT, "invokedBy": "AWS Internal"},
            "eventSource": "kms.amazonaws.com",
            "eventName": "DeleteKey",
            "awsRegion": REGION,
            "sourceIPAddress": "AWS Internal",
            "userAgent": "AWS Internal",
            "requestParameters": null,
            "responseElements": null,
            "readOnly": false,
            "resources": [key_resource(&arn)],
            "eventType": "AwsServiceEvent",
            "recipientAccountId": ACCOUNT,
            "managementEvent": true,
            "eventCategory": "Management",
        }),
    );
    // The history is in time order: the deletion before the request that noticed it.
    let names: Vec<&str> = sb.trail.iter().map(|e| e.event_name.as_str()).collect();
    let deleted_at = names.iter().position(|n| *n == "DeleteKey").unwrap();
    let noticed_at = names.iter().rposition(|n| *n == "ListKeys").unwrap();
    assert!(deleted_at < noticed_at);
    assert!(sb
        .trail
        .windows(2)
        .all(|w| w[0].event_time <= w[1].event_time));
    // No second event: the deletion happened once.
    ok(&mut sb, &alice, "ListKeys", json!({}));
    sb.catch_up();
    assert_eq!(all(&sb, "DeleteKey").len(), 1);
}

#[test]
fn the_clock_alone_deletes_keys_through_catch_up() {
    let mut sb = sandbox();
    let root = sb.root();
    let (id, arn) = new_key(&mut sb, &root, json!({}));
    ok(
        &mut sb,
        &root,
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 7}),
    );
    sb.advance_days(10);
    let before = sb.trail.len();
    sb.catch_up();
    assert_eq!(sb.trail.len(), before + 1);
    let delete = last(&sb, "DeleteKey");
    assert_eq!(delete["eventTime"], "2025-01-08T00:00:00Z");
    assert_eq!(delete["resources"][0]["ARN"], arn);
    let e = sb.call("DescribeKey", json!({"KeyId": id})).unwrap_err();
    assert_eq!(e.error_type, ErrorType::NotFound);
    // A Region nothing happened in stays untouched.
    let outcome = sb
        .engine
        .catch_up("eu-west-3", sb.clock.now(), sb.entropy.as_mut());
    assert!(outcome.changes.is_empty() && outcome.service_events.is_empty());
}

#[test]
fn scheduled_rotations_each_recorded_when_due_even_when_several_were_missed() {
    let mut sb = sandbox();
    let alice = alice(&mut sb);
    let (id, arn) = new_key(&mut sb, &alice, json!({}));
    ok(
        &mut sb,
        &alice,
        "EnableKeyRotation",
        json!({"KeyId": id, "RotationPeriodInDays": 90}),
    );
    same(
        last(&sb, "EnableKeyRotation"),
        kms_call(
            &alice,
            "EnableKeyRotation",
            json!({"keyId": id, "rotationPeriodInDays": 90}),
            Value::Null,
            false,
            json!([key_resource(&arn)]),
        ),
    );
    // 300 days pass with no request: three rotations fell due (days 90, 180 and 270). The
    // request that notices reports each, at the time it fell due.
    sb.advance_days(300);
    let saved = std::mem::replace(&mut sb.caller, alice.clone());
    let outcome = sb.outcome("DescribeKey", json!({"KeyId": id}));
    sb.caller = saved;
    let times: Vec<String> = outcome
        .service_events
        .iter()
        .map(|e| trail::service_event_record(e, "id")["eventTime"].to_string())
        .collect();
    assert_eq!(
        times,
        [
            "\"2025-04-01T00:00:00Z\"",
            "\"2025-06-30T00:00:00Z\"",
            "\"2025-09-28T00:00:00Z\""
        ]
    );
    // ct-rotatekey.md
    for event in &outcome.service_events {
        same(
            trail::service_event_record(event, "id"),
            json!({
                "eventVersion": "1.08",
                "userIdentity": {"accountId": ACCOUNT, "invokedBy": "AWS Internal"},
                "eventSource": "kms.amazonaws.com",
                "eventName": "RotateKey",
                "awsRegion": REGION,
                "sourceIPAddress": "AWS Internal",
                "userAgent": "AWS Internal",
                "requestParameters": null,
                "responseElements": null,
                "readOnly": false,
                "resources": [key_resource(&arn)],
                "eventType": "AwsServiceEvent",
                "recipientAccountId": ACCOUNT,
                "serviceEventDetails": {"keyId": id},
                "managementEvent": true,
                "eventCategory": "Management",
            }),
        );
    }
    // The history keeps 90 days: of the three, only day 270's rotation is young enough.
    let kept = all(&sb, "RotateKey");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["eventTime"], "2025-09-28T00:00:00Z");
    // With no request at all, the clock's move to day 360 rotates through catch_up.
    sb.advance_days(60);
    sb.catch_up();
    let kept = all(&sb, "RotateKey");
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[1]["eventTime"], "2025-12-27T00:00:00Z");
    // The key has the material of each rotation.
    let listed = ok(&mut sb, &alice, "ListKeyRotations", json!({"KeyId": id}));
    assert_eq!(listed["Rotations"].as_array().unwrap().len(), 4);
    // The 90-day retention has dropped the events of day 0 (CreateKey, EnableKeyRotation).
    assert!(all(&sb, "EnableKeyRotation").is_empty());
    // RotateKeyOnDemand is the caller's own call, with its response.
    ok(&mut sb, &alice, "RotateKeyOnDemand", json!({"KeyId": id}));
    assert_eq!(
        last(&sb, "RotateKeyOnDemand")["responseElements"],
        json!({"keyId": arn})
    );
    assert_eq!(all(&sb, "RotateKey").len(), 2);
}

#[test]
fn aliases_policies_and_grants_as_their_pages_show_them() {
    let mut sb = sandbox();
    let alice = alice(&mut sb);
    let (id, arn) = new_key(&mut sb, &alice, json!({}));
    let alias_arn = format!("arn:aws:kms:{REGION}:{ACCOUNT}:alias/ExampleAlias");
    // ct-createalias.md: the key, then the alias (typed AWS::KMS::Key too).
    ok(
        &mut sb,
        &alice,
        "CreateAlias",
        json!({"AliasName": "alias/ExampleAlias", "TargetKeyId": id}),
    );
    same(
        last(&sb, "CreateAlias"),
        kms_call(
            &alice,
            "CreateAlias",
            json!({"aliasName": "alias/ExampleAlias", "targetKeyId": id}),
            Value::Null,
            false,
            json!([key_resource(&arn), key_resource(&alias_arn)]),
        ),
    );
    // ct-updatealias.md: the alias, then the new key.
    let (id2, arn2) = new_key(&mut sb, &alice, json!({}));
    ok(
        &mut sb,
        &alice,
        "UpdateAlias",
        json!({"AliasName": "alias/ExampleAlias", "TargetKeyId": id2}),
    );
    assert_eq!(
        last(&sb, "UpdateAlias")["resources"],
        json!([key_resource(&alias_arn), key_resource(&arn2)])
    );
    // ct-deletealias.md: the alias and the key it pointed to (gone from the engine after).
    ok(
        &mut sb,
        &alice,
        "DeleteAlias",
        json!({"AliasName": "alias/ExampleAlias"}),
    );
    same(
        last(&sb, "DeleteAlias"),
        kms_call(
            &alice,
            "DeleteAlias",
            json!({"aliasName": "alias/ExampleAlias"}),
            Value::Null,
            false,
            json!([key_resource(&alias_arn), key_resource(&arn2)]),
        ),
    );
    // ct-put-key-policy.md: the policy text, its name and the lockout check although not given.
    let policy = "{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n  \"Statement\" : [ {\n    \"Sid\" : \"Enable IAM User Permissions\",\n    \"Effect\" : \"Allow\",\n    \"Principal\" : {\n      \"AWS\" : \"arn:aws:iam::111122223333:root\"\n    },\n    \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n  } ]\n}";
    ok(
        &mut sb,
        &alice,
        "PutKeyPolicy",
        json!({"KeyId": id, "Policy": policy}),
    );
    same(
        last(&sb, "PutKeyPolicy"),
        kms_call(
            &alice,
            "PutKeyPolicy",
            json!({"keyId": id, "policyName": "default", "policy": policy,
                   "bypassPolicyLockoutSafetyCheck": false}),
            Value::Null,
            false,
            json!([key_resource(&arn)]),
        ),
    );
    // ct-getkeypolicy.md: the policy returned is not recorded.
    ok(
        &mut sb,
        &alice,
        "GetKeyPolicy",
        json!({"KeyId": id, "PolicyName": "default"}),
    );
    same(
        last(&sb, "GetKeyPolicy"),
        kms_call(
            &alice,
            "GetKeyPolicy",
            json!({"keyId": id, "policyName": "default"}),
            Value::Null,
            true,
            json!([key_resource(&arn)]),
        ),
    );
    // ct-creategrant.md: the grant id, not its token.
    let grantee = format!("arn:aws:iam::{ACCOUNT}:user/Alice");
    let grant = ok(
        &mut sb,
        &alice,
        "CreateGrant",
        json!({
            "KeyId": arn,
            "Constraints": {"EncryptionContextSubset": {"ContextKey1": "Value1"}},
            "Operations": ["Encrypt", "RetireGrant"],
            "GranteePrincipal": grantee,
        }),
    );
    let grant_id = grant["GrantId"].as_str().unwrap();
    let token = grant["GrantToken"].as_str().unwrap();
    same(
        last(&sb, "CreateGrant"),
        kms_call(
            &alice,
            "CreateGrant",
            json!({
                "keyId": arn,
                "constraints": {"encryptionContextSubset": {"ContextKey1": "Value1"}},
                "operations": ["Encrypt", "RetireGrant"],
                "granteePrincipal": grantee,
            }),
            json!({"grantId": grant_id}),
            false,
            json!([key_resource(&arn)]),
        ),
    );
    // ct-retire-grant.md: no parameters; the grant id (found from the token) aside.
    ok(&mut sb, &alice, "RetireGrant", json!({"GrantToken": token}));
    same(
        last(&sb, "RetireGrant"),
        with(
            kms_call(
                &alice,
                "RetireGrant",
                Value::Null,
                Value::Null,
                false,
                json!([key_resource(&arn)]),
            ),
            json!({"additionalEventData": {"grantId": grant_id}}),
        ),
    );
    // ct-listaliases.md: no resources for a request that names no key.
    ok(&mut sb, &alice, "ListAliases", json!({"Limit": 5}));
    same(
        last(&sb, "ListAliases"),
        kms_call(
            &alice,
            "ListAliases",
            json!({"limit": 5}),
            Value::Null,
            true,
            json!([]),
        ),
    );
    // ct-tagresource.md
    ok(
        &mut sb,
        &alice,
        "TagResource",
        json!({"KeyId": arn, "Tags": [{"TagKey": "Department", "TagValue": "IT"}]}),
    );
    assert_eq!(
        last(&sb, "TagResource")["requestParameters"],
        json!({"keyId": arn, "tags": [{"tagKey": "Department", "tagValue": "IT"}]})
    );
    // ct-generaterandom.md
    ok(
        &mut sb,
        &alice,
        "GenerateRandom",
        json!({"NumberOfBytes": 32}),
    );
    let random = last(&sb, "GenerateRandom");
    assert_eq!(random["requestParameters"], Value::Null);
    assert_eq!(random["resources"], json!([]));
}

#[test]
fn a_denied_request_is_recorded_with_its_error_and_key() {
    let mut sb = sandbox();
    let root = sb.root();
    let (id, arn) = new_key(&mut sb, &root, json!({}));
    let bob = user(&mut sb, "Bob", json!([]));
    let e = call(
        &mut sb,
        &bob,
        Service::Kms,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"top secret")}),
    )
    .unwrap_err();
    assert_eq!(e.error_type, ErrorType::AccessDenied);
    same(
        last(&sb, "Encrypt"),
        with(
            kms_call(
                &bob,
                "Encrypt",
                json!({"keyId": id, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}),
                Value::Null,
                true,
                json!([key_resource(&arn)]),
            ),
            json!({"errorCode": "AccessDeniedException", "errorMessage": e.message}),
        ),
    );
    assert!(e.message.starts_with(&format!(
        "User: arn:aws:iam::{ACCOUNT}:user/Bob is not authorized to perform: kms:Encrypt"
    )));
    // A request that fails validation is recorded too, without resources it never resolved.
    let e = call(&mut sb, &bob, Service::Kms, "DescribeKey", json!({})).unwrap_err();
    let r = last(&sb, "DescribeKey");
    assert_eq!(r["errorCode"], "ValidationException");
    assert_eq!(r["errorMessage"], e.message.as_str());
    assert_eq!(r["requestParameters"], Value::Null);
    assert_eq!(r["resources"], json!([]));
}

#[test]
fn an_alias_refused_by_a_key_only_operation_names_no_key() {
    let mut sb = sandbox();
    let root = Caller::root(ACCOUNT);
    let (id, arn) = new_key(&mut sb, &root, json!({}));
    ok(
        &mut sb,
        &root,
        "CreateAlias",
        json!({"AliasName": "alias/refused", "TargetKeyId": id}),
    );
    let e = call(
        &mut sb,
        &root,
        Service::Kms,
        "DisableKey",
        json!({"KeyId": "alias/refused"}),
    )
    .unwrap_err();
    assert_eq!(e.error_type, ErrorType::InvalidArn);
    let r = last(&sb, "DisableKey");
    assert_eq!(r["errorCode"], "InvalidArnException");
    assert_eq!(r["resources"], json!([]));
    // Named by its ARN, the key is recorded.
    ok(&mut sb, &root, "DisableKey", json!({"KeyId": arn}));
    assert_eq!(
        last(&sb, "DisableKey")["resources"],
        json!([key_resource(&arn)])
    );
    // An alias as an alias's target is refused too: the record names only the new alias.
    let e = call(
        &mut sb,
        &root,
        Service::Kms,
        "CreateAlias",
        json!({"AliasName": "alias/second", "TargetKeyId": "alias/refused"}),
    )
    .unwrap_err();
    assert_eq!(e.error_type, ErrorType::Validation);
    let resources = last(&sb, "CreateAlias")["resources"].clone();
    assert!(!resources.to_string().contains(":key/"), "{resources}");
}

#[test]
fn root_and_role_sessions_are_identified_as_cloudtrail_identifies_them() {
    let mut sb = sandbox();
    let root = sb.root();
    ok(&mut sb, &root, "ListKeys", json!({}));
    assert_eq!(
        last(&sb, "ListKeys")["userIdentity"],
        json!({"type": "Root", "principalId": ACCOUNT,
               "arn": format!("arn:aws:iam::{ACCOUNT}:root"), "accountId": ACCOUNT})
    );
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "sts:AssumeRole"}]});
    let role = iam(
        &mut sb,
        "CreateRole",
        json!({"RoleName": "reader", "AssumeRolePolicyDocument": trust.to_string()}),
    );
    let role_arn = role["Role"]["Arn"].as_str().unwrap().to_string();
    let role_id = role["Role"]["RoleId"].as_str().unwrap().to_string();
    iam(
        &mut sb,
        "PutRolePolicy",
        json!({"RoleName": "reader", "PolicyName": "p", "PolicyDocument": json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*"}]
        }).to_string()}),
    );
    let dev = user(&mut sb, "dev", json!("sts:AssumeRole"));
    sb.advance_days(1);
    let assumed = call(
        &mut sb,
        &dev,
        Service::Sts,
        "AssumeRole",
        json!({"RoleArn": role_arn, "RoleSessionName": "s1"}),
    )
    .unwrap();
    let key_id = assumed["Credentials"]["AccessKeyId"].as_str().unwrap();
    // STS: the role as the resource; the credentials without their secret or token.
    let r = last(&sb, "AssumeRole");
    assert_eq!(r["eventSource"], "sts.amazonaws.com");
    assert_eq!(r["readOnly"], true);
    assert_eq!(
        r["resources"],
        json!([{"accountId": ACCOUNT, "type": "AWS::IAM::Role", "ARN": role_arn}])
    );
    assert_eq!(
        r["requestParameters"],
        json!({"roleArn": role_arn, "roleSessionName": "s1"})
    );
    let credentials = &r["responseElements"]["credentials"];
    assert_eq!(credentials["accessKeyId"], key_id);
    assert_eq!(credentials["expiration"], "Jan 2, 2025, 1:00:00 AM");
    assert!(credentials.get("secretAccessKey").is_none());
    assert!(credentials.get("sessionToken").is_none());
    assert_eq!(
        r["responseElements"]["assumedRoleUser"]["arn"],
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/reader/s1")
    );
    // LookupEvents lists the new access key and the session (by ARN, role-id form and name)
    // before the role, as AWS's event history does; each finds the event by ResourceName.
    let region = sb.trail.last().unwrap().region.clone();
    let saved = std::mem::replace(&mut sb.region, region);
    let found = lookup(
        &mut sb,
        json!({"LookupAttributes": [{"AttributeKey": "ResourceName", "AttributeValue": "s1"}]}),
    )
    .unwrap();
    assert_eq!(names(&found), ["AssumeRole"]);
    assert_eq!(
        found["Events"][0]["Resources"],
        json!([
            {"ResourceType": "AWS::IAM::AccessKey", "ResourceName": key_id},
            {"ResourceType": "AWS::STS::AssumedRole",
             "ResourceName": format!("arn:aws:sts::{ACCOUNT}:assumed-role/reader/s1")},
            {"ResourceType": "AWS::STS::AssumedRole", "ResourceName": format!("{role_id}:s1")},
            {"ResourceType": "AWS::STS::AssumedRole", "ResourceName": "s1"},
            {"ResourceType": "AWS::IAM::Role", "ResourceName": role_arn},
        ])
    );
    sb.region = saved;

    let session = sb
        .engine
        .caller_for_access_key(key_id, sb.clock.now())
        .unwrap();
    ok(&mut sb, &session, "ListKeys", json!({}));
    assert_eq!(
        last(&sb, "ListKeys")["userIdentity"],
        json!({
            "type": "AssumedRole",
            "principalId": format!("{role_id}:s1"),
            "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/reader/s1"),
            "accountId": ACCOUNT,
            "accessKeyId": key_id,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": role_arn,
                    "accountId": ACCOUNT,
                    "userName": "reader",
                },
                "attributes": {"creationDate": "2025-01-02T00:00:00Z", "mfaAuthenticated": "false"},
            },
        })
    );
    let stored = sb.trail.last().unwrap();
    assert_eq!(stored.username.as_deref(), Some("s1"));
    assert_eq!(stored.access_key_id.as_deref(), Some(key_id));
}

#[test]
fn iam_calls_are_recorded_in_us_east_1_without_secrets() {
    let mut sb = sandbox();
    let created = iam(&mut sb, "CreateUser", json!({"UserName": "Alice"}));
    let r = last(&sb, "CreateUser");
    assert_eq!(r["eventSource"], "iam.amazonaws.com");
    assert_eq!(r["awsRegion"], "us-east-1");
    assert_eq!(r["readOnly"], false);
    assert_eq!(r["requestParameters"], json!({"userName": "Alice"}));
    assert_eq!(
        r["responseElements"],
        json!({"user": {
            "path": "/",
            "userName": "Alice",
            "userId": created["User"]["UserId"],
            "arn": format!("arn:aws:iam::{ACCOUNT}:user/Alice"),
            "createDate": "Jan 1, 2025, 12:00:00 AM",
        }})
    );
    assert!(r.get("resources").is_none());
    let key = iam(&mut sb, "CreateAccessKey", json!({"UserName": "Alice"}));
    let secret = key["AccessKey"]["SecretAccessKey"].as_str().unwrap();
    let r = last(&sb, "CreateAccessKey");
    assert_eq!(
        r["responseElements"]["accessKey"]["accessKeyId"],
        key["AccessKey"]["AccessKeyId"]
    );
    assert!(r["responseElements"]["accessKey"]
        .get("secretAccessKey")
        .is_none());
    assert!(!sb.trail.last().unwrap().cloud_trail_event.contains(secret));
    // Reads record no response; an IAM error is recorded by its exception's name.
    iam(&mut sb, "GetUser", json!({"UserName": "Alice"}));
    assert_eq!(last(&sb, "GetUser")["responseElements"], Value::Null);
    assert_eq!(last(&sb, "GetUser")["readOnly"], true);
    let root = sb.root();
    call(
        &mut sb,
        &root,
        Service::Iam,
        "GetUser",
        json!({"UserName": "nobody"}),
    )
    .unwrap_err();
    assert_eq!(last(&sb, "GetUser")["errorCode"], "NoSuchEntityException");
}

// ------------------------------------------------------------------ no secrets, every operation

/// Every string a response held that no record may: plaintexts, data keys, private keys,
/// ciphertexts, signatures, MACs, secret access keys and session tokens.
fn collect_secrets(v: &Value, into: &mut Vec<String>) {
    const SECRET: [&str; 9] = [
        "Plaintext",
        "CiphertextBlob",
        "PrivateKeyPlaintext",
        "PrivateKeyCiphertextBlob",
        "Signature",
        "Mac",
        "SecretAccessKey",
        "SessionToken",
        "CiphertextForRecipient",
    ];
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match x.as_str() {
                    Some(s) if SECRET.contains(&k.as_str()) => into.push(s.to_string()),
                    _ => collect_secrets(x, into),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|x| collect_secrets(x, into)),
        _ => {}
    }
}

/// Runs requests as the root user, collecting every secret they carry or answer with.
struct Runner {
    sb: Sandbox,
    secrets: Vec<String>,
}

impl Runner {
    fn run(&mut self, service: Service, op: &str, req: Value) -> Value {
        let root = self.sb.root();
        self.run_as(&root, service, op, req)
    }

    fn run_as(&mut self, caller: &Caller, service: Service, op: &str, req: Value) -> Value {
        collect_secrets(&req, &mut self.secrets);
        let out = call(&mut self.sb, caller, service, op, req).unwrap_or(Value::Null);
        collect_secrets(&out, &mut self.secrets);
        out
    }
}

#[test]
fn every_operation_is_recorded_and_no_record_holds_a_secret() {
    let mut r = Runner {
        sb: sandbox(),
        secrets: Vec::new(),
    };
    let plaintext = b64(b"plaintext that must never be logged");
    let message = b64(b"a message to sign that must never be logged");
    r.secrets.push(message.clone());

    let created = r.run(Service::Kms, "CreateKey", json!({"Description": "sym"}));
    let id = created["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let arn = created["KeyMetadata"]["Arn"].as_str().unwrap().to_string();
    let rsa = r.run(
        Service::Kms,
        "CreateKey",
        json!({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"}),
    )["KeyMetadata"]["KeyId"]
        .clone();
    let ecc = r.run(
        Service::Kms,
        "CreateKey",
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    )["KeyMetadata"]["KeyId"]
        .clone();
    let hmac = r.run(
        Service::Kms,
        "CreateKey",
        json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}),
    )["KeyMetadata"]["KeyId"]
        .clone();
    let kms = Service::Kms;
    r.run(kms, "DescribeKey", json!({"KeyId": id}));
    r.run(kms, "ListKeys", json!({}));
    r.run(kms, "GetKeyLastUsage", json!({"KeyId": id}));
    r.run(
        kms,
        "UpdateKeyDescription",
        json!({"KeyId": id, "Description": "d"}),
    );
    r.run(kms, "DisableKey", json!({"KeyId": id}));
    r.run(kms, "EnableKey", json!({"KeyId": id}));
    r.run(
        kms,
        "CreateAlias",
        json!({"AliasName": "alias/a", "TargetKeyId": id}),
    );
    r.run(
        kms,
        "UpdateAlias",
        json!({"AliasName": "alias/a", "TargetKeyId": id}),
    );
    r.run(kms, "ListAliases", json!({"KeyId": id}));
    let ct = r.run(
        kms,
        "Encrypt",
        json!({"KeyId": "alias/a", "Plaintext": plaintext}),
    );
    r.run(
        kms,
        "Decrypt",
        json!({"CiphertextBlob": ct["CiphertextBlob"]}),
    );
    r.run(
        kms,
        "ReEncrypt",
        json!({"CiphertextBlob": ct["CiphertextBlob"], "DestinationKeyId": arn}),
    );
    let rsa_ct = r.run(
        kms,
        "Encrypt",
        json!({"KeyId": rsa, "Plaintext": plaintext, "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}),
    );
    r.run(
        kms,
        "Decrypt",
        json!({"KeyId": rsa, "CiphertextBlob": rsa_ct["CiphertextBlob"],
               "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}),
    );
    r.run(
        kms,
        "GenerateDataKey",
        json!({"KeyId": id, "KeySpec": "AES_256"}),
    );
    r.run(
        kms,
        "GenerateDataKeyWithoutPlaintext",
        json!({"KeyId": id, "NumberOfBytes": 32}),
    );
    r.run(
        kms,
        "GenerateDataKeyPair",
        json!({"KeyId": id, "KeyPairSpec": "ECC_NIST_P256"}),
    );
    r.run(
        kms,
        "GenerateDataKeyPairWithoutPlaintext",
        json!({"KeyId": id, "KeyPairSpec": "ECC_NIST_P384"}),
    );
    r.run(kms, "GenerateRandom", json!({"NumberOfBytes": 64}));
    let sig = r.run(
        kms,
        "Sign",
        json!({"KeyId": ecc, "Message": message, "SigningAlgorithm": "ECDSA_SHA_256"}),
    );
    r.run(
        kms,
        "Verify",
        json!({"KeyId": ecc, "Message": message, "Signature": sig["Signature"],
               "SigningAlgorithm": "ECDSA_SHA_256"}),
    );
    r.run(kms, "GetPublicKey", json!({"KeyId": ecc}));
    let mac = r.run(
        kms,
        "GenerateMac",
        json!({"KeyId": hmac, "Message": message, "MacAlgorithm": "HMAC_SHA_256"}),
    );
    r.run(
        kms,
        "VerifyMac",
        json!({"KeyId": hmac, "Message": message, "Mac": mac["Mac"],
               "MacAlgorithm": "HMAC_SHA_256"}),
    );
    r.run(kms, "EnableKeyRotation", json!({"KeyId": id}));
    r.run(kms, "GetKeyRotationStatus", json!({"KeyId": id}));
    r.run(kms, "RotateKeyOnDemand", json!({"KeyId": id}));
    r.run(kms, "ListKeyRotations", json!({"KeyId": id}));
    r.run(kms, "DisableKeyRotation", json!({"KeyId": id}));
    r.run(
        kms,
        "TagResource",
        json!({"KeyId": id, "Tags": [{"TagKey": "k", "TagValue": "v"}]}),
    );
    r.run(kms, "ListResourceTags", json!({"KeyId": id}));
    r.run(kms, "UntagResource", json!({"KeyId": id, "TagKeys": ["k"]}));
    let policy = r.run(kms, "GetKeyPolicy", json!({"KeyId": id}));
    r.run(
        kms,
        "PutKeyPolicy",
        json!({"KeyId": id, "Policy": policy["Policy"]}),
    );
    r.run(kms, "ListKeyPolicies", json!({"KeyId": id}));
    let grantee = format!("arn:aws:iam::{ACCOUNT}:root");
    let g1 = r.run(
        kms,
        "CreateGrant",
        json!({"KeyId": id, "GranteePrincipal": grantee, "Operations": ["Decrypt"]}),
    );
    let g2 = r.run(
        kms,
        "CreateGrant",
        json!({"KeyId": id, "GranteePrincipal": grantee, "RetiringPrincipal": grantee,
               "Operations": ["Encrypt"]}),
    );
    r.run(kms, "ListGrants", json!({"KeyId": id}));
    r.run(
        kms,
        "ListRetirableGrants",
        json!({"RetiringPrincipal": grantee}),
    );
    r.run(
        kms,
        "RevokeGrant",
        json!({"KeyId": id, "GrantId": g1["GrantId"]}),
    );
    r.run(kms, "RetireGrant", json!({"GrantToken": g2["GrantToken"]}));
    r.run(kms, "DeleteAlias", json!({"AliasName": "alias/a"}));
    r.run(
        kms,
        "ScheduleKeyDeletion",
        json!({"KeyId": hmac, "PendingWindowInDays": 7}),
    );
    r.run(kms, "CancelKeyDeletion", json!({"KeyId": hmac}));
    // The features the sandbox account lacks answer with errors, and are recorded all the same,
    // their secrets (a key store password, an XKS credential) left out.
    let password = "key store password, never logged".to_string();
    let xks_secret = "AnXksProxySecretAccessKeyThatMustNeverBeLogged".to_string();
    r.secrets.push(password.clone());
    r.secrets.push(xks_secret.clone());
    for (op, req) in [
        (
            "CreateCustomKeyStore",
            json!({"CustomKeyStoreName": "s", "CloudHsmClusterId": "cluster-234567abcdefg",
                   "KeyStorePassword": password, "TrustAnchorCertificate": "c"}),
        ),
        (
            "UpdateCustomKeyStore",
            json!({"CustomKeyStoreId": "cks-1234567890abcdef0", "XksProxyAuthenticationCredential": {
                "AccessKeyId": "ABCDEFGHIJKLMNOPQRSTUV", "RawSecretAccessKey": xks_secret}}),
        ),
        (
            "ConnectCustomKeyStore",
            json!({"CustomKeyStoreId": "cks-1234567890abcdef0"}),
        ),
        (
            "DisconnectCustomKeyStore",
            json!({"CustomKeyStoreId": "cks-1234567890abcdef0"}),
        ),
        (
            "DeleteCustomKeyStore",
            json!({"CustomKeyStoreId": "cks-1234567890abcdef0"}),
        ),
        ("DescribeCustomKeyStores", json!({})),
        (
            "GetParametersForImport",
            json!({"KeyId": id, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}),
        ),
        (
            "ImportKeyMaterial",
            json!({"KeyId": id, "ImportToken": b64(b"token"), "EncryptedKeyMaterial": plaintext,
                   "ValidTo": 1_800_000_000}),
        ),
        ("DeleteImportedKeyMaterial", json!({"KeyId": id})),
        (
            "ReplicateKey",
            json!({"KeyId": id, "ReplicaRegion": "us-east-1"}),
        ),
        (
            "UpdatePrimaryRegion",
            json!({"KeyId": id, "PrimaryRegion": "us-east-1"}),
        ),
        (
            "DeriveSharedSecret",
            json!({"KeyId": ecc, "KeyAgreementAlgorithm": "ECDH", "PublicKey": plaintext}),
        ),
        (
            "Encapsulate",
            json!({"KeyId": id, "EncapsulationAlgorithm": "ML_KEM"}),
        ),
        (
            "Decapsulate",
            json!({"KeyId": id, "EncapsulationAlgorithm": "ML_KEM",
                   "SharedSecretCiphertextBlob": plaintext}),
        ),
    ] {
        r.run(kms, op, req);
    }
    // IAM and STS: an access key and a session.
    r.run(Service::Iam, "CreateUser", json!({"UserName": "carol"}));
    r.run(
        Service::Iam,
        "CreateAccessKey",
        json!({"UserName": "carol"}),
    );
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": grantee}, "Action": "sts:AssumeRole"}]});
    r.run(
        Service::Iam,
        "CreateRole",
        json!({"RoleName": "r", "AssumeRolePolicyDocument": trust.to_string()}),
    );
    let doc = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]});
    r.run(
        Service::Iam,
        "PutUserPolicy",
        json!({"UserName": "carol", "PolicyName": "p", "PolicyDocument": doc.to_string()}),
    );
    let carol =
        r.sb.engine
            .caller_for_principal(&format!("arn:aws:iam::{ACCOUNT}:user/carol"), None)
            .unwrap();
    let session = r.run_as(
        &carol,
        Service::Sts,
        "AssumeRole",
        json!({"RoleArn": format!("arn:aws:iam::{ACCOUNT}:role/r"), "RoleSessionName": "s1"}),
    );
    assert!(session["Credentials"]["SessionToken"].is_string());
    r.run(Service::Sts, "GetCallerIdentity", json!({}));
    let (sb, mut secrets) = (r.sb, r.secrets);

    // Every KMS operation of the model was recorded.
    for op in kms_core::model::kms().operations.keys() {
        assert!(
            sb.trail
                .iter()
                .any(|e| &e.event_name == op && e.event_source == "kms.amazonaws.com"),
            "no {op} event"
        );
    }
    // No record holds any secret.
    secrets.retain(|s| s.len() >= 16);
    assert!(
        secrets.len() > 25,
        "only {} secrets collected",
        secrets.len()
    );
    for e in &sb.trail {
        for s in &secrets {
            assert!(
                !e.cloud_trail_event.contains(s.as_str()),
                "{} record holds a secret: {}",
                e.event_name,
                e.cloud_trail_event
            );
        }
        let record = e.record();
        if e.event_source == "kms.amazonaws.com" && e.event_name != "CreateKey" {
            // Cryptographic operations never record a response.
            let crypto = [
                "Encrypt",
                "Decrypt",
                "ReEncrypt",
                "Sign",
                "Verify",
                "GenerateMac",
            ];
            if crypto.contains(&e.event_name.as_str()) || e.event_name.starts_with("Generate") {
                assert_eq!(record["responseElements"], Value::Null, "{}", e.event_name);
            }
        }
    }
    // The key ARN stands in Decrypt's parameters, the RSA key's too.
    let decrypts = all(&sb, "Decrypt");
    assert_eq!(decrypts[0]["requestParameters"]["keyId"], arn.as_str());
    assert!(decrypts[1]["requestParameters"]["keyId"]
        .as_str()
        .unwrap()
        .ends_with(rsa.as_str().unwrap()));
    // ImportKeyMaterial's validTo, as ct-importkeymaterial.md writes a timestamp.
    assert_eq!(
        last(&sb, "ImportKeyMaterial")["requestParameters"],
        json!({"keyId": id, "validTo": "Jan 15, 2027, 8:00:00 AM"})
    );
    // ReEncrypt names the source and destination keys.
    assert_eq!(
        last(&sb, "ReEncrypt")["resources"],
        json!([key_resource(&arn)])
    );
}

// ------------------------------------------------------------------ LookupEvents

fn lookup(sb: &mut Sandbox, req: Value) -> Result<Value, KmsError> {
    let root = sb.root();
    call(sb, &root, Service::CloudTrail, "LookupEvents", req)
}

fn names(out: &Value) -> Vec<String> {
    out["Events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["EventName"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn lookup_events_filters_by_each_attribute() {
    let mut sb = sandbox();
    let alice = alice(&mut sb);
    let (id, arn) = new_key(&mut sb, &alice, json!({}));
    sb.clock.set(T0 + 60_000);
    ok(&mut sb, &alice, "DescribeKey", json!({"KeyId": id}));
    let root = sb.root();
    sb.clock.set(T0 + 120_000);
    ok(&mut sb, &root, "ListKeys", json!({}));

    // Newest first, this Region's only: the IAM calls that made Alice are in us-east-1.
    let out = lookup(&mut sb, json!({})).unwrap();
    assert_eq!(names(&out), ["ListKeys", "DescribeKey", "CreateKey"]);
    assert!(out.get("NextToken").is_none());
    let e = &out["Events"][1];
    assert_eq!(e["ReadOnly"], "true");
    assert_eq!(e["Username"], "Alice");
    assert_eq!(e["AccessKeyId"], alice.access_key_id.clone().unwrap());
    assert_eq!(e["EventSource"], "kms.amazonaws.com");
    assert_eq!(e["EventTime"].as_f64(), Some((T0 + 60_000) as f64 / 1000.0));
    assert_eq!(
        e["Resources"],
        json!([{"ResourceType": "AWS::KMS::Key", "ResourceName": arn}])
    );
    let record: Value = serde_json::from_str(e["CloudTrailEvent"].as_str().unwrap()).unwrap();
    assert_eq!(record["eventID"], e["EventId"]);
    assert_eq!(record["eventName"], "DescribeKey");
    assert!(e["CloudTrailEvent"]
        .as_str()
        .unwrap()
        .starts_with("{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\""));
    assert_eq!(out["Events"][0]["Username"], "root");

    let by = |sb: &mut Sandbox, key: &str, value: &str| {
        let out = lookup(
            sb,
            json!({"LookupAttributes": [{"AttributeKey": key, "AttributeValue": value}]}),
        )
        .unwrap();
        let mut found = names(&out);
        found.retain(|n| n != "LookupEvents");
        found
    };
    assert_eq!(by(&mut sb, "EventName", "DescribeKey"), ["DescribeKey"]);
    assert_eq!(by(&mut sb, "ReadOnly", "false"), ["CreateKey"]);
    assert_eq!(by(&mut sb, "ReadOnly", "true"), ["ListKeys", "DescribeKey"]);
    assert_eq!(
        by(&mut sb, "Username", "Alice"),
        ["DescribeKey", "CreateKey"]
    );
    assert_eq!(
        by(&mut sb, "ResourceName", &arn),
        ["DescribeKey", "CreateKey"]
    );
    assert_eq!(
        by(&mut sb, "ResourceType", "AWS::KMS::Key"),
        ["DescribeKey", "CreateKey"]
    );
    assert_eq!(
        by(
            &mut sb,
            "AccessKeyId",
            alice.access_key_id.as_deref().unwrap()
        ),
        ["DescribeKey", "CreateKey"]
    );
    assert_eq!(
        by(&mut sb, "EventSource", "iam.amazonaws.com"),
        [] as [&str; 0]
    );
    let first_id = out["Events"][2]["EventId"].as_str().unwrap().to_string();
    assert_eq!(by(&mut sb, "EventId", &first_id), ["CreateKey"]);

    // IAM's events are us-east-1's, with their users as resources.
    sb.region = "us-east-1".into();
    assert_eq!(
        by(&mut sb, "EventSource", "iam.amazonaws.com"),
        ["CreateAccessKey", "PutUserPolicy", "CreateUser"]
    );
    assert_eq!(
        by(&mut sb, "ResourceType", "AWS::IAM::AccessKey"),
        ["CreateAccessKey"]
    );
    assert_eq!(by(&mut sb, "ResourceName", "Alice").len(), 3);
    sb.region = REGION.into();

    // Time ranges: StartTime and EndTime are inclusive, in epoch seconds.
    let secs = |ms: i64| json!(ms as f64 / 1000.0);
    let out = lookup(
        &mut sb,
        json!({"StartTime": secs(T0 + 1), "EndTime": secs(T0 + 60_000)}),
    )
    .unwrap();
    assert_eq!(names(&out), ["DescribeKey"]);
    let out = lookup(&mut sb, json!({"EndTime": secs(T0)})).unwrap();
    assert_eq!(names(&out), ["CreateKey"]);

    // The lookups were recorded too, as CloudTrail's own read-only events.
    let looked = sb.trail.last().unwrap();
    assert_eq!(looked.event_name, "LookupEvents");
    assert_eq!(looked.event_source, "cloudtrail.amazonaws.com");
    assert!(looked.read_only);
    assert_eq!(
        looked.record()["requestParameters"],
        json!({"endTime": "Jan 1, 2025, 12:00:00 AM"})
    );
}

#[test]
fn lookup_events_pages_with_an_opaque_token() {
    let mut sb = sandbox();
    let root = sb.root();
    // 7 events, two of them at the very same time.
    for i in 0..6 {
        sb.clock.set(T0 + i * 1000);
        ok(&mut sb, &root, "ListKeys", json!({}));
    }
    ok(&mut sb, &root, "ListAliases", json!({}));
    let mut seen: Vec<String> = Vec::new();
    let mut token: Option<String> = None;
    let filter = json!([{"AttributeKey": "EventSource", "AttributeValue": "kms.amazonaws.com"}]);
    loop {
        let mut req = json!({"MaxResults": 2, "LookupAttributes": filter});
        if let Some(t) = &token {
            req["NextToken"] = json!(t);
        }
        // LookupEvents calls are recorded as they happen: the filter keeps them out.
        let out = lookup(&mut sb, req).unwrap();
        let events = out["Events"].as_array().unwrap();
        assert!(events.len() <= 2);
        seen.extend(
            events
                .iter()
                .map(|e| e["EventId"].as_str().unwrap().to_string()),
        );
        match out.get("NextToken") {
            Some(t) => token = Some(t.as_str().unwrap().to_string()),
            None => break,
        }
    }
    let expected: Vec<String> = sb
        .trail
        .iter()
        .rev()
        .filter(|e| e.event_source == "kms.amazonaws.com")
        .map(|e| e.event_id.clone())
        .collect();
    assert_eq!(seen.len(), 7);
    assert_eq!(seen, expected);

    // A token is bound to the request's filters.
    let first = lookup(&mut sb, json!({"MaxResults": 1})).unwrap();
    let t = first["NextToken"].as_str().unwrap().to_string();
    let e = lookup(
        &mut sb,
        json!({"NextToken": t, "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "ListKeys"}]}),
    )
    .unwrap_err();
    assert_eq!(e.error_type, ErrorType::InvalidNextToken);
    let e = lookup(&mut sb, json!({"NextToken": "not a token"})).unwrap_err();
    assert_eq!(e.error_type, ErrorType::InvalidNextToken);
    assert_eq!(e.to_json()["__type"], "InvalidNextTokenException");
    // Default page size: 50.
    for _ in 0..60 {
        ok(&mut sb, &root, "ListKeys", json!({}));
    }
    let out = lookup(&mut sb, json!({})).unwrap();
    assert_eq!(out["Events"].as_array().unwrap().len(), 50);
    assert!(out["NextToken"].is_string());
}

#[test]
fn lookup_events_errors_as_the_model_names_them() {
    let mut sb = sandbox();
    let attr = |k: &str| json!({"AttributeKey": k, "AttributeValue": "x"});
    let cases = [
        (json!({"MaxResults": 0}), ErrorType::InvalidMaxResults),
        (json!({"MaxResults": 51}), ErrorType::InvalidMaxResults),
        (
            json!({"LookupAttributes": [attr("EventName"), attr("Username")]}),
            ErrorType::InvalidLookupAttributes,
        ),
        (
            json!({"LookupAttributes": [attr("Nope")]}),
            ErrorType::InvalidLookupAttributes,
        ),
        (
            json!({"StartTime": 1_735_700_000, "EndTime": 1_735_600_000}),
            ErrorType::InvalidTimeRange,
        ),
        (
            json!({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": ""}]}),
            ErrorType::Validation,
        ),
        (json!({"StartTime": "yesterday"}), ErrorType::Serialization),
    ];
    for (req, expected) in cases {
        let e = lookup(&mut sb, req.clone()).unwrap_err();
        assert_eq!(e.error_type, expected, "{req}: {e}");
    }
    // Failed lookups are recorded with CloudTrail's error names.
    let r = last(&sb, "LookupEvents");
    assert_eq!(r["errorCode"], "SerializationException");
    let e = lookup(&mut sb, json!({"MaxResults": 0})).unwrap_err();
    assert_eq!(e.to_json()["__type"], "InvalidMaxResultsException");
    assert_eq!(
        last(&sb, "LookupEvents")["errorCode"],
        "InvalidMaxResultsException"
    );
    // No Insights events in the sandbox.
    let out = lookup(&mut sb, json!({"EventCategory": "insight"})).unwrap();
    assert_eq!(out, json!({"Events": []}));
    // The engine points CloudTrail requests at the trail.
    let root = sb.root();
    let e = sb
        .engine
        .handle_service(
            Service::CloudTrail,
            REGION,
            "LookupEvents",
            &json!({}),
            &root,
            T0,
            sb.entropy.as_mut(),
        )
        .result
        .unwrap_err();
    assert_eq!(e.error_type, ErrorType::UnsupportedOperation);
    assert_eq!(Service::from_name("cloudtrail"), Some(Service::CloudTrail));
    assert_eq!(
        Service::CloudTrail.event_source(),
        "cloudtrail.amazonaws.com"
    );
}

#[test]
fn events_are_kept_ninety_days_and_at_most_a_hundred_thousand() {
    let mut sb = sandbox();
    let root = sb.root();
    ok(&mut sb, &root, "ListKeys", json!({}));
    sb.advance_days(89);
    ok(&mut sb, &root, "ListAliases", json!({}));
    // Day 90: the first event is exactly 90 days old and still kept.
    sb.advance_days(1);
    assert_eq!(
        names(&lookup(&mut sb, json!({})).unwrap()),
        ["ListAliases", "ListKeys"]
    );
    // A moment later, it is gone from LookupEvents and from the store.
    sb.clock.set(sb.clock.now() + 1);
    assert_eq!(
        names(
            &lookup(
                &mut sb,
                json!({"LookupAttributes": [
            {"AttributeKey": "EventSource", "AttributeValue": "kms.amazonaws.com"}]})
            )
            .unwrap()
        ),
        ["ListAliases"]
    );
    assert!(sb.trail.iter().all(|e| e.event_name != "ListKeys"));

    // The count cap drops the oldest first.
    let now = T0 + 10 * MILLIS_PER_DAY;
    let template = StoredEvent {
        cloud_trail_event: String::new(),
        ..sb.trail[0].clone()
    };
    let events: Vec<StoredEvent> = (0..trail::MAX_EVENTS as i64 + 3)
        .rev()
        .map(|i| StoredEvent {
            event_id: format!("e{i}"),
            event_time: T0 + i,
            ..template.clone()
        })
        .collect();
    assert_eq!(trail::expired_events(&events, now), ["e2", "e1", "e0"]);
    // Age alone.
    let old = StoredEvent {
        event_id: "old".into(),
        event_time: now - trail::RETENTION_DAYS * MILLIS_PER_DAY - 1,
        ..template
    };
    assert_eq!(trail::expired_events([&old], now), ["old"]);
}

#[test]
fn stored_events_round_trip_through_json() {
    let mut sb = sandbox();
    let alice = alice(&mut sb);
    new_key(&mut sb, &alice, json!({}));
    let stored = sb.trail.last().unwrap().clone();
    let text = serde_json::to_string(&stored).unwrap();
    assert!(text.contains("\"cloudTrailEvent\":"));
    assert!(text.contains("\"eventTime\":1735689600000"));
    let back: StoredEvent = serde_json::from_str(&text).unwrap();
    assert_eq!(back, stored);
    assert_eq!(StoredEvent::from_record(&stored.record()), stored);
}

#[test]
fn lookup_events_errors_cloudtrail_names_and_records_without_a_message() {
    let mut sb = sandbox();
    let alice = alice(&mut sb);
    let (id, _) = new_key(&mut sb, &alice, json!({}));
    // Four characters count twice: 1,001 underscores are 2,002 of the 2,000 allowed.
    let attribute = |value: String| json!({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": value}]});
    let e = lookup(&mut sb, attribute("_".repeat(1001))).unwrap_err();
    assert_eq!(e.error_type, ErrorType::Validation, "{e}");
    lookup(&mut sb, attribute("_".repeat(1000))).unwrap();
    lookup(&mut sb, attribute("a".repeat(2000))).unwrap();
    let e = lookup(&mut sb, json!({"EventCategory": "data"})).unwrap_err();
    assert_eq!(e.error_type, ErrorType::InvalidEventCategory, "{e}");
    lookup(&mut sb, json!({"EventCategory": "insight"})).unwrap();

    // A failure whose error has no message has no errorMessage.
    let e = call(
        &mut sb,
        &alice,
        Service::Kms,
        "Decrypt",
        json!({"CiphertextBlob": b64(&[0u8; 200])}),
    )
    .unwrap_err();
    assert_eq!(e.error_type, ErrorType::InvalidCiphertext);
    let record = last(&sb, "Decrypt");
    assert_eq!(record["errorCode"], "InvalidCiphertextException");
    assert!(record.get("errorMessage").is_none(), "{record}");
    let _ = id;

    // ct-replicate-key.md: the lockout check and the description, though not given.
    let (mrk, _) = new_key(&mut sb, &alice, json!({"MultiRegion": true}));
    ok(
        &mut sb,
        &alice,
        "ReplicateKey",
        json!({"KeyId": mrk, "ReplicaRegion": "us-west-2"}),
    );
    assert_eq!(
        last(&sb, "ReplicateKey")["requestParameters"],
        json!({"keyId": mrk, "replicaRegion": "us-west-2",
            "bypassPolicyLockoutSafetyCheck": false, "description": ""})
    );
}

#[test]
fn update_primary_region_writes_a_record_in_each_region() {
    let mut sb = sandbox();
    let alice = alice(&mut sb);
    let (mrk, arn) = new_key(&mut sb, &alice, json!({"MultiRegion": true}));
    ok(
        &mut sb,
        &alice,
        "ReplicateKey",
        json!({"KeyId": mrk, "ReplicaRegion": "us-west-2"}),
    );
    ok(
        &mut sb,
        &alice,
        "UpdatePrimaryRegion",
        json!({"KeyId": mrk, "PrimaryRegion": "us-west-2"}),
    );
    let records = all(&sb, "UpdatePrimaryRegion");
    assert_eq!(records.len(), 2, "{records:?}");
    let (old, new) = (&records[0], &records[1]);
    // ct-update-primary-region.md: the old primary's Region names the key and its resource.
    same(
        old.clone(),
        kms_call(
            &alice,
            "UpdatePrimaryRegion",
            json!({"keyId": mrk, "primaryRegion": "us-west-2"}),
            Value::Null,
            false,
            json!([key_resource(&arn)]),
        ),
    );
    // The new primary's: invoked by KMS, the key by its ARN there, no resources, one request.
    let mut who = identity(&alice);
    who["invokedBy"] = json!("kms.amazonaws.com");
    let mut expected = kms_call(
        &alice,
        "UpdatePrimaryRegion",
        json!({"keyId": arn.replace(REGION, "us-west-2"), "primaryRegion": "us-west-2"}),
        Value::Null,
        false,
        Value::Null,
    );
    expected["userIdentity"] = who;
    expected["awsRegion"] = json!("us-west-2");
    expected.as_object_mut().unwrap().remove("resources");
    same(new.clone(), expected);
    assert_eq!(old["requestID"], new["requestID"]);
    assert_ne!(old["eventID"], new["eventID"]);
}

#[test]
fn lookup_events_needs_cloudtrail_lookup_events_in_an_identity_policy() {
    let mut sb = sandbox();
    let kms_only = alice(&mut sb);
    let e = call(
        &mut sb,
        &kms_only,
        Service::CloudTrail,
        "LookupEvents",
        json!({}),
    )
    .unwrap_err();
    assert_eq!(e.error_type, ErrorType::AccessDenied);
    assert_eq!(
        e.message,
        format!(
            "User: {} is not authorized to perform: cloudtrail:LookupEvents because no identity-based policy allows the cloudtrail:LookupEvents action",
            kms_only.arn(REGION)
        )
    );
    // The refusal is itself recorded.
    assert_eq!(
        last(&sb, "LookupEvents")["errorCode"],
        "AccessDeniedException"
    );

    let reader = user(&mut sb, "Reader", json!("cloudtrail:LookupEvents"));
    let out = call(
        &mut sb,
        &reader,
        Service::CloudTrail,
        "LookupEvents",
        json!({}),
    )
    .unwrap();
    assert!(!out["Events"].as_array().unwrap().is_empty());

    let deny = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "cloudtrail:*", "Resource": "*"}]});
    iam(
        &mut sb,
        "PutUserPolicy",
        json!({"UserName": "Reader", "PolicyName": "deny", "PolicyDocument": deny.to_string()}),
    );
    let e = call(
        &mut sb,
        &reader,
        Service::CloudTrail,
        "LookupEvents",
        json!({}),
    )
    .unwrap_err();
    assert!(
        e.message
            .ends_with("with an explicit deny in an identity-based policy"),
        "{}",
        e.message
    );
}

#[test]
fn key_store_records_have_no_resources_and_named_keys_stay_as_named() {
    let mut sb = sandbox();
    let alice = alice(&mut sb);
    // ct-describe-keystores.md (and the other ct-*-keystore.md records): no `resources` at all.
    ok(&mut sb, &alice, "DescribeCustomKeyStores", json!({}));
    let record = last(&sb, "DescribeCustomKeyStores");
    assert!(record.get("resources").is_none(), "{record}");

    // ct-getkeypolicy.md: the default policy name is written even when the request omits it.
    let (id, arn) = new_key(&mut sb, &alice, json!({}));
    ok(&mut sb, &alice, "GetKeyPolicy", json!({"KeyId": id}));
    assert_eq!(
        last(&sb, "GetKeyPolicy")["requestParameters"],
        json!({"keyId": id, "policyName": "default"})
    );

    // alias-ct.md: an alias the request names stays in requestParameters; resources has the
    // key ARN. A Decrypt that names no key gets the key's ARN (ct-decrypt.md).
    ok(
        &mut sb,
        &alice,
        "CreateAlias",
        json!({"AliasName": "alias/project-key", "TargetKeyId": id}),
    );
    let ct = ok(
        &mut sb,
        &alice,
        "Encrypt",
        json!({"KeyId": "alias/project-key", "Plaintext": b64(b"x")}),
    );
    ok(
        &mut sb,
        &alice,
        "Decrypt",
        json!({"KeyId": "alias/project-key", "CiphertextBlob": ct["CiphertextBlob"]}),
    );
    let named = last(&sb, "Decrypt");
    assert_eq!(named["requestParameters"]["keyId"], "alias/project-key");
    assert_eq!(named["resources"], json!([key_resource(&arn)]));
    ok(
        &mut sb,
        &alice,
        "Decrypt",
        json!({"CiphertextBlob": ct["CiphertextBlob"]}),
    );
    assert_eq!(last(&sb, "Decrypt")["requestParameters"]["keyId"], arn);
}
