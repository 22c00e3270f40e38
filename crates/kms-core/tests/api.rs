//! The engine through its dispatcher, as a client sees it: AWS's operations, field names,
//! errors and messages.

use base64::Engine as _;
use kms_core::{json, Clock as _, ErrorType, KmsError, Sandbox, Service, Value};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unb64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().expect("a blob"))
        .expect("base64")
}

fn kms() -> Sandbox {
    Sandbox::in_memory(42)
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

fn state(kms: &mut Sandbox, key: &str) -> String {
    ok(kms, "DescribeKey", json!({"KeyId": key}))["KeyMetadata"]["KeyState"]
        .as_str()
        .unwrap()
        .to_string()
}

fn customer_keys(kms: &mut Sandbox) -> Vec<String> {
    let keys = ok(kms, "ListKeys", json!({}))["Keys"]
        .as_array()
        .unwrap()
        .clone();
    keys.iter()
        .map(|k| k["KeyId"].as_str().unwrap().to_string())
        .filter(|id| {
            ok(kms, "DescribeKey", json!({"KeyId": id}))["KeyMetadata"]["KeyManager"] == "CUSTOMER"
        })
        .collect()
}

// ---------------------------------------------------------------- keys

#[test]
fn create_key_defaults_match_aws() {
    let mut kms = kms();
    let out = ok(&mut kms, "CreateKey", json!({"Description": "my key"}));
    let m = &out["KeyMetadata"];
    let id = m["KeyId"].as_str().unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(
        m["Arn"],
        format!("arn:aws:kms:ap-southeast-2:111122223333:key/{id}")
    );
    assert_eq!(m["AWSAccountId"], "111122223333");
    assert_eq!(m["KeySpec"], "SYMMETRIC_DEFAULT");
    assert_eq!(m["CustomerMasterKeySpec"], "SYMMETRIC_DEFAULT");
    assert_eq!(m["KeyUsage"], "ENCRYPT_DECRYPT");
    assert_eq!(m["KeyState"], "Enabled");
    assert_eq!(m["Enabled"], true);
    assert_eq!(m["Origin"], "AWS_KMS");
    assert_eq!(m["KeyManager"], "CUSTOMER");
    assert_eq!(m["Description"], "my key");
    assert_eq!(m["EncryptionAlgorithms"], json!(["SYMMETRIC_DEFAULT"]));
    assert_eq!(m["MultiRegion"], false);
    assert_eq!(m["CreationDate"], json!(1_735_689_600.0));
    assert_eq!(m["CurrentKeyMaterialId"].as_str().unwrap().len(), 64);
    let policy: Value = serde_json::from_str(
        ok(&mut kms, "GetKeyPolicy", json!({"KeyId": id}))["Policy"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        policy["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::111122223333:root"
    );
    assert_eq!(policy["Statement"][0]["Action"], "kms:*");
}

#[test]
fn create_key_specs_and_usages() {
    let mut kms = kms();
    for (spec, usage, field, algs) in [
        (
            "RSA_2048",
            "ENCRYPT_DECRYPT",
            "EncryptionAlgorithms",
            json!(["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]),
        ),
        (
            "RSA_2048",
            "SIGN_VERIFY",
            "SigningAlgorithms",
            // In DescribeKey's order (find-symm-asymm.md).
            json!([
                "RSASSA_PKCS1_V1_5_SHA_256",
                "RSASSA_PKCS1_V1_5_SHA_384",
                "RSASSA_PKCS1_V1_5_SHA_512",
                "RSASSA_PSS_SHA_256",
                "RSASSA_PSS_SHA_384",
                "RSASSA_PSS_SHA_512"
            ]),
        ),
        (
            "ECC_NIST_P256",
            "SIGN_VERIFY",
            "SigningAlgorithms",
            json!(["ECDSA_SHA_256"]),
        ),
        (
            "ECC_NIST_P384",
            "SIGN_VERIFY",
            "SigningAlgorithms",
            json!(["ECDSA_SHA_384"]),
        ),
        (
            "HMAC_256",
            "GENERATE_VERIFY_MAC",
            "MacAlgorithms",
            json!(["HMAC_SHA_256"]),
        ),
        (
            "HMAC_512",
            "GENERATE_VERIFY_MAC",
            "MacAlgorithms",
            json!(["HMAC_SHA_512"]),
        ),
    ] {
        let out = ok(
            &mut kms,
            "CreateKey",
            json!({"KeySpec": spec, "KeyUsage": usage}),
        );
        assert_eq!(out["KeyMetadata"]["KeySpec"], spec);
        assert_eq!(out["KeyMetadata"]["KeyUsage"], usage);
        assert_eq!(out["KeyMetadata"][field], algs, "{spec} {usage}");
    }
}

#[test]
fn create_key_refusals() {
    let mut kms = kms();
    let e = err(&mut kms, "CreateKey", json!({"KeySpec": "ECC_NIST_P256"}));
    assert_eq!(e.error_type, ErrorType::Validation);
    assert_eq!(
        e.message,
        "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."
    );
    let e = err(
        &mut kms,
        "CreateKey",
        json!({"KeySpec": "HMAC_256", "KeyUsage": "ENCRYPT_DECRYPT"}),
    );
    assert_eq!(e.error_type, ErrorType::Validation);
    let e = err(
        &mut kms,
        "CreateKey",
        json!({"KeySpec": "SYMMETRIC_DEFAULT", "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT"}),
    );
    assert_eq!(e.error_type, ErrorType::Validation);
    let e = err(
        &mut kms,
        "CreateKey",
        json!({"KeySpec": "SM2", "KeyUsage": "SIGN_VERIFY"}),
    );
    // SM2 is a China Regions key spec; the sandbox's default Region is ap-southeast-2.
    assert_eq!(e.error_type, ErrorType::UnsupportedOperation);
    assert_eq!(e.message, "KeySpec SM2 is not supported in this Region");
    let e = err(&mut kms, "CreateKey", json!({"KeySpec": "NOPE"}));
    assert_eq!(e.error_type, ErrorType::Validation);
    assert!(
        e.message.contains("Member must satisfy enum value set"),
        "{}",
        e.message
    );
    let e = err(
        &mut kms,
        "CreateKey",
        json!({"Origin": "AWS_CLOUDHSM", "CustomKeyStoreId": "cks-1234567890abcdef0"}),
    );
    assert_eq!(e.error_type, ErrorType::CustomKeyStoreNotFound);
    let e = err(
        &mut kms,
        "CreateKey",
        json!({"Description": "x".repeat(8193)}),
    );
    assert_eq!(e.error_type, ErrorType::Validation);
    let e = err(&mut kms, "CreateKey", json!({"Policy": "{not json"}));
    assert_eq!(e.error_type, ErrorType::MalformedPolicyDocument);
    let e = err(
        &mut kms,
        "CreateKey",
        json!({"Tags": [{"TagKey": "aws:x", "TagValue": "y"}]}),
    );
    assert_eq!(e.error_type, ErrorType::Tag);
    assert!(
        customer_keys(&mut kms).is_empty(),
        "a refused CreateKey leaves no key behind"
    );
}

#[test]
fn describe_key_by_id_arn_alias_and_alias_arn() {
    let mut kms = kms();
    let (id, arn) = create(&mut kms, json!({}));
    ok(
        &mut kms,
        "CreateAlias",
        json!({"AliasName": "alias/app", "TargetKeyId": id}),
    );
    for name in [
        id.clone(),
        arn.clone(),
        "alias/app".into(),
        "arn:aws:kms:ap-southeast-2:111122223333:alias/app".into(),
    ] {
        assert_eq!(
            ok(&mut kms, "DescribeKey", json!({"KeyId": name}))["KeyMetadata"]["KeyId"],
            id.as_str()
        );
    }
    let e = err(
        &mut kms,
        "DescribeKey",
        json!({"KeyId": "11111111-2222-3333-4444-555555555555"}),
    );
    assert_eq!(e.error_type, ErrorType::NotFound);
    assert_eq!(e.message, "Key 'arn:aws:kms:ap-southeast-2:111122223333:key/11111111-2222-3333-4444-555555555555' does not exist");
    let e = err(&mut kms, "DescribeKey", json!({"KeyId": "alias/missing"}));
    assert_eq!(
        e.message,
        "Alias arn:aws:kms:ap-southeast-2:111122223333:alias/missing is not found."
    );
    let e = err(&mut kms, "DescribeKey", json!({"KeyId": "not-a-key"}));
    assert_eq!(
        (e.error_type, e.message.as_str()),
        (ErrorType::NotFound, "Invalid keyId 'not-a-key'")
    );
    let e = err(&mut kms, "DescribeKey", json!({}));
    assert_eq!(e.message, "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null");
    // Operations that take only a key ID or ARN refuse alias names and alias ARNs, before any
    // lookup (an alias that does not exist too).
    for (op, extra) in [
        ("DisableKey", json!({})),
        ("EnableKey", json!({})),
        ("GetKeyPolicy", json!({})),
        ("ListResourceTags", json!({})),
        ("GetKeyRotationStatus", json!({})),
        ("ScheduleKeyDeletion", json!({})),
        ("UpdateKeyDescription", json!({"Description": "d"})),
        ("ListGrants", json!({})),
        (
            "CreateGrant",
            json!({"GranteePrincipal": "arn:aws:iam::111122223333:root", "Operations": ["Decrypt"]}),
        ),
    ] {
        for name in [
            "alias/app",
            "alias/missing",
            "arn:aws:kms:ap-southeast-2:111122223333:alias/app",
        ] {
            let mut req = extra.clone();
            req["KeyId"] = json!(name);
            let e = err(&mut kms, op, req);
            assert_eq!(
                (e.error_type, e.message.as_str()),
                (
                    ErrorType::InvalidArn,
                    "Key Aliases are not supported for this operation."
                ),
                "{op} {name}"
            );
        }
    }
    // A key ARN whose resource is not a key id.
    let e = err(
        &mut kms,
        "DescribeKey",
        json!({"KeyId": "arn:aws:kms:ap-southeast-2:111122223333:key/foo"}),
    );
    assert_eq!(
        (e.error_type, e.message.as_str()),
        (ErrorType::NotFound, "Invalid keyId foo")
    );
}

#[test]
fn list_keys_pages_with_limit_and_marker() {
    let mut kms = kms();
    let mine: Vec<String> = (0..7).map(|_| create(&mut kms, json!({})).0).collect();
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut req = json!({"Limit": 5});
        if let Some(m) = &marker {
            req["Marker"] = json!(m);
        }
        let out = ok(&mut kms, "ListKeys", req);
        pages += 1;
        for k in out["Keys"].as_array().unwrap() {
            assert!(k["KeyArn"]
                .as_str()
                .unwrap()
                .ends_with(k["KeyId"].as_str().unwrap()));
            seen.push(k["KeyId"].as_str().unwrap().to_string());
        }
        if out["Truncated"] == true {
            marker = Some(out["NextMarker"].as_str().unwrap().to_string());
        } else {
            assert!(out.get("NextMarker").is_none());
            break;
        }
    }
    // 7 customer keys + 12 AWS managed keys, in pages of 5, none twice.
    assert_eq!(seen.len(), 19);
    assert_eq!(pages, 4);
    let mut dedup = seen.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), 19);
    assert!(mine.iter().all(|k| seen.contains(k)));
    let e = err(&mut kms, "ListKeys", json!({"Marker": "!!!"}));
    assert_eq!(e.error_type, ErrorType::InvalidMarker);
    let e = err(&mut kms, "ListKeys", json!({"Limit": 0}));
    assert_eq!(e.error_type, ErrorType::Validation);
}

#[test]
fn enable_disable_and_description() {
    let mut kms = kms();
    let (id, arn) = create(&mut kms, json!({}));
    ok(&mut kms, "DisableKey", json!({"KeyId": id}));
    assert_eq!(state(&mut kms, &id), "Disabled");
    let e = err(
        &mut kms,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"x")}),
    );
    assert_eq!(
        (e.error_type, e.message),
        (ErrorType::Disabled, format!("{arn} is disabled."))
    );
    ok(&mut kms, "EnableKey", json!({"KeyId": arn}));
    assert_eq!(state(&mut kms, &id), "Enabled");
    ok(
        &mut kms,
        "UpdateKeyDescription",
        json!({"KeyId": id, "Description": "new"}),
    );
    assert_eq!(
        ok(&mut kms, "DescribeKey", json!({"KeyId": id}))["KeyMetadata"]["Description"],
        "new"
    );
}

