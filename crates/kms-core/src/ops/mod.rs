//! One function per KMS operation, grouped as the developer guide groups them, and the helpers
//! they share: resolving a KeyId, key-state checks, KeyMetadata, paging.

mod aliases;
pub(crate) mod authorize;
mod cryptography;
mod grants;
mod import;
pub(crate) mod keys;
pub(crate) mod managed;
mod multi_region;
mod other;
pub(crate) mod policy;
mod rotation;
mod tags;
mod tokens;

pub(crate) use crate::resolve::{resolve, resolve_ref, Naming};

use crate::error::{KmsError, Result};
use crate::records::KeyRecord;
use crate::spec::{ExpirationModel, KeyState, KeyUsage};
use crate::trail::{ServiceEvent, ServiceEventKind};
use crate::tx::{state_error, wire_time, Req, Tx};
use serde_json::{json, Map, Value};

pub(crate) fn dispatch(tx: &mut Tx<'_>, operation: &str, req: &Req<'_>) -> Result<Value> {
    tokens::check_grant_tokens(operation, req)?;
    refuse_recipient(operation, req)?;
    match operation {
        "CreateKey" => keys::create_key(tx, req),
        "DescribeKey" => keys::describe_key(tx, req),
        "ListKeys" => keys::list_keys(tx, req),
        "UpdateKeyDescription" => keys::update_key_description(tx, req),
        "EnableKey" => keys::enable_key(tx, req),
        "DisableKey" => keys::disable_key(tx, req),
        "ScheduleKeyDeletion" => keys::schedule_key_deletion(tx, req),
        "CancelKeyDeletion" => keys::cancel_key_deletion(tx, req),
        "GetKeyLastUsage" => keys::get_key_last_usage(tx, req),

        "CreateAlias" => aliases::create_alias(tx, req),
        "UpdateAlias" => aliases::update_alias(tx, req),
        "DeleteAlias" => aliases::delete_alias(tx, req),
        "ListAliases" => aliases::list_aliases(tx, req),

        "Encrypt" => cryptography::encrypt(tx, req),
        "Decrypt" => cryptography::decrypt(tx, req),
        "ReEncrypt" => cryptography::re_encrypt(tx, req),
        "GenerateDataKey" => cryptography::generate_data_key(tx, req, true),
        "GenerateDataKeyWithoutPlaintext" => cryptography::generate_data_key(tx, req, false),
        "GenerateDataKeyPair" => cryptography::generate_data_key_pair(tx, req, true),
        "GenerateDataKeyPairWithoutPlaintext" => {
            cryptography::generate_data_key_pair(tx, req, false)
        }
        "GenerateRandom" => cryptography::generate_random(tx, req),
        "Sign" => cryptography::sign(tx, req),
        "Verify" => cryptography::verify(tx, req),
        "GetPublicKey" => cryptography::get_public_key(tx, req),
        "GenerateMac" => cryptography::generate_mac(tx, req),
        "VerifyMac" => cryptography::verify_mac(tx, req),
        "DeriveSharedSecret" => cryptography::derive_shared_secret(tx, req),
        "Encapsulate" => cryptography::encapsulate(tx, req),
        "Decapsulate" => cryptography::decapsulate(tx, req),

        "EnableKeyRotation" => rotation::enable_key_rotation(tx, req),
        "DisableKeyRotation" => rotation::disable_key_rotation(tx, req),
        "GetKeyRotationStatus" => rotation::get_key_rotation_status(tx, req),
        "RotateKeyOnDemand" => rotation::rotate_key_on_demand(tx, req),
        "ListKeyRotations" => rotation::list_key_rotations(tx, req),

        "TagResource" => tags::tag_resource(tx, req),
        "UntagResource" => tags::untag_resource(tx, req),
        "ListResourceTags" => tags::list_resource_tags(tx, req),

        "GetKeyPolicy" => policy::get_key_policy(tx, req),
        "PutKeyPolicy" => policy::put_key_policy(tx, req),
        "ListKeyPolicies" => policy::list_key_policies(tx, req),

        "CreateGrant" => grants::create_grant(tx, req),
        "ListGrants" => grants::list_grants(tx, req),
        "ListRetirableGrants" => grants::list_retirable_grants(tx, req),
        "RevokeGrant" => grants::revoke_grant(tx, req),
        "RetireGrant" => grants::retire_grant(tx, req),

        "GetParametersForImport" => import::get_parameters_for_import(tx, req),
        "ImportKeyMaterial" => import::import_key_material(tx, req),
        "DeleteImportedKeyMaterial" => import::delete_imported_key_material(tx, req),

        "ReplicateKey" => multi_region::replicate_key(tx, req),
        "UpdatePrimaryRegion" => multi_region::update_primary_region(tx, req),

        _ => other::dispatch(operation, req),
    }
}

