//! What IAM and STS keep, account-wide: users, roles, customer managed policies, access keys and
//! role sessions, one record each under a storage key starting `iam/`. Names of users, roles and
//! policies are unique regardless of case, as in IAM, so their storage keys use the lowercased
//! name. Secret access keys and session tokens are `#[serde(skip)]`: the shell wraps them
//! separately (see [`IamRecord::secrets`]).

use crate::env::Millis;
use crate::Secret;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An IAM user.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserRecord {
    pub name: String,
    /// Starts and ends with `/`.
    pub path: String,
    /// `AIDA` and 17 characters.
    pub user_id: String,
    pub arn: String,
    pub created: Millis,
    /// Keys are unique regardless of case; listed sorted.
    pub tags: BTreeMap<String, String>,
    /// Inline policies: name to document, as given.
    pub inline_policies: BTreeMap<String, String>,
    /// ARNs of the attached managed policies, in the order they were attached.
    pub attached_policies: Vec<String>,
}

/// An IAM role.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoleRecord {
    pub name: String,
    pub path: String,
    /// `AROA` and 17 characters.
    pub role_id: String,
    pub arn: String,
    pub created: Millis,
    /// The trust policy, as given.
    pub assume_role_policy: String,
    pub description: Option<String>,
    /// Seconds, 3600 to 43200.
    pub max_session_duration: i64,
    pub tags: BTreeMap<String, String>,
    pub inline_policies: BTreeMap<String, String>,
    pub attached_policies: Vec<String>,
    /// When a session of the role was last made (GetRole's `RoleLastUsed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used: Option<Millis>,
    /// The Region of the STS endpoint that made that session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_region: Option<String>,
}

/// One version of a managed policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyVersionRecord {
    /// `v1`, `v2`, ...
    pub version_id: String,
    pub document: String,
    pub created: Millis,
}

/// A customer managed policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManagedPolicyRecord {
    pub name: String,
    pub path: String,
    /// `ANPA` and 17 characters.
    pub policy_id: String,
    pub arn: String,
    pub description: Option<String>,
    pub created: Millis,
    pub updated: Millis,
    pub default_version: String,
    /// Oldest first; at most five.
    pub versions: Vec<PolicyVersionRecord>,
    /// The number the next version gets (IAM never reuses one).
    pub next_version: u32,
    pub tags: BTreeMap<String, String>,
}

impl ManagedPolicyRecord {
    /// The document of the default version.
    pub fn document(&self) -> &str {
        self.version(&self.default_version)
            .map(|v| v.document.as_str())
            .unwrap_or_default()
    }

    pub fn version(&self, version_id: &str) -> Option<&PolicyVersionRecord> {
        self.versions.iter().find(|v| v.version_id == version_id)
    }
}

/// `Active` or `Inactive`, as IAM names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccessKeyStatus {
    Active,
    Inactive,
}

impl AccessKeyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessKeyStatus::Active => "Active",
            AccessKeyStatus::Inactive => "Inactive",
        }
    }
}

/// A long-term access key of a user, or of the account's root user.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessKeyRecord {
    /// `AKIA` and 16 characters.
    pub access_key_id: String,
    /// The owner; `None` for the root user's keys.
    pub user_name: Option<String>,
    /// The owner's `AIDA...` id, so that a key never passes to a later user of the same name.
    pub user_id: Option<String>,
    pub status: AccessKeyStatus,
    pub created: Millis,
    /// Deleted: kept (without its secret) so that a request signed with it is refused, as AWS
    /// refuses a deleted key, rather than taken for placeholder credentials.
    #[serde(default)]
    pub deleted: bool,
    /// 40 characters, as UTF-8 bytes.
    #[serde(skip)]
    pub secret_access_key: Secret,
}

/// Temporary credentials of a role session, from AssumeRole. They stop working at `expiration`
/// (by the injected clock); a session outlives its role, with none of its policies.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionRecord {
    /// `ASIA` and 16 characters.
    pub access_key_id: String,
    pub role_name: String,
    pub role_path: String,
    pub role_id: String,
    pub session_name: String,
    pub created: Millis,
    pub expiration: Millis,
    /// Session tags (they override the role's tags of the same key).
    pub tags: BTreeMap<String, String>,
    /// Session policies: an inline document and managed policy ARNs. They limit the session to
    /// what both they and the role's policies allow.
    pub policy: Option<String>,
    pub policy_arns: Vec<String>,
    pub source_identity: Option<String>,
    /// The secret access key, as UTF-8 bytes.
    #[serde(skip)]
    pub secret_access_key: Secret,
    /// The session token, as UTF-8 bytes.
    #[serde(skip)]
    pub session_token: Secret,
    /// Expired, and kept only to refuse its access key (see [`SessionRecord::spent`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub spent: bool,
}