#[test]
fn deletion_schedules_cancels_and_happens_when_the_window_passes() {
    let mut kms = kms();
    let (id, arn) = create(&mut kms, json!({}));
    ok(
        &mut kms,
        "CreateAlias",
        json!({"AliasName": "alias/doomed", "TargetKeyId": id}),
    );
    // Inside the model's 1-365 but outside the service's 7-30: the service's words.
    for days in [1, 6, 31, 365] {
        let e = err(
            &mut kms,
            "ScheduleKeyDeletion",
            json!({"KeyId": id, "PendingWindowInDays": days}),
        );
        assert_eq!(
            (e.error_type, e.message.as_str()),
            (
                ErrorType::Validation,
                "PendingWindowInDays must be between 7 and 30"
            )
        );
    }
    // Outside the model's range: the model's.
    for (days, bound) in [
        (0, "greater than or equal to 1"),
        (366, "less than or equal to 365"),
    ] {
        let e = err(
            &mut kms,
            "ScheduleKeyDeletion",
            json!({"KeyId": id, "PendingWindowInDays": days}),
        );
        assert_eq!(e.message, format!("1 validation error detected: Value '{days}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value {bound}"));
    }
    let out = ok(&mut kms, "ScheduleKeyDeletion", json!({"KeyId": id}));
    assert_eq!(out["PendingWindowInDays"], 30);
    assert_eq!(out["KeyState"], "PendingDeletion");
    assert_eq!(out["KeyId"], arn.as_str());
    assert_eq!(
        out["DeletionDate"],
        json!(1_735_689_600.0 + 30.0 * 86_400.0)
    );
    let m = ok(&mut kms, "DescribeKey", json!({"KeyId": id}))["KeyMetadata"].clone();
    assert_eq!(
        m["PendingDeletionWindowInDays"],
        Value::Null,
        "only PendingReplicaDeletion"
    );
    assert_eq!(m["DeletionDate"], out["DeletionDate"]);
    assert_eq!(m["Enabled"], false);
    let e = err(&mut kms, "ScheduleKeyDeletion", json!({"KeyId": id}));
    assert_eq!(
        (e.error_type, e.message),
        (
            ErrorType::KmsInvalidState,
            format!("{arn} is pending deletion.")
        )
    );
    ok(&mut kms, "CancelKeyDeletion", json!({"KeyId": id}));
    assert_eq!(state(&mut kms, &id), "Disabled");
    let e = err(&mut kms, "CancelKeyDeletion", json!({"KeyId": id}));
    assert_eq!(
        (e.error_type, e.message),
        (
            ErrorType::KmsInvalidState,
            format!("{arn} is not pending deletion.")
        )
    );

    ok(
        &mut kms,
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 7}),
    );
    kms.advance_days(6);
    assert_eq!(state(&mut kms, &id), "PendingDeletion");
    kms.advance_days(1);
    let e = err(&mut kms, "DescribeKey", json!({"KeyId": id}));
    assert_eq!(e.error_type, ErrorType::NotFound);
    let e = err(&mut kms, "DescribeKey", json!({"KeyId": "alias/doomed"}));
    assert_eq!(
        e.error_type,
        ErrorType::NotFound,
        "the key's aliases go with it"
    );
}

/// AWS's key-state table for the states a sandbox key can be in.
#[test]
fn key_state_table() {
    let mut kms = kms();
    let (sym, sym_arn) = create(&mut kms, json!({}));
    let ct = ok(
        &mut kms,
        "Encrypt",
        json!({"KeyId": sym, "Plaintext": b64(b"hi")}),
    )["CiphertextBlob"]
        .clone();
    let crypto_ops = |id: &str| {
        vec![
            ("Encrypt", json!({"KeyId": id, "Plaintext": b64(b"x")})),
            ("Decrypt", json!({"CiphertextBlob": ct})),
            (
                "ReEncrypt",
                json!({"CiphertextBlob": ct, "DestinationKeyId": id}),
            ),
            (
                "GenerateDataKey",
                json!({"KeyId": id, "KeySpec": "AES_256"}),
            ),
            (
                "GenerateDataKeyWithoutPlaintext",
                json!({"KeyId": id, "NumberOfBytes": 16}),
            ),
            ("EnableKeyRotation", json!({"KeyId": id})),
            ("DisableKeyRotation", json!({"KeyId": id})),
            ("RotateKeyOnDemand", json!({"KeyId": id})),
        ]
    };
    // Disabled: cryptography and rotation changes answer DisabledException [1].
    ok(&mut kms, "DisableKey", json!({"KeyId": sym}));
    for (op, req) in crypto_ops(&sym) {
        let e = err(&mut kms, op, req);
        assert_eq!(
            (op, e.error_type, e.message),
            (op, ErrorType::Disabled, format!("{sym_arn} is disabled."))
        );
    }
    for (op, req) in [
        ("DescribeKey", json!({"KeyId": sym})),
        ("GetKeyPolicy", json!({"KeyId": sym})),
        ("ListResourceTags", json!({"KeyId": sym})),
        (
            "TagResource",
            json!({"KeyId": sym, "Tags": [{"TagKey": "a", "TagValue": "b"}]}),
        ),
        (
            "CreateAlias",
            json!({"AliasName": "alias/while-disabled", "TargetKeyId": sym}),
        ),
        (
            "UpdateKeyDescription",
            json!({"KeyId": sym, "Description": "d"}),
        ),
        ("GetKeyRotationStatus", json!({"KeyId": sym})),
        ("DisableKey", json!({"KeyId": sym})),
    ] {
        ok(&mut kms, op, req);
    }
    // PendingDeletion: cryptography and management answer KMSInvalidStateException [3].
    ok(
        &mut kms,
        "ScheduleKeyDeletion",
        json!({"KeyId": sym, "PendingWindowInDays": 7}),
    );
    let mut refused = crypto_ops(&sym);
    refused.extend([
        ("EnableKey", json!({"KeyId": sym})),
        ("DisableKey", json!({"KeyId": sym})),
        (
            "TagResource",
            json!({"KeyId": sym, "Tags": [{"TagKey": "a", "TagValue": "b"}]}),
        ),
        ("UntagResource", json!({"KeyId": sym, "TagKeys": ["a"]})),
        (
            "UpdateKeyDescription",
            json!({"KeyId": sym, "Description": "d"}),
        ),
        (
            "CreateAlias",
            json!({"AliasName": "alias/too-late", "TargetKeyId": sym}),
        ),
        ("ScheduleKeyDeletion", json!({"KeyId": sym})),
    ]);
    for (op, req) in refused {
        let e = err(&mut kms, op, req);
        assert_eq!(
            (op, e.error_type, e.message),
            (
                op,
                ErrorType::KmsInvalidState,
                format!("{sym_arn} is pending deletion.")
            )
        );
    }
    for (op, req) in [
        ("DescribeKey", json!({"KeyId": sym})),
        ("GetKeyPolicy", json!({"KeyId": sym})),
        ("ListKeyPolicies", json!({"KeyId": sym})),
        ("ListResourceTags", json!({"KeyId": sym})),
        ("ListAliases", json!({"KeyId": sym})),
        ("DeleteAlias", json!({"AliasName": "alias/while-disabled"})),
        ("CancelKeyDeletion", json!({"KeyId": sym})),
    ] {
        ok(&mut kms, op, req);
    }
}

// ---------------------------------------------------------------- aliases

#[test]
fn alias_rules() {
    let mut kms = kms();
    let (a, _) = create(&mut kms, json!({}));
    let (b, _) = create(&mut kms, json!({}));
    let (rsa, _) = create(
        &mut kms,
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    );
    ok(
        &mut kms,
        "CreateAlias",
        json!({"AliasName": "alias/test-1_x/y/z", "TargetKeyId": a}),
    );
    let e = err(
        &mut kms,
        "CreateAlias",
        json!({"AliasName": "alias/test-1_x/y/z", "TargetKeyId": b}),
    );
    assert_eq!(e.error_type, ErrorType::AlreadyExists);
    assert_eq!(e.message, "An alias with the name arn:aws:kms:ap-southeast-2:111122223333:alias/test-1_x/y/z already exists");
    let e = err(
        &mut kms,
        "CreateAlias",
        json!({"AliasName": "noprefix", "TargetKeyId": a}),
    );
    assert_eq!(
        (e.error_type, e.message.as_str()),
        (
            ErrorType::Validation,
            "Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"
        )
    );
    let e = err(
        &mut kms,
        "CreateAlias",
        json!({"AliasName": "alias/aws/mine", "TargetKeyId": a}),
    );
    assert_eq!(e.error_type, ErrorType::InvalidAliasName);
    let e = err(
        &mut kms,
        "CreateAlias",
        json!({"AliasName": "alias/with space", "TargetKeyId": a}),
    );
    assert_eq!(e.error_type, ErrorType::Validation);
    assert!(e
        .message
        .contains("regular expression pattern: ^[a-zA-Z0-9:/_-]+$"));
    let e = err(
        &mut kms,
        "CreateAlias",
        json!({"AliasName": format!("alias/{}", "a".repeat(251)), "TargetKeyId": a}),
    );
    assert_eq!(e.error_type, ErrorType::Validation);
    let e = err(
        &mut kms,
        "CreateAlias",
        json!({"AliasName": "alias/x", "TargetKeyId": "alias/test-1_x/y/z"}),
    );
    assert_eq!(
        (e.error_type, e.message.as_str()),
        (
            ErrorType::Validation,
            "Aliases must refer to keys. Not aliases"
        ),
        "an alias cannot point at an alias"
    );
    for (op, name, target) in [
        (
            "CreateAlias",
            "alias/x",
            "arn:aws:kms:ap-southeast-2:111122223333:alias/test-1_x/y/z",
        ),
        ("UpdateAlias", "alias/test-1_x/y/z", "alias/test-1_x/y/z"),
    ] {
        let e = err(
            &mut kms,
            op,
            json!({"AliasName": name, "TargetKeyId": target}),
        );
        assert_eq!(e.message, "Aliases must refer to keys. Not aliases", "{op}");
    }
    // The model's pattern admits `:`; CreateAlias and UpdateAlias do not.
    for op in ["CreateAlias", "UpdateAlias"] {
        let e = err(
            &mut kms,
            op,
            json!({"AliasName": "alias/Service:Test", "TargetKeyId": a}),
        );
        assert_eq!(
            (e.error_type, e.message.as_str()),
            (
                ErrorType::Validation,
                "alias/Service:Test contains invalid characters for an alias"
            )
        );
    }

    ok(
        &mut kms,
        "UpdateAlias",
        json!({"AliasName": "alias/test-1_x/y/z", "TargetKeyId": b}),
    );
    assert_eq!(
        ok(
            &mut kms,
            "DescribeKey",
            json!({"KeyId": "alias/test-1_x/y/z"})
        )["KeyMetadata"]["KeyId"],
        b.as_str()
    );
    let e = err(
        &mut kms,
        "UpdateAlias",
        json!({"AliasName": "alias/test-1_x/y/z", "TargetKeyId": rsa}),
    );
    assert_eq!(
        e.error_type,
        ErrorType::Validation,
        "an alias moves only to a key of the same type and usage"
    );
    let e = err(
        &mut kms,
        "UpdateAlias",
        json!({"AliasName": "alias/none", "TargetKeyId": a}),
    );
    assert_eq!(e.error_type, ErrorType::NotFound);

    let listed = ok(&mut kms, "ListAliases", json!({"KeyId": b}));
    assert_eq!(listed["Aliases"].as_array().unwrap().len(), 1);
    assert_eq!(
        listed["Aliases"][0]["AliasArn"],
        "arn:aws:kms:ap-southeast-2:111122223333:alias/test-1_x/y/z"
    );
    assert_eq!(listed["Aliases"][0]["TargetKeyId"], b.as_str());
    ok(
        &mut kms,
        "DeleteAlias",
        json!({"AliasName": "alias/test-1_x/y/z"}),
    );
    let e = err(
        &mut kms,
        "DeleteAlias",
        json!({"AliasName": "alias/test-1_x/y/z"}),
    );
    assert_eq!(e.error_type, ErrorType::NotFound);
    let e = err(
        &mut kms,
        "DeleteAlias",
        json!({"AliasName": "alias/aws/s3"}),
    );
    assert_eq!(e.error_type, ErrorType::AccessDenied);
}

