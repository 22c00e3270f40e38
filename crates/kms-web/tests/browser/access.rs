//! Who may use a key, through the official AWS SDK clients (`@aws-sdk/client-iam`,
//! `@aws-sdk/client-sts`, `@aws-sdk/client-kms`) and the sandbox's one `requestHandler`: IAM users
//! and roles, AssumeRole, key policies and grants decided as AWS decides them; and the same
//! through `sandbox.as(...)` and `sandbox.service(...)`.

use crate::common::*;
use kms_web::Sandbox;
use serde_json::json;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

const REGION: &str = "eu-west-1";
const ACCOUNT: &str = "111122223333";

async fn sdk(client: &JsValue, op: &str, input: serde_json::Value) -> Result<JsValue, JsValue> {
    JsFuture::from(sdk_send(client, op, &js(input))).await
}

async fn sdk_ok(client: &JsValue, op: &str, input: serde_json::Value) -> JsValue {
    match sdk(client, op, input).await {
        Ok(v) => v,
        Err(e) => panic!("SDK {op} failed: {:?}", error_parts(&e)),
    }
}

/// A client of `service` over `sandbox`'s handler, signing with the given credentials
/// (placeholders when `None`: the account root).
fn client(
    sandbox: &Sandbox,
    service: &str,
    creds: Option<(String, String, Option<String>)>,
) -> JsValue {
    let handler = get(&sandbox.to_js(), "requestHandler");
    let (id, secret, token) = match creds {
        Some((id, secret, token)) => (Some(id), Some(secret), token),
        None => (None, None, None),
    };
    service_client(service, REGION, &handler, id, secret, token)
}

