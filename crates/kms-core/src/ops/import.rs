//! Imported key material: GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial,
//! and the deletion of imported material when its ValidTo passes (`importing-keys*.md`,
//! `key-state.md`, the operations' documentation in the model).
//!
//! A key with Origin EXTERNAL is created without material, in PendingImport. Each import is
//! unwrapped here with the wrapping private key of the token's GetParametersForImport answer,
//! checked against the key spec and identified by its `KeyMaterialId` (derived from the key id
//! and the material), so that only the same material can be imported again. A symmetric key
//! can also take new material (ImportType NEW_KEY_MATERIAL) that RotateKeyOnDemand makes current.

use super::{multi_region, resolve, Naming};
use crate::crypto;
use crate::env::Millis;
use crate::error::{ErrorType, KmsError, Result};
use crate::records::{BackingKey, ImportedMaterial, KeyRecord, MultiRegionKeyType};
use crate::spec::{KeySpec, KeyState, Origin};
use crate::trail::{ServiceEvent, ServiceEventKind};
use crate::tx::{b64, state_error, wire_time, Req, Tx};
use crate::wrapping::{self, WrappingAlgorithm, WrappingParameters};
use crate::{Secret, MILLIS_PER_DAY};
use serde_json::{json, Map, Value};

/// An import token and its public key are valid for 24 hours.
const PARAMETERS_VALID_FOR: Millis = MILLIS_PER_DAY;
/// ValidTo may be at most 365 days after the request.
const MAX_VALID_TO_DAYS: i64 = 365;
/// Parameter sets remembered per key (AWS documents none; this bounds what a key holds).
const MAX_PARAMETERS: usize = 10;

/// The China Regions, where SM2 wrapping keys exist and symmetric material is 128 bits.
pub(crate) fn is_china(region: &str) -> bool {
    matches!(region, "cn-north-1" | "cn-northwest-1")
}

/// The key the request names, which must have Origin EXTERNAL (key-state.md footnote 9).
fn external_key(tx: &Tx<'_>, req: &Req<'_>) -> Result<KeyRecord> {
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOnly)?;
    if key.origin != Origin::External {
        return Err(KmsError::unsupported(format!(
            "{} origin is {} which is not valid for this operation.",
            key.arn, key.origin
        )));
    }
    Ok(key)
}

/// GetParametersForImport and ImportKeyMaterial are refused while the key is pending deletion
/// (footnote 8).
fn require_not_pending_deletion(key: &KeyRecord) -> Result<()> {
    match key.key_state {
        KeyState::PendingDeletion | KeyState::PendingReplicaDeletion => Err(state_error(key)),
        _ => Ok(()),
    }
}