/// Work that time makes due, done before every operation: the region's AWS managed keys exist,
/// keys whose deletion window has passed are deleted, imported key material past its ValidTo is
/// deleted, scheduled rotations happen (on a multi-Region primary key, and copied to its
/// replicas). Each is reported in `tx.service_events` for CloudTrail.
pub(crate) fn housekeeping(tx: &mut Tx<'_>) -> Result<()> {
    if !tx.region_initialised() {
        managed::create_aws_managed_keys(tx)?;
    }
    if !tx.anything_due() {
        return Ok(());
    }
    let now = tx.now;
    let due: Vec<KeyRecord> = tx
        .keys_due()
        .into_iter()
        .filter(|k| crate::state::due_date(k).is_some_and(|d| d <= now))
        .cloned()
        .collect();
    for mut key in due {
        if key.key_state == KeyState::PendingDeletion && key.deletion_date.is_some_and(|d| d <= now)
        {
            let aliases: Vec<String> = tx
                .all_aliases()
                .into_iter()
                .filter(|a| a.target_key_id == key.key_id)
                .map(|a| a.name.clone())
                .collect();
            for name in aliases {
                tx.delete_alias(&name);
            }
            tx.delete_key(&key.key_id);
            // Deleted when the waiting period ended, not when a request noticed.
            let ended = key.deletion_date.unwrap_or(now);
            tx.service_events
                .push(ServiceEvent::new(ServiceEventKind::DeleteKey, &key, ended));
            if key.multi_region.is_some() {
                multi_region::replica_deleted(tx, &key, ended);
            }
            continue;
        }
        import::expire_material(tx, &mut key);
        // Replicas take their rotations from the primary key (multi_region::synchronize).
        if key.key_state == KeyState::Enabled
            && key.rotation.enabled
            && key.multi_region != Some(crate::records::MultiRegionKeyType::Replica)
        {
            let before = key.backing_keys.len();
            rotation::rotate_when_due(tx, &mut key);
            // One RotateKey event per rotation, each when it fell due.
            for b in &key.backing_keys[before..] {
                tx.service_events.push(ServiceEvent::new(
                    ServiceEventKind::RotateKey,
                    &key,
                    b.created,
                ));
            }
            if key.backing_keys.len() > before {
                multi_region::synchronize(tx, &key)?;
            }
        }
        tx.put_key(key);
    }
    Ok(())
}

/// `Recipient` asks KMS to encrypt a result for a Nitro enclave, whose attestation document
/// AWS checks against the AWS Nitro Attestation PKI. The sandbox has no enclaves and cannot
/// check one: it refuses rather than answer in plaintext what AWS would never return in it.
/// Operations without the member ignore it, as they ignore any member they do not have.
fn refuse_recipient(operation: &str, req: &Req<'_>) -> Result<()> {
    let model = crate::model::kms();
    let modelled = model
        .operations
        .get(operation)
        .and_then(|o| o.input.as_deref())
        .is_some_and(|input| model.shape(input).members.contains_key("Recipient"));
    if modelled && req.has("Recipient") {
        return Err(KmsError::validation(
            "The sandbox cannot verify the attestation document in Recipient: it has no AWS Nitro Enclaves. Call without Recipient.",
        ));
    }
    Ok(())
}

/// The key must be Enabled (cryptographic operations): AWS's key-state table, footnotes 1, 3, 5.
pub(crate) fn require_enabled(key: &KeyRecord) -> Result<()> {
    if key.key_state == KeyState::Enabled {
        Ok(())
    } else {
        Err(state_error(key))
    }
}

/// Management operations refused while a key is pending deletion (footnote 3).
pub(crate) fn require_not_pending_deletion(key: &KeyRecord) -> Result<()> {
    match key.key_state {
        KeyState::PendingDeletion | KeyState::PendingReplicaDeletion => Err(state_error(key)),
        _ => Ok(()),
    }
}

pub(crate) fn require_usage(key: &KeyRecord, usage: KeyUsage, operation: &str) -> Result<()> {
    if key.key_usage == usage {
        Ok(())
    } else {
        Err(KmsError::invalid_key_usage(format!(
            "{} key usage is {} which is not valid for {operation}.",
            key.arn, key.key_usage
        )))
    }
}

