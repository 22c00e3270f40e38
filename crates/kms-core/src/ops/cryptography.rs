//! Cryptographic operations: Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext),
//! GenerateDataKeyPair(WithoutPlaintext), GenerateRandom, Sign, Verify, GetPublicKey,
//! GenerateMac, VerifyMac, DeriveSharedSecret, Encapsulate, Decapsulate.

use super::{dry_run, require_enabled, require_usage, resolve, Naming};
use crate::ciphertext;
use crate::crypto::{self, Message, OaepHash};
use crate::error::{ErrorType, KmsError, Result};
use crate::platform::{self, Delegated, Work};
use crate::records::KeyRecord;
use crate::spec::{
    DataKeySpec, EncapsulationAlgorithm, EncryptionAlgorithm, KeyAgreementAlgorithm, KeySpec,
    KeyUsage, MacAlgorithm, MessageType, SigningAlgorithm,
};
use crate::tx::{b64, Req, Tx};
use crate::Secret;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

fn invalid_ciphertext() -> KmsError {
    // AWS says nothing more: detail here would be an oracle.
    KmsError::invalid_ciphertext("")
}

fn encryption_algorithm(key: &KeyRecord, requested: Option<&str>) -> Result<EncryptionAlgorithm> {
    let alg = requested
        .and_then(EncryptionAlgorithm::parse)
        .unwrap_or(EncryptionAlgorithm::SymmetricDefault);
    let valid = key.key_spec.encryption_algorithms(key.key_usage);
    if !valid.contains(&alg) {
        // AWS's words, as for Sign and GenerateMac (an SDK's report of an RSA key given
        // SYMMETRIC_DEFAULT: "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_4096.").
        return Err(KmsError::invalid_key_usage(format!(
            "Algorithm {alg} is incompatible with key spec {}.",
            key.key_spec
        )));
    }
    Ok(alg)
}

fn oaep_hash(alg: EncryptionAlgorithm) -> OaepHash {
    match alg {
        EncryptionAlgorithm::RsaesOaepSha1 => OaepHash::Sha1,
        _ => OaepHash::Sha256,
    }
}

/// Encrypts under the key's current material; `alg` has been checked against the key.
fn encrypt_with(
    tx: &mut Tx<'_>,
    key: &KeyRecord,
    alg: EncryptionAlgorithm,
    plaintext: &[u8],
    context: &BTreeMap<String, String>,
) -> Result<Vec<u8>> {
    tx.unsealed(key)?;
    if alg == EncryptionAlgorithm::SymmetricDefault {
        let mut nonce = [0u8; 12];
        tx.rng.fill(&mut nonce);
        return Ok(ciphertext::seal(
            &key.key_id,
            &key.arn,
            key.current(),
            context,
            nonce,
            plaintext,
        ));
    }
    check_asymmetric_input(key, alg, plaintext.len(), context)?;
    if alg == EncryptionAlgorithm::Sm2Pke {
        return crypto::sm2_encrypt(key.current().material.expose(), plaintext, tx.rng)
            .map_err(|_| KmsError::internal("SM2 encryption failed."));
    }
    crypto::rsa_oaep_encrypt(
        key.current().material.expose(),
        oaep_hash(alg),
        plaintext,
        tx.rng,
    )
    .map_err(|_| KmsError::internal("RSA encryption failed."))
}

/// What asymmetric encryption refuses before it starts (checked before a DryRun answers too).
fn check_asymmetric_input(
    key: &KeyRecord,
    alg: EncryptionAlgorithm,
    plaintext_len: usize,
    context: &BTreeMap<String, String>,
) -> Result<()> {
    if alg == EncryptionAlgorithm::SymmetricDefault {
        return Ok(());
    }
    if !context.is_empty() {
        return Err(KmsError::validation(
            "EncryptionContext is not supported with asymmetric KMS keys.",
        ));
    }
    if alg == EncryptionAlgorithm::Sm2Pke {
        if plaintext_len > crypto::SM2PKE_MAX_PLAINTEXT {
            return Err(KmsError::validation(format!(
                "Algorithm {alg} and key spec {} cannot encrypt data larger than {} bytes.",
                key.key_spec,
                crypto::SM2PKE_MAX_PLAINTEXT
            )));
        }
        return Ok(());
    }
    let bits = key.key_spec.rsa_bits().unwrap_or(2048);
    let max = crypto::rsa_oaep_max_plaintext(bits, oaep_hash(alg));
    if plaintext_len > max {
        return Err(KmsError::validation(format!(
            "Algorithm {alg} and key spec {} cannot encrypt data larger than {max} bytes.",
            key.key_spec
        )));
    }
    Ok(())
}

