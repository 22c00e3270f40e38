//! DryRun: every operation whose input has `DryRun` answers DryRunOperationException when the
//! request would have succeeded (validation, key state and permissions checked), the real error
//! otherwise, and changes nothing.

use base64::Engine as _;
use kms_core::{json, Caller, ErrorType, Sandbox, Service, Value};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn ok(kms: &mut Sandbox, op: &str, req: Value) -> Value {
    kms.call(op, req.clone())
        .unwrap_or_else(|e| panic!("{op} {req} failed: {e}"))
}

fn key(kms: &mut Sandbox, req: Value) -> String {
    ok(kms, "CreateKey", req)["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string()
}

fn with_dry_run(req: &Value) -> Value {
    let mut r = req.clone();
    r["DryRun"] = json!(true);
    r
}

/// The operations of the model whose input has DryRun.
fn dry_run_operations() -> Vec<String> {
    let model = kms_core::model::model();
    let mut ops: Vec<String> = model
        .operations
        .iter()
        .filter(|(_, op)| {
            op.input.as_deref().is_some_and(|shape| {
                model
                    .shape(shape)
                    .members
                    .iter()
                    .any(|(name, _)| name == "DryRun")
            })
        })
        .map(|(name, _)| name.clone())
        .collect();
    ops.sort();
    ops
}

#[test]
fn every_dry_run_operation_answers_dry_run_when_it_would_succeed_and_changes_nothing() {
    let mut kms = Sandbox::in_memory(1);
    let sym = key(&mut kms, json!({}));
    let rsa = key(
        &mut kms,
        json!({"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}),
    );
    let hmac = key(
        &mut kms,
        json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}),
    );
    let ct = ok(
        &mut kms,
        "Encrypt",
        json!({"KeyId": sym, "Plaintext": b64(b"x")}),
    )["CiphertextBlob"]
        .clone();
    let sig = ok(
        &mut kms,
        "Sign",
        json!({"KeyId": rsa, "Message": b64(b"m"), "SigningAlgorithm": "RSASSA_PSS_SHA_256"}),
    )["Signature"]
        .clone();
    let mac = ok(
        &mut kms,
        "GenerateMac",
        json!({"KeyId": hmac, "Message": b64(b"m"), "MacAlgorithm": "HMAC_SHA_256"}),
    )["Mac"]
        .clone();
    let grant = ok(
        &mut kms,
        "CreateGrant",
        json!({"KeyId": sym, "GranteePrincipal": "arn:aws:iam::111122223333:root", "Operations": ["Decrypt"]}),
    );
    let grantee = "arn:aws:iam::111122223333:root";
    let requests: Vec<(&str, Value)> = vec![
        ("Encrypt", json!({"KeyId": sym, "Plaintext": b64(b"x")})),
        ("Decrypt", json!({"CiphertextBlob": ct})),
        (
            "ReEncrypt",
            json!({"CiphertextBlob": ct, "DestinationKeyId": sym}),
        ),
        (
            "GenerateDataKey",
            json!({"KeyId": sym, "KeySpec": "AES_256"}),
        ),
        (
            "GenerateDataKeyWithoutPlaintext",
            json!({"KeyId": sym, "NumberOfBytes": 16}),
        ),
        (
            "GenerateDataKeyPair",
            json!({"KeyId": sym, "KeyPairSpec": "ECC_NIST_P256"}),
        ),
        (
            "GenerateDataKeyPairWithoutPlaintext",
            json!({"KeyId": sym, "KeyPairSpec": "ECC_NIST_P384"}),
        ),
        (
            "Sign",
            json!({"KeyId": rsa, "Message": b64(b"m"), "SigningAlgorithm": "RSASSA_PSS_SHA_256"}),
        ),
        (
            "Verify",
            json!({"KeyId": rsa, "Message": b64(b"m"), "Signature": sig, "SigningAlgorithm": "RSASSA_PSS_SHA_256"}),
        ),
        (
            "GenerateMac",
            json!({"KeyId": hmac, "Message": b64(b"m"), "MacAlgorithm": "HMAC_SHA_256"}),
        ),
        (
            "VerifyMac",
            json!({"KeyId": hmac, "Message": b64(b"m"), "Mac": mac, "MacAlgorithm": "HMAC_SHA_256"}),
        ),
        (
            "CreateGrant",
            json!({"KeyId": sym, "GranteePrincipal": grantee, "Operations": ["Encrypt"]}),
        ),
        ("RetireGrant", json!({"GrantToken": grant["GrantToken"]})),
        (
            "RevokeGrant",
            json!({"KeyId": sym, "GrantId": grant["GrantId"]}),
        ),
    ];
    // The key agreement and KEM operations are covered below by their real errors.
    let mut covered: Vec<String> = requests.iter().map(|(op, _)| op.to_string()).collect();
    covered.extend(["DeriveSharedSecret", "Encapsulate", "Decapsulate"].map(String::from));
    covered.sort();
    assert_eq!(covered, dry_run_operations());

    for (op, req) in &requests {
        // Without DryRun the request succeeds (checked on a copy of the sandbox's state).
        let mut copy = Sandbox::in_memory(99);
        copy.engine = kms.engine.clone();
        copy.call(op, req.clone())
            .unwrap_or_else(|e| panic!("{op} without DryRun: {e}"));
        let outcome = kms.outcome(op, with_dry_run(req));
        let e = outcome.result.unwrap_err();
        assert_eq!(e.error_type, ErrorType::DryRunOperation, "{op}: {e}");
        assert_eq!(e.status(), 412);
        assert_eq!(
            e.message,
            "The request would have succeeded, but the DryRun option is set."
        );
        assert!(
            outcome.changes.is_empty(),
            "{op} changed {:?}",
            outcome.changes
        );
    }
    // The grant is still there: RetireGrant and RevokeGrant ran dry.
    let grants = ok(&mut kms, "ListGrants", json!({"KeyId": sym}));
    assert_eq!(grants["Grants"].as_array().unwrap().len(), 1);
}

#[test]
fn a_dry_run_that_would_fail_answers_the_real_error() {
    let mut kms = Sandbox::in_memory(2);
    let sym = key(&mut kms, json!({}));
    let rsa = key(
        &mut kms,
        json!({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"}),
    );
    let dry = |kms: &mut Sandbox, op: &str, req: Value| {
        kms.call(op, with_dry_run(&req)).unwrap_err().error_type
    };
    // Validation.
    assert_eq!(
        dry(&mut kms, "GenerateDataKey", json!({"KeyId": sym})),
        ErrorType::Validation
    );
    assert_eq!(
        dry(
            &mut kms,
            "Encrypt",
            json!({"KeyId": rsa, "Plaintext": b64(&[0; 300]), "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"})
        ),
        ErrorType::Validation
    );
    assert_eq!(
        dry(
            &mut kms,
            "Encrypt",
            json!({"KeyId": rsa, "Plaintext": b64(b"x"), "EncryptionAlgorithm": "RSAES_OAEP_SHA_256", "EncryptionContext": {"a": "b"}})
        ),
        ErrorType::Validation
    );
    // Key usage and algorithm.
    assert_eq!(
        dry(
            &mut kms,
            "Sign",
            json!({"KeyId": sym, "Message": b64(b"m"), "SigningAlgorithm": "ECDSA_SHA_256"})
        ),
        ErrorType::InvalidKeyUsage
    );
    assert_eq!(
        dry(
            &mut kms,
            "DeriveSharedSecret",
            json!({"KeyId": sym, "KeyAgreementAlgorithm": "ECDH", "PublicKey": b64(b"k")})
        ),
        ErrorType::InvalidKeyUsage
    );
    // Not found, and a ciphertext that is not one.
    assert_eq!(
        dry(
            &mut kms,
            "Encrypt",
            json!({"KeyId": "alias/none", "Plaintext": b64(b"x")})
        ),
        ErrorType::NotFound
    );
    assert_eq!(
        dry(
            &mut kms,
            "Decrypt",
            json!({"CiphertextBlob": b64(&[1; 80])})
        ),
        ErrorType::InvalidCiphertext
    );
    // Key state.
    ok(&mut kms, "DisableKey", json!({"KeyId": sym}));
    assert_eq!(
        dry(
            &mut kms,
            "Encrypt",
            json!({"KeyId": sym, "Plaintext": b64(b"x")})
        ),
        ErrorType::Disabled
    );
    let pending = key(&mut kms, json!({"Origin": "EXTERNAL"}));
    assert_eq!(
        dry(
            &mut kms,
            "GenerateDataKey",
            json!({"KeyId": pending, "KeySpec": "AES_128"})
        ),
        ErrorType::KmsInvalidState
    );
    assert_eq!(
        dry(
            &mut kms,
            "CreateGrant",
            json!({"KeyId": pending, "GranteePrincipal": "arn:aws:iam::111122223333:root", "Operations": ["Decrypt"]})
        ),
        ErrorType::KmsInvalidState
    );
    // Permissions: a user no policy allows is denied before the dry run answers.
    let enabled = key(&mut kms, json!({}));
    kms.call_service(Service::Iam, "CreateUser", json!({"UserName": "Bob"}))
        .unwrap();
    let access = kms
        .call_service(Service::Iam, "CreateAccessKey", json!({"UserName": "Bob"}))
        .unwrap();
    let id = access["AccessKey"]["AccessKeyId"].as_str().unwrap();
    let bob: Caller = kms
        .engine
        .caller_for_access_key(id, kms_core::Clock::now(&kms.clock))
        .unwrap();
    let root = std::mem::replace(&mut kms.caller, bob);
    let e = kms
        .call(
            "Encrypt",
            with_dry_run(&json!({"KeyId": enabled, "Plaintext": b64(b"x")})),
        )
        .unwrap_err();
    assert_eq!(e.error_type, ErrorType::AccessDenied);
    kms.caller = root;
}

/// The shell leaves RSA decryption to WebCrypto after the engine answers: a dry run must not,
/// or a ciphertext that would fail passed as DryRunOperationException.
#[test]
fn a_dry_run_decrypt_checks_the_ciphertext_where_the_platform_decrypts() {
    let mut kms = Sandbox::in_memory(3);
    kms.engine.set_platform_crypto(true);
    let rsa = key(
        &mut kms,
        json!({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"}),
    );
    let blob = ok(
        &mut kms,
        "Encrypt",
        json!({"KeyId": rsa, "Plaintext": b64(b"x"), "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}),
    )["CiphertextBlob"]
        .clone();
    let dry = |kms: &mut Sandbox, blob: Value| {
        kms.call(
            "Decrypt",
            json!({"KeyId": rsa, "CiphertextBlob": blob, "EncryptionAlgorithm": "RSAES_OAEP_SHA_256", "DryRun": true}),
        )
        .unwrap_err()
        .error_type
    };
    assert_eq!(
        dry(&mut kms, json!(b64(&[1; 256]))),
        ErrorType::InvalidCiphertext
    );
    assert_eq!(dry(&mut kms, blob), ErrorType::DryRunOperation);
}

#[test]
fn ignore_ciphertext_checks_only_the_key_and_the_permission() {
    let mut kms = Sandbox::in_memory(3);
    let id = key(&mut kms, json!({}));
    let dest = key(&mut kms, json!({}));
    let ignore = json!(["IGNORE_CIPHERTEXT"]);
    for (op, req) in [
        ("Decrypt", json!({"KeyId": id})),
        (
            "Decrypt",
            json!({"KeyId": id, "CiphertextBlob": b64(b"not a ciphertext")}),
        ),
        (
            "ReEncrypt",
            json!({"SourceKeyId": id, "DestinationKeyId": dest}),
        ),
    ] {
        let mut req = with_dry_run(&req);
        req["DryRunModifiers"] = ignore.clone();
        let e = kms.call(op, req.clone()).unwrap_err();
        assert_eq!(e.error_type, ErrorType::DryRunOperation, "{op} {req}: {e}");
    }
    // Without the modifier the ciphertext is required and checked.
    let e = kms
        .call("Decrypt", with_dry_run(&json!({"KeyId": id})))
        .unwrap_err();
    assert_eq!(e.error_type, ErrorType::Validation, "{e}");
    // The key's state still counts.
    ok(&mut kms, "DisableKey", json!({"KeyId": id}));
    let mut req = with_dry_run(&json!({"KeyId": id}));
    req["DryRunModifiers"] = ignore;
    let e = kms.call("Decrypt", req).unwrap_err();
    assert_eq!(e.error_type, ErrorType::Disabled, "{e}");
}
