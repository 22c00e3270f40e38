//! Details of AWS's answers that the API model documents: rotation status and DescribeKey of a
//! key pending deletion, grant tokens and grant ids, aliases, and a sweep checking that every
//! error an operation answers is one the model lists for it.

use base64::Engine as _;
use kms_core::{json, Clock, ErrorType, KmsError, Sandbox, Value};
use std::collections::{BTreeMap, BTreeSet};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
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

fn create(kms: &mut Sandbox, req: Value) -> (String, String) {
    let out = ok(kms, "CreateKey", req);
    let m = &out["KeyMetadata"];
    (
        m["KeyId"].as_str().unwrap().to_string(),
        m["Arn"].as_str().unwrap().to_string(),
    )
}

// ------------------------------------------------------------ rotation and pending deletion

#[test]
fn rotation_status_is_false_while_pending_deletion_and_comes_back_when_cancelled() {
    let mut kms = Sandbox::in_memory(1);
    let (id, arn) = create(&mut kms, json!({}));
    ok(
        &mut kms,
        "EnableKeyRotation",
        json!({"KeyId": id, "RotationPeriodInDays": 90}),
    );
    let before = ok(&mut kms, "GetKeyRotationStatus", json!({"KeyId": id}));
    assert_eq!(before["KeyRotationEnabled"], true);
    assert_eq!(before["RotationPeriodInDays"], 90);

    ok(
        &mut kms,
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 7}),
    );
    let pending = ok(&mut kms, "GetKeyRotationStatus", json!({"KeyId": id}));
    assert_eq!(
        pending,
        json!({"KeyRotationEnabled": false, "KeyId": arn}),
        "no period or next rotation date while the key is pending deletion"
    );

    ok(&mut kms, "CancelKeyDeletion", json!({"KeyId": id}));
    let after = ok(&mut kms, "GetKeyRotationStatus", json!({"KeyId": id}));
    assert_eq!(
        after["KeyRotationEnabled"], true,
        "the earlier status returns"
    );
    assert_eq!(after["RotationPeriodInDays"], 90);
    assert_eq!(after["NextRotationDate"], before["NextRotationDate"]);

    // A key whose rotation was off stays off through the same round trip.
    let (plain, _) = create(&mut kms, json!({}));
    ok(&mut kms, "ScheduleKeyDeletion", json!({"KeyId": plain}));
    ok(&mut kms, "CancelKeyDeletion", json!({"KeyId": plain}));
    let status = ok(&mut kms, "GetKeyRotationStatus", json!({"KeyId": plain}));
    assert_eq!(status["KeyRotationEnabled"], false);
}

#[test]
fn a_single_region_key_pending_deletion_shows_a_deletion_date_and_no_window() {
    let mut kms = Sandbox::in_memory(2);
    let (id, _) = create(&mut kms, json!({}));
    let scheduled = ok(
        &mut kms,
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 9}),
    );
    assert_eq!(
        scheduled["PendingWindowInDays"], 9,
        "ScheduleKeyDeletion still answers its window"
    );
    let m = ok(&mut kms, "DescribeKey", json!({"KeyId": id}))["KeyMetadata"].clone();
    assert_eq!(m["KeyState"], "PendingDeletion");
    assert_eq!(m["DeletionDate"], scheduled["DeletionDate"]);
    assert!(
        m.get("PendingDeletionWindowInDays").is_none(),
        "PendingDeletionWindowInDays is only for PendingReplicaDeletion: {m}"
    );
    let created = ok(&mut kms, "CreateKey", json!({}))["KeyMetadata"].clone();
    assert!(created.get("PendingDeletionWindowInDays").is_none());
    assert!(created.get("DeletionDate").is_none());
}

#[test]
fn rotate_on_demand_conflicts_with_a_scheduled_rotation_in_the_next_20_minutes() {
    let mut kms = Sandbox::in_memory(3);
    let (id, arn) = create(&mut kms, json!({}));
    ok(
        &mut kms,
        "EnableKeyRotation",
        json!({"KeyId": id, "RotationPeriodInDays": 90}),
    );
    let minute = 60_000;
    kms.clock
        .set(kms.clock.now() + 90 * kms_core::MILLIS_PER_DAY - 21 * minute);
    ok(&mut kms, "RotateKeyOnDemand", json!({"KeyId": id}));
    kms.clock.set(kms.clock.now() + 2 * minute);
    let e = err(&mut kms, "RotateKeyOnDemand", json!({"KeyId": id}));
    assert_eq!(e.error_type, ErrorType::Conflict);
    assert!(e.message.contains(&arn), "{}", e.message);
    // Once the scheduled rotation has happened, on-demand rotation works again.
    kms.clock.set(kms.clock.now() + 20 * minute);
    ok(&mut kms, "RotateKeyOnDemand", json!({"KeyId": id}));
    let rotations = ok(&mut kms, "ListKeyRotations", json!({"KeyId": id}))["Rotations"].clone();
    let types: Vec<&str> = rotations
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["RotationType"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["ON_DEMAND", "AUTOMATIC", "ON_DEMAND"]);
}

// ------------------------------------------------------------ grant tokens and grant ids

/// Keys of every kind the grant-token operations need, and a request for each operation.
struct TokenWorld {
    kms: Sandbox,
    requests: BTreeMap<&'static str, Value>,
    issued: String,
}