struct Decrypted {
    key: KeyRecord,
    plaintext: Secret,
    alg: EncryptionAlgorithm,
    backing_key_id: Option<String>,
}

/// `defer`: an asymmetric decryption may be left to the platform ([`crate::platform`]); the
/// plaintext is then empty and `tx.delegated` says what to do.
fn decrypt_blob(
    tx: &mut Tx<'_>,
    key_id: Option<&str>,
    blob: &[u8],
    context: &BTreeMap<String, String>,
    alg: Option<&str>,
    defer: bool,
) -> Result<Decrypted> {
    let alg = alg
        .and_then(EncryptionAlgorithm::parse)
        .unwrap_or(EncryptionAlgorithm::SymmetricDefault);
    if alg == EncryptionAlgorithm::SymmetricDefault {
        let parsed = ciphertext::parse(blob).ok_or_else(invalid_ciphertext)?;
        let key = tx
            .key(&parsed.key_id)
            .cloned()
            .ok_or_else(invalid_ciphertext)?;
        if let Some(named) = key_id {
            if resolve(tx, named, Naming::KeyOrAlias)?.key_id != key.key_id {
                return Err(KmsError::incorrect_key(
                    "The key ID in the request does not identify a CMK that can perform this operation.",
                ));
            }
        }
        require_enabled(&key)?;
        let backing = key
            .backing_key(&parsed.backing_key_id)
            .ok_or_else(invalid_ciphertext)?;
        tx.unsealed(&key)?;
        let plaintext = parsed
            .open(&key.arn, backing, context)
            .ok_or_else(invalid_ciphertext)?;
        let backing_key_id = Some(backing.id.clone());
        return Ok(Decrypted {
            key,
            plaintext,
            alg,
            backing_key_id,
        });
    }
    let Some(named) = key_id else {
        return Err(KmsError::validation(format!(
            "KeyId is required to decrypt with {alg}: asymmetric ciphertexts do not name their key."
        )));
    };
    let key = resolve(tx, named, Naming::KeyOrAlias)?;
    require_usage(&key, KeyUsage::EncryptDecrypt, "Decrypt")?;
    require_enabled(&key)?;
    encryption_algorithm(&key, Some(alg.as_str()))?;
    if !context.is_empty() {
        return Err(KmsError::validation(
            "EncryptionContext is not supported with asymmetric KMS keys.",
        ));
    }
    tx.unsealed(&key)?;
    if defer && tx.engine.platform_crypto() && platform::decrypts(alg) {
        tx.delegated = Some(delegate(
            &key,
            Work::Decrypt {
                algorithm: alg,
                ciphertext: blob.to_vec(),
            },
            "Plaintext",
            invalid_ciphertext(),
        ));
        return Ok(Decrypted {
            key,
            plaintext: Secret::default(),
            alg,
            backing_key_id: None,
        });
    }
    let material = key.current().material.expose();
    let plaintext = if alg == EncryptionAlgorithm::Sm2Pke {
        crypto::sm2_decrypt(material, blob)
    } else {
        crypto::rsa_oaep_decrypt(material, oaep_hash(alg), blob, tx.rng)
    }
    .map_err(|_| invalid_ciphertext())?;
    Ok(Decrypted {
        key,
        plaintext,
        alg,
        backing_key_id: None,
    })
}

pub(crate) fn encrypt(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    // Usage, then state, then algorithm: AWS's order (a disabled signing key is refused for its
    // usage).
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOrAlias)?;
    require_usage(&key, KeyUsage::EncryptDecrypt, "Encrypt")?;
    require_enabled(&key)?;
    let alg = encryption_algorithm(&key, req.str("EncryptionAlgorithm"))?;
    let plaintext = Secret::new(req.blob("Plaintext").unwrap_or_default());
    let context = req.string_map("EncryptionContext");
    check_asymmetric_input(&key, alg, plaintext.len(), &context)?;
    dry_run(req)?;
    let blob = encrypt_with(tx, &key, alg, plaintext.expose(), &context)?;
    Ok(json!({ "CiphertextBlob": b64(&blob), "KeyId": key.arn, "EncryptionAlgorithm": alg }))
}