pub(crate) fn get_parameters_for_import(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let mut key = external_key(tx, req)?;
    require_not_pending_deletion(&key)?;
    let algorithm_name = req.req_str("WrappingAlgorithm");
    let spec_name = req.req_str("WrappingKeySpec");
    let sm2 = spec_name == "SM2" || algorithm_name == "SM2PKE";
    if sm2 {
        if !is_china(&tx.region) {
            return Err(KmsError::validation(format!(
                "{} is supported only in the China Regions (cn-north-1, cn-northwest-1).",
                if spec_name == "SM2" {
                    "WrappingKeySpec SM2"
                } else {
                    "WrappingAlgorithm SM2PKE"
                }
            )));
        }
        if spec_name != "SM2" || algorithm_name != "SM2PKE" {
            return Err(KmsError::validation(
                "WrappingAlgorithm SM2PKE goes with WrappingKeySpec SM2, and only with it.",
            ));
        }
    }
    if algorithm_name == "RSAES_PKCS1_V1_5" {
        return Err(KmsError::unsupported(
            "The RSAES_PKCS1_V1_5 wrapping algorithm is deprecated: as of October 10, 2023, KMS \
             does not support it. Use RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1, \
             RSA_AES_KEY_WRAP_SHA_256 or RSA_AES_KEY_WRAP_SHA_1.",
        ));
    }
    let algorithm = WrappingAlgorithm::parse(algorithm_name).ok_or_else(|| {
        KmsError::validation(format!("Invalid WrappingAlgorithm {algorithm_name}"))
    })?;
    let bits = match spec_name {
        "RSA_2048" => 2048,
        "RSA_3072" => 3072,
        "RSA_4096" => 4096,
        "SM2" => 0,
        other => {
            return Err(KmsError::validation(format!(
                "Invalid WrappingKeySpec {other}"
            )))
        }
    };
    // SM2PKE carries up to 1024 bytes: RSA private keys are longer (AWS imports RSA material
    // with RSA_AES_KEY_WRAP only).
    if sm2 && key.key_spec.rsa_bits().is_some() {
        return Err(KmsError::unsupported(format!(
            "SM2PKE cannot wrap {} key material: use RSA_AES_KEY_WRAP_SHA_256 or \
             RSA_AES_KEY_WRAP_SHA_1 with an RSA wrapping key.",
            key.key_spec
        )));
    }
    // RSA private keys are far longer than RSA-OAEP can carry (the member's documentation); so is
    // a P-521 key under a 2048-bit key with OAEP.
    let too_big =
        key.key_spec.rsa_bits().is_some() || (key.key_spec == KeySpec::EccNistP521 && bits == 2048);
    if !sm2 && too_big && !algorithm.is_rsa_aes() {
        return Err(KmsError::unsupported(format!(
            "{algorithm_name} with a {spec_name} wrapping key cannot wrap {} key material: use \
             RSA_AES_KEY_WRAP_SHA_256 or RSA_AES_KEY_WRAP_SHA_1{}.",
            key.key_spec,
            if key.key_spec.rsa_bits().is_some() {
                ""
            } else {
                ", or a longer wrapping key"
            }
        )));
    }
    let private_key = if sm2 {
        crypto::generate(KeySpec::Sm2, tx.rng)
    } else {
        crypto::rsa_generate(bits, tx.rng)
    }
    .map_err(|_| KmsError::internal("The wrapping key could not be generated."))?;
    let public_key = crypto::public_key_der(private_key.expose())
        .map_err(|_| KmsError::internal("The wrapping key could not be generated."))?;
    let mut token_id = [0u8; 16];
    tx.rng.fill(&mut token_id);
    let valid_to = tx.now + PARAMETERS_VALID_FOR;
    let token = wrapping::import_token(&key.key_id, &token_id, valid_to);
    let now = tx.now;
    key.import_parameters.retain(|p| p.valid_to > now);
    key.import_parameters.push(WrappingParameters {
        token_id: wrapping::hex(&token_id),
        algorithm,
        key_spec: spec_name.to_string(),
        valid_to,
        private_key,
    });
    if key.import_parameters.len() > MAX_PARAMETERS {
        key.import_parameters.remove(0);
    }
    let arn = key.arn.clone();
    tx.put_key(key);
    Ok(json!({
        "KeyId": arn,
        "ImportToken": b64(&token),
        "PublicKey": b64(&public_key),
        "ParametersValidTo": wire_time(valid_to),
    }))
}

fn invalid_token(key: &KeyRecord) -> KmsError {
    KmsError::new(
        ErrorType::InvalidImportToken,
        format!(
            "The import token is not valid for {}: use the import token and public key of one \
             GetParametersForImport response for this KMS key.",
            key.arn
        ),
    )
}

fn incorrect_material(message: impl Into<String>) -> KmsError {
    KmsError::new(ErrorType::IncorrectKeyMaterial, message)
}

/// `ValidTo` and `ExpirationModel` of an ImportKeyMaterial request: `(expires, valid_to)`.
fn expiration(tx: &Tx<'_>, req: &Req<'_>) -> Result<(bool, Option<Millis>)> {
    // The default is KEY_MATERIAL_EXPIRES (the member's documentation).
    let expires = req.str("ExpirationModel") != Some("KEY_MATERIAL_DOES_NOT_EXPIRE");
    let valid_to = req
        .0
        .get("ValidTo")
        .and_then(Value::as_f64)
        .map(|secs| (secs * 1000.0) as Millis);
    match (expires, valid_to) {
        // AWS's words (LocalStack's snapshot of AWS's answer).
        (true, None) => Err(KmsError::validation(
            "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES",
        )),
        (false, Some(_)) => Err(KmsError::validation(
            "ValidTo is not valid when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.",
        )),
        (true, Some(t)) if t <= tx.now => Err(KmsError::validation(
            "ValidTo must be a date and time in the future.",
        )),
        (true, Some(t)) if t > tx.now + MAX_VALID_TO_DAYS * MILLIS_PER_DAY => {
            Err(KmsError::validation(format!(
                "ValidTo must be at most {MAX_VALID_TO_DAYS} days after the request."
            )))
        }
        (e, t) => Ok((e, t)),
    }
}