/// A key policy: the account root statement (delegation to IAM) plus `extra` statements.
fn key_policy(extra: serde_json::Value) -> String {
    let mut statements = vec![json!({
        "Sid": "Enable IAM User Permissions",
        "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
        "Action": "kms:*",
        "Resource": "*"
    })];
    statements.extend(extra.as_array().cloned().unwrap_or_default());
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

#[wasm_bindgen_test]
async fn a_role_decrypts_by_key_policy_a_user_without_permission_is_denied_and_a_grant_is_constrained(
) {
    let sandbox = Sandbox::open(&unique("access"), Some(REGION.into()), None)
        .await
        .unwrap();
    let iam = client(&sandbox, "iam", None);
    let root_kms = client(&sandbox, "kms", None);

    // A user with an access key, and a role that the user may assume.
    sdk_ok(&iam, "CreateUser", json!({"UserName": "dev"})).await;
    let key = sdk_ok(&iam, "CreateAccessKey", json!({"UserName": "dev"})).await;
    let dev_creds = (
        path_str(&key, "AccessKey.AccessKeyId"),
        path_str(&key, "AccessKey.SecretAccessKey"),
        None,
    );
    assert!(dev_creds.0.starts_with("AKIA"), "{}", dev_creds.0);
    let trust = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:user/dev")},
        "Action": "sts:AssumeRole"
    }]});
    let role = sdk_ok(
        &iam,
        "CreateRole",
        json!({"RoleName": "reader", "AssumeRolePolicyDocument": trust.to_string()}),
    )
    .await;
    let role_arn = path_str(&role, "Role.Arn");
    assert_eq!(role_arn, format!("arn:aws:iam::{ACCOUNT}:role/reader"));

    // The key policy gives the role Decrypt; nothing gives the user anything.
    let policy = key_policy(json!([{
        "Sid": "Allow the reader role to decrypt",
        "Effect": "Allow",
        "Principal": {"AWS": role_arn},
        "Action": "kms:Decrypt",
        "Resource": "*"
    }]));
    let created = sdk_ok(&root_kms, "CreateKey", json!({"Policy": policy})).await;
    let key_id = path_str(&created, "KeyMetadata.KeyId");
    let ct = sdk_ok(
        &root_kms,
        "Encrypt",
        json!({"KeyId": key_id, "Plaintext": "secret"}),
    )
    .await;
    let blob = get(&ct, "CiphertextBlob");

    // Who am I, through STS, as the user.
    let dev_sts = client(&sandbox, "sts", Some(dev_creds.clone()));
    let me = sdk_ok(&dev_sts, "GetCallerIdentity", json!({})).await;
    assert_eq!(
        path_str(&me, "Arn"),
        format!("arn:aws:iam::{ACCOUNT}:user/dev")
    );
    assert_eq!(path_str(&me, "Account"), ACCOUNT);

    // The user may not decrypt: AWS's AccessDeniedException, naming user, action and key.
    let dev_kms = client(&sandbox, "kms", Some(dev_creds.clone()));
    let decrypt_input = js_sys::Object::new();
    js_sys::Reflect::set(&decrypt_input, &"CiphertextBlob".into(), &blob).unwrap();
    let e = JsFuture::from(sdk_send(&dev_kms, "Decrypt", &decrypt_input))
        .await
        .unwrap_err();
    let (name, message) = error_parts(&e);
    assert_eq!(name, "AccessDeniedException");
    let key_arn = format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}");
    assert_eq!(
        message,
        format!(
            "User: arn:aws:iam::{ACCOUNT}:user/dev is not authorized to perform: kms:Decrypt on \
             resource: {key_arn} because no identity-based policy allows the kms:Decrypt action"
        )
    );

    // The user assumes the role and decrypts with the session's credentials.
    let assumed = sdk_ok(
        &dev_sts,
        "AssumeRole",
        json!({"RoleArn": role_arn, "RoleSessionName": "s1"}),
    )
    .await;
    let session = (
        path_str(&assumed, "Credentials.AccessKeyId"),
        path_str(&assumed, "Credentials.SecretAccessKey"),
        Some(path_str(&assumed, "Credentials.SessionToken")),
    );
    assert!(session.0.starts_with("ASIA"), "{}", session.0);
    assert_eq!(
        path_str(&assumed, "AssumedRoleUser.Arn"),
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/reader/s1")
    );
    let reader_kms = client(&sandbox, "kms", Some(session.clone()));
    let out = JsFuture::from(sdk_send(&reader_kms, "Decrypt", &decrypt_input))
        .await
        .unwrap();
    assert_eq!(bytes(&get(&out, "Plaintext")), b"secret");
    // The role may decrypt, not encrypt.
    let e = sdk(
        &reader_kms,
        "Encrypt",
        json!({"KeyId": key_id, "Plaintext": "eA=="}),
    )
    .await
    .unwrap_err();
    assert_eq!(error_parts(&e).0, "AccessDeniedException");

    // Issued credentials must sign as their secret says, and a session's with its token: AWS's
    // errors for a wrong secret and a missing token, in each protocol.
    let wrong_secret = (dev_creds.0.clone(), format!("{}x", dev_creds.1), None);
    let e = sdk(
        &client(&sandbox, "kms", Some(wrong_secret.clone())),
        "ListKeys",
        json!({}),
    )
    .await
    .unwrap_err();
    assert_eq!(
        error_parts(&e),
        (
            "InvalidSignatureException".to_string(),
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method. Consult the service \
             documentation for details."
                .to_string()
        )
    );
    let e = sdk(
        &client(&sandbox, "sts", Some(wrong_secret)),
        "GetCallerIdentity",
        json!({}),
    )
    .await
    .unwrap_err();
    assert_eq!(error_parts(&e).0, "SignatureDoesNotMatch");
    let no_token = (session.0.clone(), session.1.clone(), None);
    let e = sdk(
        &client(&sandbox, "kms", Some(no_token.clone())),
        "ListKeys",
        json!({}),
    )
    .await
    .unwrap_err();
    assert_eq!(error_parts(&e).0, "UnrecognizedClientException");
    let e = sdk(
        &client(&sandbox, "iam", Some(no_token)),
        "ListUsers",
        json!({}),
    )
    .await
    .unwrap_err();
    assert_eq!(error_parts(&e).0, "InvalidClientTokenId");

    // A grant lets the user encrypt, only with its encryption context.
    sdk_ok(
        &root_kms,
        "CreateGrant",
        json!({
            "KeyId": key_id,
            "GranteePrincipal": format!("arn:aws:iam::{ACCOUNT}:user/dev"),
            "Operations": ["Encrypt"],
            "Constraints": {"EncryptionContextSubset": {"project": "alpha"}}
        }),
    )
    .await;
    sdk_ok(
        &dev_kms,
        "Encrypt",
        json!({"KeyId": key_id, "Plaintext": "eA==", "EncryptionContext": {"project": "alpha", "x": "y"}}),
    )
    .await;
    let e = sdk(
        &dev_kms,
        "Encrypt",
        json!({"KeyId": key_id, "Plaintext": "eA==", "EncryptionContext": {"project": "beta"}}),
    )
    .await
    .unwrap_err();
    assert_eq!(error_parts(&e).0, "AccessDeniedException");

    // A deactivated key is refused as AWS refuses it; the root's placeholder keys still work.
    sdk_ok(
        &iam,
        "UpdateAccessKey",
        json!({"UserName": "dev", "AccessKeyId": dev_creds.0, "Status": "Inactive"}),
    )
    .await;
    let e = sdk(&dev_kms, "ListKeys", json!({})).await.unwrap_err();
    assert_eq!(error_parts(&e).0, "UnrecognizedClientException");
    let e = sdk(&dev_sts, "GetCallerIdentity", json!({}))
        .await
        .unwrap_err();
    assert_eq!(error_parts(&e).0, "InvalidClientTokenId");
    sdk_ok(&root_kms, "ListKeys", json!({})).await;

    // Everything survives a reopen: users, roles, access keys (their secrets wrapped).
    let name = sandbox.name();
    drop((iam, root_kms, dev_kms, reader_kms, dev_sts, sandbox));
    let again = Sandbox::open(&name, Some(REGION.into()), None)
        .await
        .unwrap();
    let reader_kms = client(&again, "kms", Some(session.clone()));
    JsFuture::from(sdk_send(&reader_kms, "Decrypt", &decrypt_input))
        .await
        .unwrap();
    // No secret access key or session token is stored in the clear.
    let stored = wait(raw_snapshot(&db_name(&name))).await;
    let stored: Vec<u8> = js_sys::JSON::stringify(&stored)
        .unwrap()
        .as_string()
        .unwrap()
        .into_bytes();
    for secret in [&dev_creds.1, &session.1, session.2.as_ref().unwrap()] {
        assert!(
            !contains(&stored, secret.as_bytes()),
            "a secret is stored in the clear"
        );
    }
    drop(reader_kms);
    drop(again);
    kms_web::delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn handles_act_as_principals_and_services_answer_in_sdk_shapes() {
    let sandbox = Sandbox::memory(Some(REGION.into()), None);
    let root = sandbox.to_js();
    let iam = call(&root, "service", &["iam".into()]);
    let user = js_ok(&iam, "CreateUser", js(json!({"UserName": "alice"}))).await;
    // Timestamps are Dates, as the SDK gives them.
    assert!(path(&user, "User.CreateDate").is_instance_of::<js_sys::Date>());
    let alice_arn = path_str(&user, "User.Arn");
    let document = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["kms:CreateKey", "kms:DescribeKey"], "Resource": "*"}
    ]})
    .to_string();
    js_ok(
        &iam,
        "PutUserPolicy",
        js(json!({"UserName": "alice", "PolicyName": "create-keys", "PolicyDocument": document})),
    )
    .await;
    // Policy documents come back URL-encoded, as the SDK gives AWS's (GetUserPolicy: "The
    // policy document returned in this structure is URL-encoded").
    let got = js_ok(
        &iam,
        "GetUserPolicy",
        js(json!({"UserName": "alice", "PolicyName": "create-keys"})),
    )
    .await;
    let encoded = path_str(&got, "PolicyDocument");
    assert!(
        encoded.starts_with("%7B%22") && !encoded.contains('"'),
        "{encoded}"
    );
    assert_eq!(kms_web::decode_policy_document(&encoded), document);

    let alice = call(&root, "as", &[alice_arn.as_str().into()]);
    assert_eq!(
        get(&alice, "principal").as_string(),
        Some(alice_arn.clone())
    );
    // Allowed by her identity policy, and by the default key policy's root statement.
    let k = js_ok(&alice, "CreateKey", js(json!({}))).await;
    let key_id = path_str(&k, "KeyMetadata.KeyId");
    js_ok(&alice, "DescribeKey", js(json!({"KeyId": key_id}))).await;
    let (name, message) =
        js_fails(&alice, "ScheduleKeyDeletion", js(json!({"KeyId": key_id}))).await;
    assert_eq!(name, "AccessDeniedException");
    assert!(message.contains("kms:ScheduleKeyDeletion"), "{message}");
    // Operations on no key are decided by identity policies alone.
    let (name, _) = js_fails(&alice, "ListKeys", js(json!({}))).await;
    assert_eq!(name, "AccessDeniedException");
    let sts = call(&alice, "service", &["sts".into()]);
    let me = js_ok(&sts, "GetCallerIdentity", js(json!({}))).await;
    assert_eq!(path_str(&me, "Arn"), alice_arn);
    // An action the sandbox's STS does not have: AWS's query-protocol answer, as through the SDK.
    let (name, message) = js_fails(&sts, "GetSessionToken", js(json!({}))).await;
    assert_eq!(
        (name.as_str(), message.as_str()),
        (
            "InvalidAction",
            "Could not find operation GetSessionToken for version 2011-06-15"
        )
    );

    // An explicit deny in the key policy wins, even for the root user.
    let deny = key_policy(json!([{
        "Sid": "No decrypt for anyone",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "kms:Encrypt",
        "Resource": "*"
    }]));
    js_ok(
        &root,
        "PutKeyPolicy",
        js(json!({"KeyId": key_id, "Policy": deny})),
    )
    .await;
    let (name, message) = js_fails(
        &root,
        "Encrypt",
        js(json!({"KeyId": key_id, "Plaintext": "eA=="})),
    )
    .await;
    assert_eq!(name, "AccessDeniedException");
    assert!(
        message.ends_with("with an explicit deny in a resource-based policy"),
        "{message}"
    );

    // The lockout safety check uses the same evaluation.
    let (name, _) = js_fails(
        &root,
        "PutKeyPolicy",
        js(
            json!({"KeyId": key_id, "Policy": json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": alice_arn},
            "Action": "kms:Encrypt",
            "Resource": "*"
        }]}).to_string()}),
        ),
    )
    .await;
    assert_eq!(name, "MalformedPolicyDocumentException");

    // A principal that does not exist cannot be acted as.
    let missing = js_sys::Array::of1(&format!("arn:aws:iam::{ACCOUNT}:user/nobody").into());
    let e = call_method(&root, "as", &missing).unwrap_err();
    assert_eq!(error_parts(&e).0, "NoSuchEntityException");
}

/// `object.method(...args)`, which must not throw.
fn call(object: &JsValue, method: &str, args: &[JsValue]) -> JsValue {
    let array: js_sys::Array = args.iter().collect();
    call_method(object, method, &array).unwrap_or_else(|e| panic!("{method} threw {e:?}"))
}
