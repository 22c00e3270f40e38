//! Aliases: CreateAlias, UpdateAlias, DeleteAlias, ListAliases, with AWS's name rules.

use super::{page, page_of, page_window, require_not_pending_deletion, resolve, with, Naming};
use crate::error::{KmsError, Result};
use crate::records::{AliasRecord, KeyRecord};
use crate::tx::{wire_time, Req, Tx};
use serde_json::{json, Value};

/// AWS's quota of aliases per KMS key.
const ALIASES_PER_KEY: usize = 50;

fn check_alias_name(name: &str) -> Result<()> {
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '_' | '-'))
    {
        return Err(KmsError::validation(format!(
            "1 validation error detected: Value '{name}' at 'aliasName' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"
        )));
    }
    if !name.starts_with("alias/") || name.len() == "alias/".len() {
        // AWS answers a name without the prefix with a ValidationException, in these words.
        return Err(KmsError::validation(
            "Alias must start with the prefix \"alias/\". Please see \
             https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html",
        ));
    }
    Ok(())
}

/// The model's pattern admits `:`, but CreateAlias and UpdateAlias refuse it, naming the whole
/// AliasName (terraform-provider-aws#12891: "alias/Service:Test contains invalid characters for
/// an alias").
fn refuse_colon(name: &str) -> Result<()> {
    if name.contains(':') {
        return Err(KmsError::validation(format!(
            "{name} contains invalid characters for an alias"
        )));
    }
    Ok(())
}

/// CreateAlias refuses the prefix AWS reserves for its managed keys (InvalidAliasNameException,
/// which only CreateAlias's error list has).
fn refuse_reserved(tx: &Tx<'_>, name: &str) -> Result<()> {
    if name.starts_with("alias/aws/") {
        return Err(KmsError::invalid_alias_name(format!(
            "Cannot create {}: the alias/aws/ prefix is reserved for AWS managed keys.",
            tx.alias_arn(name)
        )));
    }
    Ok(())
}

fn not_found(tx: &Tx<'_>, name: &str) -> KmsError {
    KmsError::not_found(format!("Alias {} is not found.", tx.alias_arn(name)))
}

/// An existing alias the caller may change: an alias of an AWS managed key is refused as AWS
/// refuses it (the key's policy allows no one to), not as an invalid name.
fn changeable_alias(tx: &Tx<'_>, name: &str, operation: &str) -> Result<AliasRecord> {
    let alias = tx.alias(name).cloned().ok_or_else(|| not_found(tx, name))?;
    if let Some(current) = tx.key(&alias.target_key_id) {
        tx.deny_if_aws_managed(current, operation)?;
    }
    Ok(alias)
}

fn check_alias_quota(tx: &Tx<'_>, key: &KeyRecord) -> Result<()> {
    if tx
        .all_aliases()
        .iter()
        .filter(|a| a.target_key_id == key.key_id)
        .count()
        >= ALIASES_PER_KEY
    {
        return Err(KmsError::limit_exceeded(format!(
            "The request was rejected because {} already has {ALIASES_PER_KEY} aliases.",
            key.arn
        )));
    }
    Ok(())
}

fn alias_target(tx: &Tx<'_>, target: &str, operation: &str) -> Result<KeyRecord> {
    // Not the InvalidArnException of other key-only KeyIds (AWS's words, as moto records them).
    if crate::resolve::names_alias(target) {
        return Err(KmsError::validation(
            "Aliases must refer to keys. Not aliases",
        ));
    }
    let key = resolve(tx, target, Naming::KeyOnly)?;
    tx.deny_if_aws_managed(&key, operation)?;
    require_not_pending_deletion(&key)?;
    Ok(key)
}

pub(crate) fn create_alias(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let name = req.req_str("AliasName");
    check_alias_name(name)?;
    refuse_colon(name)?;
    refuse_reserved(tx, name)?;
    if tx.alias(name).is_some() {
        return Err(KmsError::already_exists(format!(
            "An alias with the name {} already exists",
            tx.alias_arn(name)
        )));
    }
    let key = alias_target(tx, req.req_str("TargetKeyId"), "CreateAlias")?;
    check_alias_quota(tx, &key)?;
    tx.put_alias(AliasRecord {
        region: tx.region.clone(),
        name: name.to_string(),
        arn: tx.alias_arn(name),
        target_key_id: key.key_id,
        created: tx.now,
        last_updated: tx.now,
    });
    Ok(json!({}))
}

pub(crate) fn update_alias(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let name = req.req_str("AliasName");
    check_alias_name(name)?;
    refuse_colon(name)?;
    let mut alias = changeable_alias(tx, name, "UpdateAlias")?;
    let new_target = alias_target(tx, req.req_str("TargetKeyId"), "UpdateAlias")?;
    if let Some(current) = tx.key(&alias.target_key_id) {
        let kind = |k: &KeyRecord| {
            (
                k.key_spec.is_asymmetric(),
                k.key_spec.is_hmac(),
                k.key_usage,
            )
        };
        if kind(current) != kind(&new_target) {
            return Err(KmsError::validation(format!(
                "{} and {} are not the same key type and key usage. An alias can only be moved to a KMS key of the same type and usage.",
                current.arn, new_target.arn
            )));
        }
    }
    if alias.target_key_id != new_target.key_id {
        check_alias_quota(tx, &new_target)?;
    }
    alias.target_key_id = new_target.key_id;
    alias.last_updated = tx.now;
    tx.put_alias(alias);
    Ok(json!({}))
}

pub(crate) fn delete_alias(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let name = req.req_str("AliasName");
    check_alias_name(name)?;
    changeable_alias(tx, name, "DeleteAlias")?;
    tx.delete_alias(name);
    Ok(json!({}))
}

pub(crate) fn list_aliases(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let entry = |a: &AliasRecord| {
        (
            a.name.clone(),
            json!({
                "AliasName": a.name,
                "AliasArn": a.arn,
                "TargetKeyId": a.target_key_id,
                "CreationDate": wire_time(a.created),
                "LastUpdatedDate": wire_time(a.last_updated),
            }),
        )
    };
    let (aliases, extra) = match req.str("KeyId") {
        Some(k) => {
            let key_id = resolve(tx, k, Naming::KeyOnly)?.key_id;
            let items = tx
                .all_aliases()
                .into_iter()
                .filter(|a| a.target_key_id == key_id)
                .map(entry)
                .collect();
            page(items, req, &format!("ListAliases/{key_id}"), 50, 100)?
        }
        // Every alias of the Region: only the page's window is read (and made JSON).
        None => {
            let (after, limit) = page_window(req, "ListAliases", 50, 100)?;
            let items = tx
                .aliases_after(after.as_deref(), limit + 1)
                .into_iter()
                .map(entry)
                .collect();
            page_of(items, "ListAliases", limit)
        }
    };
    Ok(with(extra, "Aliases", Value::Array(aliases)))
}