pub(crate) fn import_key_material(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let mut key = external_key(tx, req)?;
    require_not_pending_deletion(&key)?;
    tx.unsealed(&key)?;
    let symmetric = key.key_spec == KeySpec::SymmetricDefault;
    if !symmetric {
        for member in ["ImportType", "KeyMaterialId", "KeyMaterialDescription"] {
            if req.has(member) {
                return Err(KmsError::validation(format!(
                    "{member} is valid only for symmetric encryption KMS keys; {} key spec is {}.",
                    key.arn, key.key_spec
                )));
            }
        }
    }
    let (expires, valid_to) = expiration(tx, req)?;

    let token = req.blob("ImportToken").unwrap_or_default();
    let Some((token_id, token_valid_to, token_key)) = wrapping::parse_import_token(&token) else {
        return Err(invalid_token(&key));
    };
    if token_key != key.key_id {
        return Err(invalid_token(&key));
    }
    if token_valid_to <= tx.now {
        return Err(KmsError::new(
            ErrorType::ExpiredImportToken,
            format!(
                "The import token expired at {}: call GetParametersForImport for a new public \
                 key and import token, wrap the key material again and retry.",
                crate::trail::element_time(token_valid_to)
            ),
        ));
    }
    let Some(parameters) = key
        .import_parameters
        .iter()
        .find(|p| p.token_id == token_id)
    else {
        return Err(invalid_token(&key));
    };
    let wrapped = req.blob("EncryptedKeyMaterial").unwrap_or_default();
    let material = wrapping::unwrap(
        parameters.private_key.expose(),
        parameters.algorithm,
        &wrapped,
        tx.rng,
    )
    .map_err(|_| {
        KmsError::invalid_ciphertext(
            "KMS cannot unwrap the encrypted key material with the wrapping key and wrapping \
             algorithm of this import token.",
        )
    })?;
    wrapping::check_material(key.key_spec, material.expose(), is_china(&tx.region))
        .map_err(|e| incorrect_material(e.0))?;
    let id = wrapping::key_material_id(&key.key_id, key.key_spec, material.expose());
    if req.str("ImportType") == Some("NEW_KEY_MATERIAL") && req.has("KeyMaterialId") {
        return Err(KmsError::validation(
            "You cannot specify a KeyMaterialId with ImportType NEW_KEY_MATERIAL.",
        ));
    }
    if let Some(named) = req.str("KeyMaterialId") {
        if named != id {
            return Err(incorrect_material(format!(
                "The key material is not the key material {named} of {}.",
                key.arn
            )));
        }
    }

    let had_material = !key.backing_keys.is_empty();
    // NEW_KEY_MATERIAL before the first import, EXISTING_KEY_MATERIAL after it (the member's
    // documentation).
    let new = match req.str("ImportType") {
        Some(t) => t == "NEW_KEY_MATERIAL",
        None => !had_material,
    };
    let replica = key.multi_region == Some(MultiRegionKeyType::Replica);
    let description = req.str("KeyMaterialDescription").map(str::to_string);
    let existing = key.backing_keys.iter().position(|b| b.id == id);
    if new {
        if replica {
            return Err(KmsError::unsupported(format!(
                "{} is a multi-Region replica key: import new key material into its primary key, \
                 then import the same key material here with ImportType EXISTING_KEY_MATERIAL.",
                key.arn
            )));
        }
        if existing.is_some() {
            return Err(incorrect_material(format!(
                "This key material is already associated with {}: import it with ImportType \
                 EXISTING_KEY_MATERIAL.",
                key.arn
            )));
        }
        if had_material && key.backing_keys.iter().any(BackingKey::is_pending_rotation) {
            return Err(KmsError::invalid_state(format!(
                "{} already has new key material pending rotation: rotate it with \
                 RotateKeyOnDemand, or delete it with DeleteImportedKeyMaterial, first.",
                key.arn
            )));
        }
        key.backing_keys.push(BackingKey {
            id: id.clone(),
            created: tx.now,
            rotation_type: None,
            import: Some(ImportedMaterial {
                imported: true,
                // Material added to a key that has some waits for RotateKeyOnDemand.
                pending_rotation: had_material,
                valid_to,
                expires: Some(expires),
                description,
            }),
            material,
            cipher: Default::default(),
        });
    } else {
        let Some(i) = existing else {
            return Err(incorrect_material(format!(
                "The key material is not the key material previously imported into {}: only the \
                 same key material can be imported again.",
                key.arn
            )));
        };
        let b = &mut key.backing_keys[i];
        let previous = b.import.take().unwrap_or(ImportedMaterial {
            imported: false,
            pending_rotation: false,
            valid_to: None,
            expires: None,
            description: None,
        });
        b.import = Some(ImportedMaterial {
            imported: true,
            pending_rotation: previous.pending_rotation,
            valid_to,
            expires: Some(expires),
            // Kept from the last import of this material when not given.
            description: description.or(previous.description),
        });
        b.set_material(material);
    }
    if key.key_state == KeyState::PendingImport && key.has_all_material() {
        key.key_state = KeyState::Enabled;
    }
    // The primary's key material ids are shared: its replicas learn the new ones.
    if key.multi_region == Some(MultiRegionKeyType::Primary) && new {
        multi_region::synchronize(tx, &key)?;
    }
    let arn = key.arn.clone();
    tx.put_key(key);
    Ok(json!({ "KeyId": arn, "KeyMaterialId": id }))
}

