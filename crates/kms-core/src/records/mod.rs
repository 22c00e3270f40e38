//! What the engine keeps: one record per KMS key and per alias, per region, and the account's IAM
//! records (`crate::iam`). These are what the shell persists. Secret material is `#[serde(skip)]`:
//! the shell wraps it separately.

use crate::env::Millis;
pub(crate) mod iam;
pub(crate) mod stack;

pub use crate::spec::MultiRegionKeyType;
use crate::spec::{KeyManager, KeySpec, KeyState, KeyUsage, Origin, RotationType};
use crate::wrapping::WrappingParameters;
use crate::Secret;
use iam::IamRecord;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One version of a key's material. Rotation adds one; older ones only decrypt.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackingKey {
    /// 64 lowercase hex characters, AWS's `KeyMaterialId` format.
    pub id: String,
    pub created: Millis,
    /// For rotations; `None` for the key's first material.
    pub rotation_type: Option<RotationType>,
    /// Imported material's import state and expiry; `None` for material KMS generated. Empty
    /// `material` with `imported: false` is material deleted or expired, or (in a replica)
    /// material of the primary not imported here yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import: Option<ImportedMaterial>,
    /// Set it with [`BackingKey::set_material`], which resets `cipher`.
    #[serde(skip)]
    pub material: Secret,
    #[serde(skip)]
    pub(crate) cipher: crate::crypto::GcmCache,
}

/// What KMS keeps about one imported key material (ListKeyRotations shows it).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ImportedMaterial {
    /// `ImportState` IMPORTED (true) or PENDING_IMPORT.
    pub imported: bool,
    /// Imported with ImportType NEW_KEY_MATERIAL into a key that already had material, and not
    /// yet made current by RotateKeyOnDemand (`KeyMaterialState` PENDING_ROTATION).
    #[serde(default)]
    pub pending_rotation: bool,
    /// `KEY_MATERIAL_EXPIRES` when set: the material is deleted at this time.
    pub valid_to: Option<Millis>,
    /// Whether the last import set an expiration model at all (`None` before the first import).
    pub expires: Option<bool>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RotationConfig {
    pub enabled: bool,
    pub period_days: u32,
    pub next_rotation: Option<Millis>,
    pub on_demand_started: Option<Millis>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyRecord {
    pub region: String,
    pub key_id: String,
    pub arn: String,
    pub account_id: String,
    pub created: Millis,
    pub description: String,
    pub key_spec: KeySpec,
    pub key_usage: KeyUsage,
    pub key_state: KeyState,
    pub origin: Origin,
    pub key_manager: KeyManager,
    pub deletion_date: Option<Millis>,
    pub pending_window_days: Option<u32>,
    pub policy: String,
    /// Tags in insertion order is not needed: AWS lists them sorted by key.
    pub tags: BTreeMap<String, String>,
    pub rotation: RotationConfig,
    /// Oldest first; the last one is current.
    pub backing_keys: Vec<BackingKey>,
    /// Grants on the key, oldest first. Deleted with the key, as in AWS.
    #[serde(default)]
    pub grants: Vec<GrantRecord>,
    /// `PRIMARY` or `REPLICA` for a multi-Region key (key id `mrk-...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_region: Option<MultiRegionKeyType>,
    /// Wrapping keys and import tokens GetParametersForImport handed out and still valid. Their
    /// private keys are secret material (skipped by serde, wrapped by the shell).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub import_parameters: Vec<WrappingParameters>,
    /// The shell read this record without unwrapping its secrets (a big sandbox unwraps a key
    /// when it is first used): its materials and wrapping keys are empty placeholders. An
    /// operation that needs them calls `Tx::unsealed`, which asks the shell to
    /// load them ([`crate::Outcome::unseal`]) instead of running on the placeholders.
    #[serde(skip)]
    pub sealed: bool,
}

/// A grant on a key. Enforced: authorization (`ops/authorize.rs`) lets its grantee perform its
/// operations under its constraints, and lets its retiring principal retire it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GrantRecord {
    /// 64 lowercase hex characters, as AWS's grant ids.
    pub grant_id: String,
    /// What CreateGrant returned; RetireGrant accepts it.
    pub token: String,
    /// The tokens retries of the same named CreateGrant returned: AWS's token "is unique with
    /// every CreateGrant request, even when a duplicate GrantId is returned".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retry_tokens: Vec<String>,
    pub name: Option<String>,
    pub created: Millis,
    pub grantee_principal: Option<String>,
    pub grantee_service_principal: Option<String>,
    pub retiring_principal: Option<String>,
    pub retiring_service_principal: Option<String>,
    pub operations: Vec<String>,
    /// `GrantConstraints` as the request gave it (EncryptionContextSubset/Equals, SourceArn).
    pub constraints: Option<serde_json::Value>,
}

