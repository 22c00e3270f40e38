//! Real AWS error answers of IAM, STS and CloudFormation, as LocalStack recorded them, replayed
//! against the engine.
//!
//! LocalStack's snapshot tests run each scenario against AWS and keep every answer, errors
//! included, in `tests/aws/services/iam/*.snapshot.json`,
//! `tests/aws/services/sts/test_sts.snapshot.json` and
//! `tests/aws/services/cloudformation/**/*.snapshot.json` (localstack/localstack), with names,
//! ids and ARNs replaced by placeholders. `tests/data/localstack-iam-cf-errors.json` keeps the errors
//! replayed here, each as its `Error` member (`Code`, `Message`, `Type`); its `_source` says where
//! they come from. Each test below makes the requests LocalStack's test of that name makes (as
//! the sandbox's root user unless it says otherwise), the successful ones only as set-up
//! (tests/iam_snapshots.rs and tests/cf_snapshots.rs compare those), and compares each refusal
//! with the recording:
//!
//! - the same `Code` (the query protocol's error code) and `Type` (`Sender`: the caller's fault);
//! - the same `Message`, exactly, once its placeholders are filled: `<partition>` and the account
//!   `111111111111` are the sandbox's, and a placeholder for something the test names
//!   (`<user-name:1>`, `<role-name:1>`, `<policy-name:1>`) is the name the replay gave.
//!
//! Every recording kept is replayed (`Replay`'s `Drop`). Not kept: errors of operations the
//! sandbox does not have (UpdateUser, login profiles, groups, permissions boundaries, instance
//! profiles, AWS managed policies, GetAccessKeyLastUsed) and the transitive session tags of role
//! chaining (test_iam_role_chaining_override_transitive_tags: the sandbox's sessions do not carry
//! transitive tags to the sessions they assume), and CloudFormation's refusals of parameters the
//! sandbox ignores (UpdateStack's ResourceTypes, RoleARN and RollbackConfiguration). As in
//! tests/cf_snapshots.rs, a CloudFormation template is reduced to KMS resources (the sandbox has
//! no other type) where the refusal does not depend on the type, and LocalStack's deploy fixture
//! (a change set) is CreateStack with the same template and parameters.

use kms_core::{json, Clock, Sandbox, Service, Value, DEFAULT_ACCOUNT_ID};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

const RECORDINGS: &str = include_str!("data/localstack-iam-cf-errors.json");
const USERS: &str = "tests/aws/services/iam/test_iam_users.py::";
const ROLES: &str = "tests/aws/services/iam/test_iam_roles.py::";
const POLICIES: &str = "tests/aws/services/iam/test_iam_policies.py::";
const STS: &str = "tests/aws/services/sts/test_sts.py::";
const UPDATE_STACK: &str = "tests/aws/services/cloudformation/api/test_update_stack.py::";

fn recordings() -> &'static Value {
    static S: OnceLock<Value> = OnceLock::new();
    S.get_or_init(|| serde_json::from_str(RECORDINGS).expect("the recordings are JSON"))
}

/// One LocalStack test replayed: a sandbox, and what its placeholders stand for.
struct Replay {
    sb: Sandbox,
    test: String,
    /// Placeholder (`<user-name:1>`) to the name the replay gave.
    bound: BTreeMap<String, String>,
    /// The recordings compared so far.
    checked: BTreeSet<String>,
}