impl SessionRecord {
    /// What is kept of an expired session: its access key id and role, for requests signed with
    /// it to get `ExpiredToken` (an access key the sandbox did not issue acts as the account root,
    /// see `Engine::caller_for_signature`). No secrets, tags or policies.
    pub fn spent(&self) -> SessionRecord {
        SessionRecord {
            access_key_id: self.access_key_id.clone(),
            role_name: self.role_name.clone(),
            role_path: self.role_path.clone(),
            role_id: self.role_id.clone(),
            session_name: self.session_name.clone(),
            created: self.created,
            expiration: self.expiration,
            tags: BTreeMap::new(),
            policy: None,
            policy_arns: Vec::new(),
            source_identity: None,
            secret_access_key: Secret::default(),
            session_token: Secret::default(),
            spent: true,
        }
    }
}

/// One IAM or STS record, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum IamRecord {
    User(UserRecord),
    Role(RoleRecord),
    Policy(ManagedPolicyRecord),
    AccessKey(AccessKeyRecord),
    Session(SessionRecord),
    /// A CloudFormation stack (regional; kept with the account's records of the non-KMS
    /// services so that it is stored the same way: see [`crate::cloudformation`]).
    Stack(Box<super::stack::StackRecord>),
}

impl IamRecord {
    /// Where the record is stored: `iam/user/<lowercased name>`, `iam/role/<...>`,
    /// `iam/policy/<...>`, `iam/access-key/<id>`, `iam/session/<access key id>`.
    pub fn storage_key(&self) -> String {
        match self {
            IamRecord::User(u) => user_key(&u.name),
            IamRecord::Role(r) => role_key(&r.name),
            IamRecord::Policy(p) => policy_key(&p.name),
            IamRecord::AccessKey(k) => access_key_key(&k.access_key_id),
            IamRecord::Session(s) => session_key(&s.access_key_id),
            IamRecord::Stack(s) => s.storage_key(),
        }
    }

    /// The record's secret material by name (`secret_access_key`, `session_token`), for the
    /// shell to wrap before it stores the record; none for users, roles and policies.
    pub fn secrets(&self) -> Vec<(&'static str, &Secret)> {
        match self {
            IamRecord::AccessKey(k) => vec![("secret_access_key", &k.secret_access_key)],
            IamRecord::Session(s) => vec![
                ("secret_access_key", &s.secret_access_key),
                ("session_token", &s.session_token),
            ],
            _ => vec![],
        }
    }

    /// Puts back secret material the shell unwrapped after reading the record. False for a name
    /// the record has no secret under.
    pub fn set_secret(&mut self, name: &str, secret: Secret) -> bool {
        let slot = match (self, name) {
            (IamRecord::AccessKey(k), "secret_access_key") => &mut k.secret_access_key,
            (IamRecord::Session(s), "secret_access_key") => &mut s.secret_access_key,
            (IamRecord::Session(s), "session_token") => &mut s.session_token,
            _ => return false,
        };
        *slot = secret;
        true
    }
}

pub const USER_PREFIX: &str = "iam/user/";
pub const ROLE_PREFIX: &str = "iam/role/";
pub const POLICY_PREFIX: &str = "iam/policy/";
pub const ACCESS_KEY_PREFIX: &str = "iam/access-key/";
pub const SESSION_PREFIX: &str = "iam/session/";

pub fn user_key(name: &str) -> String {
    format!("{USER_PREFIX}{}", name.to_lowercase())
}

pub fn role_key(name: &str) -> String {
    format!("{ROLE_PREFIX}{}", name.to_lowercase())
}

pub fn policy_key(name: &str) -> String {
    format!("{POLICY_PREFIX}{}", name.to_lowercase())
}

pub fn access_key_key(access_key_id: &str) -> String {
    format!("{ACCESS_KEY_PREFIX}{access_key_id}")
}

