//! Multi-Region keys: mrk- key ids and MultiRegionConfiguration, ReplicateKey into another Region
//! of the same sandbox, ciphertexts, signatures and MACs used across Regions, shared properties
//! kept in sync and independent ones not, UpdatePrimaryRegion, PendingReplicaDeletion, imported
//! material in multi-Region keys, and every error of the model for these operations.

use base64::Engine as _;
use kms_core::{json, Clock, ErrorType, KmsError, Sandbox, Value, MILLIS_PER_DAY};
use rsa::pkcs8::DecodePublicKey;
use rsa::{Oaep, RsaPublicKey};
use sha2::Sha256;

mod common;
use common::TestRng;

const HOME: &str = "ap-southeast-2";
const AWAY: &str = "us-west-2";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unb64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().expect("a blob"))
        .expect("base64")
}

fn call(kms: &mut Sandbox, region: &str, op: &str, req: Value) -> Result<Value, KmsError> {
    let saved = std::mem::replace(&mut kms.region, region.to_string());
    let out = kms.call(op, req);
    kms.region = saved;
    out
}

fn ok(kms: &mut Sandbox, region: &str, op: &str, req: Value) -> Value {
    call(kms, region, op, req.clone())
        .unwrap_or_else(|e| panic!("{op} {req} in {region} failed: {e}"))
}

fn err(kms: &mut Sandbox, region: &str, op: &str, req: Value) -> KmsError {
    match call(kms, region, op, req.clone()) {
        Ok(v) => panic!("{op} {req} in {region} succeeded: {v}"),
        Err(e) => e,
    }
}

fn describe(kms: &mut Sandbox, region: &str, key: &str) -> Value {
    ok(kms, region, "DescribeKey", json!({ "KeyId": key }))["KeyMetadata"].clone()
}