fn token_world() -> TokenWorld {
    let mut kms = Sandbox::in_memory(4);
    let (sym, _) = create(&mut kms, json!({}));
    let (ecc, _) = create(
        &mut kms,
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    );
    let (hmac, _) = create(
        &mut kms,
        json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}),
    );
    let issued = ok(
        &mut kms,
        "CreateGrant",
        json!({"KeyId": sym, "GranteePrincipal": "arn:aws:iam::444455556666:user/u", "Operations": ["Encrypt", "Decrypt"]}),
    )["GrantToken"]
        .as_str()
        .unwrap()
        .to_string();
    let ct = ok(
        &mut kms,
        "Encrypt",
        json!({"KeyId": sym, "Plaintext": b64(b"secret")}),
    )["CiphertextBlob"]
        .clone();
    let msg = b64(b"message");
    let sig = ok(
        &mut kms,
        "Sign",
        json!({"KeyId": ecc, "Message": msg, "SigningAlgorithm": "ECDSA_SHA_256"}),
    )["Signature"]
        .clone();
    let mac = ok(
        &mut kms,
        "GenerateMac",
        json!({"KeyId": hmac, "Message": msg, "MacAlgorithm": "HMAC_SHA_256"}),
    )["Mac"]
        .clone();
    let public = ok(&mut kms, "GetPublicKey", json!({"KeyId": ecc}))["PublicKey"].clone();
    let requests = BTreeMap::from([
        (
            "CreateGrant",
            json!({"KeyId": sym, "GranteePrincipal": "arn:aws:iam::444455556666:role/r", "Operations": ["Decrypt"]}),
        ),
        (
            "Decapsulate",
            json!({"KeyId": sym, "EncapsulationAlgorithm": "ML_KEM", "SharedSecretCiphertextBlob": b64(&[1; 32])}),
        ),
        ("Decrypt", json!({"CiphertextBlob": ct})),
        (
            "DeriveSharedSecret",
            json!({"KeyId": ecc, "KeyAgreementAlgorithm": "ECDH", "PublicKey": public}),
        ),
        ("DescribeKey", json!({"KeyId": sym})),
        (
            "Encapsulate",
            json!({"KeyId": sym, "EncapsulationAlgorithm": "ML_KEM"}),
        ),
        ("Encrypt", json!({"KeyId": sym, "Plaintext": b64(b"x")})),
        (
            "GenerateDataKey",
            json!({"KeyId": sym, "KeySpec": "AES_256"}),
        ),
        (
            "GenerateDataKeyPair",
            json!({"KeyId": sym, "KeyPairSpec": "ECC_NIST_P256"}),
        ),
        (
            "GenerateDataKeyPairWithoutPlaintext",
            json!({"KeyId": sym, "KeyPairSpec": "ECC_NIST_P256"}),
        ),
        (
            "GenerateDataKeyWithoutPlaintext",
            json!({"KeyId": sym, "NumberOfBytes": 16}),
        ),
        (
            "GenerateMac",
            json!({"KeyId": hmac, "Message": msg, "MacAlgorithm": "HMAC_SHA_256"}),
        ),
        ("GetPublicKey", json!({"KeyId": ecc})),
        (
            "ReEncrypt",
            json!({"CiphertextBlob": ct, "DestinationKeyId": sym}),
        ),
        (
            "Sign",
            json!({"KeyId": ecc, "Message": msg, "SigningAlgorithm": "ECDSA_SHA_256"}),
        ),
        (
            "Verify",
            json!({"KeyId": ecc, "Message": msg, "Signature": sig, "SigningAlgorithm": "ECDSA_SHA_256"}),
        ),
        (
            "VerifyMac",
            json!({"KeyId": hmac, "Message": msg, "Mac": mac, "MacAlgorithm": "HMAC_SHA_256"}),
        ),
    ]);
    TokenWorld {
        kms,
        requests,
        issued,
    }
}

fn with_tokens(req: &Value, tokens: &[&str]) -> Value {
    let mut r = req.clone();
    r["GrantTokens"] = json!(tokens);
    r
}

/// The outcome's kind: Ok, or the error type.
fn kind(r: &Result<Value, KmsError>) -> Result<(), ErrorType> {
    r.as_ref().map(|_| ()).map_err(|e| e.error_type)
}

/// A token of the form CreateGrant issues that names no grant.
fn unknown_token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([7u8; 96])
}

#[test]
fn malformed_grant_tokens_are_refused_by_every_operation_whose_model_lists_the_error() {
    let mut w = token_world();
    let model = kms_core::model::model();
    let takes_tokens: BTreeSet<&str> = model
        .operations
        .iter()
        .filter(|(_, op)| {
            op.input
                .as_ref()
                .is_some_and(|i| model.shape(i).members.contains_key("GrantTokens"))
        })
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(
        takes_tokens,
        w.requests.keys().copied().collect(),
        "a request for every operation that takes GrantTokens"
    );
    let unknown = unknown_token();
    let mut issued_changed = w.issued.clone();
    issued_changed.replace_range(0..1, "+");
    let malformed = [
        "not-a-grant-token",
        &issued_changed,                 // a character outside URL-safe base64
        &w.issued[..w.issued.len() - 1], // truncated
        &format!("{}==", w.issued),      // padded
    ];
    let requests = w.requests.clone();
    for (op, req) in &requests {
        let lists_error = model.operations[*op]
            .errors
            .iter()
            .any(|e| e == "InvalidGrantTokenException");
        assert_eq!(lists_error, *op != "DescribeKey", "{op}");
        let plain = kind(&w.kms.call(op, req.clone()));
        // Issued and well-formed unknown tokens change nothing (the caller is the account's
        // root user, which needs no grant, and an unknown token grants nothing of its own).
        for token in [w.issued.as_str(), unknown.as_str()] {
            let r = w.kms.call(op, with_tokens(req, &[token]));
            assert_eq!(kind(&r), plain, "{op} with a well-formed token");
        }
        for bad in malformed {
            let r = w.kms.call(op, with_tokens(req, &[&w.issued.clone(), bad]));
            if lists_error {
                let e = r.expect_err(op);
                assert_eq!(
                    (e.error_type, e.message.as_str()),
                    (ErrorType::InvalidGrantToken, "Grant token is invalid"),
                    "{op} with {bad}"
                );
            } else {
                assert_eq!(
                    kind(&r),
                    plain,
                    "{op}: the model lists no InvalidGrantTokenException"
                );
            }
        }
    }
}

#[test]
fn retire_grant_tells_a_malformed_token_from_one_whose_grant_is_gone() {
    let mut w = token_world();
    let e = err(&mut w.kms, "RetireGrant", json!({"GrantToken": "garbage"}));
    assert_eq!(e.error_type, ErrorType::InvalidGrantToken);
    let e = err(
        &mut w.kms,
        "RetireGrant",
        json!({"GrantToken": unknown_token()}),
    );
    assert_eq!(e.error_type, ErrorType::NotFound);
    let issued = w.issued.clone();
    ok(&mut w.kms, "RetireGrant", json!({"GrantToken": issued}));
    let e = err(&mut w.kms, "RetireGrant", json!({"GrantToken": issued}));
    assert_eq!(e.error_type, ErrorType::NotFound);
    // The token of a retired grant still passes as a well-formed token elsewhere.
    let req = w.requests["Encrypt"].clone();
    ok(&mut w.kms, "Encrypt", with_tokens(&req, &[&issued]));
}

#[test]
fn malformed_grant_ids_are_invalid_and_unknown_ones_are_not_found() {
    let mut kms = Sandbox::in_memory(5);
    let (id, arn) = create(&mut kms, json!({}));
    let grant = ok(
        &mut kms,
        "CreateGrant",
        json!({"KeyId": id, "GranteePrincipal": "arn:aws:iam::444455556666:user/u", "Operations": ["Decrypt"]}),
    )["GrantId"]
        .as_str()
        .unwrap()
        .to_string();
    let unknown = "0".repeat(64);
    for bad in ["not-a-grant-id", &grant[..63], &format!("{grant}0")] {
        for (op, req) in [
            ("ListGrants", json!({"KeyId": id, "GrantId": bad})),
            ("RevokeGrant", json!({"KeyId": id, "GrantId": bad})),
            ("RetireGrant", json!({"KeyId": arn, "GrantId": bad})),
        ] {
            let e = err(&mut kms, op, req);
            assert_eq!(e.error_type, ErrorType::InvalidGrantId, "{op} {bad}");
        }
    }
    let listed = ok(
        &mut kms,
        "ListGrants",
        json!({"KeyId": id, "GrantId": unknown}),
    );
    assert_eq!(listed["Grants"], json!([]));
    let e = err(
        &mut kms,
        "RevokeGrant",
        json!({"KeyId": id, "GrantId": unknown}),
    );
    assert_eq!(e.error_type, ErrorType::NotFound);
    let e = err(
        &mut kms,
        "RetireGrant",
        json!({"KeyId": arn, "GrantId": unknown}),
    );
    assert_eq!(e.error_type, ErrorType::NotFound);
    let listed = ok(
        &mut kms,
        "ListGrants",
        json!({"KeyId": id, "GrantId": grant}),
    );
    assert_eq!(listed["Grants"].as_array().unwrap().len(), 1);
    ok(
        &mut kms,
        "RevokeGrant",
        json!({"KeyId": id, "GrantId": grant}),
    );
}

