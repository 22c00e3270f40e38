//! Imported key material: keys with Origin EXTERNAL, GetParametersForImport with every wrapping
//! algorithm and wrapping key spec, material wrapped here as the AWS CLI and OpenSSL recipes wrap
//! it (RSA-OAEP, or RSA-OAEP of an AES key then AES key wrap with padding), ImportKeyMaterial and
//! its errors, expiry by the clock, DeleteImportedKeyMaterial, several key materials of a
//! symmetric key, and the key states of key-state.md these go through.

use base64::Engine as _;
use kms_core::{json, Clock, ErrorType, KmsError, Sandbox, Value, MILLIS_PER_DAY};
use rsa::pkcs8::{DecodePublicKey, EncodePrivateKey};
use rsa::{Oaep, RsaPublicKey};
use sha2::Sha256;

mod common;
use common::TestRng;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unb64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().expect("a blob"))
        .expect("base64")
}

fn ok(kms: &mut Sandbox, op: &str, req: Value) -> Value {
    kms.call(op, req.clone())
        .unwrap_or_else(|e| panic!("{op} {req} failed: {e}"))
}

fn err(kms: &mut Sandbox, op: &str, req: Value) -> KmsError {
    match kms.call(op, req.clone()) {
        Ok(v) => panic!("{op} {req} succeeded: {v}"),
        Err(e) => e,
    }
}

fn describe(kms: &mut Sandbox, key: &str) -> Value {
    ok(kms, "DescribeKey", json!({ "KeyId": key }))["KeyMetadata"].clone()
}

fn state(kms: &mut Sandbox, key: &str) -> String {
    describe(kms, key)["KeyState"].as_str().unwrap().to_string()
}

