//! IAM and STS through the engine's entry points, as a client sees them: AWS's operations, field
//! names, limits, errors and messages; and the query protocol on request bodies as
//! `@aws-sdk/client-iam` and `@aws-sdk/client-sts` send them.

use kms_core::query;
use kms_core::{
    json, AccessKeyProblem, Caller, Change, Engine, ErrorType, IamRecord, Identity, KmsError,
    Record, RoleRecord, Sandbox, Secret, TrustCheck, Value, DEFAULT_REGION,
};

const ACCOUNT: &str = "111122223333";
const NOW_SECS: i64 = 1_735_689_600;

const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}"#;

fn trust_doc() -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":"sts:AssumeRole"}}]}}"#
    )
}

fn sandbox() -> Sandbox {
    Sandbox::in_memory(11)
}

fn ok(sb: &mut Sandbox, op: &str, req: Value) -> Value {
    let root = sb.root();
    ok_as(sb, &root, op, req)
}

fn ok_as(sb: &mut Sandbox, caller: &Caller, op: &str, req: Value) -> Value {
    sb.iam(caller, op, req.clone())
        .unwrap_or_else(|e| panic!("{op} {req} failed: {e}"))
}

fn err(sb: &mut Sandbox, op: &str, req: Value) -> KmsError {
    let root = sb.root();
    err_as(sb, &root, op, req)
}

fn err_as(sb: &mut Sandbox, caller: &Caller, op: &str, req: Value) -> KmsError {
    match sb.iam(caller, op, req.clone()) {
        Ok(v) => panic!("{op} {req} succeeded: {v}"),
        Err(e) => e,
    }
}

fn allow() -> Box<TrustCheck<'static>> {
    Box::new(|_: &RoleRecord, _: &Caller, _: &Value| Ok(()))
}

fn refuse() -> Box<TrustCheck<'static>> {
    Box::new(|role: &RoleRecord, caller: &Caller, _: &Value| {
        Err(KmsError::iam_access_denied(format!(
            "User: {} is not authorized to perform: sts:AssumeRole on resource: {}",
            caller.arn(DEFAULT_REGION),
            role.arn
        )))
    })
}

fn user_caller(sb: &Sandbox, name: &str) -> Caller {
    sb.engine
        .caller_for_principal(&format!("arn:aws:iam::{ACCOUNT}:user/{name}"), None)
        .unwrap()
}

fn create_user(sb: &mut Sandbox, name: &str) -> Value {
    ok(sb, "CreateUser", json!({"UserName": name}))["User"].clone()
}

fn create_role(sb: &mut Sandbox, name: &str) -> Value {
    ok(
        sb,
        "CreateRole",
        json!({"RoleName": name, "AssumeRolePolicyDocument": trust_doc()}),
    )["Role"]
        .clone()
}

fn create_policy(sb: &mut Sandbox, name: &str) -> String {
    ok(
        sb,
        "CreatePolicy",
        json!({"PolicyName": name, "PolicyDocument": ALLOW_ALL}),
    )["Policy"]["Arn"]
        .as_str()
        .unwrap()
        .to_string()
}

fn policy_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:policy/{name}")
}

/// Assumes `role` as `caller` (allowed), returning the answer and the session's caller.
fn assume(sb: &mut Sandbox, caller: &Caller, role: &str, session: &str) -> (Value, Caller) {
    let out = sb
        .sts(
            caller,
            "AssumeRole",
            json!({"RoleArn": format!("arn:aws:iam::{ACCOUNT}:role/{role}"), "RoleSessionName": session}),
            &*allow(),
        )
        .unwrap();
    let id = out["Credentials"]["AccessKeyId"].as_str().unwrap();
    let session_caller = sb.engine.caller_for_access_key(id, sb.clock_now()).unwrap();
    (out, session_caller)
}

trait Now {
    fn clock_now(&self) -> i64;
}

impl Now for Sandbox {
    fn clock_now(&self) -> i64 {
        use kms_core::Clock as _;
        self.clock.now()
    }
}

fn assert_error(e: &KmsError, ty: ErrorType, message: &str) {
    assert_eq!(e.error_type, ty, "{e}");
    assert_eq!(e.message, message);
}

// ---------------------------------------------------------------- users