// ------------------------------------------------------------ aliases

#[test]
fn alias_errors_are_those_each_operation_lists() {
    let mut kms = Sandbox::in_memory(6);
    let (a, _) = create(&mut kms, json!({}));
    let prefix_message = "Alias must start with the prefix \"alias/\". Please see \
                          https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html";
    for (op, req) in [
        (
            "CreateAlias",
            json!({"AliasName": "mine", "TargetKeyId": a}),
        ),
        (
            "UpdateAlias",
            json!({"AliasName": "mine", "TargetKeyId": a}),
        ),
        ("DeleteAlias", json!({"AliasName": "mine"})),
    ] {
        let e = err(&mut kms, op, req);
        assert_eq!(
            (e.error_type, e.message.as_str()),
            (ErrorType::Validation, prefix_message),
            "{op}"
        );
    }
    // The reserved prefix: CreateAlias's InvalidAliasNameException; the AWS managed aliases
    // refuse changes as their keys' policies do; a reserved name that is not there is not found.
    let e = err(
        &mut kms,
        "CreateAlias",
        json!({"AliasName": "alias/aws/mine", "TargetKeyId": a}),
    );
    assert_eq!(e.error_type, ErrorType::InvalidAliasName);
    let e = err(
        &mut kms,
        "DeleteAlias",
        json!({"AliasName": "alias/aws/s3"}),
    );
    assert_eq!(e.error_type, ErrorType::AccessDenied);
    assert!(e.message.contains("kms:DeleteAlias"), "{}", e.message);
    let e = err(
        &mut kms,
        "UpdateAlias",
        json!({"AliasName": "alias/aws/s3", "TargetKeyId": a}),
    );
    assert_eq!(e.error_type, ErrorType::AccessDenied);
    let e = err(
        &mut kms,
        "DeleteAlias",
        json!({"AliasName": "alias/aws/none"}),
    );
    assert_eq!(e.error_type, ErrorType::NotFound);
    assert!(
        ok(&mut kms, "DescribeKey", json!({"KeyId": "alias/aws/s3"}))["KeyMetadata"].is_object()
    );
}

#[test]
fn update_alias_respects_the_quota_of_aliases_per_key() {
    let mut kms = Sandbox::in_memory(7);
    let (full, _) = create(&mut kms, json!({}));
    let (other, _) = create(&mut kms, json!({}));
    for i in 0..50 {
        ok(
            &mut kms,
            "CreateAlias",
            json!({"AliasName": format!("alias/full-{i}"), "TargetKeyId": full}),
        );
    }
    ok(
        &mut kms,
        "CreateAlias",
        json!({"AliasName": "alias/mover", "TargetKeyId": other}),
    );
    let e = err(
        &mut kms,
        "UpdateAlias",
        json!({"AliasName": "alias/mover", "TargetKeyId": full}),
    );
    assert_eq!(e.error_type, ErrorType::LimitExceeded);
    // Pointing an alias at the key it already names is not a 51st alias.
    ok(
        &mut kms,
        "UpdateAlias",
        json!({"AliasName": "alias/full-0", "TargetKeyId": full}),
    );
}

// ------------------------------------------------------------ every error is a listed one

/// Errors any operation may answer: AWS's common errors (not in operations' lists).
const COMMON_ERRORS: &[&str] = &[
    "ValidationException",
    "SerializationException",
    "AccessDeniedException",
];

struct World {
    kms: Sandbox,
    keys: Vec<String>,
    ciphertexts: Vec<String>,
    grant_id: String,
    grant_token: String,
    public_key: Value,
}