fn external(kms: &mut Sandbox, extra: Value) -> String {
    let mut req = json!({ "Origin": "EXTERNAL" });
    for (k, v) in extra.as_object().unwrap() {
        req[k] = v.clone();
    }
    ok(kms, "CreateKey", req)["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string()
}

fn parameters(kms: &mut Sandbox, key: &str, algorithm: &str, spec: &str) -> Value {
    ok(
        kms,
        "GetParametersForImport",
        json!({ "KeyId": key, "WrappingAlgorithm": algorithm, "WrappingKeySpec": spec }),
    )
}

/// Wraps `material` under the public key of `params` as `openssl pkeyutl` (RSAES_OAEP_*) or
/// `openssl pkeyutl` + `openssl enc -id-aes256-wrap-pad` (RSA_AES_KEY_WRAP_*) do.
fn wrap(params: &Value, algorithm: &str, material: &[u8]) -> Vec<u8> {
    let oaep = || {
        if algorithm.ends_with("SHA_1") {
            Oaep::new::<sha1::Sha1>()
        } else {
            Oaep::new::<Sha256>()
        }
    };
    let mut rng = TestRng(7);
    if algorithm == "SM2PKE" {
        // As `gmssl sm2encrypt` wraps with the SM2 public key.
        let mut rng = kms_core::SeededEntropy::new(7);
        return kms_core::crypto::sm2_encrypt_spki(
            &unb64(&params["PublicKey"]),
            material,
            &mut rng,
        )
        .unwrap();
    }
    let public = RsaPublicKey::from_public_key_der(&unb64(&params["PublicKey"])).unwrap();
    if algorithm.starts_with("RSAES_OAEP") {
        return public.encrypt(&mut rng, oaep(), material).unwrap();
    }
    let aes_key = [0x5au8; 32];
    let mut out = public.encrypt(&mut rng, oaep(), &aes_key).unwrap();
    let kek = aes_kw::KekAes256::from(aes_key);
    out.extend(kek.wrap_with_padding_vec(material).unwrap());
    out
}

/// GetParametersForImport, wrap, ImportKeyMaterial; returns the ImportKeyMaterial answer.
fn import(kms: &mut Sandbox, key: &str, material: &[u8], extra: Value) -> Result<Value, KmsError> {
    let params = parameters(kms, key, "RSAES_OAEP_SHA_256", "RSA_2048");
    import_with(kms, key, &params, "RSAES_OAEP_SHA_256", material, extra)
}

fn import_with(
    kms: &mut Sandbox,
    key: &str,
    params: &Value,
    algorithm: &str,
    material: &[u8],
    extra: Value,
) -> Result<Value, KmsError> {
    let mut req = json!({
        "KeyId": key,
        "ImportToken": params["ImportToken"],
        "EncryptedKeyMaterial": b64(&wrap(params, algorithm, material)),
    });
    let extra = if extra.is_null() {
        json!({ "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE" })
    } else {
        extra
    };
    for (k, v) in extra.as_object().unwrap() {
        req[k] = v.clone();
    }
    kms.call("ImportKeyMaterial", req)
}

fn secs(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

fn encrypt(kms: &mut Sandbox, key: &str, text: &[u8]) -> Value {
    ok(
        kms,
        "Encrypt",
        json!({ "KeyId": key, "Plaintext": b64(text) }),
    )["CiphertextBlob"]
        .clone()
}

fn decrypt(kms: &mut Sandbox, blob: &Value) -> Result<Vec<u8>, KmsError> {
    kms.call("Decrypt", json!({ "CiphertextBlob": blob }))
        .map(|v| unb64(&v["Plaintext"]))
}

#[test]
fn symmetric_key_with_imported_material_encrypts_once_imported() {
    let mut kms = Sandbox::in_memory(1);
    let key = external(&mut kms, json!({}));
    let m = describe(&mut kms, &key);
    assert_eq!(m["Origin"], "EXTERNAL");
    assert_eq!(m["KeyState"], "PendingImport");
    assert_eq!(m["Enabled"], false);
    assert!(m.get("CurrentKeyMaterialId").is_none());
    assert!(m.get("ExpirationModel").is_none());
    let e = err(
        &mut kms,
        "Encrypt",
        json!({"KeyId": key, "Plaintext": b64(b"x")}),
    );
    assert_eq!(e.error_type, ErrorType::KmsInvalidState);
    assert!(e.message.ends_with("is pending import."), "{}", e.message);

    let now = kms.clock.now();
    let params = parameters(&mut kms, &key, "RSAES_OAEP_SHA_256", "RSA_2048");
    assert_eq!(params["KeyId"], m["Arn"]);
    assert_eq!(
        params["ParametersValidTo"],
        json!(secs(now + MILLIS_PER_DAY))
    );
    let public = RsaPublicKey::from_public_key_der(&unb64(&params["PublicKey"])).unwrap();
    assert_eq!(rsa::traits::PublicKeyParts::size(&public), 256);

    let material = [0x42u8; 32];
    let out = import_with(
        &mut kms,
        &key,
        &params,
        "RSAES_OAEP_SHA_256",
        &material,
        json!({"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}),
    )
    .unwrap();
    assert_eq!(out["KeyId"], m["Arn"]);
    let id = out["KeyMaterialId"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 64);
    let m = describe(&mut kms, &key);
    assert_eq!(m["KeyState"], "Enabled");
    assert_eq!(m["ExpirationModel"], "KEY_MATERIAL_DOES_NOT_EXPIRE");
    assert!(m.get("ValidTo").is_none());
    assert_eq!(m["CurrentKeyMaterialId"], json!(id));

    let blob = encrypt(&mut kms, &key, b"imported");
    assert_eq!(decrypt(&mut kms, &blob).unwrap(), b"imported");
    let dk = ok(
        &mut kms,
        "GenerateDataKey",
        json!({"KeyId": key, "KeySpec": "AES_256"}),
    );
    assert_eq!(dk["KeyMaterialId"], json!(id));

    // The same material imported into another key has the other key's id, and its ciphertexts
    // are that key's alone.
    let other = external(&mut kms, json!({}));
    let other_id =
        import(&mut kms, &other, &material, Value::Null).unwrap()["KeyMaterialId"].clone();
    assert_ne!(other_id, json!(id));
    let e = kms
        .call("Decrypt", json!({"CiphertextBlob": blob, "KeyId": other}))
        .unwrap_err();
    assert_eq!(e.error_type, ErrorType::IncorrectKey);
}

#[test]
fn every_wrapping_algorithm_and_rsa_wrapping_key_spec_imports() {
    let mut kms = Sandbox::in_memory(2);
    let key = external(&mut kms, json!({}));
    let material = [0x17u8; 32];
    let combos = [
        ("RSAES_OAEP_SHA_1", "RSA_2048"),
        ("RSAES_OAEP_SHA_256", "RSA_2048"),
        ("RSA_AES_KEY_WRAP_SHA_1", "RSA_2048"),
        ("RSA_AES_KEY_WRAP_SHA_256", "RSA_2048"),
        // Longer wrapping keys are slow to make: one of each.
        ("RSA_AES_KEY_WRAP_SHA_256", "RSA_3072"),
        ("RSAES_OAEP_SHA_1", "RSA_4096"),
    ];
    let mut ids = Vec::new();
    for (algorithm, spec) in combos {
        let params = parameters(&mut kms, &key, algorithm, spec);
        let public = RsaPublicKey::from_public_key_der(&unb64(&params["PublicKey"])).unwrap();
        let bits: usize = spec[4..].parse().unwrap();
        assert_eq!(rsa::traits::PublicKeyParts::size(&public) * 8, bits);
        let out = import_with(&mut kms, &key, &params, algorithm, &material, Value::Null)
            .unwrap_or_else(|e| panic!("{algorithm} {spec}: {e}"));
        ids.push(out["KeyMaterialId"].clone());
        // A token is tied to its algorithm: material wrapped otherwise does not unwrap.
        let other = if algorithm.starts_with("RSAES") {
            "RSA_AES_KEY_WRAP_SHA_256"
        } else {
            "RSAES_OAEP_SHA_256"
        };
        let e = import_with(&mut kms, &key, &params, other, &material, Value::Null).unwrap_err();
        assert_eq!(
            e.error_type,
            ErrorType::InvalidCiphertext,
            "{algorithm} {spec}"
        );
    }
    // Re-importing the same material is the same key material.
    assert!(ids.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(state(&mut kms, &key), "Enabled");
}

#[test]
fn get_parameters_for_import_errors() {
    let mut kms = Sandbox::in_memory(3);
    let key = external(&mut kms, json!({}));
    let generated = ok(&mut kms, "CreateKey", json!({}))["KeyMetadata"]["KeyId"].clone();
    let req = |key: &Value, algorithm: &str, spec: &str| json!({"KeyId": key, "WrappingAlgorithm": algorithm, "WrappingKeySpec": spec});
    let e = err(
        &mut kms,
        "GetParametersForImport",
        req(&generated, "RSAES_OAEP_SHA_256", "RSA_2048"),
    );
    assert_eq!(e.error_type, ErrorType::UnsupportedOperation);
    assert!(e
        .message
        .ends_with("origin is AWS_KMS which is not valid for this operation."));
    for op in ["ImportKeyMaterial", "DeleteImportedKeyMaterial"] {
        let mut r = json!({"KeyId": generated});
        if op == "ImportKeyMaterial" {
            r["ImportToken"] = json!(b64(b"t"));
            r["EncryptedKeyMaterial"] = json!(b64(b"m"));
        }
        assert_eq!(
            err(&mut kms, op, r).error_type,
            ErrorType::UnsupportedOperation,
            "{op}"
        );
    }
    let k = json!(key);
    let e = err(
        &mut kms,
        "GetParametersForImport",
        req(&k, "RSAES_PKCS1_V1_5", "RSA_2048"),
    );
    assert_eq!(e.error_type, ErrorType::UnsupportedOperation);
    let e = err(&mut kms, "GetParametersForImport", req(&k, "SM2PKE", "SM2"));
    assert_eq!(e.error_type, ErrorType::Validation);
    assert!(e.message.contains("China Regions"));
    let e = err(
        &mut kms,
        "GetParametersForImport",
        req(&k, "RSAES_OAEP_SHA_256", "SM2"),
    );
    assert_eq!(e.error_type, ErrorType::Validation);
    let e = err(
        &mut kms,
        "GetParametersForImport",
        req(
            &json!("1234abcd-12ab-34cd-56ef-1234567890ab"),
            "RSAES_OAEP_SHA_256",
            "RSA_2048",
        ),
    );
    assert_eq!(e.error_type, ErrorType::NotFound);
    // An RSA private key is too long for RSAES_OAEP: RSA_AES_KEY_WRAP only.
    let rsa_key = json!(external(
        &mut kms,
        json!({"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"})
    ));
    let e = err(
        &mut kms,
        "GetParametersForImport",
        req(&rsa_key, "RSAES_OAEP_SHA_256", "RSA_4096"),
    );
    assert_eq!(e.error_type, ErrorType::UnsupportedOperation);
    assert!(e.message.contains("RSA_AES_KEY_WRAP"));
    // Pending deletion: KMSInvalidStateException (key-state.md footnote 8).
    ok(
        &mut kms,
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 7}),
    );
    let e = err(
        &mut kms,
        "GetParametersForImport",
        req(&k, "RSAES_OAEP_SHA_256", "RSA_2048"),
    );
    assert_eq!(e.error_type, ErrorType::KmsInvalidState);
    // SM2 is a China Regions wrapping key spec, and goes with SM2PKE only.
    kms.region = "cn-north-1".into();
    let cn = json!(external(&mut kms, json!({})));
    let e = err(
        &mut kms,
        "GetParametersForImport",
        req(&cn, "SM2PKE", "RSA_2048"),
    );
    assert_eq!(e.error_type, ErrorType::Validation);
}

#[test]
fn import_key_material_errors() {
    let mut kms = Sandbox::in_memory(4);
    let key = external(&mut kms, json!({}));
    let params = parameters(&mut kms, &key, "RSAES_OAEP_SHA_256", "RSA_2048");
    let material = [9u8; 32];
    let now = kms.clock.now();
    let with = |extra: Value| extra;
    let try_import = |kms: &mut Sandbox, params: &Value, material: &[u8], extra: Value| {
        import_with(kms, &key, params, "RSAES_OAEP_SHA_256", material, extra).unwrap_err()
    };
    // ExpirationModel and ValidTo.
    for (extra, what) in [
        (
            with(json!({})),
            "default KEY_MATERIAL_EXPIRES without ValidTo",
        ),
        (
            with(json!({"ExpirationModel": "KEY_MATERIAL_EXPIRES"})),
            "no ValidTo",
        ),
        (
            with(
                json!({"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE", "ValidTo": secs(now + MILLIS_PER_DAY)}),
            ),
            "ValidTo without expiry",
        ),
        (
            with(json!({"ValidTo": secs(now - 1000)})),
            "ValidTo in the past",
        ),
        (
            with(json!({"ValidTo": secs(now + 366 * MILLIS_PER_DAY)})),
            "ValidTo after 365 days",
        ),
    ] {
        let extra = if extra.as_object().unwrap().is_empty() {
            json!({"ExpirationModel": "KEY_MATERIAL_EXPIRES"})
        } else {
            extra
        };
        let e = try_import(&mut kms, &params, &material, extra);
        assert_eq!(e.error_type, ErrorType::Validation, "{what}");
    }
    // AWS's words (LocalStack's snapshot).
    let e = try_import(
        &mut kms,
        &params,
        &material,
        json!({"ExpirationModel": "KEY_MATERIAL_EXPIRES"}),
    );
    assert_eq!(
        e.message,
        "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES"
    );
    // Tokens: garbage, another key's, expired.
    let bad = json!({"KeyId": key, "ImportToken": b64(b"not a token"), "EncryptedKeyMaterial": b64(&[1; 256]), "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"});
    assert_eq!(
        err(&mut kms, "ImportKeyMaterial", bad).error_type,
        ErrorType::InvalidImportToken
    );
    let other = external(&mut kms, json!({}));
    let other_params = parameters(&mut kms, &other, "RSAES_OAEP_SHA_256", "RSA_2048");
    let e = try_import(&mut kms, &other_params, &material, Value::Null);
    assert_eq!(e.error_type, ErrorType::InvalidImportToken);
    // Material wrapped under another public key does not unwrap.
    let mut mixed = other_params.clone();
    mixed["ImportToken"] = params["ImportToken"].clone();
    let e = try_import(&mut kms, &mixed, &material, Value::Null);
    assert_eq!(e.error_type, ErrorType::InvalidCiphertext);
    // Material that is not a 256-bit symmetric key.
    let e = try_import(&mut kms, &params, &[9u8; 16], Value::Null);
    assert_eq!(e.error_type, ErrorType::IncorrectKeyMaterial);
    // Once imported, only the same material.
    import_with(
        &mut kms,
        &key,
        &params,
        "RSAES_OAEP_SHA_256",
        &material,
        Value::Null,
    )
    .unwrap();
    let e = try_import(&mut kms, &params, &[8u8; 32], Value::Null);
    assert_eq!(e.error_type, ErrorType::IncorrectKeyMaterial);
    // The token expires 24 hours after GetParametersForImport.
    kms.clock.set(now + MILLIS_PER_DAY + 1000);
    let e = try_import(&mut kms, &params, &material, Value::Null);
    assert_eq!(e.error_type, ErrorType::ExpiredImportToken);
    // Pending deletion: KMSInvalidStateException.
    let fresh = parameters(&mut kms, &key, "RSAES_OAEP_SHA_1", "RSA_2048");
    ok(
        &mut kms,
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 7}),
    );
    let e = import_with(
        &mut kms,
        &key,
        &fresh,
        "RSAES_OAEP_SHA_1",
        &material,
        Value::Null,
    )
    .unwrap_err();
    assert_eq!(e.error_type, ErrorType::KmsInvalidState);
    // Every error above is one the model lists for ImportKeyMaterial.
}

#[test]
fn imported_material_expires_with_a_delete_expired_key_material_event_and_comes_back() {
    let mut kms = Sandbox::in_memory(5);
    let key = external(&mut kms, json!({}));
    let now = kms.clock.now();
    let valid_to = now + 2 * MILLIS_PER_DAY;
    let material = [3u8; 32];
    import(
        &mut kms,
        &key,
        &material,
        json!({"ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": secs(valid_to)}),
    )
    .unwrap();
    let m = describe(&mut kms, &key);
    assert_eq!(m["ExpirationModel"], "KEY_MATERIAL_EXPIRES");
    assert_eq!(m["ValidTo"], json!(secs(valid_to)));
    let blob = encrypt(&mut kms, &key, b"kept");

    kms.advance_days(3);
    kms.catch_up();
    assert_eq!(state(&mut kms, &key), "PendingImport");
    assert_eq!(
        decrypt(&mut kms, &blob).unwrap_err().error_type,
        ErrorType::KmsInvalidState
    );
    let event = kms
        .trail
        .iter()
        .find(|e| e.event_name == "DeleteExpiredKeyMaterial")
        .expect("a DeleteExpiredKeyMaterial event")
        .record();
    assert_eq!(event["eventType"], "AwsServiceEvent");
    assert_eq!(event["eventTime"], "2025-01-03T00:00:00Z");
    assert_eq!(event["userIdentity"]["invokedBy"], "AWS Internal");
    assert_eq!(event["serviceEventDetails"]["keyId"], json!(key));
    assert_eq!(
        event["resources"][0]["ARN"],
        describe(&mut kms, &key)["Arn"]
    );
    assert_eq!(event["requestParameters"], Value::Null);

    // Reimporting the same material restores the key and its ciphertexts.
    import(&mut kms, &key, &material, Value::Null).unwrap();
    assert_eq!(state(&mut kms, &key), "Enabled");
    assert_eq!(decrypt(&mut kms, &blob).unwrap(), b"kept");
    assert!(describe(&mut kms, &key).get("ValidTo").is_none());
}

#[test]
fn delete_imported_key_material_by_key_state() {
    let mut kms = Sandbox::in_memory(6);
    let material = [5u8; 32];
    // PendingImport with no material: no effect.
    let key = external(&mut kms, json!({}));
    let out = ok(&mut kms, "DeleteImportedKeyMaterial", json!({"KeyId": key}));
    assert!(out.get("KeyMaterialId").is_none());
    assert_eq!(state(&mut kms, &key), "PendingImport");
    // EnableKey and DisableKey wait for the material (footnote 5); rotation is not for it (6).
    for op in ["EnableKey", "DisableKey"] {
        let e = err(&mut kms, op, json!({"KeyId": key}));
        assert_eq!(e.error_type, ErrorType::KmsInvalidState, "{op}");
    }
    for op in [
        "EnableKeyRotation",
        "DisableKeyRotation",
        "GetKeyRotationStatus",
    ] {
        let e = err(&mut kms, op, json!({"KeyId": key}));
        assert_eq!(e.error_type, ErrorType::UnsupportedOperation, "{op}");
        assert!(e
            .message
            .ends_with("origin is EXTERNAL which is not valid for this operation."));
    }
    // Enabled -> PendingImport.
    let id = import(&mut kms, &key, &material, Value::Null).unwrap()["KeyMaterialId"].clone();
    let out = ok(&mut kms, "DeleteImportedKeyMaterial", json!({"KeyId": key}));
    assert_eq!(out["KeyMaterialId"], id);
    assert_eq!(state(&mut kms, &key), "PendingImport");
    // Disabled -> PendingImport; the reimport enables the key.
    import(&mut kms, &key, &material, Value::Null).unwrap();
    ok(&mut kms, "DisableKey", json!({"KeyId": key}));
    ok(&mut kms, "DeleteImportedKeyMaterial", json!({"KeyId": key}));
    assert_eq!(state(&mut kms, &key), "PendingImport");
    import(&mut kms, &key, &material, Value::Null).unwrap();
    assert_eq!(state(&mut kms, &key), "Enabled");
    // PendingDeletion stays PendingDeletion; cancelling brings back PendingImport.
    ok(
        &mut kms,
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 7}),
    );
    ok(&mut kms, "DeleteImportedKeyMaterial", json!({"KeyId": key}));
    assert_eq!(state(&mut kms, &key), "PendingDeletion");
    ok(&mut kms, "CancelKeyDeletion", json!({"KeyId": key}));
    assert_eq!(state(&mut kms, &key), "PendingImport");
    // A PendingImport key can be scheduled for deletion and deleted.
    ok(
        &mut kms,
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 7}),
    );
    kms.advance_days(8);
    kms.catch_up();
    assert_eq!(
        err(&mut kms, "DescribeKey", json!({"KeyId": key})).error_type,
        ErrorType::NotFound
    );
    // An unknown KeyMaterialId.
    let key = external(&mut kms, json!({}));
    let e = err(
        &mut kms,
        "DeleteImportedKeyMaterial",
        json!({"KeyId": key, "KeyMaterialId": "a".repeat(64)}),
    );
    assert_eq!(e.error_type, ErrorType::NotFound);
}