impl Replay {
    fn new(test: impl Into<String>) -> Self {
        let test = test.into();
        assert!(
            recordings()["entries"][&test].is_object(),
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

    /// A request of the set-up, which must succeed.
    fn ok(&mut self, service: Service, op: &str, req: Value) -> Value {
        self.sb
            .call_service(service, op, req.clone())
            .unwrap_or_else(|e| panic!("{}: {op} {req} failed: {e}", self.test))
    }

    fn iam(&mut self, op: &str, req: Value) -> Value {
        self.ok(Service::Iam, op, req)
    }

    /// Makes the request, which must fail, and compares the error with the recording `name`.
    fn fails(&mut self, name: &str, service: Service, op: &str, req: Value) {
        let recorded = &recordings()["entries"][&self.test]["recorded-content"][name];
        assert!(!recorded.is_null(), "{}: no recording {name}", self.test);
        let keys: Vec<&String> = recorded.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["Error"],
            "{} / {name}: only the Error is kept",
            self.test
        );
        let e = match self.sb.call_service(service, op, req.clone()) {
            Ok(v) => panic!("{} / {name}: {op} {req} succeeded: {v}", self.test),
            Err(e) => e,
        };
        let fault = if e.error_type.is_sender_fault() {
            "Sender"
        } else {
            "Receiver"
        };
        let actual = json!({"Code": e.error_type.as_str(), "Message": e.message, "Type": fault});
        let mut expected = recorded["Error"].clone();
        let message = self.fill(expected["Message"].as_str().unwrap());
        expected["Message"] = json!(message);
        assert_eq!(
            actual, expected,
            "{} / {name}: {op}'s error differs from AWS's",
            self.test
        );
        self.checked.insert(name.to_string());
    }

    fn iam_fails(&mut self, name: &str, op: &str, req: Value) {
        self.fails(name, Service::Iam, op, req)
    }

    fn sts_fails(&mut self, name: &str, op: &str, req: Value) {
        self.fails(name, Service::Sts, op, req)
    }

    /// The recorded text with the placeholders the replay knows filled.
    fn fill(&self, recorded: &str) -> String {
        let mut filled = recorded
            .replace("<partition>", "aws")
            .replace("111111111111", DEFAULT_ACCOUNT_ID);
        for (placeholder, value) in &self.bound {
            filled = filled.replace(placeholder.as_str(), value);
        }
        assert!(
            !filled.contains(":1>"),
            "{}: a placeholder the replay cannot fill in {recorded:?}",
            self.test
        );
        filled
    }

    /// Acts as the user or role session whose access key this is.
    fn act_with_key(&mut self, access_key_id: &str) {
        self.sb.caller = self
            .sb
            .engine
            .caller_for_access_key(access_key_id, self.sb.clock.now())
            .expect("a key the sandbox issued");
    }

    /// Acts as a user allowed everything (LocalStack's tests run as such a principal, not as
    /// the account's root user, which may not assume roles).
    fn act_as_admin_user(&mut self) {
        self.iam("CreateUser", json!({"UserName": "admin"}));
        self.iam(
            "PutUserPolicy",
            json!({"UserName": "admin", "PolicyName": "all", "PolicyDocument": ALLOW_ALL}),
        );
        let key = self.iam("CreateAccessKey", json!({"UserName": "admin"}));
        self.act_with_key(key["AccessKey"]["AccessKeyId"].as_str().unwrap());
    }

    /// Acts as a session of a role allowed everything: credentials that are not a user's.
    fn act_as_admin_session(&mut self) {
        self.iam(
            "CreateRole",
            json!({"RoleName": "admin-role", "AssumeRolePolicyDocument": account_trust(&[])}),
        );
        self.iam(
            "PutRolePolicy",
            json!({"RoleName": "admin-role", "PolicyName": "all", "PolicyDocument": ALLOW_ALL}),
        );
        self.act_as_admin_user();
        let arn = format!("arn:aws:iam::{DEFAULT_ACCOUNT_ID}:role/admin-role");
        let assumed = self.ok(
            Service::Sts,
            "AssumeRole",
            json!({"RoleArn": arn, "RoleSessionName": "admin-session"}),
        );
        self.act_with_key(assumed["Credentials"]["AccessKeyId"].as_str().unwrap());
    }
}

impl Drop for Replay {
    /// Every recording of the test was compared.
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let recorded: BTreeSet<String> = recordings()["entries"][&self.test]["recorded-content"]
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

const ALLOW_ALL: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#;

/// A trust policy letting the account's principals assume the role (with these actions besides
/// sts:AssumeRole).
fn account_trust(more: &[&str]) -> String {
    let mut actions = vec!["sts:AssumeRole"];
    actions.extend(more);
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": DEFAULT_ACCOUNT_ID}, "Action": actions}]})
    .to_string()
}

#[test]
fn every_recording_kept_is_replayed() {
    // The tests below replay these recorded tests, each in full (Replay's Drop): a recording
    // added to the data must get its test.
    let entries = recordings()["entries"].as_object().unwrap();
    assert_eq!(entries.len(), 61);
    let recordings: usize = entries
        .values()
        .map(|e| e["recorded-content"].as_object().unwrap().len())
        .sum();
    assert_eq!(recordings, 127);
}

fn tags(pairs: &[(&str, &str)]) -> Value {
    pairs
        .iter()
        .map(|(k, v)| json!({"Key": k, "Value": v}))
        .collect()
}

/// 51 tags `0`..`50`, one more than IAM allows.
fn too_many_tags() -> Value {
    (0..51)
        .map(|x| json!({"Key": x.to_string(), "Value": x.to_string()}))
        .collect()
}

fn too_many_keys() -> Value {
    (0..51).map(|x| json!(x.to_string())).collect()
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
        r.iam("CreateUser", req);
        r.iam("DeleteUser", json!({ "UserName": user }));
        r.iam_fails(
            "get-deleted-user-error",
            "GetUser",
            json!({ "UserName": user }),
        );
    }
}

#[test]
fn user_errors() {
    let mut r = Replay::new(format!("{USERS}TestUserLifecycle::test_user_errors"));
    let user = r.name("<user-name:1>", "user-d4e5f6");
    r.iam("CreateUser", json!({ "UserName": user }));
    r.iam_fails(
        "create-duplicate-user-error",
        "CreateUser",
        json!({ "UserName": user }),
    );
    let nonexistent = json!({"UserName": "nonexistent-user"});
    r.iam_fails("get-nonexistent-user-error", "GetUser", nonexistent.clone());
    r.iam_fails("delete-nonexistent-user-error", "DeleteUser", nonexistent);
}

#[test]
fn delete_user_with_attached_policy() {
    let mut r = Replay::new(format!(
        "{USERS}TestUserLifecycle::test_delete_user_with_attached_policy"
    ));
    let user = r.name("<user-name:1>", "user-g7h8i9");
    r.iam("CreateUser", json!({ "UserName": user }));
    let policy = r.iam(
        "CreatePolicy",
        json!({"PolicyName": "policy-j1k2l3", "PolicyDocument": SAMPLE_POLICY_DOCUMENT}),
    );
    let arn = policy["Policy"]["Arn"].clone();
    let attachment = json!({"UserName": user, "PolicyArn": arn});
    r.iam("AttachUserPolicy", attachment.clone());
    r.iam_fails(
        "delete-user-with-attached-policy-error",
        "DeleteUser",
        json!({ "UserName": user }),
    );
    r.iam("DetachUserPolicy", attachment);
    r.iam("DeleteUser", json!({ "UserName": user }));
    r.iam_fails(
        "get-deleted-user-error",
        "GetUser",
        json!({ "UserName": user }),
    );
}

#[test]
fn delete_user_with_inline_policy() {
    let mut r = Replay::new(format!(
        "{USERS}TestUserLifecycle::test_delete_user_with_inline_policy"
    ));
    let user = r.name("<user-name:1>", "user-m4n5o6");
    r.iam("CreateUser", json!({ "UserName": user }));
    let policy = json!({"UserName": user, "PolicyName": "policy-p7q8r9"});
    let mut put = policy.clone();
    put["PolicyDocument"] = json!(SAMPLE_POLICY_DOCUMENT);
    r.iam("PutUserPolicy", put);
    r.iam_fails(
        "delete-user-with-inline-policy-error",
        "DeleteUser",
        json!({ "UserName": user }),
    );
    r.iam("DeleteUserPolicy", policy);
    r.iam("DeleteUser", json!({ "UserName": user }));
    r.iam_fails(
        "get-deleted-user-error",
        "GetUser",
        json!({ "UserName": user }),
    );
}

#[test]
fn access_key_limit() {
    let mut r = Replay::new(format!("{USERS}TestUserAccessKeys::test_access_key_limit"));
    let user = json!({"UserName": "user-s1t2u3"});
    r.iam("CreateUser", user.clone());
    r.iam("CreateAccessKey", user.clone());
    r.iam("CreateAccessKey", user.clone());
    r.iam_fails("create-third-access-key-error", "CreateAccessKey", user);
}

#[test]
fn access_key_errors() {
    let mut r = Replay::new(format!("{USERS}TestUserAccessKeys::test_access_key_errors"));
    // AWS's answer to DeleteAccessKey without a user name ("non-User credentials") says the test
    // ran as a role's session.
    r.act_as_admin_session();
    let user = "user-v4w5x6";
    r.iam("CreateUser", json!({ "UserName": user }));
    r.iam_fails(
        "create-access-key-unknown-user-error",
        "CreateAccessKey",
        json!({"UserName": "nonexistent-user"}),
    );
    r.iam_fails(
        "update-nonexistent-access-key-error",
        "UpdateAccessKey",
        json!({"UserName": user, "AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Status": "Inactive"}),
    );
    let key = r.iam("CreateAccessKey", json!({ "UserName": user }));
    r.iam_fails(
        "delete-access-key-without-username-error",
        "DeleteAccessKey",
        json!({"AccessKeyId": key["AccessKey"]["AccessKeyId"]}),
    );
}

#[test]
fn user_managed_policy_errors() {
    let mut r = Replay::new(format!(
        "{USERS}TestUserPolicies::test_user_managed_policy_errors"
    ));
    let user = "user-y7z8a9";
    r.iam("CreateUser", json!({ "UserName": user }));
    let policy = r.name("<policy-name:1>", "policy-b1c2d3");
    let arn = r.iam(
        "CreatePolicy",
        json!({"PolicyName": policy, "PolicyDocument": SAMPLE_POLICY_DOCUMENT}),
    )["Policy"]["Arn"]
        .clone();
    r.iam_fails(
        "attach-nonexistent-policy-error",
        "AttachUserPolicy",
        json!({"UserName": user,
               "PolicyArn": format!("arn:aws:iam::{DEFAULT_ACCOUNT_ID}:policy/nonexistent")}),
    );
    r.iam_fails(
        "detach-unattached-policy-error",
        "DetachUserPolicy",
        json!({"UserName": user, "PolicyArn": arn}),
    );
}

#[test]
fn user_tag_errors() {
    let mut r = Replay::new(format!("{USERS}TestUserTags::test_user_tag_errors"));
    let user = "nonexistent-user";
    r.iam_fails(
        "tag-nonexistent-user-error",
        "TagUser",
        json!({"UserName": user, "Tags": tags(&[("key", "value")])}),
    );
    r.iam_fails(
        "untag-nonexistent-user-error",
        "UntagUser",
        json!({"UserName": user, "TagKeys": ["key"]}),
    );
    r.iam_fails(
        "list-tags-nonexistent-user-error",
        "ListUserTags",
        json!({ "UserName": user }),
    );
}

// ---------------------------------------------------------------- roles

/// test_iam_roles.py's TRUST_POLICY.
const TRUST_POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}"#;