/// Keys in every state and of every kind the sandbox has, named every way, and the things
/// requests refer to (ciphertexts, a grant, a public key).
fn world() -> World {
    let mut kms = Sandbox::in_memory(8);
    // A key whose scheduled rotation is 10 minutes away (for ConflictException).
    let (soon, _) = create(&mut kms, json!({}));
    ok(
        &mut kms,
        "EnableKeyRotation",
        json!({"KeyId": soon, "RotationPeriodInDays": 90}),
    );
    kms.clock
        .set(kms.clock.now() + 90 * kms_core::MILLIS_PER_DAY - 10 * 60_000);
    let (sym, sym_arn) = create(&mut kms, json!({}));
    ok(
        &mut kms,
        "CreateAlias",
        json!({"AliasName": "alias/existing", "TargetKeyId": sym}),
    );
    let (disabled, _) = create(&mut kms, json!({}));
    ok(&mut kms, "DisableKey", json!({"KeyId": disabled}));
    let (pending, _) = create(&mut kms, json!({}));
    ok(&mut kms, "ScheduleKeyDeletion", json!({"KeyId": pending}));
    let (rsa, _) = create(
        &mut kms,
        json!({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"}),
    );
    let (ecc, _) = create(
        &mut kms,
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    );
    let (hmac, _) = create(
        &mut kms,
        json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}),
    );
    let managed = ok(&mut kms, "DescribeKey", json!({"KeyId": "alias/aws/s3"}))["KeyMetadata"]
        ["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let grant = ok(
        &mut kms,
        "CreateGrant",
        json!({"KeyId": sym, "GranteePrincipal": "arn:aws:iam::444455556666:user/u",
               "RetiringPrincipal": "arn:aws:iam::444455556666:user/u", "Operations": ["Decrypt"]}),
    );
    let ciphertexts = vec![
        ok(&mut kms, "Encrypt", json!({"KeyId": sym, "Plaintext": b64(b"x")}))["CiphertextBlob"]
            .as_str()
            .unwrap()
            .to_string(),
        ok(
            &mut kms,
            "Encrypt",
            json!({"KeyId": sym, "Plaintext": b64(b"x"), "EncryptionContext": {"a": "b"}}),
        )["CiphertextBlob"]
            .as_str()
            .unwrap()
            .to_string(),
        ok(
            &mut kms,
            "Encrypt",
            json!({"KeyId": rsa, "Plaintext": b64(b"x"), "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}),
        )["CiphertextBlob"]
            .as_str()
            .unwrap()
            .to_string(),
        b64(&[9u8; 80]),
    ];
    // The disabled and pending keys made their ciphertexts before they changed state.
    let public_key = ok(&mut kms, "GetPublicKey", json!({"KeyId": ecc}))["PublicKey"].clone();
    let keys = vec![
        sym.clone(),
        sym_arn,
        "alias/existing".into(),
        "arn:aws:kms:ap-southeast-2:111122223333:alias/existing".into(),
        soon,
        disabled,
        pending,
        rsa,
        ecc,
        hmac,
        managed,
        "alias/aws/s3".into(),
        "alias/missing".into(),
        "00000000-0000-4000-8000-000000000000".into(),
        format!("arn:aws:kms:us-east-1:111122223333:key/{sym}"),
        "not-a-key".into(),
    ];
    World {
        kms,
        keys,
        ciphertexts,
        grant_id: grant["GrantId"].as_str().unwrap().to_string(),
        grant_token: grant["GrantToken"].as_str().unwrap().to_string(),
        public_key,
    }
}

/// Values to try for one member of a request.
fn candidates(w: &World, member: &str, shape_name: &str) -> Vec<Value> {
    let model = kms_core::model::model();
    let shape = model.shape(shape_name);
    let strs = |v: &[&str]| v.iter().map(|s| json!(s)).collect::<Vec<_>>();
    match member {
        "KeyId" | "TargetKeyId" | "DestinationKeyId" | "SourceKeyId" => {
            return w.keys.iter().map(|k| json!(k)).collect()
        }
        "AliasName" => {
            return strs(&[
                "alias/new-one",
                "alias/existing",
                "alias/aws/s3",
                "alias/aws/none",
                "noprefix",
                "alias/",
            ])
        }
        "GrantId" => return strs(&[&w.grant_id, &"0".repeat(64), "bad-grant-id"]),
        "GrantToken" => return strs(&[&w.grant_token, &unknown_token(), "bad"]),
        "GrantTokens" => {
            return vec![
                json!([w.grant_token]),
                json!([unknown_token()]),
                json!(["bad"]),
            ]
        }
        "CiphertextBlob" => return w.ciphertexts.iter().map(|c| json!(c)).collect(),
        "PublicKey" => return vec![w.public_key.clone(), json!(b64(b"not a key"))],
        "Policy" => {
            let lockout = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:user/u"}, "Action": "kms:Encrypt", "Resource": "*"}]});
            return vec![
                json!(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]})
                .to_string()),
                json!(lockout.to_string()),
                json!("{}"),
                json!("not json"),
                json!("x".repeat(40_000)),
            ];
        }
        "Marker" => return strs(&["bad!", "YQ", "enp6"]),
        // RSA key pairs are slow to generate and add no error of their own.
        "KeyPairSpec" => return strs(&["ECC_NIST_P256", "ECC_SECG_P256K1", "SM2", "ML_KEM_768"]),
        "Tags" => {
            return vec![
                json!([{"TagKey": "k", "TagValue": "v"}]),
                json!([{"TagKey": "aws:k", "TagValue": "v"}]),
                json!((0..51)
                    .map(|i| json!({"TagKey": format!("k{i}"), "TagValue": "v"}))
                    .collect::<Vec<_>>()),
            ]
        }
        "Operations" => return vec![json!(["Decrypt"]), json!(["Sign"]), json!([])],
        "GranteePrincipal" | "RetiringPrincipal" => {
            return strs(&["arn:aws:iam::111122223333:user/u"])
        }
        "GranteeServicePrincipal" | "RetiringServicePrincipal" => {
            return strs(&["ebs.amazonaws.com"])
        }
        "Constraints" => {
            return vec![
                json!({"EncryptionContextSubset": {"a": "b"}}),
                json!({"EncryptionContextEquals": {"a": "b"}}),
            ]
        }
        "Message" => return vec![json!(b64(b"message")), json!(b64(&[1u8; 32]))],
        "CustomKeyStoreId" => return strs(&["cks-1234567890abcdef0"]),
        "CloudHsmClusterId" => return strs(&["cluster-1234567890a"]),
        "PendingWindowInDays" => return vec![json!(7), json!(30), json!(3)],
        "RotationPeriodInDays" => return vec![json!(90), json!(2560)],
        "NumberOfBytes" => return vec![json!(1), json!(32), json!(1024)],
        "Limit" => return vec![json!(1), json!(1000)],
        "PolicyName" => return strs(&["default", "other"]),
        "ReplicaRegion" | "PrimaryRegion" => return strs(&["us-west-2"]),
        "KeyMaterialId" => return strs(&[&"a".repeat(64)]),
        "ValidTo" => return vec![json!(1_900_000_000.0)],
        _ => {}
    }
    match shape.ty.as_str() {
        "string" => match &shape.enum_values {
            // RSA-3072 and RSA-4096 generation is slow and adds nothing to the errors seen.
            Some(values) => values
                .iter()
                .filter(|v| !matches!(v.as_str(), "RSA_3072" | "RSA_4096"))
                .map(|v| json!(v))
                .collect(),
            None => vec![json!("x".repeat(shape.min.unwrap_or(1.0).max(1.0) as usize))],
        },
        "boolean" => vec![json!(true), json!(false)],
        "integer" | "long" => vec![json!(shape.min.unwrap_or(1.0) as i64)],
        "blob" => vec![json!(b64(b"blob-value"))],
        "map" => vec![json!({"a": "b"})],
        "list" => {
            let member = shape.member.as_deref().unwrap();
            candidates(w, "", member)
                .into_iter()
                .take(3)
                .map(|v| json!([v]))
                .collect()
        }
        _ => vec![], // structures the sandbox ignores (Recipient, XKS credentials)
    }
}