/// `KeyMetadata` as DescribeKey, CreateKey and the console show it.
pub(crate) fn key_metadata(tx: &Tx<'_>, key: &KeyRecord) -> Value {
    let mut m = Map::new();
    m.insert("AWSAccountId".into(), json!(key.account_id));
    m.insert("KeyId".into(), json!(key.key_id));
    m.insert("Arn".into(), json!(key.arn));
    m.insert("CreationDate".into(), wire_time(key.created));
    m.insert("Enabled".into(), json!(key.key_state == KeyState::Enabled));
    m.insert("Description".into(), json!(key.description));
    m.insert("KeyUsage".into(), json!(key.key_usage));
    m.insert("KeyState".into(), json!(key.key_state));
    if let Some(d) = key.deletion_date {
        m.insert("DeletionDate".into(), wire_time(d));
    }
    // Whether the current material is imported, and whether it expires: ExpirationModel and
    // ValidTo are answered only while it is (see below).
    let current_expires = key
        .current_material()
        .and_then(|b| b.import.as_ref().filter(|i| i.imported)?.expires);
    // The earliest expiry of the imported material permanently associated with the key.
    let valid_to = (key.origin == crate::spec::Origin::External && current_expires.is_some())
        .then(|| {
            key.backing_keys
                .iter()
                .filter(|b| !b.is_pending_rotation())
                .filter_map(|b| b.import.as_ref().filter(|i| i.imported)?.valid_to)
                .min()
        })
        .flatten();
    if let Some(valid_to) = valid_to {
        m.insert("ValidTo".into(), wire_time(valid_to));
    }
    m.insert("Origin".into(), json!(key.origin));
    if key.origin == crate::spec::Origin::External {
        // While the current material is imported: KEY_MATERIAL_EXPIRES while any of it expires
        // (ValidTo "is present only for KMS keys whose Origin is EXTERNAL and the
        // ExpirationModel is KEY_MATERIAL_EXPIRES"), else the current material's. Once it is
        // deleted AWS leaves the member out (LocalStack's recordings of DescribeKey after
        // DeleteImportedKeyMaterial, 2024 and 2025).
        if let Some(expires) = current_expires {
            let expires = expires || valid_to.is_some();
            m.insert("ExpirationModel".into(), json!(expiration_model(expires)));
        }
    }
    m.insert("KeyManager".into(), json!(key.key_manager));
    // CustomerMasterKeySpec is deprecated but AWS still returns it for the specs it has.
    if has_customer_master_key_spec(key.key_spec) {
        m.insert("CustomerMasterKeySpec".into(), json!(key.key_spec));
    }
    m.insert("KeySpec".into(), json!(key.key_spec));
    insert_algorithms(&mut m, key);
    if let Some(mac) = key.key_spec.mac_algorithm() {
        m.insert("MacAlgorithms".into(), json!([mac]));
    }
    m.insert("MultiRegion".into(), json!(key.multi_region.is_some()));
    if let Some(kind) = key.multi_region {
        m.insert(
            "MultiRegionConfiguration".into(),
            multi_region::configuration(tx, key, kind),
        );
    }
    // Only a multi-Region primary key waiting for its replicas has a waiting period here; any
    // other key pending deletion shows its DeletionDate (the member's documentation).
    if let Some(w) = key.pending_window_days {
        if key.key_state == KeyState::PendingReplicaDeletion {
            m.insert("PendingDeletionWindowInDays".into(), json!(w));
        }
    }
    if key.key_spec == crate::KeySpec::SymmetricDefault {
        if let Some(current) = key.current_material() {
            m.insert("CurrentKeyMaterialId".into(), json!(current.id));
        }
    }
    Value::Object(m)
}

/// Whether the deprecated `CustomerMasterKeySpec` enum has the spec (it lacks the newer ones).
pub(crate) fn has_customer_master_key_spec(spec: crate::KeySpec) -> bool {
    crate::model::model()
        .shape("CustomerMasterKeySpec")
        .enum_values
        .iter()
        .flatten()
        .any(|s| s == spec.as_str())
}

