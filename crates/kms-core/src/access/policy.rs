//! Policy documents: JSON text parsed, validated as AWS validates it, and compiled into a form
//! that is cheap to evaluate (wildcard shapes worked out, condition keys lowercased, principal
//! ARNs taken apart). Parse once; evaluate many times.

use super::condition::{Condition, ConditionError};
use super::messages::{iam, kms};
use super::pattern::{Action, ActionPattern, ArnPattern};
use crate::caller::{Caller, Identity};
use serde_json::{Map, Value};
use std::fmt;

/// The policy language's current version; only under it are `${...}` policy variables.
pub const VERSION_2012: &str = "2012-10-17";
const VERSION_2008: &str = "2008-10-17";

/// Which kind of policy a document is, which decides what it must and must not contain and
/// whose words its errors use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// A resource-based policy as KMS takes a key policy (CreateKey, PutKeyPolicy): every
    /// statement names a `Principal` (or `NotPrincipal`). As KMS documents, a statement without
    /// `Action` or `Resource` is accepted but has no effect; `Resource: "*"` means the key.
    Resource,
    /// An IAM identity-based policy (managed or inline): no `Principal`; `Action` and `Resource`
    /// required; IAM's MalformedPolicyDocument messages.
    Identity,
    /// An IAM role trust policy (CreateRole's AssumeRolePolicyDocument): `Principal` required,
    /// no `Resource` (the statement is about the role itself).
    Trust,
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    Allow,
    Deny,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a policy document was rejected: AWS's message (for the MalformedPolicyDocument error),
/// and the detail of what is wrong where (for the console; AWS's messages rarely say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub message: String,
    pub detail: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if !self.detail.is_empty() {
            write!(f, " ({})", self.detail)?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    kind: PolicyKind,
    version: Option<String>,
    id: Option<String>,
    statements: Vec<Statement>,
}

/// One statement of a policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    index: usize,
    sid: Option<String>,
    effect: Effect,
    principals: Option<Principals>,
    actions: Option<Actions>,
    resources: Option<Resources>,
    conditions: Box<[Condition]>,
}

/// A statement's `Principal` or `NotPrincipal`.
#[derive(Debug, Clone, PartialEq)]
pub struct Principals {
    negated: bool,
    /// One of the entries is `*`.
    any: bool,
    entries: Box<[Principal]>,
}

/// The kind of principal, as the JSON names it (`"AWS"`, `"Service"`, ...); `"*"` is `Aws`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalType {
    Aws,
    Service,
    Federated,
    CanonicalUser,
}

impl PrincipalType {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::Federated => "Federated",
            PrincipalType::CanonicalUser => "CanonicalUser",
        }
    }
}

/// One principal named by a policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    kind: PrincipalType,
    raw: Box<str>,
    id: PrincipalId,
}

/// What an `AWS` principal names, taken apart for matching without building ARNs.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PrincipalId {
    /// `*`
    Any,
    /// `111122223333` or `arn:aws:iam::111122223333:root`: the account (its root user, and
    /// through IAM policies, its users and roles).
    Account(Box<str>),
    /// `arn:aws:iam::A:user/path/name`: `rest` is `/path/name`.
    User {
        account: Box<str>,
        rest: Box<str>,
    },
    /// `arn:aws:iam::A:role/path/name`: every session of the role.
    Role {
        account: Box<str>,
        rest: Box<str>,
    },
    /// `arn:aws:sts::A:assumed-role/role/session`: that session.
    Session {
        account: Box<str>,
        role: Box<str>,
        session: Box<str>,
    },
    /// A unique id (`AIDA...` of a user, `AROA...` of a role): what KMS shows for a principal
    /// deleted after the policy named it.
    UserId(Box<str>),
    RoleId(Box<str>),
    /// Federated users, services, web identities, S3 canonical users: valid, never a caller of
    /// this sandbox.
    Other,
}

/// A statement's `Action` or `NotAction`.
#[derive(Debug, Clone, PartialEq)]
struct Actions {
    negated: bool,
    /// Each pattern's (head, mask) filter, apart, so the scan of a long list is a tight loop.
    filters: Box<[(u64, u64)]>,
    list: Box<[ActionPattern]>,
}