/// A dry run whose DryRunModifiers hold IGNORE_CIPHERTEXT: "KMS performs only authorization
/// validation without ciphertext validation", and CiphertextBlob may be left out (the model).
fn ignores_ciphertext(req: &Req<'_>) -> bool {
    req.bool("DryRun")
        && req
            .list("DryRunModifiers")
            .iter()
            .any(|m| m.as_str() == Some("IGNORE_CIPHERTEXT"))
}

/// The key such a dry run decrypts with, checked as a decryption would check it: the key named,
/// else the one a symmetric ciphertext's header names (the ciphertext itself is not opened).
fn dry_run_decrypting_key(
    tx: &Tx<'_>,
    req: &Req<'_>,
    named: Option<&str>,
    member: &str,
    alg: Option<&str>,
    operation: &str,
) -> Result<KeyRecord> {
    let key = match named {
        Some(id) => resolve(tx, id, Naming::KeyOrAlias)?,
        None => req
            .blob("CiphertextBlob")
            .and_then(|b| ciphertext::parse(&b).map(|p| p.key_id))
            .and_then(|id| tx.key(&id).cloned())
            .ok_or_else(|| {
                KmsError::validation(format!(
                    "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
                ))
            })?,
    };
    require_usage(&key, KeyUsage::EncryptDecrypt, operation)?;
    require_enabled(&key)?;
    encryption_algorithm(&key, alg)?;
    Ok(key)
}

pub(crate) fn decrypt(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    if ignores_ciphertext(req) {
        dry_run_decrypting_key(
            tx,
            req,
            req.str("KeyId"),
            "keyId",
            req.str("EncryptionAlgorithm"),
            "Decrypt",
        )?;
        return dry_run(req).map(|()| json!({}));
    }
    let Some(blob) = req.blob("CiphertextBlob") else {
        return Err(KmsError::validation(
            "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null",
        ));
    };
    // A dry run validates the ciphertext too (only IGNORE_CIPHERTEXT leaves it out): here, not
    // by the platform's crypto after the answer.
    let d = decrypt_blob(
        tx,
        req.str("KeyId"),
        &blob,
        &req.string_map("EncryptionContext"),
        req.str("EncryptionAlgorithm"),
        !req.bool("DryRun"),
    )?;
    dry_run(req)?;
    let mut out = Map::new();
    out.insert("KeyId".into(), json!(d.key.arn));
    if tx.delegated.is_none() {
        out.insert("Plaintext".into(), b64(d.plaintext.expose()));
    }
    out.insert("EncryptionAlgorithm".into(), json!(d.alg));
    if let Some(id) = d.backing_key_id {
        out.insert("KeyMaterialId".into(), json!(id));
    }
    Ok(Value::Object(out))
}

/// ReEncrypt's destination key, checked for the encryption, and its algorithm.
fn re_encrypt_destination(tx: &Tx<'_>, req: &Req<'_>) -> Result<(KeyRecord, EncryptionAlgorithm)> {
    let dest = resolve(tx, req.req_str("DestinationKeyId"), Naming::KeyOrAlias)?;
    require_usage(&dest, KeyUsage::EncryptDecrypt, "ReEncrypt")?;
    require_enabled(&dest)?;
    let alg = encryption_algorithm(&dest, req.str("DestinationEncryptionAlgorithm"))?;
    Ok((dest, alg))
}

