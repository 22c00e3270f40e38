//! Real AWS answers of IAM and STS, as LocalStack recorded them, replayed against the engine.
//!
//! LocalStack's snapshot tests run each scenario against AWS and keep every answer in
//! `tests/aws/services/iam/*.snapshot.json` and `tests/aws/services/sts/test_sts.snapshot.json`
//! (localstack/localstack), with names, ids, ARNs, times and secrets replaced by placeholders.
//! `tests/data/localstack-iam-snapshots.json` keeps the successful answers replayed here,
//! verbatim (without `ResponseMetadata`); its `_source` says where they come from. Each test below
//! makes the same requests as LocalStack's test of that name (as the sandbox's root user unless it
//! says otherwise) and compares the engine's answer with the recording:
//!
//! - the answer as botocore parses it: the engine's answers are the query protocol's results in
//!   JSON form, with policy documents as strings (the shell URL-encodes them into the XML), and
//!   botocore gives them parsed; so `AssumeRolePolicyDocument`, `PolicyDocument` and `Document`
//!   are parsed before comparing;
//! - the same member names at every level: none missing, none extra, except where an `Allow`
//!   says why;
//! - the same values, lists in the same order, where the recording has a placeholder too:
//!   `<datetime>` is a time (a number in the JSON form); `<partition>` and the account
//!   `111111111111` are the sandbox's; a placeholder for something the test names (`<user-name:1>`,
//!   `<path-prefix>`...) is the name the replay gave; any other (`<user-id:1>`, `<policy-id:1>`,
//!   `<access-key-id:1>`, `<marker:1>`...) is bound to the value where it first appears, checked to
//!   be of its kind (`AIDA...` for a user id...), and must be that same value wherever it appears
//!   again (and another placeholder must not be that value);
//! - every member of the engine's answer is a member of the operation's output shape.
//!
//! Not replayed: answers recorded with an error (tests/iam.rs covers the errors), and the
//! operations the sandbox does not have (UpdateUser, UpdateRoleDescription, groups, login
//! profiles, permissions boundaries, AWS managed policies).

use kms_core::model;
use kms_core::{json, Clock, Sandbox, Service, Value, DEFAULT_ACCOUNT_ID};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

mod replay;
use replay::*;

const SNAPSHOTS: &str = include_str!("data/localstack-iam-snapshots.json");
const USERS: &str = "tests/aws/services/iam/test_iam_users.py::";
const ROLES: &str = "tests/aws/services/iam/test_iam_roles.py::";
const POLICIES: &str = "tests/aws/services/iam/test_iam_policies.py::";
const STS: &str = "tests/aws/services/sts/test_sts.py::";

/// The members that hold a policy document: a string in the answer, parsed by botocore.
const DOCUMENTS: &[&str] = &["AssumeRolePolicyDocument", "PolicyDocument", "Document"];

fn snapshots() -> &'static Value {
    static S: OnceLock<Value> = OnceLock::new();
    S.get_or_init(|| serde_json::from_str(SNAPSHOTS).expect("the snapshots are JSON"))
}

/// A justified departure from a recording, at a path of the answer (`Role.Description`).
#[derive(Clone, Copy)]
enum Allow {
    /// The engine may answer a member the recording lacks (the reason says why).
    #[allow(dead_code)]
    Extra(&'static str, &'static str),
    /// The value is not compared (the reason says why).
    #[allow(dead_code)]
    Value(&'static str, &'static str),
}

/// One LocalStack test replayed: a sandbox, and what its placeholders stand for.
struct Replay {
    sb: Sandbox,
    test: String,
    /// Placeholder (`<user-name:1>`) to the sandbox's value.
    bound: BTreeMap<String, String>,
    /// The recordings compared so far.
    checked: BTreeSet<String>,
}

impl Replay {
    fn new(test: impl Into<String>) -> Self {
        let test = test.into();
        assert!(
            snapshots()["entries"][&test].is_object(),
            "no recording for {test}"
        );
        Replay {
            sb: Sandbox::in_memory(2026),
            test,
            bound: BTreeMap::new(),
            checked: BTreeSet::new(),
        }
    }

    /// Gives a placeholder for something the test names its value; the value.
    fn name(&mut self, placeholder: &str, value: &str) -> String {
        self.bound.insert(placeholder.into(), value.into());
        value.to_string()
    }

    fn call(&mut self, service: Service, op: &str, req: Value) -> Value {
        self.sb
            .call_service(service, op, req.clone())
            .unwrap_or_else(|e| panic!("{}: {op} {req} failed: {e}", self.test))
    }

    fn iam(&mut self, op: &str, req: Value) -> Value {
        self.call(Service::Iam, op, req)
    }

    fn sts(&mut self, op: &str, req: Value) -> Value {
        self.call(Service::Sts, op, req)
    }

    /// Acts as the user or role session whose access key this is.
    fn act_with_key(&mut self, access_key_id: &str) {
        self.sb.caller = self
            .sb
            .engine
            .caller_for_access_key(access_key_id, self.sb.clock.now())
            .expect("a key the sandbox issued");
    }

    /// Compares `answer`, the answer of `op` (IAM's or STS's; "" for a value LocalStack made of
    /// an answer, such as a filtered list), with the recording `name` of this test.
    fn check(&mut self, name: &str, op: &str, answer: &Value, allow: &[Allow]) {
        let recorded = &snapshots()["entries"][&self.test]["recorded-content"][name];
        assert!(!recorded.is_null(), "{}: no recording {name}", self.test);
        let actual = parsed(answer);
        let mut problems = Vec::new();
        self.compare("", recorded, &actual, allow, &mut problems);
        // An allowance the answer does not need is stale: the engine or the recording changed.
        for a in allow {
            let needed = match *a {
                Allow::Extra(path, _) => {
                    at(&actual, path).is_some() && at(recorded, path).is_none()
                }
                Allow::Value(path, _) => at(&actual, path) != at(recorded, path),
            };
            if !needed {
                let (Allow::Extra(path, why) | Allow::Value(path, why)) = *a;
                problems.push(format!("{path}: allowed ({why}) but not needed"));
            }
        }
        if !op.is_empty() {
            let m = if model::sts().operations.contains_key(op) {
                model::sts()
            } else {
                model::iam()
            };
            let output = m.operations[op].output.as_deref();
            match output {
                Some(shape) => in_model(m, shape, "", answer, &mut problems),
                None if answer == &json!({}) => {}
                None => problems.push(format!("{op} has no output, the answer is {answer}")),
            }
        }
        assert!(
            problems.is_empty(),
            "{} / {name}: the engine's answer differs from AWS's:\n  {}\nanswer: {actual:#}",
            self.test,
            problems.join("\n  ")
        );
        self.checked.insert(name.to_string());
    }

