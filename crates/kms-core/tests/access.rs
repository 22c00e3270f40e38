//! Every KMS request decided as AWS decides it: key policies, identity policies, grants and role
//! trust policies, for the account root, IAM users and role sessions (control-access.md,
//! determining-access-*.md, grants.md, alias-authorization.md).

use kms_core::{json, Caller, Clock, ErrorType, KmsError, Sandbox, Service, Value, DEFAULT_REGION};

const ACCOUNT: &str = "111122223333";

fn sandbox() -> Sandbox {
    Sandbox::in_memory(11)
}

fn call(
    sb: &mut Sandbox,
    caller: &Caller,
    service: Service,
    op: &str,
    req: Value,
) -> Result<Value, KmsError> {
    let saved = std::mem::replace(&mut sb.caller, caller.clone());
    let out = sb.call_service(service, op, req);
    sb.caller = saved;
    out
}

fn kms_ok(sb: &mut Sandbox, caller: &Caller, op: &str, req: Value) -> Value {
    call(sb, caller, Service::Kms, op, req.clone())
        .unwrap_or_else(|e| panic!("{op} {req} as {} failed: {e}", caller.arn(DEFAULT_REGION)))
}

fn kms_err(sb: &mut Sandbox, caller: &Caller, op: &str, req: Value) -> KmsError {
    call(sb, caller, Service::Kms, op, req)
        .err()
        .unwrap_or_else(|| panic!("{op} as {} succeeded", caller.arn(DEFAULT_REGION)))
}

fn iam(sb: &mut Sandbox, op: &str, req: Value) -> Value {
    let root = sb.root();
    call(sb, &root, Service::Iam, op, req.clone()).unwrap_or_else(|e| panic!("{op} {req}: {e}"))
}

fn user(sb: &mut Sandbox, name: &str) -> Caller {
    iam(sb, "CreateUser", json!({"UserName": name}));
    sb.engine
        .caller_for_principal(&format!("arn:aws:iam::{ACCOUNT}:user/{name}"), None)
        .unwrap()
}

fn role(sb: &mut Sandbox, name: &str, trusted: &str) -> String {
    let trust = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": trusted}, "Action": "sts:AssumeRole"}]});
    let r = iam(
        sb,
        "CreateRole",
        json!({"RoleName": name, "AssumeRolePolicyDocument": trust.to_string()}),
    );
    r["Role"]["Arn"].as_str().unwrap().to_string()
}

fn allow_user(sb: &mut Sandbox, name: &str, actions: Value) {
    let doc = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": actions, "Resource": "*"}]});
    iam(
        sb,
        "PutUserPolicy",
        json!({"UserName": name, "PolicyName": "p", "PolicyDocument": doc.to_string()}),
    );
}

fn key_with_policy(sb: &mut Sandbox, extra: Value) -> (String, String) {
    let mut statements = vec![
        json!({"Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "kms:*", "Resource": "*"}),
    ];
    statements.extend(extra.as_array().cloned().unwrap_or_default());
    let policy = json!({"Version": "2012-10-17", "Statement": statements}).to_string();
    let root = sb.root();
    let k = kms_ok(sb, &root, "CreateKey", json!({"Policy": policy}));
    (
        k["KeyMetadata"]["KeyId"].as_str().unwrap().to_string(),
        k["KeyMetadata"]["Arn"].as_str().unwrap().to_string(),
    )
}

fn denied(e: &KmsError, message: &str) {
    assert_eq!(e.error_type, ErrorType::AccessDenied, "{e}");
    assert_eq!(e.message, message);
}

#[test]
fn the_default_key_policy_delegates_to_iam_policies() {
    let mut sb = sandbox();
    let alice = user(&mut sb, "alice");
    let (id, arn) = key_with_policy(&mut sb, json!([]));
    let e = kms_err(&mut sb, &alice, "DescribeKey", json!({"KeyId": id}));
    denied(&e, &format!("User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: kms:DescribeKey on resource: {arn} because no identity-based policy allows the kms:DescribeKey action"));
    allow_user(&mut sb, "alice", json!(["kms:Describe*", "kms:Encrypt"]));
    kms_ok(&mut sb, &alice, "DescribeKey", json!({"KeyId": id}));
    kms_ok(
        &mut sb,
        &alice,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": "eA=="}),
    );
    // Operations on no key are decided by identity policies alone, on resource "*".
    let e = kms_err(&mut sb, &alice, "ListKeys", json!({}));
    denied(&e, &format!("User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: kms:ListKeys on resource: * because no identity-based policy allows the kms:ListKeys action"));
    // The root user needs no identity policy.
    let root = sb.root();
    kms_ok(&mut sb, &root, "ListKeys", json!({}));
}

#[test]
fn a_key_policy_naming_a_principal_needs_no_identity_policy_and_an_explicit_deny_wins() {
    let mut sb = sandbox();
    let bob = user(&mut sb, "bob");
    let (id, arn) = key_with_policy(
        &mut sb,
        json!([
            {"Sid": "bob uses", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:user/bob")},
             "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"},
            {"Sid": "no context no decrypt", "Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt",
             "Resource": "*", "Condition": {"Null": {"kms:EncryptionContext:app": "true"}}}
        ]),
    );
    let ct = kms_ok(
        &mut sb,
        &bob,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": "eA==", "EncryptionContext": {"app": "x"}}),
    );
    kms_ok(
        &mut sb,
        &bob,
        "Decrypt",
        json!({"CiphertextBlob": ct["CiphertextBlob"], "EncryptionContext": {"app": "x"}}),
    );
    let ct = kms_ok(
        &mut sb,
        &bob,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": "eA=="}),
    );
    let e = kms_err(
        &mut sb,
        &bob,
        "Decrypt",
        json!({"CiphertextBlob": ct["CiphertextBlob"]}),
    );
    denied(&e, &format!("User: arn:aws:iam::{ACCOUNT}:user/bob is not authorized to perform: kms:Decrypt on resource: {arn} with an explicit deny in a resource-based policy"));
    // An explicit deny in an identity policy wins over the key policy's allow.
    let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:Encrypt", "Resource": arn}]});
    iam(
        &mut sb,
        "PutUserPolicy",
        json!({"UserName": "bob", "PolicyName": "d", "PolicyDocument": doc.to_string()}),
    );
    let e = kms_err(
        &mut sb,
        &bob,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": "eA=="}),
    );
    denied(&e, &format!("User: arn:aws:iam::{ACCOUNT}:user/bob is not authorized to perform: kms:Encrypt on resource: {arn} with an explicit deny in an identity-based policy"));
}

#[test]
fn a_role_session_is_matched_by_the_role_and_assume_role_follows_the_trust_policy() {
    let mut sb = sandbox();
    let dev = user(&mut sb, "dev");
    let ops = user(&mut sb, "ops");
    let role_arn = role(
        &mut sb,
        "reader",
        &format!("arn:aws:iam::{ACCOUNT}:user/dev"),
    );
    let (id, _) = key_with_policy(
        &mut sb,
        json!([{"Effect": "Allow", "Principal": {"AWS": role_arn}, "Action": "kms:DescribeKey", "Resource": "*"}]),
    );
    // dev is named by the trust policy; ops is not.
    let assumed = call(
        &mut sb,
        &dev,
        Service::Sts,
        "AssumeRole",
        json!({"RoleArn": role_arn, "RoleSessionName": "s1"}),
    )
    .unwrap();
    let key_id = assumed["Credentials"]["AccessKeyId"].as_str().unwrap();
    let session = sb
        .engine
        .caller_for_access_key(key_id, sb.clock.now())
        .unwrap();
    assert_eq!(
        session.arn(DEFAULT_REGION),
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/reader/s1")
    );
    kms_ok(&mut sb, &session, "DescribeKey", json!({"KeyId": id}));
    let e = call(
        &mut sb,
        &ops,
        Service::Sts,
        "AssumeRole",
        json!({"RoleArn": role_arn, "RoleSessionName": "s1"}),
    )
    .unwrap_err();
    assert_eq!(e.error_type, ErrorType::IamAccessDenied);
    assert_eq!(e.message, format!("User: arn:aws:iam::{ACCOUNT}:user/ops is not authorized to perform: sts:AssumeRole on resource: {role_arn}"));
    // A trust policy naming the account delegates to identity policies.
    let delegated = role(&mut sb, "writer", ACCOUNT);
    let e = call(
        &mut sb,
        &ops,
        Service::Sts,
        "AssumeRole",
        json!({"RoleArn": delegated, "RoleSessionName": "s1"}),
    )
    .unwrap_err();
    assert_eq!(e.error_type, ErrorType::IamAccessDenied);
    allow_user(&mut sb, "ops", json!("sts:AssumeRole"));
    call(
        &mut sb,
        &ops,
        Service::Sts,
        "AssumeRole",
        json!({"RoleArn": delegated, "RoleSessionName": "s1"}),
    )
    .unwrap();
}

/// Passing session tags needs `sts:TagSession` and setting a source identity
/// `sts:SetSourceIdentity`, besides `sts:AssumeRole`; the tags are `aws:RequestTag/*` to the
/// trust policy's conditions.
#[test]
fn session_tags_and_source_identity_need_their_own_permissions() {
    let mut sb = sandbox();
    let dev = user(&mut sb, "dev");
    let dev_arn = format!("arn:aws:iam::{ACCOUNT}:user/dev");
    let only_assume = role(&mut sb, "reader", &dev_arn);
    let assume = |sb: &mut Sandbox, role: &str, extra: Value| {
        let mut req = json!({"RoleArn": role, "RoleSessionName": "s1"});
        for (k, v) in extra.as_object().unwrap() {
            req[k] = v.clone();
        }
        call(sb, &dev, Service::Sts, "AssumeRole", req)
    };
    let tags = json!({"Tags": [{"Key": "team", "Value": "blue"}]});
    let e = assume(&mut sb, &only_assume, tags.clone()).unwrap_err();
    assert_eq!(
        e.message,
        format!("User: {dev_arn} is not authorized to perform: sts:TagSession on resource: {only_assume}")
    );
    let e = assume(&mut sb, &only_assume, json!({"SourceIdentity": "dev"})).unwrap_err();
    assert!(e.message.contains("sts:SetSourceIdentity"), "{e}");
    assume(&mut sb, &only_assume, json!({})).unwrap();

    let trust = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": dev_arn}, "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"]},
        {"Effect": "Allow", "Principal": {"AWS": dev_arn}, "Action": "sts:TagSession",
         "Condition": {"StringEquals": {"aws:RequestTag/team": "blue"}}}]});
    let tagged = iam(
        &mut sb,
        "CreateRole",
        json!({"RoleName": "tagged", "AssumeRolePolicyDocument": trust.to_string()}),
    )["Role"]["Arn"]
        .as_str()
        .unwrap()
        .to_string();
    assume(&mut sb, &tagged, tags).unwrap();
    assume(&mut sb, &tagged, json!({"SourceIdentity": "dev"})).unwrap();
    let e = assume(
        &mut sb,
        &tagged,
        json!({"Tags": [{"Key": "team", "Value": "red"}]}),
    )
    .unwrap_err();
    assert!(e.message.contains("sts:TagSession"), "{e}");
}