pub(crate) fn re_encrypt(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    if ignores_ciphertext(req) {
        dry_run_decrypting_key(
            tx,
            req,
            req.str("SourceKeyId"),
            "sourceKeyId",
            req.str("SourceEncryptionAlgorithm"),
            "ReEncrypt",
        )?;
        re_encrypt_destination(tx, req)?;
        return dry_run(req).map(|()| json!({}));
    }
    let Some(blob) = req.blob("CiphertextBlob") else {
        return Err(KmsError::validation(
            "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null",
        ));
    };
    let source = decrypt_blob(
        tx,
        req.str("SourceKeyId"),
        &blob,
        &req.string_map("SourceEncryptionContext"),
        req.str("SourceEncryptionAlgorithm"),
        false,
    )?;
    let (dest, dest_alg) = re_encrypt_destination(tx, req)?;
    check_asymmetric_input(
        &dest,
        dest_alg,
        source.plaintext.len(),
        &req.string_map("DestinationEncryptionContext"),
    )?;
    dry_run(req)?;
    let out_blob = encrypt_with(
        tx,
        &dest,
        dest_alg,
        source.plaintext.expose(),
        &req.string_map("DestinationEncryptionContext"),
    )?;
    let mut out = Map::new();
    out.insert("CiphertextBlob".into(), b64(&out_blob));
    out.insert("SourceKeyId".into(), json!(source.key.arn));
    out.insert("KeyId".into(), json!(dest.arn));
    out.insert("SourceEncryptionAlgorithm".into(), json!(source.alg));
    out.insert("DestinationEncryptionAlgorithm".into(), json!(dest_alg));
    if let Some(id) = source.backing_key_id {
        out.insert("SourceKeyMaterialId".into(), json!(id));
    }
    if dest_alg == EncryptionAlgorithm::SymmetricDefault {
        out.insert("DestinationKeyMaterialId".into(), json!(dest.current().id));
    }
    Ok(Value::Object(out))
}

/// The key GenerateDataKey* operations take: a symmetric encryption key.
fn data_key_parent(tx: &Tx<'_>, req: &Req<'_>, operation: &str) -> Result<KeyRecord> {
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOrAlias)?;
    require_usage(&key, KeyUsage::EncryptDecrypt, operation)?;
    require_enabled(&key)?;
    if key.key_spec != KeySpec::SymmetricDefault {
        // AWS's words for GenerateDataKey(WithoutPlaintext) (SDK stack traces, Secrets Manager's
        // troubleshooting guide).
        if matches!(
            operation,
            "GenerateDataKey" | "GenerateDataKeyWithoutPlaintext"
        ) {
            return Err(KmsError::invalid_key_usage(
                "You cannot generate a data key with an asymmetric CMK",
            ));
        }
        return Err(KmsError::invalid_key_usage(format!(
            "{} key spec is {} which is not valid for {operation}.",
            key.arn, key.key_spec
        )));
    }
    Ok(key)
}

pub(crate) fn generate_data_key(
    tx: &mut Tx<'_>,
    req: &Req<'_>,
    with_plaintext: bool,
) -> Result<Value> {
    let operation = if with_plaintext {
        "GenerateDataKey"
    } else {
        "GenerateDataKeyWithoutPlaintext"
    };
    // Checked before the key is looked up.
    let len = match (
        req.str("KeySpec").map(DataKeySpec::parse),
        req.int("NumberOfBytes"),
    ) {
        (Some(Some(DataKeySpec::Aes256)), None) => 32,
        (Some(Some(DataKeySpec::Aes128)), None) => 16,
        (None, Some(n)) => n as usize,
        _ => {
            return Err(KmsError::validation(
                "Please specify either number of bytes or key spec.",
            ))
        }
    };
    let key = data_key_parent(tx, req, operation)?;
    dry_run(req)?;
    let data_key = Secret::new(tx.random(len));
    let blob = encrypt_with(
        tx,
        &key,
        EncryptionAlgorithm::SymmetricDefault,
        data_key.expose(),
        &req.string_map("EncryptionContext"),
    )?;
    let mut out = Map::new();
    out.insert("CiphertextBlob".into(), b64(&blob));
    if with_plaintext {
        out.insert("Plaintext".into(), b64(data_key.expose()));
    }
    out.insert("KeyId".into(), json!(key.arn));
    out.insert("KeyMaterialId".into(), json!(key.current().id));
    Ok(Value::Object(out))
}