    fn compare(
        &mut self,
        path: &str,
        expected: &Value,
        actual: &Value,
        allow: &[Allow],
        problems: &mut Vec<String>,
    ) {
        let skip_value = allow
            .iter()
            .any(|a| matches!(a, Allow::Value(p, _) if *p == path));
        match (expected, actual) {
            (Value::Object(e), Value::Object(a)) => {
                for (k, ev) in e {
                    let p = join(path, k);
                    match a.get(k) {
                        Some(av) => self.compare(&p, ev, av, allow, problems),
                        None => problems.push(format!("{p}: missing (AWS: {ev})")),
                    }
                }
                for (k, av) in a {
                    let p = join(path, k);
                    let allowed = allow
                        .iter()
                        .any(|x| matches!(x, Allow::Extra(q, _) if *q == p));
                    if !e.contains_key(k) && !allowed {
                        problems.push(format!("{p}: extra ({av})"));
                    }
                }
            }
            (Value::Array(e), Value::Array(a)) => {
                if e.len() != a.len() {
                    problems.push(format!("{path}: {} items, AWS {}", a.len(), e.len()));
                } else {
                    for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                        self.compare(&format!("{path}[{i}]"), ev, av, allow, problems);
                    }
                }
            }
            _ if skip_value => {}
            (Value::String(e), _) => self.compare_string(path, e, actual, problems),
            _ if expected != actual => problems.push(format!("{path}: {actual}, AWS {expected}")),
            _ => {}
        }
    }

    fn compare_string(
        &mut self,
        path: &str,
        expected: &str,
        actual: &Value,
        problems: &mut Vec<String>,
    ) {
        let bad = |why: &str| format!("{path}: {actual}, AWS {expected:?} ({why})");
        if expected == "<datetime>" {
            if !actual.is_number() {
                problems.push(bad("a time is a number in the JSON form"));
            }
            return;
        }
        let Some(actual) = actual.as_str() else {
            problems.push(bad("not a string"));
            return;
        };
        let mut filled = expected
            .replace("<partition>", "aws")
            .replace("111111111111", DEFAULT_ACCOUNT_ID);
        for (placeholder, value) in &self.bound {
            filled = filled.replace(placeholder.as_str(), value);
        }
        let whole =
            filled.starts_with('<') && filled.ends_with('>') && filled.matches('<').count() == 1;
        if whole {
            // First seen here: bind it, if the value is of its kind and no other placeholder's.
            if let Some(kind_problem) = of_kind(&filled, actual) {
                problems.push(bad(&kind_problem));
            } else if let Some((other, _)) = self.bound.iter().find(|(_, v)| *v == actual) {
                problems.push(bad(&format!("already {other}")));
            } else {
                self.bound.insert(filled, actual.to_string());
            }
            return;
        }
        match filled.find('<') {
            None if filled != actual => problems.push(bad("differs")),
            Some(_) => problems.push(bad(
                "a placeholder inside a longer value the replay cannot fill",
            )),
            _ => {}
        }
    }
}

/// Why `value` is not what `placeholder` (unbound) stands for, if it is not.
fn of_kind(placeholder: &str, value: &str) -> Option<String> {
    let kind = placeholder
        .trim_matches(|c| c == '<' || c == '>')
        .split(':')
        .next()
        .unwrap_or_default();
    // IAM's unique ids: a prefix for the kind and 17 more upper-case letters and digits.
    let id = |value: &str, prefix: &str| {
        let ok = value.starts_with(prefix)
            && value.len() == 21
            && value
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        (!ok).then(|| format!("not a unique id starting {prefix}"))
    };
    match kind {
        // An assumed role's caller: the role's id and the session's name.
        "user-id" if value.starts_with("AROA") => match value.split_once(':') {
            Some((role_id, session)) if !session.is_empty() => id(role_id, "AROA"),
            _ => Some("not ROLE-ID:SESSION".into()),
        },
        "user-id" => id(value, "AIDA"),
        "role-id" => id(value, "AROA"),
        "policy-id" => id(value, "ANPA"),
        "access-key-id" => {
            let ok = (value.starts_with("AKIA") || value.starts_with("ASIA"))
                && value.len() == 20
                && value
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
            (!ok).then(|| "not an access key id".into())
        }
        "secret-access-key" => (value.len() != 40).then(|| "not 40 characters".into()),
        "session-token" | "marker" => value.is_empty().then(|| "empty".into()),
        _ => Some(format!("a placeholder the replay does not know ({kind})")),
    }
}

/// The answer as botocore gives it: policy documents parsed.
fn parsed(answer: &Value) -> Value {
    match answer {
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) if DOCUMENTS.contains(&k.as_str()) => {
                            serde_json::from_str(s).expect("a policy document is JSON")
                        }
                        _ => parsed(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(parsed).collect()),
        _ => answer.clone(),
    }
}

impl Drop for Replay {
    /// Every recording of the test was compared.
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let recorded: BTreeSet<String> = snapshots()["entries"][&self.test]["recorded-content"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(
            self.checked, recorded,
            "{}: recordings left unreplayed",
            self.test
        );
    }
}