#[test]
fn grants_allow_their_operations_under_their_constraints() {
    let mut sb = sandbox();
    let carol = user(&mut sb, "carol");
    let (id, _) = key_with_policy(&mut sb, json!([]));
    let root = sb.root();
    let e = kms_err(
        &mut sb,
        &carol,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": "eA=="}),
    );
    assert_eq!(e.error_type, ErrorType::AccessDenied);
    let g = kms_ok(
        &mut sb,
        &root,
        "CreateGrant",
        json!({
        "KeyId": id, "GranteePrincipal": format!("arn:aws:iam::{ACCOUNT}:user/carol"),
        "Operations": ["Encrypt", "Decrypt", "RetireGrant"],
        "Constraints": {"EncryptionContextEquals": {"dept": "it"}}}),
    );
    let ct = kms_ok(
        &mut sb,
        &carol,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": "eA==", "EncryptionContext": {"dept": "it"}}),
    );
    kms_ok(
        &mut sb,
        &carol,
        "Decrypt",
        json!({"CiphertextBlob": ct["CiphertextBlob"], "EncryptionContext": {"dept": "it"}}),
    );
    for context in [
        json!({}),
        json!({"dept": "hr"}),
        json!({"dept": "it", "x": "y"}),
    ] {
        let e = kms_err(
            &mut sb,
            &carol,
            "Encrypt",
            json!({"KeyId": id, "Plaintext": "eA==", "EncryptionContext": context}),
        );
        assert_eq!(e.error_type, ErrorType::AccessDenied, "{context}");
    }
    // Not an operation of the grant.
    let e = kms_err(
        &mut sb,
        &carol,
        "GenerateDataKey",
        json!({"KeyId": id, "KeySpec": "AES_256", "EncryptionContext": {"dept": "it"}}),
    );
    assert_eq!(e.error_type, ErrorType::AccessDenied);
    // The grantee retires it (RetireGrant is one of its operations); then it allows nothing.
    kms_ok(
        &mut sb,
        &carol,
        "RetireGrant",
        json!({"GrantToken": g["GrantToken"]}),
    );
    let e = kms_err(
        &mut sb,
        &carol,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": "eA==", "EncryptionContext": {"dept": "it"}}),
    );
    assert_eq!(e.error_type, ErrorType::AccessDenied);
}

#[test]
fn conditions_on_aliases_tags_and_cross_account_principals() {
    let mut sb = sandbox();
    let dana = user(&mut sb, "dana");
    let (id, arn) = key_with_policy(
        &mut sb,
        json!([
            {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:user/dana")},
             "Action": "kms:DescribeKey", "Resource": "*",
             "Condition": {"StringLike": {"kms:RequestAlias": "alias/*alpha*"}}},
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
             "Action": "kms:*", "Resource": "*"}
        ]),
    );
    let root = sb.root();
    kms_ok(
        &mut sb,
        &root,
        "CreateAlias",
        json!({"AliasName": "alias/project-alpha", "TargetKeyId": id}),
    );
    kms_ok(
        &mut sb,
        &dana,
        "DescribeKey",
        json!({"KeyId": "alias/project-alpha"}),
    );
    let e = kms_err(&mut sb, &dana, "DescribeKey", json!({"KeyId": id}));
    assert_eq!(e.error_type, ErrorType::AccessDenied);
    // ABAC: an identity policy on the key's tags.
    let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt",
        "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:username}"}}}]});
    iam(
        &mut sb,
        "PutUserPolicy",
        json!({"UserName": "dana", "PolicyName": "abac", "PolicyDocument": doc.to_string()}),
    );
    let e = kms_err(
        &mut sb,
        &dana,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": "eA=="}),
    );
    assert_eq!(e.error_type, ErrorType::AccessDenied);
    kms_ok(
        &mut sb,
        &root,
        "TagResource",
        json!({"KeyId": id, "Tags": [{"TagKey": "team", "TagValue": "dana"}]}),
    );
    kms_ok(
        &mut sb,
        &dana,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": "eA=="}),
    );
    // CreateAlias needs permission on the alias (identity policy) and on the key.
    let e = kms_err(
        &mut sb,
        &dana,
        "CreateAlias",
        json!({"AliasName": "alias/dana", "TargetKeyId": id}),
    );
    denied(&e, &format!("User: arn:aws:iam::{ACCOUNT}:user/dana is not authorized to perform: kms:CreateAlias on resource: arn:aws:kms:ap-southeast-2:{ACCOUNT}:alias/dana because no identity-based policy allows the kms:CreateAlias action"));
    // The other account is named in the policy, but no principal of it exists here to act.
    let explained = sb
        .engine
        .explain_access(
            "ap-southeast-2",
            "Encrypt",
            &json!({"KeyId": id, "Plaintext": "eA=="}),
            &dana,
            sb.clock.now(),
        )
        .result
        .unwrap();
    assert_eq!(explained[0]["Resource"], arn.as_str());
    assert_eq!(explained[0]["Allowed"], true);
}

#[test]
fn aws_managed_keys_allow_metadata_through_iam_and_refuse_direct_use() {
    let mut sb = sandbox();
    let erin = user(&mut sb, "erin");
    allow_user(&mut sb, "erin", json!("kms:*"));
    kms_ok(
        &mut sb,
        &erin,
        "DescribeKey",
        json!({"KeyId": "alias/aws/ebs"}),
    );
    let e = kms_err(
        &mut sb,
        &erin,
        "GenerateDataKey",
        json!({"KeyId": "alias/aws/ebs", "KeySpec": "AES_256"}),
    );
    assert!(
        e.message
            .ends_with("because no resource-based policy allows the kms:GenerateDataKey action"),
        "{e}"
    );
}

#[test]
fn iam_requests_are_decided_by_identity_policies() {
    let mut sb = sandbox();
    let alice = user(&mut sb, "alice");
    user(&mut sb, "bob");
    let e = call(
        &mut sb,
        &alice,
        Service::Iam,
        "CreateUser",
        json!({"UserName": "carol"}),
    )
    .unwrap_err();
    assert_eq!(e.error_type, ErrorType::IamAccessDenied);
    assert_eq!(e.message, format!("User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::{ACCOUNT}:user/carol because no identity-based policy allows the iam:CreateUser action"));
    // Her own user only, through a policy variable.
    let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": ["iam:GetUser", "iam:ListAccessKeys"], "Resource": "arn:aws:iam::*:user/${aws:username}"}]});
    iam(
        &mut sb,
        "PutUserPolicy",
        json!({"UserName": "alice", "PolicyName": "self", "PolicyDocument": doc.to_string()}),
    );
    let me = call(&mut sb, &alice, Service::Iam, "GetUser", json!({})).unwrap();
    assert_eq!(me["User"]["UserName"], "alice");
    call(
        &mut sb,
        &alice,
        Service::Iam,
        "ListAccessKeys",
        json!({"UserName": "alice"}),
    )
    .unwrap();
    let e = call(
        &mut sb,
        &alice,
        Service::Iam,
        "GetUser",
        json!({"UserName": "bob"}),
    )
    .unwrap_err();
    assert_eq!(e.error_type, ErrorType::IamAccessDenied);
    // Anyone may ask STS who they are.
    let who = call(
        &mut sb,
        &alice,
        Service::Sts,
        "GetCallerIdentity",
        json!({}),
    )
    .unwrap();
    assert_eq!(who["Arn"], format!("arn:aws:iam::{ACCOUNT}:user/alice"));
}