/// ValidTo "is present only for KMS keys whose Origin is EXTERNAL and the ExpirationModel is
/// KEY_MATERIAL_EXPIRES": while earlier material that expires stays with the key, the key says
/// so, whatever the current material's model.
#[test]
fn a_key_whose_older_material_expires_has_the_model_that_expires() {
    let mut kms = Sandbox::in_memory(8);
    let key = external(&mut kms, json!({}));
    let valid_to = kms.clock.now() + 2 * MILLIS_PER_DAY;
    import(
        &mut kms,
        &key,
        &[1u8; 32],
        json!({"ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": secs(valid_to)}),
    )
    .unwrap();
    import(&mut kms, &key, &[2u8; 32], json!({"ImportType": "NEW_KEY_MATERIAL", "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"})).unwrap();
    ok(&mut kms, "RotateKeyOnDemand", json!({"KeyId": key}));
    let m = describe(&mut kms, &key);
    assert_eq!(m["ExpirationModel"], "KEY_MATERIAL_EXPIRES");
    assert_eq!(m["ValidTo"], json!(secs(valid_to)));
}

#[test]
fn new_key_material_waits_for_rotate_key_on_demand() {
    let mut kms = Sandbox::in_memory(7);
    let key = external(&mut kms, json!({}));
    let first = import(&mut kms, &key, &[1u8; 32], json!({"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE", "KeyMaterialDescription": "first"})).unwrap()["KeyMaterialId"].clone();
    let old = encrypt(&mut kms, &key, b"old");
    let e = err(&mut kms, "RotateKeyOnDemand", json!({"KeyId": key}));
    assert_eq!(
        (e.error_type, e.message),
        (
            ErrorType::KmsInvalidState,
            format!(
                "No available key material pending rotation for the key: {}.",
                describe(&mut kms, &key)["Arn"].as_str().unwrap()
            )
        )
    );
    // NEW_KEY_MATERIAL: not with a KeyMaterialId, not material the key already has.
    let e = import(&mut kms, &key, &[2u8; 32], json!({"ImportType": "NEW_KEY_MATERIAL", "KeyMaterialId": first, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"})).unwrap_err();
    assert_eq!(e.error_type, ErrorType::Validation);
    let e = import(&mut kms, &key, &[1u8; 32], json!({"ImportType": "NEW_KEY_MATERIAL", "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"})).unwrap_err();
    assert_eq!(e.error_type, ErrorType::IncorrectKeyMaterial);
    // EXISTING_KEY_MATERIAL with a KeyMaterialId that is not this material's.
    let e = import(&mut kms, &key, &[1u8; 32], json!({"ImportType": "EXISTING_KEY_MATERIAL", "KeyMaterialId": "b".repeat(64), "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"})).unwrap_err();
    assert_eq!(e.error_type, ErrorType::IncorrectKeyMaterial);
    let second = import(&mut kms, &key, &[2u8; 32], json!({"ImportType": "NEW_KEY_MATERIAL", "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE", "KeyMaterialDescription": "second"})).unwrap()["KeyMaterialId"].clone();
    // Only one pending at a time.
    let e = import(&mut kms, &key, &[3u8; 32], json!({"ImportType": "NEW_KEY_MATERIAL", "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"})).unwrap_err();
    assert_eq!(e.error_type, ErrorType::KmsInvalidState);
    assert_eq!(describe(&mut kms, &key)["CurrentKeyMaterialId"], first);
    let list = ok(
        &mut kms,
        "ListKeyRotations",
        json!({"KeyId": key, "IncludeKeyMaterial": "ALL_KEY_MATERIAL"}),
    );
    let rotations = list["Rotations"].as_array().unwrap();
    assert_eq!(rotations.len(), 2);
    assert_eq!(rotations[0]["KeyMaterialState"], "CURRENT");
    assert_eq!(rotations[0]["ImportState"], "IMPORTED");
    assert_eq!(rotations[0]["KeyMaterialDescription"], "first");
    assert_eq!(
        rotations[0]["ExpirationModel"],
        "KEY_MATERIAL_DOES_NOT_EXPIRE"
    );
    assert_eq!(rotations[1]["KeyMaterialId"], second);
    assert_eq!(rotations[1]["KeyMaterialState"], "PENDING_ROTATION");
    assert!(rotations[1].get("RotationDate").is_none());
    assert_eq!(
        ok(&mut kms, "ListKeyRotations", json!({"KeyId": key}))["Rotations"],
        json!([])
    );

    ok(&mut kms, "RotateKeyOnDemand", json!({"KeyId": key}));
    assert_eq!(describe(&mut kms, &key)["CurrentKeyMaterialId"], second);
    let rotations = ok(&mut kms, "ListKeyRotations", json!({"KeyId": key}))["Rotations"].clone();
    assert_eq!(rotations[0]["KeyMaterialId"], second);
    assert_eq!(rotations[0]["RotationType"], "ON_DEMAND");
    assert_eq!(rotations[0]["KeyMaterialState"], "CURRENT");
    let new = encrypt(&mut kms, &key, b"new");
    assert_eq!(decrypt(&mut kms, &old).unwrap(), b"old");
    assert_eq!(decrypt(&mut kms, &new).unwrap(), b"new");

    // Deleting a non-current material makes the key wait for it: all its materials are needed.
    ok(
        &mut kms,
        "DeleteImportedKeyMaterial",
        json!({"KeyId": key, "KeyMaterialId": first}),
    );
    assert_eq!(state(&mut kms, &key), "PendingImport");
    let all = ok(
        &mut kms,
        "ListKeyRotations",
        json!({"KeyId": key, "IncludeKeyMaterial": "ALL_KEY_MATERIAL"}),
    );
    assert_eq!(all["Rotations"][0]["ImportState"], "PENDING_IMPORT");
    import(&mut kms, &key, &[1u8; 32], json!({"ImportType": "EXISTING_KEY_MATERIAL", "KeyMaterialId": first, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"})).unwrap();
    assert_eq!(state(&mut kms, &key), "Enabled");
    // The description is kept from the last import of the same material.
    let all = ok(
        &mut kms,
        "ListKeyRotations",
        json!({"KeyId": key, "IncludeKeyMaterial": "ALL_KEY_MATERIAL"}),
    );
    assert_eq!(all["Rotations"][0]["KeyMaterialDescription"], "first");

    // Pending material can be deleted outright and other material imported in its place.
    import(&mut kms, &key, &[4u8; 32], json!({"ImportType": "NEW_KEY_MATERIAL", "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"})).unwrap();
    let pending = ok(
        &mut kms,
        "ListKeyRotations",
        json!({"KeyId": key, "IncludeKeyMaterial": "ALL_KEY_MATERIAL"}),
    )["Rotations"][2]["KeyMaterialId"]
        .clone();
    ok(
        &mut kms,
        "DeleteImportedKeyMaterial",
        json!({"KeyId": key, "KeyMaterialId": pending}),
    );
    assert_eq!(state(&mut kms, &key), "Enabled");
    let all = ok(
        &mut kms,
        "ListKeyRotations",
        json!({"KeyId": key, "IncludeKeyMaterial": "ALL_KEY_MATERIAL"}),
    );
    assert_eq!(all["Rotations"].as_array().unwrap().len(), 2);
    import(&mut kms, &key, &[5u8; 32], json!({"ImportType": "NEW_KEY_MATERIAL", "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"})).unwrap();
}

#[test]
fn hmac_key_with_imported_material() {
    let mut kms = Sandbox::in_memory(8);
    let key = external(
        &mut kms,
        json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}),
    );
    let e = import(&mut kms, &key, &[6u8; 16], Value::Null).unwrap_err();
    assert_eq!(e.error_type, ErrorType::IncorrectKeyMaterial);
    let e = import(&mut kms, &key, &[6u8; 32], json!({"ImportType": "NEW_KEY_MATERIAL", "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"})).unwrap_err();
    assert_eq!(e.error_type, ErrorType::Validation);
    let material = [6u8; 48];
    import(&mut kms, &key, &material, Value::Null).unwrap();
    let mac = ok(
        &mut kms,
        "GenerateMac",
        json!({"KeyId": key, "MacAlgorithm": "HMAC_SHA_256", "Message": b64(b"msg")}),
    );
    use hmac::Mac;
    let mut expected = hmac::Hmac::<Sha256>::new_from_slice(&material).unwrap();
    expected.update(b"msg");
    assert_eq!(
        unb64(&mac["Mac"]),
        expected.finalize().into_bytes().to_vec()
    );
    // Other material is refused: asymmetric and HMAC keys keep their first material.
    let e = import(&mut kms, &key, &[7u8; 48], Value::Null).unwrap_err();
    assert_eq!(e.error_type, ErrorType::IncorrectKeyMaterial);
}

#[test]
fn asymmetric_keys_with_imported_material_sign_and_decrypt() {
    let mut kms = Sandbox::in_memory(9);
    let mut rng = TestRng(99);
    // RSA: with RSA_AES_KEY_WRAP, as the member's documentation requires.
    let private = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
    let der = private.to_pkcs8_der().unwrap().as_bytes().to_vec();
    let key = external(
        &mut kms,
        json!({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"}),
    );
    let params = parameters(&mut kms, &key, "RSA_AES_KEY_WRAP_SHA_256", "RSA_3072");
    import_with(
        &mut kms,
        &key,
        &params,
        "RSA_AES_KEY_WRAP_SHA_256",
        &der,
        Value::Null,
    )
    .unwrap();
    let public = ok(&mut kms, "GetPublicKey", json!({"KeyId": key}));
    let ours = rsa::RsaPublicKey::from(&private);
    assert_eq!(
        RsaPublicKey::from_public_key_der(&unb64(&public["PublicKey"])).unwrap(),
        ours
    );
    let ct = ours
        .encrypt(&mut rng, Oaep::new::<Sha256>(), b"to kms")
        .unwrap();
    let out = ok(
        &mut kms,
        "Decrypt",
        json!({"KeyId": key, "CiphertextBlob": b64(&ct), "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}),
    );
    assert_eq!(unb64(&out["Plaintext"]), b"to kms");
    // A different RSA key is other material.
    let other = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
    let other_der = other.to_pkcs8_der().unwrap().as_bytes().to_vec();
    let params = parameters(&mut kms, &key, "RSA_AES_KEY_WRAP_SHA_1", "RSA_2048");
    let e = import_with(
        &mut kms,
        &key,
        &params,
        "RSA_AES_KEY_WRAP_SHA_1",
        &other_der,
        Value::Null,
    )
    .unwrap_err();
    assert_eq!(e.error_type, ErrorType::IncorrectKeyMaterial);
    // A 3072-bit key is not RSA_2048 material.
    let e = {
        let key3 = external(
            &mut kms,
            json!({"KeySpec": "RSA_3072", "KeyUsage": "SIGN_VERIFY"}),
        );
        let params = parameters(&mut kms, &key3, "RSA_AES_KEY_WRAP_SHA_256", "RSA_2048");
        import_with(
            &mut kms,
            &key3,
            &params,
            "RSA_AES_KEY_WRAP_SHA_256",
            &der,
            Value::Null,
        )
        .unwrap_err()
    };
    assert_eq!(e.error_type, ErrorType::IncorrectKeyMaterial);

    // ECC P-256 with RSAES_OAEP_SHA_256: sign in KMS, verify with the key's own public half.
    let secret = p256::SecretKey::from_slice(&[0x11; 32]).unwrap();
    let der = secret.to_pkcs8_der().unwrap().as_bytes().to_vec();
    let key = external(
        &mut kms,
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    );
    import(&mut kms, &key, &der, Value::Null).unwrap();
    let sig = ok(
        &mut kms,
        "Sign",
        json!({"KeyId": key, "Message": b64(b"signed"), "SigningAlgorithm": "ECDSA_SHA_256"}),
    );
    use p256::ecdsa::signature::Verifier;
    let verifying = p256::ecdsa::VerifyingKey::from(&secret.public_key());
    let signature = p256::ecdsa::Signature::from_der(&unb64(&sig["Signature"])).unwrap();
    verifying.verify(b"signed", &signature).unwrap();
    // A key agreement key takes imported material too (ImportKeyMaterial's documentation), and
    // derives what the material's owner derives.
    let key = external(
        &mut kms,
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "KEY_AGREEMENT"}),
    );
    import(&mut kms, &key, &der, Value::Null).unwrap();
    let peer = p256::SecretKey::from_slice(&[0x33; 32]).unwrap();
    let peer_spki = {
        use p256::pkcs8::EncodePublicKey;
        peer.public_key()
            .to_public_key_der()
            .unwrap()
            .as_bytes()
            .to_vec()
    };
    let derived = ok(
        &mut kms,
        "DeriveSharedSecret",
        json!({"KeyId": key, "KeyAgreementAlgorithm": "ECDH", "PublicKey": b64(&peer_spki)}),
    );
    assert_eq!(derived["KeyOrigin"], "EXTERNAL");
    // The peer's side: its own private key and the KMS key's public key (the imported one's).
    let public = ok(&mut kms, "GetPublicKey", json!({"KeyId": key}));
    assert_eq!(unb64(&public["PublicKey"]), {
        use p256::pkcs8::EncodePublicKey;
        secret
            .public_key()
            .to_public_key_der()
            .unwrap()
            .as_bytes()
            .to_vec()
    });
    let peer_der = peer.to_pkcs8_der().unwrap().as_bytes().to_vec();
    let expected = kms_core::crypto::ecdh(&peer_der, &unb64(&public["PublicKey"])).unwrap();
    assert_eq!(unb64(&derived["SharedSecret"]), expected.expose());
    // P-384 material does not fit a P-256 key.
    let p384 = p384::SecretKey::from_slice(&[0x22; 48]).unwrap();
    let key = external(
        &mut kms,
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    );
    let e = import(
        &mut kms,
        &key,
        p384.to_pkcs8_der().unwrap().as_bytes(),
        Value::Null,
    )
    .unwrap_err();
    assert_eq!(e.error_type, ErrorType::IncorrectKeyMaterial);
}

#[test]
fn sm2_wrapping_key_imports_in_the_china_regions() {
    let mut kms = Sandbox::in_memory(12);
    kms.region = "cn-northwest-1".into();
    let key = external(&mut kms, json!({}));
    let params = parameters(&mut kms, &key, "SM2PKE", "SM2");
    // The wrapping public key is an SM2 SubjectPublicKeyInfo (id-ecPublicKey with the SM2 curve).
    let spki = unb64(&params["PublicKey"]);
    let sm2_oid = [0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d];
    assert!(spki.windows(sm2_oid.len()).any(|w| w == sm2_oid));
    let material = [0x42u8; 16];
    import_with(&mut kms, &key, &params, "SM2PKE", &material, Value::Null).unwrap();
    let blob = encrypt(&mut kms, &key, b"under SM2-wrapped material");
    assert_eq!(
        decrypt(&mut kms, &blob).unwrap(),
        b"under SM2-wrapped material"
    );
    // Material wrapped to another token's SM2 key does not unwrap.
    let other = external(&mut kms, json!({}));
    let first = parameters(&mut kms, &other, "SM2PKE", "SM2");
    let second = parameters(&mut kms, &other, "SM2PKE", "SM2");
    let e = err(
        &mut kms,
        "ImportKeyMaterial",
        json!({"KeyId": other, "ImportToken": second["ImportToken"],
            "EncryptedKeyMaterial": b64(&wrap(&first, "SM2PKE", &material)),
            "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}),
    );
    assert_eq!(e.error_type, ErrorType::InvalidCiphertext);
    // RSA material is too long for SM2PKE.
    let rsa_key = external(
        &mut kms,
        json!({"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}),
    );
    let e = err(
        &mut kms,
        "GetParametersForImport",
        json!({"KeyId": rsa_key, "WrappingAlgorithm": "SM2PKE", "WrappingKeySpec": "SM2"}),
    );
    assert_eq!(e.error_type, ErrorType::UnsupportedOperation);
}

#[test]
fn china_regions_take_128_bit_symmetric_material() {
    let mut kms = Sandbox::in_memory(10);
    kms.region = "cn-north-1".into();
    let key = external(&mut kms, json!({}));
    let e = import(&mut kms, &key, &[1u8; 32], Value::Null).unwrap_err();
    assert_eq!(e.error_type, ErrorType::IncorrectKeyMaterial);
    import(&mut kms, &key, &[1u8; 16], Value::Null).unwrap();
    let blob = encrypt(&mut kms, &key, b"aes-128");
    assert_eq!(decrypt(&mut kms, &blob).unwrap(), b"aes-128");
}

#[test]
fn import_requests_are_recorded_as_cloudtrail_shows_them() {
    let mut kms = Sandbox::in_memory(11);
    let key = external(&mut kms, json!({}));
    let valid_to = kms.clock.now() + MILLIS_PER_DAY;
    import(
        &mut kms,
        &key,
        &[1u8; 32],
        json!({"ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": secs(valid_to)}),
    )
    .unwrap();
    let find = |name: &str| {
        kms.trail
            .iter()
            .rev()
            .find(|e| e.event_name == name)
            .unwrap()
            .record()
    };
    let get = find("GetParametersForImport");
    assert_eq!(
        get["requestParameters"]["wrappingAlgorithm"],
        "RSAES_OAEP_SHA_256"
    );
    assert_eq!(get["requestParameters"]["wrappingKeySpec"], "RSA_2048");
    assert_eq!(get["responseElements"], Value::Null);
    let imp = find("ImportKeyMaterial");
    assert_eq!(
        imp["requestParameters"]["expirationModel"],
        "KEY_MATERIAL_EXPIRES"
    );
    assert!(imp["requestParameters"]
        .get("encryptedKeyMaterial")
        .is_none());
    assert!(imp["requestParameters"].get("importToken").is_none());
    assert_eq!(imp["responseElements"], Value::Null);
}

/// `kms:ExpirationModel` is ImportKeyMaterial's request parameter only (conditions-kms.md's
/// table): other operations on a key with expiring imported material do not have it.
#[test]
fn expiration_model_is_no_condition_of_other_operations_on_the_key() {
    let mut kms = Sandbox::in_memory(6);
    let key = external(&mut kms, json!({}));
    let valid_to = kms.clock.now() + 2 * MILLIS_PER_DAY;
    import(
        &mut kms,
        &key,
        &[4u8; 32],
        json!({"ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": secs(valid_to)}),
    )
    .unwrap();
    let root = kms.root();
    let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "kms:Encrypt", "Resource": "*",
        "Condition": {"Null": {"kms:ExpirationModel": true}}}]});
    for (op, req) in [
        ("CreateUser", json!({"UserName": "dev"})),
        (
            "PutUserPolicy",
            json!({"UserName": "dev", "PolicyName": "p", "PolicyDocument": doc.to_string()}),
        ),
    ] {
        kms.iam(&root, op, req).unwrap();
    }
    kms.caller = kms
        .engine
        .caller_for_principal("arn:aws:iam::111122223333:user/dev", None)
        .unwrap();
    encrypt(&mut kms, &key, b"allowed");
}