#[test]
fn every_recording_kept_is_replayed() {
    // The tests below replay these 32 recorded tests, each in full (Replay's Drop): a recording
    // added to the data must get its test.
    let entries = snapshots()["entries"].as_object().unwrap();
    assert_eq!(entries.len(), 32);
    let recordings: usize = entries
        .values()
        .map(|e| e["recorded-content"].as_object().unwrap().len())
        .sum();
    assert_eq!(recordings, 131);
}

fn tags(pairs: &[(&str, &str)]) -> Value {
    pairs
        .iter()
        .map(|(k, v)| json!({"Key": k, "Value": v}))
        .collect()
}

// ---------------------------------------------------------------- users

/// test_iam_users.py's SAMPLE_POLICY_DOCUMENT.
const SAMPLE_POLICY_DOCUMENT: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]}"#;

#[test]
fn user_lifecycle() {
    for path in [None, Some("/"), Some("/test-lifecycle-path/")] {
        let mut r = Replay::new(format!(
            "{USERS}TestUserLifecycle::test_user_lifecycle[{}]",
            path.unwrap_or("None")
        ));
        let user = r.name("<user-name:1>", "user-a1b2c3");
        let mut req = json!({ "UserName": user });
        if let Some(path) = path {
            req["Path"] = json!(path);
        }
        let created = r.iam("CreateUser", req);
        r.check("create-user", "CreateUser", &created, &[]);
        let got = r.iam("GetUser", json!({ "UserName": user }));
        r.check("get-user", "GetUser", &got, &[]);
        let listed = r.iam("ListUsers", json!({}));
        r.check("list-users", "ListUsers", &listed, &[]);
        if let Some(path @ "/test-lifecycle-path/") = path {
            let listed = r.iam("ListUsers", json!({ "PathPrefix": path }));
            r.check("list-filtered-users", "ListUsers", &listed, &[]);
            let listed = r.iam("ListUsers", json!({"PathPrefix": "/test-life"}));
            r.check(
                "list-filtered-users-partial-path",
                "ListUsers",
                &listed,
                &[],
            );
        }
        let deleted = r.iam("DeleteUser", json!({ "UserName": user }));
        r.check("delete-user", "DeleteUser", &deleted, &[]);
    }
}

#[test]
fn access_key_lifecycle() {
    let mut r = Replay::new(format!(
        "{USERS}TestUserAccessKeys::test_access_key_lifecycle"
    ));
    let user = r.name("<user-name:1>", "user-d4e5f6");
    r.iam("CreateUser", json!({ "UserName": user }));
    let listed = r.iam("ListAccessKeys", json!({ "UserName": user }));
    r.check("list-access-keys-empty", "ListAccessKeys", &listed, &[]);
    let created = r.iam("CreateAccessKey", json!({ "UserName": user }));
    r.check("create-access-key", "CreateAccessKey", &created, &[]);
    let id = created["AccessKey"]["AccessKeyId"].clone();
    let listed = r.iam("ListAccessKeys", json!({ "UserName": user }));
    r.check("list-access-keys", "ListAccessKeys", &listed, &[]);
    let deleted = r.iam(
        "DeleteAccessKey",
        json!({"UserName": user, "AccessKeyId": id}),
    );
    r.check("delete-access-key", "DeleteAccessKey", &deleted, &[]);
    let listed = r.iam("ListAccessKeys", json!({ "UserName": user }));
    assert_eq!(listed["AccessKeyMetadata"], json!([]));
}

#[test]
fn access_key_update_status() {
    let mut r = Replay::new(format!(
        "{USERS}TestUserAccessKeys::test_access_key_update_status"
    ));
    let user = r.name("<user-name:1>", "user-g7h8i9");
    r.iam("CreateUser", json!({ "UserName": user }));
    let id =
        r.iam("CreateAccessKey", json!({ "UserName": user }))["AccessKey"]["AccessKeyId"].clone();
    let update = |status| json!({"UserName": user, "AccessKeyId": id, "Status": status});
    r.iam("UpdateAccessKey", update("Inactive"));
    let listed = r.iam("ListAccessKeys", json!({ "UserName": user }));
    r.check("list-access-keys-inactive", "ListAccessKeys", &listed, &[]);
    r.iam("UpdateAccessKey", update("Active"));
    let listed = r.iam("ListAccessKeys", json!({ "UserName": user }));
    r.check("list-access-keys-active", "ListAccessKeys", &listed, &[]);
}