/// IAM's refusals name the resource as IAM does: a user or role by name, a managed policy by its
/// ARN (or, for CreatePolicy, its name); CreateUser and CreateRole by the ARN they would make;
/// ListUsers and ListRoles by their path's ARN, ListPolicies by its path (real AccessDenied
/// messages).
#[test]
fn iam_refusals_name_the_resource_as_iam_does() {
    let mut sb = sandbox();
    let alice = user(&mut sb, "alice");
    user(&mut sb, "bob");
    role(&mut sb, "reader", &format!("arn:aws:iam::{ACCOUNT}:root"));
    let arn = iam(
        &mut sb,
        "CreatePolicy",
        json!({"PolicyName": "p", "PolicyDocument": json!({"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}).to_string()}),
    )["Policy"]["Arn"]
        .as_str()
        .unwrap()
        .to_string();
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "sts:AssumeRole"}]})
    .to_string();
    let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",
        "Resource": "*"}]})
    .to_string();
    let denied_on = |action: &str, resource: &str| {
        format!(
            "User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: iam:{action} \
             on resource: {resource} because no identity-based policy allows the iam:{action} \
             action"
        )
    };
    let cases: Vec<(&str, Value, String)> = vec![
        (
            "GetRole",
            json!({"RoleName": "reader"}),
            "role reader".into(),
        ),
        (
            "GetRole",
            json!({"RoleName": "nobody"}),
            "role nobody".into(),
        ),
        (
            "DeleteRole",
            json!({"RoleName": "reader"}),
            "role reader".into(),
        ),
        (
            "ListRolePolicies",
            json!({"RoleName": "reader"}),
            "role reader".into(),
        ),
        (
            "PutRolePolicy",
            json!({"RoleName": "reader", "PolicyName": "i", "PolicyDocument": doc}),
            "role reader".into(),
        ),
        (
            "AttachRolePolicy",
            json!({"RoleName": "reader", "PolicyArn": arn}),
            "role reader".into(),
        ),
        (
            "TagRole",
            json!({"RoleName": "reader", "Tags": [{"Key": "k", "Value": "v"}]}),
            "role reader".into(),
        ),
        ("GetUser", json!({"UserName": "bob"}), "user bob".into()),
        (
            "ListUserPolicies",
            json!({"UserName": "bob"}),
            "user bob".into(),
        ),
        (
            "CreateAccessKey",
            json!({"UserName": "bob"}),
            "user bob".into(),
        ),
        ("CreateAccessKey", json!({}), "user alice".into()),
        (
            "AttachUserPolicy",
            json!({"UserName": "bob", "PolicyArn": arn}),
            "user bob".into(),
        ),
        (
            "GetPolicy",
            json!({"PolicyArn": arn}),
            format!("policy {arn}"),
        ),
        (
            "ListPolicyVersions",
            json!({"PolicyArn": arn}),
            format!("policy {arn}"),
        ),
        (
            "CreatePolicy",
            json!({"PolicyName": "q", "PolicyDocument": doc}),
            "policy q".into(),
        ),
        ("ListPolicies", json!({}), "policy path /".into()),
        (
            "CreateUser",
            json!({"UserName": "carol"}),
            format!("arn:aws:iam::{ACCOUNT}:user/carol"),
        ),
        (
            "CreateRole",
            json!({"RoleName": "writer", "Path": "/app/", "AssumeRolePolicyDocument": trust}),
            format!("arn:aws:iam::{ACCOUNT}:role/app/writer"),
        ),
        (
            "ListUsers",
            json!({}),
            format!("arn:aws:iam::{ACCOUNT}:user/"),
        ),
        (
            "ListRoles",
            json!({"PathPrefix": "/app/"}),
            format!("arn:aws:iam::{ACCOUNT}:role/app/"),
        ),
    ];
    for (op, req, resource) in cases {
        let e = call(&mut sb, &alice, Service::Iam, op, req).unwrap_err();
        assert_eq!(e.error_type, ErrorType::IamAccessDenied, "{op}: {e}");
        assert_eq!(e.message, denied_on(op, &resource), "{op}");
    }
    // ListRoles is decided on its path's ARN: a grant on the account's roles covers it.
    let grant = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "iam:ListRoles", "Resource": format!("arn:aws:iam::{ACCOUNT}:role/*")}]});
    iam(
        &mut sb,
        "PutUserPolicy",
        json!({"UserName": "alice", "PolicyName": "roles", "PolicyDocument": grant.to_string()}),
    );
    call(&mut sb, &alice, Service::Iam, "ListRoles", json!({})).unwrap();
}

/// An explicit Deny from a managed policy names the policy (real 2025-26 refusals, KMS's and
/// IAM's); one from an inline policy does not.
#[test]
fn an_explicit_deny_from_a_managed_policy_names_it() {
    let mut sb = sandbox();
    let bob = user(&mut sb, "bob");
    let (id, arn) = key_with_policy(&mut sb, json!([]));
    let deny = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "Action": ["kms:Encrypt", "iam:GetUser"], "Resource": "*"}]});
    let policy = iam(
        &mut sb,
        "CreatePolicy",
        json!({"PolicyName": "no-encrypt", "PolicyDocument": deny.to_string()}),
    )["Policy"]["Arn"]
        .as_str()
        .unwrap()
        .to_string();
    iam(
        &mut sb,
        "AttachUserPolicy",
        json!({"UserName": "bob", "PolicyArn": policy}),
    );
    let e = kms_err(
        &mut sb,
        &bob,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": "eA=="}),
    );
    denied(&e, &format!("User: arn:aws:iam::{ACCOUNT}:user/bob is not authorized to perform: kms:Encrypt on resource: {arn} with an explicit deny in an identity-based policy: arn:aws:iam::{ACCOUNT}:policy/no-encrypt"));
    let e = call(&mut sb, &bob, Service::Iam, "GetUser", json!({})).unwrap_err();
    assert_eq!(e.message, format!("User: arn:aws:iam::{ACCOUNT}:user/bob is not authorized to perform: iam:GetUser on resource: user bob with an explicit deny in an identity-based policy: {policy}"));
    // An inline Deny is not named.
    iam(
        &mut sb,
        "DetachUserPolicy",
        json!({"UserName": "bob", "PolicyArn": policy}),
    );
    iam(
        &mut sb,
        "PutUserPolicy",
        json!({"UserName": "bob", "PolicyName": "d", "PolicyDocument": deny.to_string()}),
    );
    let e = kms_err(
        &mut sb,
        &bob,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": "eA=="}),
    );
    denied(&e, &format!("User: arn:aws:iam::{ACCOUNT}:user/bob is not authorized to perform: kms:Encrypt on resource: {arn} with an explicit deny in an identity-based policy"));
}