#[test]
fn every_error_an_operation_answers_is_in_its_model_error_list() {
    let mut w = world();
    let model = kms_core::model::model();
    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut calls = 0;
    let started = std::time::Instant::now();
    for (op_name, op) in &model.operations {
        let Some(input) = &op.input else { continue };
        let shape = model.shape(input);
        // A base request: each required member's first candidate, and a ciphertext for the
        // operations that need one (the model marks CiphertextBlob optional).
        let mut base = serde_json::Map::new();
        let needed = shape
            .members
            .keys()
            .filter(|m| *m == "CiphertextBlob")
            .chain(&shape.required);
        for required in needed {
            if let Some(v) = candidates(&w, required, &shape.members[required])
                .into_iter()
                .next()
            {
                base.insert(required.clone(), v);
            }
        }
        if op_name == "RetireGrant" {
            // Its GrantId is read with a KeyId, which must be a key ARN.
            base.insert("KeyId".into(), json!(w.keys[1]));
            base.insert("GrantId".into(), json!(w.grant_id));
        }
        // Every candidate of every member, one member at a time; over every key when the
        // operation names a key.
        let key_member = ["KeyId", "TargetKeyId", "DestinationKeyId"]
            .into_iter()
            .find(|m| shape.required.iter().any(|r| r == m));
        let mut variants = vec![Value::Object(base.clone())];
        for (member, member_shape) in &shape.members {
            if Some(member.as_str()) == key_member {
                continue;
            }
            for v in candidates(&w, member, member_shape) {
                let mut r = base.clone();
                r.insert(member.clone(), v);
                variants.push(Value::Object(r));
            }
        }
        let requests: Vec<Value> = match key_member {
            None => variants,
            Some(km) => w
                .keys
                .iter()
                .flat_map(|key| {
                    variants.iter().map(move |r| {
                        let mut r = r.clone();
                        r[km] = json!(key);
                        r
                    })
                })
                .collect(),
        };
        for req in requests {
            calls += 1;
            let outcome = w.kms.engine.handle(
                &w.kms.region,
                op_name,
                &req,
                &w.kms.caller,
                w.kms.clock.now(),
                w.kms.entropy.as_mut(),
            );
            if let Err(e) = outcome.result {
                let name = e.error_type.as_str();
                assert!(
                    name != "KMSInternalException",
                    "{op_name} {req}: an internal error is a sandbox bug: {e}"
                );
                assert!(
                    op.errors.iter().any(|l| l == name) || COMMON_ERRORS.contains(&name),
                    "{op_name} answered {name}, which its model error list {:?} does not have: {req} -> {e}",
                    op.errors
                );
                seen.entry(op_name.clone())
                    .or_default()
                    .insert(name.to_string());
            }
        }
    }
    eprintln!("{calls} requests in {:?}", started.elapsed());
    for (op, errors) in &seen {
        eprintln!("{op}: {errors:?}");
    }
    assert!(calls > 5_000, "{calls} requests");
    // The sweep reaches the errors it is meant to exercise.
    let reached = |op: &str, e: &str| seen.get(op).is_some_and(|s| s.contains(e));
    for (op, e) in [
        ("Encrypt", "InvalidGrantTokenException"),
        ("Encrypt", "DisabledException"),
        ("Encrypt", "KMSInvalidStateException"),
        ("Encrypt", "InvalidKeyUsageException"),
        ("Encrypt", "DryRunOperationException"),
        ("Decrypt", "InvalidCiphertextException"),
        ("Decrypt", "IncorrectKeyException"),
        ("RetireGrant", "InvalidGrantTokenException"),
        ("RetireGrant", "InvalidGrantIdException"),
        ("RetireGrant", "InvalidArnException"),
        ("RevokeGrant", "InvalidGrantIdException"),
        ("ListGrants", "InvalidGrantIdException"),
        ("ListKeys", "InvalidMarkerException"),
        ("DescribeCustomKeyStores", "InvalidMarkerException"),
        ("CreateAlias", "InvalidAliasNameException"),
        ("CreateAlias", "AlreadyExistsException"),
        ("UpdateAlias", "NotFoundException"),
        ("DeleteAlias", "AccessDeniedException"),
        ("RotateKeyOnDemand", "ConflictException"),
        ("CreateKey", "MalformedPolicyDocumentException"),
        ("CreateKey", "TagException"),
        ("CreateKey", "LimitExceededException"),
        ("TagResource", "LimitExceededException"),
        ("GetPublicKey", "UnsupportedOperationException"),
        ("GenerateMac", "InvalidKeyUsageException"),
        // Its full requests are in members_documented_as_invalid_or_required_together.
        ("CreateCustomKeyStore", "ValidationException"),
    ] {
        assert!(
            reached(op, e),
            "the sweep never saw {op} answer {e}: {:?}",
            seen.get(op)
        );
    }
}

#[test]
fn a_key_disabled_past_its_rotation_date_rotates_when_enabled_not_while_disabled() {
    let mut kms = Sandbox::in_memory(1);
    let (id, _) = create(&mut kms, json!({}));
    ok(
        &mut kms,
        "EnableKeyRotation",
        json!({"KeyId": id, "RotationPeriodInDays": 365}),
    );
    ok(&mut kms, "DisableKey", json!({"KeyId": id}));
    kms.clock.advance_days(400);
    let rotations = |kms: &mut Sandbox| {
        ok(kms, "ListKeyRotations", json!({"KeyId": id}))["Rotations"]
            .as_array()
            .unwrap()
            .clone()
    };
    assert_eq!(
        rotations(&mut kms).len(),
        0,
        "nothing rotates while disabled"
    );
    ok(&mut kms, "EnableKey", json!({"KeyId": id}));
    let enabled_at = kms.clock.now();
    let after = rotations(&mut kms);
    assert_eq!(after.len(), 1, "{after:?}");
    let date = |v: &Value| (v.as_f64().unwrap() * 1000.0).round() as i64;
    assert_eq!(
        date(&after[0]["RotationDate"]),
        enabled_at,
        "rotated as it was enabled"
    );
    let status = ok(&mut kms, "GetKeyRotationStatus", json!({"KeyId": id}));
    assert_eq!(
        date(&status["NextRotationDate"]),
        enabled_at + 365 * kms_core::MILLIS_PER_DAY,
        "the period counts from the rotation"
    );
    // A key material of a key with no imported material has no expiration model.
    assert!(
        after.iter().all(|r| r.get("ExpirationModel").is_none()),
        "{after:?}"
    );
}

#[test]
fn grant_details_the_create_grant_documentation_names() {
    let mut kms = Sandbox::in_memory(1);
    let (id, arn) = create(&mut kms, json!({}));
    let grantee = "arn:aws:iam::111122223333:root";
    let named =
        json!({"KeyId": id, "GranteePrincipal": grantee, "Operations": ["Encrypt"], "Name": "n1"});
    let first = ok(&mut kms, "CreateGrant", named.clone());
    let retry = ok(&mut kms, "CreateGrant", named);
    assert_eq!(
        first["GrantId"], retry["GrantId"],
        "a retry answers the same grant"
    );
    assert_ne!(
        first["GrantToken"], retry["GrantToken"],
        "with a token unique to the request"
    );
    // Either token retires it.
    ok(
        &mut kms,
        "RetireGrant",
        json!({"GrantToken": retry["GrantToken"]}),
    );
    let e = err(
        &mut kms,
        "RetireGrant",
        json!({"GrantToken": first["GrantToken"]}),
    );
    assert_eq!(e.error_type, ErrorType::NotFound, "{e}");

    // A grant for a service principal needs a SourceArn constraint and someone to retire it.
    let service = json!({"KeyId": id, "GranteeServicePrincipal": "s3.amazonaws.com", "Operations": ["Encrypt"]});
    let e = err(&mut kms, "CreateGrant", service.clone());
    assert_eq!(e.error_type, ErrorType::Validation, "{e}");
    assert!(e.message.contains("SourceArn"), "{e}");
    let mut with_source = service.clone();
    with_source["Constraints"] =
        json!({"SourceArn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/t"});
    let e = err(&mut kms, "CreateGrant", with_source.clone());
    assert!(e.message.contains("RetiringPrincipal"), "{e}");
    with_source["RetiringServicePrincipal"] = json!("s3.amazonaws.com");
    ok(&mut kms, "CreateGrant", with_source);

    // RAM's policy is RAM's.
    let e = err(
        &mut kms,
        "PutKeyPolicy",
        json!({"KeyId": arn, "PolicyName": "AWS_RAM", "Policy": "{}"}),
    );
    assert_eq!(e.error_type, ErrorType::Validation);
    assert_eq!(
        e.message,
        "The AWS_RAM policy can only be managed by the RAM service."
    );
}