#[test]
fn create_get_list_and_delete_a_user() {
    let mut sb = sandbox();
    let out = ok(
        &mut sb,
        "CreateUser",
        json!({"UserName": "alice", "Path": "/dev/", "Tags": [{"Key": "team", "Value": "red"}]}),
    );
    let u = &out["User"];
    assert_eq!(u["UserName"], "alice");
    assert_eq!(u["Path"], "/dev/");
    assert_eq!(u["Arn"], format!("arn:aws:iam::{ACCOUNT}:user/dev/alice"));
    let id = u["UserId"].as_str().unwrap();
    assert!(id.starts_with("AIDA") && id.len() == 21, "{id}");
    assert!(id[4..]
        .bytes()
        .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
    assert_eq!(u["CreateDate"], json!(NOW_SECS as f64));
    assert_eq!(u["Tags"], json!([{"Key": "team", "Value": "red"}]));

    let got = ok(&mut sb, "GetUser", json!({"UserName": "alice"}));
    assert_eq!(&got["User"], u);
    let listed = ok(&mut sb, "ListUsers", json!({}));
    assert_eq!(listed["IsTruncated"], false);
    let users = listed["Users"].as_array().unwrap();
    assert_eq!(users.len(), 1);
    assert!(users[0].get("Tags").is_none(), "ListUsers leaves tags out");
    assert_eq!(
        ok(&mut sb, "ListUsers", json!({"PathPrefix": "/ops/"}))["Users"],
        json!([])
    );

    ok(&mut sb, "DeleteUser", json!({"UserName": "alice"}));
    let e = err(&mut sb, "GetUser", json!({"UserName": "alice"}));
    assert_error(
        &e,
        ErrorType::NoSuchEntity,
        "The user with name alice cannot be found.",
    );
    assert_eq!(e.status(), 404);
    let e = err(&mut sb, "DeleteUser", json!({"UserName": "alice"}));
    assert_eq!(e.error_type, ErrorType::NoSuchEntity);
}

#[test]
fn user_names_are_unique_regardless_of_case() {
    let mut sb = sandbox();
    create_user(&mut sb, "Alice");
    let e = err(&mut sb, "CreateUser", json!({"UserName": "alice"}));
    assert_error(
        &e,
        ErrorType::EntityAlreadyExists,
        "User with name alice already exists.",
    );
    assert_eq!(e.status(), 409);
    assert_eq!(
        ok(&mut sb, "GetUser", json!({"UserName": "ALICE"}))["User"]["UserName"],
        "Alice"
    );
}

#[test]
fn names_and_paths_are_validated_as_iam_words_it() {
    let mut sb = sandbox();
    let e = err(&mut sb, "CreateUser", json!({"UserName": "bad name!"}));
    assert_error(
        &e,
        ErrorType::ValidationError,
        r"1 validation error detected: Value 'bad name!' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+",
    );
    assert_eq!(e.error_type.as_str(), "ValidationError");
    let long = "a".repeat(65);
    let e = err(&mut sb, "CreateUser", json!({"UserName": long}));
    assert!(e
        .message
        .ends_with("Member must have length less than or equal to 64"));
    let e = err(
        &mut sb,
        "CreateUser",
        json!({"UserName": "a", "Path": "no-slashes"}),
    );
    assert!(e.message.contains("at 'path'"), "{}", e.message);
    let e = err(&mut sb, "CreateUser", json!({}));
    assert_error(
        &e,
        ErrorType::ValidationError,
        "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null",
    );
    let e = err(
        &mut sb,
        "CreateUser",
        json!({"UserName": "a", "PermissionsBoundary": policy_arn("boundary")}),
    );
    assert_eq!(e.error_type, ErrorType::InvalidInput);
}

#[test]
fn get_user_without_a_name_is_the_caller() {
    let mut sb = sandbox();
    create_user(&mut sb, "alice");
    let alice = user_caller(&sb, "alice");
    assert_eq!(
        ok_as(&mut sb, &alice, "GetUser", json!({}))["User"]["UserName"],
        "alice"
    );
    // The root user has its own shape: no name, no path.
    let root = ok(&mut sb, "GetUser", json!({}));
    assert_eq!(root["User"]["UserId"], ACCOUNT);
    assert_eq!(root["User"]["Arn"], format!("arn:aws:iam::{ACCOUNT}:root"));
    assert!(root["User"].get("UserName").is_none());
    assert!(root["User"].get("Path").is_none());

    create_role(&mut sb, "reader");
    let (_, session) = assume(&mut sb, &alice, "reader", "s1");
    let e = err_as(&mut sb, &session, "GetUser", json!({}));
    assert_error(
        &e,
        ErrorType::ValidationError,
        "Must specify userName when calling with non-User credentials",
    );
}

#[test]
fn a_user_is_deleted_only_without_keys_and_policies() {
    let mut sb = sandbox();
    create_user(&mut sb, "alice");
    let arn = create_policy(&mut sb, "kms-all");
    let key = ok(&mut sb, "CreateAccessKey", json!({"UserName": "alice"}));
    let key_id = key["AccessKey"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_string();
    ok(
        &mut sb,
        "PutUserPolicy",
        json!({"UserName": "alice", "PolicyName": "inline", "PolicyDocument": ALLOW_ALL}),
    );
    ok(
        &mut sb,
        "AttachUserPolicy",
        json!({"UserName": "alice", "PolicyArn": arn}),
    );

    let e = err(&mut sb, "DeleteUser", json!({"UserName": "alice"}));
    assert_error(
        &e,
        ErrorType::DeleteConflict,
        "Cannot delete entity, must delete access keys first.",
    );
    assert_eq!(e.status(), 409);
    ok(
        &mut sb,
        "DeleteAccessKey",
        json!({"UserName": "alice", "AccessKeyId": key_id}),
    );
    let e = err(&mut sb, "DeleteUser", json!({"UserName": "alice"}));
    assert_error(
        &e,
        ErrorType::DeleteConflict,
        "Cannot delete entity, must delete policies first.",
    );
    ok(
        &mut sb,
        "DeleteUserPolicy",
        json!({"UserName": "alice", "PolicyName": "inline"}),
    );
    let e = err(&mut sb, "DeleteUser", json!({"UserName": "alice"}));
    assert_error(
        &e,
        ErrorType::DeleteConflict,
        "Cannot delete entity, must detach all policies first.",
    );
    ok(
        &mut sb,
        "DetachUserPolicy",
        json!({"UserName": "alice", "PolicyArn": arn}),
    );
    ok(&mut sb, "DeleteUser", json!({"UserName": "alice"}));
}

#[test]
fn tags_of_users_and_roles() {
    let mut sb = sandbox();
    create_user(&mut sb, "alice");
    ok(
        &mut sb,
        "TagUser",
        json!({"UserName": "alice", "Tags": [{"Key": "Team", "Value": "red"}, {"Key": "cost", "Value": "1"}]}),
    );
    // A key replaces the same key in any case.
    ok(
        &mut sb,
        "TagUser",
        json!({"UserName": "alice", "Tags": [{"Key": "team", "Value": "blue"}]}),
    );
    assert_eq!(
        ok(&mut sb, "ListUserTags", json!({"UserName": "alice"})),
        json!({"Tags": [{"Key": "cost", "Value": "1"}, {"Key": "team", "Value": "blue"}], "IsTruncated": false})
    );
    ok(
        &mut sb,
        "UntagUser",
        json!({"UserName": "alice", "TagKeys": ["COST"]}),
    );
    assert_eq!(
        ok(&mut sb, "ListUserTags", json!({"UserName": "alice"}))["Tags"],
        json!([{"Key": "team", "Value": "blue"}])
    );
    let e = err(
        &mut sb,
        "TagUser",
        json!({"UserName": "alice", "Tags": [{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}]}),
    );
    assert_error(
        &e,
        ErrorType::InvalidInput,
        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
    );
    let fifty: Vec<Value> = (0..50)
        .map(|i| json!({"Key": format!("k{i}"), "Value": "v"}))
        .collect();
    let e = err(
        &mut sb,
        "TagUser",
        json!({"UserName": "alice", "Tags": fifty}),
    );
    assert_error(
        &e,
        ErrorType::IamLimitExceeded,
        "Cannot exceed quota for TagsPerUser: 50",
    );
    assert_eq!(e.error_type.as_str(), "LimitExceeded");
    assert_eq!(e.status(), 409);
    let e = err(
        &mut sb,
        "TagUser",
        json!({"UserName": "nobody", "Tags": [{"Key": "a", "Value": "1"}]}),
    );
    assert_eq!(e.error_type, ErrorType::NoSuchEntity);

    create_role(&mut sb, "reader");
    ok(
        &mut sb,
        "TagRole",
        json!({"RoleName": "reader", "Tags": [{"Key": "k", "Value": "v"}]}),
    );
    let page = ok(
        &mut sb,
        "ListRoleTags",
        json!({"RoleName": "reader", "MaxItems": 1}),
    );
    assert_eq!(page["Tags"], json!([{"Key": "k", "Value": "v"}]));
    ok(
        &mut sb,
        "UntagRole",
        json!({"RoleName": "reader", "TagKeys": ["k"]}),
    );
    assert_eq!(
        ok(&mut sb, "ListRoleTags", json!({"RoleName": "reader"}))["Tags"],
        json!([])
    );
}

#[test]
fn paging_with_marker_and_max_items() {
    let mut sb = sandbox();
    for name in ["erin", "bob", "dave", "alice", "carol"] {
        create_user(&mut sb, name);
    }
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let mut req = json!({"MaxItems": 2});
        if let Some(m) = &marker {
            req["Marker"] = json!(m);
        }
        let page = ok(&mut sb, "ListUsers", req);
        for u in page["Users"].as_array().unwrap() {
            seen.push(u["UserName"].as_str().unwrap().to_string());
        }
        if page["IsTruncated"] == true {
            marker = Some(page["Marker"].as_str().unwrap().to_string());
        } else {
            assert!(page.get("Marker").is_none());
            break;
        }
    }
    assert_eq!(seen, ["alice", "bob", "carol", "dave", "erin"]);
    let e = err(&mut sb, "ListUsers", json!({"Marker": "%%%"}));
    assert_eq!(e.error_type, ErrorType::ValidationError);
    let e = err(&mut sb, "ListUsers", json!({"MaxItems": 0}));
    assert_eq!(e.error_type, ErrorType::ValidationError);
}

// ---------------------------------------------------------------- roles

#[test]
fn create_get_list_update_and_delete_a_role() {
    let mut sb = sandbox();
    let out = ok(
        &mut sb,
        "CreateRole",
        json!({
            "RoleName": "reader", "Path": "/app/", "AssumeRolePolicyDocument": trust_doc(),
            "Description": "reads", "MaxSessionDuration": 7200,
            "Tags": [{"Key": "env", "Value": "test"}],
        }),
    );
    let r = &out["Role"];
    assert_eq!(r["Arn"], format!("arn:aws:iam::{ACCOUNT}:role/app/reader"));
    assert!(r["RoleId"].as_str().unwrap().starts_with("AROA"));
    assert_eq!(r["RoleId"].as_str().unwrap().len(), 21);
    assert_eq!(r["AssumeRolePolicyDocument"], trust_doc());
    // CreateRole's answer has no MaxSessionDuration and no Description (LocalStack's
    // test_iam_roles snapshots).
    assert!(r.get("MaxSessionDuration").is_none(), "{r}");
    assert!(r.get("Description").is_none(), "{r}");
    assert_eq!(r["Tags"], json!([{"Key": "env", "Value": "test"}]));
    // GetRole gives what CreateRole gave, Description, MaxSessionDuration and RoleLastUsed.
    let mut got = ok(&mut sb, "GetRole", json!({"RoleName": "READER"}))["Role"].clone();
    assert_eq!(
        got.as_object_mut().unwrap().remove("Description"),
        Some(json!("reads"))
    );
    assert_eq!(
        got.as_object_mut().unwrap().remove("RoleLastUsed"),
        Some(json!({}))
    );
    assert_eq!(
        got.as_object_mut().unwrap().remove("MaxSessionDuration"),
        Some(json!(7200))
    );
    assert_eq!(&got, r);
    let roles = ok(&mut sb, "ListRoles", json!({}))["Roles"].clone();
    assert_eq!(roles.as_array().unwrap().len(), 1);
    assert!(roles[0].get("Tags").is_none());
    assert_eq!(roles[0]["AssumeRolePolicyDocument"], trust_doc());

    ok(
        &mut sb,
        "UpdateRole",
        json!({"RoleName": "reader", "Description": "reads more", "MaxSessionDuration": 3600}),
    );
    let other_trust = trust_doc().replace(":root", ":user/alice");
    // A principal must exist when the policy is stored, as in a key policy.
    let e = err(
        &mut sb,
        "UpdateAssumeRolePolicy",
        json!({"RoleName": "reader", "PolicyDocument": other_trust}),
    );
    assert_error(
        &e,
        ErrorType::IamMalformedPolicyDocument,
        &format!("Invalid principal in policy: \"AWS\":\"arn:aws:iam::{ACCOUNT}:user/alice\""),
    );
    let e = err(
        &mut sb,
        "CreateRole",
        json!({"RoleName": "r2", "AssumeRolePolicyDocument": trust_doc().replace(&format!("arn:aws:iam::{ACCOUNT}:root"), "garbage")}),
    );
    assert_error(
        &e,
        ErrorType::IamMalformedPolicyDocument,
        "Invalid principal in policy: \"AWS\":\"garbage\"",
    );
    create_user(&mut sb, "alice");
    ok(
        &mut sb,
        "UpdateAssumeRolePolicy",
        json!({"RoleName": "reader", "PolicyDocument": other_trust}),
    );
    let r = ok(&mut sb, "GetRole", json!({"RoleName": "reader"}))["Role"].clone();
    assert_eq!(r["Description"], "reads more");
    assert_eq!(r["MaxSessionDuration"], 3600);
    assert_eq!(r["AssumeRolePolicyDocument"], other_trust);

    let e = err(
        &mut sb,
        "CreateRole",
        json!({"RoleName": "Reader", "AssumeRolePolicyDocument": trust_doc()}),
    );
    assert_error(
        &e,
        ErrorType::EntityAlreadyExists,
        "Role with name Reader already exists.",
    );
    ok(&mut sb, "DeleteRole", json!({"RoleName": "reader"}));
    let e = err(&mut sb, "GetRole", json!({"RoleName": "reader"}));
    assert_error(
        &e,
        ErrorType::NoSuchEntity,
        "The role with name reader cannot be found.",
    );
}

#[test]
fn trust_policies_are_checked() {
    let mut sb = sandbox();
    let with_resource = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Resource":"*"}]}"#;
    let e = err(
        &mut sb,
        "CreateRole",
        json!({"RoleName": "r", "AssumeRolePolicyDocument": with_resource}),
    );
    assert_error(
        &e,
        ErrorType::IamMalformedPolicyDocument,
        "Has prohibited field Resource",
    );
    assert_eq!(e.error_type.as_str(), "MalformedPolicyDocument");
    let e = err(
        &mut sb,
        "CreateRole",
        json!({"RoleName": "r", "AssumeRolePolicyDocument": ALLOW_ALL}),
    );
    assert_eq!(e.error_type, ErrorType::IamMalformedPolicyDocument);
    let e = err(
        &mut sb,
        "CreateRole",
        json!({"RoleName": "r", "AssumeRolePolicyDocument": "not json"}),
    );
    // A trust policy that is not JSON has its own words (an identity policy's are "Syntax
    // errors in policy.").
    assert_error(
        &e,
        ErrorType::IamMalformedPolicyDocument,
        "This policy contains invalid Json",
    );
    let huge = trust_doc().replace("sts:AssumeRole", &format!("sts:{}", "A".repeat(2100)));
    let e = err(
        &mut sb,
        "CreateRole",
        json!({"RoleName": "r", "AssumeRolePolicyDocument": huge}),
    );
    assert_error(
        &e,
        ErrorType::IamLimitExceeded,
        "Cannot exceed quota for ACLSizePerRole: 2048",
    );
    let e = err(
        &mut sb,
        "CreateRole",
        json!({"RoleName": "r", "AssumeRolePolicyDocument": trust_doc(), "MaxSessionDuration": 60}),
    );
    assert!(e
        .message
        .contains("Member must have value greater than or equal to 3600"));
    create_role(&mut sb, "r");
    let e = err(
        &mut sb,
        "UpdateAssumeRolePolicy",
        json!({"RoleName": "r", "PolicyDocument": ALLOW_ALL}),
    );
    assert_eq!(e.error_type, ErrorType::IamMalformedPolicyDocument);
}

#[test]
fn a_role_is_deleted_only_without_policies_and_its_sessions_lose_its_policies() {
    let mut sb = sandbox();
    create_role(&mut sb, "reader");
    create_user(&mut sb, "alice");
    let alice = user_caller(&sb, "alice");
    let arn = create_policy(&mut sb, "p");
    ok(
        &mut sb,
        "PutRolePolicy",
        json!({"RoleName": "reader", "PolicyName": "inline", "PolicyDocument": ALLOW_ALL}),
    );
    ok(
        &mut sb,
        "AttachRolePolicy",
        json!({"RoleName": "reader", "PolicyArn": arn}),
    );
    let e = err(&mut sb, "DeleteRole", json!({"RoleName": "reader"}));
    assert_error(
        &e,
        ErrorType::DeleteConflict,
        "Cannot delete entity, must delete policies first.",
    );
    ok(
        &mut sb,
        "DeleteRolePolicy",
        json!({"RoleName": "reader", "PolicyName": "inline"}),
    );
    let e = err(&mut sb, "DeleteRole", json!({"RoleName": "reader"}));
    assert_error(
        &e,
        ErrorType::DeleteConflict,
        "Cannot delete entity, must detach all policies first.",
    );
    ok(
        &mut sb,
        "DetachRolePolicy",
        json!({"RoleName": "reader", "PolicyArn": arn}),
    );
    ok(
        &mut sb,
        "PutRolePolicy",
        json!({"RoleName": "reader", "PolicyName": "inline", "PolicyDocument": ALLOW_ALL}),
    );
    let role = |sb: &mut Sandbox| ok(sb, "GetRole", json!({"RoleName": "reader"}))["Role"].clone();
    assert_eq!(role(&mut sb)["RoleLastUsed"], json!({}));
    let (creds, session) = assume(&mut sb, &alice, "reader", "s1");
    let id = creds["Credentials"]["AccessKeyId"].as_str().unwrap();
    let now = sb.clock_now();
    assert_eq!(
        role(&mut sb)["RoleLastUsed"],
        json!({"LastUsedDate": now as f64 / 1000.0, "Region": sb.region})
    );
    assert_eq!(sb.engine.identity_policies(&session).len(), 1);
    ok(
        &mut sb,
        "DeleteRolePolicy",
        json!({"RoleName": "reader", "PolicyName": "inline"}),
    );
    ok(&mut sb, "DeleteRole", json!({"RoleName": "reader"}));
    // The session's key still signs as the session (never as the account root, which an
    // access key the sandbox did not issue acts as), now with none of the role's policies.
    let after = sb.engine.caller_for_access_key(id, now).unwrap();
    assert_eq!(
        after.arn(DEFAULT_REGION),
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/reader/s1")
    );
    assert!(sb.engine.identity_policies(&after).is_empty());
    // A role made again under the name is another role: the old session gets none of its policies.
    create_role(&mut sb, "reader");
    ok(
        &mut sb,
        "PutRolePolicy",
        json!({"RoleName": "reader", "PolicyName": "inline", "PolicyDocument": ALLOW_ALL}),
    );
    assert!(sb.engine.identity_policies(&after).is_empty());
}

// ---------------------------------------------------------------- inline policies

#[test]
fn inline_policies_of_users_and_roles() {
    let mut sb = sandbox();
    create_user(&mut sb, "alice");
    create_role(&mut sb, "reader");
    for (kind, name) in [("User", "alice"), ("Role", "reader")] {
        let entity = format!("{kind}Name");
        ok(
            &mut sb,
            &format!("Put{kind}Policy"),
            json!({entity.clone(): name, "PolicyName": "b", "PolicyDocument": ALLOW_ALL}),
        );
        ok(
            &mut sb,
            &format!("Put{kind}Policy"),
            json!({entity.clone(): name, "PolicyName": "a", "PolicyDocument": ALLOW_ALL}),
        );
        assert_eq!(
            ok(
                &mut sb,
                &format!("Get{kind}Policy"),
                json!({entity.clone(): name, "PolicyName": "a"})
            ),
            json!({entity.clone(): name, "PolicyName": "a", "PolicyDocument": ALLOW_ALL})
        );
        assert_eq!(
            ok(
                &mut sb,
                &format!("List{kind}Policies"),
                json!({entity.clone(): name})
            ),
            json!({"PolicyNames": ["a", "b"], "IsTruncated": false})
        );
        ok(
            &mut sb,
            &format!("Delete{kind}Policy"),
            json!({entity.clone(): name, "PolicyName": "a"}),
        );
        let e = err(
            &mut sb,
            &format!("Get{kind}Policy"),
            json!({entity.clone(): name, "PolicyName": "a"}),
        );
        assert_error(
            &e,
            ErrorType::NoSuchEntity,
            &format!(
                "The {} policy with name a cannot be found.",
                kind.to_lowercase()
            ),
        );
        let e = err(
            &mut sb,
            &format!("Delete{kind}Policy"),
            json!({entity.clone(): name, "PolicyName": "a"}),
        );
        assert_eq!(e.error_type, ErrorType::NoSuchEntity);
        let with_principal = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}"#;
        let e = err(
            &mut sb,
            &format!("Put{kind}Policy"),
            json!({entity.clone(): name, "PolicyName": "x", "PolicyDocument": with_principal}),
        );
        assert_error(
            &e,
            ErrorType::IamMalformedPolicyDocument,
            "Policy document should not specify a principal.",
        );
        let no_resource =
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*"}}"#;
        let e = err(
            &mut sb,
            &format!("Put{kind}Policy"),
            json!({entity.clone(): name, "PolicyName": "x", "PolicyDocument": no_resource}),
        );
        assert_error(
            &e,
            ErrorType::IamMalformedPolicyDocument,
            "Policy statement must contain resources.",
        );
    }
    let e = err(
        &mut sb,
        "PutUserPolicy",
        json!({"UserName": "nobody", "PolicyName": "x", "PolicyDocument": ALLOW_ALL}),
    );
    assert_error(
        &e,
        ErrorType::NoSuchEntity,
        "The user with name nobody cannot be found.",
    );
}