pub(crate) fn generate_data_key_pair(
    tx: &mut Tx<'_>,
    req: &Req<'_>,
    with_plaintext: bool,
) -> Result<Value> {
    let operation = if with_plaintext {
        "GenerateDataKeyPair"
    } else {
        "GenerateDataKeyPairWithoutPlaintext"
    };
    let key = data_key_parent(tx, req, operation)?;
    // The model's DataKeyPairSpec enum has been checked: every value is a KeySpec.
    let spec_name = req.req_str("KeyPairSpec");
    let spec = KeySpec::parse(spec_name)
        .ok_or_else(|| KmsError::validation(format!("KeyPairSpec {spec_name} is not valid.")))?;
    super::keys::require_offered(tx, spec, "KeyPairSpec")?;
    dry_run(req)?;
    let private = super::keys::new_material(tx, spec)?;
    let public = crypto::public_key_der(private.expose())
        .map_err(|_| KmsError::internal("Key generation failed."))?;
    let blob = encrypt_with(
        tx,
        &key,
        EncryptionAlgorithm::SymmetricDefault,
        private.expose(),
        &req.string_map("EncryptionContext"),
    )?;
    let mut out = Map::new();
    out.insert("PrivateKeyCiphertextBlob".into(), b64(&blob));
    if with_plaintext {
        out.insert("PrivateKeyPlaintext".into(), b64(private.expose()));
    }
    out.insert("PublicKey".into(), b64(&public));
    out.insert("KeyId".into(), json!(key.arn));
    out.insert("KeyPairSpec".into(), json!(spec));
    out.insert("KeyMaterialId".into(), json!(key.current().id));
    Ok(Value::Object(out))
}

pub(crate) fn generate_random(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    if let Some(store) = req.str("CustomKeyStoreId") {
        return Err(KmsError::new(
            ErrorType::CustomKeyStoreNotFound,
            format!("Custom key store {store} does not exist."),
        ));
    }
    let Some(n) = req.int("NumberOfBytes") else {
        return Err(KmsError::validation("NumberOfBytes is required."));
    };
    let bytes = Secret::new(tx.random(n as usize));
    Ok(json!({ "Plaintext": b64(bytes.expose()) }))
}

/// Checks a Sign/Verify request against the key and returns the algorithm and message.
fn signing_input<'m>(
    key: &KeyRecord,
    req: &Req<'_>,
    message: &'m [u8],
    operation: &str,
) -> Result<(SigningAlgorithm, Message<'m>)> {
    require_usage(key, KeyUsage::SignVerify, operation)?;
    require_enabled(key)?;
    let alg_name = req.req_str("SigningAlgorithm");
    let alg = SigningAlgorithm::parse(alg_name)
        .filter(|a| key.key_spec.signing_algorithms(key.key_usage).contains(a))
        .ok_or_else(|| {
            KmsError::invalid_key_usage(format!(
                "Algorithm {alg_name} is incompatible with key spec {}.",
                key.key_spec
            ))
        })?;
    let message_type = req
        .str("MessageType")
        .and_then(MessageType::parse)
        .unwrap_or(MessageType::Raw);
    // Sign's MessageType documentation: EXTERNAL_MU is ML-DSA's alone and always 64 bytes;
    // ED25519_SHA_512 takes only RAW and ED25519_PH_SHA_512 only DIGEST; a DIGEST has the length
    // of the algorithm's hash (ML-DSA has none, so takes no DIGEST).
    let incompatible = || {
        KmsError::validation(format!(
            "Message type {message_type} is incompatible with key spec {} and signing algorithm {alg}.",
            key.key_spec
        ))
    };
    if !alg.message_types().contains(&message_type) {
        // Ed25519's and ML-DSA's refusals name only the algorithm, or only the key spec.
        return Err(match (message_type, alg) {
            (MessageType::Digest, SigningAlgorithm::MlDsaShake256) => {
                KmsError::validation(format!(
                    "Message type {message_type} is incompatible with key spec {}.",
                    key.key_spec
                ))
            }
            (MessageType::Digest, SigningAlgorithm::Ed25519Sha512)
            | (MessageType::Raw, SigningAlgorithm::Ed25519PhSha512) => KmsError::validation(
                format!("Message type {message_type} is incompatible with algorithm {alg}."),
            ),
            _ => incompatible(),
        });
    }
    let message = match message_type {
        MessageType::Raw => Message::Raw(message),
        MessageType::Digest => {
            let Some(len) = alg.digest_len() else {
                return Err(incompatible());
            };
            if message.len() != len {
                return Err(KmsError::validation(format!(
                    "Digest is invalid length for algorithm {alg}."
                )));
            }
            Message::Digest(message)
        }
        MessageType::ExternalMu => {
            if message.len() != 64 {
                return Err(KmsError::validation(format!(
                    "The message for MessageType EXTERNAL_MU must be 64 bytes, not {}.",
                    message.len()
                )));
            }
            Message::ExternalMu(message)
        }
    };
    Ok((alg, message))
}