#[test]
fn access_key_deletion_without_username() {
    let mut r = Replay::new(format!(
        "{USERS}TestUserAccessKeys::test_access_key_deletion_without_username"
    ));
    let user = r.name("<user-name:1>", "user-j1k2l3");
    let created = r.iam("CreateUser", json!({ "UserName": user }));
    r.check("create-user", "CreateUser", &created, &[]);
    r.iam(
        "PutUserPolicy",
        json!({"UserName": user, "PolicyName": "test-policy-m4n5o6", "PolicyDocument":
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:DeleteAccessKey", "Resource": "*"}]}"#}),
    );
    let id = r.iam("CreateAccessKey", json!({ "UserName": user }))["AccessKey"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_string();
    r.act_with_key(&id);
    let deleted = r.iam("DeleteAccessKey", json!({ "AccessKeyId": id }));
    r.check("delete-access-key", "DeleteAccessKey", &deleted, &[]);
}

#[test]
fn user_inline_policy_lifecycle() {
    let mut r = Replay::new(format!(
        "{USERS}TestUserPolicies::test_user_inline_policy_lifecycle"
    ));
    let user = r.name("<user-name:1>", "user-p7q8r9");
    let policy = r.name("<policy-name:1>", "policy-s1t2u3");
    r.iam("CreateUser", json!({ "UserName": user }));
    let listed = r.iam("ListUserPolicies", json!({ "UserName": user }));
    r.check("list-user-policies-empty", "ListUserPolicies", &listed, &[]);
    let put = r.iam(
        "PutUserPolicy",
        json!({"UserName": user, "PolicyName": policy, "PolicyDocument": SAMPLE_POLICY_DOCUMENT}),
    );
    r.check("put-user-policy", "PutUserPolicy", &put, &[]);
    let got = r.iam(
        "GetUserPolicy",
        json!({"UserName": user, "PolicyName": policy}),
    );
    r.check("get-user-policy", "GetUserPolicy", &got, &[]);
    let listed = r.iam("ListUserPolicies", json!({ "UserName": user }));
    r.check("list-user-policies", "ListUserPolicies", &listed, &[]);
    let deleted = r.iam(
        "DeleteUserPolicy",
        json!({"UserName": user, "PolicyName": policy}),
    );
    r.check("delete-user-policy", "DeleteUserPolicy", &deleted, &[]);
    let listed = r.iam("ListUserPolicies", json!({ "UserName": user }));
    assert_eq!(listed["PolicyNames"], json!([]));
}

#[test]
fn user_managed_policy_lifecycle() {
    let mut r = Replay::new(format!(
        "{USERS}TestUserPolicies::test_user_managed_policy_lifecycle"
    ));
    let user = r.name("<user-name:1>", "user-v4w5x6");
    let policy = r.name("<policy-name:1>", "policy-y7z8a9");
    r.iam("CreateUser", json!({ "UserName": user }));
    let arn = r.iam(
        "CreatePolicy",
        json!({"PolicyName": policy, "PolicyDocument": SAMPLE_POLICY_DOCUMENT}),
    )["Policy"]["Arn"]
        .clone();
    let listed = r.iam("ListAttachedUserPolicies", json!({ "UserName": user }));
    r.check(
        "list-attached-user-policies-empty",
        "ListAttachedUserPolicies",
        &listed,
        &[],
    );
    let attached = r.iam(
        "AttachUserPolicy",
        json!({"UserName": user, "PolicyArn": arn}),
    );
    r.check("attach-user-policy", "AttachUserPolicy", &attached, &[]);
    let listed = r.iam("ListAttachedUserPolicies", json!({ "UserName": user }));
    r.check(
        "list-attached-user-policies",
        "ListAttachedUserPolicies",
        &listed,
        &[],
    );
    let detached = r.iam(
        "DetachUserPolicy",
        json!({"UserName": user, "PolicyArn": arn}),
    );
    r.check("detach-user-policy", "DetachUserPolicy", &detached, &[]);
}

#[test]
fn user_tag_lifecycle() {
    let mut r = Replay::new(format!("{USERS}TestUserTags::test_user_tag_lifecycle"));
    let user = r.name("<user-name:1>", "user-b1c2d3");
    let t = tags(&[("Environment", "Test"), ("Team", "Platform")]);
    let created = r.iam("CreateUser", json!({"UserName": user, "Tags": t}));
    r.check("create-user-with-tags", "CreateUser", &created, &[]);
    let listed = r.iam("ListUserTags", json!({ "UserName": user }));
    r.check("list-user-tags", "ListUserTags", &listed, &[]);
    let got = r.iam("GetUser", json!({ "UserName": user }));
    r.check("get-user-with-tags", "GetUser", &got, &[]);
}

#[test]
fn user_tag_operations() {
    let mut r = Replay::new(format!("{USERS}TestUserTags::test_user_tag_operations"));
    let user = r.name("<user-name:1>", "user-e4f5g6");
    r.iam("CreateUser", json!({ "UserName": user }));
    let listed = r.iam("ListUserTags", json!({ "UserName": user }));
    r.check("list-user-tags-before-tag", "ListUserTags", &listed, &[]);
    let t = tags(&[("key-1", "value-1"), ("key-2", "value-2")]);
    let tagged = r.iam("TagUser", json!({"UserName": user, "Tags": t}));
    r.check("tag-user", "TagUser", &tagged, &[]);
    let listed = r.iam("ListUserTags", json!({ "UserName": user }));
    r.check("list-user-tags-after-tag", "ListUserTags", &listed, &[]);
    let untagged = r.iam("UntagUser", json!({"UserName": user, "TagKeys": ["key-2"]}));
    r.check("untag-user", "UntagUser", &untagged, &[]);
    let listed = r.iam("ListUserTags", json!({ "UserName": user }));
    r.check("list-user-tags-after-untag", "ListUserTags", &listed, &[]);
}

// ---------------------------------------------------------------- roles

/// test_iam_roles.py's TRUST_POLICY and MOCK_POLICY.
const TRUST_POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}"#;
const MOCK_POLICY: &str = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}}"#;

fn create_role(r: &mut Replay, name: &str, extra: Value) -> Value {
    let mut req = json!({"RoleName": name, "AssumeRolePolicyDocument": TRUST_POLICY});
    for (k, v) in extra.as_object().unwrap() {
        req[k] = v.clone();
    }
    r.iam("CreateRole", req)
}

#[test]
fn create_role_defaults() {
    let mut r = Replay::new(format!(
        "{ROLES}TestRoleLifecycle::test_create_role_defaults"
    ));
    let role = r.name("<role-name:1>", "role-h7i8j9");
    let created = create_role(&mut r, &role, json!({}));
    r.check("create-role-response", "CreateRole", &created, &[]);
    let got = r.iam("GetRole", json!({ "RoleName": role }));
    r.check("get-role-response", "GetRole", &got, &[]);
}

#[test]
fn create_describe_role() {
    let mut r = Replay::new(format!(
        "{ROLES}TestRoleLifecycle::test_create_describe_role"
    ));
    let uid = r.name("<path-prefix>", "k1l2m3n4");
    let path = format!("/{uid}/");
    let role = r.name("<role-name:1>", "role-o5p6q7");
    let created = create_role(&mut r, &role, json!({ "Path": path }));
    r.check("create-role-result", "CreateRole", &created, &[]);
    let got = r.iam("GetRole", json!({ "RoleName": role }));
    r.check("get-role-result", "GetRole", &got, &[]);
    let listed = r.iam("ListRoles", json!({ "PathPrefix": path }));
    r.check("list-roles-result", "ListRoles", &listed, &[]);
}