#[test]
fn re_encrypt_is_decided_on_the_context_of_each_side() {
    let mut sb = sandbox();
    let dev = user(&mut sb, "dev");
    let (source, _) = key_with_policy(&mut sb, json!([]));
    let (dest, _) = key_with_policy(&mut sb, json!([]));
    let root = sb.root();
    let dev_arn = format!("arn:aws:iam::{ACCOUNT}:user/dev");
    // ReEncryptFrom only under the source context {a: 1}; ReEncryptTo only under {b: 2}.
    kms_ok(
        &mut sb,
        &root,
        "CreateGrant",
        json!({"KeyId": source, "GranteePrincipal": dev_arn, "Operations": ["ReEncryptFrom"],
            "Constraints": {"EncryptionContextEquals": {"a": "1"}}}),
    );
    kms_ok(
        &mut sb,
        &root,
        "CreateGrant",
        json!({"KeyId": dest, "GranteePrincipal": dev_arn, "Operations": ["ReEncryptTo"],
            "Constraints": {"EncryptionContextSubset": {"b": "2"}}}),
    );
    let ct = kms_ok(
        &mut sb,
        &root,
        "Encrypt",
        json!({"KeyId": source, "Plaintext": "eA==", "EncryptionContext": {"a": "1"}}),
    );
    let re = |dest_context: Value| {
        json!({"CiphertextBlob": ct["CiphertextBlob"], "SourceEncryptionContext": {"a": "1"},
            "DestinationKeyId": dest, "DestinationEncryptionContext": dest_context})
    };
    kms_ok(&mut sb, &dev, "ReEncrypt", re(json!({"b": "2", "c": "3"})));
    let e = kms_err(&mut sb, &dev, "ReEncrypt", re(json!({"b": "9"})));
    assert_eq!(e.error_type, ErrorType::AccessDenied, "{e}");
    assert!(e.message.contains("kms:ReEncryptTo"), "{e}");

    // A condition on the context of a ReEncrypt reads the side it decides: a Deny on the
    // source context's keys applies.
    allow_user(&mut sb, "dev", json!(["kms:ReEncrypt*"]));
    let deny = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny",
        "Action": "kms:ReEncrypt*", "Resource": "*",
        "Condition": {"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "secret"}}}]});
    iam(
        &mut sb,
        "PutUserPolicy",
        json!({"UserName": "dev", "PolicyName": "deny", "PolicyDocument": deny.to_string()}),
    );
    let secret = kms_ok(
        &mut sb,
        &root,
        "Encrypt",
        json!({"KeyId": dest, "Plaintext": "eA==", "EncryptionContext": {"secret": "x"}}),
    );
    let e = kms_err(
        &mut sb,
        &dev,
        "ReEncrypt",
        json!({"CiphertextBlob": secret["CiphertextBlob"], "SourceEncryptionContext": {"secret": "x"},
            "DestinationKeyId": dest}),
    );
    assert_eq!(e.error_type, ErrorType::AccessDenied, "{e}");
    assert!(e.message.contains("explicit deny"), "{e}");
}

#[test]
fn a_grant_made_through_a_constrained_grant_is_at_least_as_strict() {
    let mut sb = sandbox();
    let alice = user(&mut sb, "alice");
    let (id, _) = key_with_policy(&mut sb, json!([]));
    let root = sb.root();
    let alice_arn = format!("arn:aws:iam::{ACCOUNT}:user/alice");
    let bob_arn = format!("arn:aws:iam::{ACCOUNT}:user/bob");
    user(&mut sb, "bob");
    kms_ok(
        &mut sb,
        &root,
        "CreateGrant",
        json!({"KeyId": id, "GranteePrincipal": alice_arn, "Operations": ["Encrypt", "CreateGrant"],
            "Constraints": {"EncryptionContextSubset": {"dept": "it"}}}),
    );
    let child = |constraints: Value| json!({"KeyId": id, "GranteePrincipal": bob_arn, "Operations": ["Encrypt"], "Constraints": constraints});
    // Dropping the constraint, or changing its pairs, would widen the grant.
    for looser in [
        json!({}),
        json!({"EncryptionContextSubset": {"x": "1"}}),
        json!({"EncryptionContextEquals": {"x": "1"}}),
    ] {
        let e = kms_err(&mut sb, &alice, "CreateGrant", child(looser.clone()));
        assert_eq!(e.error_type, ErrorType::AccessDenied, "{looser}: {e}");
    }
    // Adding pairs, or turning the subset into equals that holds it, is stricter.
    for stricter in [
        json!({"EncryptionContextSubset": {"dept": "it"}}),
        json!({"EncryptionContextSubset": {"dept": "it", "team": "a"}}),
        json!({"EncryptionContextEquals": {"dept": "it", "team": "a"}}),
    ] {
        kms_ok(&mut sb, &alice, "CreateGrant", child(stricter));
    }

    // Under an EncryptionContextEquals constraint, only the same one.
    let (other, _) = key_with_policy(&mut sb, json!([]));
    kms_ok(
        &mut sb,
        &root,
        "CreateGrant",
        json!({"KeyId": other, "GranteePrincipal": alice_arn, "Operations": ["Encrypt", "CreateGrant"],
            "Constraints": {"EncryptionContextEquals": {"dept": "it"}}}),
    );
    let child = |constraints: Value| json!({"KeyId": other, "GranteePrincipal": bob_arn, "Operations": ["Encrypt"], "Constraints": constraints});
    for looser in [
        json!({"EncryptionContextSubset": {"dept": "it"}}),
        json!({"EncryptionContextEquals": {"dept": "it", "team": "a"}}),
    ] {
        let e = kms_err(&mut sb, &alice, "CreateGrant", child(looser.clone()));
        assert_eq!(e.error_type, ErrorType::AccessDenied, "{looser}: {e}");
    }
    kms_ok(
        &mut sb,
        &alice,
        "CreateGrant",
        child(json!({"EncryptionContextEquals": {"dept": "it"}})),
    );
}

#[test]
fn retire_grant_in_a_key_policy_lets_no_one_retire() {
    let mut sb = sandbox();
    let carol = user(&mut sb, "carol");
    user(&mut sb, "dave");
    let carol_arn = format!("arn:aws:iam::{ACCOUNT}:user/carol");
    let (id, arn) = key_with_policy(
        &mut sb,
        json!([{"Effect": "Allow", "Principal": {"AWS": carol_arn}, "Action": "kms:RetireGrant", "Resource": "*"}]),
    );
    let root = sb.root();
    let g = kms_ok(
        &mut sb,
        &root,
        "CreateGrant",
        json!({"KeyId": id, "GranteePrincipal": format!("arn:aws:iam::{ACCOUNT}:user/dave"),
            "Operations": ["Encrypt"]}),
    );
    let retire = json!({"KeyId": arn, "GrantId": g["GrantId"]});
    let e = kms_err(&mut sb, &carol, "RetireGrant", retire.clone());
    assert_eq!(e.error_type, ErrorType::AccessDenied, "{e}");
    // The account may delegate it in an IAM policy.
    allow_user(&mut sb, "carol", json!("kms:RetireGrant"));
    kms_ok(&mut sb, &carol, "RetireGrant", retire);
}

#[test]
fn create_key_with_tags_needs_tag_resource() {
    let mut sb = sandbox();
    let dev = user(&mut sb, "dev");
    allow_user(&mut sb, "dev", json!(["kms:CreateKey"]));
    kms_ok(&mut sb, &dev, "CreateKey", json!({}));
    let tagged = json!({"Tags": [{"TagKey": "team", "TagValue": "a"}]});
    let e = kms_err(&mut sb, &dev, "CreateKey", tagged.clone());
    // The key does not exist yet: AWS's message names no resource.
    denied(
        &e,
        &format!(
            "User: arn:aws:iam::{ACCOUNT}:user/dev is not authorized to perform: \
             kms:TagResource because no identity-based policy allows the kms:TagResource action"
        ),
    );
    allow_user(&mut sb, "dev", json!(["kms:CreateKey", "kms:TagResource"]));
    kms_ok(&mut sb, &dev, "CreateKey", tagged);
}

#[test]
fn only_the_grant_being_retired_decides_who_may_retire_it() {
    let mut sb = sandbox();
    let (alice, bob, carol) = (
        user(&mut sb, "alice"),
        user(&mut sb, "bob"),
        user(&mut sb, "carol"),
    );
    user(&mut sb, "dave");
    let (id, arn) = key_with_policy(&mut sb, json!([]));
    let root = sb.root();
    let principal = |name: &str| format!("arn:aws:iam::{ACCOUNT}:user/{name}");
    let mut grant = |grantee: &str, retiring: &str, operations: Value| {
        kms_ok(
            &mut sb,
            &root,
            "CreateGrant",
            json!({"KeyId": id, "GranteePrincipal": principal(grantee),
                "RetiringPrincipal": principal(retiring), "Operations": operations}),
        )
    };
    let g1 = grant("carol", "bob", json!(["Encrypt"]));
    let g2 = grant("alice", "alice", json!(["Encrypt"]));
    let g3 = grant("carol", "alice", json!(["Encrypt", "RetireGrant"]));
    let g4 = grant("dave", "alice", json!(["Encrypt"]));
    let by_id = |g: &Value| json!({"KeyId": arn, "GrantId": g["GrantId"]});
    // Unnamed grants list with an empty name, as grant-manage.md shows them.
    let listed = kms_ok(&mut sb, &root, "ListGrants", json!({"KeyId": id}));
    assert!(listed["Grants"]
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["Name"] == ""));
    // bob retires G1, whose retiring principal he is, but not G2 (grantee and retiring
    // principal alice), by token or by id.
    for req in [json!({"GrantToken": g2["GrantToken"]}), by_id(&g2)] {
        let e = kms_err(&mut sb, &bob, "RetireGrant", req);
        assert_eq!(e.error_type, ErrorType::AccessDenied, "{e}");
    }
    kms_ok(&mut sb, &bob, "RetireGrant", by_id(&g1));
    // carol's G3 allows RetireGrant: she retires G3, not dave's G4.
    let e = kms_err(&mut sb, &carol, "RetireGrant", by_id(&g4));
    assert_eq!(e.error_type, ErrorType::AccessDenied, "{e}");
    kms_ok(&mut sb, &carol, "RetireGrant", by_id(&g3));
    kms_ok(&mut sb, &alice, "RetireGrant", by_id(&g4));
    kms_ok(&mut sb, &alice, "RetireGrant", by_id(&g2));
}

#[test]
fn the_lockout_check_decides_the_next_put_key_policy_as_a_request() {
    let mut sb = sandbox();
    let root = sb.root();
    let key = kms_ok(&mut sb, &root, "CreateKey", json!({}));
    let id = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    // Conditions the check must evaluate as they would be for the caller's next request.
    for condition in [
        json!({"StringEquals": {"aws:PrincipalType": "Account"}}),
        json!({"Bool": {"aws:SecureTransport": "true"}}),
        json!({"StringEquals": {"kms:PolicyName": "default"}}),
    ] {
        let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "kms:*",
            "Resource": "*", "Condition": condition}]});
        kms_ok(
            &mut sb,
            &root,
            "PutKeyPolicy",
            json!({"KeyId": id, "Policy": policy.to_string()}),
        );
    }
    // A policy that would lock the caller out is still refused.
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "kms:*",
        "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalType": "User"}}}]});
    let e = kms_err(
        &mut sb,
        &root,
        "PutKeyPolicy",
        json!({"KeyId": id, "Policy": policy.to_string()}),
    );
    assert_eq!(
        (e.error_type, e.message.as_str()),
        (
            ErrorType::MalformedPolicyDocument,
            "The new key policy will not allow you to update the key policy in the future."
        )
    );
}

