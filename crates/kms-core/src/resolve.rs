//! How a request's KeyId names a key: AWS's resolution of key ids, key ARNs, alias names and
//! alias ARNs against a transaction. Shared by the operations and by the CloudTrail records,
//! which name the keys a request resolved to.

use crate::error::{KmsError, Result};
use crate::records::KeyRecord;
use crate::tx::Tx;

/// How an operation's KeyId parameter may name a key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Naming {
    /// Key ID or key ARN only.
    KeyOnly,
    /// Also an alias name or alias ARN.
    KeyOrAlias,
}

impl Naming {
    /// How `operation`'s KeyId names a key: the cryptographic operations that use a key (the
    /// model's KeyLastUsageTrackingOperation), GetPublicKey and DescribeKey take an alias too.
    pub(crate) fn of(operation: &str) -> Naming {
        if crate::usage::TRACKED_OPERATIONS.contains(&operation)
            || matches!(operation, "GetPublicKey" | "DescribeKey")
        {
            Naming::KeyOrAlias
        } else {
            Naming::KeyOnly
        }
    }
}

fn is_key_id(s: &str) -> bool {
    if let Some(hex) = s.strip_prefix("mrk-") {
        return hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// Whether a KeyId names an alias (an alias name or alias ARN) rather than a key.
pub(crate) fn names_alias(key_id: &str) -> bool {
    alias_named(key_id).is_some()
}

/// The alias name a KeyId names (an alias name, or an alias ARN's `alias/...`), if it does.
pub(crate) fn alias_named(key_id: &str) -> Option<&str> {
    if key_id.starts_with("alias/") {
        return Some(key_id);
    }
    key_id
        .strip_prefix("arn:")
        .and_then(|rest| rest.splitn(5, ':').nth(4))
        .filter(|r| r.starts_with("alias/"))
}

/// Finds the key a KeyId parameter names, as AWS resolves key IDs, key ARNs, alias names and
/// alias ARNs.
pub(crate) fn resolve(tx: &Tx<'_>, key_id: &str, naming: Naming) -> Result<KeyRecord> {
    resolve_ref(tx, key_id, naming).cloned()
}

/// [`resolve`], borrowing the key.
pub(crate) fn resolve_ref<'t>(
    tx: &'t Tx<'_>,
    key_id: &str,
    naming: Naming,
) -> Result<&'t KeyRecord> {
    // Refused before any lookup, in AWS's words (many users' reports, e.g. GetKeyPolicy: "An
    // error occurred (InvalidArnException) ... Key Aliases are not supported for this operation.").
    if naming == Naming::KeyOnly && names_alias(key_id) {
        return Err(KmsError::invalid_arn(
            "Key Aliases are not supported for this operation.",
        ));
    }
    let not_found = || KmsError::not_found(format!("Key '{}' does not exist", tx.key_arn(key_id)));
    let alias_target = |name: &str| -> Result<&'t KeyRecord> {
        let alias = tx.alias(name).ok_or_else(|| {
            KmsError::not_found(format!("Alias {} is not found.", tx.alias_arn(name)))
        })?;
        tx.key(&alias.target_key_id).ok_or_else(|| {
            KmsError::not_found(format!("Alias {} is not found.", tx.alias_arn(name)))
        })
    };
    if let Some(rest) = key_id.strip_prefix("arn:") {
        // arn:<partition>:kms:<region>:<account>:key/<id> or ...:alias/<name>
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        if parts.len() != 5 || parts[1] != "kms" {
            return Err(KmsError::not_found(format!("Invalid arn {key_id}")));
        }
        let (partition, region, account, resource) = (parts[0], parts[2], parts[3], parts[4]);
        if region != tx.region {
            return Err(KmsError::not_found(format!("Invalid arn {region}")));
        }
        // A key of this Region is named in its partition only (`arn:aws-cn:` in cn-north-1).
        if partition != crate::arn::partition(&tx.region) {
            return Err(KmsError::not_found(format!("Invalid arn {key_id}")));
        }
        if account != tx.account_id() {
            return Err(KmsError::not_found(format!("Invalid arn {key_id}")));
        }
        if let Some(id) = resource.strip_prefix("key/") {
            if !is_key_id(id) {
                // Unquoted, unlike a bare KeyId's "Invalid keyId 'foo'".
                return Err(KmsError::not_found(format!("Invalid keyId {id}")));
            }
            return tx
                .key(id)
                .ok_or_else(|| KmsError::not_found(format!("Key '{key_id}' does not exist")));
        }
        if resource.starts_with("alias/") {
            return alias_target(resource);
        }
        return Err(KmsError::not_found(format!("Invalid arn {key_id}")));
    }
    if key_id.starts_with("alias/") {
        return alias_target(key_id);
    }
    if !is_key_id(key_id) {
        return Err(KmsError::not_found(format!("Invalid keyId '{key_id}'")));
    }
    tx.key(&key_id.to_ascii_lowercase()).ok_or_else(not_found)
}