/// A statement's `Resource` or `NotResource`.
#[derive(Debug, Clone, PartialEq)]
struct Resources {
    negated: bool,
    /// `Resource: "*"` (or a list holding it): covers every resource.
    any: bool,
    list: Box<[ArnPattern]>,
}

/// How a resource-policy statement's principals name the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PrincipalMatch {
    /// By its own ARN (user, role, session), by `*`, or by not being in `NotPrincipal`.
    Direct,
    /// Only through its account (`arn:aws:iam::A:root` or `A`): for anyone but the root user,
    /// the policy delegates to the account's IAM policies.
    Account,
}

/// The facets of a caller a principal can name: AWS checks a user as its account and the user,
/// and a role session as its account and the session, which its role's ARN names too. (So a
/// `NotPrincipal` exempts a session when it lists the account and the role or the session.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Facet {
    Account,
    User,
    Session,
}

impl Policy {
    /// Parses and validates `text` as a policy of `kind`, as AWS would on CreateKey or
    /// PutKeyPolicy (`Resource`), CreatePolicy or PutUserPolicy (`Identity`), CreateRole
    /// (`Trust`). The caller checks what needs the world: size quotas, and that the principals
    /// exist (see [`Policy::principals`]).
    pub fn parse(text: &str, kind: PolicyKind) -> Result<Policy, PolicyError> {
        Parser::new(kind).parse(text)
    }

    pub fn kind(&self) -> PolicyKind {
        self.kind
    }

    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// Every principal the policy names, in `Principal` and `NotPrincipal` alike.
    pub fn principals(&self) -> impl Iterator<Item = &Principal> {
        self.statements
            .iter()
            .filter_map(|s| s.principals.as_ref())
            .flat_map(|p| p.entries.iter())
    }
}

impl Statement {
    /// The statement's position in the policy, from 0.
    pub fn index(&self) -> usize {
        self.index
    }

    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }

    /// The Sid in quotes, or the statement's position (from 1) when it has none.
    pub fn label(&self) -> String {
        match &self.sid {
            Some(sid) => format!("\"{sid}\""),
            None => format!("#{}", self.index + 1),
        }
    }

    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// `Principal` or `NotPrincipal` (see [`Principals::is_not_principal`]).
    pub fn principals(&self) -> Option<&Principals> {
        self.principals.as_ref()
    }

    /// The `Action` (or `NotAction`) entries as written.
    pub fn actions(&self) -> impl Iterator<Item = &str> {
        self.actions
            .iter()
            .flat_map(|a| a.list.iter().map(ActionPattern::raw))
    }

    pub fn is_not_action(&self) -> bool {
        self.actions.as_ref().is_some_and(|a| a.negated)
    }

    /// The `Resource` (or `NotResource`) entries as written.
    pub fn resources(&self) -> impl Iterator<Item = &str> {
        self.resources
            .iter()
            .flat_map(|r| r.list.iter().map(ArnPattern::raw))
    }

    pub fn is_not_resource(&self) -> bool {
        self.resources.as_ref().is_some_and(|r| r.negated)
    }

    pub fn conditions(&self) -> &[Condition] {
        &self.conditions
    }

    /// Whether the statement covers `action` (lowercased: actions match case-insensitively).
    /// A statement without `Action` covers nothing.
    #[inline]
    pub(crate) fn covers_action(&self, action: &Action<'_>) -> bool {
        match &self.actions {
            None => false,
            Some(a) => {
                let head = action.head();
                // A branch-free pass first: most statements have no pattern that gets past its
                // filter.
                let maybe = a
                    .filters
                    .iter()
                    .fold(false, |any, &(h, m)| any | (head & m == h));
                let hit = maybe
                    && a.filters
                        .iter()
                        .zip(a.list.iter())
                        .any(|(&(h, m), p)| head & m == h && p.matches_past_filter(action));
                hit != a.negated
            }
        }
    }

    /// Whether the statement covers `resource` (case-sensitive, with wildcards and variables).
    /// Without `Resource`, a trust policy statement covers its role and any other statement
    /// covers nothing.
    pub(crate) fn covers_resource(
        &self,
        resource: &str,
        kind: PolicyKind,
        ctx: &super::Context,
    ) -> bool {
        match &self.resources {
            None => kind == PolicyKind::Trust,
            Some(r) if r.any => !r.negated,
            Some(r) => r.list.iter().any(|p| p.matches(resource, ctx)) != r.negated,
        }
    }

    pub(crate) fn conditions_hold(&self, ctx: &super::Context) -> bool {
        self.conditions.iter().all(|c| c.holds(ctx))
    }

    /// How the statement's `Principal`/`NotPrincipal` names `caller`, if it does.
    pub(crate) fn principal_match(&self, caller: &Caller) -> Option<PrincipalMatch> {
        let p = self.principals.as_ref()?;
        if p.any {
            return (!p.negated).then_some(PrincipalMatch::Direct);
        }
        if p.negated {
            // The statement applies unless every facet of the caller is listed.
            let excluded = facets(caller)
                .iter()
                .all(|&f| p.entries.iter().any(|e| e.covers(caller, f)));
            return (!excluded).then_some(PrincipalMatch::Direct);
        }
        let mut account = false;
        for e in p.entries.iter() {
            for &f in facets(caller) {
                if e.covers(caller, f) {
                    if f == Facet::Account && e.id != PrincipalId::Any {
                        account = true;
                    } else {
                        return Some(PrincipalMatch::Direct);
                    }
                }
            }
        }
        account.then_some(PrincipalMatch::Account)
    }
}