/// The algorithm lists of KeyMetadata and GetPublicKey, each present only when the key's usage
/// has algorithms of its kind.
pub(crate) fn insert_algorithms(m: &mut Map<String, Value>, key: &KeyRecord) {
    let (spec, usage) = (key.key_spec, key.key_usage);
    let enc = spec.encryption_algorithms(usage);
    if !enc.is_empty() {
        m.insert("EncryptionAlgorithms".into(), json!(enc));
    }
    let sig = spec.signing_algorithms(usage);
    if !sig.is_empty() {
        m.insert("SigningAlgorithms".into(), json!(sig));
    }
    let agree = spec.key_agreement_algorithms(usage);
    if !agree.is_empty() {
        m.insert("KeyAgreementAlgorithms".into(), json!(agree));
    }
    let kem = spec.encapsulation_algorithms(usage);
    if !kem.is_empty() {
        m.insert("EncapsulationAlgorithms".into(), json!(kem));
    }
}

pub(crate) fn expiration_model(expires: bool) -> &'static str {
    if expires {
        ExpirationModel::KeyMaterialExpires
    } else {
        ExpirationModel::KeyMaterialDoesNotExpire
    }
    .as_str()
}

/// Pages a sorted list as AWS's List* operations do: `Limit` (default `default_limit`), an opaque
/// `Marker`, and `NextMarker`/`Truncated` in the answer. `scope` names the listing (operation and
/// what it lists, e.g. `ListGrants/<key id>`): a marker is valid only for the listing that made
/// it, as AWS's markers are ("Use only the value of NextMarker from the truncated response you
/// just received").
pub(crate) fn page<T>(
    items: Vec<(String, T)>,
    req: &Req<'_>,
    scope: &str,
    default_limit: usize,
    max_limit: usize,
) -> Result<(Vec<T>, Map<String, Value>)> {
    let (start_after, limit) = page_window(req, scope, default_limit, max_limit)?;
    let rest = items
        .into_iter()
        .filter(|(k, _)| start_after.as_ref().is_none_or(|after| k > after))
        .collect();
    Ok(page_of(rest, scope, limit))
}

/// What a paginated request asks for: the item key its `Marker` names (items after it follow)
/// and how many items (`Limit`, by default `default_limit`, at most `max_limit`). A marker of
/// another listing, or not one the sandbox made, is an `InvalidMarkerException`.
pub(crate) fn page_window(
    req: &Req<'_>,
    scope: &str,
    default_limit: usize,
    max_limit: usize,
) -> Result<(Option<String>, usize)> {
    use base64::Engine as _;
    let limit = req
        .int("Limit")
        .map(|l| l as usize)
        .unwrap_or(default_limit)
        .min(max_limit);
    let start_after = match req.str("Marker") {
        None => None,
        Some(m) => Some(
            MARKER
                .decode(m)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|text| {
                    let (of, last) = text.split_once('\0')?;
                    (of == scope).then(|| last.to_string())
                })
                .ok_or_else(|| KmsError::invalid_marker("The marker is not valid."))?,
        ),
    };
    Ok((start_after, limit))
}

const MARKER: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The first `limit` of `rest` (the items after the marker, in key order), with `NextMarker`
/// (of `scope`, see [`page`]) and `Truncated` as KMS answers them.
pub(crate) fn page_of<T>(
    mut rest: Vec<(String, T)>,
    scope: &str,
    limit: usize,
) -> (Vec<T>, Map<String, Value>) {
    use base64::Engine as _;
    let truncated = rest.len() > limit;
    rest.truncate(limit);
    let mut extra = Map::new();
    if truncated {
        let last = rest.last().map(|(k, _)| k.as_str()).unwrap_or_default();
        extra.insert(
            "NextMarker".into(),
            json!(MARKER.encode(format!("{scope}\0{last}"))),
        );
    }
    extra.insert("Truncated".into(), json!(truncated));
    (rest.into_iter().map(|(_, v)| v).collect(), extra)
}

pub(crate) fn with(mut base: Map<String, Value>, key: &str, value: Value) -> Value {
    base.insert(key.into(), value);
    Value::Object(base)
}

pub(crate) fn new_key_id(tx: &mut Tx<'_>) -> String {
    crate::env::uuid_v4(tx.rng)
}

/// 64 random lowercase hex characters: AWS's format for key material ids and grant ids.
pub(crate) fn new_backing_key_id(tx: &mut Tx<'_>) -> String {
    base16ct::lower::encode_string(&tx.random(32))
}

pub(crate) fn dry_run(req: &Req<'_>) -> Result<()> {
    if req.bool("DryRun") {
        return Err(KmsError::new(
            crate::ErrorType::DryRunOperation,
            "The request would have succeeded, but the DryRun option is set.",
        ));
    }
    Ok(())
}