#[test]
fn list_aliases_pages() {
    let mut kms = kms();
    let (a, _) = create(&mut kms, json!({}));
    for i in 0..5 {
        ok(
            &mut kms,
            "CreateAlias",
            json!({"AliasName": format!("alias/a{i}"), "TargetKeyId": a}),
        );
    }
    let first = ok(&mut kms, "ListAliases", json!({"KeyId": a, "Limit": 3}));
    assert_eq!(first["Truncated"], true);
    let names: Vec<&str> = first["Aliases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["AliasName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alias/a0", "alias/a1", "alias/a2"]);
    let second = ok(
        &mut kms,
        "ListAliases",
        json!({"KeyId": a, "Limit": 3, "Marker": first["NextMarker"]}),
    );
    assert_eq!(second["Truncated"], false);
    assert_eq!(second["Aliases"].as_array().unwrap().len(), 2);
    // Without a filter: the 12 AWS managed aliases are there too.
    let all = ok(&mut kms, "ListAliases", json!({"Limit": 100}));
    assert_eq!(all["Aliases"].as_array().unwrap().len(), 17);

    // Every page of the whole Region (read as a window of the aliases after the marker): each
    // alias once, by name, a deleted one gone.
    for i in 0..40 {
        ok(
            &mut kms,
            "CreateAlias",
            json!({"AliasName": format!("alias/b{i:02}"), "TargetKeyId": a}),
        );
    }
    ok(&mut kms, "DeleteAlias", json!({"AliasName": "alias/b07"}));
    let mut names: Vec<String> = Vec::new();
    let mut marker: Option<Value> = None;
    loop {
        let mut req = json!({"Limit": 7});
        if let Some(m) = &marker {
            req["Marker"] = m.clone();
        }
        let page = ok(&mut kms, "ListAliases", req);
        let got = page["Aliases"].as_array().unwrap();
        assert!(got.len() <= 7);
        names.extend(
            got.iter()
                .map(|x| x["AliasName"].as_str().unwrap().to_string()),
        );
        if page["Truncated"] == false {
            assert!(page.get("NextMarker").is_none());
            break;
        }
        marker = Some(page["NextMarker"].clone());
    }
    assert_eq!(names.len(), 17 + 39);
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(names, sorted, "in order, each once");
    assert!(!names.iter().any(|n| n == "alias/b07"));
}

// ---------------------------------------------------------------- cryptography

#[test]
fn encrypt_decrypt_with_context() {
    let mut kms = kms();
    let (id, arn) = create(&mut kms, json!({}));
    let ctx = json!({"purpose": "test", "user": "alice"});
    let out = ok(
        &mut kms,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"secret data"), "EncryptionContext": ctx}),
    );
    assert_eq!(out["KeyId"], arn.as_str());
    assert_eq!(out["EncryptionAlgorithm"], "SYMMETRIC_DEFAULT");
    let ct = out["CiphertextBlob"].clone();
    let back = ok(
        &mut kms,
        "Decrypt",
        json!({"CiphertextBlob": ct, "EncryptionContext": ctx}),
    );
    assert_eq!(unb64(&back["Plaintext"]), b"secret data");
    assert_eq!(back["KeyId"], arn.as_str());
    // Context order does not matter; a missing, changed or extra pair does.
    ok(
        &mut kms,
        "Decrypt",
        json!({"CiphertextBlob": ct, "EncryptionContext": {"user": "alice", "purpose": "test"}}),
    );
    for wrong in [
        json!({}),
        json!({"purpose": "test"}),
        json!({"purpose": "test", "user": "bob"}),
        json!({"purpose": "test", "user": "alice", "x": "y"}),
    ] {
        let e = err(
            &mut kms,
            "Decrypt",
            json!({"CiphertextBlob": ct, "EncryptionContext": wrong}),
        );
        assert_eq!(e.error_type, ErrorType::InvalidCiphertext);
    }
}

#[test]
fn context_pairs_do_not_collide() {
    let mut kms = kms();
    let (id, _) = create(&mut kms, json!({}));
    let ct = ok(
        &mut kms,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"x"), "EncryptionContext": {"ab": "c"}}),
    )["CiphertextBlob"]
        .clone();
    let e = err(
        &mut kms,
        "Decrypt",
        json!({"CiphertextBlob": ct, "EncryptionContext": {"a": "bc"}}),
    );
    assert_eq!(e.error_type, ErrorType::InvalidCiphertext);
}

#[test]
fn tampered_ciphertexts_and_wrong_keys_fail_as_aws_fails() {
    let mut kms = kms();
    let (a, _) = create(&mut kms, json!({}));
    let (b, _) = create(&mut kms, json!({}));
    let ct = unb64(
        &ok(
            &mut kms,
            "Encrypt",
            json!({"KeyId": a, "Plaintext": b64(b"payload")}),
        )["CiphertextBlob"],
    );
    for i in 0..ct.len() {
        let mut bad = ct.clone();
        bad[i] ^= 0x01;
        let e = kms
            .call("Decrypt", json!({"CiphertextBlob": b64(&bad)}))
            .expect_err("tampered byte must fail");
        assert!(
            matches!(e.error_type, ErrorType::InvalidCiphertext),
            "byte {i}: {e}"
        );
    }
    let e = err(
        &mut kms,
        "Decrypt",
        json!({"CiphertextBlob": b64(&ct[..40])}),
    );
    assert_eq!(e.error_type, ErrorType::InvalidCiphertext);
    let e = err(
        &mut kms,
        "Decrypt",
        json!({"CiphertextBlob": b64(&ct), "KeyId": b}),
    );
    assert_eq!(e.error_type, ErrorType::IncorrectKey);
    assert_eq!(
        e.message,
        "The key ID in the request does not identify a CMK that can perform this operation."
    );
    ok(
        &mut kms,
        "Decrypt",
        json!({"CiphertextBlob": b64(&ct), "KeyId": a}),
    );
}

#[test]
fn encrypt_limits_and_usage() {
    let mut kms = kms();
    let (id, _) = create(&mut kms, json!({}));
    ok(
        &mut kms,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(&[7u8; 4096])}),
    );
    let e = err(
        &mut kms,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(&[7u8; 4097])}),
    );
    assert_eq!(e.error_type, ErrorType::Validation);
    let e = err(&mut kms, "Encrypt", json!({"KeyId": id, "Plaintext": ""}));
    assert_eq!(e.error_type, ErrorType::Validation);
    let (mac, mac_arn) = create(
        &mut kms,
        json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}),
    );
    let e = err(
        &mut kms,
        "Encrypt",
        json!({"KeyId": mac, "Plaintext": b64(b"x")}),
    );
    assert_eq!(e.error_type, ErrorType::InvalidKeyUsage);
    assert_eq!(
        e.message,
        format!("{mac_arn} key usage is GENERATE_VERIFY_MAC which is not valid for Encrypt.")
    );
    let e = err(
        &mut kms,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"x"), "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}),
    );
    assert_eq!(e.error_type, ErrorType::InvalidKeyUsage);
    let e = err(
        &mut kms,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"x"), "DryRun": true}),
    );
    assert_eq!(
        (e.error_type, e.status()),
        (ErrorType::DryRunOperation, 412)
    );
}

#[test]
fn re_encrypt_moves_a_ciphertext_between_keys() {
    let mut kms = kms();
    let (a, a_arn) = create(&mut kms, json!({}));
    let (b, b_arn) = create(&mut kms, json!({}));
    let ct = ok(
        &mut kms,
        "Encrypt",
        json!({"KeyId": a, "Plaintext": b64(b"move me"), "EncryptionContext": {"k": "1"}}),
    )["CiphertextBlob"]
        .clone();
    let out = ok(
        &mut kms,
        "ReEncrypt",
        json!({"CiphertextBlob": ct, "SourceEncryptionContext": {"k": "1"}, "DestinationKeyId": b, "DestinationEncryptionContext": {"k": "2"}}),
    );
    assert_eq!(out["SourceKeyId"], a_arn.as_str());
    assert_eq!(out["KeyId"], b_arn.as_str());
    let back = ok(
        &mut kms,
        "Decrypt",
        json!({"CiphertextBlob": out["CiphertextBlob"], "EncryptionContext": {"k": "2"}}),
    );
    assert_eq!(unb64(&back["Plaintext"]), b"move me");
    assert_eq!(back["KeyId"], b_arn.as_str());
}