/// `work` on the key's current material, for the platform ([`crate::platform`]).
fn delegate(key: &KeyRecord, work: Work, member: &'static str, on_failure: KmsError) -> Delegated {
    Delegated {
        region: key.region.clone(),
        key_id: key.key_id.clone(),
        backing_key_id: key.current().id.clone(),
        key_spec: key.key_spec,
        work,
        member,
        on_failure,
    }
}

pub(crate) fn sign(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOrAlias)?;
    let message = req.blob("Message").unwrap_or_default();
    let (alg, msg) = signing_input(&key, req, &message, "Sign")?;
    dry_run(req)?;
    tx.unsealed(&key)?;
    if tx.engine.platform_crypto()
        && matches!(msg, Message::Raw(_))
        && platform::signs(key.key_spec, alg)
    {
        tx.delegated = Some(delegate(
            &key,
            Work::Sign {
                algorithm: alg,
                message: message.clone(),
            },
            "Signature",
            KmsError::internal("Signing failed."),
        ));
        return Ok(json!({ "KeyId": key.arn, "SigningAlgorithm": alg }));
    }
    let signature = crypto::sign(key.current().material.expose(), alg, msg, tx.rng)
        .map_err(|_| KmsError::internal("Signing failed."))?;
    Ok(json!({ "KeyId": key.arn, "Signature": b64(&signature), "SigningAlgorithm": alg }))
}

pub(crate) fn verify(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOrAlias)?;
    let message = req.blob("Message").unwrap_or_default();
    let signature = req.blob("Signature").unwrap_or_default();
    let (alg, msg) = signing_input(&key, req, &message, "Verify")?;
    dry_run(req)?;
    tx.unsealed(&key)?;
    let valid = crypto::verify(key.current().material.expose(), alg, msg, &signature)
        .map_err(|_| KmsError::internal("Verification failed."))?;
    if !valid {
        return Err(KmsError::new(ErrorType::KmsInvalidSignature, ""));
    }
    Ok(json!({ "KeyId": key.arn, "SignatureValid": true, "SigningAlgorithm": alg }))
}

pub(crate) fn get_public_key(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOrAlias)?;
    require_enabled(&key)?;
    if !key.key_spec.is_asymmetric() {
        return Err(KmsError::unsupported(format!(
            "{} key spec is {} which is not valid for GetPublicKey: only asymmetric KMS keys have a public key.",
            key.arn, key.key_spec
        )));
    }
    tx.unsealed(&key)?;
    let public = crypto::public_key_der(key.current().material.expose())
        .map_err(|_| KmsError::internal("The public key could not be derived."))?;
    let mut out = Map::new();
    out.insert("KeyId".into(), json!(key.arn));
    out.insert("PublicKey".into(), b64(&public));
    // The deprecated field exists only for the specs its enum has (not ML-DSA, ML-KEM, Ed25519).
    if super::has_customer_master_key_spec(key.key_spec) {
        out.insert("CustomerMasterKeySpec".into(), json!(key.key_spec));
    }
    out.insert("KeySpec".into(), json!(key.key_spec));
    out.insert("KeyUsage".into(), json!(key.key_usage));
    super::insert_algorithms(&mut out, &key);
    Ok(Value::Object(out))
}

fn mac_input(tx: &Tx<'_>, req: &Req<'_>, operation: &str) -> Result<(KeyRecord, MacAlgorithm)> {
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOrAlias)?;
    require_usage(&key, KeyUsage::GenerateVerifyMac, operation)?;
    require_enabled(&key)?;
    let alg_name = req.req_str("MacAlgorithm");
    let alg = MacAlgorithm::parse(alg_name)
        .filter(|a| key.key_spec.mac_algorithm() == Some(*a))
        .ok_or_else(|| {
            KmsError::invalid_key_usage(format!(
                "Algorithm {alg_name} is incompatible with key spec {}.",
                key.key_spec
            ))
        })?;
    Ok((key, alg))
}