fn facets(caller: &Caller) -> &'static [Facet] {
    match caller.identity {
        Identity::Root { .. } => &[Facet::Account],
        Identity::User { .. } => &[Facet::Account, Facet::User],
        Identity::AssumedRole { .. } => &[Facet::Account, Facet::Session],
    }
}

impl Principals {
    pub fn is_not_principal(&self) -> bool {
        self.negated
    }

    pub fn entries(&self) -> &[Principal] {
        &self.entries
    }
}

impl Principal {
    pub fn kind(&self) -> PrincipalType {
        self.kind
    }

    /// The principal as written (`arn:aws:iam::111122223333:user/alice`, `*`,
    /// `ec2.amazonaws.com`).
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Whether this is `*` (everyone).
    pub fn is_any(&self) -> bool {
        self.id == PrincipalId::Any
    }

    /// For an `AWS` principal naming an account, a user, a role or a session: its account.
    pub fn account_id(&self) -> Option<&str> {
        match &self.id {
            PrincipalId::Account(a)
            | PrincipalId::User { account: a, .. }
            | PrincipalId::Role { account: a, .. }
            | PrincipalId::Session { account: a, .. } => Some(a),
            _ => None,
        }
    }

    fn covers(&self, caller: &Caller, facet: Facet) -> bool {
        match (&self.id, &caller.identity, facet) {
            (PrincipalId::Any, _, _) => true,
            (PrincipalId::Account(a), _, Facet::Account) => **a == *caller.account_id(),
            (
                PrincipalId::User { account, rest },
                Identity::User {
                    account_id,
                    name,
                    path,
                    ..
                },
                Facet::User,
            ) => {
                **account == **account_id && rest.strip_prefix(path.as_str()) == Some(name.as_str())
            }
            (
                PrincipalId::Role { account, rest },
                Identity::AssumedRole {
                    account_id,
                    role_name,
                    role_path,
                    ..
                },
                Facet::Session,
            ) => {
                **account == **account_id
                    && rest.strip_prefix(role_path.as_str()) == Some(role_name.as_str())
            }
            (
                PrincipalId::Session {
                    account,
                    role,
                    session,
                },
                Identity::AssumedRole {
                    account_id,
                    role_name,
                    session_name,
                    ..
                },
                Facet::Session,
            ) => **account == **account_id && **role == **role_name && **session == **session_name,
            (PrincipalId::UserId(id), Identity::User { user_id, .. }, Facet::User) => {
                **id == **user_id
            }
            (PrincipalId::RoleId(id), Identity::AssumedRole { role_id, .. }, Facet::Session) => {
                **id == **role_id
            }
            _ => false,
        }
    }
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PrincipalType::Aws if self.is_any() => f.write_str("*"),
            kind => write!(f, "{}: {}", kind.as_str(), self.raw),
        }
    }
}

