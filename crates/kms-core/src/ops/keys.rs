//! Creating and managing KMS keys: CreateKey, DescribeKey, ListKeys, UpdateKeyDescription,
//! EnableKey, DisableKey, ScheduleKeyDeletion, CancelKeyDeletion, GetKeyLastUsage.

use super::{
    key_metadata, new_backing_key_id, new_key_id, page_of, page_window,
    require_not_pending_deletion, resolve, with, Naming,
};
use crate::crypto;
use crate::error::{ErrorType, KmsError, Result};
use crate::records::{BackingKey, KeyRecord, RotationConfig};
use crate::spec::{KeyManager, KeySpec, KeyState, KeyUsage, Origin};
use crate::tx::{wire_time, Req, Tx};
use crate::{Secret, MILLIS_PER_DAY};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub(crate) struct NewKey {
    pub spec: KeySpec,
    pub usage: KeyUsage,
    pub description: String,
    pub policy: String,
    pub manager: KeyManager,
    pub tags: BTreeMap<String, String>,
    /// EXTERNAL: created without material, in PendingImport.
    pub origin: Origin,
    /// A multi-Region primary key: `mrk-` key id.
    pub multi_region: bool,
}

/// New key material for a spec: raw bytes for AES and HMAC, PKCS#8 DER for the asymmetric
/// specs.
pub(crate) fn new_material(tx: &mut Tx<'_>, spec: KeySpec) -> Result<Secret> {
    let internal = |_| KmsError::internal("Key generation failed.");
    Ok(match spec {
        KeySpec::SymmetricDefault => Secret::new(tx.random(32)),
        s if s.is_hmac() => Secret::new(tx.random(s.hmac_key_len().unwrap_or(32))),
        s if s.rsa_bits().is_some() => {
            // Validates a key the shell supplies (WebCrypto) before the engine trusts it.
            crypto::rsa_generate(s.rsa_bits().unwrap_or(2048), tx.rng).map_err(internal)?
        }
        s => crypto::generate(s, tx.rng).map_err(internal)?,
    })
}

/// A key spec KMS does not offer in the request's Region (SM2 outside China, ML-KEM in China):
/// CreateKey and GenerateDataKeyPair answer UnsupportedOperationException.
pub(crate) fn require_offered(tx: &Tx<'_>, spec: KeySpec, what: &str) -> Result<()> {
    if spec.is_offered_in(&tx.region) {
        Ok(())
    } else {
        Err(KmsError::unsupported(format!(
            "{what} {spec} is not supported in this Region"
        )))
    }
}

pub(crate) fn new_key(tx: &mut Tx<'_>, k: NewKey) -> Result<KeyRecord> {
    let backing_keys = if k.origin == Origin::External {
        Vec::new()
    } else {
        let material = new_material(tx, k.spec)?;
        vec![BackingKey {
            id: new_backing_key_id(tx),
            created: tx.now,
            rotation_type: None,
            import: None,
            material,
            cipher: Default::default(),
        }]
    };
    let key_id = if k.multi_region {
        // mrk- and 32 hex digits: the distinctive id of multi-Region keys.
        format!("mrk-{}", base16ct::lower::encode_string(&tx.random(16)))
    } else {
        new_key_id(tx)
    };
    Ok(KeyRecord {
        region: tx.region.clone(),
        arn: tx.key_arn(&key_id),
        key_id,
        account_id: tx.account_id().to_string(),
        created: tx.now,
        description: k.description,
        key_spec: k.spec,
        key_usage: k.usage,
        key_state: if k.origin == Origin::External {
            KeyState::PendingImport
        } else {
            KeyState::Enabled
        },
        origin: k.origin,
        key_manager: k.manager,
        deletion_date: None,
        pending_window_days: None,
        policy: k.policy,
        tags: k.tags,
        rotation: RotationConfig {
            enabled: false,
            period_days: 365,
            next_rotation: None,
            on_demand_started: None,
        },
        backing_keys,
        grants: Vec::new(),
        multi_region: k
            .multi_region
            .then_some(crate::records::MultiRegionKeyType::Primary),
        import_parameters: Vec::new(),
        sealed: false,
    })
}

/// The default key policy CreateKey attaches when it is given none, in the text GetKeyPolicy
/// returns for it (create-keys.md: "this call to the GetKeyPolicy operation returns the key
/// policy that CreateKey applies"; key-policy-default.md), for `account` in `region`'s partition.
pub fn default_key_policy(region: &str, account: &str) -> String {
    let root = crate::arn::arn("iam", region, account, "root");
    format!(
        r#"{{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {{
    "Sid" : "Enable IAM policies",
    "Effect" : "Allow",
    "Principal" : {{
      "AWS" : "{root}"
    }},
    "Action" : "kms:*",
    "Resource" : "*"
  }} ]
}}"#
    )
}

