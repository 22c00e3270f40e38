//! Key rotation: EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand,
//! ListKeyRotations, and scheduled rotations as the clock passes their date. A rotation adds a
//! backing key; ciphertexts name the backing key that made them, so old ones keep decrypting.

use super::{new_backing_key_id, page, require_enabled, resolve, with, Naming};
use crate::env::Millis;
use crate::error::{ErrorType, KmsError, Result};
use crate::records::{BackingKey, KeyRecord, MultiRegionKeyType};
use crate::spec::{KeyMaterialState, KeySpec, KeyState, Origin, RotationType};
use crate::tx::{wire_time, Req, Tx};
use crate::{Secret, MILLIS_PER_DAY};
use serde_json::{json, Map, Value};

/// AWS's quota of on-demand rotations per key.
const ON_DEMAND_ROTATIONS: usize = 25;
/// RotateKeyOnDemand is refused this close to a scheduled rotation (ConflictException).
const CONFLICT_WINDOW: Millis = 20 * 60 * 1000;

fn require_symmetric(key: &KeyRecord, operation: &str) -> Result<()> {
    // AWS answers RotateKeyOnDemand on an asymmetric key with no message (LocalStack's
    // test_rotate_key_on_demand_raises_error_given_non_symmetric_key, recorded in March 2025).
    if key.key_spec != KeySpec::SymmetricDefault && operation == "RotateKeyOnDemand" {
        return Err(KmsError::unsupported(""));
    }
    if key.key_spec != KeySpec::SymmetricDefault {
        return Err(KmsError::unsupported(format!(
            "{} key spec is {} which is not valid for {operation}. Only symmetric encryption KMS keys support rotation.",
            key.arn, key.key_spec
        )));
    }
    Ok(())
}

/// Automatic rotation is not for keys with imported material (key-state.md footnotes 6, 7).
fn require_not_imported(key: &KeyRecord) -> Result<()> {
    if key.origin == Origin::External {
        return Err(KmsError::unsupported(format!(
            "{} origin is EXTERNAL which is not valid for this operation.",
            key.arn
        )));
    }
    Ok(())
}

/// Rotation is a shared property of multi-Region keys, set on the primary key only.
fn require_not_replica(key: &KeyRecord, operation: &str) -> Result<()> {
    if key.multi_region == Some(MultiRegionKeyType::Replica) {
        return Err(KmsError::unsupported(format!(
            "{} is a multi-Region replica key: {operation} is valid only on its primary key.",
            key.arn
        )));
    }
    Ok(())
}

/// A key whose rotation the caller may change.
fn rotatable(tx: &Tx<'_>, req: &Req<'_>, operation: &str) -> Result<KeyRecord> {
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOnly)?;
    tx.deny_if_aws_managed(&key, operation)?;
    if operation != "RotateKeyOnDemand" {
        require_not_imported(&key)?;
    }
    require_not_replica(&key, operation)?;
    require_enabled(&key)?;
    require_symmetric(&key, operation)?;
    Ok(key)
}

fn add_backing_key(
    tx: &mut Tx<'_>,
    key: &mut KeyRecord,
    created: i64,
    rotation_type: RotationType,
) {
    let id = new_backing_key_id(tx);
    let material = Secret::new(tx.random(32));
    key.backing_keys.push(BackingKey {
        id,
        created,
        rotation_type: Some(rotation_type),
        import: None,
        material,
        cipher: Default::default(),
    });
}

/// Performs every scheduled rotation whose date has passed.
pub(crate) fn rotate_when_due(tx: &mut Tx<'_>, key: &mut KeyRecord) {
    let period = i64::from(key.rotation.period_days.max(1)) * MILLIS_PER_DAY;
    while let Some(due) = key.rotation.next_rotation.filter(|d| *d <= tx.now) {
        add_backing_key(tx, key, due, RotationType::Automatic);
        key.rotation.next_rotation = Some(due + period);
    }
}