pub(crate) fn delete_imported_key_material(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let mut key = external_key(tx, req)?;
    tx.unsealed(&key)?;
    let target = match req.str("KeyMaterialId") {
        Some(id) => Some(
            key.backing_keys
                .iter()
                .position(|b| b.id == id)
                .ok_or_else(|| {
                    KmsError::not_found(format!(
                        "Key material {id} is not associated with {}.",
                        key.arn
                    ))
                })?,
        ),
        // Without a KeyMaterialId, the current key material.
        None => key
            .backing_keys
            .iter()
            .rposition(|b| !b.is_pending_rotation()),
    };
    let mut out = Map::new();
    out.insert("KeyId".into(), json!(key.arn));
    // A key that never had material: no effect (key-state.md).
    let Some(i) = target else {
        return Ok(Value::Object(out));
    };
    out.insert("KeyMaterialId".into(), json!(key.backing_keys[i].id));
    if key.backing_keys[i].is_pending_rotation() {
        // Not yet permanently associated with the key: it goes, and from the replicas of a
        // primary key too (the operation's documentation).
        key.backing_keys.remove(i);
        if key.multi_region == Some(MultiRegionKeyType::Primary) {
            multi_region::synchronize(tx, &key)?;
        }
    } else {
        forget_material(&mut key.backing_keys[i]);
        // A key pending deletion stays so; any other waits for the material again.
        if !matches!(
            key.key_state,
            KeyState::PendingDeletion | KeyState::PendingReplicaDeletion
        ) {
            key.key_state = KeyState::PendingImport;
        }
    }
    tx.put_key(key);
    Ok(Value::Object(out))
}

fn forget_material(b: &mut BackingKey) {
    b.set_material(Secret::default());
    if let Some(i) = b.import.as_mut() {
        i.imported = false;
        i.valid_to = None;
    }
}

/// Deletes the key's imported material whose ValidTo has passed, as KMS does at that time: the
/// key goes to PendingImport (unless pending deletion), and each deletion is a
/// DeleteExpiredKeyMaterial service event at its ValidTo.
pub(crate) fn expire_material(tx: &mut Tx<'_>, key: &mut KeyRecord) {
    let now = tx.now;
    let mut permanent_gone = false;
    let mut expired = Vec::new();
    for b in &mut key.backing_keys {
        let Some(at) = b
            .import
            .as_ref()
            .filter(|i| i.imported)
            .and_then(|i| i.valid_to)
            .filter(|t| *t <= now)
        else {
            continue;
        };
        permanent_gone |= !b.is_pending_rotation();
        forget_material(b);
        expired.push(at);
    }
    for at in expired {
        tx.service_events.push(ServiceEvent::new(
            ServiceEventKind::DeleteExpiredKeyMaterial,
            key,
            at,
        ));
    }
    if permanent_gone
        && !matches!(
            key.key_state,
            KeyState::PendingDeletion | KeyState::PendingReplicaDeletion
        )
    {
        key.key_state = KeyState::PendingImport;
    }
}