pub(crate) fn create_key(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    if req.has("KeySpec") && req.has("CustomerMasterKeySpec") {
        return Err(KmsError::validation(
            "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.",
        ));
    }
    let spec_name = req
        .str("KeySpec")
        .or(req.str("CustomerMasterKeySpec"))
        .unwrap_or("SYMMETRIC_DEFAULT");
    let spec = KeySpec::parse(spec_name)
        .ok_or_else(|| KmsError::validation(format!("Invalid KeySpec {spec_name}")))?;
    let usage = match req.str("KeyUsage") {
        Some(u) => KeyUsage::parse(u).ok_or_else(|| KmsError::validation(format!("Invalid KeyUsage {u}")))?,
        None if spec == KeySpec::SymmetricDefault => KeyUsage::EncryptDecrypt,
        None => {
            return Err(KmsError::validation(
                "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.",
            ))
        }
    };
    if !spec.usages().contains(&usage) {
        // No period: AWS's words (LocalStack's test_derive_shared_secret, recorded December 2024).
        return Err(KmsError::validation(format!(
            "KeyUsage {usage} is not compatible with KeySpec {spec}"
        )));
    }
    let origin = req
        .str("Origin")
        .map(|o| Origin::parse(o).unwrap_or(Origin::AwsKms))
        .unwrap_or(Origin::AwsKms);
    // XksKeyId "is not valid for KMS keys with any other Origin value" (its documentation).
    if req.has("XksKeyId") && origin != Origin::ExternalKeyStore {
        return Err(KmsError::validation(
            "XksKeyId is valid only for KMS keys with an Origin of EXTERNAL_KEY_STORE.",
        ));
    }
    // Imported material is for "a symmetric encryption KMS key, HMAC KMS key, asymmetric
    // encryption KMS key, asymmetric key agreement key, or asymmetric signing KMS key"
    // (ImportKeyMaterial): not for ML-KEM keys.
    if origin == Origin::External && usage == KeyUsage::EncapsulateDecapsulate {
        return Err(KmsError::new(
            ErrorType::UnsupportedOperation,
            format!("KMS keys with KeyUsage {usage} do not support imported key material (Origin EXTERNAL)."),
        ));
    }
    match origin {
        Origin::AwsKms | Origin::External => {
            if let Some(store) = req.str("CustomKeyStoreId") {
                return Err(KmsError::new(
                    ErrorType::CustomKeyStoreNotFound,
                    format!("Custom key store {store} does not exist."),
                ));
            }
        }
        Origin::AwsCloudHsm | Origin::ExternalKeyStore => {
            return Err(match req.str("CustomKeyStoreId") {
                Some(store) => KmsError::new(
                    ErrorType::CustomKeyStoreNotFound,
                    format!("Custom key store {store} does not exist."),
                ),
                None => KmsError::validation("A CustomKeyStoreId is required when Origin is AWS_CLOUDHSM or EXTERNAL_KEY_STORE."),
            });
        }
    }
    let multi_region = req.bool("MultiRegion");
    if multi_region {
        super::multi_region::require_multi_region_support(&tx.region)?;
    }
    require_offered(tx, spec, "KeySpec")?;
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
        None => default_key_policy(&tx.region, tx.account_id()),
    };
    // CreateKey with more tags than a key may have: AWS's TagException (LocalStack's
    // test_create_key_with_too_many_tags_raises_error, recorded against AWS in January 2025).
    if req.list("Tags").len() > super::tags::TAGS_PER_KEY {
        return Err(KmsError::tag("Too many tags"));
    }
    let tags = super::tags::parse_tags(req, "Tags", &BTreeMap::new())?;
    let key = new_key(
        tx,
        NewKey {
            spec,
            usage,
            description: req.str("Description").unwrap_or_default().to_string(),
            policy,
            manager: KeyManager::Customer,
            tags,
            origin,
            multi_region,
        },
    )?;
    let metadata = key_metadata(tx, &key);
    tx.put_key(key);
    Ok(json!({ "KeyMetadata": metadata }))
}

pub(crate) fn describe_key(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOrAlias)?;
    Ok(json!({ "KeyMetadata": key_metadata(tx, &key) }))
}

pub(crate) fn list_keys(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    // ResourceOwners: SELF (the default) lists the account's keys; OTHER_ACCOUNTS_VIA_RAM those
    // other accounts share with it, which "doesn't include KMS keys that your Amazon Web Services
    // account owns" (none here: the sandbox has one account). A marker belongs to its choice.
    let mut owners: Vec<&str> = req
        .list("ResourceOwners")
        .iter()
        .filter_map(|o| o.as_str())
        .collect();
    owners.sort_unstable();
    owners.dedup();
    let own = owners.is_empty() || owners.contains(&"SELF");
    let scope = match owners.as_slice() {
        [] | ["SELF"] => "ListKeys".to_string(),
        _ => format!("ListKeys/{}", owners.join(",")),
    };
    let (after, limit) = page_window(req, &scope, 100, 1000)?;
    if !own {
        return Ok(json!({"Keys": [], "Truncated": false}));
    }
    // One more than the page, to know whether it is truncated; a window, not every key, so that
    // a page of a Region of 100,000 keys costs what a page of 100 does.
    // By id, so that keys not read yet are listed without reading them.
    let items = tx
        .key_ids_after(after.as_deref(), limit + 1)
        .into_iter()
        .map(|id| (id.clone(), json!({"KeyId": id, "KeyArn": tx.key_arn(id)})))
        .collect();
    let (keys, extra) = page_of(items, &scope, limit);
    Ok(with(extra, "Keys", Value::Array(keys)))
}