#[test]
fn list_retirable_grants_is_authorized_on_the_retiring_principal() {
    let mut sb = sandbox();
    let bob = user(&mut sb, "bob");
    let bob_arn = format!("arn:aws:iam::{ACCOUNT}:user/bob");
    let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "kms:ListRetirableGrants", "Resource": bob_arn}]});
    iam(
        &mut sb,
        "PutUserPolicy",
        json!({"UserName": "bob", "PolicyName": "p", "PolicyDocument": doc.to_string()}),
    );
    kms_ok(
        &mut sb,
        &bob,
        "ListRetirableGrants",
        json!({"RetiringPrincipal": bob_arn}),
    );
    let other = format!("arn:aws:iam::{ACCOUNT}:user/alice");
    let e = kms_err(
        &mut sb,
        &bob,
        "ListRetirableGrants",
        json!({"RetiringPrincipal": other}),
    );
    denied(
        &e,
        &format!(
            "User: {bob_arn} is not authorized to perform: kms:ListRetirableGrants on resource: \
             {other} because no identity-based policy allows the kms:ListRetirableGrants action"
        ),
    );
}

/// A key-only KeyId given an alias is refused by the operation (InvalidArnException) for any
/// caller: authorization names no key for it, so decides nothing on one.
#[test]
fn an_alias_for_a_key_only_key_id_is_refused_whoever_calls() {
    let mut sb = sandbox();
    let alice = user(&mut sb, "alice");
    let (id, _) = key_with_policy(&mut sb, json!([]));
    let root = sb.root();
    kms_ok(
        &mut sb,
        &root,
        "CreateAlias",
        json!({"AliasName": "alias/mine", "TargetKeyId": id}),
    );
    for caller in [&root, &alice] {
        for (op, req) in [
            ("GetKeyPolicy", json!({"KeyId": "alias/mine"})),
            ("DisableKey", json!({"KeyId": "alias/mine"})),
            (
                "RetireGrant",
                json!({"KeyId": format!("arn:aws:kms:{DEFAULT_REGION}:{ACCOUNT}:alias/mine"), "GrantId": "a".repeat(64)}),
            ),
            (
                "RetireGrant",
                json!({"KeyId": "alias/mine", "GrantId": "a".repeat(64)}),
            ),
        ] {
            let e = kms_err(&mut sb, caller, op, req);
            assert_eq!(
                (e.error_type, e.message.as_str()),
                (
                    ErrorType::InvalidArn,
                    "Key Aliases are not supported for this operation."
                ),
                "{op}"
            );
        }
    }
}

/// Puts (or replaces) the inline policy `name` of user `user`.
fn user_policy(sb: &mut Sandbox, user: &str, name: &str, statements: Value) {
    let doc = json!({"Version": "2012-10-17", "Statement": statements});
    iam(
        sb,
        "PutUserPolicy",
        json!({"UserName": user, "PolicyName": name, "PolicyDocument": doc.to_string()}),
    );
}

/// Each permission `op` needs and whether it is allowed, as the console's "Why?" decides it
/// (nothing runs).
fn decisions(sb: &Sandbox, caller: &Caller, op: &str, req: Value) -> Vec<(String, bool)> {
    let out = sb
        .engine
        .explain_access(&sb.region, op, &req, caller, sb.clock.now())
        .result
        .unwrap_or_else(|e| panic!("{op} {req}: {e}"));
    out.as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["Action"].as_str().unwrap().to_string(),
                d["Allowed"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn allowed(sb: &Sandbox, caller: &Caller, op: &str, req: Value) -> bool {
    let d = decisions(sb, caller, op, req);
    assert!(!d.is_empty(), "{op} needs no permission");
    d.iter().all(|(_, allowed)| *allowed)
}

fn iam_as(sb: &mut Sandbox, caller: &Caller, op: &str, req: Value) -> Result<Value, KmsError> {
    call(sb, caller, Service::Iam, op, req)
}

/// IAM's tags are `Key` and `Value`: `aws:RequestTag/*` and `aws:TagKeys` of CreateUser,
/// CreateRole, CreatePolicy and Tag*, `aws:TagKeys` of Untag* (their `TagKeys`); the user, role
/// or policy acted on gives `aws:ResourceTag/*` (and for users and roles `iam:ResourceTag/*`);
/// IAM requests are made in us-east-1 (`aws:RequestedRegion`).
#[test]
fn iam_requests_see_their_tags_the_resource_tags_and_us_east_1() {
    let mut sb = sandbox();
    let alice = user(&mut sb, "alice");
    user(&mut sb, "bob");
    user_policy(
        &mut sb,
        "alice",
        "tags",
        json!([
            {"Effect": "Allow", "Resource": "*",
             "Action": ["iam:CreateUser", "iam:CreateRole", "iam:CreatePolicy",
                        "iam:TagUser", "iam:TagRole", "iam:TagPolicy"],
             "Condition": {"StringEquals": {"aws:RequestTag/team": "blue",
                                            "aws:RequestedRegion": "us-east-1"}}},
            {"Effect": "Allow", "Resource": "*",
             "Action": ["iam:UntagUser", "iam:UntagRole", "iam:UntagPolicy"],
             "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": "temp"}}},
            {"Effect": "Allow", "Resource": "*",
             "Action": ["iam:GetUser", "iam:GetRole", "iam:GetPolicy"],
             "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}},
            {"Effect": "Allow", "Resource": "*", "Action": ["iam:ListUserTags", "iam:ListRoleTags"],
             "Condition": {"StringEquals": {"iam:ResourceTag/team": "blue"}}}
        ]),
    );
    let tags = |team: &str| json!([{"Key": "team", "Value": team}, {"Key": "temp", "Value": "x"}]);
    let denied_iam = |r: Result<Value, KmsError>, what: &str| {
        let e = r.expect_err(what);
        assert_eq!(e.error_type, ErrorType::IamAccessDenied, "{what}: {e}");
    };
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"}]})
    .to_string();
    let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "kms:DescribeKey", "Resource": "*"}]})
    .to_string();

    // Users.
    iam_as(
        &mut sb,
        &alice,
        "CreateUser",
        json!({"UserName": "u1", "Tags": tags("blue")}),
    )
    .unwrap();
    denied_iam(
        iam_as(
            &mut sb,
            &alice,
            "CreateUser",
            json!({"UserName": "u2", "Tags": tags("red")}),
        ),
        "red tags",
    );
    denied_iam(
        iam_as(&mut sb, &alice, "CreateUser", json!({"UserName": "u3"})),
        "no tags",
    );
    iam_as(
        &mut sb,
        &alice,
        "TagUser",
        json!({"UserName": "u1", "Tags": tags("blue")}),
    )
    .unwrap();
    iam_as(
        &mut sb,
        &alice,
        "UntagUser",
        json!({"UserName": "u1", "TagKeys": ["temp"]}),
    )
    .unwrap();
    denied_iam(
        iam_as(
            &mut sb,
            &alice,
            "UntagUser",
            json!({"UserName": "u1", "TagKeys": ["team"]}),
        ),
        "untag team",
    );
    iam_as(&mut sb, &alice, "GetUser", json!({"UserName": "u1"})).unwrap();
    iam_as(&mut sb, &alice, "ListUserTags", json!({"UserName": "u1"})).unwrap();
    denied_iam(
        iam_as(&mut sb, &alice, "GetUser", json!({"UserName": "bob"})),
        "untagged user",
    );

    // Roles.
    iam_as(
        &mut sb,
        &alice,
        "CreateRole",
        json!({"RoleName": "r1", "AssumeRolePolicyDocument": trust, "Tags": tags("blue")}),
    )
    .unwrap();
    denied_iam(
        iam_as(
            &mut sb,
            &alice,
            "CreateRole",
            json!({"RoleName": "r2", "AssumeRolePolicyDocument": trust, "Tags": tags("red")}),
        ),
        "red role",
    );
    iam_as(
        &mut sb,
        &alice,
        "TagRole",
        json!({"RoleName": "r1", "Tags": tags("blue")}),
    )
    .unwrap();
    iam_as(
        &mut sb,
        &alice,
        "UntagRole",
        json!({"RoleName": "r1", "TagKeys": ["temp"]}),
    )
    .unwrap();
    denied_iam(
        iam_as(
            &mut sb,
            &alice,
            "UntagRole",
            json!({"RoleName": "r1", "TagKeys": ["team"]}),
        ),
        "untag the role's team",
    );
    iam_as(&mut sb, &alice, "GetRole", json!({"RoleName": "r1"})).unwrap();
    iam_as(&mut sb, &alice, "ListRoleTags", json!({"RoleName": "r1"})).unwrap();

    // Managed policies.
    let p = iam_as(
        &mut sb,
        &alice,
        "CreatePolicy",
        json!({"PolicyName": "p1", "PolicyDocument": doc, "Tags": tags("blue")}),
    )
    .unwrap();
    let arn = p["Policy"]["Arn"].as_str().unwrap().to_string();
    denied_iam(
        iam_as(
            &mut sb,
            &alice,
            "CreatePolicy",
            json!({"PolicyName": "p2", "PolicyDocument": doc, "Tags": tags("red")}),
        ),
        "red policy",
    );
    iam_as(
        &mut sb,
        &alice,
        "TagPolicy",
        json!({"PolicyArn": arn, "Tags": tags("blue")}),
    )
    .unwrap();
    iam_as(
        &mut sb,
        &alice,
        "UntagPolicy",
        json!({"PolicyArn": arn, "TagKeys": ["temp"]}),
    )
    .unwrap();
    iam_as(&mut sb, &alice, "GetPolicy", json!({"PolicyArn": arn})).unwrap();
    iam(
        &mut sb,
        "UntagPolicy",
        json!({"PolicyArn": arn, "TagKeys": ["team"]}),
    );
    denied_iam(
        iam_as(&mut sb, &alice, "GetPolicy", json!({"PolicyArn": arn})),
        "untagged policy",
    );
}