/// A policy of `actions` statements, `size` non-blank characters or more.
fn big_policy(min_size: usize) -> String {
    let mut actions = Vec::new();
    let mut doc = String::new();
    while doc.chars().filter(|c| !c.is_whitespace()).count() < min_size {
        actions.push(format!("\"kms:Action{}\"", actions.len()));
        doc = format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": [{}], "Resource": "*"}}]}}"#,
            actions.join(", ")
        );
    }
    doc
}

#[test]
fn inline_policy_size_quotas_count_all_of_an_entitys_policies_without_white_space() {
    let mut sb = sandbox();
    create_user(&mut sb, "alice");
    create_role(&mut sb, "reader");
    let half = big_policy(1100);
    ok(
        &mut sb,
        "PutUserPolicy",
        json!({"UserName": "alice", "PolicyName": "one", "PolicyDocument": half}),
    );
    let e = err(
        &mut sb,
        "PutUserPolicy",
        json!({"UserName": "alice", "PolicyName": "two", "PolicyDocument": half}),
    );
    assert_error(
        &e,
        ErrorType::IamLimitExceeded,
        "Maximum policy size of 2048 bytes exceeded for user alice",
    );
    // Replacing a policy counts the new document only.
    ok(
        &mut sb,
        "PutUserPolicy",
        json!({"UserName": "alice", "PolicyName": "one", "PolicyDocument": big_policy(1900)}),
    );
    // Roles have 10,240.
    let four_k = big_policy(4000);
    for name in ["one", "two"] {
        ok(
            &mut sb,
            "PutRolePolicy",
            json!({"RoleName": "reader", "PolicyName": name, "PolicyDocument": four_k}),
        );
    }
    let e = err(
        &mut sb,
        "PutRolePolicy",
        json!({"RoleName": "reader", "PolicyName": "three", "PolicyDocument": four_k}),
    );
    assert_error(
        &e,
        ErrorType::IamLimitExceeded,
        "Maximum policy size of 10240 bytes exceeded for role reader",
    );
    // White space does not count.
    let spaced = format!("{}{}", " ".repeat(3000), ALLOW_ALL);
    ok(
        &mut sb,
        "PutUserPolicy",
        json!({"UserName": "alice", "PolicyName": "spaced", "PolicyDocument": spaced}),
    );
}

// ---------------------------------------------------------------- managed policies

#[test]
fn managed_policies_and_their_versions() {
    let mut sb = sandbox();
    let out = ok(
        &mut sb,
        "CreatePolicy",
        json!({"PolicyName": "kms-all", "Path": "/team/", "PolicyDocument": ALLOW_ALL,
               "Description": "all of KMS", "Tags": [{"Key": "k", "Value": "v"}]}),
    );
    let p = &out["Policy"];
    let arn = format!("arn:aws:iam::{ACCOUNT}:policy/team/kms-all");
    assert_eq!(p["Arn"], arn);
    assert!(p["PolicyId"].as_str().unwrap().starts_with("ANPA"));
    assert_eq!(p["DefaultVersionId"], "v1");
    assert_eq!(p["AttachmentCount"], 0);
    assert_eq!(p["IsAttachable"], true);
    // GetPolicy's alone (LocalStack's test_iam_policies snapshots).
    assert!(p.get("Description").is_none(), "{p}");
    assert_eq!(p["Tags"], json!([{"Key": "k", "Value": "v"}]));

    let e = err(
        &mut sb,
        "CreatePolicy",
        json!({"PolicyName": "KMS-ALL", "PolicyDocument": ALLOW_ALL}),
    );
    assert_error(
        &e,
        ErrorType::EntityAlreadyExists,
        "A policy called KMS-ALL already exists. Duplicate names are not allowed.",
    );
    let e = err(
        &mut sb,
        "CreatePolicy",
        json!({"PolicyName": "big", "PolicyDocument": big_policy(6145)}),
    );
    assert_error(
        &e,
        ErrorType::IamLimitExceeded,
        "Cannot exceed quota for PolicySize: 6144",
    );

    let mut got = ok(&mut sb, "GetPolicy", json!({"PolicyArn": arn}));
    assert_eq!(
        got["Policy"].as_object_mut().unwrap().remove("Description"),
        Some(json!("all of KMS"))
    );
    assert_eq!(&got["Policy"], p);
    let v1 = ok(
        &mut sb,
        "GetPolicyVersion",
        json!({"PolicyArn": arn, "VersionId": "v1"}),
    );
    assert_eq!(
        v1["PolicyVersion"],
        json!({"Document": ALLOW_ALL, "VersionId": "v1", "IsDefaultVersion": true, "CreateDate": NOW_SECS as f64})
    );
    let e = err(
        &mut sb,
        "GetPolicyVersion",
        json!({"PolicyArn": arn, "VersionId": "v9"}),
    );
    assert_error(
        &e,
        ErrorType::NoSuchEntity,
        &format!("Policy {arn} version v9 does not exist or is not attachable."),
    );
    let e = err(
        &mut sb,
        "GetPolicy",
        json!({"PolicyArn": policy_arn("nope")}),
    );
    assert_error(
        &e,
        ErrorType::NoSuchEntity,
        &format!("Policy {} was not found.", policy_arn("nope")),
    );
    let e = err(
        &mut sb,
        "GetPolicy",
        json!({"PolicyArn": "this-is-not-an-arn-at-all"}),
    );
    assert_error(
        &e,
        ErrorType::ValidationError,
        "ARN this-is-not-an-arn-at-all is not valid.",
    );

    // Versions: at most five; the default cannot go; a policy with several cannot be deleted.
    for i in 2..=5 {
        let v = ok(
            &mut sb,
            "CreatePolicyVersion",
            json!({"PolicyArn": arn, "PolicyDocument": ALLOW_ALL, "SetAsDefault": i == 3}),
        );
        assert_eq!(v["PolicyVersion"]["VersionId"], format!("v{i}"));
    }
    let e = err(
        &mut sb,
        "CreatePolicyVersion",
        json!({"PolicyArn": arn, "PolicyDocument": ALLOW_ALL}),
    );
    assert_error(
        &e,
        ErrorType::IamLimitExceeded,
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
    );
    let versions = ok(&mut sb, "ListPolicyVersions", json!({"PolicyArn": arn}));
    let ids: Vec<&str> = versions["Versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["VersionId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["v5", "v4", "v3", "v2", "v1"]);
    assert_eq!(
        ok(&mut sb, "GetPolicy", json!({"PolicyArn": arn}))["Policy"]["DefaultVersionId"],
        "v3"
    );
    let e = err(
        &mut sb,
        "DeletePolicyVersion",
        json!({"PolicyArn": arn, "VersionId": "v3"}),
    );
    assert_error(
        &e,
        ErrorType::DeleteConflict,
        "Cannot delete the default version of a policy.",
    );
    let e = err(&mut sb, "DeletePolicy", json!({"PolicyArn": arn}));
    assert_error(
        &e,
        ErrorType::DeleteConflict,
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    );
    ok(
        &mut sb,
        "SetDefaultPolicyVersion",
        json!({"PolicyArn": arn, "VersionId": "v1"}),
    );
    for v in ["v2", "v3", "v4", "v5"] {
        ok(
            &mut sb,
            "DeletePolicyVersion",
            json!({"PolicyArn": arn, "VersionId": v}),
        );
    }
    // Version numbers are never reused.
    let v = ok(
        &mut sb,
        "CreatePolicyVersion",
        json!({"PolicyArn": arn, "PolicyDocument": ALLOW_ALL}),
    );
    assert_eq!(v["PolicyVersion"]["VersionId"], "v6");
    ok(
        &mut sb,
        "DeletePolicyVersion",
        json!({"PolicyArn": arn, "VersionId": "v6"}),
    );

    ok(
        &mut sb,
        "TagPolicy",
        json!({"PolicyArn": arn, "Tags": [{"Key": "x", "Value": "y"}]}),
    );
    ok(
        &mut sb,
        "UntagPolicy",
        json!({"PolicyArn": arn, "TagKeys": ["k"]}),
    );
    assert_eq!(
        ok(&mut sb, "ListPolicyTags", json!({"PolicyArn": arn}))["Tags"],
        json!([{"Key": "x", "Value": "y"}])
    );
    ok(&mut sb, "DeletePolicy", json!({"PolicyArn": arn}));
    assert_eq!(
        err(&mut sb, "GetPolicy", json!({"PolicyArn": arn})).error_type,
        ErrorType::NoSuchEntity
    );
}