pub(crate) fn enable_key_rotation(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let mut key = rotatable(tx, req, "EnableKeyRotation")?;
    let days = req.int("RotationPeriodInDays").unwrap_or(365);
    key.rotation.enabled = true;
    key.rotation.period_days = days as u32;
    key.rotation.next_rotation = Some(tx.now + days * MILLIS_PER_DAY);
    super::multi_region::synchronize(tx, &key)?;
    tx.put_key(key);
    Ok(json!({}))
}

pub(crate) fn disable_key_rotation(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let mut key = rotatable(tx, req, "DisableKeyRotation")?;
    key.rotation.enabled = false;
    key.rotation.next_rotation = None;
    super::multi_region::synchronize(tx, &key)?;
    tx.put_key(key);
    Ok(json!({}))
}

pub(crate) fn get_key_rotation_status(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOnly)?;
    // Imported material is refused (key-state.md's footnotes 6 and 7); HMAC and asymmetric keys
    // answer, their `KeyRotationEnabled` "will always be false" (the key type reference,
    // symm-asymm-compare.md).
    require_not_imported(&key)?;
    if key.key_spec != KeySpec::SymmetricDefault {
        let mut out = Map::new();
        out.insert("KeyRotationEnabled".into(), json!(false));
        out.insert("KeyId".into(), json!(key.arn));
        return Ok(Value::Object(out));
    }
    // While a key is pending deletion (or, a multi-Region primary, pending the deletion of its
    // replicas first: key-state.md gives the two states one column) its rotation status is false
    // and nothing rotates; the status it had comes back if the deletion is cancelled (the
    // operation's documentation).
    let enabled = key.rotation.enabled
        && !matches!(
            key.key_state,
            KeyState::PendingDeletion | KeyState::PendingReplicaDeletion
        );
    let mut out = Map::new();
    out.insert("KeyRotationEnabled".into(), json!(enabled));
    out.insert("KeyId".into(), json!(key.arn));
    if enabled {
        out.insert(
            "RotationPeriodInDays".into(),
            json!(key.rotation.period_days),
        );
        if let Some(next) = key.rotation.next_rotation {
            out.insert("NextRotationDate".into(), wire_time(next));
        }
    }
    if let Some(started) = key.rotation.on_demand_started {
        out.insert("OnDemandRotationStartDate".into(), wire_time(started));
    }
    Ok(Value::Object(out))
}

pub(crate) fn rotate_key_on_demand(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let mut key = rotatable(tx, req, "RotateKeyOnDemand")?;
    if key.rotation.enabled
        && key
            .rotation
            .next_rotation
            .is_some_and(|next| next - tx.now <= CONFLICT_WINDOW)
    {
        return Err(KmsError::new(
            ErrorType::Conflict,
            format!(
                "An automatic rotation of {} is scheduled to begin within the next 20 minutes. Try again later.",
                key.arn
            ),
        ));
    }
    let done = key
        .backing_keys
        .iter()
        .filter(|b| b.rotation_type == Some(RotationType::OnDemand))
        .count();
    if done >= ON_DEMAND_ROTATIONS {
        // AWS's words (LocalStack's test_key_rotations_limits, recorded in April 2025).
        return Err(KmsError::limit_exceeded(format!(
            "The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: {}",
            key.arn
        )));
    }
    // AWS rotates asynchronously; the sandbox completes the rotation before it answers.
    let now = tx.now;
    if key.origin == Origin::External {
        rotate_to_imported(tx, &mut key)?;
    } else {
        add_backing_key(tx, &mut key, now, RotationType::OnDemand);
    }
    super::multi_region::synchronize(tx, &key)?;
    let arn = key.arn.clone();
    tx.put_key(key);
    Ok(json!({ "KeyId": arn }))
}