#[test]
fn data_keys() {
    let mut kms = kms();
    let (id, arn) = create(&mut kms, json!({}));
    let out = ok(
        &mut kms,
        "GenerateDataKey",
        json!({"KeyId": id, "KeySpec": "AES_256", "EncryptionContext": {"f": "1"}}),
    );
    let plain = unb64(&out["Plaintext"]);
    assert_eq!(plain.len(), 32);
    assert_eq!(out["KeyId"], arn.as_str());
    let back = ok(
        &mut kms,
        "Decrypt",
        json!({"CiphertextBlob": out["CiphertextBlob"], "EncryptionContext": {"f": "1"}}),
    );
    assert_eq!(unb64(&back["Plaintext"]), plain);
    assert_eq!(
        unb64(
            &ok(
                &mut kms,
                "GenerateDataKey",
                json!({"KeyId": id, "KeySpec": "AES_128"})
            )["Plaintext"]
        )
        .len(),
        16
    );
    assert_eq!(
        unb64(
            &ok(
                &mut kms,
                "GenerateDataKey",
                json!({"KeyId": id, "NumberOfBytes": 1024})
            )["Plaintext"]
        )
        .len(),
        1024
    );
    let without = ok(
        &mut kms,
        "GenerateDataKeyWithoutPlaintext",
        json!({"KeyId": id, "NumberOfBytes": 64}),
    );
    assert!(without.get("Plaintext").is_none());
    assert_eq!(
        unb64(
            &ok(
                &mut kms,
                "Decrypt",
                json!({"CiphertextBlob": without["CiphertextBlob"]})
            )["Plaintext"]
        )
        .len(),
        64
    );
    for bad in [
        json!({"KeyId": id}),
        json!({"KeyId": id, "KeySpec": "AES_256", "NumberOfBytes": 32}),
    ] {
        let e = err(&mut kms, "GenerateDataKey", bad);
        assert_eq!(
            (e.error_type, e.message.as_str()),
            (
                ErrorType::Validation,
                "Please specify either number of bytes or key spec."
            )
        );
    }
    let e = err(
        &mut kms,
        "GenerateDataKey",
        json!({"KeyId": id, "NumberOfBytes": 1025}),
    );
    assert_eq!(e.error_type, ErrorType::Validation);
    let (ecc, _) = create(
        &mut kms,
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    );
    let e = err(
        &mut kms,
        "GenerateDataKey",
        json!({"KeyId": ecc, "KeySpec": "AES_256"}),
    );
    assert_eq!(e.error_type, ErrorType::InvalidKeyUsage);
}

#[test]
fn data_key_pairs() {
    let mut kms = kms();
    let (id, _) = create(&mut kms, json!({}));
    let out = ok(
        &mut kms,
        "GenerateDataKeyPair",
        json!({"KeyId": id, "KeyPairSpec": "ECC_NIST_P256"}),
    );
    let private = unb64(&out["PrivateKeyPlaintext"]);
    assert_eq!(out["KeyPairSpec"], "ECC_NIST_P256");
    assert_eq!(
        unb64(&out["PublicKey"]),
        kms_core::crypto::public_key_der(&private).unwrap()
    );
    let back = ok(
        &mut kms,
        "Decrypt",
        json!({"CiphertextBlob": out["PrivateKeyCiphertextBlob"]}),
    );
    assert_eq!(unb64(&back["Plaintext"]), private);
    let out = ok(
        &mut kms,
        "GenerateDataKeyPairWithoutPlaintext",
        json!({"KeyId": id, "KeyPairSpec": "ECC_NIST_P384"}),
    );
    assert!(out.get("PrivateKeyPlaintext").is_none());
    let e = err(
        &mut kms,
        "GenerateDataKeyPair",
        json!({"KeyId": id, "KeyPairSpec": "SM2"}),
    );
    assert_eq!(e.error_type, ErrorType::UnsupportedOperation);
}

#[test]
fn generate_random() {
    let mut kms = kms();
    let a = unb64(&ok(&mut kms, "GenerateRandom", json!({"NumberOfBytes": 32}))["Plaintext"]);
    let b = unb64(&ok(&mut kms, "GenerateRandom", json!({"NumberOfBytes": 32}))["Plaintext"]);
    assert_eq!(a.len(), 32);
    assert_ne!(a, b);
    let e = err(&mut kms, "GenerateRandom", json!({"NumberOfBytes": 1025}));
    assert_eq!(e.error_type, ErrorType::Validation);
    let e = err(
        &mut kms,
        "GenerateRandom",
        json!({"NumberOfBytes": 8, "CustomKeyStoreId": "cks-1"}),
    );
    assert_eq!(e.error_type, ErrorType::CustomKeyStoreNotFound);
}

#[test]
fn rsa_encryption_limits_and_round_trip() {
    let mut kms = kms();
    let (id, _) = create(
        &mut kms,
        json!({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"}),
    );
    for (alg, max) in [("RSAES_OAEP_SHA_1", 214), ("RSAES_OAEP_SHA_256", 190)] {
        let out = ok(
            &mut kms,
            "Encrypt",
            json!({"KeyId": id, "Plaintext": b64(&vec![9u8; max]), "EncryptionAlgorithm": alg}),
        );
        assert_eq!(unb64(&out["CiphertextBlob"]).len(), 256);
        let back = ok(
            &mut kms,
            "Decrypt",
            json!({"KeyId": id, "CiphertextBlob": out["CiphertextBlob"], "EncryptionAlgorithm": alg}),
        );
        assert_eq!(unb64(&back["Plaintext"]), vec![9u8; max]);
        let e = err(
            &mut kms,
            "Encrypt",
            json!({"KeyId": id, "Plaintext": b64(&vec![9u8; max + 1]), "EncryptionAlgorithm": alg}),
        );
        assert_eq!(e.error_type, ErrorType::Validation);
    }
    let e = err(
        &mut kms,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"x")}),
    );
    assert_eq!(
        e.error_type,
        ErrorType::InvalidKeyUsage,
        "RSA keys have no SYMMETRIC_DEFAULT"
    );
    let ct = ok(
        &mut kms,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"x"), "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}),
    )["CiphertextBlob"]
        .clone();
    let e = err(
        &mut kms,
        "Decrypt",
        json!({"KeyId": id, "CiphertextBlob": ct, "EncryptionAlgorithm": "RSAES_OAEP_SHA_1"}),
    );
    assert_eq!(e.error_type, ErrorType::InvalidCiphertext);
    let e = err(
        &mut kms,
        "Decrypt",
        json!({"CiphertextBlob": ct, "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}),
    );
    assert_eq!(e.error_type, ErrorType::Validation);
}

#[test]
fn sign_and_verify_raw_and_digest() {
    use sha2::Digest;
    let mut kms = kms();
    let (ecc, ecc_arn) = create(
        &mut kms,
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    );
    let (rsa, _) = create(
        &mut kms,
        json!({"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}),
    );
    let msg = b"message to sign";
    let digest = sha2::Sha256::digest(msg).to_vec();
    for (key, alg) in [
        (&ecc, "ECDSA_SHA_256"),
        (&rsa, "RSASSA_PSS_SHA_256"),
        (&rsa, "RSASSA_PKCS1_V1_5_SHA_256"),
    ] {
        let out = ok(
            &mut kms,
            "Sign",
            json!({"KeyId": key, "Message": b64(msg), "SigningAlgorithm": alg}),
        );
        assert_eq!(out["SigningAlgorithm"], alg);
        let sig = out["Signature"].clone();
        let v = ok(
            &mut kms,
            "Verify",
            json!({"KeyId": key, "Message": b64(msg), "Signature": sig, "SigningAlgorithm": alg}),
        );
        assert_eq!(v["SignatureValid"], true);
        // A RAW signature verifies as a DIGEST of the same message, and vice versa.
        ok(
            &mut kms,
            "Verify",
            json!({"KeyId": key, "Message": b64(&digest), "MessageType": "DIGEST", "Signature": sig, "SigningAlgorithm": alg}),
        );
        let dsig = ok(&mut kms, "Sign", json!({"KeyId": key, "Message": b64(&digest), "MessageType": "DIGEST", "SigningAlgorithm": alg}))["Signature"].clone();
        ok(
            &mut kms,
            "Verify",
            json!({"KeyId": key, "Message": b64(msg), "Signature": dsig, "SigningAlgorithm": alg}),
        );
        let e = err(
            &mut kms,
            "Verify",
            json!({"KeyId": key, "Message": b64(b"another message"), "Signature": sig, "SigningAlgorithm": alg}),
        );
        assert_eq!(e.error_type, ErrorType::KmsInvalidSignature);
    }
    let e = err(
        &mut kms,
        "Sign",
        json!({"KeyId": ecc, "Message": b64(&digest[..31]), "MessageType": "DIGEST", "SigningAlgorithm": "ECDSA_SHA_256"}),
    );
    assert_eq!(
        (e.error_type, e.message.as_str()),
        (
            ErrorType::Validation,
            "Digest is invalid length for algorithm ECDSA_SHA_256."
        )
    );
    let e = err(
        &mut kms,
        "Sign",
        json!({"KeyId": ecc, "Message": b64(msg), "SigningAlgorithm": "RSASSA_PSS_SHA_256"}),
    );
    assert_eq!(e.error_type, ErrorType::InvalidKeyUsage);
    let e = err(&mut kms, "Sign", json!({"KeyId": ecc, "Message": b64(msg)}));
    assert_eq!(e.error_type, ErrorType::Validation);
    let (sym, _) = create(&mut kms, json!({}));
    let e = err(
        &mut kms,
        "Sign",
        json!({"KeyId": sym, "Message": b64(msg), "SigningAlgorithm": "ECDSA_SHA_256"}),
    );
    assert_eq!(e.error_type, ErrorType::InvalidKeyUsage);
    let pk = ok(&mut kms, "GetPublicKey", json!({"KeyId": ecc}));
    assert_eq!(pk["KeyId"], ecc_arn.as_str());
    assert_eq!(pk["KeySpec"], "ECC_NIST_P256");
    assert_eq!(pk["KeyUsage"], "SIGN_VERIFY");
    assert_eq!(pk["SigningAlgorithms"], json!(["ECDSA_SHA_256"]));
    assert_eq!(
        unb64(&pk["PublicKey"]).len(),
        91,
        "P-256 SubjectPublicKeyInfo DER"
    );
    let e = err(&mut kms, "GetPublicKey", json!({"KeyId": sym}));
    assert_eq!(e.error_type, ErrorType::UnsupportedOperation);
}

#[test]
fn macs() {
    let mut kms = kms();
    let (id, arn) = create(
        &mut kms,
        json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}),
    );
    let out = ok(
        &mut kms,
        "GenerateMac",
        json!({"KeyId": id, "Message": b64(b"m"), "MacAlgorithm": "HMAC_SHA_256"}),
    );
    assert_eq!(out["KeyId"], arn.as_str());
    let mac = unb64(&out["Mac"]);
    assert_eq!(mac.len(), 32);
    let v = ok(
        &mut kms,
        "VerifyMac",
        json!({"KeyId": id, "Message": b64(b"m"), "Mac": b64(&mac), "MacAlgorithm": "HMAC_SHA_256"}),
    );
    assert_eq!(v["MacValid"], true);
    let e = err(
        &mut kms,
        "VerifyMac",
        json!({"KeyId": id, "Message": b64(b"n"), "Mac": b64(&mac), "MacAlgorithm": "HMAC_SHA_256"}),
    );
    assert_eq!(e.error_type, ErrorType::KmsInvalidMac);
    let e = err(
        &mut kms,
        "GenerateMac",
        json!({"KeyId": id, "Message": b64(b"m"), "MacAlgorithm": "HMAC_SHA_512"}),
    );
    assert_eq!(e.error_type, ErrorType::InvalidKeyUsage);
}

// ---------------------------------------------------------------- rotation

#[test]
fn rotation_keeps_old_ciphertexts_decrypting() {
    let mut kms = kms();
    let (id, arn) = create(&mut kms, json!({}));
    let status = ok(&mut kms, "GetKeyRotationStatus", json!({"KeyId": id}));
    assert_eq!(status, json!({"KeyRotationEnabled": false, "KeyId": arn}));
    let old = ok(
        &mut kms,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"v1")}),
    )["CiphertextBlob"]
        .clone();
    ok(&mut kms, "RotateKeyOnDemand", json!({"KeyId": id}));
    let new = ok(
        &mut kms,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"v2")}),
    )["CiphertextBlob"]
        .clone();
    assert_eq!(
        unb64(&ok(&mut kms, "Decrypt", json!({"CiphertextBlob": old}))["Plaintext"]),
        b"v1"
    );
    assert_eq!(
        unb64(&ok(&mut kms, "Decrypt", json!({"CiphertextBlob": new}))["Plaintext"]),
        b"v2"
    );

    let e = err(
        &mut kms,
        "EnableKeyRotation",
        json!({"KeyId": id, "RotationPeriodInDays": 89}),
    );
    assert_eq!(e.message, "1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90");
    ok(
        &mut kms,
        "EnableKeyRotation",
        json!({"KeyId": id, "RotationPeriodInDays": 90}),
    );
    let status = ok(&mut kms, "GetKeyRotationStatus", json!({"KeyId": id}));
    assert_eq!(status["KeyRotationEnabled"], true);
    assert_eq!(status["RotationPeriodInDays"], 90);
    assert_eq!(
        status["NextRotationDate"],
        json!(1_735_689_600.0 + 90.0 * 86_400.0)
    );
    kms.advance_days(181); // two scheduled rotations pass
    let rotations = ok(&mut kms, "ListKeyRotations", json!({"KeyId": id}));
    let r = rotations["Rotations"].as_array().unwrap();
    let types: Vec<&str> = r
        .iter()
        .map(|x| x["RotationType"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["ON_DEMAND", "AUTOMATIC", "AUTOMATIC"]);
    assert_eq!(r[2]["KeyMaterialState"], "CURRENT");
    assert_eq!(r[0]["KeyMaterialState"], "NON_CURRENT");
    let all = ok(
        &mut kms,
        "ListKeyRotations",
        json!({"KeyId": id, "IncludeKeyMaterial": "ALL_KEY_MATERIAL"}),
    );
    assert_eq!(all["Rotations"].as_array().unwrap().len(), 4);
    let paged = ok(
        &mut kms,
        "ListKeyRotations",
        json!({"KeyId": id, "Limit": 2}),
    );
    assert_eq!(paged["Truncated"], true);
    assert_eq!(
        unb64(&ok(&mut kms, "Decrypt", json!({"CiphertextBlob": old}))["Plaintext"]),
        b"v1"
    );
    ok(&mut kms, "DisableKeyRotation", json!({"KeyId": id}));
    assert_eq!(
        ok(&mut kms, "GetKeyRotationStatus", json!({"KeyId": id}))["KeyRotationEnabled"],
        false
    );

    let (ecc, _) = create(
        &mut kms,
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    );
    for op in ["EnableKeyRotation", "RotateKeyOnDemand", "ListKeyRotations"] {
        assert_eq!(
            err(&mut kms, op, json!({"KeyId": ecc})).error_type,
            ErrorType::UnsupportedOperation,
            "{op}"
        );
    }
    // The key type reference (symm-asymm-compare.md): GetKeyRotationStatus answers for HMAC and
    // asymmetric keys, "KeyRotationEnabled will always be false" (imported material is refused:
    // key-state.md, tests/import.rs).
    let (hmac, _) = create(
        &mut kms,
        json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}),
    );
    for id in [&ecc, &hmac] {
        let status = ok(&mut kms, "GetKeyRotationStatus", json!({"KeyId": id}));
        assert_eq!(status["KeyRotationEnabled"], false, "{id}");
        assert!(status["KeyId"].as_str().unwrap().ends_with(id.as_str()));
        assert!(status.get("RotationPeriodInDays").is_none());
    }
}