#[test]
fn attaching_managed_policies() {
    let mut sb = sandbox();
    create_user(&mut sb, "alice");
    create_role(&mut sb, "reader");
    let arn = create_policy(&mut sb, "p0");

    let e = err(
        &mut sb,
        "AttachUserPolicy",
        json!({"UserName": "alice", "PolicyArn": policy_arn("missing")}),
    );
    assert_error(
        &e,
        ErrorType::NoSuchEntity,
        &format!(
            "Policy {} does not exist or is not attachable.",
            policy_arn("missing")
        ),
    );
    // AWS managed policies are not modelled.
    let e = err(
        &mut sb,
        "AttachRolePolicy",
        json!({"RoleName": "reader", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
    );
    assert_eq!(e.error_type, ErrorType::NoSuchEntity);
    let e = err(
        &mut sb,
        "DetachUserPolicy",
        json!({"UserName": "alice", "PolicyArn": arn}),
    );
    assert_error(
        &e,
        ErrorType::NoSuchEntity,
        &format!("Policy {arn} was not found."),
    );

    ok(
        &mut sb,
        "AttachUserPolicy",
        json!({"UserName": "alice", "PolicyArn": arn}),
    );
    // Attaching twice is no error and attaches once.
    ok(
        &mut sb,
        "AttachUserPolicy",
        json!({"UserName": "alice", "PolicyArn": arn}),
    );
    ok(
        &mut sb,
        "AttachRolePolicy",
        json!({"RoleName": "reader", "PolicyArn": arn}),
    );
    assert_eq!(
        ok(
            &mut sb,
            "ListAttachedUserPolicies",
            json!({"UserName": "alice"})
        ),
        json!({"AttachedPolicies": [{"PolicyName": "p0", "PolicyArn": arn}], "IsTruncated": false})
    );
    assert_eq!(
        ok(&mut sb, "GetPolicy", json!({"PolicyArn": arn}))["Policy"]["AttachmentCount"],
        2
    );
    let entities = ok(&mut sb, "ListEntitiesForPolicy", json!({"PolicyArn": arn}));
    assert_eq!(entities["PolicyGroups"], json!([]));
    assert_eq!(entities["PolicyUsers"][0]["UserName"], "alice");
    assert_eq!(entities["PolicyRoles"][0]["RoleName"], "reader");
    let only_roles = ok(
        &mut sb,
        "ListEntitiesForPolicy",
        json!({"PolicyArn": arn, "EntityFilter": "Role"}),
    );
    assert_eq!(only_roles["PolicyUsers"], json!([]));
    assert_eq!(only_roles["PolicyRoles"].as_array().unwrap().len(), 1);

    let e = err(&mut sb, "DeletePolicy", json!({"PolicyArn": arn}));
    assert_error(
        &e,
        ErrorType::DeleteConflict,
        "Cannot delete a policy attached to entities.",
    );

    // Ten managed policies per user and per role.
    for i in 1..=10 {
        create_policy(&mut sb, &format!("p{i}"));
    }
    for i in 1..=9 {
        ok(
            &mut sb,
            "AttachUserPolicy",
            json!({"UserName": "alice", "PolicyArn": policy_arn(&format!("p{i}"))}),
        );
    }
    let e = err(
        &mut sb,
        "AttachUserPolicy",
        json!({"UserName": "alice", "PolicyArn": policy_arn("p10")}),
    );
    assert_error(
        &e,
        ErrorType::IamLimitExceeded,
        "Cannot exceed quota for PoliciesPerUser: 10",
    );
    for i in 1..=9 {
        ok(
            &mut sb,
            "AttachRolePolicy",
            json!({"RoleName": "reader", "PolicyArn": policy_arn(&format!("p{i}"))}),
        );
    }
    let e = err(
        &mut sb,
        "AttachRolePolicy",
        json!({"RoleName": "reader", "PolicyArn": policy_arn("p10")}),
    );
    assert_error(
        &e,
        ErrorType::IamLimitExceeded,
        "Cannot exceed quota for PoliciesPerRole: 10",
    );
    let attached = ok(
        &mut sb,
        "ListAttachedRolePolicies",
        json!({"RoleName": "reader", "MaxItems": 4}),
    );
    assert_eq!(attached["AttachedPolicies"].as_array().unwrap().len(), 4);
    assert_eq!(attached["IsTruncated"], true);

    // ListPolicies: customer managed policies only.
    let all = ok(&mut sb, "ListPolicies", json!({"Scope": "Local"}));
    assert_eq!(all["Policies"].as_array().unwrap().len(), 11);
    assert!(all["Policies"][0].get("Description").is_none());
    assert_eq!(
        ok(&mut sb, "ListPolicies", json!({}))["Policies"]
            .as_array()
            .unwrap()
            .len(),
        11
    );
    assert_eq!(
        ok(&mut sb, "ListPolicies", json!({"Scope": "AWS"}))["Policies"],
        json!([])
    );
    let attached_only = ok(&mut sb, "ListPolicies", json!({"OnlyAttached": true}));
    assert_eq!(attached_only["Policies"].as_array().unwrap().len(), 10);
}

// ---------------------------------------------------------------- access keys

#[test]
fn access_keys_of_a_user() {
    let mut sb = sandbox();
    create_user(&mut sb, "alice");
    let out = ok(&mut sb, "CreateAccessKey", json!({"UserName": "alice"}));
    let k = &out["AccessKey"];
    let id = k["AccessKeyId"].as_str().unwrap().to_string();
    assert!(id.starts_with("AKIA") && id.len() == 20, "{id}");
    let secret = k["SecretAccessKey"].as_str().unwrap().to_string();
    assert_eq!(secret.len(), 40);
    assert_eq!(k["Status"], "Active");
    assert_eq!(k["UserName"], "alice");
    assert_eq!(k["CreateDate"], json!(NOW_SECS as f64));

    let now = sb.clock_now();
    let caller = sb.engine.caller_for_access_key(&id, now).unwrap();
    assert_eq!(caller.user_name(), Some("alice"));
    assert_eq!(caller.access_key_id.as_deref(), Some(id.as_str()));
    let (signing, token) = sb.engine.signing_secret(&id).unwrap();
    assert_eq!(signing.expose(), secret.as_bytes());
    assert!(token.is_none());

    // Without UserName, a user manages their own keys.
    let alice = caller.clone();
    ok_as(&mut sb, &alice, "CreateAccessKey", json!({}));
    let e = err(&mut sb, "CreateAccessKey", json!({"UserName": "alice"}));
    assert_error(
        &e,
        ErrorType::IamLimitExceeded,
        "Cannot exceed quota for AccessKeysPerUser: 2",
    );
    let listed = ok_as(&mut sb, &alice, "ListAccessKeys", json!({}));
    let keys = listed["AccessKeyMetadata"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert!(keys.iter().all(|k| k.get("SecretAccessKey").is_none()));

    ok(
        &mut sb,
        "UpdateAccessKey",
        json!({"UserName": "alice", "AccessKeyId": id, "Status": "Inactive"}),
    );
    assert_eq!(
        sb.engine.caller_for_access_key(&id, now),
        Err(AccessKeyProblem::Inactive)
    );
    let listed = ok(&mut sb, "ListAccessKeys", json!({"UserName": "alice"}));
    assert!(listed["AccessKeyMetadata"]
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k["AccessKeyId"] == id.as_str() && k["Status"] == "Inactive"));
    ok(
        &mut sb,
        "UpdateAccessKey",
        json!({"UserName": "alice", "AccessKeyId": id, "Status": "Active"}),
    );
    assert!(sb.engine.caller_for_access_key(&id, now).is_ok());

    // Another user's key is not found under this user.
    create_user(&mut sb, "bob");
    let e = err(
        &mut sb,
        "DeleteAccessKey",
        json!({"UserName": "bob", "AccessKeyId": id}),
    );
    assert_error(
        &e,
        ErrorType::NoSuchEntity,
        &format!("The Access Key with id {id} cannot be found."),
    );
    ok(
        &mut sb,
        "DeleteAccessKey",
        json!({"UserName": "alice", "AccessKeyId": id}),
    );
    // A deleted key is refused, not taken for placeholder credentials (which act as root).
    assert_eq!(
        sb.engine.caller_for_access_key(&id, now),
        Err(AccessKeyProblem::Inactive)
    );
    assert!(sb
        .engine
        .caller_for_signature(kms_core::Service::Kms, &id, now)
        .is_err_and(|e| e.error_type == ErrorType::UnrecognizedClient));
    assert!(sb
        .engine
        .caller_for_signature(kms_core::Service::Kms, "AKIAIOSFODNN7EXAMPLE", now)
        .is_ok_and(|c| c.is_root()));
    assert_eq!(
        sb.engine.caller_for_access_key("AKIANOTAKEYATALL0000", now),
        Err(AccessKeyProblem::Unknown)
    );
    let e = err(&mut sb, "CreateAccessKey", json!({"UserName": "nobody"}));
    assert_eq!(e.error_type, ErrorType::NoSuchEntity);
}

#[test]
fn the_root_user_has_its_own_access_keys() {
    let mut sb = sandbox();
    let out = ok(&mut sb, "CreateAccessKey", json!({}));
    let id = out["AccessKey"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(out["AccessKey"].get("UserName").is_none());
    let now = sb.clock_now();
    let caller = sb.engine.caller_for_access_key(&id, now).unwrap();
    assert!(caller.is_root());
    assert_eq!(
        ok(&mut sb, "ListAccessKeys", json!({}))["AccessKeyMetadata"][0]["AccessKeyId"],
        id.as_str()
    );
}

#[test]
fn access_key_problems_become_each_protocols_errors() {
    let e = AccessKeyProblem::Unknown.kms_error();
    assert_eq!(e.error_type.as_str(), "UnrecognizedClientException");
    assert_eq!(e.status(), 400);
    let e = AccessKeyProblem::Expired.kms_error();
    assert_eq!(e.error_type.as_str(), "ExpiredTokenException");
    let e = AccessKeyProblem::Inactive.query_error();
    assert_eq!(e.error_type.as_str(), "InvalidClientTokenId");
    assert_eq!(e.status(), 403);
    assert_eq!(
        e.message,
        "The security token included in the request is invalid."
    );
    let e = AccessKeyProblem::Expired.query_error();
    assert_eq!(e.error_type.as_str(), "ExpiredToken");
}

// ---------------------------------------------------------------- STS

#[test]
fn get_caller_identity_for_each_identity() {
    let mut sb = sandbox();
    let root = sb.root();
    let out = sb
        .sts(&root, "GetCallerIdentity", json!({}), &*allow())
        .unwrap();
    assert_eq!(
        out,
        json!({"UserId": ACCOUNT, "Account": ACCOUNT, "Arn": format!("arn:aws:iam::{ACCOUNT}:root")})
    );
    let user = create_user(&mut sb, "alice");
    let alice = user_caller(&sb, "alice");
    let out = sb
        .sts(&alice, "GetCallerIdentity", json!({}), &*allow())
        .unwrap();
    assert_eq!(out["UserId"], user["UserId"]);
    assert_eq!(out["Arn"], format!("arn:aws:iam::{ACCOUNT}:user/alice"));
    let role = create_role(&mut sb, "reader");
    let (_, session) = assume(&mut sb, &alice, "reader", "alice-session");
    let out = sb
        .sts(&session, "GetCallerIdentity", json!({}), &*allow())
        .unwrap();
    assert_eq!(
        out["UserId"],
        format!("{}:alice-session", role["RoleId"].as_str().unwrap())
    );
    assert_eq!(
        out["Arn"],
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/reader/alice-session")
    );
    assert_eq!(out["Account"], ACCOUNT);
}

#[test]
fn assume_role_with_an_allowing_trust_check() {
    let mut sb = sandbox();
    create_user(&mut sb, "alice");
    let alice = user_caller(&sb, "alice");
    let role = create_role(&mut sb, "reader");
    let seen = std::cell::RefCell::new(Vec::new());
    let trust = |r: &RoleRecord, c: &Caller, req: &Value| {
        seen.borrow_mut().push((
            r.name.clone(),
            c.arn(DEFAULT_REGION),
            req["RoleSessionName"].clone(),
        ));
        Ok(())
    };
    let out = sb
        .sts(
            &alice,
            "AssumeRole",
            json!({"RoleArn": role["Arn"], "RoleSessionName": "s1", "DurationSeconds": 900,
                   "Tags": [{"Key": "project", "Value": "x"}], "SourceIdentity": "alice"}),
            &trust,
        )
        .unwrap();
    assert_eq!(
        seen.borrow().as_slice(),
        [(
            "reader".to_string(),
            format!("arn:aws:iam::{ACCOUNT}:user/alice"),
            json!("s1")
        )]
    );
    let c = &out["Credentials"];
    let id = c["AccessKeyId"].as_str().unwrap();
    assert!(id.starts_with("ASIA") && id.len() == 20, "{id}");
    assert_eq!(c["SecretAccessKey"].as_str().unwrap().len(), 40);
    assert!(c["SessionToken"].as_str().unwrap().len() > 100);
    assert_eq!(c["Expiration"], json!((NOW_SECS + 900) as f64));
    assert_eq!(
        out["AssumedRoleUser"],
        json!({
            "AssumedRoleId": format!("{}:s1", role["RoleId"].as_str().unwrap()),
            "Arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/reader/s1"),
        })
    );
    assert_eq!(out["SourceIdentity"], "alice");

    let now = sb.clock_now();
    let session = sb.engine.caller_for_access_key(id, now).unwrap();
    match &session.identity {
        Identity::AssumedRole {
            role_name,
            session_name,
            role_id,
            ..
        } => {
            assert_eq!(
                (role_name.as_str(), session_name.as_str()),
                ("reader", "s1")
            );
            assert_eq!(role_id, role["RoleId"].as_str().unwrap());
        }
        other => panic!("{other:?}"),
    }
    let (secret, token) = sb.engine.signing_secret(id).unwrap();
    assert_eq!(
        secret.expose(),
        c["SecretAccessKey"].as_str().unwrap().as_bytes()
    );
    assert_eq!(
        token.unwrap().expose(),
        c["SessionToken"].as_str().unwrap().as_bytes()
    );
    // Session tags join (and override) the role's tags.
    ok(
        &mut sb,
        "TagRole",
        json!({"RoleName": "reader", "Tags": [{"Key": "Project", "Value": "role"}, {"Key": "env", "Value": "dev"}]}),
    );
    let tags = sb.engine.principal_tags(&session);
    assert_eq!(tags.get("project").map(String::as_str), Some("x"));
    assert_eq!(tags.get("env").map(String::as_str), Some("dev"));
    assert!(!tags.contains_key("Project"));
}

#[test]
fn assume_role_refusals() {
    let mut sb = sandbox();
    create_user(&mut sb, "alice");
    let alice = user_caller(&sb, "alice");
    create_role(&mut sb, "reader");
    let arn = format!("arn:aws:iam::{ACCOUNT}:role/reader");
    let req = json!({"RoleArn": arn, "RoleSessionName": "s1"});

    let e = sb
        .sts(&alice, "AssumeRole", req.clone(), &*refuse())
        .unwrap_err();
    assert_error(
        &e,
        ErrorType::IamAccessDenied,
        &format!("User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: sts:AssumeRole on resource: {arn}"),
    );
    assert_eq!((e.error_type.as_str(), e.status()), ("AccessDenied", 403));

    // A role that does not exist is refused the same way, whatever the trust check says.
    let missing = format!("arn:aws:iam::{ACCOUNT}:role/missing");
    let e = sb
        .sts(
            &alice,
            "AssumeRole",
            json!({"RoleArn": missing, "RoleSessionName": "s1"}),
            &*allow(),
        )
        .unwrap_err();
    assert_eq!(e.error_type, ErrorType::IamAccessDenied);
    assert!(e.message.ends_with(&missing));
    let other_account = "arn:aws:iam::444455556666:role/reader";
    let e = sb
        .sts(
            &alice,
            "AssumeRole",
            json!({"RoleArn": other_account, "RoleSessionName": "s1"}),
            &*allow(),
        )
        .unwrap_err();
    assert_eq!(e.error_type, ErrorType::IamAccessDenied);

    let root = sb.root();
    let e = sb
        .sts(&root, "AssumeRole", req.clone(), &*allow())
        .unwrap_err();
    assert_error(
        &e,
        ErrorType::IamAccessDenied,
        "Roles may not be assumed by root accounts.",
    );

    let e = sb
        .sts(
            &alice,
            "AssumeRole",
            json!({"RoleArn": arn, "RoleSessionName": "s1", "DurationSeconds": 7200}),
            &*allow(),
        )
        .unwrap_err();
    assert_error(
        &e,
        ErrorType::ValidationError,
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    );
    let e = sb
        .sts(
            &alice,
            "AssumeRole",
            json!({"RoleArn": arn, "RoleSessionName": "bad name"}),
            &*allow(),
        )
        .unwrap_err();
    assert_error(
        &e,
        ErrorType::ValidationError,
        r"1 validation error detected: Value 'bad name' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*",
    );
    let e = sb
        .sts(
            &alice,
            "AssumeRole",
            json!({"RoleArn": arn, "RoleSessionName": "s1", "Policy": "{}"}),
            &*allow(),
        )
        .unwrap_err();
    assert_eq!(e.error_type.as_str(), "MalformedPolicyDocument");

    // Role chaining: a session may assume a role for an hour at most.
    ok(
        &mut sb,
        "UpdateRole",
        json!({"RoleName": "reader", "MaxSessionDuration": 43200}),
    );
    let (_, session) = assume(&mut sb, &alice, "reader", "s1");
    let e = sb
        .sts(
            &session,
            "AssumeRole",
            json!({"RoleArn": arn, "RoleSessionName": "s2", "DurationSeconds": 7200}),
            &*allow(),
        )
        .unwrap_err();
    assert_error(
        &e,
        ErrorType::ValidationError,
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    );
    sb.sts(
        &session,
        "AssumeRole",
        json!({"RoleArn": arn, "RoleSessionName": "s2"}),
        &*allow(),
    )
    .unwrap();
    // A failed operation changes nothing.
    let outcome = sb.engine.handle_sts(
        "us-east-1",
        "AssumeRole",
        &req,
        &alice,
        sb.clock_now(),
        sb.entropy.as_mut(),
        &*refuse(),
    );
    assert!(outcome.result.is_err());
    assert!(outcome.changes.is_empty());
}

#[test]
fn sessions_expire_by_the_clock_and_their_keys_stay_refused() {
    let mut sb = sandbox();
    create_user(&mut sb, "alice");
    let alice = user_caller(&sb, "alice");
    create_role(&mut sb, "reader");
    let (out, _) = assume(&mut sb, &alice, "reader", "s1");
    let id = out["Credentials"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let start = sb.clock_now();
    assert!(sb
        .engine
        .caller_for_access_key(&id, start + 3_599_999)
        .is_ok());
    assert_eq!(
        sb.engine.caller_for_access_key(&id, start + 3_600_000),
        Err(AccessKeyProblem::Expired)
    );
    sb.clock.set(start + 3_600_000);
    let outcome = sb.engine.handle_sts(
        "us-east-1",
        "AssumeRole",
        &json!({"RoleArn": format!("arn:aws:iam::{ACCOUNT}:role/reader"), "RoleSessionName": "s2"}),
        &alice,
        sb.clock_now(),
        sb.entropy.as_mut(),
        &*allow(),
    );
    assert!(outcome.result.is_ok());
    // Its record is stripped to what refuses its key: without it the key would be one the
    // sandbox did not issue, which acts as the account root.
    let spent = outcome.changes.iter().find_map(|c| match c {
        Change::PutIam(IamRecord::Session(s)) if s.access_key_id == id => Some(s.clone()),
        _ => None,
    });
    let spent = spent.expect("the expired session is kept, stripped");
    assert!(spent.spent && spent.secret_access_key.expose().is_empty() && spent.tags.is_empty());
    sb.engine.apply(outcome.changes);
    assert_eq!(
        sb.engine.caller_for_access_key(&id, start),
        Err(AccessKeyProblem::Expired)
    );
    assert!(matches!(
        sb.engine.caller_for_signature(kms_core::Service::Kms, &id, start + 3_600_000),
        Err(e) if e.error_type == ErrorType::ExpiredTokenException
    ));
}

// ---------------------------------------------------------------- state, reload, secrets

#[test]
fn records_survive_a_reload_with_their_secrets_wrapped_apart() {
    let mut sb = sandbox();
    create_user(&mut sb, "alice");
    let alice = user_caller(&sb, "alice");
    let key = ok(&mut sb, "CreateAccessKey", json!({"UserName": "alice"}));
    let key_id = key["AccessKey"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let key_secret = key["AccessKey"]["SecretAccessKey"]
        .as_str()
        .unwrap()
        .to_string();
    create_role(&mut sb, "reader");
    let (creds, _) = assume(&mut sb, &alice, "reader", "s1");
    let session_id = creds["Credentials"]["AccessKeyId"].as_str().unwrap();
    let token = creds["Credentials"]["SessionToken"].as_str().unwrap();
    create_policy(&mut sb, "p");

    // What a shell does: each record as JSON (no secrets in it), each secret wrapped apart.
    let mut stored = Vec::new();
    for r in sb.engine.iam_records() {
        let text = serde_json::to_string(r).unwrap();
        assert!(!text.contains(&key_secret), "{text}");
        assert!(!text.contains(token));
        assert!(r.storage_key().starts_with("iam/"));
        let secrets: Vec<(String, Vec<u8>)> = r
            .secrets()
            .into_iter()
            .map(|(name, s)| (name.to_string(), s.expose().to_vec()))
            .collect();
        stored.push((text, secrets));
    }
    assert_eq!(stored.len(), 5);
    let mut engine = Engine::new(ACCOUNT);
    for (text, secrets) in stored {
        let mut r: IamRecord = serde_json::from_str(&text).unwrap();
        for (name, bytes) in secrets {
            assert!(r.set_secret(&name, Secret::new(bytes)));
        }
        engine.load(Record::Iam(r));
    }
    let now = sb.clock_now();
    assert_eq!(
        engine
            .caller_for_access_key(&key_id, now)
            .unwrap()
            .user_name(),
        Some("alice")
    );
    assert_eq!(
        engine.signing_secret(&key_id).unwrap().0.expose(),
        key_secret.as_bytes()
    );
    assert_eq!(
        engine
            .signing_secret(session_id)
            .unwrap()
            .1
            .unwrap()
            .expose(),
        token.as_bytes()
    );
    assert!(engine.caller_for_access_key(session_id, now).is_ok());
    assert_eq!(engine.users().count(), 1);
    assert_eq!(engine.roles().count(), 1);
    assert_eq!(engine.managed_policies().count(), 1);
}

#[test]
fn secrets_never_appear_in_debug_output() {
    let mut sb = sandbox();
    create_user(&mut sb, "alice");
    let alice = user_caller(&sb, "alice");
    let root = sb.root();
    let outcome = sb.engine.handle_iam(
        DEFAULT_REGION,
        "CreateAccessKey",
        &json!({"UserName": "alice"}),
        &root,
        sb.clock_now(),
        sb.entropy.as_mut(),
    );
    let secret = outcome.result.as_ref().unwrap()["AccessKey"]["SecretAccessKey"]
        .as_str()
        .unwrap()
        .to_string();
    let changes = format!("{:?}", outcome.changes);
    assert!(!changes.contains(&secret), "{changes}");
    assert!(changes.contains("REDACTED"));
    sb.engine.apply(outcome.changes);
    create_role(&mut sb, "reader");
    let (creds, _) = assume(&mut sb, &alice, "reader", "s1");
    let engine = format!("{:?}", sb.engine);
    assert!(!engine.contains(&secret));
    assert!(!engine.contains(creds["Credentials"]["SecretAccessKey"].as_str().unwrap()));
    assert!(!engine.contains(creds["Credentials"]["SessionToken"].as_str().unwrap()));
}

#[test]
fn changes_are_returned_not_applied() {
    let sb = sandbox();
    let root = Caller::root(ACCOUNT);
    let mut entropy = kms_core::SeededEntropy::new(1);
    let outcome = sb.engine.handle_iam(
        DEFAULT_REGION,
        "CreateUser",
        &json!({"UserName": "alice"}),
        &root,
        0,
        &mut entropy,
    );
    assert!(outcome.result.is_ok());
    assert_eq!(outcome.changes.len(), 1);
    assert_eq!(outcome.changes[0].storage_key(), "iam/user/alice");
    assert_eq!(sb.engine.users().count(), 0);
    let failed = sb.engine.handle_iam(
        DEFAULT_REGION,
        "DeleteUser",
        &json!({"UserName": "alice"}),
        &root,
        0,
        &mut entropy,
    );
    assert!(failed.result.is_err() && failed.changes.is_empty());
}

// ---------------------------------------------------------------- the integrator's lookups

#[test]
fn identity_policies_and_principals() {
    let mut sb = sandbox();
    create_user(&mut sb, "alice");
    create_role(&mut sb, "reader");
    let arn = create_policy(&mut sb, "shared");
    ok(
        &mut sb,
        "PutUserPolicy",
        json!({"UserName": "alice", "PolicyName": "mine", "PolicyDocument": ALLOW_ALL}),
    );
    ok(
        &mut sb,
        "AttachUserPolicy",
        json!({"UserName": "alice", "PolicyArn": arn}),
    );
    ok(
        &mut sb,
        "PutRolePolicy",
        json!({"RoleName": "reader", "PolicyName": "read", "PolicyDocument": ALLOW_ALL}),
    );
    ok(
        &mut sb,
        "AttachRolePolicy",
        json!({"RoleName": "reader", "PolicyArn": arn}),
    );
    ok(
        &mut sb,
        "TagUser",
        json!({"UserName": "alice", "Tags": [{"Key": "team", "Value": "red"}]}),
    );

    let alice = user_caller(&sb, "alice");
    assert_eq!(
        sb.engine.identity_policies(&alice),
        [
            (
                "inline policy mine of user alice".to_string(),
                ALLOW_ALL.to_string()
            ),
            (arn.clone(), ALLOW_ALL.to_string()),
        ]
    );
    assert_eq!(
        sb.engine
            .principal_tags(&alice)
            .get("team")
            .map(String::as_str),
        Some("red")
    );
    let session = sb
        .engine
        .caller_for_principal(&format!("arn:aws:iam::{ACCOUNT}:role/reader"), None)
        .unwrap();
    assert_eq!(
        session.arn(DEFAULT_REGION),
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/reader/console")
    );
    // A session name AssumeRole would refuse makes no session.
    for (bad, constraint) in [
        (
            "a b",
            "Member must satisfy regular expression pattern: [\\w+=,.@-]*",
        ),
        ("x", "Member must have length greater than or equal to 2"),
    ] {
        let e = sb
            .engine
            .caller_for_principal(&format!("arn:aws:iam::{ACCOUNT}:role/reader"), Some(bad))
            .unwrap_err();
        assert_eq!(e.error_type.as_str(), "ValidationError", "{bad}");
        assert!(e.message.contains(constraint), "{bad}: {}", e.message);
    }
    assert_eq!(
        sb.engine.identity_policies(&session),
        [
            (
                "inline policy read of role reader".to_string(),
                ALLOW_ALL.to_string()
            ),
            (arn.clone(), ALLOW_ALL.to_string()),
        ]
    );
    let root = sb
        .engine
        .caller_for_principal(&format!("arn:aws:iam::{ACCOUNT}:root"), None)
        .unwrap();
    assert!(root.is_root());
    assert!(sb.engine.identity_policies(&root).is_empty());
    assert!(sb.engine.principal_tags(&root).is_empty());
    assert!(sb
        .engine
        .caller_for_principal(ACCOUNT, None)
        .unwrap()
        .is_root());
    let named = sb
        .engine
        .caller_for_principal(
            &format!("arn:aws:sts::{ACCOUNT}:assumed-role/reader/ops"),
            None,
        )
        .unwrap();
    assert_eq!(
        named.principal_arn(DEFAULT_REGION),
        format!("arn:aws:iam::{ACCOUNT}:role/reader")
    );
    let e = sb
        .engine
        .caller_for_principal(&format!("arn:aws:iam::{ACCOUNT}:user/nobody"), None)
        .unwrap_err();
    assert_error(
        &e,
        ErrorType::NoSuchEntity,
        "The user with name nobody cannot be found.",
    );
    assert!(sb
        .engine
        .caller_for_principal("arn:aws:iam::444455556666:root", None)
        .is_err());

    // A recreated user is another user: the old caller gets nothing.
    ok(
        &mut sb,
        "DeleteUserPolicy",
        json!({"UserName": "alice", "PolicyName": "mine"}),
    );
    ok(
        &mut sb,
        "DetachUserPolicy",
        json!({"UserName": "alice", "PolicyArn": arn}),
    );
    ok(&mut sb, "DeleteUser", json!({"UserName": "alice"}));
    create_user(&mut sb, "alice");
    ok(
        &mut sb,
        "AttachUserPolicy",
        json!({"UserName": "alice", "PolicyArn": arn}),
    );
    assert!(sb.engine.identity_policies(&alice).is_empty());

    // Session policies are kept for the evaluator.
    let new_alice = user_caller(&sb, "alice");
    let out = sb
        .sts(
            &new_alice,
            "AssumeRole",
            json!({"RoleArn": format!("arn:aws:iam::{ACCOUNT}:role/reader"), "RoleSessionName": "limited",
                   "Policy": ALLOW_ALL, "PolicyArns": [{"arn": arn}]}),
            &*allow(),
        )
        .unwrap();
    let id = out["Credentials"]["AccessKeyId"].as_str().unwrap();
    let limited = sb.engine.caller_for_access_key(id, sb.clock_now()).unwrap();
    let limits = sb.engine.session_policies(&limited).unwrap();
    assert_eq!(limits.len(), 2);
    assert_eq!(limits[1].0, arn);
    assert!(sb.engine.session_policies(&session).is_none());
}

// ---------------------------------------------------------------- the query protocol, end to end

/// What a shell does with a query request to IAM: decode, answer, encode.
fn iam_wire(sb: &mut Sandbox, caller: &Caller, body: &str) -> (u16, String) {
    let model = kms_core::model::iam();
    let (op, request) = match query::decode(model, body.as_bytes()) {
        Ok(x) => x,
        Err(e) => return (e.status(), query::encode_error(model, &e, "req-0")),
    };
    match sb.iam(caller, &op, request) {
        Ok(v) => (200, query::encode_response(model, &op, &v, "req-1")),
        Err(e) => (e.status(), query::encode_error(model, &e, "req-1")),
    }
}

#[test]
fn iam_over_the_query_protocol() {
    let mut sb = sandbox();
    let root = sb.root();
    let (status, xml) = iam_wire(
        &mut sb,
        &root,
        "Action=CreateUser&Version=2010-05-08&UserName=alice&Tags.member.1.Key=team&Tags.member.1.Value=red",
    );
    assert_eq!(status, 200, "{xml}");
    assert!(xml.starts_with(
        "<CreateUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><CreateUserResult><User>"
    ));
    assert!(xml.contains("<UserName>alice</UserName>"));
    assert!(xml.contains("<CreateDate>2025-01-01T00:00:00Z</CreateDate>"));
    assert!(xml.contains("<Tags><member><Key>team</Key><Value>red</Value></member></Tags>"));
    assert!(xml.ends_with(
        "</CreateUserResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></CreateUserResponse>"
    ));

    let (status, xml) = iam_wire(
        &mut sb,
        &root,
        "Action=CreateUser&Version=2010-05-08&UserName=alice",
    );
    assert_eq!(status, 409);
    assert_eq!(
        xml,
        "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>EntityAlreadyExists</Code><Message>User with name alice already exists.</Message></Error><RequestId>req-1</RequestId></ErrorResponse>"
    );

    // Policy documents travel form-encoded in, URL-encoded out.
    let trust = trust_doc();
    let body = format!(
        "Action=CreateRole&Version=2010-05-08&RoleName=reader&AssumeRolePolicyDocument={}",
        form_encode(&trust)
    );
    let (status, xml) = iam_wire(&mut sb, &root, &body);
    assert_eq!(status, 200, "{xml}");
    let encoded = between(
        &xml,
        "<AssumeRolePolicyDocument>",
        "</AssumeRolePolicyDocument>",
    );
    assert!(
        encoded.starts_with("%7B%22Version%22%3A%222012-10-17%22"),
        "{encoded}"
    );
    assert_eq!(url_decode(encoded), trust);
    assert!(!xml.contains("<MaxSessionDuration>"), "{xml}");

    let (status, xml) = iam_wire(
        &mut sb,
        &root,
        "Action=ListUsers&Version=2010-05-08&MaxItems=1",
    );
    assert_eq!(status, 200);
    assert!(xml.contains("<IsTruncated>false</IsTruncated>"), "{xml}");
    assert!(xml.contains("<Users><member>"));

    let (status, xml) = iam_wire(
        &mut sb,
        &root,
        "Action=DeleteUser&Version=2010-05-08&UserName=alice",
    );
    assert_eq!(status, 200);
    assert_eq!(
        xml,
        "<DeleteUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></DeleteUserResponse>"
    );
    let (status, xml) = iam_wire(
        &mut sb,
        &root,
        "Action=GetUser&Version=2010-05-08&UserName=alice",
    );
    assert_eq!(status, 404);
    assert!(xml.contains(
        "<Code>NoSuchEntity</Code><Message>The user with name alice cannot be found.</Message>"
    ));
    let (status, xml) = iam_wire(
        &mut sb,
        &root,
        "Action=GetUser&Version=2010-05-08&UserName=a%20b",
    );
    assert_eq!(status, 400);
    assert!(xml.contains("<Code>ValidationError</Code>"), "{xml}");
    let (status, xml) = iam_wire(
        &mut sb,
        &root,
        "Action=CreateGroup&Version=2010-05-08&GroupName=g",
    );
    assert_eq!(status, 400);
    assert!(xml.contains("<Code>InvalidAction</Code><Message>Could not find operation CreateGroup for version 2010-05-08</Message>"));
    let (status, xml) = iam_wire(&mut sb, &root, "Version=2010-05-08");
    assert_eq!(status, 400);
    assert!(xml.contains("<Code>MissingAction</Code>"));
}

#[test]
fn sts_over_the_query_protocol() {
    let mut sb = sandbox();
    create_user(&mut sb, "alice");
    create_role(&mut sb, "reader");
    let alice = user_caller(&sb, "alice");
    let model = kms_core::model::sts();
    let body = format!(
        "Action=AssumeRole&Version=2011-06-15&RoleArn={}&RoleSessionName=s1&DurationSeconds=900",
        form_encode(&format!("arn:aws:iam::{ACCOUNT}:role/reader"))
    );
    let (op, request) = query::decode(model, body.as_bytes()).unwrap();
    let out = sb.sts(&alice, &op, request, &*allow()).unwrap();
    let xml = query::encode_response(model, &op, &out, "r");
    assert!(xml.starts_with(
        "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
    ));
    assert!(
        xml.contains("<Expiration>2025-01-01T00:15:00Z</Expiration>"),
        "{xml}"
    );
    assert!(xml.contains(&format!(
        "<Arn>arn:aws:sts::{ACCOUNT}:assumed-role/reader/s1</Arn>"
    )));
    let (op, request) =
        query::decode(model, b"Action=GetCallerIdentity&Version=2011-06-15").unwrap();
    let out = sb.sts(&alice, &op, request, &*allow()).unwrap();
    let xml = query::encode_response(model, &op, &out, "r");
    assert!(xml.contains(&format!(
        "<GetCallerIdentityResult><Account>{ACCOUNT}</Account><Arn>arn:aws:iam::{ACCOUNT}:user/alice</Arn>"
    )), "{xml}");
}

/// Request bodies as `@aws-sdk/client-iam` and `@aws-sdk/client-sts` sent them (captured from
/// versions 3.1169.0 / 3.1177.0, which put `Action` first, and 3.600.0, which puts it last).
#[test]
fn bodies_the_aws_sdk_sends_decode() {
    let iam = kms_core::model::iam();
    let cases: &[(&str, Value)] = &[
        (
            "Action=CreateUser&Version=2010-05-08&UserName=alice&Path=%2Fdev%2F&Tags.member.1.Key=team&Tags.member.1.Value=r%20d%3A1&Tags.member.2.Key=empty&Tags.member.2.Value=",
            json!({"UserName": "alice", "Path": "/dev/", "Tags": [{"Key": "team", "Value": "r d:1"}, {"Key": "empty", "Value": ""}]}),
        ),
        (
            "Path=%2Fdev%2F&UserName=alice&Tags.member.1.Key=team&Tags.member.1.Value=r%20d%3A1&Action=CreateUser&Version=2010-05-08",
            json!({"UserName": "alice", "Path": "/dev/", "Tags": [{"Key": "team", "Value": "r d:1"}]}),
        ),
        (
            "Action=CreateRole&Version=2010-05-08&RoleName=reader&AssumeRolePolicyDocument=%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D&Description=line1%0Aline2%20%26%20more&MaxSessionDuration=7200",
            json!({"RoleName": "reader", "AssumeRolePolicyDocument": r#"{"Version":"2012-10-17","Statement":[]}"#,
                   "Description": "line1\nline2 & more", "MaxSessionDuration": 7200}),
        ),
        (
            "Action=PutUserPolicy&Version=2010-05-08&UserName=alice&PolicyName=inline&PolicyDocument=%7B%22Condition%22%3A%7B%22StringEquals%22%3A%7B%22kms%3AEncryptionContext%3Aa%26b%22%3A%22%3Cx%3E%20%27y%27%20%5C%22z%5C%22%22%7D%7D%7D",
            json!({"UserName": "alice", "PolicyName": "inline",
                   "PolicyDocument": r#"{"Condition":{"StringEquals":{"kms:EncryptionContext:a&b":"<x> 'y' \"z\""}}}"#}),
        ),
        (
            "Scope=Local&OnlyAttached=true&MaxItems=10&Action=ListPolicies&Version=2010-05-08",
            json!({"Scope": "Local", "OnlyAttached": true, "MaxItems": 10}),
        ),
        (
            "Action=UntagUser&Version=2010-05-08&UserName=alice&TagKeys.member.1=empty",
            json!({"UserName": "alice", "TagKeys": ["empty"]}),
        ),
        (
            "RoleName=reader&Tags=&Action=TagRole&Version=2010-05-08",
            json!({"RoleName": "reader", "Tags": []}),
        ),
        (
            "Action=UpdateAccessKey&Version=2010-05-08&AccessKeyId=AKIATGGTCX4LVY2TB4CR&Status=Inactive&UserName=alice",
            json!({"AccessKeyId": "AKIATGGTCX4LVY2TB4CR", "Status": "Inactive", "UserName": "alice"}),
        ),
        ("Action=GetUser&Version=2010-05-08", json!({})),
    ];
    for (body, expected) in cases {
        let (_, input) =
            query::decode(iam, body.as_bytes()).unwrap_or_else(|e| panic!("{body}: {e}"));
        assert_eq!(&input, expected, "{body}");
    }
    let (op, input) = query::decode(
        kms_core::model::sts(),
        b"RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Freader&RoleSessionName=s1&DurationSeconds=900&Tags.member.1.Key=p&Tags.member.1.Value=q&Action=AssumeRole&Version=2011-06-15",
    )
    .unwrap();
    assert_eq!(op, "AssumeRole");
    assert_eq!(
        input,
        json!({"RoleArn": "arn:aws:iam::111122223333:role/reader", "RoleSessionName": "s1",
               "DurationSeconds": 900, "Tags": [{"Key": "p", "Value": "q"}]})
    );
}

#[test]
fn every_iam_operation_of_the_model_answers() {
    let mut sb = sandbox();
    create_user(&mut sb, "alice");
    let model = kms_core::model::iam();
    for (op, spec) in &model.operations {
        let req = json!({
            "UserName": "alice", "RoleName": "reader", "PolicyName": "p",
            "PolicyArn": policy_arn("p"), "PolicyDocument": ALLOW_ALL,
            "AssumeRolePolicyDocument": trust_doc(), "AccessKeyId": "AKIAAAAAAAAAAAAAAAAA",
            "Status": "Active", "VersionId": "v1", "Tags": [], "TagKeys": [],
        });
        let root = sb.root();
        if let Err(e) = sb.iam(&root, op, req) {
            assert_ne!(e.error_type, ErrorType::InvalidAction, "{op}");
            assert!(e.error_type.is_sender_fault(), "{op}: {e}");
            // Every error an operation returns is one the model lists for it, or a common one.
            let listed = spec.errors.iter().any(|s| {
                model
                    .shape(s)
                    .error
                    .as_ref()
                    .is_some_and(|i| i.code == e.error_type.as_str())
            });
            assert!(
                listed || e.error_type == ErrorType::ValidationError,
                "{op} answered {e}, not in {:?}",
                spec.errors
            );
        }
    }
    assert_eq!(model.operations.len(), 47);
}

// ---------------------------------------------------------------- helpers for the wire tests

fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn url_decode(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).expect(start) + start.len();
    let to = from + text[from..].find(end).expect(end);
    &text[from..to]
}

// ---------------------------------------------------------------- AWS's words, as recorded

/// A trust policy may name only STS's assume actions; one that is not JSON is "invalid Json"
/// (LocalStack's test_iam_roles snapshot, recorded against AWS).
#[test]
fn trust_policies_allow_only_sts_assume_actions() {
    let mut sb = sandbox();
    create_role(&mut sb, "r");
    let trust = |actions: Value| {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"}, "Action": actions}]})
        .to_string()
    };
    // Many stars cost linear time, not a backtracking search (this one took days).
    let stars = format!("sts:{}x", "*".repeat(30));
    let e = err(
        &mut sb,
        "UpdateAssumeRolePolicy",
        json!({"RoleName": "r", "PolicyDocument": trust(json!(stars))}),
    );
    assert_error(
        &e,
        ErrorType::IamMalformedPolicyDocument,
        "AssumeRole policy may only specify STS AssumeRole actions.",
    );
    for actions in [
        json!("sts:InvalidAction"),
        json!(["sts:AssumeRole", "s3:GetObject"]),
        json!("iam:*"),
    ] {
        for (op, req) in [
            (
                "UpdateAssumeRolePolicy",
                json!({"RoleName": "r", "PolicyDocument": trust(actions.clone())}),
            ),
            (
                "CreateRole",
                json!({"RoleName": "s", "AssumeRolePolicyDocument": trust(actions.clone())}),
            ),
        ] {
            let e = err(&mut sb, op, req);
            assert_error(
                &e,
                ErrorType::IamMalformedPolicyDocument,
                "AssumeRole policy may only specify STS AssumeRole actions.",
            );
        }
    }
    for actions in [
        json!("sts:AssumeRole"),
        json!(["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]),
        json!([
            "sts:AssumeRoleWithSAML",
            "sts:SetSourceIdentity",
            "sts:SetContext"
        ]),
        json!("sts:AssumeRole*"),
        json!("STS:assumerole"),
        json!("sts:Assume?ole"),
    ] {
        ok(
            &mut sb,
            "UpdateAssumeRolePolicy",
            json!({"RoleName": "r", "PolicyDocument": trust(actions)}),
        );
    }
    let e = err(
        &mut sb,
        "UpdateAssumeRolePolicy",
        json!({"RoleName": "r", "PolicyDocument": "not valid json"}),
    );
    assert_error(
        &e,
        ErrorType::IamMalformedPolicyDocument,
        "This policy contains invalid Json",
    );
    // An identity policy that is not JSON keeps its words.
    let e = err(
        &mut sb,
        "PutRolePolicy",
        json!({"RoleName": "r", "PolicyName": "p", "PolicyDocument": "not valid json"}),
    );
    assert_error(
        &e,
        ErrorType::IamMalformedPolicyDocument,
        "Syntax errors in policy.",
    );
}

/// AssumeRole's session tags may not repeat a key in any case: STS's InvalidParameterValue
/// (LocalStack's test_sts snapshot).
#[test]
fn assume_role_refuses_repeated_session_tag_keys() {
    let mut sb = sandbox();
    create_role(&mut sb, "r");
    create_user(&mut sb, "dev");
    let dev = user_caller(&sb, "dev");
    let e = sb
        .sts(
            &dev,
            "AssumeRole",
            json!({"RoleArn": format!("arn:aws:iam::{ACCOUNT}:role/r"), "RoleSessionName": "s1",
                "Tags": [{"Key": "team", "Value": "a"}, {"Key": "TEAM", "Value": "b"}]}),
            &*allow(),
        )
        .unwrap_err();
    assert_error(
        &e,
        ErrorType::InvalidParameterValue,
        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
    );
    assert_eq!(e.status(), 400);
}

/// Managed policies' tag keys are case-sensitive (users' and roles' are not), and CreatePolicy
/// answers its tags in the order given (LocalStack's test_iam_policies snapshot).
#[test]
fn policy_tags_are_case_sensitive() {
    let mut sb = sandbox();
    let out = ok(
        &mut sb,
        "CreatePolicy",
        json!({"PolicyName": "p", "PolicyDocument": ALLOW_ALL, "Tags": [
            {"Key": "abc", "Value": "first"}, {"Key": "b", "Value": "second"},
            {"Key": "a", "Value": "lower"}, {"Key": "A", "Value": "upper"}]}),
    );
    assert_eq!(
        out["Policy"]["Tags"],
        json!([{"Key": "abc", "Value": "first"}, {"Key": "b", "Value": "second"},
            {"Key": "a", "Value": "lower"}, {"Key": "A", "Value": "upper"}])
    );
    let arn = policy_arn("p");
    let keys = |sb: &mut Sandbox| -> Vec<String> {
        ok(sb, "ListPolicyTags", json!({"PolicyArn": policy_arn("p")}))["Tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["Key"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(keys(&mut sb).len(), 4);
    ok(
        &mut sb,
        "UntagPolicy",
        json!({"PolicyArn": arn, "TagKeys": ["a"]}),
    );
    let left = keys(&mut sb);
    assert!(
        left.contains(&"A".to_string()) && !left.contains(&"a".to_string()),
        "{left:?}"
    );
    ok(
        &mut sb,
        "TagPolicy",
        json!({"PolicyArn": arn, "Tags": [{"Key": "x", "Value": "1"}, {"Key": "X", "Value": "2"}]}),
    );
    assert_eq!(keys(&mut sb).len(), 5);
    for (op, req) in [
        (
            "TagPolicy",
            json!({"PolicyArn": arn, "Tags": [{"Key": "d", "Value": "1"}, {"Key": "d", "Value": "2"}]}),
        ),
        (
            "CreatePolicy",
            json!({"PolicyName": "q", "PolicyDocument": ALLOW_ALL,
                "Tags": [{"Key": "d", "Value": "1"}, {"Key": "d", "Value": "2"}]}),
        ),
    ] {
        let e = err(&mut sb, op, req);
        assert_error(&e, ErrorType::InvalidInput, "Duplicate tag keys found.");
    }
    // Users and roles stay case-insensitive.
    let e = err(
        &mut sb,
        "CreateUser",
        json!({"UserName": "u", "Tags": [{"Key": "d", "Value": "1"}, {"Key": "D", "Value": "2"}]}),
    );
    assert_error(
        &e,
        ErrorType::InvalidInput,
        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
    );
}

/// A PolicyArn that is no ARN is a ValidationError; a missing policy's version and entities
/// are "does not exist or is not attachable" (LocalStack's test_iam_roles and test_iam_policies
/// snapshots).
#[test]
fn policy_arns_and_missing_policies_in_aws_words() {
    let mut sb = sandbox();
    create_role(&mut sb, "r");
    create_user(&mut sb, "u");
    for (op, req) in [
        (
            "AttachRolePolicy",
            json!({"RoleName": "r", "PolicyArn": "longpolicynamebutnoarn"}),
        ),
        (
            "DetachRolePolicy",
            json!({"RoleName": "r", "PolicyArn": "longpolicynamebutnoarn"}),
        ),
        (
            "AttachUserPolicy",
            json!({"UserName": "u", "PolicyArn": "longpolicynamebutnoarn"}),
        ),
    ] {
        let e = err(&mut sb, op, req);
        assert_error(
            &e,
            ErrorType::ValidationError,
            "ARN longpolicynamebutnoarn is not valid.",
        );
        assert_eq!(e.status(), 400);
    }
    let missing = policy_arn("TestNonExistingPolicy");
    let e = err(
        &mut sb,
        "SetDefaultPolicyVersion",
        json!({"PolicyArn": missing, "VersionId": "v1"}),
    );
    assert_error(
        &e,
        ErrorType::NoSuchEntity,
        &format!("Policy {missing} version v1 does not exist or is not attachable."),
    );
    let e = err(
        &mut sb,
        "ListEntitiesForPolicy",
        json!({"PolicyArn": missing}),
    );
    assert_error(
        &e,
        ErrorType::NoSuchEntity,
        &format!("Policy {missing} does not exist or is not attachable."),
    );
}

/// IAM's validation messages leave out tag keys, tag values, the tag list and a version id
/// (names keep theirs), and word a bad key of Untag* as one violation of the whole list
/// (LocalStack's IAM snapshots).
#[test]
fn iam_validation_hides_tags_and_version_ids() {
    let mut sb = sandbox();
    let root = sb.root();
    let mut call = |op: &str, req: Value| -> KmsError {
        let saved = std::mem::replace(&mut sb.caller, root.clone());
        let out = sb.call_service(kms_core::Service::Iam, op, req);
        sb.caller = saved;
        out.unwrap_err()
    };
    let tags = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| json!({"Key": format!("k{i}"), "Value": "v"}))
            .collect()
    };
    let cases = [
        (
            "CreateRole",
            json!({"RoleName": "r", "AssumeRolePolicyDocument": trust_doc(),
                "Tags": [{"Key": "k".repeat(129), "Value": "v"}]}),
            "Value at 'tags.1.member.key' failed to satisfy constraint: Member must have \
             length less than or equal to 128",
        ),
        (
            "CreateRole",
            json!({"RoleName": "r", "AssumeRolePolicyDocument": trust_doc(),
                "Tags": [{"Key": "k", "Value": "v".repeat(257)}]}),
            "Value at 'tags.1.member.value' failed to satisfy constraint: Member must have \
             length less than or equal to 256",
        ),
        (
            "TagUser",
            json!({"UserName": "u", "Tags": [{"Key": "bad*key", "Value": "v"}]}),
            "Value at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy \
             regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+",
        ),
        (
            "TagRole",
            json!({"RoleName": "r", "Tags": tags(51)}),
            "Value at 'tags' failed to satisfy constraint: Member must have length less than or \
             equal to 50",
        ),
        (
            "UntagRole",
            json!({"RoleName": "r", "TagKeys": ["k".repeat(129)]}),
            "Value at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: \
             [Member must have length less than or equal to 128, Member must have length greater \
             than or equal to 1, Member must satisfy regular expression pattern: \
             [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+, Member must not be null]",
        ),
        (
            "UntagPolicy",
            json!({"PolicyArn": policy_arn("p"), "TagKeys": ["ok", "bad*key"]}),
            "Value at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: \
             [Member must have length less than or equal to 128, Member must have length greater \
             than or equal to 1, Member must satisfy regular expression pattern: \
             [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+, Member must not be null]",
        ),
        (
            "SetDefaultPolicyVersion",
            json!({"PolicyArn": policy_arn("p"), "VersionId": "version1"}),
            "Value at 'versionId' failed to satisfy constraint: Member must satisfy regular \
             expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?",
        ),
        (
            "GetRole",
            json!({"RoleName": "bad name!"}),
            "Value 'bad name!' at 'roleName' failed to satisfy constraint: Member must satisfy \
             regular expression pattern: [\\w+=,.@-]+",
        ),
    ];
    for (op, req, message) in cases {
        let e = call(op, req);
        assert_error(
            &e,
            ErrorType::ValidationError,
            &format!("1 validation error detected: {message}"),
        );
    }
}