/// On-demand rotation of a key with imported material makes the new material imported for it
/// (KeyMaterialState PENDING_ROTATION) current; it must exist, and for a multi-Region primary key
/// be imported into every replica too.
fn rotate_to_imported(tx: &Tx<'_>, key: &mut KeyRecord) -> Result<()> {
    let Some(i) = key
        .backing_keys
        .iter()
        .position(BackingKey::is_pending_rotation)
    else {
        return Err(KmsError::invalid_state(format!(
            "No available key material pending rotation for the key: {}.",
            key.arn
        )));
    };
    let b = &key.backing_keys[i];
    if b.import.as_ref().is_some_and(|m| !m.imported) {
        return Err(KmsError::invalid_state(format!(
            "The new key material {} of {} is not imported (its import was deleted or expired).",
            b.id, key.arn
        )));
    }
    if !super::multi_region::imported_everywhere(tx, key, &b.id) {
        return Err(KmsError::invalid_state(format!(
            "The new key material {} of {} is PENDING_MULTI_REGION_IMPORT_AND_ROTATION: import it \
             into every replica key first.",
            b.id, key.arn
        )));
    }
    let now = tx.now;
    let b = &mut key.backing_keys[i];
    b.created = now;
    b.rotation_type = Some(RotationType::OnDemand);
    if let Some(m) = b.import.as_mut() {
        m.pending_rotation = false;
    }
    Ok(())
}

pub(crate) fn list_key_rotations(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOnly)?;
    require_symmetric(&key, "ListKeyRotations")?;
    let all = req.str("IncludeKeyMaterial") == Some("ALL_KEY_MATERIAL");
    let current = key.current_material().map(|b| b.id.clone());
    let external = key.origin == Origin::External;
    let items = key
        .backing_keys
        .iter()
        .enumerate()
        .filter(|(_, b)| all || b.rotation_type.is_some())
        .map(|(i, b)| {
            let mut e = Map::new();
            e.insert("KeyId".into(), json!(key.arn));
            e.insert("KeyMaterialId".into(), json!(b.id));
            let state = if b.is_pending_rotation() {
                if super::multi_region::imported_everywhere(tx, &key, &b.id) {
                    KeyMaterialState::PendingRotation
                } else {
                    KeyMaterialState::PendingMultiRegionImportAndRotation
                }
            } else if Some(&b.id) == current.as_ref() {
                KeyMaterialState::Current
            } else {
                KeyMaterialState::NonCurrent
            };
            if external {
                // Only keys with imported material have these (RotationsListEntry).
                let import = b.import.as_ref();
                if let Some(d) = import.and_then(|m| m.description.as_ref()) {
                    e.insert("KeyMaterialDescription".into(), json!(d));
                }
                let imported = import.is_none_or(|m| m.imported);
                e.insert(
                    "ImportState".into(),
                    json!(if imported {
                        "IMPORTED"
                    } else {
                        "PENDING_IMPORT"
                    }),
                );
                e.insert("KeyMaterialState".into(), json!(state.as_str()));
                if let Some(expires) = import.and_then(|m| m.expires) {
                    e.insert(
                        "ExpirationModel".into(),
                        json!(super::expiration_model(expires)),
                    );
                }
                if let Some(t) = import.and_then(|m| m.valid_to) {
                    e.insert("ValidTo".into(), wire_time(t));
                }
            } else {
                // ExpirationModel "is only present for symmetric encryption KMS keys with
                // EXTERNAL origin" (RotationsListEntry).
                e.insert("KeyMaterialState".into(), json!(state.as_str()));
            }
            if let Some(t) = &b.rotation_type {
                e.insert("RotationDate".into(), wire_time(b.created));
                e.insert("RotationType".into(), json!(t.as_str()));
            }
            (format!("{i:08}"), Value::Object(e))
        })
        .collect();
    let scope = format!("ListKeyRotations/{}", key.key_id);
    let (rotations, extra) = page(items, req, &scope, 100, 1000)?;
    Ok(with(extra, "Rotations", Value::Array(rotations)))
}