fn primary(kms: &mut Sandbox, extra: Value) -> String {
    let mut req = json!({ "MultiRegion": true });
    for (k, v) in extra.as_object().unwrap() {
        req[k] = v.clone();
    }
    ok(kms, HOME, "CreateKey", req)["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string()
}

fn replicate(kms: &mut Sandbox, key: &str, region: &str) -> Value {
    ok(
        kms,
        HOME,
        "ReplicateKey",
        json!({ "KeyId": key, "ReplicaRegion": region }),
    )
}

#[test]
fn a_multi_region_key_has_an_mrk_id_and_its_configuration() {
    let mut kms = Sandbox::in_memory(1);
    let out = ok(&mut kms, HOME, "CreateKey", json!({"MultiRegion": true}));
    let m = &out["KeyMetadata"];
    let id = m["KeyId"].as_str().unwrap();
    assert!(id.starts_with("mrk-") && id.len() == 36, "{id}");
    assert!(id[4..].chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(m["MultiRegion"], true);
    assert_eq!(
        m["MultiRegionConfiguration"],
        json!({
            "MultiRegionKeyType": "PRIMARY",
            "PrimaryKey": {"Arn": m["Arn"], "Region": HOME},
            "ReplicaKeys": [],
        })
    );
    // A regional key has none.
    let regional = ok(&mut kms, HOME, "CreateKey", json!({}));
    assert_eq!(regional["KeyMetadata"]["MultiRegion"], false);
    assert!(regional["KeyMetadata"]
        .get("MultiRegionConfiguration")
        .is_none());
    // The mrk- id resolves as a key id and in an ARN.
    describe(&mut kms, HOME, id);
    describe(&mut kms, HOME, m["Arn"].as_str().unwrap());
    // Not in the Regions without multi-Region keys.
    let e = err(
        &mut kms,
        "eu-central-2",
        "CreateKey",
        json!({"MultiRegion": true}),
    );
    assert_eq!(e.error_type, ErrorType::UnsupportedOperation);
}

#[test]
fn replicate_key_makes_a_replica_that_decrypts_what_the_primary_encrypted() {
    let mut kms = Sandbox::in_memory(2);
    let key = primary(
        &mut kms,
        json!({"Description": "primary", "Tags": [{"TagKey": "team", "TagValue": "a"}]}),
    );
    let before = encrypt(&mut kms, HOME, &key, b"from home");
    let out = ok(
        &mut kms,
        HOME,
        "ReplicateKey",
        json!({"KeyId": key, "ReplicaRegion": AWAY, "Description": "replica", "Tags": [{"TagKey": "team", "TagValue": "b"}]}),
    );
    let m = &out["ReplicaKeyMetadata"];
    assert_eq!(m["KeyId"], json!(key));
    assert_eq!(
        m["Arn"],
        json!(format!("arn:aws:kms:{AWAY}:111122223333:key/{key}"))
    );
    assert_eq!(m["KeyState"], "Creating");
    assert_eq!(m["Enabled"], false);
    assert_eq!(
        m["MultiRegionConfiguration"]["MultiRegionKeyType"],
        "REPLICA"
    );
    assert_eq!(m["MultiRegionConfiguration"]["PrimaryKey"]["Region"], HOME);
    assert_eq!(
        m["MultiRegionConfiguration"]["ReplicaKeys"][0]["Region"],
        AWAY
    );
    assert_eq!(
        out["ReplicaTags"],
        json!([{"TagKey": "team", "TagValue": "b"}])
    );
    assert!(out["ReplicaPolicy"].as_str().unwrap().contains("kms:*"));

    // The replica is usable at once in its Region, with the same material.
    let r = describe(&mut kms, AWAY, &key);
    assert_eq!(r["KeyState"], "Enabled");
    assert_eq!(r["Description"], "replica");
    let p = describe(&mut kms, HOME, &key);
    assert_eq!(
        p["MultiRegionConfiguration"]["ReplicaKeys"],
        json!([{"Arn": r["Arn"], "Region": AWAY}])
    );
    assert_eq!(p["CurrentKeyMaterialId"], r["CurrentKeyMaterialId"]);
    assert_eq!(decrypt(&mut kms, AWAY, &before).unwrap(), b"from home");
    let back = encrypt(&mut kms, AWAY, &key, b"from away");
    assert_eq!(decrypt(&mut kms, HOME, &back).unwrap(), b"from away");
    // Decrypt with the key id or the replica's own ARN.
    let out = ok(
        &mut kms,
        AWAY,
        "Decrypt",
        json!({"CiphertextBlob": before, "KeyId": r["Arn"]}),
    );
    assert_eq!(out["KeyId"], r["Arn"]);
    // Independent properties: tags and description differ; disabling one leaves the other.
    assert_eq!(
        ok(&mut kms, HOME, "ListResourceTags", json!({"KeyId": key}))["Tags"][0]["TagValue"],
        "a"
    );
    ok(&mut kms, AWAY, "DisableKey", json!({"KeyId": key}));
    assert_eq!(describe(&mut kms, HOME, &key)["KeyState"], "Enabled");
    assert_eq!(
        decrypt(&mut kms, AWAY, &before).unwrap_err().error_type,
        ErrorType::Disabled
    );
    // Aliases are the Region's own.
    ok(
        &mut kms,
        HOME,
        "CreateAlias",
        json!({"AliasName": "alias/mrk", "TargetKeyId": key}),
    );
    assert_eq!(
        err(&mut kms, AWAY, "DescribeKey", json!({"KeyId": "alias/mrk"})).error_type,
        ErrorType::NotFound
    );
    // The replica's Region got its AWS managed keys like any Region.
    let aliases = ok(&mut kms, AWAY, "ListAliases", json!({}));
    assert!(aliases["Aliases"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["AliasName"] == "alias/aws/s3"));
    // The trail: ReplicateKey in the primary's Region, then KMS's synchronization.
    let rec = kms
        .trail
        .iter()
        .rev()
        .find(|e| e.event_name == "ReplicateKey")
        .unwrap()
        .record();
    assert_eq!(rec["awsRegion"], HOME);
    assert_eq!(rec["requestParameters"]["replicaRegion"], AWAY);
    assert_eq!(
        rec["responseElements"]["replicaKeyMetadata"]["keyState"],
        "Creating"
    );
    let sync = kms
        .trail
        .iter()
        .rev()
        .find(|e| e.event_name == "SynchronizeMultiRegionKey")
        .unwrap()
        .record();
    assert_eq!(sync["eventType"], "AwsApiCall");
    assert_eq!(sync["awsRegion"], HOME);
    assert_eq!(sync["resources"][0]["ARN"], p["Arn"]);
}

fn encrypt(kms: &mut Sandbox, region: &str, key: &str, text: &[u8]) -> Value {
    ok(
        kms,
        region,
        "Encrypt",
        json!({"KeyId": key, "Plaintext": b64(text)}),
    )["CiphertextBlob"]
        .clone()
}

fn decrypt(kms: &mut Sandbox, region: &str, blob: &Value) -> Result<Vec<u8>, KmsError> {
    call(kms, region, "Decrypt", json!({"CiphertextBlob": blob})).map(|v| unb64(&v["Plaintext"]))
}

#[test]
fn signatures_and_macs_made_in_one_region_verify_in_another() {
    let mut kms = Sandbox::in_memory(3);
    let ecc = primary(
        &mut kms,
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    );
    replicate(&mut kms, &ecc, AWAY);
    let sig = ok(
        &mut kms,
        HOME,
        "Sign",
        json!({"KeyId": ecc, "Message": b64(b"m"), "SigningAlgorithm": "ECDSA_SHA_256"}),
    );
    let v = ok(
        &mut kms,
        AWAY,
        "Verify",
        json!({"KeyId": ecc, "Message": b64(b"m"), "Signature": sig["Signature"], "SigningAlgorithm": "ECDSA_SHA_256"}),
    );
    assert_eq!(v["SignatureValid"], true);
    assert_eq!(
        ok(&mut kms, HOME, "GetPublicKey", json!({"KeyId": ecc}))["PublicKey"],
        ok(&mut kms, AWAY, "GetPublicKey", json!({"KeyId": ecc}))["PublicKey"]
    );
    let hmac = primary(
        &mut kms,
        json!({"KeySpec": "HMAC_384", "KeyUsage": "GENERATE_VERIFY_MAC"}),
    );
    replicate(&mut kms, &hmac, "eu-west-1");
    let mac = ok(
        &mut kms,
        "eu-west-1",
        "GenerateMac",
        json!({"KeyId": hmac, "Message": b64(b"m"), "MacAlgorithm": "HMAC_SHA_384"}),
    );
    let v = ok(
        &mut kms,
        HOME,
        "VerifyMac",
        json!({"KeyId": hmac, "Message": b64(b"m"), "Mac": mac["Mac"], "MacAlgorithm": "HMAC_SHA_384"}),
    );
    assert_eq!(v["MacValid"], true);
    // RSA encryption: encrypted with the replica's public key, decrypted by the primary.
    let rsa_key = primary(
        &mut kms,
        json!({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"}),
    );
    replicate(&mut kms, &rsa_key, AWAY);
    let public = ok(&mut kms, AWAY, "GetPublicKey", json!({"KeyId": rsa_key}));
    let public = RsaPublicKey::from_public_key_der(&unb64(&public["PublicKey"])).unwrap();
    let mut rng = TestRng(1);
    let ct = public
        .encrypt(&mut rng, Oaep::new::<Sha256>(), b"rsa")
        .unwrap();
    let out = ok(
        &mut kms,
        HOME,
        "Decrypt",
        json!({"KeyId": rsa_key, "CiphertextBlob": b64(&ct), "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}),
    );
    assert_eq!(unb64(&out["Plaintext"]), b"rsa");
}

#[test]
fn replicate_key_errors() {
    let mut kms = Sandbox::in_memory(4);
    let key = primary(&mut kms, json!({}));
    let regional = ok(&mut kms, HOME, "CreateKey", json!({}))["KeyMetadata"]["KeyId"].clone();
    let req = |key: &Value, region: &str| json!({"KeyId": key, "ReplicaRegion": region});
    let k = json!(key);
    let e = err(&mut kms, HOME, "ReplicateKey", req(&regional, AWAY));
    assert_eq!(e.error_type, ErrorType::UnsupportedOperation);
    assert!(e.message.ends_with("is not a multi-Region key."));
    let e = err(
        &mut kms,
        HOME,
        "ReplicateKey",
        req(&json!("mrk-00000000000000000000000000000000"), AWAY),
    );
    assert_eq!(e.error_type, ErrorType::NotFound);
    let e = err(&mut kms, HOME, "ReplicateKey", req(&k, HOME));
    assert_eq!(e.error_type, ErrorType::Validation);
    // "in the same Amazon Web Services partition" (ReplicaRegion).
    for other in [
        "cn-north-1",
        "us-gov-west-1",
        "us-iso-east-1",
        "us-isob-east-1",
        "eu-isoe-west-1",
    ] {
        let e = err(&mut kms, HOME, "ReplicateKey", req(&k, other));
        assert_eq!(e.error_type, ErrorType::Validation, "{other}");
    }
    let e = err(&mut kms, HOME, "ReplicateKey", req(&k, "me-central-1"));
    assert_eq!(e.error_type, ErrorType::UnsupportedOperation);
    let e = err(
        &mut kms,
        HOME,
        "ReplicateKey",
        json!({"KeyId": key, "ReplicaRegion": AWAY, "Policy": "{not json"}),
    );
    assert_eq!(e.error_type, ErrorType::MalformedPolicyDocument);
    let e = err(
        &mut kms,
        HOME,
        "ReplicateKey",
        json!({"KeyId": key, "ReplicaRegion": AWAY, "Tags": [{"TagKey": "aws:x", "TagValue": "y"}]}),
    );
    assert_eq!(e.error_type, ErrorType::Tag);
    // Nothing was made by the failures.
    assert_eq!(
        err(&mut kms, AWAY, "DescribeKey", json!({"KeyId": key})).error_type,
        ErrorType::NotFound
    );
    replicate(&mut kms, &key, AWAY);
    let e = err(&mut kms, HOME, "ReplicateKey", req(&k, AWAY));
    assert_eq!(e.error_type, ErrorType::AlreadyExists);
    // Only the primary key replicates.
    let e = err(&mut kms, AWAY, "ReplicateKey", req(&k, "eu-west-1"));
    assert_eq!(e.error_type, ErrorType::UnsupportedOperation);
    // Key states: Disabled [1], PendingDeletion [3].
    ok(&mut kms, HOME, "DisableKey", json!({"KeyId": key}));
    assert_eq!(
        err(&mut kms, HOME, "ReplicateKey", req(&k, "eu-west-1")).error_type,
        ErrorType::Disabled
    );
    ok(&mut kms, HOME, "ScheduleKeyDeletion", json!({"KeyId": key}));
    assert_eq!(
        err(&mut kms, HOME, "ReplicateKey", req(&k, "eu-west-1")).error_type,
        ErrorType::KmsInvalidState
    );
}

#[test]
fn rotation_is_shared_and_set_on_the_primary_only() {
    let mut kms = Sandbox::in_memory(5);
    let key = primary(&mut kms, json!({}));
    replicate(&mut kms, &key, AWAY);
    let e = err(&mut kms, AWAY, "EnableKeyRotation", json!({"KeyId": key}));
    assert_eq!(e.error_type, ErrorType::UnsupportedOperation);
    assert_eq!(
        err(&mut kms, AWAY, "RotateKeyOnDemand", json!({"KeyId": key})).error_type,
        ErrorType::UnsupportedOperation
    );
    ok(
        &mut kms,
        HOME,
        "EnableKeyRotation",
        json!({"KeyId": key, "RotationPeriodInDays": 90}),
    );
    let status = ok(
        &mut kms,
        AWAY,
        "GetKeyRotationStatus",
        json!({"KeyId": key}),
    );
    assert_eq!(status["KeyRotationEnabled"], true);
    assert_eq!(status["RotationPeriodInDays"], 90);

    // On demand: the replica has the new material at once.
    ok(&mut kms, HOME, "RotateKeyOnDemand", json!({"KeyId": key}));
    let blob = encrypt(&mut kms, HOME, &key, b"rotated");
    assert_eq!(decrypt(&mut kms, AWAY, &blob).unwrap(), b"rotated");
    assert_eq!(
        describe(&mut kms, HOME, &key)["CurrentKeyMaterialId"],
        describe(&mut kms, AWAY, &key)["CurrentKeyMaterialId"]
    );
    let rotations = ok(&mut kms, AWAY, "ListKeyRotations", json!({"KeyId": key}));
    assert_eq!(rotations["Rotations"][0]["RotationType"], "ON_DEMAND");

    // Scheduled: made on the primary when due, and copied to the replica.
    kms.advance_days(91);
    kms.catch_up();
    let home = ok(&mut kms, HOME, "ListKeyRotations", json!({"KeyId": key}));
    let away = ok(&mut kms, AWAY, "ListKeyRotations", json!({"KeyId": key}));
    assert_eq!(home["Rotations"].as_array().unwrap().len(), 2);
    assert_eq!(home["Rotations"], {
        let mut a = away["Rotations"].clone();
        for r in a.as_array_mut().unwrap() {
            r["KeyId"] = home["Rotations"][0]["KeyId"].clone();
        }
        a
    });
    assert!(kms
        .trail
        .iter()
        .any(|e| e.event_name == "RotateKey" && e.region == HOME));
    assert!(!kms
        .trail
        .iter()
        .any(|e| e.event_name == "RotateKey" && e.region == AWAY));
    // A replica made after rotations has every version.
    replicate(&mut kms, &key, "eu-west-1");
    assert_eq!(decrypt(&mut kms, "eu-west-1", &blob).unwrap(), b"rotated");
    ok(&mut kms, HOME, "DisableKeyRotation", json!({"KeyId": key}));
    assert_eq!(
        ok(
            &mut kms,
            "eu-west-1",
            "GetKeyRotationStatus",
            json!({"KeyId": key})
        )["KeyRotationEnabled"],
        false
    );
}

#[test]
fn update_primary_region_swaps_the_roles() {
    let mut kms = Sandbox::in_memory(6);
    let key = primary(&mut kms, json!({}));
    replicate(&mut kms, &key, AWAY);
    replicate(&mut kms, &key, "eu-west-1");
    let req = |region: &str| json!({"KeyId": key, "PrimaryRegion": region});
    // Errors: a replica is not the primary; no replica in the Region; a disabled replica.
    assert_eq!(
        err(&mut kms, AWAY, "UpdatePrimaryRegion", req(HOME)).error_type,
        ErrorType::UnsupportedOperation
    );
    assert_eq!(
        err(&mut kms, HOME, "UpdatePrimaryRegion", req("ca-central-1")).error_type,
        ErrorType::NotFound
    );
    ok(&mut kms, AWAY, "DisableKey", json!({"KeyId": key}));
    assert_eq!(
        err(&mut kms, HOME, "UpdatePrimaryRegion", req(AWAY)).error_type,
        ErrorType::Disabled
    );
    ok(&mut kms, AWAY, "EnableKey", json!({"KeyId": key}));
    let regional = ok(&mut kms, HOME, "CreateKey", json!({}))["KeyMetadata"]["KeyId"].clone();
    assert_eq!(
        err(
            &mut kms,
            HOME,
            "UpdatePrimaryRegion",
            json!({"KeyId": regional, "PrimaryRegion": AWAY})
        )
        .error_type,
        ErrorType::UnsupportedOperation
    );

    assert_eq!(
        ok(&mut kms, HOME, "UpdatePrimaryRegion", req(AWAY)),
        json!({})
    );
    for region in [HOME, AWAY, "eu-west-1"] {
        let c = &describe(&mut kms, region, &key)["MultiRegionConfiguration"];
        assert_eq!(c["PrimaryKey"]["Region"], AWAY, "{region}");
        let replicas: Vec<&str> = c["ReplicaKeys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["Region"].as_str().unwrap())
            .collect();
        assert_eq!(replicas, [HOME, "eu-west-1"], "{region}");
    }
    assert_eq!(
        describe(&mut kms, HOME, &key)["MultiRegionConfiguration"]["MultiRegionKeyType"],
        "REPLICA"
    );
    // The new primary is the one that replicates and rotates.
    ok(
        &mut kms,
        AWAY,
        "ReplicateKey",
        json!({"KeyId": key, "ReplicaRegion": "ca-central-1"}),
    );
    assert_eq!(
        err(&mut kms, HOME, "EnableKeyRotation", json!({"KeyId": key})).error_type,
        ErrorType::UnsupportedOperation
    );
    ok(&mut kms, AWAY, "EnableKeyRotation", json!({"KeyId": key}));
    assert_eq!(
        ok(
            &mut kms,
            HOME,
            "GetKeyRotationStatus",
            json!({"KeyId": key})
        )["KeyRotationEnabled"],
        true
    );
}

#[test]
fn a_primary_key_waits_for_its_replicas_to_be_deleted() {
    let mut kms = Sandbox::in_memory(7);
    let key = primary(&mut kms, json!({}));
    replicate(&mut kms, &key, AWAY);
    ok(&mut kms, HOME, "EnableKeyRotation", json!({"KeyId": key}));
    let out = ok(
        &mut kms,
        HOME,
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 10}),
    );
    assert_eq!(out["KeyState"], "PendingReplicaDeletion");
    // Pending deletion, its rotation status is false (key-state.md: one column for both).
    let status = ok(
        &mut kms,
        HOME,
        "GetKeyRotationStatus",
        json!({"KeyId": key}),
    );
    assert_eq!(status["KeyRotationEnabled"], false);
    assert!(status.get("NextRotationDate").is_none());
    assert!(out.get("DeletionDate").is_none());
    let m = describe(&mut kms, HOME, &key);
    assert_eq!(m["KeyState"], "PendingReplicaDeletion");
    assert_eq!(m["PendingDeletionWindowInDays"], 10);
    assert!(m.get("DeletionDate").is_none());
    let e = err(
        &mut kms,
        HOME,
        "Encrypt",
        json!({"KeyId": key, "Plaintext": b64(b"x")}),
    );
    assert_eq!(e.error_type, ErrorType::KmsInvalidState);
    assert!(e.message.ends_with("is pending replica deletion."));
    // The replica is unaffected, and the primary waits as long as it exists.
    encrypt(&mut kms, AWAY, &key, b"still");
    kms.advance_days(40);
    kms.catch_up();
    assert_eq!(
        describe(&mut kms, HOME, &key)["KeyState"],
        "PendingReplicaDeletion"
    );
    // Cancelling works from PendingReplicaDeletion too.
    ok(&mut kms, HOME, "CancelKeyDeletion", json!({"KeyId": key}));
    assert_eq!(describe(&mut kms, HOME, &key)["KeyState"], "Disabled");
    ok(
        &mut kms,
        HOME,
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 10}),
    );
    // The replica is deleted after 7 days; the primary's 10 days start then.
    ok(
        &mut kms,
        AWAY,
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 7}),
    );
    let replica_deleted = kms.clock.now() + 7 * MILLIS_PER_DAY;
    kms.advance_days(8);
    kms.catch_up();
    assert_eq!(
        err(&mut kms, AWAY, "DescribeKey", json!({"KeyId": key})).error_type,
        ErrorType::NotFound
    );
    let m = describe(&mut kms, HOME, &key);
    assert_eq!(m["KeyState"], "PendingDeletion");
    assert_eq!(
        m["DeletionDate"],
        json!((replica_deleted + 10 * MILLIS_PER_DAY) as f64 / 1000.0)
    );
    assert!(m.get("PendingDeletionWindowInDays").is_none());
    kms.advance_days(10);
    kms.catch_up();
    assert_eq!(
        err(&mut kms, HOME, "DescribeKey", json!({"KeyId": key})).error_type,
        ErrorType::NotFound
    );
    // A primary without replicas is deleted like any key.
    let lone = primary(&mut kms, json!({}));
    let out = ok(
        &mut kms,
        HOME,
        "ScheduleKeyDeletion",
        json!({"KeyId": lone, "PendingWindowInDays": 7}),
    );
    assert_eq!(out["KeyState"], "PendingDeletion");
}

fn import(
    kms: &mut Sandbox,
    region: &str,
    key: &str,
    material: &[u8],
    extra: Value,
) -> Result<Value, KmsError> {
    let params = ok(
        kms,
        region,
        "GetParametersForImport",
        json!({"KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_1", "WrappingKeySpec": "RSA_2048"}),
    );
    let public = RsaPublicKey::from_public_key_der(&unb64(&params["PublicKey"])).unwrap();
    let wrapped = public
        .encrypt(&mut TestRng(3), Oaep::new::<sha1::Sha1>(), material)
        .unwrap();
    let mut req = json!({"KeyId": key, "ImportToken": params["ImportToken"], "EncryptedKeyMaterial": b64(&wrapped), "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"});
    for (k, v) in extra.as_object().unwrap() {
        req[k] = v.clone();
    }
    call(kms, region, "ImportKeyMaterial", req)
}

#[test]
fn multi_region_keys_with_imported_material() {
    let mut kms = Sandbox::in_memory(8);
    let key = primary(&mut kms, json!({"Origin": "EXTERNAL"}));
    assert_eq!(describe(&mut kms, HOME, &key)["KeyState"], "PendingImport");
    // Replicating waits for the primary's material.
    assert_eq!(
        err(
            &mut kms,
            HOME,
            "ReplicateKey",
            json!({"KeyId": key, "ReplicaRegion": AWAY})
        )
        .error_type,
        ErrorType::KmsInvalidState
    );
    let first =
        import(&mut kms, HOME, &key, &[1u8; 32], json!({})).unwrap()["KeyMaterialId"].clone();
    let out = replicate(&mut kms, &key, AWAY);
    assert_eq!(out["ReplicaKeyMetadata"]["Origin"], "EXTERNAL");
    // KMS does not copy imported material: the replica waits for the same material.
    assert_eq!(describe(&mut kms, AWAY, &key)["KeyState"], "PendingImport");
    let e = import(&mut kms, AWAY, &key, &[2u8; 32], json!({})).unwrap_err();
    assert_eq!(e.error_type, ErrorType::IncorrectKeyMaterial);
    let e = import(
        &mut kms,
        AWAY,
        &key,
        &[1u8; 32],
        json!({"ImportType": "NEW_KEY_MATERIAL"}),
    )
    .unwrap_err();
    assert_eq!(e.error_type, ErrorType::UnsupportedOperation);
    let same =
        import(&mut kms, AWAY, &key, &[1u8; 32], json!({})).unwrap()["KeyMaterialId"].clone();
    assert_eq!(same, first);
    assert_eq!(describe(&mut kms, AWAY, &key)["KeyState"], "Enabled");
    let blob = encrypt(&mut kms, HOME, &key, b"imported mrk");
    assert_eq!(decrypt(&mut kms, AWAY, &blob).unwrap(), b"imported mrk");
    // Their material expires independently.
    ok(
        &mut kms,
        AWAY,
        "DeleteImportedKeyMaterial",
        json!({"KeyId": key}),
    );
    assert_eq!(describe(&mut kms, AWAY, &key)["KeyState"], "PendingImport");
    assert_eq!(describe(&mut kms, HOME, &key)["KeyState"], "Enabled");
    import(&mut kms, AWAY, &key, &[1u8; 32], json!({})).unwrap();

    // New material: into the primary, then each replica, then RotateKeyOnDemand on the primary.
    let second = import(
        &mut kms,
        HOME,
        &key,
        &[3u8; 32],
        json!({"ImportType": "NEW_KEY_MATERIAL"}),
    )
    .unwrap()["KeyMaterialId"]
        .clone();
    let all = |kms: &mut Sandbox, region: &str| {
        ok(
            kms,
            region,
            "ListKeyRotations",
            json!({"KeyId": key, "IncludeKeyMaterial": "ALL_KEY_MATERIAL"}),
        )["Rotations"]
            .clone()
    };
    let home = all(&mut kms, HOME);
    assert_eq!(home[1]["KeyMaterialId"], second);
    assert_eq!(
        home[1]["KeyMaterialState"],
        "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"
    );
    assert_eq!(all(&mut kms, AWAY)[1]["ImportState"], "PENDING_IMPORT");
    assert_eq!(
        err(&mut kms, HOME, "RotateKeyOnDemand", json!({"KeyId": key})).error_type,
        ErrorType::KmsInvalidState
    );
    import(
        &mut kms,
        AWAY,
        &key,
        &[3u8; 32],
        json!({"ImportType": "EXISTING_KEY_MATERIAL"}),
    )
    .unwrap();
    assert_eq!(
        all(&mut kms, HOME)[1]["KeyMaterialState"],
        "PENDING_ROTATION"
    );
    ok(&mut kms, HOME, "RotateKeyOnDemand", json!({"KeyId": key}));
    assert_eq!(
        describe(&mut kms, AWAY, &key)["CurrentKeyMaterialId"],
        second
    );
    let blob = encrypt(&mut kms, AWAY, &key, b"second");
    assert_eq!(decrypt(&mut kms, HOME, &blob).unwrap(), b"second");
}

#[test]
fn replicas_follow_the_clock_in_their_own_region() {
    // A replica scheduled for deletion is deleted by its Region's catch-up, and the clock keeps
    // working for keys in every Region the sandbox touched.
    let mut kms = Sandbox::in_memory(9);
    let key = primary(&mut kms, json!({}));
    replicate(&mut kms, &key, AWAY);
    ok(
        &mut kms,
        AWAY,
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 7}),
    );
    kms.clock.set(kms.clock.now() + 8 * MILLIS_PER_DAY);
    kms.catch_up();
    let deleted = kms
        .trail
        .iter()
        .find(|e| e.event_name == "DeleteKey")
        .unwrap();
    assert_eq!(deleted.region, AWAY);
    assert_eq!(
        describe(&mut kms, HOME, &key)["MultiRegionConfiguration"]["ReplicaKeys"],
        json!([])
    );
    // It can be replicated there again.
    replicate(&mut kms, &key, AWAY);
}