/// test_iam_roles.py's MOCK_POLICY.
const MOCK_POLICY: &str = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}}"#;

fn create_role(name: &str) -> Value {
    json!({"RoleName": name, "AssumeRolePolicyDocument": TRUST_POLICY})
}

#[test]
fn role_errors() {
    let mut r = Replay::new(format!("{ROLES}TestRoleLifecycle::test_role_errors"));
    let nonexistent = "test-nonexistent-role";
    r.iam_fails(
        "get-role-error",
        "GetRole",
        json!({ "RoleName": nonexistent }),
    );
    r.iam_fails(
        "update-role-error",
        "UpdateRole",
        json!({"RoleName": nonexistent, "Description": "test"}),
    );
    r.iam_fails(
        "delete-role-error",
        "DeleteRole",
        json!({ "RoleName": nonexistent }),
    );
    let role = r.name("<role-name:1>", "role-e4f5g6");
    r.iam("CreateRole", create_role(&role));
    r.iam_fails(
        "create-role-already-exists-error",
        "CreateRole",
        create_role(&role),
    );
}

#[test]
fn delete_role_with_attached_policy() {
    let mut r = Replay::new(format!(
        "{ROLES}TestRoleLifecycle::test_delete_role_with_attached_policy"
    ));
    let role = r.name("<role-name:1>", "role-h7i8j9");
    r.iam("CreateRole", create_role(&role));
    let arn = r.iam(
        "CreatePolicy",
        json!({"PolicyName": "policy-k1l2m3", "PolicyDocument": MOCK_POLICY}),
    )["Policy"]["Arn"]
        .clone();
    let attachment = json!({"RoleName": role, "PolicyArn": arn});
    r.iam("AttachRolePolicy", attachment.clone());
    r.iam_fails(
        "delete-role-with-policy-error",
        "DeleteRole",
        json!({ "RoleName": role }),
    );
    r.iam("DetachRolePolicy", attachment);
    r.iam("DeleteRole", json!({ "RoleName": role }));
    r.iam_fails(
        "get-role-after-deletion-error",
        "GetRole",
        json!({ "RoleName": role }),
    );
}