/// Parses an `AWS` principal value; `None` when AWS would call it invalid.
fn parse_aws_principal(s: &str) -> Option<PrincipalId> {
    if s == "*" {
        return Some(PrincipalId::Any);
    }
    if is_account_id(s) {
        return Some(PrincipalId::Account(s.into()));
    }
    if s.contains('*') {
        // No wildcards inside a principal ARN.
        return None;
    }
    if let Some(rest) = s.strip_prefix("arn:") {
        let mut f = rest.splitn(5, ':');
        let (partition, service, region, account, resource) =
            (f.next()?, f.next()?, f.next()?, f.next()?, f.next()?);
        if partition.is_empty() || !region.is_empty() || !is_account_id(account) {
            return None;
        }
        let account: Box<str> = account.into();
        let id = match (service, resource) {
            ("iam", "root") => PrincipalId::Account(account),
            ("iam", r) if r.starts_with("user/") => PrincipalId::User {
                account,
                rest: path_and_name(&r["user".len()..])?.into(),
            },
            ("iam", r) if r.starts_with("role/") => PrincipalId::Role {
                account,
                rest: path_and_name(&r["role".len()..])?.into(),
            },
            ("sts", r) if r.starts_with("assumed-role/") => {
                let (role, session) = r["assumed-role/".len()..].split_once('/')?;
                if role.is_empty() || session.is_empty() || session.contains('/') {
                    return None;
                }
                PrincipalId::Session {
                    account,
                    role: role.into(),
                    session: session.into(),
                }
            }
            ("sts", r) if r.starts_with("federated-user/") && r.len() > 15 => PrincipalId::Other,
            _ => return None,
        };
        return Some(id);
    }
    let unique = s.len() >= 16
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if unique && s.starts_with("AIDA") {
        return Some(PrincipalId::UserId(s.into()));
    }
    if unique && s.starts_with("AROA") {
        return Some(PrincipalId::RoleId(s.into()));
    }
    None
}

/// `/path/name` (the part of a user or role ARN after `user` or `role`): must start with `/` and
/// end in a name.
fn path_and_name(s: &str) -> Option<&str> {
    (s.starts_with('/') && !s.ends_with('/') && !s.contains("//")).then_some(s)
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The order in which IAM reports problems: it names only the first stage that fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Version,
    LegacyParsing,
    Principal,
    Sid,
    Actions,
    ResourceFormat,
    // A statement without resources is refused before its actions' vendors are read (LocalStack's
    // test_iam_policies snapshot, invalid-29: `"Action": "invalid"` and no Resource).
    Resources,
    ActionVendor,
    OverlyPermissive,
}

struct Parser {
    kind: PolicyKind,
    variables: bool,
    first: Option<(Stage, PolicyError)>,
}

/// A syntax error: the first stage, reported at once.
fn syntax(kind: PolicyKind, detail: impl Into<String>) -> PolicyError {
    PolicyError {
        message: match kind {
            PolicyKind::Resource => kms::SYNTAX,
            _ => iam::SYNTAX,
        }
        .into(),
        detail: detail.into(),
    }
}

const TOP_LEVEL: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

impl Parser {
    fn new(kind: PolicyKind) -> Parser {
        Parser {
            kind,
            variables: true,
            first: None,
        }
    }

    /// Notes a problem of a later stage; the earliest stage (then the first found) wins.
    fn note(&mut self, stage: Stage, message: impl Into<String>, detail: impl Into<String>) {
        if self.first.as_ref().is_none_or(|(s, _)| stage < *s) {
            self.first = Some((
                stage,
                PolicyError {
                    message: message.into(),
                    detail: detail.into(),
                },
            ));
        }
    }

    fn syntax(&self, detail: impl Into<String>) -> PolicyError {
        syntax(self.kind, detail)
    }