/// In sts:AssumeRole the role is the resource: its tags are `aws:ResourceTag/*` to the
/// caller's identity policies; STS requests have `aws:RequestedRegion` too.
#[test]
fn assume_role_sees_the_role_tags_and_the_region() {
    let mut sb = sandbox();
    let dev = user(&mut sb, "dev");
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"}]})
    .to_string();
    let tagged = iam(
        &mut sb,
        "CreateRole",
        json!({"RoleName": "tagged", "AssumeRolePolicyDocument": trust,
               "Tags": [{"Key": "team", "Value": "blue"}]}),
    )["Role"]["Arn"]
        .as_str()
        .unwrap()
        .to_string();
    let plain = role(&mut sb, "plain", ACCOUNT);
    user_policy(
        &mut sb,
        "dev",
        "assume",
        json!([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*",
            "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue",
                                           "iam:ResourceTag/team": "blue",
                                           "aws:RequestedRegion": DEFAULT_REGION}}}]),
    );
    let assume = |sb: &mut Sandbox, role: &str| {
        call(
            sb,
            &dev,
            Service::Sts,
            "AssumeRole",
            json!({"RoleArn": role, "RoleSessionName": "s1"}),
        )
    };
    assume(&mut sb, &tagged).unwrap();
    let e = assume(&mut sb, &plain).unwrap_err();
    assert_eq!(e.error_type, ErrorType::IamAccessDenied, "{e}");
}

/// `kms:BypassPolicyLockoutSafetyCheck` is present only when the request has the parameter
/// (conditions-kms.md's `Null` example), in CreateKey and PutKeyPolicy; the lockout check
/// decides the next PutKeyPolicy as a request without it.
#[test]
fn bypass_policy_lockout_safety_check_is_present_only_when_the_request_has_it() {
    let mut sb = sandbox();
    let alice = user(&mut sb, "alice");
    let alice_arn = format!("arn:aws:iam::{ACCOUNT}:user/alice");
    user_policy(
        &mut sb,
        "alice",
        "create",
        json!([{"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*",
            "Condition": {"Null": {"kms:BypassPolicyLockoutSafetyCheck": true}}},
            {"Effect": "Deny", "Action": ["kms:CreateKey", "kms:PutKeyPolicy"], "Resource": "*",
            "Condition": {"Bool": {"kms:BypassPolicyLockoutSafetyCheck": true}}}]),
    );
    assert!(allowed(&sb, &alice, "CreateKey", json!({})));
    assert!(!allowed(
        &sb,
        &alice,
        "CreateKey",
        json!({"BypassPolicyLockoutSafetyCheck": false})
    ));
    assert!(!allowed(
        &sb,
        &alice,
        "CreateKey",
        json!({"BypassPolicyLockoutSafetyCheck": true})
    ));
    // The key policy lets alice change it only without the parameter.
    let statements = json!([{"Effect": "Allow", "Principal": {"AWS": alice_arn},
        "Action": "kms:PutKeyPolicy", "Resource": "*",
        "Condition": {"Null": {"kms:BypassPolicyLockoutSafetyCheck": true}}}]);
    let (id, _) = key_with_policy(&mut sb, statements.clone());
    let mut all = vec![
        json!({"Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "kms:*",
        "Resource": "*"}),
    ];
    all.extend(statements.as_array().unwrap().iter().cloned());
    let policy = json!({"Version": "2012-10-17", "Statement": all}).to_string();
    // The lockout check passes: the next PutKeyPolicy has no such parameter either.
    kms_ok(
        &mut sb,
        &alice,
        "PutKeyPolicy",
        json!({"KeyId": id, "Policy": policy}),
    );
    let e = kms_err(
        &mut sb,
        &alice,
        "PutKeyPolicy",
        json!({"KeyId": id, "Policy": policy, "BypassPolicyLockoutSafetyCheck": false}),
    );
    assert_eq!(e.error_type, ErrorType::AccessDenied, "{e}");
}

/// `kms:ExpirationModel` is ImportKeyMaterial's, present only when the request has
/// ExpirationModel; `kms:ValidTo` only with ValidTo, in Unix time with its fractional seconds.
#[test]
fn import_key_material_conditions_are_present_only_with_their_parameters() {
    let mut sb = sandbox();
    let dev = user(&mut sb, "dev");
    let root = sb.root();
    let key = kms_ok(&mut sb, &root, "CreateKey", json!({"Origin": "EXTERNAL"}));
    let id = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    let blob = "AAAA";
    let import = |extra: Value| {
        let mut req = json!({"KeyId": id, "ImportToken": blob, "EncryptedKeyMaterial": blob});
        for (k, v) in extra.as_object().unwrap() {
            req[k] = v.clone();
        }
        req
    };
    user_policy(
        &mut sb,
        "dev",
        "import",
        json!([{"Effect": "Allow", "Action": "kms:ImportKeyMaterial", "Resource": "*",
            "Condition": {"Null": {"kms:ExpirationModel": true},
                          "NumericLessThanEquals": {"kms:ValidTo": "1546257599"}}}]),
    );
    assert!(allowed(
        &sb,
        &dev,
        "ImportKeyMaterial",
        import(json!({"ValidTo": 1546257599}))
    ));
    // Half a second later than the policy allows.
    assert!(!allowed(
        &sb,
        &dev,
        "ImportKeyMaterial",
        import(json!({"ValidTo": 1546257599.5}))
    ));
    assert!(!allowed(
        &sb,
        &dev,
        "ImportKeyMaterial",
        import(json!({"ValidTo": 1546257599, "ExpirationModel": "KEY_MATERIAL_EXPIRES"}))
    ));
    user_policy(
        &mut sb,
        "dev",
        "import",
        json!([{"Effect": "Allow", "Action": "kms:ImportKeyMaterial", "Resource": "*",
            "Condition": {"StringEquals": {"kms:ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"},
                          "Null": {"kms:ValidTo": true}}}]),
    );
    assert!(allowed(
        &sb,
        &dev,
        "ImportKeyMaterial",
        import(json!({"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}))
    ));
    assert!(!allowed(&sb, &dev, "ImportKeyMaterial", import(json!({}))));
}

/// `aws:ResourceTag/*` and `kms:ResourceAliases` are for IAM policies only: a key policy's
/// condition on them never holds (tag-authorization.md, conditions-kms.md), while an IAM policy
/// on the same key sees them.
#[test]
fn resource_tags_and_aliases_are_for_iam_policies_only() {
    let mut sb = sandbox();
    let bob = user(&mut sb, "bob");
    let carol = user(&mut sb, "carol");
    let bob_arn = format!("arn:aws:iam::{ACCOUNT}:user/bob");
    let (id, _) = key_with_policy(
        &mut sb,
        json!([
            {"Effect": "Allow", "Principal": {"AWS": bob_arn}, "Action": "kms:Encrypt",
             "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}},
            {"Effect": "Allow", "Principal": {"AWS": bob_arn}, "Action": "kms:DescribeKey",
             "Resource": "*",
             "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/blue"}}},
            {"Effect": "Allow", "Principal": {"AWS": bob_arn}, "Action": "kms:GetKeyRotationStatus",
             "Resource": "*", "Condition": {"Null": {"aws:ResourceTag/team": true,
                                                    "kms:ResourceAliases": true}}}
        ]),
    );
    let root = sb.root();
    kms_ok(
        &mut sb,
        &root,
        "TagResource",
        json!({"KeyId": id, "Tags": [{"TagKey": "team", "TagValue": "blue"}]}),
    );
    kms_ok(
        &mut sb,
        &root,
        "CreateAlias",
        json!({"AliasName": "alias/blue", "TargetKeyId": id}),
    );
    let encrypt = json!({"KeyId": id, "Plaintext": "eA=="});
    assert!(!allowed(&sb, &bob, "Encrypt", encrypt.clone()));
    assert!(!allowed(&sb, &bob, "DescribeKey", json!({"KeyId": id})));
    assert!(allowed(
        &sb,
        &bob,
        "GetKeyRotationStatus",
        json!({"KeyId": id})
    ));
    // The same conditions in carol's IAM policy hold (the key policy delegates to IAM).
    user_policy(
        &mut sb,
        "carol",
        "abac",
        json!([{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*",
            "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"},
                          "ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/blue"}}}]),
    );
    assert!(allowed(&sb, &carol, "Encrypt", encrypt));
    // The lockout check decides the new key policy as a key policy too: a statement that lets
    // the account in only on the key's tag lets no one change it.
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "kms:*",
        "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}}]});
    let e = kms_err(
        &mut sb,
        &root,
        "PutKeyPolicy",
        json!({"KeyId": id, "Policy": policy.to_string()}),
    );
    assert_eq!(e.error_type, ErrorType::MalformedPolicyDocument, "{e}");
}