#[test]
fn delete_role_with_inline_policy() {
    let mut r = Replay::new(format!(
        "{ROLES}TestRoleLifecycle::test_delete_role_with_inline_policy"
    ));
    let role = r.name("<role-name:1>", "role-n4o5p6");
    r.iam("CreateRole", create_role(&role));
    let policy = json!({"RoleName": role, "PolicyName": "inline-policy-q7r8s9"});
    let mut put = policy.clone();
    put["PolicyDocument"] = json!(MOCK_POLICY);
    r.iam("PutRolePolicy", put);
    r.iam_fails(
        "delete-role-with-inline-policy-error",
        "DeleteRole",
        json!({ "RoleName": role }),
    );
    r.iam("DeleteRolePolicy", policy);
    r.iam("DeleteRole", json!({ "RoleName": role }));
    r.iam_fails(
        "get-role-after-deletion-error",
        "GetRole",
        json!({ "RoleName": role }),
    );
}

#[test]
fn update_assume_role_policy_errors() {
    let mut r = Replay::new(format!(
        "{ROLES}TestRoleLifecycle::test_update_assume_role_policy_errors"
    ));
    let role = "role-t1u2v3";
    r.iam("CreateRole", create_role(role));
    let update = |doc: &str| json!({"RoleName": role, "PolicyDocument": doc});
    r.iam_fails(
        "invalid-json-error",
        "UpdateAssumeRolePolicy",
        update("not valid json"),
    );
    r.iam_fails(
        "invalid-action-error",
        "UpdateAssumeRolePolicy",
        update(r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:InvalidAction"}]}"#),
    );
    r.iam_fails(
        "resource-field-error",
        "UpdateAssumeRolePolicy",
        update(r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole", "Resource": "arn:aws:s3:::example_bucket"}]}"#),
    );
}

#[test]
fn role_inline_policy_lifecycle() {
    let mut r = Replay::new(format!(
        "{ROLES}TestRoleInlinePolicies::test_role_inline_policy_lifecycle"
    ));
    let role = "role-w4x5y6";
    r.iam("CreateRole", create_role(role));
    let first = r.name("<policy-name:1>", "policy-1-z7a8b9");
    let second = "policy-2-c1d2e3";
    for name in [first.as_str(), second] {
        r.iam(
            "PutRolePolicy",
            json!({"RoleName": role, "PolicyName": name, "PolicyDocument": MOCK_POLICY}),
        );
    }
    let deleted = json!({"RoleName": role, "PolicyName": first});
    r.iam("DeleteRolePolicy", deleted.clone());
    r.iam_fails("get-deleted-policy-error", "GetRolePolicy", deleted.clone());
    r.iam_fails(
        "delete-nonexistent-policy-error",
        "DeleteRolePolicy",
        deleted,
    );
}

#[test]
fn role_inline_policy_errors() {
    let mut r = Replay::new(format!(
        "{ROLES}TestRoleInlinePolicies::test_role_inline_policy_errors"
    ));
    let role = "role-f4g5h6";
    r.iam("CreateRole", create_role(role));
    let policy = "non-existent-policy";
    let on_role = json!({"RoleName": role, "PolicyName": policy});
    r.iam_fails(
        "get-nonexistent-policy-error",
        "GetRolePolicy",
        on_role.clone(),
    );
    r.iam_fails(
        "delete-nonexistent-policy-error",
        "DeleteRolePolicy",
        on_role,
    );
    let on_nonexistent = json!({"RoleName": "nonexistent-role", "PolicyName": policy});
    let mut put = on_nonexistent.clone();
    put["PolicyDocument"] = json!(MOCK_POLICY);
    r.iam_fails("put-policy-nonexistent-role-error", "PutRolePolicy", put);
    r.iam_fails(
        "get-policy-nonexistent-role-error",
        "GetRolePolicy",
        on_nonexistent.clone(),
    );
    r.iam_fails(
        "delete-policy-nonexistent-role-error",
        "DeleteRolePolicy",
        on_nonexistent,
    );
}

#[test]
fn role_managed_policy_errors() {
    let mut r = Replay::new(format!(
        "{ROLES}TestRoleManagedPolicies::test_role_managed_policy_errors"
    ));
    let role = "role-i7j8k9";
    r.iam("CreateRole", create_role(role));
    let policy = r.name("<policy-name:1>", "test-policy-l1m2n3o4");
    let arn = r.iam(
        "CreatePolicy",
        json!({"PolicyName": policy, "PolicyDocument": MOCK_POLICY}),
    )["Policy"]["Arn"]
        .as_str()
        .unwrap()
        .to_string();
    let attach = |arn: &str| json!({"RoleName": role, "PolicyArn": arn});
    r.iam_fails(
        "detach-not-attached-policy-error",
        "DetachRolePolicy",
        attach(&arn),
    );
    r.iam_fails(
        "non-existent-malformed-policy-arn",
        "AttachRolePolicy",
        attach("longpolicynamebutnoarn"),
    );
    r.iam_fails(
        "existing-policy-name-provided",
        "AttachRolePolicy",
        attach(&policy),
    );
    r.iam_fails(
        "attach-nonexistent-policy-error",
        "AttachRolePolicy",
        attach(&arn.replace(&policy, "nonexistent-policy")),
    );
}

#[test]
fn role_tag_errors() {
    let mut r = Replay::new(format!("{ROLES}TestRoleTags::test_role_tag_errors"));
    let nonexistent = "test-nonexistent-role";
    r.iam_fails(
        "tag-nonexistent-role-error",
        "TagRole",
        json!({"RoleName": nonexistent, "Tags": tags(&[("somekey", "somevalue")])}),
    );
    r.iam_fails(
        "untag-nonexistent-role-error",
        "UntagRole",
        json!({"RoleName": nonexistent, "TagKeys": ["somekey"]}),
    );
    r.iam_fails(
        "list-tags-nonexistent-role-error",
        "ListRoleTags",
        json!({ "RoleName": nonexistent }),
    );
    let role = "role-o4p5q6";
    let with_tags = |name: &str, tags: Value| json!({"RoleName": name, "AssumeRolePolicyDocument": TRUST_POLICY, "Tags": tags});
    r.iam_fails(
        "create-role-too-many-tags",
        "CreateRole",
        with_tags(role, too_many_tags()),
    );
    r.iam("CreateRole", create_role(role));
    // Too many tags for a role that does not exist: the request's shape is checked first.
    r.iam_fails(
        "tag-role-too-many-tags",
        "TagRole",
        json!({"RoleName": nonexistent, "Tags": too_many_tags()}),
    );
    let duplicate = tags(&[("dupkey", "val1"), ("dupkey", "val2")]);
    let duplicate_case = tags(&[("mykey", "val1"), ("MyKey", "val2")]);
    let long_key = "k".repeat(129);
    let long_key_tags = tags(&[(&long_key, "value")]);
    let long_value = "v".repeat(257);
    let long_value_tags = tags(&[("key", &long_value)]);
    let invalid_char = tags(&[("invalid!key", "value")]);
    let cases = [
        ("duplicate-tags", "role-dup-r7s8t9", &duplicate),
        (
            "duplicate-tags-different-case",
            "role-dup-case-u1v2w3",
            &duplicate_case,
        ),
        ("tag-key-too-long", "role-long-key-x4y5z6", &long_key_tags),
        (
            "tag-value-too-long",
            "role-long-val-a7b8c9",
            &long_value_tags,
        ),
        (
            "tag-invalid-char",
            "role-invalid-char-d1e2f3",
            &invalid_char,
        ),
    ];
    for (case, name, tags) in cases {
        r.iam_fails(
            &format!("create-role-{case}"),
            "CreateRole",
            with_tags(name, tags.clone()),
        );
    }
    for (case, _, tags) in cases {
        r.iam_fails(
            &format!("tag-role-{case}"),
            "TagRole",
            json!({"RoleName": role, "Tags": tags}),
        );
    }
    let untag = |keys: Value| json!({"RoleName": role, "TagKeys": keys});
    r.iam_fails(
        "untag-role-too-many-keys",
        "UntagRole",
        untag(too_many_keys()),
    );
    r.iam_fails(
        "untag-role-key-too-long",
        "UntagRole",
        untag(json!([long_key])),
    );
    r.iam_fails(
        "untag-role-invalid-char",
        "UntagRole",
        untag(json!(["invalid!key"])),
    );
}

// ---------------------------------------------------------------- managed policies

/// test_iam_policies.py's SAMPLE_POLICY and SAMPLE_POLICY_2.
const SAMPLE_POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "Statement1", "Effect": "Allow", "Action": ["iam:ListUsers"], "Resource": "*"}]}"#;
const SAMPLE_POLICY_2: &str = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "Statement1", "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": "*"}]}"#;