impl GrantRecord {
    /// Whether `token` is one CreateGrant returned for this grant.
    pub fn has_token(&self, token: &str) -> bool {
        self.token == token || self.retry_tokens.iter().any(|t| t == token)
    }
}

impl KeyRecord {
    /// The material that encrypts. Only for a key that has material: every key but an
    /// EXTERNAL key before its first import.
    pub fn current(&self) -> &BackingKey {
        self.current_material().expect("a key always has material")
    }

    /// The current material, if the key has any: the newest that is not imported material
    /// waiting for RotateKeyOnDemand.
    pub fn current_material(&self) -> Option<&BackingKey> {
        self.backing_keys
            .iter()
            .rev()
            .find(|b| !b.is_pending_rotation())
    }

    /// Whether every material permanently associated with the key is present (the condition for
    /// an EXTERNAL key to leave PendingImport).
    pub fn has_all_material(&self) -> bool {
        let permanent: Vec<&BackingKey> = self
            .backing_keys
            .iter()
            .filter(|b| !b.is_pending_rotation())
            .collect();
        !permanent.is_empty()
            && permanent
                .iter()
                .all(|b| b.import.as_ref().is_none_or(|i| i.imported))
    }

    pub fn backing_key(&self, id: &str) -> Option<&BackingKey> {
        self.backing_keys.iter().find(|b| b.id == id)
    }
}

impl BackingKey {
    /// Gives the backing key its material (its cipher is made anew on first use).
    pub fn set_material(&mut self, material: Secret) {
        self.material = material;
        self.cipher = Default::default();
    }

    /// The AES-GCM cipher of symmetric material, made once.
    pub(crate) fn gcm(&self) -> &crate::crypto::Gcm {
        self.cipher.get(self.material.expose())
    }

    pub fn is_pending_rotation(&self) -> bool {
        self.import.as_ref().is_some_and(|i| i.pending_rotation)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AliasRecord {
    pub region: String,
    /// `alias/...`
    pub name: String,
    pub arn: String,
    pub target_key_id: String,
    pub created: Millis,
    pub last_updated: Millis,
}

/// A record as stored: what the shell writes and reads back.
#[derive(Debug, Clone)]
pub enum Record {
    Key(KeyRecord),
    Alias(AliasRecord),
    /// A user, role, managed policy, access key or role session (account-wide).
    Iam(IamRecord),
}

/// One change an operation made. The shell persists all of an operation's changes in one
/// transaction, then hands them to [`crate::Engine::apply`]. `DeleteIam` removes the IAM record
/// stored under `storage_key` (one starting `iam/`).
#[derive(Debug, Clone)]
pub enum Change {
    PutKey(KeyRecord),
    DeleteKey { region: String, key_id: String },
    PutAlias(AliasRecord),
    DeleteAlias { region: String, name: String },
    PutIam(IamRecord),
    DeleteIam { storage_key: String },
}

impl Change {
    /// A storage key unique across regions and record kinds, e.g. `key/us-east-1/<uuid>` or
    /// `iam/user/alice`.
    pub fn storage_key(&self) -> String {
        match self {
            Change::PutKey(k) => key_storage_key(&k.region, &k.key_id),
            Change::DeleteKey { region, key_id } => key_storage_key(region, key_id),
            Change::PutAlias(a) => alias_storage_key(&a.region, &a.name),
            Change::DeleteAlias { region, name } => alias_storage_key(region, name),
            Change::PutIam(r) => r.storage_key(),
            Change::DeleteIam { storage_key } => storage_key.clone(),
        }
    }
}

pub fn key_storage_key(region: &str, key_id: &str) -> String {
    format!("key/{region}/{key_id}")
}

pub fn alias_storage_key(region: &str, name: &str) -> String {
    format!("alias/{region}/{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backing(material: &[u8]) -> BackingKey {
        let mut b = BackingKey {
            id: "0".repeat(64),
            created: 0,
            rotation_type: None,
            import: None,
            material: Secret::default(),
            cipher: Default::default(),
        };
        b.set_material(Secret::new(material.to_vec()));
        b
    }

    #[test]
    fn a_cipher_made_on_a_copy_serves_the_original_and_new_material_gets_a_new_one() {
        let original = backing(&[1; 32]);
        let copy = original.clone();
        let sealed = copy.gcm().seal(&[0; 12], b"aad", b"text");
        // Made on the copy (as an operation does), kept for the original.
        assert!(original.cipher.0.get().is_some());
        assert_eq!(
            original
                .gcm()
                .open(&[0; 12], b"aad", &sealed)
                .unwrap()
                .expose(),
            b"text"
        );
        let mut other = original.clone();
        other.set_material(Secret::new(vec![2; 32]));
        assert!(other.gcm().open(&[0; 12], b"aad", &sealed).is_none());
        assert!(original.gcm().open(&[0; 12], b"aad", &sealed).is_some());
    }
}