#[test]
fn update_role() {
    // The recording goes on with UpdateRoleDescription, which the sandbox does not have: only
    // the answers before it are kept.
    let mut r = Replay::new(format!("{ROLES}TestRoleLifecycle::test_update_role"));
    let role = r.name("<role-name:1>", "role-r8s9t1");
    create_role(&mut r, &role, json!({"Description": "initial description"}));
    let got = r.iam("GetRole", json!({ "RoleName": role }));
    r.check("get-role-initial", "GetRole", &got, &[]);
    let updated = r.iam(
        "UpdateRole",
        json!({"RoleName": role, "Description": "updated description", "MaxSessionDuration": 7200}),
    );
    r.check("update-role-response", "UpdateRole", &updated, &[]);
    let got = r.iam("GetRole", json!({ "RoleName": role }));
    r.check("get-role-after-update", "GetRole", &got, &[]);
}

#[test]
fn update_assume_role_policy() {
    let mut r = Replay::new(format!(
        "{ROLES}TestRoleLifecycle::test_update_assume_role_policy"
    ));
    let role = r.name("<role-name:1>", "role-u2v3w4");
    let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}]}"#;
    let created = r.iam(
        "CreateRole",
        json!({"RoleName": role, "AssumeRolePolicyDocument": policy}),
    );
    r.check("created_role", "CreateRole", &created, &[]);
    let updated = r.iam(
        "UpdateAssumeRolePolicy",
        json!({"RoleName": role, "PolicyDocument": policy}),
    );
    r.check("updated_policy", "UpdateAssumeRolePolicy", &updated, &[]);
}

#[test]
fn list_roles_path_prefix() {
    let mut r = Replay::new(format!(
        "{ROLES}TestRoleLifecycle::test_list_roles_path_prefix"
    ));
    let uid = r.name("<path-prefix>", "test-path-x5y6z7");
    let path = format!("/{uid}/");
    let without = r.name("<role-name:1>", "role-no-path-a8b9c1");
    let with = r.name("<role-name:2>", "role-with-path-d2e3f4");
    let created = create_role(&mut r, &without, json!({}));
    r.check("create-role-without-path", "CreateRole", &created, &[]);
    let created = create_role(&mut r, &with, json!({ "Path": path }));
    r.check("create-role-with-path", "CreateRole", &created, &[]);
    let listed = r.iam("ListRoles", json!({ "PathPrefix": path }));
    r.check("list-roles-with-path-prefix", "ListRoles", &listed, &[]);
    let listed = r.iam("ListRoles", json!({"PathPrefix": "/nonexistent-path/"}));
    r.check("list-roles-empty-path-prefix", "ListRoles", &listed, &[]);
}

#[test]
fn list_roles_pagination() {
    let mut r = Replay::new(format!(
        "{ROLES}TestRolePagination::test_list_roles_pagination"
    ));
    let path = r.name("<path>", "/test-pagination-g5h6i7/");
    for i in 0..5 {
        let role = r.name(
            &format!("<role-name:{}>", i + 1),
            &format!("role-{i:02}-j8k9l1"),
        );
        let extra = if i % 2 == 0 {
            json!({"Path": path, "Description": format!("Role {i}")})
        } else {
            json!({ "Path": path })
        };
        let created = create_role(&mut r, &role, extra);
        r.check(&format!("create-role-{i}"), "CreateRole", &created, &[]);
    }
    let listed = r.iam("ListRoles", json!({ "PathPrefix": path }));
    r.check("list-roles-with-path", "ListRoles", &listed, &[]);
    let listed = r.iam("ListRoles", json!({"PathPrefix": path, "MaxItems": 2}));
    r.check("list-roles-max-items", "ListRoles", &listed, &[]);
    let marker = listed["Marker"].clone();
    let listed = r.iam("ListRoles", json!({"PathPrefix": path, "Marker": marker}));
    r.check("list-roles-with-marker", "ListRoles", &listed, &[]);
    let listed = r.iam("ListRoles", json!({"PathPrefix": "/nonexistent-path/"}));
    r.check("list-roles-empty", "ListRoles", &listed, &[]);
}

#[test]
fn role_inline_policy_lifecycle() {
    let mut r = Replay::new(format!(
        "{ROLES}TestRoleInlinePolicies::test_role_inline_policy_lifecycle"
    ));
    let role = r.name("<role-name:1>", "role-m2n3o4");
    let first = r.name("<policy-name:1>", "policy-1-p5q6r7");
    let second = r.name("<policy-name:2>", "policy-2-s8t9u1");
    create_role(&mut r, &role, json!({}));
    let put =
        |name: &str| json!({"RoleName": role, "PolicyName": name, "PolicyDocument": MOCK_POLICY});
    r.iam("PutRolePolicy", put(&first));
    let got = r.iam(
        "GetRolePolicy",
        json!({"RoleName": role, "PolicyName": first}),
    );
    r.check("get-role-policy-1", "GetRolePolicy", &got, &[]);
    let listed = r.iam("ListRolePolicies", json!({ "RoleName": role }));
    r.check("list-role-policies-1", "ListRolePolicies", &listed, &[]);
    r.iam("PutRolePolicy", put(&second));
    let got = r.iam(
        "GetRolePolicy",
        json!({"RoleName": role, "PolicyName": second}),
    );
    r.check("get-role-policy-2", "GetRolePolicy", &got, &[]);
    let listed = r.iam("ListRolePolicies", json!({ "RoleName": role }));
    r.check("list-role-policies-2", "ListRolePolicies", &listed, &[]);
    r.iam(
        "DeleteRolePolicy",
        json!({"RoleName": role, "PolicyName": first}),
    );
    let listed = r.iam("ListRolePolicies", json!({ "RoleName": role }));
    r.check(
        "list-role-policies-after-delete",
        "ListRolePolicies",
        &listed,
        &[],
    );
}