/// The create_policy fixture: a policy of SAMPLE_POLICY under `name`; its ARN.
fn create_policy(r: &mut Replay, name: &str) -> String {
    r.iam(
        "CreatePolicy",
        json!({"PolicyName": name, "PolicyDocument": SAMPLE_POLICY}),
    )["Policy"]["Arn"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn policy_errors() {
    let mut r = Replay::new(format!("{POLICIES}TestPolicies::test_policy_errors"));
    let name = r.name("<policy-name:1>", "test-policy-g4h5i6");
    create_policy(&mut r, &name);
    r.iam_fails(
        "policy-already-exists",
        "CreatePolicy",
        json!({"PolicyName": name, "PolicyDocument": SAMPLE_POLICY}),
    );
}

#[test]
fn policy_version_limit() {
    let mut r = Replay::new(format!("{POLICIES}TestPolicies::test_policy_version_limit"));
    let arn = create_policy(&mut r, "policy-j7k8l9");
    let version = json!({"PolicyArn": arn, "PolicyDocument": SAMPLE_POLICY});
    for _ in 0..4 {
        r.iam("CreatePolicyVersion", version.clone());
    }
    r.iam_fails("err-version-limit-exceeded", "CreatePolicyVersion", version);
}

#[test]
fn policy_version_errors() {
    let mut r = Replay::new(format!(
        "{POLICIES}TestPolicies::test_policy_version_errors"
    ));
    let name = r.name("<policy-name:1>", "policy-m1n2o3");
    let arn = create_policy(&mut r, &name);
    r.iam(
        "CreatePolicyVersion",
        json!({"PolicyArn": arn, "PolicyDocument": SAMPLE_POLICY_2}),
    );
    let missing = format!("arn:aws:iam::{DEFAULT_ACCOUNT_ID}:policy/TestNonExistingPolicy");
    let version = |arn: &str, v: &str| json!({"PolicyArn": arn, "VersionId": v});
    r.iam_fails(
        "err-get-version-nonexistent-policy",
        "GetPolicyVersion",
        version(&missing, "v1"),
    );
    r.iam_fails(
        "err-get-nonexistent-version",
        "GetPolicyVersion",
        version(&arn, "v9"),
    );
    r.iam_fails(
        "err-delete-default-version",
        "DeletePolicyVersion",
        version(&arn, "v1"),
    );
    r.iam_fails(
        "err-delete-nonexistent-version",
        "DeletePolicyVersion",
        version(&arn, "v9"),
    );
    r.iam_fails(
        "err-set-default-nonexistent-policy",
        "SetDefaultPolicyVersion",
        version(&missing, "v1"),
    );
    r.iam_fails(
        "err-set-default-invalid-version-format",
        "SetDefaultPolicyVersion",
        version(&arn, "wrong_version_id"),
    );
    r.iam_fails(
        "err-set-default-nonexistent-version",
        "SetDefaultPolicyVersion",
        version(&arn, "v4"),
    );
}

/// The tags test_policy_tag_create_errors and test_policy_tag_update_errors send, each refused
/// for one reason: the recording's name and the tags.
fn bad_policy_tags() -> Vec<(&'static str, Value)> {
    vec![
        ("too-many", too_many_tags()),
        ("duplicate-keys", tags(&[("0", ""), ("0", "")])),
        ("large-key", tags(&[(&"0".repeat(129), "")])),
        ("large-value", tags(&[("0", &"0".repeat(257))])),
        ("invalid-character", tags(&[("NOWAY!", "")])),
    ]
}

#[test]
fn policy_tag_create_errors() {
    let mut r = Replay::new(format!(
        "{POLICIES}TestPolicyTags::test_policy_tag_create_errors"
    ));
    for (i, (case, tags)) in bad_policy_tags().into_iter().enumerate() {
        // The first recording is named err-too-many-tags, the tag_policy one err-tag-too-many.
        let name = match case {
            "too-many" => "err-too-many-tags".to_string(),
            _ => format!("err-{case}"),
        };
        r.iam_fails(
            &name,
            "CreatePolicy",
            json!({"PolicyName": format!("test-policy-p{i}"), "PolicyDocument": SAMPLE_POLICY,
                   "Tags": tags}),
        );
    }
}

#[test]
fn policy_tag_update_errors() {
    let mut r = Replay::new(format!(
        "{POLICIES}TestPolicyTags::test_policy_tag_update_errors"
    ));
    let arn = create_policy(&mut r, "policy-q4r5s6");
    r.iam(
        "TagPolicy",
        json!({"PolicyArn": arn, "Tags": tags(&[("somekey", "somevalue"), ("someotherkey", "someothervalue")])}),
    );
    for (case, tags) in bad_policy_tags() {
        r.iam_fails(
            &format!("err-tag-{case}"),
            "TagPolicy",
            json!({"PolicyArn": arn, "Tags": tags}),
        );
    }
    let missing = format!("arn:aws:iam::{DEFAULT_ACCOUNT_ID}:policy/NotAPolicy");
    r.iam_fails(
        "err-tag-nonexistent-policy",
        "TagPolicy",
        json!({"PolicyArn": missing, "Tags": tags(&[("some", "value")])}),
    );
    let untag = |keys: Value| json!({"PolicyArn": arn, "TagKeys": keys});
    r.iam_fails(
        "err-untag-too-many-keys",
        "UntagPolicy",
        untag(too_many_keys()),
    );
    r.iam_fails(
        "err-untag-large-key",
        "UntagPolicy",
        untag(json!(["0".repeat(129)])),
    );
    r.iam_fails(
        "err-untag-invalid-character",
        "UntagPolicy",
        untag(json!(["NOWAY!"])),
    );
    r.iam_fails(
        "err-untag-nonexistent-policy",
        "UntagPolicy",
        json!({"PolicyArn": missing, "TagKeys": ["somevalue"]}),
    );
}

/// The policy documents of test_iam_policies.py's INVALID_POLICY_DOCUMENTS the replay sends, by
/// their index there (the documents as json.dumps writes them, or the text sent as is).
const INVALID_POLICY_DOCUMENTS: &[(usize, &str)] = &[
    (0, "This is not a json document"),
    (
        1,
        r#"{"Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}}"#,
    ),
    (
        2,
        r#"{"Version": "2008-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}}"#,
    ),
    (
        3,
        r#"{"Version": "2013-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}}"#,
    ),
    (4, r#"{"Version": "2012-10-17"}"#),
    (5, r#"{"Version": "2012-10-17", "Statement": ["afd"]}"#),
    (
        6,
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}, "Extra field": "value"}"#,
    ),
    (
        7,
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket", "Extra field": "value"}}"#,
    ),
    (
        8,
        r#"{"Version": "2012-10-17", "Id": ["cd3a324d2343d942772346-34234234423404-4c2242343242349d1642ee"], "Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}}"#,
    ),
    (
        9,
        r#"{"Version": "2012-10-17", "Id": {}, "Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}}"#,
    ),
    (
        10,
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "invalid", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}}"#,
    ),
    (
        11,
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "invalid", "Resource": "arn:aws:s3:::example_bucket"}}"#,
    ),
    (
        12,
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "NotAction": "", "Resource": "arn:aws:s3:::example_bucket"}}"#,
    ),
    (
        13,
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "a a:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}}"#,
    ),
    (
        14,
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:List:Bucket", "Resource": "arn:aws:s3:::example_bucket"}}"#,
    ),
    (
        15,
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3s:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}, {"Effect": "Allow", "Action": "s:3s:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}]}"#,
    ),
    (
        16,
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "invalid resource"}}"#,
    ),
    (
        19,
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": ["adf"]}}"#,
    ),
    (
        20,
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": ""}}"#,
    ),
    (26, r#"{"Version": "2012-10-17", "Statement": []}"#),
    (
        27,
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket"}}"#,
    ),
    (
        28,
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": []}}"#,
    ),
    (
        29,
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "invalid"}}"#,
    ),
    (
        30,
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Resource": "arn:aws:s3:::example_bucket"}}"#,
    ),
    (
        31,
        r#"{"Version": "2012-10-17", "Statement": {"Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}}"#,
    ),
    (
        32,
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow"}}"#,
    ),
    (
        33,
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": [], "Resource": "arn:aws:s3:::example_bucket"}}"#,
    ),
    (
        34,
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny"}, {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}]}"#,
    ),
    (
        59,
        r#"{"Version": "2012-10-17", "Statement": [{"Sid": "sdf", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}, {"Sid": "sdf", "Effect": "Allow"}]}"#,
    ),
    (
        60,
        r#"{"Statement": [{"Sid": "sdf", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}, {"Sid": "sdf", "Effect": "Allow"}]}"#,
    ),
    (
        63,
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "denY", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}}"#,
    ),
    (
        65,
        r#"{"Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket", "Condition": {"DateGreaterThan": {"a": "sdfdsf"}}}}"#,
    ),
    (
        66,
        r#"{"Statement": {"Effect": "denY", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}}"#,
    ),
];

