//! Tags: TagResource, UntagResource, ListResourceTags, with AWS's limits.

use super::{page, require_not_pending_deletion, resolve, with, Naming};
use crate::error::{KmsError, Result};
use crate::tx::{Req, Tx};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// AWS's quota of tags per KMS key.
pub(crate) const TAGS_PER_KEY: usize = 50;

/// Reads a `Tags` list and merges it over `existing`, enforcing AWS's rules.
pub(crate) fn parse_tags(
    req: &Req<'_>,
    member: &str,
    existing: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>> {
    let mut tags = existing.clone();
    // AWS refuses a request that names a tag key twice rather than keep one of the values
    // (recorded by LocalStack's tests validated against AWS; the words are LocalStack's).
    let mut seen = std::collections::BTreeSet::new();
    for tag in req.list(member) {
        let key = tag
            .get("TagKey")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let value = tag
            .get("TagValue")
            .and_then(Value::as_str)
            .unwrap_or_default();
        // AWS's words (LocalStack's test_create_key_with_invalid_tag_key and
        // test_tag_existing_key_with_invalid_tag_key, recorded against AWS in January 2025).
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(KmsError::tag("Tags beginning with aws: are reserved"));
        }
        if !seen.insert(key) {
            return Err(KmsError::tag("Duplicate tag keys"));
        }
        tags.insert(key.to_string(), value.to_string());
    }
    if tags.len() > TAGS_PER_KEY {
        return Err(KmsError::limit_exceeded(format!(
            "A KMS key can have at most {TAGS_PER_KEY} tags; this request would give it {}.",
            tags.len()
        )));
    }
    Ok(tags)
}

pub(crate) fn tag_resource(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let mut key = resolve(tx, req.req_str("KeyId"), Naming::KeyOnly)?;
    tx.deny_if_aws_managed(&key, "TagResource")?;
    require_not_pending_deletion(&key)?;
    key.tags = parse_tags(req, "Tags", &key.tags)?;
    tx.put_key(key);
    Ok(json!({}))
}

pub(crate) fn untag_resource(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let mut key = resolve(tx, req.req_str("KeyId"), Naming::KeyOnly)?;
    tx.deny_if_aws_managed(&key, "UntagResource")?;
    require_not_pending_deletion(&key)?;
    for k in req.list("TagKeys") {
        if let Some(k) = k.as_str() {
            key.tags.remove(k);
        }
    }
    tx.put_key(key);
    Ok(json!({}))
}

pub(crate) fn list_resource_tags(tx: &mut Tx<'_>, req: &Req<'_>) -> Result<Value> {
    let key = resolve(tx, req.req_str("KeyId"), Naming::KeyOnly)?;
    let items = key
        .tags
        .iter()
        .map(|(k, v)| (k.clone(), json!({"TagKey": k, "TagValue": v})))
        .collect();
    let scope = format!("ListResourceTags/{}", key.key_id);
    let (tags, extra) = page(items, req, &scope, 50, 50)?;
    Ok(with(extra, "Tags", Value::Array(tags)))
}