#[test]
fn on_demand_rotation_limit() {
    let mut kms = kms();
    let (id, _) = create(&mut kms, json!({}));
    for _ in 0..25 {
        ok(&mut kms, "RotateKeyOnDemand", json!({"KeyId": id}));
    }
    assert_eq!(
        err(&mut kms, "RotateKeyOnDemand", json!({"KeyId": id})).error_type,
        ErrorType::LimitExceeded
    );
}

// ---------------------------------------------------------------- tags and policies

#[test]
fn tags() {
    let mut kms = kms();
    let (id, _) = create(
        &mut kms,
        json!({"Tags": [{"TagKey": "env", "TagValue": "dev"}]}),
    );
    ok(
        &mut kms,
        "TagResource",
        json!({"KeyId": id, "Tags": [{"TagKey": "team", "TagValue": "a"}, {"TagKey": "env", "TagValue": "prod"}]}),
    );
    let tags = ok(&mut kms, "ListResourceTags", json!({"KeyId": id}));
    assert_eq!(
        tags["Tags"],
        json!([{"TagKey": "env", "TagValue": "prod"}, {"TagKey": "team", "TagValue": "a"}])
    );
    assert_eq!(tags["Truncated"], false);
    ok(
        &mut kms,
        "UntagResource",
        json!({"KeyId": id, "TagKeys": ["env"]}),
    );
    assert_eq!(
        ok(&mut kms, "ListResourceTags", json!({"KeyId": id}))["Tags"],
        json!([{"TagKey": "team", "TagValue": "a"}])
    );
    let many: Vec<Value> = (0..50)
        .map(|i| json!({"TagKey": format!("k{i}"), "TagValue": ""}))
        .collect();
    let e = err(&mut kms, "TagResource", json!({"KeyId": id, "Tags": many}));
    assert_eq!(
        e.error_type,
        ErrorType::LimitExceeded,
        "team + 50 more is over the 50-tag quota"
    );
    assert_eq!(
        ok(&mut kms, "ListResourceTags", json!({"KeyId": id}))["Tags"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let e = err(
        &mut kms,
        "TagResource",
        json!({"KeyId": id, "Tags": [{"TagKey": "k".repeat(129), "TagValue": ""}]}),
    );
    assert_eq!(e.error_type, ErrorType::Validation);
    let e = err(
        &mut kms,
        "TagResource",
        json!({"KeyId": id, "Tags": [{"TagKey": "aws:reserved", "TagValue": ""}]}),
    );
    assert_eq!(e.error_type, ErrorType::Tag);
}

#[test]
fn key_policies() {
    let mut kms = kms();
    // A key policy may name only principals that exist (KMS refuses others).
    let root = kms.caller.clone();
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}]});
    kms.iam(
        &root,
        "CreateRole",
        json!({"RoleName": "App", "AssumeRolePolicyDocument": trust.to_string()}),
    )
    .unwrap();
    let (id, _) = create(&mut kms, json!({}));
    assert_eq!(
        ok(&mut kms, "ListKeyPolicies", json!({"KeyId": id}))["PolicyNames"],
        json!(["default"])
    );
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "users", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": ["kms:Encrypt"], "Resource": "*"}
    ]}).to_string();
    ok(
        &mut kms,
        "PutKeyPolicy",
        json!({"KeyId": id, "Policy": policy}),
    );
    assert_eq!(
        ok(
            &mut kms,
            "GetKeyPolicy",
            json!({"KeyId": id, "PolicyName": "default"})
        )["Policy"],
        policy.as_str()
    );
    let lockout = json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:Encrypt", "Resource": "*"}]}).to_string();
    let e = err(
        &mut kms,
        "PutKeyPolicy",
        json!({"KeyId": id, "Policy": lockout}),
    );
    assert_eq!(
        (e.error_type, e.message.as_str()),
        (
            ErrorType::MalformedPolicyDocument,
            "The new key policy will not allow you to update the key policy in the future."
        )
    );
    let e = err(
        &mut kms,
        "PutKeyPolicy",
        json!({"KeyId": id, "Policy": "[]"}),
    );
    assert_eq!(e.error_type, ErrorType::MalformedPolicyDocument);
    let e = err(
        &mut kms,
        "GetKeyPolicy",
        json!({"KeyId": id, "PolicyName": "other"}),
    );
    assert_eq!(e.error_type, ErrorType::NotFound);
    // A policy naming a role that does not exist is refused.
    let ghost = policy.replace("role/App", "role/Ghost");
    let e = err(
        &mut kms,
        "PutKeyPolicy",
        json!({"KeyId": id, "Policy": ghost}),
    );
    assert_eq!(
        (e.error_type, e.message.as_str()),
        (
            ErrorType::MalformedPolicyDocument,
            "Policy contains a statement with one or more invalid principals."
        )
    );
    // Bypassing the check locks the account out, as AWS warns: even the root user is refused.
    ok(
        &mut kms,
        "PutKeyPolicy",
        json!({"KeyId": id, "Policy": lockout, "BypassPolicyLockoutSafetyCheck": true}),
    );
    let e = err(
        &mut kms,
        "PutKeyPolicy",
        json!({"KeyId": id, "Policy": policy}),
    );
    assert_eq!(e.error_type, ErrorType::AccessDenied);
    let e = err(&mut kms, "DescribeKey", json!({"KeyId": id}));
    assert_eq!(e.error_type, ErrorType::AccessDenied);
}

// ---------------------------------------------------------------- AWS managed keys, regions

#[test]
fn aws_managed_keys_are_usable_and_refuse_changes() {
    let mut kms = kms();
    let aliases = ok(&mut kms, "ListAliases", json!({}));
    let names: Vec<&str> = aliases["Aliases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["AliasName"].as_str().unwrap())
        .collect();
    for service in [
        "acm",
        "dynamodb",
        "ebs",
        "elasticfilesystem",
        "lambda",
        "rds",
        "redshift",
        "s3",
        "secretsmanager",
        "sns",
        "sqs",
        "ssm",
    ] {
        assert!(
            names.contains(&format!("alias/aws/{service}").as_str()),
            "{service}"
        );
    }
    let m = ok(&mut kms, "DescribeKey", json!({"KeyId": "alias/aws/s3"}))["KeyMetadata"].clone();
    assert_eq!(m["KeyManager"], "AWS");
    let id = m["KeyId"].as_str().unwrap().to_string();
    let arn = m["Arn"].as_str().unwrap().to_string();
    // Its key policy allows use only through the service (kms:ViaService), which never calls
    // in the sandbox: direct use is refused as AWS refuses a caller outside the service.
    let e = err(
        &mut kms,
        "Encrypt",
        json!({"KeyId": "alias/aws/s3", "Plaintext": b64(b"x")}),
    );
    assert_eq!(e.error_type, ErrorType::AccessDenied);
    assert_eq!(e.message, format!("User: arn:aws:iam::111122223333:root is not authorized to perform: kms:Encrypt on resource: {arn} because no resource-based policy allows the kms:Encrypt action"));
    let status = ok(&mut kms, "GetKeyRotationStatus", json!({"KeyId": id}));
    assert_eq!(
        (
            status["KeyRotationEnabled"].clone(),
            status["RotationPeriodInDays"].clone()
        ),
        (json!(true), json!(365))
    );
    // EBS's key is used through EC2, in the words of conditions-kms.md's example.
    let ebs = ok(&mut kms, "DescribeKey", json!({"KeyId": "alias/aws/ebs"}))["KeyMetadata"]
        ["KeyId"]
        .clone();
    let policy = ok(&mut kms, "GetKeyPolicy", json!({"KeyId": ebs}))["Policy"].clone();
    let policy: Value = serde_json::from_str(policy.as_str().unwrap()).unwrap();
    let through = &policy["Statement"][0];
    assert_eq!(
        through["Sid"],
        "Allow access through EBS for all principals in the account that are authorized to use EBS"
    );
    assert_eq!(
        through["Condition"]["StringEquals"]["kms:ViaService"],
        format!("ec2.{}.amazonaws.com", kms.region)
    );
    for (op, req) in [
        ("DisableKey", json!({"KeyId": id})),
        ("ScheduleKeyDeletion", json!({"KeyId": id})),
        ("PutKeyPolicy", json!({"KeyId": id, "Policy": "{}"})),
        ("EnableKeyRotation", json!({"KeyId": id})),
        ("DisableKeyRotation", json!({"KeyId": id})),
        ("RotateKeyOnDemand", json!({"KeyId": id})),
        ("TagResource", json!({"KeyId": id, "Tags": []})),
        (
            "UpdateKeyDescription",
            json!({"KeyId": id, "Description": "x"}),
        ),
        (
            "CreateAlias",
            json!({"AliasName": "alias/mine", "TargetKeyId": id}),
        ),
    ] {
        let e = err(&mut kms, op, req);
        assert_eq!(e.error_type, ErrorType::AccessDenied, "{op}");
        assert_eq!(e.message, format!("User: arn:aws:iam::111122223333:root is not authorized to perform: kms:{op} on resource: {arn} because no resource-based policy allows the kms:{op} action"));
    }
    // ...and the AWS managed key rotates every year by itself.
    kms.advance_days(366);
    let rotations = ok(&mut kms, "ListKeyRotations", json!({"KeyId": id}));
    assert_eq!(rotations["Rotations"].as_array().unwrap().len(), 1);
}

#[test]
fn each_region_is_its_own_key_space() {
    let mut kms = kms();
    let (id, arn) = create(&mut kms, json!({}));
    let ct = ok(
        &mut kms,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"x")}),
    )["CiphertextBlob"]
        .clone();
    kms.region = "us-east-1".into();
    assert_eq!(
        err(&mut kms, "DescribeKey", json!({"KeyId": id})).error_type,
        ErrorType::NotFound
    );
    assert_eq!(
        err(&mut kms, "DescribeKey", json!({"KeyId": arn})).error_type,
        ErrorType::NotFound
    );
    assert_eq!(
        err(&mut kms, "Decrypt", json!({"CiphertextBlob": ct})).error_type,
        ErrorType::InvalidCiphertext
    );
    let (other, other_arn) = create(&mut kms, json!({}));
    assert!(other_arn.starts_with("arn:aws:kms:us-east-1:111122223333:key/"));
    kms.region = "ap-southeast-2".into();
    assert_eq!(
        err(&mut kms, "DescribeKey", json!({"KeyId": other})).error_type,
        ErrorType::NotFound
    );
}

