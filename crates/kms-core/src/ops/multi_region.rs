//! Multi-Region keys: ReplicateKey, UpdatePrimaryRegion, the MultiRegionConfiguration of
//! KeyMetadata, the synchronization of shared properties from a primary key to its replicas,
//! and the end of a primary key's PendingReplicaDeletion (`multi-region-keys-*.md`).
//!
//! Related multi-Region keys are the records with the same `mrk-` key id in the account's
//! Regions; each records only whether it is the primary or a replica. Shared properties (key
//! material, rotation) are copied from the primary whenever they change on it; independent ones
//! (description, policy, tags, aliases, grants, enabled state) live on each record alone.

use super::{key_metadata, require_enabled, resolve, Naming};
use crate::arn::{arn, partition};
use crate::env::Millis;
use crate::error::{KmsError, Result};
use crate::records::{BackingKey, ImportedMaterial, KeyRecord, MultiRegionKeyType};
use crate::spec::{KeyManager, KeyState, Origin};
use crate::trail::{ServiceEvent, ServiceEventKind};
use crate::tx::{Req, Tx};
use crate::{Secret, MILLIS_PER_DAY};
use serde_json::{json, Value};

/// Regions of KMS without multi-Region keys (multi-region-keys-overview.md): Hyderabad, Beijing,
/// Ningxia, Spain, Zurich, UAE.
const WITHOUT_MULTI_REGION_KEYS: &[&str] = &[
    "ap-south-2",
    "cn-north-1",
    "cn-northwest-1",
    "eu-south-2",
    "eu-central-2",
    "me-central-1",
];

pub(crate) fn require_multi_region_support(region: &str) -> Result<()> {
    if WITHOUT_MULTI_REGION_KEYS.contains(&region) {
        return Err(KmsError::unsupported(format!(
            "Multi-Region keys are not supported in {region}."
        )));
    }
    Ok(())
}

fn entry(k: &KeyRecord) -> Value {
    json!({ "Arn": k.arn, "Region": k.region })
}

/// `MultiRegionConfiguration`: the key's role, its primary key and every replica key (the key
/// itself included, as the shape's documentation says).
pub(crate) fn configuration(tx: &Tx<'_>, key: &KeyRecord, kind: MultiRegionKeyType) -> Value {
    let mut related: Vec<&KeyRecord> = tx
        .related_keys(&key.key_id)
        .into_iter()
        .filter(|k| k.region != key.region && k.multi_region.is_some())
        .collect();
    related.push(key);
    related.sort_by(|a, b| a.region.cmp(&b.region));
    let mut out = json!({ "MultiRegionKeyType": kind.as_str() });
    if let Some(p) = related
        .iter()
        .find(|k| k.multi_region == Some(MultiRegionKeyType::Primary))
    {
        out["PrimaryKey"] = entry(p);
    }
    out["ReplicaKeys"] = related
        .iter()
        .filter(|k| k.multi_region == Some(MultiRegionKeyType::Replica))
        .map(|k| entry(k))
        .collect();
    out
}

/// The replica keys of a primary key, as they are now.
fn replicas(tx: &Tx<'_>, key_id: &str) -> Vec<KeyRecord> {
    tx.related_keys(key_id)
        .into_iter()
        .filter(|k| k.multi_region == Some(MultiRegionKeyType::Replica))
        .cloned()
        .collect()
}

/// A replica's key materials for a primary with imported material: the primary's material ids,
/// rotation order and pending state, with the replica's own imports (KMS never copies imported
/// material: the same material is imported into each related key).
fn imported_materials(replica: &[BackingKey], primary: &[BackingKey]) -> Vec<BackingKey> {
    primary
        .iter()
        .map(|p| {
            let pending = p.is_pending_rotation();
            let mut b = match replica.iter().find(|b| b.id == p.id) {
                Some(own) => own.clone(),
                None => BackingKey {
                    id: p.id.clone(),
                    created: p.created,
                    rotation_type: None,
                    import: Some(ImportedMaterial {
                        imported: false,
                        pending_rotation: pending,
                        valid_to: None,
                        expires: None,
                        description: None,
                    }),
                    material: Secret::default(),
                    cipher: Default::default(),
                },
            };
            b.created = p.created;
            b.rotation_type = p.rotation_type;
            if let Some(i) = b.import.as_mut() {
                i.pending_rotation = pending;
            }
            b
        })
        .collect()
}

