//! Every request the console sends, as the AWS JSON it is. Pure: the same value is sent by
//! [`super::Kms::send`] and shown in the CLI/SDK panels.

use kms_web::types::{
    DataKeySpec, EncryptionAlgorithm, ExpirationModel, KeyAgreementAlgorithm, KeySpec, KeyUsage,
    Origin, WrappingAlgorithm, WrappingKeySpec,
};
use serde_json::{json, Map, Value};

/// One KMS API request: the operation and its JSON body (AWS wire shape).
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub operation: &'static str,
    pub body: Value,
}

fn req(operation: &'static str, body: Value) -> Request {
    Request { operation, body }
}

/// Key/value rows of the encryption context editor, as the API's map (empty keys dropped).
pub fn context_map(rows: &[(String, String)]) -> Map<String, Value> {
    rows.iter()
        .filter(|(k, _)| !k.trim().is_empty())
        .map(|(k, v)| (k.trim().to_string(), Value::String(v.clone())))
        .collect()
}

fn with_context(mut body: Value, context: &[(String, String)]) -> Value {
    let map = context_map(context);
    if !map.is_empty() {
        body["EncryptionContext"] = Value::Object(map);
    }
    body
}

fn with_marker(mut body: Value, marker: Option<&str>) -> Value {
    if let Some(m) = marker {
        body["Marker"] = json!(m);
    }
    body
}

pub fn list_keys(marker: Option<&str>) -> Request {
    req("ListKeys", with_marker(json!({ "Limit": 1000 }), marker))
}

pub fn describe_key(key_id: &str) -> Request {
    req("DescribeKey", json!({ "KeyId": key_id }))
}

pub fn list_aliases(key_id: Option<&str>, marker: Option<&str>) -> Request {
    let mut body = with_marker(json!({ "Limit": 100 }), marker);
    if let Some(k) = key_id {
        body["KeyId"] = json!(k);
    }
    req("ListAliases", body)
}

/// The wizard's CreateKey: everything but the alias, which is a separate CreateAlias call.
pub fn create_key(
    key_spec: KeySpec,
    key_usage: KeyUsage,
    description: &str,
    policy: &str,
    tags: &[(String, String)],
    origin: Origin,
    multi_region: bool,
) -> Request {
    let mut body = json!({
        "KeySpec": key_spec.as_str(),
        "KeyUsage": key_usage.as_str(),
        "Origin": origin.as_str(),
        "MultiRegion": multi_region,
        "Policy": policy,
    });
    if !description.is_empty() {
        body["Description"] = json!(description);
    }
    if !tags.is_empty() {
        body["Tags"] = tags_json(tags);
    }
    req("CreateKey", body)
}

fn tags_json(tags: &[(String, String)]) -> Value {
    Value::Array(
        tags.iter()
            .map(|(k, v)| json!({ "TagKey": k, "TagValue": v }))
            .collect(),
    )
}

pub fn get_parameters_for_import(
    key_id: &str,
    wrapping_algorithm: WrappingAlgorithm,
    wrapping_key_spec: WrappingKeySpec,
) -> Request {
    req(
        "GetParametersForImport",
        json!({ "KeyId": key_id, "WrappingAlgorithm": wrapping_algorithm.as_str(), "WrappingKeySpec": wrapping_key_spec.as_str() }),
    )
}

/// ImportKeyMaterial; `valid_to` (epoch seconds) makes the material expire.
pub fn import_key_material(
    key_id: &str,
    import_token_b64: &str,
    encrypted_key_material_b64: &str,
    valid_to: Option<f64>,
) -> Request {
    let mut body = json!({
        "KeyId": key_id,
        "ImportToken": import_token_b64,
        "EncryptedKeyMaterial": encrypted_key_material_b64,
    });
    match valid_to {
        Some(t) => {
            body["ExpirationModel"] = json!(ExpirationModel::KeyMaterialExpires.as_str());
            body["ValidTo"] = json!(t);
        }
        None => body["ExpirationModel"] = json!(ExpirationModel::KeyMaterialDoesNotExpire.as_str()),
    }
    req("ImportKeyMaterial", body)
}

pub fn delete_imported_key_material(key_id: &str) -> Request {
    req("DeleteImportedKeyMaterial", json!({ "KeyId": key_id }))
}

pub fn replicate_key(key_id: &str, replica_region: &str, description: &str) -> Request {
    let mut body = json!({ "KeyId": key_id, "ReplicaRegion": replica_region });
    if !description.is_empty() {
        body["Description"] = json!(description);
    }
    req("ReplicateKey", body)
}

pub fn update_primary_region(key_id: &str, primary_region: &str) -> Request {
    req(
        "UpdatePrimaryRegion",
        json!({ "KeyId": key_id, "PrimaryRegion": primary_region }),
    )
}

pub fn create_alias(alias_name: &str, target_key_id: &str) -> Request {
    req(
        "CreateAlias",
        json!({ "AliasName": alias_name, "TargetKeyId": target_key_id }),
    )
}