// ---------------------------------------------------------------- the rest of the model

#[test]
fn every_operation_of_the_model_answers() {
    let mut kms = kms();
    let (id, _) = create(&mut kms, json!({}));
    let model = kms_core::model::model();
    let mut unsupported = Vec::new();
    for op in model.operations.keys() {
        let out = kms.outcome(op, json!({"KeyId": id}));
        if let Err(e) = &out.result {
            assert_ne!(e.error_type, ErrorType::UnknownOperation, "{op}");
            assert_ne!(e.error_type, ErrorType::KmsInternal, "{op}: {e}");
            // Every error an operation returns is one the model lists for it, or a client error
            // every operation can return.
            let listed = &model.operations[op].errors;
            assert!(
                listed.iter().any(|n| n == e.error_type.as_str())
                    || matches!(
                        e.error_type,
                        ErrorType::Validation | ErrorType::AccessDenied | ErrorType::Serialization
                    ),
                "{op} answered {e}, not in the model's list {listed:?}"
            );
            if e.error_type == ErrorType::UnsupportedOperation {
                unsupported.push(op.clone());
            }
        }
    }
    assert_eq!(
        err(&mut kms, "NoSuchOperation", json!({})).error_type,
        ErrorType::UnknownOperation
    );
    println!("answering UnsupportedOperationException for a symmetric key: {unsupported:?}");
}

#[test]
fn features_the_account_does_not_have() {
    let mut kms = kms();
    let (id, arn) = create(&mut kms, json!({}));
    assert_eq!(
        ok(&mut kms, "DescribeCustomKeyStores", json!({})),
        json!({"CustomKeyStores": [], "Truncated": false})
    );
    for op in [
        "ConnectCustomKeyStore",
        "DisconnectCustomKeyStore",
        "DeleteCustomKeyStore",
        "UpdateCustomKeyStore",
    ] {
        assert_eq!(
            err(
                &mut kms,
                op,
                json!({"CustomKeyStoreId": "cks-1234567890abcdef0"})
            )
            .error_type,
            ErrorType::CustomKeyStoreNotFound,
            "{op}"
        );
    }
    let e = err(
        &mut kms,
        "CreateCustomKeyStore",
        json!({"CustomKeyStoreName": "s", "CloudHsmClusterId": "cluster-234567abcdefg",
            "TrustAnchorCertificate": "-----BEGIN CERTIFICATE-----", "KeyStorePassword": "kmsPswd1"}),
    );
    assert_eq!(e.error_type, ErrorType::CloudHsmClusterNotFound);
    // An external key store behind a VPC endpoint service the account does not have.
    let e = err(
        &mut kms,
        "CreateCustomKeyStore",
        json!({"CustomKeyStoreName": "x", "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
            "XksProxyUriEndpoint": "https://myproxy-private.xks.example.com", "XksProxyUriPath": "/kms/xks/v1",
            "XksProxyConnectivity": "VPC_ENDPOINT_SERVICE",
            "XksProxyVpcEndpointServiceName": "com.amazonaws.vpce.us-east-1.vpce-svc-example1",
            "XksProxyAuthenticationCredential": {"AccessKeyId": "ABCDEFGHIJKLMNOPQRST",
                "RawSecretAccessKey": "DXjSUawnel2fr6SKC7G25CNxTyWKE5PF9XX6H/u9pSo="}}),
    );
    assert_eq!(
        e.error_type,
        ErrorType::XksProxyVpcEndpointServiceNotFound,
        "{e}"
    );
    // The model's pattern for cluster ids, matched whole as AWS's validators do.
    let e = err(
        &mut kms,
        "CreateCustomKeyStore",
        json!({"CustomKeyStoreName": "s", "CloudHsmClusterId": "cluster-1234567890a"}),
    );
    assert_eq!(e.error_type, ErrorType::Validation);
    assert!(e.message.ends_with("at 'cloudHsmClusterId' failed to satisfy constraint: Member must satisfy regular expression pattern: cluster-[2-7a-zA-Z]{11,16}"), "{}", e.message);
    let e = err(
        &mut kms,
        "GetParametersForImport",
        json!({"KeyId": id, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}),
    );
    assert_eq!(
        (e.error_type, e.message),
        (
            ErrorType::UnsupportedOperation,
            format!("{arn} origin is AWS_KMS which is not valid for this operation.")
        )
    );
    let e = err(
        &mut kms,
        "ReplicateKey",
        json!({"KeyId": id, "ReplicaRegion": "us-east-1"}),
    );
    assert_eq!(e.error_type, ErrorType::UnsupportedOperation);
    let e = err(
        &mut kms,
        "DeriveSharedSecret",
        json!({"KeyId": id, "KeyAgreementAlgorithm": "ECDH", "PublicKey": b64(b"x")}),
    );
    assert_eq!(e.error_type, ErrorType::InvalidKeyUsage);
    assert_eq!(
        ok(&mut kms, "ListGrants", json!({"KeyId": id}))["Grants"],
        json!([])
    );
    let e = err(
        &mut kms,
        "GetParametersForImport",
        json!({"KeyId": "alias/nope", "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}),
    );
    assert_eq!(e.error_type, ErrorType::InvalidArn);
}

#[test]
fn wire_errors_and_bodies() {
    let mut kms = kms();
    let out = kms.engine.handle_json(
        "ap-southeast-2",
        "DescribeKey",
        b"{not json",
        &kms.caller,
        0,
        kms.entropy.as_mut(),
    );
    assert_eq!(out.http().0, 400);
    assert!(out
        .http()
        .1
        .contains("\"__type\":\"SerializationException\""));
    let out = kms.engine.handle_json(
        "ap-southeast-2",
        "ListKeys",
        b"",
        &kms.caller,
        0,
        kms.entropy.as_mut(),
    );
    assert_eq!(out.http().0, 200);
    let out = kms.outcome("DescribeKey", json!({"KeyId": "alias/none"}));
    let (status, body) = out.http();
    assert_eq!(status, 400);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["__type"], "NotFoundException");
    assert_eq!(
        body["message"],
        "Alias arn:aws:kms:ap-southeast-2:111122223333:alias/none is not found."
    );
}

#[test]
fn a_failed_operation_changes_nothing_and_reads_change_nothing() {
    let mut kms = kms();
    let (id, _) = create(&mut kms, json!({}));
    let out = kms.outcome("Encrypt", json!({"KeyId": id, "Plaintext": b64(b"x")}));
    assert!(
        out.result.is_ok() && out.changes.is_empty(),
        "Encrypt writes nothing"
    );
    let out = kms.outcome(
        "CreateAlias",
        json!({"AliasName": "alias/aws/x", "TargetKeyId": id}),
    );
    assert!(out.result.is_err() && out.changes.is_empty());
    let out = kms.outcome("ScheduleKeyDeletion", json!({"KeyId": id}));
    assert_eq!(out.changes.len(), 1);
}

/// Makes IAM user `name` of the sandbox's account: a grant's principal must exist.
fn iam_user(kms: &mut Sandbox, name: &str) -> String {
    let out = kms
        .call_service(Service::Iam, "CreateUser", json!({"UserName": name}))
        .unwrap();
    out["User"]["Arn"].as_str().unwrap().to_string()
}

/// Makes IAM role `name` of the sandbox's account, assumable by the account.
fn iam_role(kms: &mut Sandbox, name: &str) -> String {
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}]});
    let out = kms
        .call_service(
            Service::Iam,
            "CreateRole",
            json!({"RoleName": name, "AssumeRolePolicyDocument": trust.to_string()}),
        )
        .unwrap();
    out["Role"]["Arn"].as_str().unwrap().to_string()
}