/// Copies the primary key's shared properties to its replicas, as KMS does whenever they change
/// (a rotation, a rotation setting, new imported material), with a SynchronizeMultiRegionKey
/// event. Nothing happens for a key that is not a primary or has no replicas.
pub(crate) fn synchronize(tx: &mut Tx<'_>, primary: &KeyRecord) -> Result<()> {
    if primary.multi_region != Some(MultiRegionKeyType::Primary) {
        return Ok(());
    }
    let replicas = replicas(tx, &primary.key_id);
    if replicas.is_empty() {
        return Ok(());
    }
    // The replicas get copies of the primary's material.
    tx.unsealed(primary)?;
    for mut r in replicas {
        r.rotation = primary.rotation.clone();
        if primary.origin == Origin::External {
            r.backing_keys = imported_materials(&r.backing_keys, &primary.backing_keys);
            if !r.has_all_material()
                && matches!(r.key_state, KeyState::Enabled | KeyState::Disabled)
            {
                r.key_state = KeyState::PendingImport;
            }
        } else {
            r.backing_keys = primary.backing_keys.clone();
        }
        tx.put_key(r);
    }
    let now = tx.now;
    tx.service_events.push(ServiceEvent::new(
        ServiceEventKind::SynchronizeMultiRegionKey,
        primary,
        now,
    ));
    Ok(())
}

/// Whether every replica of a primary with imported material has imported material `id`
/// (otherwise that material is PENDING_MULTI_REGION_IMPORT_AND_ROTATION on the primary).
pub(crate) fn imported_everywhere(tx: &Tx<'_>, primary: &KeyRecord, id: &str) -> bool {
    primary.multi_region != Some(MultiRegionKeyType::Primary)
        || replicas(tx, &primary.key_id).iter().all(|r| {
            r.backing_key(id)
                .is_some_and(|b| b.import.as_ref().is_none_or(|i| i.imported))
        })
}

/// After a multi-Region key was deleted at `when`: a primary key in PendingReplicaDeletion whose
/// last replica that was starts its own waiting period then (PendingDeletion).
pub(crate) fn replica_deleted(tx: &mut Tx<'_>, deleted: &KeyRecord, when: Millis) {
    if deleted.multi_region != Some(MultiRegionKeyType::Replica) {
        return;
    }
    let related = tx.related_keys(&deleted.key_id);
    if related
        .iter()
        .any(|k| k.multi_region == Some(MultiRegionKeyType::Replica))
    {
        return;
    }
    let Some(primary) = related.into_iter().find(|k| {
        k.multi_region == Some(MultiRegionKeyType::Primary)
            && k.key_state == KeyState::PendingReplicaDeletion
    }) else {
        return;
    };
    let mut primary = primary.clone();
    let days = i64::from(primary.pending_window_days.unwrap_or(30));
    primary.key_state = KeyState::PendingDeletion;
    primary.deletion_date = Some(when + days * MILLIS_PER_DAY);
    tx.put_key(primary);
}

/// Whether a primary key has replica keys (ScheduleKeyDeletion makes it PendingReplicaDeletion).
pub(crate) fn has_replicas(tx: &Tx<'_>, key: &KeyRecord) -> bool {
    key.multi_region == Some(MultiRegionKeyType::Primary) && !replicas(tx, &key.key_id).is_empty()
}

/// A multi-Region primary key, or AWS's refusal.
fn primary_key(tx: &Tx<'_>, req: &Req<'_>) -> Result<KeyRecord> {
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOnly)?;
    match key.multi_region {
        None => Err(KmsError::unsupported(format!(
            "{} is not a multi-Region key.",
            key.arn
        ))),
        Some(MultiRegionKeyType::Replica) => Err(KmsError::unsupported(format!(
            "{} is a multi-Region replica key. Specify the primary key of the multi-Region key.",
            key.arn
        ))),
        Some(MultiRegionKeyType::Primary) => Ok(key),
    }
}