pub fn delete_alias(alias_name: &str) -> Request {
    req("DeleteAlias", json!({ "AliasName": alias_name }))
}

pub fn update_key_description(key_id: &str, description: &str) -> Request {
    req(
        "UpdateKeyDescription",
        json!({ "KeyId": key_id, "Description": description }),
    )
}

pub fn enable_key(key_id: &str) -> Request {
    req("EnableKey", json!({ "KeyId": key_id }))
}

pub fn disable_key(key_id: &str) -> Request {
    req("DisableKey", json!({ "KeyId": key_id }))
}

pub fn schedule_key_deletion(key_id: &str, days: u32) -> Request {
    req(
        "ScheduleKeyDeletion",
        json!({ "KeyId": key_id, "PendingWindowInDays": days }),
    )
}

pub fn cancel_key_deletion(key_id: &str) -> Request {
    req("CancelKeyDeletion", json!({ "KeyId": key_id }))
}

pub fn get_key_policy(key_id: &str) -> Request {
    req(
        "GetKeyPolicy",
        json!({ "KeyId": key_id, "PolicyName": "default" }),
    )
}

pub fn put_key_policy(key_id: &str, policy: &str) -> Request {
    req(
        "PutKeyPolicy",
        json!({ "KeyId": key_id, "PolicyName": "default", "Policy": policy }),
    )
}

pub fn list_resource_tags(key_id: &str) -> Request {
    req("ListResourceTags", json!({ "KeyId": key_id, "Limit": 50 }))
}

pub fn tag_resource(key_id: &str, tags: &[(String, String)]) -> Request {
    req(
        "TagResource",
        json!({ "KeyId": key_id, "Tags": tags_json(tags) }),
    )
}

pub fn untag_resource(key_id: &str, tag_keys: &[String]) -> Request {
    req(
        "UntagResource",
        json!({ "KeyId": key_id, "TagKeys": tag_keys }),
    )
}

pub fn get_key_rotation_status(key_id: &str) -> Request {
    req("GetKeyRotationStatus", json!({ "KeyId": key_id }))
}

pub fn enable_key_rotation(key_id: &str, period_days: u32) -> Request {
    req(
        "EnableKeyRotation",
        json!({ "KeyId": key_id, "RotationPeriodInDays": period_days }),
    )
}

pub fn disable_key_rotation(key_id: &str) -> Request {
    req("DisableKeyRotation", json!({ "KeyId": key_id }))
}

pub fn rotate_key_on_demand(key_id: &str) -> Request {
    req("RotateKeyOnDemand", json!({ "KeyId": key_id }))
}

pub fn list_key_rotations(key_id: &str) -> Request {
    req(
        "ListKeyRotations",
        json!({ "KeyId": key_id, "Limit": 1000 }),
    )
}

pub fn get_public_key(key_id: &str) -> Request {
    req("GetPublicKey", json!({ "KeyId": key_id }))
}

pub fn encrypt(
    key_id: &str,
    plaintext_b64: &str,
    algorithm: &str,
    context: &[(String, String)],
) -> Request {
    let mut body = with_context(
        json!({ "KeyId": key_id, "Plaintext": plaintext_b64 }),
        context,
    );
    // SYMMETRIC_DEFAULT is the API's default: left out, as the AWS console leaves it out.
    if algorithm != EncryptionAlgorithm::SymmetricDefault.as_str() {
        body["EncryptionAlgorithm"] = json!(algorithm);
    }
    req("Encrypt", body)
}

/// Decrypt names the key only when the user chose one: symmetric ciphertexts carry their key.
pub fn decrypt(
    ciphertext_b64: &str,
    key_id: Option<&str>,
    algorithm: &str,
    context: &[(String, String)],
) -> Request {
    let mut body = with_context(json!({ "CiphertextBlob": ciphertext_b64 }), context);
    if let Some(k) = key_id {
        body["KeyId"] = json!(k);
    }
    if algorithm != EncryptionAlgorithm::SymmetricDefault.as_str() {
        body["EncryptionAlgorithm"] = json!(algorithm);
    }
    req("Decrypt", body)
}

pub fn generate_data_key(key_id: &str, context: &[(String, String)]) -> Request {
    req(
        "GenerateDataKey",
        with_context(
            json!({ "KeyId": key_id, "KeySpec": DataKeySpec::Aes256.as_str() }),
            context,
        ),
    )
}

/// Sign of a message (`RAW`) or of a digest or ML-DSA μ the caller computed (`DIGEST`,
/// `EXTERNAL_MU`).
pub fn sign(key_id: &str, message_b64: &str, message_type: &str, algorithm: &str) -> Request {
    req(
        "Sign",
        json!({ "KeyId": key_id, "Message": message_b64, "MessageType": message_type, "SigningAlgorithm": algorithm }),
    )
}