pub fn session_key(access_key_id: &str) -> String {
    format!("{SESSION_PREFIX}{access_key_id}")
}

/// The IAM records of an account, by storage key.
#[derive(Debug, Default, Clone)]
pub struct IamState {
    pub(crate) records: BTreeMap<String, IamRecord>,
}

impl IamState {
    pub(crate) fn put(&mut self, record: IamRecord) {
        self.records.insert(record.storage_key(), record);
    }

    pub(crate) fn remove(&mut self, storage_key: &str) {
        self.records.remove(storage_key);
    }
}

/// Typed reads of IAM records, the same over the engine's state and an operation's overlay.
pub(crate) trait IamView {
    fn get(&self, storage_key: &str) -> Option<&IamRecord>;
    /// Every record whose storage key starts with `prefix`, by storage key.
    fn scan(&self, prefix: &str) -> Vec<&IamRecord>;

    fn user(&self, name: &str) -> Option<&UserRecord> {
        match self.get(&user_key(name)) {
            Some(IamRecord::User(u)) => Some(u),
            _ => None,
        }
    }
    fn role(&self, name: &str) -> Option<&RoleRecord> {
        match self.get(&role_key(name)) {
            Some(IamRecord::Role(r)) => Some(r),
            _ => None,
        }
    }
    fn policy_named(&self, name: &str) -> Option<&ManagedPolicyRecord> {
        match self.get(&policy_key(name)) {
            Some(IamRecord::Policy(p)) => Some(p),
            _ => None,
        }
    }
    /// A customer managed policy by its exact ARN.
    fn policy(&self, arn: &str) -> Option<&ManagedPolicyRecord> {
        let name = arn.rsplit('/').next()?;
        self.policy_named(name).filter(|p| p.arn == arn)
    }
    fn access_key(&self, id: &str) -> Option<&AccessKeyRecord> {
        match self.get(&access_key_key(id)) {
            Some(IamRecord::AccessKey(k)) => Some(k),
            _ => None,
        }
    }
    fn session(&self, id: &str) -> Option<&SessionRecord> {
        match self.get(&session_key(id)) {
            Some(IamRecord::Session(s)) => Some(s),
            _ => None,
        }
    }
    fn all_users(&self) -> Vec<&UserRecord> {
        self.scan(USER_PREFIX)
            .into_iter()
            .filter_map(|r| match r {
                IamRecord::User(u) => Some(u),
                _ => None,
            })
            .collect()
    }
    fn all_roles(&self) -> Vec<&RoleRecord> {
        self.scan(ROLE_PREFIX)
            .into_iter()
            .filter_map(|r| match r {
                IamRecord::Role(r) => Some(r),
                _ => None,
            })
            .collect()
    }
    fn all_policies(&self) -> Vec<&ManagedPolicyRecord> {
        self.scan(POLICY_PREFIX)
            .into_iter()
            .filter_map(|r| match r {
                IamRecord::Policy(p) => Some(p),
                _ => None,
            })
            .collect()
    }
    fn all_access_keys(&self) -> Vec<&AccessKeyRecord> {
        self.scan(ACCESS_KEY_PREFIX)
            .into_iter()
            .filter_map(|r| match r {
                IamRecord::AccessKey(k) if !k.deleted => Some(k),
                _ => None,
            })
            .collect()
    }
    fn all_sessions(&self) -> Vec<&SessionRecord> {
        self.scan(SESSION_PREFIX)
            .into_iter()
            .filter_map(|r| match r {
                IamRecord::Session(s) => Some(s),
                _ => None,
            })
            .collect()
    }
}

pub(crate) fn prefixed<'a, V>(
    map: &'a BTreeMap<String, V>,
    prefix: &str,
) -> impl Iterator<Item = (&'a String, &'a V)> {
    let prefix = prefix.to_string();
    map.range(prefix.clone()..)
        .take_while(move |(k, _)| k.starts_with(&prefix))
}

impl IamView for IamState {
    fn get(&self, storage_key: &str) -> Option<&IamRecord> {
        self.records.get(storage_key)
    }
    fn scan(&self, prefix: &str) -> Vec<&IamRecord> {
        prefixed(&self.records, prefix).map(|(_, r)| r).collect()
    }
}