#[test]
fn create_policy_invalid_document() {
    for (i, document) in INVALID_POLICY_DOCUMENTS {
        let mut r = Replay::new(format!(
            "{POLICIES}TestPolicyDocumentValidity::test_create_policy_invalid_document[invalid-{i}]"
        ));
        r.iam_fails(
            "error",
            "CreatePolicy",
            json!({"PolicyName": format!("test-policy-t{i}"), "PolicyDocument": document}),
        );
    }
}

// ---------------------------------------------------------------- STS

#[test]
fn sts_invalid_parameters() {
    let mut r = Replay::new(format!(
        "{STS}TestSTSIntegrations::test_sts_invalid_parameters"
    ));
    r.act_as_admin_user();
    let cases = [
        ("malformed-arn", "nothing-valid-in-here", "Session1"),
        ("no-partition", "arn::b:::something/test-role", "Session1"),
        ("no-service", "arn:a::::something/test-role", "Session1"),
        (
            "not-enough-colons",
            "arn:a:::something/test-role",
            "Session1",
        ),
        ("no-resource", "arn:a:a::aaaaaaaaaa:", "Session1"),
        (
            "invalid-session-name",
            "arn:a:b:::something/test-role",
            "Session1:2",
        ),
    ];
    for (name, arn, session) in cases {
        r.sts_fails(
            name,
            "AssumeRole",
            json!({"RoleArn": arn, "RoleSessionName": session}),
        );
    }
}