    fn parse(mut self, text: &str) -> Result<Policy, PolicyError> {
        if self.kind == PolicyKind::Resource {
            if let Some(c) = text
                .chars()
                .find(|&c| !matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{a0}'..='\u{ff}'))
            {
                return Err(self.syntax(format!(
                    "a key policy may hold only printable ASCII and Latin-1 characters, tab, line \
                     feed and carriage return; it holds {:?} (U+{:04X})",
                    c, c as u32
                )));
            }
        }
        let doc: Value = serde_json::from_str(text)
            .map_err(|e| self.syntax(format!("the policy is not valid JSON: {e}")))?;
        let Value::Object(doc) = doc else {
            return Err(self.syntax("the policy must be a JSON object"));
        };
        if let Some(k) = doc.keys().find(|k| !TOP_LEVEL.contains(&k.as_str())) {
            return Err(self.syntax(format!(
                "unknown element {k:?}; a policy has Version, Id and Statement"
            )));
        }
        let version = match doc.get("Version") {
            None => None,
            Some(Value::String(v)) => Some(v.clone()),
            Some(_) => return Err(self.syntax("Version must be a string")),
        };
        match version.as_deref() {
            Some(VERSION_2012) => {}
            Some(VERSION_2008) | None if self.kind == PolicyKind::Resource => {}
            Some(VERSION_2008) | None => self.note(
                Stage::Version,
                iam::VERSION,
                "Version must be \"2012-10-17\"",
            ),
            Some(other) => {
                return Err(self.syntax(format!(
                    "Version {other:?} is not a policy language version; use \"2012-10-17\""
                )))
            }
        }
        self.variables = version.as_deref() == Some(VERSION_2012);
        let id = match doc.get("Id") {
            None => None,
            Some(Value::String(id)) => Some(id.clone()),
            Some(_) => return Err(self.syntax("Id must be a string")),
        };
        let raw_statements: Vec<&Map<String, Value>> = match doc.get("Statement") {
            Some(Value::Object(s)) => vec![s],
            Some(Value::Array(list)) if !list.is_empty() => list
                .iter()
                .map(|s| match s {
                    Value::Object(s) => Ok(s),
                    _ => Err(self.syntax("each statement must be a JSON object")),
                })
                .collect::<Result<_, _>>()?,
            Some(Value::Array(_)) => return Err(self.syntax("Statement is empty")),
            Some(_) => return Err(self.syntax("Statement must be an object or an array")),
            None => return Err(self.syntax("the policy has no Statement")),
        };
        let mut statements = Vec::with_capacity(raw_statements.len());
        for (index, s) in raw_statements.into_iter().enumerate() {
            statements.push(self.statement(index, s)?);
        }
        self.check_sids(&statements);
        if let Some((_, e)) = self.first {
            return Err(e);
        }
        Ok(Policy {
            kind: self.kind,
            version,
            id,
            statements,
        })
    }

    fn statement(
        &mut self,
        index: usize,
        s: &Map<String, Value>,
    ) -> Result<Statement, PolicyError> {
        let at = match s.get("Sid") {
            Some(Value::String(sid)) => format!("statement {} (Sid {sid:?})", index + 1),
            _ => format!("statement {}", index + 1),
        };
        if let Some(k) = s.keys().find(|k| !STATEMENT.contains(&k.as_str())) {
            return Err(self.syntax(format!("{at}: unknown element {k:?}")));
        }
        for (a, b) in [
            ("Action", "NotAction"),
            ("Resource", "NotResource"),
            ("Principal", "NotPrincipal"),
        ] {
            if s.contains_key(a) && s.contains_key(b) {
                return Err(self.syntax(format!("{at}: has both {a} and {b}")));
            }
        }
        let sid = match s.get("Sid") {
            None => None,
            Some(Value::String(sid)) => Some(sid.clone()),
            Some(_) => return Err(self.syntax(format!("{at}: Sid must be a string"))),
        };
        let effect = match s.get("Effect") {
            Some(Value::String(e)) => match e.as_str() {
                "Allow" => Effect::Allow,
                "Deny" => Effect::Deny,
                other
                    if other.eq_ignore_ascii_case("allow")
                        || other.eq_ignore_ascii_case("deny") =>
                {
                    self.note(
                        Stage::LegacyParsing,
                        iam::LEGACY_PARSING,
                        format!("{at}: Effect is {other:?}; write \"Allow\" or \"Deny\""),
                    );
                    if other.eq_ignore_ascii_case("allow") {
                        Effect::Allow
                    } else {
                        Effect::Deny
                    }
                }
                other => {
                    return Err(self.syntax(format!(
                        "{at}: Effect is {other:?}; it must be \"Allow\" or \"Deny\""
                    )))
                }
            },
            Some(_) => return Err(self.syntax(format!("{at}: Effect must be a string"))),
            None => return Err(self.syntax(format!("{at}: has no Effect"))),
        };
        let actions = self.actions(&at, s)?;
        let resources = self.resources(&at, s)?;
        let principals = self.principals(&at, s)?;
        let conditions = self.conditions(&at, s)?;
        Ok(Statement {
            index,
            sid,
            effect,
            principals,
            actions,
            resources,
            conditions: conditions.into(),
        })
    }

    /// A string or an array of strings.
    fn strings(&self, at: &str, name: &str, v: &Value) -> Result<Vec<String>, PolicyError> {
        match v {
            Value::String(s) => Ok(vec![s.clone()]),
            Value::Array(list) => list
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    _ => Err(self.syntax(format!("{at}: {name} entries must be strings"))),
                })
                .collect(),
            _ => Err(self.syntax(format!(
                "{at}: {name} must be a string or an array of strings"
            ))),
        }
    }

    fn actions(
        &mut self,
        at: &str,
        s: &Map<String, Value>,
    ) -> Result<Option<Actions>, PolicyError> {
        let (name, negated, v) = match (s.get("Action"), s.get("NotAction")) {
            (Some(v), _) => ("Action", false, v),
            (None, Some(v)) => ("NotAction", true, v),
            (None, None) => {
                self.missing_actions(at);
                return Ok(None);
            }
        };
        let list = self.strings(at, name, v)?;
        if list.is_empty() {
            self.missing_actions(at);
            return Ok(None);
        }
        for a in &list {
            if a == "*" {
                continue;
            }
            let detail = || format!("{at}: {name} {a:?} is not service:action");
            match a.split(':').count() {
                1 => self.note(Stage::ActionVendor, iam::VENDOR, detail()),
                2 => {
                    let vendor = &a[..a.find(':').unwrap_or(0)];
                    let valid = !vendor.is_empty()
                        && vendor
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"-_*?".contains(&b));
                    if !valid {
                        self.note(Stage::ActionVendor, iam::vendor_invalid(vendor), detail());
                    }
                }
                _ => self.note(Stage::ActionVendor, iam::ONE_COLON, detail()),
            }
        }
        let patterns: Vec<ActionPattern> = list.iter().map(|a| ActionPattern::new(a)).collect();
        Ok(Some(Actions {
            negated,
            // No variables in actions.
            filters: patterns.iter().map(ActionPattern::filter).collect(),
            list: patterns.into(),
        }))
    }

    fn missing_actions(&mut self, at: &str) {
        // KMS accepts a key policy statement without actions; it just has no effect.
        if self.kind != PolicyKind::Resource {
            self.note(
                Stage::Actions,
                iam::NEEDS_ACTIONS,
                format!("{at}: has no Action"),
            );
        }
    }

    fn resources(
        &mut self,
        at: &str,
        s: &Map<String, Value>,
    ) -> Result<Option<Resources>, PolicyError> {
        let (name, negated, v) = match (s.get("Resource"), s.get("NotResource")) {
            (Some(v), _) => ("Resource", false, v),
            (None, Some(v)) => ("NotResource", true, v),
            (None, None) => {
                if self.kind == PolicyKind::Identity {
                    self.note(
                        Stage::Resources,
                        iam::NEEDS_RESOURCES,
                        format!("{at}: has no Resource"),
                    );
                }
                return Ok(None);
            }
        };
        let list = self.strings(at, name, v)?;
        match self.kind {
            PolicyKind::Trust => {
                return Err(PolicyError {
                    message: iam::PROHIBITED_RESOURCE.into(),
                    detail: format!("{at}: a trust policy is about its role and has no {name}"),
                })
            }
            PolicyKind::Identity if list.is_empty() => self.note(
                Stage::Resources,
                iam::NEEDS_RESOURCES,
                format!("{at}: {name} is empty"),
            ),
            PolicyKind::Identity => {
                for r in &list {
                    self.check_resource_format(at, r);
                }
            }
            PolicyKind::Resource => {}
        }
        if list.is_empty() {
            return Ok(None);
        }
        Ok(Some(Resources {
            negated,
            any: list.iter().any(|r| r == "*"),
            list: list
                .iter()
                .map(|r| ArnPattern::new(r, self.variables))
                .collect(),
        }))
    }

    /// IAM's checks of a Resource entry in an identity policy.
    fn check_resource_format(&mut self, at: &str, r: &str) {
        if r == "*" {
            return;
        }
        let detail = || format!("{at}: Resource {r:?}");
        let Some((_, rest)) = r.split_once(':') else {
            return self.note(Stage::ResourceFormat, iam::resource_format(r), detail());
        };
        // IAM reads the entry as an ARN padded with `*` fields.
        let mut fields: Vec<&str> = rest.splitn(5, ':').collect();
        let given = fields.len();
        fields.resize(5, "*");
        let partition = fields[0];
        let known = ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "*"];
        if !known.contains(&partition) {
            let padded = format!("arn:{}", fields.join(":"));
            return self.note(
                Stage::ResourceFormat,
                iam::partition(partition, &padded),
                detail(),
            );
        }
        if given < 2 || fields[1].is_empty() {
            return self.note(Stage::ResourceFormat, iam::RESOURCE_VENDOR, detail());
        }
        if given < 5 || !r.starts_with("arn:") {
            self.note(Stage::LegacyParsing, iam::LEGACY_PARSING, detail());
        }
    }

    fn principals(
        &mut self,
        at: &str,
        s: &Map<String, Value>,
    ) -> Result<Option<Principals>, PolicyError> {
        let (name, negated, v) = match (s.get("Principal"), s.get("NotPrincipal")) {
            (Some(v), _) => ("Principal", false, v),
            (None, Some(v)) => ("NotPrincipal", true, v),
            (None, None) => {
                match self.kind {
                    PolicyKind::Identity => {}
                    PolicyKind::Trust => {
                        return Err(PolicyError {
                            message: iam::MISSING_PRINCIPAL.into(),
                            detail: format!("{at}: has no Principal"),
                        })
                    }
                    PolicyKind::Resource => self.note(
                        Stage::Principal,
                        kms::INVALID_PRINCIPALS,
                        format!("{at}: a key policy statement must name a Principal"),
                    ),
                }
                return Ok(None);
            }
        };
        match self.kind {
            PolicyKind::Identity => {
                self.note(
                    Stage::Principal,
                    iam::PRINCIPAL_FORBIDDEN,
                    format!("{at}: an identity-based policy applies to its user or role and names no {name}"),
                );
                return Ok(None);
            }
            PolicyKind::Trust if negated => {
                return Err(self.syntax(format!("{at}: a trust policy cannot use NotPrincipal")))
            }
            _ => {}
        }
        let invalid = |this: &Self, kind: &str, value: &str, why: &str| PolicyError {
            message: match this.kind {
                PolicyKind::Resource => kms::INVALID_PRINCIPALS.into(),
                _ => iam::invalid_principal(kind, value),
            },
            detail: format!("{at}: {name} {kind} {value:?} {why}"),
        };
        let mut entries = Vec::new();
        match v {
            Value::String(star) if star == "*" => entries.push(Principal {
                kind: PrincipalType::Aws,
                raw: "*".into(),
                id: PrincipalId::Any,
            }),
            Value::Object(map) if !map.is_empty() => {
                for (kind, values) in map {
                    let ty =
                        match kind.as_str() {
                            "AWS" => PrincipalType::Aws,
                            "Service" => PrincipalType::Service,
                            "Federated" => PrincipalType::Federated,
                            "CanonicalUser" => PrincipalType::CanonicalUser,
                            _ => return Err(invalid(
                                self,
                                kind,
                                "",
                                "is not a principal type (AWS, Service, Federated, CanonicalUser)",
                            )),
                        };
                    let values = match values {
                        Value::Array(list) if list.is_empty() => {
                            return Err(invalid(self, kind, "", "lists no principals"))
                        }
                        other => self.strings(at, name, other).map_err(|_| {
                            invalid(
                                self,
                                kind,
                                &other.to_string(),
                                "is not a string or a list of strings",
                            )
                        })?,
                    };
                    for value in values {
                        let id = match ty {
                            PrincipalType::Aws => parse_aws_principal(&value).ok_or_else(|| {
                                invalid(self, kind, &value, "is not an account id, an IAM user or role ARN, an assumed-role session ARN or \"*\"")
                            })?,
                            _ if value.is_empty() => {
                                return Err(invalid(self, kind, &value, "is empty"))
                            }
                            _ => PrincipalId::Other,
                        };
                        entries.push(Principal {
                            kind: ty,
                            raw: value.into(),
                            id,
                        });
                    }
                }
            }
            other => return Err(invalid(
                self,
                "",
                &other.to_string(),
                "must be \"*\" or an object such as {\"AWS\": \"arn:aws:iam::111122223333:root\"}",
            )),
        }
        Ok(Some(Principals {
            negated,
            any: entries.iter().any(Principal::is_any),
            entries: entries.into(),
        }))
    }

    fn conditions(
        &mut self,
        at: &str,
        s: &Map<String, Value>,
    ) -> Result<Vec<Condition>, PolicyError> {
        let Some(v) = s.get("Condition") else {
            return Ok(Vec::new());
        };
        let Value::Object(ops) = v else {
            return Err(self.syntax(format!("{at}: Condition must be an object")));
        };
        let mut out = Vec::new();
        for (op, keys) in ops {
            let Value::Object(keys) = keys else {
                return Err(self.syntax(format!(
                    "{at}: Condition {op} must map condition keys to values"
                )));
            };
            if keys.is_empty() {
                return Err(self.syntax(format!("{at}: Condition {op} names no key")));
            }
            for (key, values) in keys {
                let values = condition_values(values).ok_or_else(|| {
                    self.syntax(format!(
                        "{at}: Condition {op} {key}: values must be strings, numbers or Booleans"
                    ))
                })?;
                if self.kind == PolicyKind::Resource {
                    self.check_overly_permissive(at, op, key);
                }
                match key.split(':').count() {
                    1 => self.note(
                        Stage::ActionVendor,
                        iam::VENDOR,
                        format!("{at}: condition key {key:?} has no service prefix"),
                    ),
                    // `kms:EncryptionContext:AppName` has two colons and is valid.
                    _ if key.starts_with(':') => self.note(
                        Stage::ActionVendor,
                        iam::VENDOR,
                        format!("{at}: condition key {key:?} has no service prefix"),
                    ),
                    _ => {}
                }
                match Condition::parse(op, key, &values, self.variables) {
                    Ok(c) => out.push(c),
                    Err(ConditionError::Syntax(why)) => {
                        return Err(self.syntax(format!("{at}: {why}")))
                    }
                    Err(ConditionError::Date(why)) => self.note(
                        Stage::LegacyParsing,
                        iam::LEGACY_PARSING,
                        format!("{at}: {why}"),
                    ),
                }
            }
        }
        Ok(out)
    }

    /// KMS refuses `ForAllValues` with the single-valued keys `kms:EncryptionContext:...` and
    /// `aws:RequestTag/...` (conditions-kms.md): such a condition also matches requests without
    /// them.
    fn check_overly_permissive(&mut self, at: &str, op: &str, key: &str) {
        let lower = key.to_ascii_lowercase();
        let for_all = op.len() >= 13 && op[..13].eq_ignore_ascii_case("ForAllValues:");
        let message = if !for_all {
            return;
        } else if lower.starts_with("kms:encryptioncontext:") {
            kms::OVERLY_PERMISSIVE_ENCRYPTION_CONTEXT
        } else if lower.starts_with("aws:requesttag/") {
            kms::OVERLY_PERMISSIVE_TAG
        } else {
            return;
        };
        self.note(
            Stage::OverlyPermissive,
            message,
            format!("{at}: {op} on {key}, a single-valued key"),
        );
    }

    fn check_sids(&mut self, statements: &[Statement]) {
        for (i, s) in statements.iter().enumerate() {
            let Some(sid) = s.sid() else { continue };
            if statements[..i].iter().any(|t| t.sid() == Some(sid)) {
                let message = match self.kind {
                    PolicyKind::Resource => kms::SID_UNIQUE,
                    _ => iam::SID_UNIQUE,
                };
                self.note(
                    Stage::Sid,
                    message,
                    format!(
                        "statements {} and {} share the Sid {sid:?}",
                        statements[..i]
                            .iter()
                            .position(|t| t.sid() == Some(sid))
                            .unwrap_or(0)
                            + 1,
                        i + 1
                    ),
                );
            }
            // Key policies may have spaces in a Sid; IAM policies only letters and digits.
            if self.kind != PolicyKind::Resource && !sid.bytes().all(|b| b.is_ascii_alphanumeric())
            {
                self.note(
                    Stage::Sid,
                    iam::SID_ALPHANUMERIC,
                    format!("statement {}: Sid {sid:?}", i + 1),
                );
            }
        }
    }
}

/// A condition's values: a string, number or Boolean, or a non-empty array of them.
fn condition_values(v: &Value) -> Option<Vec<String>> {
    fn one(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
    match v {
        Value::Array(list) if !list.is_empty() => list.iter().map(one).collect(),
        Value::Array(_) => None,
        other => one(other).map(|s| vec![s]),
    }
}