#[test]
fn grants_are_created_listed_retired_and_revoked() {
    let mut kms = kms();
    let (id, arn) = create(&mut kms, json!({}));
    let user = &iam_user(&mut kms, "exampleUser");
    let admin = &iam_role(&mut kms, "adminRole");
    assert_eq!(user, "arn:aws:iam::111122223333:user/exampleUser");
    let request = json!({
        "KeyId": id, "GranteePrincipal": user, "RetiringPrincipal": admin, "Operations": ["Decrypt"],
        "Constraints": {"EncryptionContextSubset": {"Department": "IT"}}, "Name": "it-decrypt",
    });
    let first = ok(&mut kms, "CreateGrant", request.clone());
    let grant_id = first["GrantId"].as_str().unwrap().to_string();
    assert_eq!(grant_id.len(), 64);
    assert!(first["GrantToken"].as_str().unwrap().len() > 64);
    // The same named request again is a retry: the same grant, no second one.
    assert_eq!(
        ok(&mut kms, "CreateGrant", request.clone())["GrantId"],
        json!(grant_id)
    );
    let listed = ok(&mut kms, "ListGrants", json!({"KeyId": arn}));
    assert_eq!(listed["Truncated"], json!(false));
    let grants = listed["Grants"].as_array().unwrap();
    assert_eq!(grants.len(), 1);
    let g = &grants[0];
    assert_eq!(g["KeyId"], json!(arn));
    assert_eq!(g["GrantId"], json!(grant_id));
    assert_eq!(g["Name"], json!("it-decrypt"));
    assert_eq!(g["GranteePrincipal"], json!(user));
    assert_eq!(g["RetiringPrincipal"], json!(admin));
    assert_eq!(g["IssuingAccount"], json!("arn:aws:iam::111122223333:root"));
    assert_eq!(g["Operations"], json!(["Decrypt"]));
    assert_eq!(
        g["Constraints"],
        json!({"EncryptionContextSubset": {"Department": "IT"}})
    );
    assert!(g["CreationDate"].is_number());

    // Filters, paging, retirable grants.
    let second = ok(
        &mut kms,
        "CreateGrant",
        json!({"KeyId": id, "GranteePrincipal": admin, "Operations": ["Encrypt", "DescribeKey"]}),
    );
    let only = ok(
        &mut kms,
        "ListGrants",
        json!({"KeyId": id, "GranteePrincipal": admin}),
    );
    assert_eq!(only["Grants"][0]["GrantId"], second["GrantId"]);
    assert_eq!(only["Grants"].as_array().unwrap().len(), 1);
    let page1 = ok(&mut kms, "ListGrants", json!({"KeyId": id, "Limit": 1}));
    assert_eq!(
        (
            page1["Grants"].as_array().unwrap().len(),
            page1["Truncated"].clone()
        ),
        (1, json!(true))
    );
    let page2 = ok(
        &mut kms,
        "ListGrants",
        json!({"KeyId": id, "Limit": 1, "Marker": page1["NextMarker"]}),
    );
    assert_eq!(
        (
            page2["Grants"].as_array().unwrap().len(),
            page2["Truncated"].clone()
        ),
        (1, json!(false))
    );
    let mut paged = vec![
        page1["Grants"][0]["GrantId"].clone(),
        page2["Grants"][0]["GrantId"].clone(),
    ];
    paged.sort_by_key(|v| v.to_string());
    let mut want = vec![json!(grant_id), second["GrantId"].clone()];
    want.sort_by_key(|v| v.to_string());
    assert_eq!(paged, want);
    let retirable = ok(
        &mut kms,
        "ListRetirableGrants",
        json!({"RetiringPrincipal": admin}),
    );
    assert_eq!(retirable["Grants"].as_array().unwrap().len(), 1);
    assert_eq!(retirable["Grants"][0]["GrantId"], json!(grant_id));

    // Retire by token; retire by key ARN and id; revoke; each only once.
    let e = err(
        &mut kms,
        "RetireGrant",
        json!({"GrantToken": first["GrantToken"], "DryRun": true}),
    );
    assert_eq!(e.error_type, ErrorType::DryRunOperation);
    ok(
        &mut kms,
        "RetireGrant",
        json!({"GrantToken": first["GrantToken"]}),
    );
    let e = err(
        &mut kms,
        "RetireGrant",
        json!({"GrantToken": first["GrantToken"]}),
    );
    assert_eq!(
        e.error_type,
        ErrorType::NotFound,
        "the token's grant is gone"
    );
    let e = err(&mut kms, "RetireGrant", json!({}));
    assert_eq!(e.error_type, ErrorType::Validation);
    ok(
        &mut kms,
        "RetireGrant",
        json!({"KeyId": arn, "GrantId": second["GrantId"]}),
    );
    assert_eq!(
        ok(&mut kms, "ListGrants", json!({"KeyId": id}))["Grants"],
        json!([])
    );
    let third = ok(
        &mut kms,
        "CreateGrant",
        json!({"KeyId": id, "GranteePrincipal": user, "Operations": ["GenerateDataKey"]}),
    );
    ok(
        &mut kms,
        "RevokeGrant",
        json!({"KeyId": id, "GrantId": third["GrantId"]}),
    );
    let e = err(
        &mut kms,
        "RevokeGrant",
        json!({"KeyId": id, "GrantId": third["GrantId"]}),
    );
    assert_eq!(e.error_type, ErrorType::NotFound);
}