pub(crate) fn replicate_key(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    // Replicating a replica: AWS's words (LocalStack's test_replicate_replica_key_should_fail,
    // recorded against AWS in September 2025).
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOnly)?;
    if key.multi_region == Some(MultiRegionKeyType::Replica) {
        return Err(KmsError::unsupported(format!(
            "{} is not a multi-region primary key.",
            key.arn
        )));
    }
    let primary = primary_key(tx, req)?;
    require_enabled(&primary)?;
    // The replica gets a copy of the primary's material.
    tx.unsealed(&primary)?;
    let region = req.req_str("ReplicaRegion").to_string();
    if region == tx.region {
        return Err(KmsError::validation(format!(
            "The replica Region must differ from the Region of the primary key ({region})."
        )));
    }
    if partition(&region) != partition(&tx.region) {
        return Err(KmsError::validation(format!(
            "The replica Region {region} is not in the partition of the primary key ({}).",
            partition(&tx.region)
        )));
    }
    require_multi_region_support(&region)?;
    if let Some(existing) = tx.key_in(&region, &primary.key_id) {
        return Err(KmsError::already_exists(format!(
            "{} already has a replica key in {region}: {}.",
            primary.arn, existing.arn
        )));
    }
    let arn = arn(
        "kms",
        &region,
        tx.account_id(),
        &format!("key/{}", primary.key_id),
    );
    let policy = match req.str("Policy") {
        Some(p) => {
            super::policy::validate_policy(
                tx,
                p,
                req.bool("BypassPolicyLockoutSafetyCheck"),
                None,
            )?;
            p.to_string()
        }
        None => super::keys::default_key_policy(&region, tx.account_id()),
    };
    let tags = super::tags::parse_tags(req, "Tags", &Default::default())?;
    let external = primary.origin == Origin::External;
    let replica = KeyRecord {
        region: region.clone(),
        arn,
        key_id: primary.key_id.clone(),
        account_id: primary.account_id.clone(),
        created: tx.now,
        description: req.str("Description").unwrap_or_default().to_string(),
        key_spec: primary.key_spec,
        key_usage: primary.key_usage,
        // Imported material is not copied: the replica waits for the same material.
        key_state: if external {
            KeyState::PendingImport
        } else {
            KeyState::Enabled
        },
        origin: primary.origin,
        key_manager: KeyManager::Customer,
        deletion_date: None,
        pending_window_days: None,
        policy,
        tags,
        rotation: primary.rotation.clone(),
        // The current material and every earlier version.
        backing_keys: if external {
            imported_materials(&[], &primary.backing_keys)
        } else {
            primary.backing_keys.clone()
        },
        grants: Vec::new(),
        multi_region: Some(MultiRegionKeyType::Replica),
        import_parameters: Vec::new(),
        sealed: false,
    };
    let created = tx.in_region(&region, |tx| {
        // A Region's first key: its AWS managed keys come first, as for any request there.
        if !tx.region_initialised() {
            super::managed::create_aws_managed_keys(tx)?;
        }
        tx.put_key(replica.clone());
        Ok::<_, KmsError>(())
    });
    created?;
    let now = tx.now;
    tx.service_events.push(ServiceEvent::new(
        ServiceEventKind::SynchronizeMultiRegionKey,
        &primary,
        now,
    ));
    // AWS answers while the replica is still being made (Creating); the sandbox finishes at once,
    // so DescribeKey shows it Enabled (or PendingImport) from the next request on.
    let mut metadata = key_metadata(tx, &replica);
    metadata["KeyState"] = json!(KeyState::Creating);
    metadata["Enabled"] = json!(false);
    let tags: Vec<Value> = replica
        .tags
        .iter()
        .map(|(k, v)| json!({ "TagKey": k, "TagValue": v }))
        .collect();
    let mut out = json!({
        "ReplicaKeyMetadata": metadata,
        "ReplicaPolicy": replica.policy,
    });
    // AWS leaves ReplicaTags out when the replica has none (LocalStack's recording of
    // ReplicateKey, 2024).
    if !tags.is_empty() {
        out["ReplicaTags"] = json!(tags);
    }
    Ok(out)
}

pub(crate) fn update_primary_region(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let mut primary = primary_key(tx, req)?;
    require_enabled(&primary)?;
    let region = req.req_str("PrimaryRegion");
    if region == tx.region {
        return Err(KmsError::unsupported(format!(
            "{} is already the primary key in {region}.",
            primary.arn
        )));
    }
    let Some(replica) = tx.key_in(region, &primary.key_id) else {
        return Err(KmsError::not_found(format!(
            "Key '{}' does not exist",
            arn(
                "kms",
                region,
                tx.account_id(),
                &format!("key/{}", primary.key_id)
            )
        )));
    };
    // Both keys must be Enabled when the update starts (multi-region-keys-manage.md).
    require_enabled(replica)?;
    let mut replica = replica.clone();
    // AWS passes through Updating for a few seconds; the sandbox swaps the roles at once.
    primary.multi_region = Some(MultiRegionKeyType::Replica);
    replica.multi_region = Some(MultiRegionKeyType::Primary);
    tx.put_key(primary);
    let now = tx.now;
    tx.service_events.push(ServiceEvent::new(
        ServiceEventKind::SynchronizeMultiRegionKey,
        &replica,
        now,
    ));
    tx.put_key(replica);
    Ok(json!({}))
}