#[test]
fn assume_role_session_name_too_long() {
    let mut r = Replay::new(format!(
        "{STS}TestSTSIntegrations::test_assume_role_session_name_too_long"
    ));
    let arn = r.iam(
        "CreateRole",
        json!({"RoleName": "role-u7v8w9", "AssumeRolePolicyDocument": account_trust(&[])}),
    )["Role"]["Arn"]
        .clone();
    r.act_as_admin_user();
    r.sts_fails(
        "session-name-too-long-error",
        "AssumeRole",
        json!({"RoleArn": arn, "RoleSessionName": "s".repeat(65)}),
    );
}

#[test]
fn assume_role_tag_validation() {
    let mut r = Replay::new(format!(
        "{STS}TestSTSAssumeRoleTagging::test_assume_role_tag_validation"
    ));
    let arn = r.iam(
        "CreateRole",
        json!({"RoleName": "role-1-x1y2z3",
               "AssumeRolePolicyDocument": account_trust(&["sts:TagSession"])}),
    )["Role"]["Arn"]
        .clone();
    r.act_as_admin_user();
    r.ok(
        Service::Sts,
        "AssumeRole",
        json!({"RoleArn": arn, "RoleSessionName": "Session1"}),
    );
    r.sts_fails(
        "invalid-transitive-tag-keys",
        "AssumeRole",
        json!({"RoleArn": arn, "RoleSessionName": "SessionInvalidTransitiveKeys",
               "Tags": tags(&[("SessionTag1", "SessionValue1")]),
               "TransitiveTagKeys": ["InvalidKey"]}),
    );
    // Transitive tag keys name the tags in any case.
    r.ok(
        Service::Sts,
        "AssumeRole",
        json!({"RoleArn": arn, "RoleSessionName": "SessionInvalidCasingTransitiveKeys",
               "Tags": tags(&[("SessionTag1", "SessionValue1")]),
               "TransitiveTagKeys": ["sessiontag1"]}),
    );
    r.sts_fails(
        "duplicate-tag-keys-different-casing",
        "AssumeRole",
        json!({"RoleArn": arn, "RoleSessionName": "SessionInvalidCasingTransitiveKeys",
               "Tags": tags(&[("SessionTag1", "SessionValue1"), ("sessiontag1", "SessionValue2")]),
               "TransitiveTagKeys": ["sessiontag1"]}),
    );
}