#[test]
fn retire_grant_names_the_key_by_key_id_or_key_arn() {
    // "both the grant ID and a key identifier (key ID or key ARN)" (RetireGrant's
    // documentation); LocalStack's AWS-validated test_retire_grant_with_grant_id_and_key_id
    // passes the bare KeyId CreateKey returned.
    let mut kms = kms();
    let (id, arn) = create(&mut kms, json!({}));
    let user = iam_user(&mut kms, "exampleUser");
    let grant = |kms: &mut Sandbox| {
        ok(
            kms,
            "CreateGrant",
            json!({"KeyId": id, "GranteePrincipal": user, "Operations": ["Decrypt"]}),
        )["GrantId"]
            .clone()
    };
    let (by_id, by_arn, by_alias) = (grant(&mut kms), grant(&mut kms), grant(&mut kms));
    ok(
        &mut kms,
        "RetireGrant",
        json!({"KeyId": id, "GrantId": by_id}),
    );
    ok(
        &mut kms,
        "RetireGrant",
        json!({"KeyId": arn, "GrantId": by_arn}),
    );
    // Aliases stay refused, as for every operation whose KeyId names a key only.
    ok(
        &mut kms,
        "CreateAlias",
        json!({"AliasName": "alias/retire", "TargetKeyId": id}),
    );
    let alias_arn = arn.replace(&format!("key/{id}"), "alias/retire");
    for key in ["alias/retire", alias_arn.as_str()] {
        let e = err(
            &mut kms,
            "RetireGrant",
            json!({"KeyId": key, "GrantId": by_alias}),
        );
        assert_eq!(
            (e.error_type, e.message.as_str()),
            (
                ErrorType::InvalidArn,
                "Key Aliases are not supported for this operation."
            ),
            "{key}"
        );
    }
    // A key ID of no key, and a grant ID of no grant, are not found.
    let e = err(
        &mut kms,
        "RetireGrant",
        json!({"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "GrantId": by_alias}),
    );
    assert_eq!(e.error_type, ErrorType::NotFound);
    let e = err(
        &mut kms,
        "RetireGrant",
        json!({"KeyId": id, "GrantId": by_id}),
    );
    assert_eq!(e.error_type, ErrorType::NotFound);
    let left = ok(&mut kms, "ListGrants", json!({"KeyId": id}));
    assert_eq!(left["Grants"].as_array().unwrap().len(), 1);
    assert_eq!(left["Grants"][0]["GrantId"], by_alias);
}

#[test]
fn create_grant_refuses_principals_that_do_not_exist() {
    let mut kms = kms();
    let (id, _) = create(&mut kms, json!({}));
    let user = iam_user(&mut kms, "exampleUser");
    let role = iam_role(&mut kms, "exampleRole");
    let grant = |principal: &str, retiring: &str| {
        json!({"KeyId": id, "GranteePrincipal": principal, "RetiringPrincipal": retiring,
            "Operations": ["Decrypt"]})
    };
    // AWS's words: "KMS Exception: InvalidArnException KMS Message: ARN does not refer to a
    // valid principal: arn:..." (as Lambda relays a refused CreateGrant).
    let refused = |kms: &mut Sandbox, principal: &str, retiring: &str, bad: &str| {
        let e = err(kms, "CreateGrant", grant(principal, retiring));
        assert_eq!(
            (e.error_type, e.message),
            (
                ErrorType::InvalidArn,
                format!("ARN does not refer to a valid principal: {bad}")
            ),
            "{principal} {retiring}"
        );
    };
    for bad in [
        "arn:aws:iam::111122223333:user/ghost",
        "arn:aws:iam::111122223333:role/ghost",
        // The name of an existing user or role under another path, or as the other kind.
        "arn:aws:iam::111122223333:user/dev/exampleUser",
        "arn:aws:iam::111122223333:role/exampleUser",
        // Another partition's ARN does not name this account's user.
        "arn:aws-cn:iam::111122223333:user/exampleUser",
        // An IAM group is never a principal (grants.md), in any account.
        "arn:aws:iam::111122223333:group/admins",
        "arn:aws:iam::444455556666:group/admins",
    ] {
        refused(&mut kms, bad, &role, bad);
        refused(&mut kms, &user, bad, bad);
    }
    // Accepted: users and roles that exist, the account, other accounts' principals, role
    // sessions and federated users (which the sandbox cannot check).
    for fine in [
        user.as_str(),
        role.as_str(),
        "arn:aws:iam::111122223333:root",
        "arn:aws:iam::444455556666:user/someone",
        "arn:aws:iam::444455556666:role/someone",
        "arn:aws:sts::111122223333:assumed-role/exampleRole/session",
        "arn:aws:sts::111122223333:federated-user/someone",
    ] {
        ok(&mut kms, "CreateGrant", grant(fine, fine));
    }
    assert_eq!(
        ok(&mut kms, "ListGrants", json!({"KeyId": id}))["Grants"]
            .as_array()
            .unwrap()
            .len(),
        7
    );
}

#[test]
fn grant_principals_are_checked_in_the_partition_of_the_region() {
    for (region, partition) in [
        ("cn-north-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("us-east-1", "aws"),
    ] {
        let mut kms = kms();
        kms.region = region.into();
        let (id, _) = create(&mut kms, json!({}));
        let user = iam_user(&mut kms, "exampleUser");
        assert_eq!(
            user,
            format!("arn:{partition}:iam::111122223333:user/exampleUser")
        );
        ok(
            &mut kms,
            "CreateGrant",
            json!({"KeyId": id, "GranteePrincipal": user, "Operations": ["Decrypt"]}),
        );
        let ghost = format!("arn:{partition}:iam::111122223333:user/ghost");
        let e = err(
            &mut kms,
            "CreateGrant",
            json!({"KeyId": id, "GranteePrincipal": ghost, "Operations": ["Decrypt"]}),
        );
        assert_eq!(e.error_type, ErrorType::InvalidArn, "{region}");
    }
}

#[test]
fn revoke_grant_on_an_aws_managed_key_is_decided_by_its_key_policy() {
    // The AWS managed key policy allows kms:RevokeGrant to the account (services-wm.md): the
    // root user gets as far as the grant, which is not there.
    let mut kms = kms();
    let ebs = managed_key_id(&mut kms, "ebs");
    let grant_id = "0".repeat(64);
    let e = err(
        &mut kms,
        "RevokeGrant",
        json!({"KeyId": ebs, "GrantId": grant_id}),
    );
    assert_eq!(e.error_type, ErrorType::NotFound, "{e}");
    assert!(
        e.message
            .starts_with(&format!("Grant ID {grant_id} not found")),
        "{e}"
    );
    // Changes its key policy does not allow stay refused.
    let e = err(
        &mut kms,
        "CreateGrant",
        json!({"KeyId": ebs, "GranteePrincipal": "arn:aws:iam::111122223333:root",
            "Operations": ["Decrypt"]}),
    );
    assert_eq!(e.error_type, ErrorType::AccessDenied);
    let e = err(
        &mut kms,
        "TagResource",
        json!({"KeyId": ebs, "Tags": [{"TagKey": "a", "TagValue": "b"}]}),
    );
    assert_eq!(e.error_type, ErrorType::AccessDenied);
}

#[test]
fn grants_follow_key_type_state_and_manager() {
    let mut kms = kms();
    let user = &iam_user(&mut kms, "exampleUser");
    let (sym, _) = create(&mut kms, json!({}));
    let (ecc, ecc_arn) = create(
        &mut kms,
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    );
    // Operations the key type does not support, and constraints on an asymmetric key.
    let e = err(
        &mut kms,
        "CreateGrant",
        json!({"KeyId": sym, "GranteePrincipal": user, "Operations": ["Sign"]}),
    );
    assert_eq!(e.error_type, ErrorType::Validation);
    assert!(e.message.contains("[Sign]"), "{}", e.message);
    let e = err(
        &mut kms,
        "CreateGrant",
        json!({"KeyId": ecc, "GranteePrincipal": user, "Operations": ["GenerateDataKey"]}),
    );
    assert_eq!(e.error_type, ErrorType::Validation);
    ok(
        &mut kms,
        "CreateGrant",
        json!({"KeyId": ecc_arn, "GranteePrincipal": user, "Operations": ["Sign", "GetPublicKey"]}),
    );
    let e = err(
        &mut kms,
        "CreateGrant",
        json!({"KeyId": ecc, "GranteePrincipal": user, "Operations": ["Sign"], "Constraints": {"EncryptionContextEquals": {"a": "b"}}}),
    );
    assert_eq!(e.error_type, ErrorType::Validation);
    // Principals: exactly one of the ARN and the service principal; the model's pattern applies.
    let e = err(
        &mut kms,
        "CreateGrant",
        json!({"KeyId": sym, "Operations": ["Decrypt"]}),
    );
    assert_eq!(e.error_type, ErrorType::Validation);
    let e = err(
        &mut kms,
        "CreateGrant",
        json!({"KeyId": sym, "GranteePrincipal": user, "GranteeServicePrincipal": "ebs.amazonaws.com", "Operations": ["Decrypt"]}),
    );
    assert_eq!(e.error_type, ErrorType::Validation);
    let e = err(
        &mut kms,
        "CreateGrant",
        json!({"KeyId": sym, "GranteePrincipal": "not a principal!", "Operations": ["Decrypt"]}),
    );
    assert_eq!(e.error_type, ErrorType::Validation);
    let e = err(
        &mut kms,
        "CreateGrant",
        json!({"KeyId": sym, "GranteePrincipal": user, "Operations": ["Dance"]}),
    );
    assert_eq!(e.error_type, ErrorType::Validation);
    // An alias does not name a key for CreateGrant.
    ok(
        &mut kms,
        "CreateAlias",
        json!({"AliasName": "alias/g", "TargetKeyId": sym}),
    );
    let e = err(
        &mut kms,
        "CreateGrant",
        json!({"KeyId": "alias/g", "GranteePrincipal": user, "Operations": ["Decrypt"]}),
    );
    assert_eq!(e.error_type, ErrorType::InvalidArn);
    // Key states: a disabled key refuses new grants, and one pending deletion too.
    ok(&mut kms, "DisableKey", json!({"KeyId": sym}));
    let e = err(
        &mut kms,
        "CreateGrant",
        json!({"KeyId": sym, "GranteePrincipal": user, "Operations": ["Decrypt"]}),
    );
    assert_eq!(e.error_type, ErrorType::Disabled);
    ok(&mut kms, "ScheduleKeyDeletion", json!({"KeyId": ecc}));
    let e = err(
        &mut kms,
        "CreateGrant",
        json!({"KeyId": ecc, "GranteePrincipal": user, "Operations": ["Sign"]}),
    );
    assert_eq!(e.error_type, ErrorType::KmsInvalidState);
    assert_eq!(
        ok(&mut kms, "ListGrants", json!({"KeyId": ecc}))["Grants"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Deleting the key deletes its grants.
    kms.advance_days(31);
    let e = err(&mut kms, "ListGrants", json!({"KeyId": ecc}));
    assert_eq!(e.error_type, ErrorType::NotFound);
    // AWS managed keys: only their service may create grants.
    let ebs = managed_key_id(&mut kms, "ebs");
    let e = err(
        &mut kms,
        "CreateGrant",
        json!({"KeyId": ebs, "GranteePrincipal": user, "Operations": ["Decrypt"]}),
    );
    assert_eq!(e.error_type, ErrorType::AccessDenied);
    // DryRun checks everything, then creates nothing.
    ok(&mut kms, "EnableKey", json!({"KeyId": sym}));
    let e = err(
        &mut kms,
        "CreateGrant",
        json!({"KeyId": sym, "GranteePrincipal": user, "Operations": ["Decrypt"], "DryRun": true}),
    );
    assert_eq!(e.error_type, ErrorType::DryRunOperation);
    assert_eq!(
        ok(&mut kms, "ListGrants", json!({"KeyId": sym}))["Grants"],
        json!([])
    );
}

fn managed_key_id(kms: &mut Sandbox, service: &str) -> String {
    ok(
        kms,
        "DescribeKey",
        json!({"KeyId": format!("alias/aws/{service}")}),
    )["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn key_last_usage_reports_the_last_successful_cryptographic_use() {
    let mut kms = kms();
    let (id, arn) = create(&mut kms, json!({}));
    let created =
        ok(&mut kms, "DescribeKey", json!({"KeyId": id}))["KeyMetadata"]["CreationDate"].clone();
    let out = ok(&mut kms, "GetKeyLastUsage", json!({"KeyId": arn}));
    assert_eq!(
        out,
        json!({"KeyId": arn, "KeyLastUsage": {}, "TrackingStartDate": created, "KeyCreationDate": created})
    );
    assert_eq!(
        err(
            &mut kms,
            "GetKeyLastUsage",
            json!({"KeyId": "alias/aws/s3"})
        )
        .error_type,
        ErrorType::InvalidArn
    );

    // Management calls and failures are not uses; the last successful cryptographic call is.
    let blob = ok(
        &mut kms,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": "AAAA"}),
    )["CiphertextBlob"]
        .clone();
    kms.clock.set(kms.clock.now() + 60_000);
    ok(&mut kms, "Decrypt", json!({"CiphertextBlob": blob}));
    let decrypted_at = kms.clock.now();
    kms.clock.set(decrypted_at + 60_000);
    ok(&mut kms, "DescribeKey", json!({"KeyId": id}));
    err(
        &mut kms,
        "Sign",
        json!({"KeyId": id, "Message": "AAAA", "SigningAlgorithm": "ECDSA_SHA_256"}),
    );
    let out = ok(&mut kms, "GetKeyLastUsage", json!({"KeyId": id}));
    let last = &out["KeyLastUsage"];
    assert_eq!(last["Operation"], "Decrypt");
    assert_eq!(last["Timestamp"], json!(decrypted_at as f64 / 1000.0));
    let event = kms
        .trail
        .iter()
        .rev()
        .find(|e| e.event_name == "Decrypt")
        .unwrap();
    assert_eq!(last["CloudTrailEventId"], event.event_id.as_str());
    assert_eq!(last["KmsRequestId"].as_str().map(str::len), Some(36));

    // ReEncrypt uses both keys.
    let (other, _) = create(&mut kms, json!({}));
    ok(
        &mut kms,
        "ReEncrypt",
        json!({"CiphertextBlob": blob, "DestinationKeyId": other}),
    );
    for key in [&id, &other] {
        let out = ok(&mut kms, "GetKeyLastUsage", json!({"KeyId": key}));
        assert_eq!(out["KeyLastUsage"]["Operation"], "ReEncrypt");
    }
}

/// A record the shell loaded sealed (its material still wrapped: a big sandbox unwraps a key
/// when it is first used) answers what needs no material, and asks for the material instead of
/// running where it is needed, however the key is named.
#[test]
fn a_sealed_key_asks_for_its_material_before_any_use() {
    let mut kms = kms();
    let (id, _) = create(&mut kms, json!({}));
    let (signer, _) = create(
        &mut kms,
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    );
    ok(
        &mut kms,
        "CreateAlias",
        json!({"AliasName": "alias/sealed", "TargetKeyId": id}),
    );
    let blob = ok(
        &mut kms,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"secret")}),
    )["CiphertextBlob"]
        .clone();
    let region = kms.region.clone();
    let originals: Vec<kms_core::KeyRecord> = [&id, &signer]
        .iter()
        .map(|k| kms.engine.key_record(&region, k).unwrap().clone())
        .collect();
    for original in &originals {
        let mut sealed = original.clone();
        for b in &mut sealed.backing_keys {
            b.material = Default::default();
        }
        sealed.sealed = true;
        kms.engine.load(kms_core::Record::Key(sealed));
    }
    let storage_key = kms_core::key_storage_key(&region, &id);

    ok(&mut kms, "DescribeKey", json!({"KeyId": "alias/sealed"}));
    ok(&mut kms, "ListKeys", json!({"Limit": 1}));
    for (op, req) in [
        (
            "Encrypt",
            json!({"KeyId": "alias/sealed", "Plaintext": b64(b"x")}),
        ),
        ("Decrypt", json!({"CiphertextBlob": blob})),
        (
            "GenerateDataKey",
            json!({"KeyId": id, "KeySpec": "AES_256"}),
        ),
        (
            "ReEncrypt",
            json!({"CiphertextBlob": blob, "DestinationKeyId": id}),
        ),
    ] {
        let outcome = kms.outcome(op, req);
        assert!(outcome.result.is_err(), "{op} ran on a sealed key");
        assert_eq!(outcome.unseal, vec![storage_key.clone()], "{op}");
        assert!(outcome.changes.is_empty(), "{op}");
    }
    let outcome = kms.outcome(
        "Sign",
        json!({"KeyId": signer, "Message": b64(b"m"), "SigningAlgorithm": "ECDSA_SHA_256"}),
    );
    assert_eq!(
        outcome.unseal,
        vec![kms_core::key_storage_key(&region, &signer)]
    );
    // A change that needs no material is made on the sealed record; the shell fills its
    // material back in before it writes it.
    let outcome = kms.outcome(
        "TagResource",
        json!({"KeyId": id, "Tags": [{"TagKey": "t", "TagValue": "v"}]}),
    );
    assert!(outcome.unseal.is_empty() && outcome.result.is_ok());
    assert!(matches!(&outcome.changes[..], [kms_core::Change::PutKey(k)] if k.sealed));
    // Unsealed again, it works as before.
    for original in originals {
        kms.engine.load(kms_core::Record::Key(original));
    }
    let out = ok(&mut kms, "Decrypt", json!({"CiphertextBlob": blob}));
    assert_eq!(unb64(&out["Plaintext"]), b"secret");
}

#[test]
fn key_policies_over_the_quota_or_the_length_constraint_exceed_a_limit() {
    let mut kms = kms();
    let (id, _) = create(&mut kms, json!({}));
    let policy = |len: usize| {
        let mut p = kms_core::default_key_policy(kms_core::DEFAULT_REGION, "111122223333");
        let pad = len - p.len();
        p.insert_str(1, &" ".repeat(pad));
        p
    };
    // Over the 32 KB quota, and over the model's 131,072-character constraint: both are
    // LimitExceededException (the Policy member's documentation), not a validation error.
    for len in [32 * 1024 + 1, 140_000] {
        for (op, req) in [
            ("CreateKey", json!({"Policy": policy(len)})),
            ("PutKeyPolicy", json!({"KeyId": id, "Policy": policy(len)})),
        ] {
            let e = err(&mut kms, op, req);
            assert_eq!(e.error_type, ErrorType::LimitExceeded, "{op} {len}: {e}");
        }
    }
    ok(
        &mut kms,
        "PutKeyPolicy",
        json!({"KeyId": id, "Policy": policy(32 * 1024)}),
    );
}