pub(crate) fn generate_mac(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let (key, alg) = mac_input(tx, req, "GenerateMac")?;
    dry_run(req)?;
    tx.unsealed(&key)?;
    let mac = crypto::hmac(
        alg,
        key.current().material.expose(),
        &req.blob("Message").unwrap_or_default(),
    );
    Ok(json!({ "Mac": b64(&mac), "MacAlgorithm": alg, "KeyId": key.arn }))
}

pub(crate) fn verify_mac(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let (key, alg) = mac_input(tx, req, "VerifyMac")?;
    dry_run(req)?;
    let message = req.blob("Message").unwrap_or_default();
    let mac = req.blob("Mac").unwrap_or_default();
    tx.unsealed(&key)?;
    if !crypto::hmac_verify(alg, key.current().material.expose(), &message, &mac) {
        return Err(KmsError::new(ErrorType::KmsInvalidMac, ""));
    }
    Ok(json!({ "KeyId": key.arn, "MacValid": true, "MacAlgorithm": alg }))
}

pub(crate) fn derive_shared_secret(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOrAlias)?;
    require_usage(&key, KeyUsage::KeyAgreement, "DeriveSharedSecret")?;
    require_enabled(&key)?;
    // The model's enum has only ECDH, and every KEY_AGREEMENT key takes it.
    let alg = KeyAgreementAlgorithm::Ecdh;
    let peer = req.blob("PublicKey").unwrap_or_default();
    tx.unsealed(&key)?;
    // AWS answers a PublicKey it cannot use with no message (LocalStack's
    // test_derive_shared_secret, recorded against AWS in December 2024).
    let secret = crypto::ecdh(key.current().material.expose(), &peer)
        .map_err(|_| KmsError::validation(""))?;
    dry_run(req)?;
    Ok(json!({
        "KeyId": key.arn,
        "SharedSecret": b64(secret.expose()),
        "KeyAgreementAlgorithm": alg,
        "KeyOrigin": key.origin,
    }))
}

/// The key Encapsulate and Decapsulate take: an Enabled ML-KEM key.
fn kem_key(tx: &Tx<'_>, req: &Req<'_>, operation: &str) -> Result<KeyRecord> {
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOrAlias)?;
    // Usage before state, as in every cryptographic operation.
    require_usage(&key, KeyUsage::EncapsulateDecapsulate, operation)?;
    require_enabled(&key)?;
    Ok(key)
}

pub(crate) fn encapsulate(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let key = kem_key(tx, req, "Encapsulate")?;
    dry_run(req)?;
    tx.unsealed(&key)?;
    let (ciphertext, secret) = crypto::ml_kem_encapsulate(key.current().material.expose(), tx.rng)
        .map_err(|_| KmsError::internal("ML-KEM encapsulation failed."))?;
    Ok(json!({
        "KeyId": key.arn,
        "SharedSecret": b64(secret.expose()),
        "SharedSecretCiphertextBlob": b64(&ciphertext),
        "EncapsulationAlgorithm": EncapsulationAlgorithm::MlKem,
    }))
}

pub(crate) fn decapsulate(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let key = kem_key(tx, req, "Decapsulate")?;
    let ciphertext = req.blob("SharedSecretCiphertextBlob").unwrap_or_default();
    // Only a length that does not fit the key spec is refused; any other ciphertext gets a
    // pseudo-random secret (implicit rejection, as Decapsulate's documentation says).
    if Some(ciphertext.len()) != key.key_spec.ml_kem_ciphertext_len() {
        return Err(invalid_ciphertext());
    }
    dry_run(req)?;
    tx.unsealed(&key)?;
    let secret = crypto::ml_kem_decapsulate(key.current().material.expose(), &ciphertext)
        .map_err(|_| invalid_ciphertext())?;
    Ok(json!({
        "KeyId": key.arn,
        "SharedSecret": b64(secret.expose()),
        "EncapsulationAlgorithm": EncapsulationAlgorithm::MlKem,
    }))
}