/// Resolves a key the caller may change (not an AWS managed key).
fn customer_key(tx: &Tx<'_>, req: &Req<'_>, operation: &str) -> Result<KeyRecord> {
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOnly)?;
    tx.deny_if_aws_managed(&key, operation)?;
    Ok(key)
}

pub(crate) fn update_key_description(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let mut key = customer_key(tx, req, "UpdateKeyDescription")?;
    require_not_pending_deletion(&key)?;
    key.description = req.req_str("Description").to_string();
    tx.put_key(key);
    Ok(json!({}))
}

pub(crate) fn enable_key(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let mut key = customer_key(tx, req, "EnableKey")?;
    require_not_pending_deletion(&key)?;
    require_not_pending_import(&key)?;
    if key.key_state == KeyState::Disabled {
        key.key_state = KeyState::Enabled;
        // Nothing rotates while a key is disabled; one whose rotation fell due meanwhile
        // rotates as it is enabled, and its period counts from then (GetKeyRotationStatus's
        // documentation). The rotation is made with the due work before the next request.
        if key.rotation.enabled && key.rotation.next_rotation.is_some_and(|d| d < tx.now) {
            key.rotation.next_rotation = Some(tx.now);
        }
        tx.put_key(key);
    }
    Ok(json!({}))
}

/// EnableKey and DisableKey wait for an EXTERNAL key's material (key-state.md footnote 5).
fn require_not_pending_import(key: &KeyRecord) -> Result<()> {
    if key.key_state == KeyState::PendingImport {
        return Err(crate::tx::state_error(key));
    }
    Ok(())
}

pub(crate) fn disable_key(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let mut key = customer_key(tx, req, "DisableKey")?;
    require_not_pending_deletion(&key)?;
    require_not_pending_import(&key)?;
    if key.key_state == KeyState::Enabled {
        key.key_state = KeyState::Disabled;
        tx.put_key(key);
    }
    Ok(json!({}))
}

pub(crate) fn schedule_key_deletion(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    // The model allows 1-365 (checked before, in the model's words); the service accepts 7-30
    // and says so in its own (Skyscanner/kms-issuer#8).
    let days = req.int("PendingWindowInDays").unwrap_or(30);
    if !(7..=30).contains(&days) {
        return Err(KmsError::validation(
            "PendingWindowInDays must be between 7 and 30",
        ));
    }
    let mut key = customer_key(tx, req, "ScheduleKeyDeletion")?;
    require_not_pending_deletion(&key)?;
    key.pending_window_days = Some(days as u32);
    // A multi-Region primary key with replicas waits for them: its waiting period starts when
    // the last replica is deleted.
    if super::multi_region::has_replicas(tx, &key) {
        key.key_state = KeyState::PendingReplicaDeletion;
        key.deletion_date = None;
        let out = json!({
            "KeyId": key.arn,
            "KeyState": "PendingReplicaDeletion",
            "PendingWindowInDays": days,
        });
        tx.put_key(key);
        return Ok(out);
    }
    let deletion = tx.now + days * MILLIS_PER_DAY;
    key.key_state = KeyState::PendingDeletion;
    key.deletion_date = Some(deletion);
    let out = json!({
        "KeyId": key.arn,
        "DeletionDate": wire_time(deletion),
        "KeyState": "PendingDeletion",
        "PendingWindowInDays": days,
    });
    tx.put_key(key);
    Ok(out)
}

pub(crate) fn cancel_key_deletion(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let mut key = customer_key(tx, req, "CancelKeyDeletion")?;
    if !matches!(
        key.key_state,
        KeyState::PendingDeletion | KeyState::PendingReplicaDeletion
    ) {
        return Err(KmsError::invalid_state(format!(
            "{} is not pending deletion.",
            key.arn
        )));
    }
    // AWS puts a key whose deletion is cancelled in the Disabled state; a key still waiting for
    // imported material goes back to waiting for it.
    key.key_state = if key.origin == Origin::External && !key.has_all_material() {
        KeyState::PendingImport
    } else {
        KeyState::Disabled
    };
    key.deletion_date = None;
    key.pending_window_days = None;
    let arn = key.arn.clone();
    tx.put_key(key);
    Ok(json!({ "KeyId": arn }))
}

/// The key's last successful cryptographic use, as the shell noted it (see `crate::usage`).
/// The sandbox tracks every key from its creation.
pub(crate) fn get_key_last_usage(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOnly)?;
    let last = match tx.engine.usage.last_use(&key.region, &key.key_id) {
        Some(u) => json!({
            "Operation": u.operation,
            "Timestamp": wire_time(u.time),
            "CloudTrailEventId": u.event_id,
            "KmsRequestId": u.request_id,
        }),
        None => json!({}),
    };
    Ok(json!({
        "KeyId": key.arn,
        "KeyLastUsage": last,
        "TrackingStartDate": wire_time(key.created),
        "KeyCreationDate": wire_time(key.created),
    }))
}
