//! Key rotation: EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand,
//! ListKeyRotations, and scheduled rotations as the clock passes their date. A rotation adds a
//! backing key; ciphertexts name the backing key that made them, so old ones keep decrypting.

use super::{new_backing_key_id, page, require_enabled, resolve, with, Naming};
use crate::engine::{wire_time, Req, Tx};
use crate::env::Millis;
use crate::error::{ErrorType, KmsError, Result};
use crate::records::{BackingKey, KeyRecord};
use crate::spec::{KeySpec, KeyState};
use crate::{Secret, MILLIS_PER_DAY};
use serde_json::{json, Map, Value};

/// AWS's quota of on-demand rotations per key.
const ON_DEMAND_ROTATIONS: usize = 25;
/// RotateKeyOnDemand is refused this close to a scheduled rotation (ConflictException).
const CONFLICT_WINDOW: Millis = 20 * 60 * 1000;

fn require_symmetric(key: &KeyRecord, operation: &str) -> Result<()> {
    if key.key_spec != KeySpec::SymmetricDefault {
        return Err(KmsError::unsupported(format!(
            "{} key spec is {} which is not valid for {operation}. Only symmetric encryption KMS keys support rotation.",
            key.arn, key.key_spec
        )));
    }
    Ok(())
}

/// A key whose rotation the caller may change.
fn rotatable(tx: &Tx<'_>, req: &Req<'_>, operation: &str) -> Result<KeyRecord> {
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOnly)?;
    tx.deny_if_aws_managed(&key, operation)?;
    require_enabled(&key)?;
    require_symmetric(&key, operation)?;
    Ok(key)
}

fn add_backing_key(tx: &mut Tx<'_>, key: &mut KeyRecord, created: i64, rotation_type: &str) {
    let id = new_backing_key_id(tx);
    let material = Secret::new(tx.random(32));
    key.backing_keys.push(BackingKey {
        id,
        created,
        rotation_type: Some(rotation_type.to_string()),
        material,
    });
}

/// Performs every scheduled rotation whose date has passed.
pub(crate) fn rotate_when_due(tx: &mut Tx<'_>, key: &mut KeyRecord) {
    let period = i64::from(key.rotation.period_days.max(1)) * MILLIS_PER_DAY;
    while let Some(due) = key.rotation.next_rotation.filter(|d| *d <= tx.now) {
        add_backing_key(tx, key, due, "AUTOMATIC");
        key.rotation.next_rotation = Some(due + period);
    }
}

pub(crate) fn enable_key_rotation(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let mut key = rotatable(tx, req, "EnableKeyRotation")?;
    let days = req.int("RotationPeriodInDays").unwrap_or(365);
    key.rotation.enabled = true;
    key.rotation.period_days = days as u32;
    key.rotation.next_rotation = Some(tx.now + days * MILLIS_PER_DAY);
    tx.put_key(key);
    Ok(json!({}))
}

pub(crate) fn disable_key_rotation(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let mut key = rotatable(tx, req, "DisableKeyRotation")?;
    key.rotation.enabled = false;
    key.rotation.next_rotation = None;
    tx.put_key(key);
    Ok(json!({}))
}

pub(crate) fn get_key_rotation_status(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOnly)?;
    require_symmetric(&key, "GetKeyRotationStatus")?;
    // While a key is pending deletion its rotation status is false and nothing rotates; the
    // status it had comes back if the deletion is cancelled (the operation's documentation).
    let enabled = key.rotation.enabled && key.key_state != KeyState::PendingDeletion;
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
        .filter(|b| b.rotation_type.as_deref() == Some("ON_DEMAND"))
        .count();
    if done >= ON_DEMAND_ROTATIONS {
        return Err(KmsError::limit_exceeded(format!(
            "{} has reached the limit of {ON_DEMAND_ROTATIONS} on-demand rotations.",
            key.arn
        )));
    }
    // AWS rotates asynchronously; the sandbox completes the rotation before it answers.
    let now = tx.now;
    add_backing_key(tx, &mut key, now, "ON_DEMAND");
    let arn = key.arn.clone();
    tx.put_key(key);
    Ok(json!({ "KeyId": arn }))
}

pub(crate) fn list_key_rotations(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOnly)?;
    require_symmetric(&key, "ListKeyRotations")?;
    let all = req.str("IncludeKeyMaterial") == Some("ALL_KEY_MATERIAL");
    let last = key.backing_keys.len() - 1;
    let items = key
        .backing_keys
        .iter()
        .enumerate()
        .filter(|(_, b)| all || b.rotation_type.is_some())
        .map(|(i, b)| {
            let mut e = Map::new();
            e.insert("KeyId".into(), json!(key.arn));
            e.insert("KeyMaterialId".into(), json!(b.id));
            e.insert(
                "KeyMaterialState".into(),
                json!(if i == last { "CURRENT" } else { "NON_CURRENT" }),
            );
            e.insert(
                "ExpirationModel".into(),
                json!("KEY_MATERIAL_DOES_NOT_EXPIRE"),
            );
            if let Some(t) = &b.rotation_type {
                e.insert("RotationDate".into(), wire_time(b.created));
                e.insert("RotationType".into(), json!(t));
            }
            (format!("{i:08}"), Value::Object(e))
        })
        .collect();
    let (rotations, extra) = page(items, req, 100, 1000)?;
    Ok(with(extra, "Rotations", Value::Array(rotations)))
}