/// CreateKey's request context: `kms:MultiRegionKeyType` PRIMARY for a multi-Region key (none
/// otherwise); the deprecated CustomerMasterKeySpec gives `kms:KeySpec`; the deprecated
/// `kms:CustomerMasterKeySpec` and `kms:CustomerMasterKeyUsage` work as their new names do.
#[test]
fn create_key_context_follows_its_parameters() {
    let mut sb = sandbox();
    let dev = user(&mut sb, "dev");
    user_policy(
        &mut sb,
        "dev",
        "create",
        json!([{"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*",
            "Condition": {"StringEquals": {"kms:MultiRegionKeyType": "PRIMARY"}}}]),
    );
    assert!(allowed(
        &sb,
        &dev,
        "CreateKey",
        json!({"MultiRegion": true})
    ));
    assert!(!allowed(
        &sb,
        &dev,
        "CreateKey",
        json!({"MultiRegion": false})
    ));
    assert!(!allowed(&sb, &dev, "CreateKey", json!({})));
    user_policy(
        &mut sb,
        "dev",
        "create",
        json!([{"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*",
            "Condition": {"StringEquals": {"kms:KeySpec": "RSA_2048",
                                           "kms:CustomerMasterKeySpec": "RSA_2048",
                                           "kms:KeyUsage": "SIGN_VERIFY",
                                           "kms:CustomerMasterKeyUsage": "SIGN_VERIFY"}}}]),
    );
    for spec in ["KeySpec", "CustomerMasterKeySpec"] {
        assert!(
            allowed(
                &sb,
                &dev,
                "CreateKey",
                json!({spec: "RSA_2048", "KeyUsage": "SIGN_VERIFY"})
            ),
            "{spec}"
        );
        assert!(
            !allowed(
                &sb,
                &dev,
                "CreateKey",
                json!({spec: "RSA_4096", "KeyUsage": "SIGN_VERIFY"})
            ),
            "{spec}"
        );
    }
}

/// Global keys by their availability: `aws:PrincipalIsAWSService` and `aws:ViaAWSService` are
/// false in every direct call; a role session (temporary credentials) has
/// `aws:MultiFactorAuthPresent` false, `aws:TokenIssueTime`, and `aws:SourceIdentity` when it
/// set one; a user's long-term credentials have neither; CloudTrail has `aws:RequestedRegion`.
#[test]
fn global_keys_follow_their_availability() {
    let mut sb = sandbox();
    let dev = user(&mut sb, "dev");
    let dev_arn = format!("arn:aws:iam::{ACCOUNT}:user/dev");
    user_policy(
        &mut sb,
        "dev",
        "direct",
        json!([{"Effect": "Allow", "Action": ["kms:ListKeys", "kms:ListAliases"], "Resource": "*",
            "Condition": {"Bool": {"aws:ViaAWSService": false, "aws:PrincipalIsAWSService": false},
                          "Null": {"aws:MultiFactorAuthPresent": true, "aws:TokenIssueTime": true,
                                   "aws:SourceIdentity": true}}},
            {"Effect": "Allow", "Action": "cloudtrail:LookupEvents", "Resource": "*",
             "Condition": {"StringEquals": {"aws:RequestedRegion": DEFAULT_REGION}}}]),
    );
    kms_ok(&mut sb, &dev, "ListKeys", json!({}));
    call(
        &mut sb,
        &dev,
        Service::CloudTrail,
        "LookupEvents",
        json!({}),
    )
    .unwrap();

    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": dev_arn}, "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"]}]});
    iam(
        &mut sb,
        "CreateRole",
        json!({"RoleName": "reader", "AssumeRolePolicyDocument": trust.to_string()}),
    );
    let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "kms:ListKeys", "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": false, "aws:ViaAWSService": false,
                               "aws:PrincipalIsAWSService": false},
                      "StringEquals": {"aws:SourceIdentity": "dev-src"},
                      "DateLessThanEquals": {"aws:TokenIssueTime": "2025-01-01T00:00:00Z"}}}]});
    iam(
        &mut sb,
        "PutRolePolicy",
        json!({"RoleName": "reader", "PolicyName": "p", "PolicyDocument": doc.to_string()}),
    );
    let role_arn = format!("arn:aws:iam::{ACCOUNT}:role/reader");
    let session = |sb: &mut Sandbox, extra: Value| {
        let mut req = json!({"RoleArn": role_arn, "RoleSessionName": "s1"});
        for (k, v) in extra.as_object().unwrap() {
            req[k] = v.clone();
        }
        let out = call(sb, &dev, Service::Sts, "AssumeRole", req).unwrap();
        let key_id = out["Credentials"]["AccessKeyId"].as_str().unwrap();
        sb.engine
            .caller_for_access_key(key_id, sb.clock.now())
            .unwrap()
    };
    let with_source = session(&mut sb, json!({"SourceIdentity": "dev-src"}));
    let without = session(&mut sb, json!({}));
    kms_ok(&mut sb, &with_source, "ListKeys", json!({}));
    let e = kms_err(&mut sb, &without, "ListKeys", json!({}));
    assert_eq!(e.error_type, ErrorType::AccessDenied, "{e}");
    // Issued at the sandbox's clock: a second later is after the policy's date.
    sb.clock.set(sb.clock.now() + 1000);
    let later = session(&mut sb, json!({"SourceIdentity": "dev-src"}));
    let e = kms_err(&mut sb, &later, "ListKeys", json!({}));
    assert_eq!(e.error_type, ErrorType::AccessDenied, "{e}");
}

/// ReplicateKey: `kms:ReplicaRegion` limits only the kms:ReplicateKey permission; the
/// kms:CreateKey and kms:TagResource permissions are decided in the replica Region
/// (`aws:RequestedRegion`), kms:TagResource on the replica's tags.
#[test]
fn replicate_key_permissions_in_the_replica_region() {
    let mut sb = sandbox();
    let dev = user(&mut sb, "dev");
    let dev_arn = format!("arn:aws:iam::{ACCOUNT}:user/dev");
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
         "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": dev_arn}, "Action": "kms:ReplicateKey",
         "Resource": "*", "Condition": {"StringEquals": {"kms:ReplicaRegion": "us-east-1",
                                                         "aws:RequestedRegion": DEFAULT_REGION}}}]});
    let root = sb.root();
    let key = kms_ok(
        &mut sb,
        &root,
        "CreateKey",
        json!({"MultiRegion": true, "Policy": policy.to_string()}),
    );
    let id = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    user_policy(
        &mut sb,
        "dev",
        "replica",
        json!([{"Effect": "Allow", "Action": ["kms:CreateKey", "kms:TagResource"], "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"},
                          "Null": {"kms:ReplicaRegion": true}}},
            {"Effect": "Deny", "Action": "kms:TagResource", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:RequestTag/team": "blue"}}}]),
    );
    let replicate = |region: &str, team: &str| {
        json!({"KeyId": id, "ReplicaRegion": region,
               "Tags": [{"TagKey": "team", "TagValue": team}]})
    };
    assert_eq!(
        decisions(&sb, &dev, "ReplicateKey", replicate("us-east-1", "blue")),
        vec![
            ("kms:ReplicateKey".to_string(), true),
            ("kms:CreateKey".to_string(), true),
            ("kms:TagResource".to_string(), true),
        ]
    );
    assert_eq!(
        decisions(&sb, &dev, "ReplicateKey", replicate("us-east-1", "red")),
        vec![
            ("kms:ReplicateKey".to_string(), true),
            ("kms:CreateKey".to_string(), true),
            ("kms:TagResource".to_string(), false),
        ]
    );
    assert_eq!(
        decisions(&sb, &dev, "ReplicateKey", replicate("eu-west-3", "blue")),
        vec![
            ("kms:ReplicateKey".to_string(), false),
            ("kms:CreateKey".to_string(), false),
            ("kms:TagResource".to_string(), false),
        ]
    );
}

/// `kms:CallerAccount` is for KMS key resource operations and custom key store operations
/// (conditions-kms.md's table), not ListKeys; a CreateGrant with both constraint types has both
/// in `kms:GrantConstraintType`.
#[test]
fn caller_account_where_listed_and_both_grant_constraint_types() {
    let mut sb = sandbox();
    let dev = user(&mut sb, "dev");
    let dev_arn = format!("arn:aws:iam::{ACCOUNT}:user/dev");
    user_policy(
        &mut sb,
        "dev",
        "account",
        json!([{"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*",
                "Condition": {"Null": {"kms:CallerAccount": true}}},
               {"Effect": "Allow", "Action": ["kms:DescribeKey", "kms:DescribeCustomKeyStores"],
                "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": ACCOUNT}}}]),
    );
    assert!(allowed(&sb, &dev, "ListKeys", json!({})));
    assert!(allowed(&sb, &dev, "DescribeCustomKeyStores", json!({})));
    let (id, _) = key_with_policy(
        &mut sb,
        json!([{"Effect": "Allow", "Principal": {"AWS": dev_arn}, "Action": "kms:CreateGrant",
            "Resource": "*",
            "Condition": {"StringEquals": {"kms:GrantConstraintType": "EncryptionContextEquals"}}}]),
    );
    assert!(allowed(&sb, &dev, "DescribeKey", json!({"KeyId": id})));
    let grant = |constraints: Value| {
        json!({"KeyId": id, "GranteePrincipal": dev_arn, "Operations": ["Decrypt"],
               "Constraints": constraints})
    };
    assert!(allowed(
        &sb,
        &dev,
        "CreateGrant",
        grant(
            json!({"EncryptionContextEquals": {"a": "1"}, "EncryptionContextSubset": {"b": "2"}})
        )
    ));
    assert!(!allowed(
        &sb,
        &dev,
        "CreateGrant",
        grant(json!({"EncryptionContextSubset": {"b": "2"}}))
    ));
}