#[test]
fn role_managed_policy_lifecycle() {
    let mut r = Replay::new(format!(
        "{ROLES}TestRoleManagedPolicies::test_role_managed_policy_lifecycle"
    ));
    let role = r.name("<role-name:1>", "role-v2w3x4");
    let policy = r.name("<policy-name:1>", "policy-y5z6a7");
    create_role(&mut r, &role, json!({}));
    let arn = r.iam(
        "CreatePolicy",
        json!({"PolicyName": policy, "PolicyDocument": MOCK_POLICY}),
    )["Policy"]["Arn"]
        .clone();
    let listed = r.iam("ListAttachedRolePolicies", json!({ "RoleName": role }));
    r.check(
        "list-attached-policies-empty",
        "ListAttachedRolePolicies",
        &listed,
        &[],
    );
    r.iam(
        "AttachRolePolicy",
        json!({"RoleName": role, "PolicyArn": arn}),
    );
    let listed = r.iam("ListAttachedRolePolicies", json!({ "RoleName": role }));
    r.check(
        "list-attached-policies-1",
        "ListAttachedRolePolicies",
        &listed,
        &[],
    );
    r.iam(
        "DetachRolePolicy",
        json!({"RoleName": role, "PolicyArn": arn}),
    );
    let listed = r.iam("ListAttachedRolePolicies", json!({ "RoleName": role }));
    r.check(
        "list-attached-policies-after-detach",
        "ListAttachedRolePolicies",
        &listed,
        &[],
    );
}

#[test]
fn role_with_tags() {
    let mut r = Replay::new(format!("{ROLES}TestRoleTags::test_role_with_tags"));
    let role = r.name("<role-name:1>", "role-b8c9d1");
    let path = "/role-with-tags/";
    let created = create_role(
        &mut r,
        &role,
        json!({"Tags": tags(&[("test", "value")]), "Path": path}),
    );
    r.check("create-role-response", "CreateRole", &created, &[]);
    let got = r.iam("GetRole", json!({ "RoleName": role }));
    r.check("get-role-response", "GetRole", &got, &[]);
    let listed = r.iam("ListRoles", json!({ "PathPrefix": path }));
    r.check("list-role-response", "ListRoles", &listed, &[]);
    let empty = r.name("<role-name:2>", "role-empty-tag-e2f3g4");
    let created = create_role(&mut r, &empty, json!({"Tags": tags(&[("emptykey", "")])}));
    r.check("create-role-empty-tag-value", "CreateRole", &created, &[]);
    let listed = r.iam("ListRoleTags", json!({ "RoleName": empty }));
    r.check("list-role-tags-empty-value", "ListRoleTags", &listed, &[]);
}

#[test]
fn role_tag_operations() {
    let mut r = Replay::new(format!("{ROLES}TestRoleTags::test_role_tag_operations"));
    let role = r.name("<role-name:1>", "role-h5i6j7");
    create_role(&mut r, &role, json!({}));
    let got = r.iam("GetRole", json!({ "RoleName": role }));
    r.check("get-role-no-tags", "GetRole", &got, &[]);
    let tag = |r: &mut Replay, pairs: &[(&str, &str)]| {
        r.iam("TagRole", json!({"RoleName": role, "Tags": tags(pairs)}));
    };
    tag(
        &mut r,
        &[("somekey", "somevalue"), ("someotherkey", "someothervalue")],
    );
    let got = r.iam("GetRole", json!({ "RoleName": role }));
    r.check("get-role-with-tags", "GetRole", &got, &[]);
    let list = |r: &mut Replay| r.iam("ListRoleTags", json!({ "RoleName": role }));
    let listed = list(&mut r);
    r.check("list-role-tags", "ListRoleTags", &listed, &[]);
    tag(&mut r, &[("somekey", "updatedvalue")]);
    let listed = list(&mut r);
    r.check("list-role-tags-after-update", "ListRoleTags", &listed, &[]);
    tag(&mut r, &[("somekey", "")]);
    let listed = list(&mut r);
    r.check("list-role-tags-empty-value", "ListRoleTags", &listed, &[]);
    r.iam(
        "UntagRole",
        json!({"RoleName": role, "TagKeys": ["somekey"]}),
    );
    let listed = list(&mut r);
    r.check("list-role-tags-after-untag", "ListRoleTags", &listed, &[]);
    r.iam(
        "UntagRole",
        json!({"RoleName": role, "TagKeys": ["someotherkey"]}),
    );
    let listed = list(&mut r);
    r.check("list-role-tags-empty", "ListRoleTags", &listed, &[]);
}

// ---------------------------------------------------------------- managed policies

/// test_iam_policies.py's SAMPLE_POLICY, SAMPLE_POLICY_2 and SAMPLE_POLICY_3.
fn sample_policy(action: &str) -> String {
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "Statement1", "Effect": "Allow", "Action": ["{action}"], "Resource": "*"}}]}}"#
    )
}

fn sample() -> String {
    sample_policy("iam:ListUsers")
}

/// LocalStack's `create_policy` fixture: a generated name unless the test gives one.
fn create_policy(r: &mut Replay, n: usize, extra: Value) -> (Value, String) {
    let name = r.name(&format!("<policy-name:{n}>"), &format!("policy-c{n}d4e5f6"));
    let mut req = json!({"PolicyName": name, "PolicyDocument": sample()});
    for (k, v) in extra.as_object().unwrap() {
        req[k] = v.clone();
    }
    let created = r.iam("CreatePolicy", req);
    let arn = created["Policy"]["Arn"].as_str().unwrap().to_string();
    (created, arn)
}

