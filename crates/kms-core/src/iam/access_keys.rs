//! Long-term access keys of users and of the root user: at most two each, `Active` or
//! `Inactive`. Without a `UserName` the operations act on the caller's own keys, as IAM does.

use super::entities::{needs_user_name, no_such_user};
use super::{listed, IamTx, IamView};
use crate::caller::Identity;
use crate::error::{KmsError, Result};
use crate::records::iam::{AccessKeyRecord, AccessKeyStatus, IamRecord};
use crate::tx::{wire_time, Req};
use serde_json::{json, Map, Value};

const ACCESS_KEYS_PER_USER: usize = 2;

/// Whose keys: a user (name and id), or the root user (`None`).
type Owner = Option<(String, String)>;

fn owner(tx: &IamTx<'_>, req: &Req<'_>) -> Result<Owner> {
    let name = match (req.str("UserName"), &tx.caller.identity) {
        (Some(name), _) => name,
        (None, Identity::User { name, .. }) => name.as_str(),
        (None, Identity::Root { .. }) => return Ok(None),
        (None, Identity::AssumedRole { .. }) => return Err(needs_user_name()),
    };
    let u = tx.user(name).ok_or_else(|| no_such_user(name))?;
    Ok(Some((u.name.clone(), u.user_id.clone())))
}

fn owned_by(k: &AccessKeyRecord, owner: &Owner) -> bool {
    k.user_id.as_deref() == owner.as_ref().map(|(_, id)| id.as_str())
}

fn metadata(k: &AccessKeyRecord) -> Map<String, Value> {
    let mut m = Map::new();
    if let Some(name) = &k.user_name {
        m.insert("UserName".into(), json!(name));
    }
    m.insert("AccessKeyId".into(), json!(k.access_key_id));
    m.insert("Status".into(), json!(k.status.as_str()));
    m.insert("CreateDate".into(), wire_time(k.created));
    m
}

fn no_such_key(id: &str) -> KmsError {
    KmsError::no_such_entity(format!("The Access Key with id {id} cannot be found."))
}

/// The owner's key `AccessKeyId`, copied out to be changed.
fn load(tx: &IamTx<'_>, req: &Req<'_>) -> Result<AccessKeyRecord> {
    let owner = owner(tx, req)?;
    let id = req.req_str("AccessKeyId");
    tx.access_key(id)
        .filter(|k| !k.deleted && owned_by(k, &owner))
        .cloned()
        .ok_or_else(|| no_such_key(id))
}

pub(crate) fn create_access_key(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let owner = owner(tx, req)?;
    let count = tx
        .all_access_keys()
        .iter()
        .filter(|k| owned_by(k, &owner))
        .count();
    if count >= ACCESS_KEYS_PER_USER {
        return Err(KmsError::iam_limit_exceeded(format!(
            "Cannot exceed quota for AccessKeysPerUser: {ACCESS_KEYS_PER_USER}"
        )));
    }
    let access_key_id = tx.new_access_key_id("AKIA");
    let secret = tx.new_secret(40);
    let (user_name, user_id) = owner.unzip();
    let k = AccessKeyRecord {
        access_key_id,
        user_name,
        user_id,
        status: AccessKeyStatus::Active,
        deleted: false,
        created: tx.now,
        secret_access_key: secret,
    };
    let mut out = metadata(&k);
    out.insert(
        "SecretAccessKey".into(),
        json!(String::from_utf8_lossy(k.secret_access_key.expose())),
    );
    tx.put(IamRecord::AccessKey(k));
    Ok(json!({"AccessKey": out}))
}

pub(crate) fn list_access_keys(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let owner = owner(tx, req)?;
    let keys = tx
        .all_access_keys()
        .into_iter()
        .filter(|k| owned_by(k, &owner))
        .map(|k| {
            (
                format!("{:020}{}", k.created, k.access_key_id),
                Value::Object(metadata(k)),
            )
        })
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_iter()
        .collect();
    listed("AccessKeyMetadata", keys, req)
}

pub(crate) fn update_access_key(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let mut k = load(tx, req)?;
    k.status = match req.req_str("Status") {
        "Active" => AccessKeyStatus::Active,
        "Inactive" => AccessKeyStatus::Inactive,
        other => {
            return Err(KmsError::invalid_input(format!(
                "Invalid status {other}: an access key is Active or Inactive."
            )))
        }
    };
    tx.put(IamRecord::AccessKey(k));
    Ok(json!({}))
}

pub(crate) fn delete_access_key(tx: &mut IamTx<'_>, req: &Req<'_>) -> Result<Value> {
    let mut k = load(tx, req)?;
    k.deleted = true;
    k.status = AccessKeyStatus::Inactive;
    k.secret_access_key = crate::Secret::new(Vec::new());
    tx.put(IamRecord::AccessKey(k));
    Ok(json!({}))
}