pub fn verify(
    key_id: &str,
    message_b64: &str,
    message_type: &str,
    signature_b64: &str,
    algorithm: &str,
) -> Request {
    req(
        "Verify",
        json!({
            "KeyId": key_id, "Message": message_b64, "MessageType": message_type,
            "Signature": signature_b64, "SigningAlgorithm": algorithm
        }),
    )
}

/// ECDH (or SM2's key agreement) between the KMS key and a peer's public key (base64 DER
/// SubjectPublicKeyInfo).
pub fn derive_shared_secret(key_id: &str, peer_public_key_b64: &str) -> Request {
    req(
        "DeriveSharedSecret",
        json!({
            "KeyId": key_id,
            "KeyAgreementAlgorithm": KeyAgreementAlgorithm::Ecdh.as_str(),
            "PublicKey": peer_public_key_b64,
        }),
    )
}

pub fn encapsulate(key_id: &str) -> Request {
    req(
        "Encapsulate",
        json!({ "KeyId": key_id, "EncapsulationAlgorithm": "ML_KEM" }),
    )
}

pub fn decapsulate(key_id: &str, ciphertext_b64: &str) -> Request {
    req(
        "Decapsulate",
        json!({ "KeyId": key_id, "SharedSecretCiphertextBlob": ciphertext_b64, "EncapsulationAlgorithm": "ML_KEM" }),
    )
}

pub fn generate_mac(key_id: &str, message_b64: &str, algorithm: &str) -> Request {
    req(
        "GenerateMac",
        json!({ "KeyId": key_id, "Message": message_b64, "MacAlgorithm": algorithm }),
    )
}

pub fn verify_mac(key_id: &str, message_b64: &str, mac_b64: &str, algorithm: &str) -> Request {
    req(
        "VerifyMac",
        json!({ "KeyId": key_id, "Message": message_b64, "Mac": mac_b64, "MacAlgorithm": algorithm }),
    )
}

pub fn generate_random(bytes: u32) -> Request {
    req("GenerateRandom", json!({ "NumberOfBytes": bytes }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_rows_become_a_map_without_blank_keys() {
        let rows = vec![
            ("purpose".to_string(), "test".to_string()),
            (" ".to_string(), "x".to_string()),
        ];
        let r = encrypt("k", "aGk=", "SYMMETRIC_DEFAULT", &rows);
        assert_eq!(r.body["EncryptionContext"], json!({ "purpose": "test" }));
        assert!(r.body.get("EncryptionAlgorithm").is_none());
        let r = encrypt("k", "aGk=", "RSAES_OAEP_SHA_256", &[]);
        assert!(r.body.get("EncryptionContext").is_none());
        assert_eq!(r.body["EncryptionAlgorithm"], "RSAES_OAEP_SHA_256");
    }

    #[test]
    fn create_key_leaves_out_empty_optionals() {
        let r = create_key(
            KeySpec::SymmetricDefault,
            KeyUsage::EncryptDecrypt,
            "",
            "{}",
            &[],
            Origin::AwsKms,
            false,
        );
        // The typed members go out under their AWS names.
        assert_eq!(
            (&r.body["KeySpec"], &r.body["KeyUsage"]),
            (&json!("SYMMETRIC_DEFAULT"), &json!("ENCRYPT_DECRYPT"))
        );
        assert_eq!(r.operation, "CreateKey");
        assert_eq!(r.body["Origin"], "AWS_KMS");
        assert!(r.body.get("Description").is_none() && r.body.get("Tags").is_none());
        let r = create_key(
            KeySpec::Hmac256,
            KeyUsage::GenerateVerifyMac,
            "d",
            "{}",
            &[("a".into(), "b".into())],
            Origin::External,
            true,
        );
        assert_eq!(r.body["KeySpec"], "HMAC_256");
        assert_eq!(
            (&r.body["Origin"], &r.body["MultiRegion"]),
            (&json!("EXTERNAL"), &json!(true))
        );
        assert_eq!(r.body["Tags"], json!([{ "TagKey": "a", "TagValue": "b" }]));
    }

    #[test]
    fn import_and_multi_region_requests() {
        let r = import_key_material("k", "t", "m", None);
        assert_eq!(r.body["ExpirationModel"], "KEY_MATERIAL_DOES_NOT_EXPIRE");
        assert!(r.body.get("ValidTo").is_none());
        let r = import_key_material("k", "t", "m", Some(1.8e9));
        assert_eq!(r.body["ExpirationModel"], "KEY_MATERIAL_EXPIRES");
        assert_eq!(r.body["ValidTo"], json!(1.8e9));
        assert!(replicate_key("k", "eu-west-1", "")
            .body
            .get("Description")
            .is_none());
        assert_eq!(
            update_primary_region("k", "eu-west-1").body["PrimaryRegion"],
            "eu-west-1"
        );
        let r = get_parameters_for_import(
            "k",
            WrappingAlgorithm::RsaesOaepSha256,
            WrappingKeySpec::Rsa2048,
        );
        assert_eq!(r.operation, "GetParametersForImport");
        assert_eq!(
            r.body,
            json!({ "KeyId": "k", "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048" })
        );
    }
}