#[test]
fn recipient_is_refused_not_answered_in_plaintext() {
    let mut kms = Sandbox::in_memory(1);
    let (id, _) = create(&mut kms, json!({}));
    let recipient = json!({"KeyEncryptionAlgorithm": "RSAES_OAEP_SHA_256", "AttestationDocument": b64(&[1; 10])});
    for (op, req) in [
        ("GenerateRandom", json!({"NumberOfBytes": 16})),
        (
            "GenerateDataKey",
            json!({"KeyId": id, "KeySpec": "AES_256"}),
        ),
    ] {
        let mut req = req;
        req["Recipient"] = recipient.clone();
        let e = err(&mut kms, op, req);
        assert_eq!(e.error_type, ErrorType::Validation, "{op}: {e}");
    }
    // An operation without the member ignores it, as it ignores any member it does not have.
    ok(
        &mut kms,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"x"), "Recipient": recipient}),
    );
}

#[test]
fn a_key_created_without_a_policy_has_the_default_policy_as_get_key_policy_shows_it() {
    let mut kms = Sandbox::in_memory(1);
    let (id, _) = create(&mut kms, json!({}));
    let policy = ok(&mut kms, "GetKeyPolicy", json!({"KeyId": id}));
    // create-keys.md, "this call to the GetKeyPolicy operation returns the key policy that
    // CreateKey applies", with the documentation's account.
    let documented = r#"{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM policies",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::111122223333:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}"#;
    assert_eq!(policy["Policy"], documented);
    assert_eq!(policy["PolicyName"], "default");
}

#[test]
fn a_marker_is_valid_only_for_the_listing_that_made_it() {
    let mut kms = Sandbox::in_memory(1);
    let (a, _) = create(&mut kms, json!({}));
    let (b, _) = create(&mut kms, json!({}));
    for key in [&a, &b] {
        for i in 0..3 {
            ok(
                &mut kms,
                "TagResource",
                json!({"KeyId": key, "Tags": [{"TagKey": format!("t{i}"), "TagValue": "v"}]}),
            );
        }
    }
    let first = ok(
        &mut kms,
        "ListResourceTags",
        json!({"KeyId": a, "Limit": 1}),
    );
    let marker = first["NextMarker"].as_str().unwrap().to_string();
    let next = ok(
        &mut kms,
        "ListResourceTags",
        json!({"KeyId": a, "Limit": 1, "Marker": marker}),
    );
    assert_eq!(next["Tags"][0]["TagKey"], "t1");
    for (op, req) in [
        ("ListResourceTags", json!({"KeyId": b, "Marker": marker})),
        ("ListGrants", json!({"KeyId": a, "Marker": marker})),
        ("ListKeys", json!({"Marker": marker})),
        ("ListAliases", json!({"Marker": b64(b"zzz")})),
    ] {
        let e = err(&mut kms, op, req.clone());
        assert_eq!(e.error_type, ErrorType::InvalidMarker, "{op} {req}: {e}");
    }
}