// ---------------------------------------------------------------- CloudFormation

/// templates/sns_topic_parameter.yml with its topic made a KMS key: a `TopicName` parameter the
/// resource uses.
const TOPIC_PARAMETER: &str = "Parameters:\n  TopicName:\n    Type: String\nResources:\n  topic123:\n    Type: AWS::KMS::Key\n    Properties:\n      Description: !Ref TopicName\n";

#[test]
fn no_template_error() {
    let mut r = Replay::new(format!("{UPDATE_STACK}test_no_template_error"));
    let stack = "stack-x5y6z7";
    r.ok(
        Service::CloudFormation,
        "CreateStack",
        json!({"StackName": stack, "TemplateBody": TOPIC_PARAMETER,
               "Parameters": [{"ParameterKey": "TopicName", "ParameterValue": "topic-a8b9c1"}]}),
    );
    r.fails(
        "error",
        Service::CloudFormation,
        "UpdateStack",
        json!({ "StackName": stack }),
    );
}

#[test]
fn diff_after_update() {
    let mut r = Replay::new(format!("{UPDATE_STACK}test_diff_after_update"));
    // The test's SSM parameters, made KMS keys: the value is the key's description.
    let template = |name: &str, value: &str| {
        format!("\nResources:\n    {name}:\n        Type: AWS::KMS::Key\n        Properties:\n            Description: {value}\n")
    };
    let stack = "stack-d2e3f4";
    let (before, after) = (
        template("SimpleParam", "before-stack-update"),
        template("SimpleParam1", "after-stack-update"),
    );
    r.ok(
        Service::CloudFormation,
        "CreateStack",
        json!({"StackName": stack, "TemplateBody": before}),
    );
    let update = json!({"StackName": stack, "TemplateBody": after});
    r.ok(Service::CloudFormation, "UpdateStack", update.clone());
    r.fails(
        "update-error",
        Service::CloudFormation,
        "UpdateStack",
        update,
    );
}