#[test]
fn policy_lifecycle() {
    for path in [Some("/test/path/"), Some("/"), None] {
        let mut r = Replay::new(format!(
            "{POLICIES}TestPolicies::test_policy_lifecycle[{}]",
            path.unwrap_or("None")
        ));
        let extra = path.map_or(json!({}), |p| json!({ "Path": p }));
        let (created, arn) = create_policy(&mut r, 1, extra);
        r.check("create-policy-response", "CreatePolicy", &created, &[]);
        let got = r.iam("GetPolicy", json!({ "PolicyArn": arn }));
        r.check("get-policy-response", "GetPolicy", &got, &[]);
        let listed = r.iam("ListPolicies", json!({}));
        let name = &r.bound["<policy-name:1>"];
        let filtered: Value = listed["Policies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["PolicyName"] == json!(name))
            .cloned()
            .collect();
        r.check("filtered-policy-list", "", &filtered, &[]);
        let deleted = r.iam("DeletePolicy", json!({ "PolicyArn": arn }));
        r.check("delete-policy-response", "DeletePolicy", &deleted, &[]);
    }
}

fn create_version(r: &mut Replay, arn: &str, doc: String, default: bool) -> Value {
    let mut req = json!({"PolicyArn": arn, "PolicyDocument": doc});
    if default {
        req["SetAsDefault"] = json!(true);
    }
    r.iam("CreatePolicyVersion", req)
}

fn list_versions(r: &mut Replay, arn: &str) -> Value {
    r.iam("ListPolicyVersions", json!({ "PolicyArn": arn }))
}

#[test]
fn policy_version_lifecycle() {
    let mut r = Replay::new(format!(
        "{POLICIES}TestPolicies::test_policy_version_lifecycle"
    ));
    let (created, arn) = create_policy(&mut r, 1, json!({}));
    r.check("create-policy", "CreatePolicy", &created, &[]);
    let v2 = create_version(&mut r, &arn, sample_policy("s3:ListBucket"), true);
    r.check("create-version-v2", "CreatePolicyVersion", &v2, &[]);
    let got = r.iam(
        "GetPolicyVersion",
        json!({"PolicyArn": arn, "VersionId": "v2"}),
    );
    r.check("get-version-v2", "GetPolicyVersion", &got, &[]);
    r.iam(
        "DeletePolicyVersion",
        json!({"PolicyArn": arn, "VersionId": "v1"}),
    );
    let v3 = create_version(&mut r, &arn, sample_policy("ec2:DescribeInstances"), false);
    r.check("create-version-v3", "CreatePolicyVersion", &v3, &[]);
    let got = r.iam(
        "GetPolicyVersion",
        json!({"PolicyArn": arn, "VersionId": "v3"}),
    );
    r.check("get-version-v3", "GetPolicyVersion", &got, &[]);
    let listed = list_versions(&mut r, &arn);
    r.check("list-versions", "ListPolicyVersions", &listed, &[]);
}

#[test]
fn policy_version_set_default() {
    let mut r = Replay::new(format!(
        "{POLICIES}TestPolicies::test_policy_version_set_default"
    ));
    let (_, arn) = create_policy(&mut r, 1, json!({}));
    create_version(&mut r, &arn, sample_policy("s3:ListBucket"), true);
    create_version(&mut r, &arn, sample_policy("ec2:DescribeInstances"), true);
    let listed = list_versions(&mut r, &arn);
    r.check("list-after-create", "ListPolicyVersions", &listed, &[]);
    let set = r.iam(
        "SetDefaultPolicyVersion",
        json!({"PolicyArn": arn, "VersionId": "v1"}),
    );
    r.check("set-default-v1", "SetDefaultPolicyVersion", &set, &[]);
    let listed = list_versions(&mut r, &arn);
    r.check("list-after-set-default", "ListPolicyVersions", &listed, &[]);
}

#[test]
fn policy_version_limit() {
    let mut r = Replay::new(format!("{POLICIES}TestPolicies::test_policy_version_limit"));
    let (_, arn) = create_policy(&mut r, 1, json!({}));
    for _ in 0..4 {
        create_version(&mut r, &arn, sample(), false);
    }
    let refused = r.sb.call_service(
        Service::Iam,
        "CreatePolicyVersion",
        json!({"PolicyArn": arn, "PolicyDocument": sample()}),
    );
    assert!(refused.is_err(), "a sixth version: {refused:?}");
    let listed = list_versions(&mut r, &arn);
    r.check("list-versions-at-limit", "ListPolicyVersions", &listed, &[]);
    r.iam(
        "DeletePolicyVersion",
        json!({"PolicyArn": arn, "VersionId": "v5"}),
    );
    let created = create_version(&mut r, &arn, sample(), false);
    r.check(
        "create-version-after-delete",
        "CreatePolicyVersion",
        &created,
        &[],
    );
}

#[test]
fn policy_version_errors() {
    let mut r = Replay::new(format!(
        "{POLICIES}TestPolicies::test_policy_version_errors"
    ));
    let (created, arn) = create_policy(&mut r, 1, json!({}));
    r.check("create-policy", "CreatePolicy", &created, &[]);
    create_version(&mut r, &arn, sample_policy("s3:ListBucket"), false);
    // (the refusals between are tests/iam.rs's)
    r.iam(
        "DeletePolicyVersion",
        json!({"PolicyArn": arn, "VersionId": "v2"}),
    );
    let listed = list_versions(&mut r, &arn);
    r.check("list-after-delete", "ListPolicyVersions", &listed, &[]);
}

#[test]
fn policy_tag_lifecycle() {
    let mut r = Replay::new(format!(
        "{POLICIES}TestPolicyTags::test_policy_tag_lifecycle"
    ));
    let two = tags(&[("somekey", "somevalue"), ("someotherkey", "someothervalue")]);
    let (created, arn) = create_policy(&mut r, 1, json!({"Tags": two, "Description": "testing"}));
    r.check("create-with-tags", "CreatePolicy", &created, &[]);
    let got = r.iam("GetPolicy", json!({ "PolicyArn": arn }));
    r.check("get-with-tags", "GetPolicy", &got, &[]);
    let listed = r.iam("ListPolicyTags", json!({ "PolicyArn": arn }));
    r.check("list-created-tags", "ListPolicyTags", &listed, &[]);
    let (created, arn) = create_policy(&mut r, 2, json!({"Tags": tags(&[("somekey", "")])}));
    r.check("create-with-empty-tag-value", "CreatePolicy", &created, &[]);
    let listed = r.iam("ListPolicyTags", json!({ "PolicyArn": arn }));
    r.check("list-empty-tag-value", "ListPolicyTags", &listed, &[]);
    let (_, arn) = create_policy(&mut r, 3, json!({}));
    let got = r.iam("GetPolicy", json!({ "PolicyArn": arn }));
    r.check("get-without-tags", "GetPolicy", &got, &[]);
    let case = tags(&[("a", "lowercase"), ("A", "uppercase")]);
    let (created, arn) = create_policy(&mut r, 4, json!({ "Tags": case }));
    r.check(
        "create-with-case-sensitive-tags",
        "CreatePolicy",
        &created,
        &[],
    );
    let listed = r.iam("ListPolicyTags", json!({ "PolicyArn": arn }));
    r.check("list-case-sensitive-tags", "ListPolicyTags", &listed, &[]);
}

#[test]
fn policy_tag_operations() {
    let mut r = Replay::new(format!(
        "{POLICIES}TestPolicyTags::test_policy_tag_operations"
    ));
    let (created, arn) = create_policy(&mut r, 1, json!({}));
    r.check("create-policy", "CreatePolicy", &created, &[]);
    let tag = |r: &mut Replay, pairs: &[(&str, &str)]| {
        r.iam("TagPolicy", json!({"PolicyArn": arn, "Tags": tags(pairs)}));
    };
    let untag = |r: &mut Replay, key: &str| {
        r.iam("UntagPolicy", json!({"PolicyArn": arn, "TagKeys": [key]}));
    };
    let list = |r: &mut Replay, name: &str| {
        let listed = r.iam("ListPolicyTags", json!({ "PolicyArn": arn }));
        r.check(name, "ListPolicyTags", &listed, &[]);
    };
    tag(
        &mut r,
        &[("somekey", "somevalue"), ("someotherkey", "someothervalue")],
    );
    let got = r.iam("GetPolicy", json!({ "PolicyArn": arn }));
    r.check("get-after-tag", "GetPolicy", &got, &[]);
    list(&mut r, "list-tags");
    let page = r.iam("ListPolicyTags", json!({"PolicyArn": arn, "MaxItems": 1}));
    r.check("list-tags-page1", "ListPolicyTags", &page, &[]);
    let page = r.iam(
        "ListPolicyTags",
        json!({"PolicyArn": arn, "Marker": page["Marker"]}),
    );
    r.check("list-tags-page2", "ListPolicyTags", &page, &[]);
    tag(&mut r, &[("somekey", "somenewvalue")]);
    list(&mut r, "list-after-update");
    tag(&mut r, &[("somekey", "")]);
    list(&mut r, "list-after-update-empty");
    untag(&mut r, "somekey");
    list(&mut r, "list-after-untag-one");
    untag(&mut r, "someotherkey");
    list(&mut r, "list-after-untag-all");
    tag(&mut r, &[("a", "lowercase"), ("A", "uppercase")]);
    list(&mut r, "list-case-sensitive-tags");
    untag(&mut r, "a");
    list(&mut r, "list-after-untag-lowercase");
}

// ---------------------------------------------------------------- STS

/// An administrator of the account to call STS as (the root user may not assume roles), as
/// LocalStack's tests run against AWS.
fn act_as_admin(r: &mut Replay) {
    r.iam("CreateUser", json!({"UserName": "admin"}));
    r.iam(
        "PutUserPolicy",
        json!({"UserName": "admin", "PolicyName": "all", "PolicyDocument":
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#}),
    );
    r.sb.caller =
        r.sb.engine
            .caller_for_principal(
                &format!("arn:aws:iam::{DEFAULT_ACCOUNT_ID}:user/admin"),
                None,
            )
            .unwrap();
}

/// test_sts.py's trust policy: the account may assume the role.
fn account_trust() -> String {
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"AWS": "{DEFAULT_ACCOUNT_ID}"}}, "Action": "sts:AssumeRole"}}]}}"#
    )
}