#[test]
fn the_keys_account_may_retire_any_grant_whatever_the_key_policy() {
    // "As a backup, the AWS account in which the grant was created can retire the grant", and
    // "The AWS account that owns the KMS key can delegate the kms:RetireGrant permission to an
    // IAM user in the account" (grant-manage.md); "The kms:RetireGrant permission is not
    // effective in a key policy".
    let mut sb = sandbox();
    let alice = user(&mut sb, "alice");
    let bob = user(&mut sb, "bob");
    let carol = user(&mut sb, "carol");
    user(&mut sb, "dave");
    // A key policy that names alice only: it neither allows nor delegates to the account.
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:user/alice")},
         "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:user/carol")},
         "Action": "kms:RetireGrant", "Resource": "*"}]});
    let root = sb.root();
    let k = kms_ok(
        &mut sb,
        &root,
        "CreateKey",
        json!({"Policy": policy.to_string(), "BypassPolicyLockoutSafetyCheck": true}),
    );
    let id = k["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    let mut grant = || {
        kms_ok(
            &mut sb,
            &alice,
            "CreateGrant",
            json!({"KeyId": id, "GranteePrincipal": format!("arn:aws:iam::{ACCOUNT}:user/dave"),
                "Operations": ["Encrypt"]}),
        )
    };
    let (g1, g2, g3) = (grant(), grant(), grant());
    // The key policy does not let the root user describe the key, but it may retire its grants.
    let e = kms_err(&mut sb, &root, "DescribeKey", json!({"KeyId": id}));
    assert_eq!(e.error_type, ErrorType::AccessDenied, "{e}");
    kms_ok(
        &mut sb,
        &root,
        "RetireGrant",
        json!({"KeyId": id, "GrantId": g1["GrantId"]}),
    );
    // An IAM user retires only with the permission delegated in an IAM policy.
    let by_id = |g: &Value| json!({"KeyId": id, "GrantId": g["GrantId"]});
    let e = kms_err(&mut sb, &bob, "RetireGrant", by_id(&g2));
    denied(
        &e,
        &format!(
            "User: arn:aws:iam::{ACCOUNT}:user/bob is not authorized to perform: \
             kms:RetireGrant on resource: {} because no identity-based policy allows the \
             kms:RetireGrant action",
            k["KeyMetadata"]["Arn"].as_str().unwrap()
        ),
    );
    allow_user(&mut sb, "bob", json!("kms:RetireGrant"));
    kms_ok(&mut sb, &bob, "RetireGrant", by_id(&g2));
    // A Deny still denies.
    allow_user(&mut sb, "carol", json!("kms:RetireGrant"));
    let e = kms_err(&mut sb, &carol, "RetireGrant", by_id(&g3));
    assert_eq!(e.error_type, ErrorType::AccessDenied, "{e}");
    assert!(e.message.contains("explicit deny"), "{e}");
}

#[test]
fn revoke_grant_on_an_aws_managed_key_follows_its_key_policy() {
    // The AWS managed key policy allows kms:RevokeGrant to the account (services-wm.md), so
    // IAM policies decide for IAM users.
    let mut sb = sandbox();
    let erin = user(&mut sb, "erin");
    let root = sb.root();
    let ebs = kms_ok(
        &mut sb,
        &root,
        "DescribeKey",
        json!({"KeyId": "alias/aws/ebs"}),
    );
    let arn = ebs["KeyMetadata"]["Arn"].as_str().unwrap().to_string();
    let revoke = json!({"KeyId": arn, "GrantId": "0".repeat(64)});
    let e = kms_err(&mut sb, &erin, "RevokeGrant", revoke.clone());
    denied(
        &e,
        &format!(
            "User: arn:aws:iam::{ACCOUNT}:user/erin is not authorized to perform: \
             kms:RevokeGrant on resource: {arn} because no identity-based policy allows the \
             kms:RevokeGrant action"
        ),
    );
    allow_user(&mut sb, "erin", json!("kms:RevokeGrant"));
    let e = kms_err(&mut sb, &erin, "RevokeGrant", revoke.clone());
    assert_eq!(e.error_type, ErrorType::NotFound, "{e}");
    let e = kms_err(&mut sb, &root, "RevokeGrant", revoke);
    assert_eq!(e.error_type, ErrorType::NotFound, "{e}");
}

#[test]
fn a_source_arn_constraint_keeps_a_grant_from_allowing_direct_calls() {
    // "The SourceArn constraint ensures that the principal can use the KMS key only when the
    // request is made on behalf of the specified resource" (the model's GrantConstraints); a
    // direct call is on behalf of none. It "does not apply to RetireGrant".
    let mut sb = sandbox();
    let carol = user(&mut sb, "carol");
    let carol_arn = format!("arn:aws:iam::{ACCOUNT}:user/carol");
    let (id, _) = key_with_policy(&mut sb, json!([]));
    let root = sb.root();
    let source = json!({"SourceArn": format!("arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-0123456789abcdef0")});
    let grant = |sb: &mut Sandbox, constraints: Option<&Value>| {
        let mut req = json!({"KeyId": id, "GranteePrincipal": carol_arn,
            "Operations": ["Encrypt", "DescribeKey", "CreateGrant", "RetireGrant"]});
        if let Some(c) = constraints {
            req["Constraints"] = c.clone();
        }
        kms_ok(sb, &root, "CreateGrant", req)
    };
    let constrained = grant(&mut sb, Some(&source));
    let encrypt = json!({"KeyId": id, "Plaintext": "eA=="});
    let child = json!({"KeyId": id, "GranteePrincipal": format!("arn:aws:iam::{ACCOUNT}:root"),
        "Operations": ["Encrypt"], "Constraints": source});
    for (op, req) in [
        ("Encrypt", encrypt.clone()),
        ("DescribeKey", json!({"KeyId": id})),
        ("CreateGrant", child.clone()),
    ] {
        let e = kms_err(&mut sb, &carol, op, req);
        assert_eq!(e.error_type, ErrorType::AccessDenied, "{op}: {e}");
    }
    kms_ok(
        &mut sb,
        &carol,
        "RetireGrant",
        json!({"GrantToken": constrained["GrantToken"]}),
    );
    // The same grant without the constraint allows them.
    let plain = grant(&mut sb, None);
    kms_ok(&mut sb, &carol, "Encrypt", encrypt);
    kms_ok(&mut sb, &carol, "DescribeKey", json!({"KeyId": id}));
    kms_ok(&mut sb, &carol, "CreateGrant", child);
    kms_ok(
        &mut sb,
        &carol,
        "RetireGrant",
        json!({"GrantToken": plain["GrantToken"]}),
    );
}

/// UpdatePrimaryRegion needs kms:UpdatePrimaryRegion "in both Regions": on the primary key and
/// on the replica that becomes primary, effective in the replica key Region
/// (multi-region-keys-auth.md).
#[test]
fn update_primary_region_needs_the_permission_on_the_replica_too() {
    let mut sb = sandbox();
    let dev = user(&mut sb, "dev");
    let dev_arn = format!("arn:aws:iam::{ACCOUNT}:user/dev");
    let root_statement = json!({"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "kms:*", "Resource": "*"});
    let with_dev = json!({"Version": "2012-10-17", "Statement": [root_statement,
        {"Effect": "Allow", "Principal": {"AWS": dev_arn}, "Action": "kms:UpdatePrimaryRegion",
         "Resource": "*"}]});
    let root = sb.root();
    let key = kms_ok(
        &mut sb,
        &root,
        "CreateKey",
        json!({"MultiRegion": true, "Policy": with_dev.to_string()}),
    );
    let id = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    // The replica's own policy does not name dev.
    let without_dev = json!({"Version": "2012-10-17", "Statement": [root_statement]});
    kms_ok(
        &mut sb,
        &root,
        "ReplicateKey",
        json!({"KeyId": id, "ReplicaRegion": "us-east-1", "Policy": without_dev.to_string()}),
    );
    let update = json!({"KeyId": id, "PrimaryRegion": "us-east-1"});
    assert_eq!(
        decisions(&sb, &dev, "UpdatePrimaryRegion", update.clone()),
        vec![
            ("kms:UpdatePrimaryRegion".to_string(), true),
            ("kms:UpdatePrimaryRegion".to_string(), false),
        ]
    );
    let e = kms_err(&mut sb, &dev, "UpdatePrimaryRegion", update.clone());
    assert_eq!(e.error_type, ErrorType::AccessDenied, "{e}");
    // An identity policy effective in the replica's Region is enough there (its key policy lets
    // IAM policies decide, through the account statement).
    user_policy(
        &mut sb,
        "dev",
        "replica",
        json!([{"Effect": "Allow", "Action": "kms:UpdatePrimaryRegion", "Resource": "*",
                "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}]),
    );
    kms_ok(&mut sb, &dev, "UpdatePrimaryRegion", update);
}