#[test]
fn members_documented_as_invalid_or_required_together() {
    let mut kms = Sandbox::in_memory(1);
    let e = err(&mut kms, "CreateKey", json!({"XksKeyId": "abc"}));
    assert_eq!(e.error_type, ErrorType::Validation, "{e}");
    let e = err(
        &mut kms,
        "CreateKey",
        json!({"Origin": "EXTERNAL", "KeySpec": "ML_KEM_768", "KeyUsage": "ENCAPSULATE_DECAPSULATE"}),
    );
    assert_eq!(e.error_type, ErrorType::UnsupportedOperation, "{e}");
    for usage in ["SIGN_VERIFY", "KEY_AGREEMENT"] {
        ok(
            &mut kms,
            "CreateKey",
            json!({"Origin": "EXTERNAL", "KeySpec": "ECC_NIST_P256", "KeyUsage": usage}),
        );
    }
    ok(
        &mut kms,
        "CreateKey",
        json!({"Origin": "EXTERNAL", "KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    );
    let e = err(
        &mut kms,
        "CreateCustomKeyStore",
        json!({"CustomKeyStoreName": "s1", "CloudHsmClusterId": "cluster-234abcdefABC"}),
    );
    assert_eq!(e.error_type, ErrorType::Validation, "{e}");
    assert!(e.message.contains("TrustAnchorCertificate"), "{e}");
    let e = err(
        &mut kms,
        "CreateCustomKeyStore",
        json!({"CustomKeyStoreName": "s1", "CloudHsmClusterId": "cluster-234abcdefABC",
            "TrustAnchorCertificate": "-----BEGIN CERTIFICATE-----", "KeyStorePassword": "kmsPswd1"}),
    );
    assert_eq!(e.error_type, ErrorType::CloudHsmClusterNotFound, "{e}");
    let e = err(
        &mut kms,
        "CreateCustomKeyStore",
        json!({"CustomKeyStoreName": "s2", "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
            "XksProxyUriEndpoint": "https://xks.example.com", "XksProxyUriPath": "/kms/xks/v1",
            "XksProxyConnectivity": "PUBLIC_ENDPOINT"}),
    );
    assert!(
        e.message.contains("XksProxyAuthenticationCredential"),
        "{e}"
    );
    let e = err(
        &mut kms,
        "DescribeCustomKeyStores",
        json!({"CustomKeyStoreId": "cks-1234567890abcdef0", "CustomKeyStoreName": "x"}),
    );
    assert_eq!(e.error_type, ErrorType::Validation, "{e}");
    let e = err(
        &mut kms,
        "ListRetirableGrants",
        json!({"RetiringPrincipal": "notanarn"}),
    );
    assert_eq!(e.error_type, ErrorType::InvalidArn, "{e}");
}

/// Messages AWS answers that its model does not spell out, as recorded from AWS (LocalStack's
/// snapshots of real responses, `tests/aws/services/kms/test_kms.snapshot.json`).
#[test]
fn messages_recorded_from_aws() {
    let mut kms = Sandbox::in_memory(9);
    let id = |kms: &mut Sandbox, req: Value| {
        ok(kms, "CreateKey", req)["KeyMetadata"]["KeyId"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let message = |kms: &mut Sandbox, op: &str, req: Value| err(kms, op, req).message;
    assert_eq!(
        message(&mut kms, "GenerateRandom", json!({})),
        "NumberOfBytes is required."
    );
    assert_eq!(
        message(&mut kms, "DescribeKey", json!({"KeyId": "key_id"})),
        "Invalid keyId 'key_id'"
    );
    let hmac = id(
        &mut kms,
        json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}),
    );
    assert_eq!(
        message(
            &mut kms,
            "GenerateMac",
            json!({"KeyId": hmac, "Message": "AA==", "MacAlgorithm": "HMAC_SHA_384"})
        ),
        "Algorithm HMAC_SHA_384 is incompatible with key spec HMAC_256."
    );
    let ecc = id(
        &mut kms,
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    );
    assert_eq!(
        message(
            &mut kms,
            "Sign",
            json!({"KeyId": ecc, "Message": "AA==", "SigningAlgorithm": "ECDSA_SHA_384"})
        ),
        "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256."
    );
    // Encrypt's algorithm is refused in the same words, both ways round.
    let rsa4096 = id(
        &mut kms,
        json!({"KeySpec": "RSA_4096", "KeyUsage": "ENCRYPT_DECRYPT"}),
    );
    assert_eq!(
        message(
            &mut kms,
            "Encrypt",
            json!({"KeyId": rsa4096, "Plaintext": "AA=="})
        ),
        "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_4096."
    );
    let symmetric = id(&mut kms, json!({}));
    assert_eq!(
        message(
            &mut kms,
            "Encrypt",
            json!({"KeyId": symmetric, "Plaintext": "AA==", "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"})
        ),
        "Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SYMMETRIC_DEFAULT."
    );
    let rsa = id(
        &mut kms,
        json!({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"}),
    );
    let plaintext = b64(&[0u8; 191]);
    assert_eq!(
        message(
            &mut kms,
            "Encrypt",
            json!({"KeyId": rsa, "Plaintext": plaintext, "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"})
        ),
        "Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes."
    );
}

/// Messages an audit compared with AWS's captured answers: the order of checks, enum lists in
/// AWS's order, and AWS's own wording where the engine's differed.
#[test]
fn messages_and_check_order_as_aws_answers() {
    let mut kms = Sandbox::in_memory(12);
    let key = |kms: &mut Sandbox, req: Value| create(kms, req);
    let e = |kms: &mut Sandbox, op: &str, req: Value| {
        let e = err(kms, op, req);
        (e.error_type, e.message)
    };
    let (hmac, hmac_arn) = key(
        &mut kms,
        json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}),
    );
    let (signer, signer_arn) = key(
        &mut kms,
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    );
    let (rsa, _) = key(
        &mut kms,
        json!({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"}),
    );
    let (symmetric, symmetric_arn) = key(&mut kms, json!({}));

    // An asymmetric encryption key makes no data keys, in AWS's words.
    for op in ["GenerateDataKey", "GenerateDataKeyWithoutPlaintext"] {
        assert_eq!(
            e(&mut kms, op, json!({"KeyId": rsa, "KeySpec": "AES_256"})),
            (
                ErrorType::InvalidKeyUsage,
                "You cannot generate a data key with an asymmetric CMK".to_string()
            )
        );
        assert_eq!(
            e(&mut kms, op, json!({"KeyId": signer, "KeySpec": "AES_256"})),
            (
                ErrorType::InvalidKeyUsage,
                format!("{signer_arn} key usage is SIGN_VERIFY which is not valid for {op}.")
            )
        );
    }

    // A missing sensitive blob is not shown: no `null`.
    assert_eq!(
        e(&mut kms, "Encrypt", json!({"KeyId": symmetric})).1,
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must not be null"
    );
    assert_eq!(
        e(&mut kms, "Sign", json!({"KeyId": signer, "SigningAlgorithm": "ECDSA_SHA_256"})).1,
        "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must not be null"
    );
    assert_eq!(
        e(&mut kms, "Sign", json!({"KeyId": signer, "Message": "AA=="})).1,
        "1 validation error detected: Value null at 'signingAlgorithm' failed to satisfy constraint: Member must not be null"
    );

    // Key usage before key state, key state before the algorithm.
    for id in [&hmac, &signer, &symmetric] {
        ok(&mut kms, "DisableKey", json!({"KeyId": id}));
    }
    assert_eq!(
        e(
            &mut kms,
            "Sign",
            json!({"KeyId": hmac, "Message": "AA==", "SigningAlgorithm": "ECDSA_SHA_256"})
        ),
        (
            ErrorType::InvalidKeyUsage,
            format!("{hmac_arn} key usage is GENERATE_VERIFY_MAC which is not valid for Sign.")
        )
    );
    assert_eq!(
        e(
            &mut kms,
            "Encrypt",
            json!({"KeyId": signer, "Plaintext": "AA=="})
        ),
        (
            ErrorType::InvalidKeyUsage,
            format!("{signer_arn} key usage is SIGN_VERIFY which is not valid for Encrypt.")
        )
    );
    assert_eq!(
        e(
            &mut kms,
            "GenerateMac",
            json!({"KeyId": symmetric, "Message": "AA==", "MacAlgorithm": "HMAC_SHA_256"})
        ),
        (
            ErrorType::InvalidKeyUsage,
            format!(
                "{symmetric_arn} key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac."
            )
        )
    );
    assert_eq!(
        e(
            &mut kms,
            "GenerateDataKey",
            json!({"KeyId": hmac, "KeySpec": "AES_256"})
        )
        .0,
        ErrorType::InvalidKeyUsage
    );
    assert_eq!(
        e(
            &mut kms,
            "Encapsulate",
            json!({"KeyId": symmetric, "EncapsulationAlgorithm": "ML_KEM"})
        ),
        (
            ErrorType::InvalidKeyUsage,
            format!(
                "{symmetric_arn} key usage is ENCRYPT_DECRYPT which is not valid for Encapsulate."
            )
        )
    );
    // The right usage: the state decides, before the algorithm.
    assert_eq!(
        e(
            &mut kms,
            "Sign",
            json!({"KeyId": signer, "Message": "AA==", "SigningAlgorithm": "ECDSA_SHA_384"})
        )
        .0,
        ErrorType::Disabled
    );
    assert_eq!(
        e(
            &mut kms,
            "GenerateMac",
            json!({"KeyId": hmac, "Message": "AA==", "MacAlgorithm": "HMAC_SHA_384"})
        )
        .0,
        ErrorType::Disabled
    );

    // Neither or both of KeySpec and NumberOfBytes: before the key's state, usage, existence.
    for op in ["GenerateDataKey", "GenerateDataKeyWithoutPlaintext"] {
        for req in [
            json!({"KeyId": symmetric}),
            json!({"KeyId": hmac, "KeySpec": "AES_256", "NumberOfBytes": 32}),
            json!({"KeyId": "alias/none"}),
        ] {
            assert_eq!(
                e(&mut kms, op, req),
                (
                    ErrorType::Validation,
                    "Please specify either number of bytes or key spec.".to_string()
                )
            );
        }
    }
    // A KeySpec that is no DataKeySpec: AWS lists CreateKey's KeySpec values (boto3#3428).
    assert_eq!(
        e(
            &mut kms,
            "GenerateDataKey",
            json!({"KeyId": symmetric, "KeySpec": "AES-256"})
        )
        .1,
        "1 validation error detected: Value 'AES-256' at 'keySpec' failed to satisfy constraint: \
         Member must satisfy enum value set: [RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, \
         ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, ECC_NIST_EDWARDS25519, SYMMETRIC_DEFAULT, \
         HMAC_224, HMAC_256, HMAC_384, HMAC_512, SM2, ML_DSA_44, ML_DSA_65, ML_DSA_87, ML_KEM_512, ML_KEM_768, ML_KEM_1024]"
    );

    // Enum lists in AWS's order.
    let enum_error = |kms: &mut Sandbox, op: &str, req: Value, at: &str, values: &str| {
        assert_eq!(
            err(kms, op, req).message,
            format!("1 validation error detected: Value 'NOPE' at '{at}' failed to satisfy constraint: Member must satisfy enum value set: [{values}]")
        );
    };
    enum_error(
        &mut kms,
        "CreateKey",
        json!({"KeyUsage": "NOPE"}),
        "keyUsage",
        "ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT, ENCAPSULATE_DECAPSULATE",
    );
    enum_error(
        &mut kms,
        "GenerateMac",
        json!({"KeyId": hmac, "Message": "AA==", "MacAlgorithm": "NOPE"}),
        "macAlgorithm",
        "HMAC_SHA_384, HMAC_SHA_256, HMAC_SHA_224, HMAC_SHA_512",
    );
    enum_error(
        &mut kms,
        "Encrypt",
        json!({"KeyId": symmetric, "Plaintext": "AA==", "EncryptionAlgorithm": "NOPE"}),
        "encryptionAlgorithm",
        "RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE, SYMMETRIC_DEFAULT",
    );
    enum_error(
        &mut kms,
        "Sign",
        json!({"KeyId": signer, "Message": "AA==", "SigningAlgorithm": "NOPE"}),
        "signingAlgorithm",
        "RSASSA_PSS_SHA_256, RSASSA_PSS_SHA_384, RSASSA_PSS_SHA_512, RSASSA_PKCS1_V1_5_SHA_256, \
         RSASSA_PKCS1_V1_5_SHA_384, RSASSA_PKCS1_V1_5_SHA_512, ECDSA_SHA_256, ECDSA_SHA_384, \
         ECDSA_SHA_512, ED25519_SHA_512, ED25519_PH_SHA_512, SM2DSA, ML_DSA_SHAKE_256",
    );

    // CreateKey: without a period, as AWS answered LocalStack's test_derive_shared_secret
    // (December 2024; tests/snapshot_errors.rs).
    assert_eq!(
        e(
            &mut kms,
            "CreateKey",
            json!({"KeySpec": "RSA_2048", "KeyUsage": "GENERATE_VERIFY_MAC"})
        ),
        (
            ErrorType::Validation,
            "KeyUsage GENERATE_VERIFY_MAC is not compatible with KeySpec RSA_2048".to_string()
        )
    );

    // CreateGrant: an encryption context constraint on a key that is not a symmetric encryption
    // key (before the operations are checked against the key), and a grant of CreateGrant alone.
    for id in [&hmac, &signer, &symmetric] {
        ok(&mut kms, "EnableKey", json!({"KeyId": id}));
    }
    let grantee = "arn:aws:iam::444455556666:role/app";
    for (id, ops) in [
        (&rsa, json!(["GenerateDataKey"])),
        (&signer, json!(["Sign"])),
    ] {
        for member in ["EncryptionContextSubset", "EncryptionContextEquals"] {
            assert_eq!(
                e(
                    &mut kms,
                    "CreateGrant",
                    json!({"KeyId": id, "GranteePrincipal": grantee, "Operations": ops,
                        "Constraints": {member: {"a": "b"}}})
                ),
                (
                    ErrorType::Validation,
                    "EncryptionContext is supported only when creating a grant for a symmetric encryption KMS key.".to_string()
                )
            );
        }
    }
    assert_eq!(
        e(
            &mut kms,
            "CreateGrant",
            json!({"KeyId": symmetric, "GranteePrincipal": grantee, "Operations": ["CreateGrant"]})
        ),
        (
            ErrorType::Validation,
            "Grants must not contain only the CreateGrant operation.".to_string()
        )
    );
    ok(
        &mut kms,
        "CreateGrant",
        json!({"KeyId": symmetric, "GranteePrincipal": grantee, "Operations": ["CreateGrant", "Decrypt"]}),
    );
}

/// ListKeys' ResourceOwners, ListGrants' two grantee filters, a tag key named twice, and a list
/// shown in a validation message as AWS's Java services print it.
#[test]
fn listing_filters_and_tag_lists_as_documented() {
    let mut kms = Sandbox::in_memory(10);
    let key = ok(&mut kms, "CreateKey", json!({}))["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let own = ok(&mut kms, "ListKeys", json!({}))["Keys"].clone();
    assert!(!own.as_array().unwrap().is_empty());
    // "This list doesn't include KMS keys that your Amazon Web Services account owns."
    let shared = ok(
        &mut kms,
        "ListKeys",
        json!({"ResourceOwners": ["OTHER_ACCOUNTS_VIA_RAM"]}),
    );
    assert_eq!(shared["Keys"], json!([]));
    let both = ok(
        &mut kms,
        "ListKeys",
        json!({"ResourceOwners": ["SELF", "OTHER_ACCOUNTS_VIA_RAM"]}),
    );
    assert_eq!(both["Keys"], own);
    // A marker of one choice of owners is not one of another.
    let page = ok(&mut kms, "ListKeys", json!({"Limit": 1}));
    let e = err(
        &mut kms,
        "ListKeys",
        json!({"Limit": 1, "Marker": page["NextMarker"], "ResourceOwners": ["SELF", "OTHER_ACCOUNTS_VIA_RAM"]}),
    );
    assert_eq!(e.error_type, ErrorType::InvalidMarker, "{e}");
    ok(
        &mut kms,
        "ListKeys",
        json!({"Limit": 1, "Marker": page["NextMarker"], "ResourceOwners": ["SELF"]}),
    );

    let e = err(
        &mut kms,
        "ListGrants",
        json!({"KeyId": key, "GranteePrincipal": "arn:aws:iam::111122223333:root",
               "GranteeServicePrincipal": "s3.amazonaws.com"}),
    );
    assert_eq!(e.error_type, ErrorType::Validation, "{e}");

    let e = err(
        &mut kms,
        "TagResource",
        json!({"KeyId": key, "Tags": [{"TagKey": "a", "TagValue": "1"}, {"TagKey": "a", "TagValue": "2"}]}),
    );
    assert_eq!(e.error_type, ErrorType::Tag, "{e}");
    assert_eq!(
        ok(&mut kms, "ListResourceTags", json!({"KeyId": key}))["Tags"],
        json!([])
    );

    let e = err(
        &mut kms,
        "ListKeys",
        json!({"ResourceOwners": ["SELF", "SELF", "SELF"]}),
    );
    assert!(
        e.message.starts_with(
            "1 validation error detected: Value '[SELF, SELF, SELF]' at 'resourceOwners'"
        ),
        "{e}"
    );
}