#[test]
fn assume_role() {
    let mut r = Replay::new(format!("{STS}TestSTSIntegrations::test_assume_role"));
    let role = r.name("<resource:1>", "role-h7i8j9k1");
    let session = r.name("<role-session-name:1>", "session-l2m3n4");
    let created = r.iam(
        "CreateRole",
        json!({"RoleName": role, "AssumeRolePolicyDocument": account_trust()}),
    );
    r.check("create-role", "CreateRole", &created, &[]);
    act_as_admin(&mut r);
    let arn = created["Role"]["Arn"].clone();
    let assumed = r.sts(
        "AssumeRole",
        json!({"RoleArn": arn, "RoleSessionName": session}),
    );
    r.check("assume-role", "AssumeRole", &assumed, &[]);
}

#[test]
fn get_caller_identity_with_iam_user_credentials() {
    let mut r = Replay::new(format!(
        "{STS}TestSTSCallerIdentity::test_get_caller_identity_with_iam_user_credentials"
    ));
    let user = r.name("<user-name:1>", "user-o5p6q7");
    let created = r.iam("CreateUser", json!({ "UserName": user }));
    r.check("create-user", "CreateUser", &created, &[]);
    let id = r.iam("CreateAccessKey", json!({ "UserName": user }))["AccessKey"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_string();
    r.act_with_key(&id);
    let identity = r.sts("GetCallerIdentity", json!({}));
    r.check("caller-identity-user", "GetCallerIdentity", &identity, &[]);
}

#[test]
fn get_caller_identity_with_assumed_role_credentials() {
    let mut r = Replay::new(format!(
        "{STS}TestSTSCallerIdentity::test_get_caller_identity_with_assumed_role_credentials"
    ));
    let role = r.name("<role-name>", "role-r8s9t1");
    let session = r.name("<session-name>", "session-u2v3w4");
    let arn = r.iam(
        "CreateRole",
        json!({"RoleName": role, "AssumeRolePolicyDocument": account_trust()}),
    )["Role"]["Arn"]
        .clone();
    act_as_admin(&mut r);
    let assumed = r.sts(
        "AssumeRole",
        json!({"RoleArn": arn, "RoleSessionName": session}),
    );
    r.act_with_key(assumed["Credentials"]["AccessKeyId"].as_str().unwrap());
    let identity = r.sts("GetCallerIdentity", json!({}));
    r.check(
        "caller-identity-assumed-role",
        "GetCallerIdentity",
        &identity,
        &[],
    );
}
