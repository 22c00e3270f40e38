//! Policies and decisions end to end, mostly with the policies of the AWS KMS developer guide.

use super::*;
use crate::caller::{Caller, Identity};
use serde_json::json;

const A: &str = "111122223333";
const B: &str = "444455556666";
/// The Region of KEY, where the requests are made.
const REGION: &str = "us-west-2";
const KEY: &str = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const OTHER_KEY: &str =
    "arn:aws:kms:us-west-2:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321";

fn root(account: &str) -> Caller {
    Caller::root(account)
}

fn user_in(account: &str, path: &str, name: &str) -> Caller {
    Caller {
        identity: Identity::User {
            account_id: account.into(),
            name: name.into(),
            path: path.into(),
            user_id: format!("AIDA{}EXAMPLE", name.to_uppercase()),
        },
        access_key_id: None,
    }
}

fn user(name: &str) -> Caller {
    user_in(A, "/", name)
}

fn session_in(account: &str, path: &str, role: &str, session: &str) -> Caller {
    Caller {
        identity: Identity::AssumedRole {
            account_id: account.into(),
            role_name: role.into(),
            role_path: path.into(),
            role_id: format!("AROA{}EXAMPLE", role.to_uppercase()),
            session_name: session.into(),
        },
        access_key_id: None,
    }
}

fn session(role: &str, session: &str) -> Caller {
    session_in(A, "/", role, session)
}

fn key_policy(doc: serde_json::Value) -> Policy {
    Policy::parse(&doc.to_string(), PolicyKind::Resource).unwrap()
}

fn iam_policy(doc: serde_json::Value) -> Policy {
    Policy::parse(&doc.to_string(), PolicyKind::Identity).unwrap()
}

fn statements(statements: serde_json::Value) -> serde_json::Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// The context KMS would build for a caller (the keys this module's caller fills in).
fn ctx_for(caller: &Caller) -> Context {
    let mut ctx = Context::new();
    ctx.set("kms:CallerAccount", caller.account_id())
        .set("aws:PrincipalArn", caller.principal_arn(REGION))
        .set("aws:PrincipalAccount", caller.account_id())
        .set("aws:userid", caller.principal_id())
        .set("aws:PrincipalType", caller.principal_type());
    if let Some(name) = caller.user_name() {
        ctx.set("aws:username", name);
    }
    ctx
}

/// A decision, owned, with AWS's denial message.
#[derive(Debug)]
struct Outcome {
    allowed: bool,
    reason: Reason,
    statements: Vec<String>,
    message: String,
    shown: String,
}

fn run(
    action: &str,
    resource: &str,
    caller: &Caller,
    ctx: &Context,
    kp: Option<&Policy>,
    iam: &[&Policy],
    grant: Option<&str>,
) -> Outcome {
    let labelled: Vec<(String, &Policy)> = iam
        .iter()
        .enumerate()
        .map(|(i, p)| (format!("iam policy {}", i + 1), *p))
        .collect();
    let req = Request::new(action, resource, caller, REGION, ctx);
    let d = decide(&req, kp.map(|p| ("key policy", p)), &labelled, grant);
    assert_eq!(d.allowed, d.reason.is_allowed());
    Outcome {
        allowed: d.allowed,
        reason: d.reason,
        statements: d.statements.iter().map(|s| s.to_string()).collect(),
        message: d.denial_message(&req),
        shown: d.to_string(),
    }
}

/// `run` on KEY with the caller's usual context and no grant.
fn on_key(action: &str, caller: &Caller, kp: &Policy, iam: &[&Policy]) -> Outcome {
    run(action, KEY, caller, &ctx_for(caller), Some(kp), iam, None)
}

fn default_key_policy(account: &str) -> Policy {
    key_policy(json!({
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [{
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{account}:root")},
            "Action": "kms:*",
            "Resource": "*"
        }]
    }))
}

fn allow_all_kms_in_iam() -> Policy {
    iam_policy(statements(
        json!({"Effect": "Allow", "Action": "kms:*", "Resource": "*"}),
    ))
}

fn err(text: &str, kind: PolicyKind) -> PolicyError {
    Policy::parse(text, kind).unwrap_err()
}

fn err_json(doc: serde_json::Value, kind: PolicyKind) -> PolicyError {
    err(&doc.to_string(), kind)
}

// ---------------------------------------------------------------- parsing

#[test]
fn statement_forms_parse() {
    let p = key_policy(json!({
        "Version": "2012-10-17",
        "Id": "key-consolepolicy-3",
        "Statement": [
            {"Sid": "Everyone", "Effect": "Allow", "Principal": "*", "Action": "kms:Describe*",
             "Resource": "*"},
            {"Effect": "Deny", "Principal": {"AWS": "*"}, "NotAction": ["kms:Decrypt", "kms:Encrypt"],
             "NotResource": "arn:aws:kms:*:111122223333:key/*"},
            {"Sid": "Many kinds", "Effect": "Allow",
             "Principal": {
                 "AWS": ["111122223333", "arn:aws:iam::444455556666:root",
                         "arn:aws:iam::111122223333:user/dev/alice",
                         "arn:aws:iam::111122223333:role/app/Reader",
                         "arn:aws:sts::111122223333:assumed-role/Reader/s1",
                         "AIDAEXAMPLEEXAMPLE01"],
                 "Service": "ec2.amazonaws.com",
                 "Federated": "cognito-identity.amazonaws.com",
                 "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
             "Action": "kms:CreateGrant",
             "Condition": {"Bool": {"kms:GrantIsForAWSResource": true},
                           "NumericLessThan": {"kms:ValidTo": 1546257599},
                           "StringEquals": {"kms:ViaService": ["ec2.us-west-2.amazonaws.com",
                                                              "rds.us-west-2.amazonaws.com"]}}},
            {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"},
             "Action": "*", "Resource": "*"}
        ]
    }));
    assert_eq!(p.kind(), PolicyKind::Resource);
    assert_eq!(p.version(), Some("2012-10-17"));
    assert_eq!(p.id(), Some("key-consolepolicy-3"));
    let s = p.statements();
    assert_eq!(s.len(), 4);
    assert_eq!(s[0].sid(), Some("Everyone"));
    assert_eq!(s[0].label(), "\"Everyone\"");
    assert_eq!(s[1].label(), "#2");
    assert_eq!(s[1].effect(), Effect::Deny);
    assert!(s[0].principals().unwrap().entries()[0].is_any());
    assert!(
        s[1].principals().unwrap().entries()[0].is_any(),
        "{{\"AWS\": \"*\"}} is everyone"
    );
    assert!(s[1].is_not_action());
    assert_eq!(
        s[1].actions().collect::<Vec<_>>(),
        ["kms:Decrypt", "kms:Encrypt"]
    );
    assert!(s[1].is_not_resource());
    assert_eq!(s[2].resources().count(), 0, "Resource omitted");
    let principals = s[2].principals().unwrap().entries();
    assert_eq!(principals.len(), 9);
    assert_eq!(principals[0].account_id(), Some(A));
    assert_eq!(principals[1].account_id(), Some(B));
    assert_eq!(
        principals[2].as_str(),
        "arn:aws:iam::111122223333:user/dev/alice"
    );
    let service = principals
        .iter()
        .find(|p| p.kind() == PrincipalType::Service)
        .unwrap();
    assert_eq!(service.to_string(), "Service: ec2.amazonaws.com");
    assert_eq!(s[2].conditions().len(), 3);
    let bool_cond = s[2]
        .conditions()
        .iter()
        .find(|c| c.operator() == "Bool")
        .unwrap();
    assert_eq!(bool_cond.key(), "kms:GrantIsForAWSResource");
    assert_eq!(
        bool_cond.values().collect::<Vec<_>>(),
        ["true"],
        "JSON true reads as \"true\""
    );
    let num = s[2]
        .conditions()
        .iter()
        .find(|c| c.operator() == "NumericLessThan")
        .unwrap();
    assert_eq!(num.values().collect::<Vec<_>>(), ["1546257599"]);
    assert!(s[3].principals().unwrap().is_not_principal());
    assert_eq!(p.principals().count(), 12);

    // A single statement object; no Version (KMS accepts it, as 2008-10-17).
    let one = key_policy(json!({"Statement": {"Effect": "Allow", "Principal": "*",
                                              "Action": "kms:*", "Resource": "*"}}));
    assert_eq!(one.statements().len(), 1);
    assert_eq!(one.version(), None);
}

#[test]
fn key_policy_errors_in_kms_words() {
    let r = PolicyKind::Resource;
    let invalid = "Policy contains a statement with one or more invalid principals.";
    let stmt = |principal: serde_json::Value| {
        statements(
            json!({"Effect": "Allow", "Principal": principal, "Action": "kms:*",
                          "Resource": "*"}),
        )
    };
    for bad in [
        json!({"AWS": "arn:aws:iam::111122223333:user/*"}),
        json!({"AWS": "arn:aws:iam::111122223333:group/admins"}),
        json!({"AWS": "arn:aws:iam::1111:root"}),
        json!({"AWS": "bob"}),
        json!({"AWS": "arn:aws:iam:us-east-1:111122223333:root"}),
        json!({"AWS": "arn:aws:sts::111122223333:assumed-role/OnlyRole"}),
        json!({"AWS": []}),
        json!({"AWS": 111122223333u64}),
        json!({"Nobody": "x"}),
        json!({}),
        json!("someone"),
        json!(["*"]),
    ] {
        let e = err_json(stmt(bad.clone()), r);
        assert_eq!(e.message, invalid, "{bad}");
        assert!(!e.detail.is_empty());
    }
    let e = err_json(
        statements(json!({"Effect": "Allow", "Action": "kms:*", "Resource": "*"})),
        r,
    );
    assert_eq!(
        e.message, invalid,
        "a key policy statement needs a principal"
    );

    let syntax = "Syntax errors in policy.";
    assert_eq!(err("not json", r).message, syntax);
    assert!(err("not json", r).detail.contains("not valid JSON"));
    assert_eq!(err("[]", r).message, syntax);
    assert_eq!(
        err_json(json!({"Version": "2012-10-17"}), r).message,
        syntax
    );
    assert_eq!(
        err_json(json!({"Version": "2012-10-17", "Statement": []}), r).message,
        syntax
    );
    assert_eq!(err_json(json!({"Statement": ["x"]}), r).message, syntax);
    let e = err_json(
        json!({"Version": "2012-10-17", "Extra": 1,
               "Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*"}}),
        r,
    );
    assert_eq!(e.message, syntax);
    assert!(e.detail.contains("\"Extra\""), "{}", e.detail);
    let base = |extra: serde_json::Value| {
        let mut s = json!({"Effect": "Allow", "Principal": "*", "Action": "kms:*",
                           "Resource": "*"});
        for (k, v) in extra.as_object().unwrap() {
            s[k] = v.clone();
        }
        statements(s)
    };
    for bad in [
        json!({"Extra field": "value"}),
        json!({"NotAction": "kms:Decrypt"}),
        json!({"NotResource": "*"}),
        json!({"NotPrincipal": "*"}),
        json!({"Effect": "Maybe"}),
        json!({"Effect": true}),
        json!({"Sid": 1}),
        json!({"Action": {"a": "b"}}),
        json!({"Action": [["kms:Decrypt"]]}),
        json!({"Resource": ["*", {}]}),
        json!({"Condition": []}),
        json!({"Condition": {"StringEquals": "x"}}),
        json!({"Condition": {"StringEquals": {}}}),
        json!({"Condition": {"StringEquals": {"kms:ViaService": []}}}),
        json!({"Condition": {"StringEquals": {"kms:ViaService": null}}}),
        json!({"Condition": {"StringEquals": {"kms:ViaService": {"a": 1}}}}),
        json!({"Condition": {"StringEqualz": {"kms:ViaService": "x"}}}),
        json!({"Condition": {"NullIfExists": {"kms:ViaService": "true"}}}),
        json!({"Condition": {"NumericLessThan": {"kms:ValidTo": "soon"}}}),
        json!({"Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.300"}}}),
    ] {
        assert_eq!(err_json(base(bad.clone()), r).message, syntax, "{bad}");
    }
    // An unknown version is a syntax error; 2008-10-17 is fine for KMS.
    let mut doc = base(json!({}));
    doc["Version"] = json!("2013-10-17");
    assert_eq!(err_json(doc.clone(), r).message, syntax);
    doc["Version"] = json!("2008-10-17");
    assert!(Policy::parse(&doc.to_string(), r).is_ok());
    // Effect in the wrong case, and dates IAM cannot read, fail "legacy parsing".
    let legacy = "The policy failed legacy parsing";
    assert_eq!(
        err_json(base(json!({"Effect": "allow"})), r).message,
        legacy
    );
    assert_eq!(
        err_json(
            base(json!({"Condition": {"DateLessThan": {"aws:CurrentTime": "someday"}}})),
            r
        )
        .message,
        legacy
    );
    // Sids: spaces are fine in a key policy; duplicates are not.
    let dup = statements(json!([
        {"Sid": "Same one", "Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"},
        {"Sid": "Same one", "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"}
    ]));
    let e = err_json(dup, r);
    assert_eq!(
        e.message,
        "Statement IDs (SID) in a single policy must be unique."
    );
    assert!(e.detail.contains("statements 1 and 2"), "{}", e.detail);
    // Characters a key policy may not hold.
    let e = err(
        &statements(
            json!({"Sid": "\u{2603}", "Effect": "Allow", "Principal": "*",
                           "Action": "kms:*", "Resource": "*"}),
        )
        .to_string(),
        r,
    );
    assert_eq!(e.message, syntax);
    assert!(e.detail.contains("U+2603"));
    assert!(Policy::parse(
        &statements(
            json!({"Sid": "Zürich café", "Effect": "Allow", "Principal": "*",
                           "Action": "kms:*", "Resource": "*"})
        )
        .to_string(),
        r
    )
    .is_ok());
    // Actions need a service prefix.
    assert_eq!(
        err_json(base(json!({"Action": "Decrypt"})), r).message,
        "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
    );
    assert_eq!(
        err_json(base(json!({"Action": "kms:De:crypt"})), r).message,
        "Actions/Condition can contain only one colon."
    );
    assert_eq!(
        err_json(base(json!({"Action": "a a:Get"})), r).message,
        "Vendor a a is not valid"
    );
    // ForAllValues with a single-valued key KMS knows to be risky (conditions-kms.md).
    let e = err_json(
        base(json!({"Condition": {"ForAllValues:StringEquals":
                                  {"kms:EncryptionContext:Department": "IT"}}})),
        r,
    );
    assert_eq!(
        e.message,
        "OverlyPermissiveCondition:EncryptionContext: Using the ForAllValues set operator with a \
         single-valued condition key matches requests without the specified encryption context \
         or with an unspecified encryption context. To fix, remove ForAllValues."
    );
    let e = err_json(
        base(json!({"Condition": {"ForAllValues:StringLike": {"aws:RequestTag/Project": "A*"}}})),
        r,
    );
    assert!(
        e.message.starts_with("OverlyPermissiveCondition: "),
        "{}",
        e.message
    );
    assert!(Policy::parse(
        &base(json!({"Condition": {"ForAnyValue:StringEquals":
                                   {"kms:EncryptionContext:Department": "IT"}}}))
        .to_string(),
        r
    )
    .is_ok());
    // Display shows both message and detail.
    let shown = err_json(base(json!({"Effect": "Maybe"})), r).to_string();
    assert!(shown.starts_with("Syntax errors in policy. (statement 1: Effect is \"Maybe\""));
}

#[test]
fn identity_policy_errors_in_iam_words() {
    let i = PolicyKind::Identity;
    let ok = json!({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY});
    assert!(Policy::parse(&statements(ok.clone()).to_string(), i).is_ok());
    let with = |k: &str, v: serde_json::Value| {
        let mut s = ok.clone();
        s[k] = v;
        statements(s)
    };
    let without = |k: &str| {
        let mut s = ok.clone();
        s.as_object_mut().unwrap().remove(k);
        statements(s)
    };
    assert_eq!(
        err_json(with("Principal", json!("*")), i).message,
        "Policy document should not specify a principal."
    );
    assert_eq!(
        err_json(with("NotPrincipal", json!({"AWS": "*"})), i).message,
        "Policy document should not specify a principal."
    );
    assert_eq!(
        err_json(without("Resource"), i).message,
        "Policy statement must contain resources."
    );
    assert_eq!(
        err_json(with("Resource", json!([])), i).message,
        "Policy statement must contain resources."
    );
    assert_eq!(
        err_json(without("Action"), i).message,
        "Policy statement must contain actions."
    );
    assert_eq!(
        err_json(with("Action", json!([])), i).message,
        "Policy statement must contain actions."
    );
    assert_eq!(
        err_json(without("Effect"), i).message,
        "Syntax errors in policy."
    );
    assert_eq!(
        err_json(json!({"Statement": ok.clone()}), i).message,
        "Policy document must be version 2012-10-17 or greater."
    );
    assert_eq!(
        err_json(json!({"Version": "2008-10-17", "Statement": ok.clone()}), i).message,
        "Policy document must be version 2012-10-17 or greater."
    );
    assert_eq!(
        err_json(with("Sid", json!("has space")), i).message,
        "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the \
         regular expression [0-9A-Za-z]*"
    );
    assert_eq!(
        err_json(with("Resource", json!("invalid resource")), i).message,
        "Resource invalid resource must be in ARN format or \"*\"."
    );
    assert_eq!(
        err_json(with("Resource", json!("a:b:c:d:e:f:g:h")), i).message,
        "Partition \"b\" is not valid for resource \"arn:b:c:d:e:f:g:h\"."
    );
    assert_eq!(
        err_json(with("Resource", json!("arn:aws")), i).message,
        "Resource vendor must be fully qualified and cannot contain regexes."
    );
    assert_eq!(
        err_json(with("Resource", json!("arn:aws:s3::example_bucket")), i).message,
        "The policy failed legacy parsing"
    );
    assert_eq!(
        err_json(with("Effect", json!("denY")), i).message,
        "The policy failed legacy parsing"
    );
    // IAM reports the earliest stage: syntax before version, version before legacy parsing,
    // legacy parsing before a missing Resource, Sids before actions.
    let e = err_json(json!({"Extra": 1, "Statement": ok.clone()}), i);
    assert_eq!(e.message, "Syntax errors in policy.");
    let e = err_json(
        json!({"Statement": {"Effect": "allow", "Action": "kms:Decrypt"}}),
        i,
    );
    assert_eq!(
        e.message,
        "Policy document must be version 2012-10-17 or greater."
    );
    let e = err_json(
        statements(json!({"Effect": "allow", "Action": "kms:Decrypt"})),
        i,
    );
    assert_eq!(e.message, "The policy failed legacy parsing");
    let e = err_json(
        statements(json!([
            {"Sid": "a", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"},
            {"Sid": "a", "Effect": "Allow"}
        ])),
        i,
    );
    assert_eq!(
        e.message,
        "Statement IDs (SID) in a single policy must be unique."
    );
    let e = err_json(
        statements(json!([
            {"Effect": "Deny"},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}
        ])),
        i,
    );
    assert_eq!(e.message, "Policy statement must contain actions.");
}

#[test]
fn trust_policies() {
    let t = PolicyKind::Trust;
    let doc = statements(json!({
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:user/bob"},
        "Action": "sts:AssumeRole"
    }));
    let trust = Policy::parse(&doc.to_string(), t).unwrap();
    let role = "arn:aws:iam::111122223333:role/Engineering";
    let bob = user("bob");
    let d = run(
        "sts:AssumeRole",
        role,
        &bob,
        &ctx_for(&bob),
        Some(&trust),
        &[],
        None,
    );
    assert!(d.allowed, "no Resource: the statement is about the role");
    assert_eq!(d.reason, Reason::AllowedByResourcePolicy);
    let carol = user("carol");
    let d = run(
        "sts:AssumeRole",
        role,
        &carol,
        &ctx_for(&carol),
        Some(&trust),
        &[],
        None,
    );
    assert_eq!(d.reason, Reason::NoResourcePolicyAllows);

    let mut with_resource = doc.clone();
    with_resource["Statement"]["Resource"] = json!("*");
    assert_eq!(
        err_json(with_resource, t).message,
        "Has prohibited field Resource"
    );
    let mut no_principal = doc.clone();
    no_principal["Statement"]
        .as_object_mut()
        .unwrap()
        .remove("Principal");
    assert_eq!(
        err_json(no_principal, t).message,
        "Missing required field Principal"
    );
    let mut bad = doc;
    bad["Statement"]["Principal"] = json!({"AWS": "arn:aws:iam::111122223333:user/*"});
    assert_eq!(
        err_json(bad, t).message,
        "Invalid principal in policy: \"AWS\":\"arn:aws:iam::111122223333:user/*\""
    );
}

// ---------------------------------------------------------------- decisions

#[test]
fn default_key_policy_delegates_to_iam() {
    let kp = default_key_policy(A);
    // The root user needs nothing more than the account statement.
    let d = on_key("kms:ScheduleKeyDeletion", &root(A), &kp, &[]);
    assert!(d.allowed);
    assert_eq!(d.reason, Reason::AllowedAsRoot);
    assert_eq!(d.statements.len(), 1);
    assert!(
        d.statements[0].contains("\"Enable IAM User Permissions\": Allow"),
        "{:?}",
        d.statements
    );
    // A user needs an IAM policy (key-policy-default.md; policy-evaluation.md example 1).
    let alice = user("alice");
    let d = on_key("kms:Decrypt", &alice, &kp, &[]);
    assert!(!d.allowed);
    assert_eq!(d.reason, Reason::NoIdentityPolicyAllows);
    assert_eq!(
        d.message,
        format!(
            "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: \
             kms:Decrypt on resource: {KEY} because no identity-based policy allows the \
             kms:Decrypt action"
        )
    );
    assert_eq!(
        d.statements.len(),
        1,
        "the delegation that no IAM policy used"
    );
    let d = on_key("kms:Decrypt", &alice, &kp, &[&allow_all_kms_in_iam()]);
    assert!(d.allowed);
    assert_eq!(d.reason, Reason::AllowedByIdentityPolicy);
    assert_eq!(d.statements.len(), 2, "{:?}", d.statements);
    assert!(d
        .shown
        .starts_with("Allowed: an identity-based policy allows the request"));
    assert!(d.shown.contains("key policy (resource-based policy), statement \"Enable IAM User Permissions\": Allow, to the caller's account"), "{}", d.shown);
    assert!(
        d.shown
            .contains("iam policy 1 (identity-based policy), statement #1: Allow"),
        "{}",
        d.shown
    );
    // An IAM policy for another key does not help.
    let other = iam_policy(statements(
        json!({"Effect": "Allow", "Action": "kms:Decrypt",
                                             "Resource": OTHER_KEY}),
    ));
    assert_eq!(
        on_key("kms:Decrypt", &alice, &kp, &[&other]).reason,
        Reason::NoIdentityPolicyAllows
    );
    // A role session too.
    let s = session("app", "s1");
    assert!(!on_key("kms:Encrypt", &s, &kp, &[]).allowed);
    assert!(on_key("kms:Encrypt", &s, &kp, &[&allow_all_kms_in_iam()]).allowed);
}

#[test]
fn key_policy_naming_a_user_directly() {
    let kp = key_policy(statements(json!({
        "Sid": "Describe the policy statement",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:user/Alice"},
        "Action": "kms:DescribeKey",
        "Resource": "*",
        "Condition": {"StringEquals": {"kms:KeySpec": "SYMMETRIC_DEFAULT"}}
    })));
    let alice = user("Alice");
    let mut ctx = ctx_for(&alice);
    ctx.set("kms:KeySpec", "SYMMETRIC_DEFAULT");
    let d = run("kms:DescribeKey", KEY, &alice, &ctx, Some(&kp), &[], None);
    assert!(d.allowed, "no IAM policy needed");
    assert_eq!(d.reason, Reason::AllowedByResourcePolicy);
    assert_eq!(d.statements.len(), 1);
    // Not for another action, another key spec, another user, or the root user (the policy does
    // not allow the account).
    assert_eq!(
        run("kms:Decrypt", KEY, &alice, &ctx, Some(&kp), &[], None).reason,
        Reason::NoResourcePolicyAllows
    );
    ctx.set("kms:KeySpec", "RSA_2048");
    assert!(!run("kms:DescribeKey", KEY, &alice, &ctx, Some(&kp), &[], None).allowed);
    let bob = user("bob");
    let d = on_key("kms:DescribeKey", &bob, &kp, &[&allow_all_kms_in_iam()]);
    assert_eq!(
        d.reason,
        Reason::NoResourcePolicyAllows,
        "IAM alone cannot allow"
    );
    assert_eq!(
        d.message,
        format!(
            "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: \
             kms:DescribeKey on resource: {KEY} because no resource-based policy allows the \
             kms:DescribeKey action"
        )
    );
    assert!(
        d.statements[0].contains("iam policy 1"),
        "the IAM allow that had no effect"
    );
    let d = on_key("kms:DescribeKey", &root(A), &kp, &[]);
    assert_eq!(
        d.reason,
        Reason::NoResourcePolicyAllows,
        "root too needs the key policy"
    );
    assert!(d
        .message
        .starts_with("User: arn:aws:iam::111122223333:root is not authorized"));
    // A user's path is part of its ARN.
    let pathed = key_policy(statements(json!({"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:user/dev/alice"},
        "Action": "kms:*", "Resource": "*"})));
    assert!(on_key("kms:Decrypt", &user_in(A, "/dev/", "alice"), &pathed, &[]).allowed);
    assert!(!on_key("kms:Decrypt", &user("alice"), &pathed, &[]).allowed);
    assert!(!on_key("kms:Decrypt", &user_in(A, "/ops/", "alice"), &pathed, &[]).allowed);
    // A unique id names the user it was (KMS shows deleted principals so).
    let by_id = key_policy(statements(json!({"Effect": "Allow",
        "Principal": {"AWS": "AIDAALICEEXAMPLE"}, "Action": "kms:*", "Resource": "*"})));
    assert!(on_key("kms:Decrypt", &user("alice"), &by_id, &[]).allowed);
    assert!(!on_key("kms:Decrypt", &user("bob"), &by_id, &[]).allowed);
}

#[test]
fn role_arns_match_their_sessions() {
    let kp = key_policy(statements(json!([
        {"Sid": "Role", "Effect": "Allow",
         "Principal": {"AWS": "arn:aws:iam::111122223333:role/app/EncryptionApp"},
         "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"},
        {"Sid": "Session", "Effect": "Allow",
         "Principal": {"AWS": "arn:aws:sts::111122223333:assumed-role/Auditor/jane"},
         "Action": "kms:DescribeKey", "Resource": "*"}
    ])));
    let s1 = session_in(A, "/app/", "EncryptionApp", "s1");
    let s2 = session_in(A, "/app/", "EncryptionApp", "s2");
    assert_eq!(
        on_key("kms:Encrypt", &s1, &kp, &[]).reason,
        Reason::AllowedByResourcePolicy
    );
    assert!(
        on_key("kms:Decrypt", &s2, &kp, &[]).allowed,
        "every session of the role"
    );
    assert!(
        !on_key("kms:Encrypt", &session("EncryptionApp", "s1"), &kp, &[]).allowed,
        "path"
    );
    assert!(
        !on_key("kms:Encrypt", &user("EncryptionApp"), &kp, &[]).allowed,
        "a user of that name"
    );
    let jane = session("Auditor", "jane");
    assert!(
        on_key("kms:DescribeKey", &jane, &kp, &[]).allowed,
        "that session"
    );
    assert!(!on_key("kms:DescribeKey", &session("Auditor", "joe"), &kp, &[]).allowed);
    assert!(!on_key("kms:Encrypt", &jane, &kp, &[]).allowed);
    // A role's unique id names its sessions.
    let by_id = key_policy(statements(json!({"Effect": "Allow",
        "Principal": {"AWS": "AROAAUDITOREXAMPLE"}, "Action": "kms:*", "Resource": "*"})));
    assert!(on_key("kms:Decrypt", &jane, &by_id, &[]).allowed);
}

#[test]
fn principals_of_other_accounts_never_match() {
    let kp = key_policy(statements(json!({
        "Effect": "Allow",
        "Principal": {"AWS": ["arn:aws:iam::444455556666:root",
                              "arn:aws:iam::444455556666:user/alice",
                              "arn:aws:iam::444455556666:role/app",
                              "arn:aws:sts::444455556666:assumed-role/app/s1",
                              "444455556666"],
                      "Service": "ec2.amazonaws.com"},
        "Action": "kms:*", "Resource": "*"
    })));
    for caller in [root(A), user("alice"), session("app", "s1")] {
        let d = on_key("kms:Decrypt", &caller, &kp, &[&allow_all_kms_in_iam()]);
        assert_eq!(d.reason, Reason::NoResourcePolicyAllows, "{caller:?}");
    }
}

#[test]
fn cross_account_needs_both_policies() {
    // policy-evaluation.md, example 2, from the key's side (the key in account A this time).
    let kp = key_policy(statements(json!([
        {"Sid": "Permission to use IAM policies", "Effect": "Allow",
         "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "Allow account 2 to use this KMS key", "Effect": "Allow",
         "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo",
                    "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
                    "kms:DescribeKey"],
         "Resource": "*"}
    ])));
    let engineering = session_in(B, "/", "Engineering", "bob");
    let iam_b = iam_policy(statements(json!({"Effect": "Allow",
        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], "Resource": [KEY]})));
    let d = on_key("kms:Decrypt", &engineering, &kp, &[&iam_b]);
    assert!(d.allowed);
    assert_eq!(d.reason, Reason::AllowedByIdentityPolicy);
    assert_eq!(d.statements.len(), 2);
    let d = on_key("kms:Decrypt", &engineering, &kp, &[]);
    assert_eq!(d.reason, Reason::NoIdentityPolicyAllows);
    // The IAM policy cannot go beyond the key policy.
    let iam_all = allow_all_kms_in_iam();
    assert_eq!(
        on_key("kms:ScheduleKeyDeletion", &engineering, &kp, &[&iam_all]).reason,
        Reason::NoResourcePolicyAllows
    );
    // The other account's root needs no IAM policy of its own.
    assert_eq!(
        on_key("kms:Encrypt", &root(B), &kp, &[]).reason,
        Reason::AllowedAsRoot
    );
    // A key policy naming an external user directly still needs that user's IAM policy.
    let named = key_policy(statements(json!({"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::444455556666:user/ExampleUser"},
        "Action": "kms:Decrypt", "Resource": "*"})));
    let ext = user_in(B, "/", "ExampleUser");
    assert_eq!(
        on_key("kms:Decrypt", &ext, &named, &[]).reason,
        Reason::NoIdentityPolicyAllows
    );
    assert!(on_key("kms:Decrypt", &ext, &named, &[&iam_all]).allowed);
    // A grant suffices, as for anyone.
    let d = run(
        "kms:Decrypt",
        KEY,
        &ext,
        &ctx_for(&ext),
        Some(&named),
        &[],
        Some("g-1"),
    );
    assert_eq!(d.reason, Reason::AllowedByGrant);
}

#[test]
fn explicit_deny_wins() {
    let kp = key_policy(statements(json!([
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
         "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "Alice", "Effect": "Allow",
         "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "No deletion", "Effect": "Deny", "Principal": {"AWS": "*"},
         "Action": "kms:ScheduleKeyDeletion", "Resource": "*"}
    ])));
    let alice = user("alice");
    let d = on_key("kms:ScheduleKeyDeletion", &alice, &kp, &[]);
    assert!(!d.allowed);
    assert_eq!(d.reason, Reason::ExplicitDenyInResourcePolicy);
    assert_eq!(d.statements.len(), 1);
    assert!(d.statements[0].contains("\"No deletion\": Deny"));
    assert_eq!(
        d.message,
        format!(
            "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: \
             kms:ScheduleKeyDeletion on resource: {KEY} with an explicit deny in a \
             resource-based policy"
        )
    );
    // The root user can be denied by a key policy too.
    assert_eq!(
        on_key("kms:ScheduleKeyDeletion", &root(A), &kp, &[]).reason,
        Reason::ExplicitDenyInResourcePolicy
    );
    // A deny in an IAM policy beats a key policy that names the user directly.
    let deny_decrypt = iam_policy(statements(
        json!({"Effect": "Deny", "Action": "kms:Decrypt",
                                                    "Resource": "*"}),
    ));
    let d = on_key("kms:Decrypt", &alice, &kp, &[&deny_decrypt]);
    assert_eq!(d.reason, Reason::ExplicitDenyInIdentityPolicy);
    assert!(d
        .message
        .ends_with(" with an explicit deny in an identity-based policy"));
    // ...and a grant.
    let d = run(
        "kms:Decrypt",
        KEY,
        &alice,
        &ctx_for(&alice),
        Some(&kp),
        &[&deny_decrypt],
        Some("g"),
    );
    assert_eq!(d.reason, Reason::ExplicitDenyInIdentityPolicy);
    // With denies on both sides, the identity-based one is reported; both are listed.
    let d = on_key(
        "kms:ScheduleKeyDeletion",
        &alice,
        &kp,
        &[&iam_policy(statements(json!(
        {"Effect": "Deny", "Action": "kms:*", "Resource": "*"})))],
    );
    assert_eq!(d.reason, Reason::ExplicitDenyInIdentityPolicy);
    assert_eq!(d.statements.len(), 2);
    // A deny among several IAM policies, allows in others.
    let d = on_key(
        "kms:Decrypt",
        &user("bob"),
        &kp,
        &[&allow_all_kms_in_iam(), &deny_decrypt],
    );
    assert_eq!(d.reason, Reason::ExplicitDenyInIdentityPolicy);
    assert!(d.statements[0].starts_with("iam policy 2 (identity-based policy), statement #1: Deny"));
}

#[test]
fn root_user() {
    let caller = root(A);
    let ctx = ctx_for(&caller);
    // With no resource policy (CreateKey, ListKeys; IAM actions), root is allowed.
    let d = run("kms:CreateKey", "*", &caller, &ctx, None, &[], None);
    assert!(d.allowed);
    assert_eq!(d.reason, Reason::AllowedAsRoot);
    assert!(d.statements.is_empty());
    assert!(
        run(
            "iam:CreateUser",
            "arn:aws:iam::111122223333:user/x",
            &caller,
            &ctx,
            None,
            &[],
            None
        )
        .allowed
    );
    // A key policy without the account: root is locked out (control-access.md: "no identity,
    // including the AWS account root user, has permission ... unless ... explicitly provided").
    let locked = key_policy(statements(json!({"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:user/admin"}, "Action": "kms:*",
        "Resource": "*"})));
    assert_eq!(
        on_key("kms:PutKeyPolicy", &caller, &locked, &[]).reason,
        Reason::NoResourcePolicyAllows
    );
    // Principal "*" allows root as anyone else: directly.
    let open = key_policy(statements(json!({"Effect": "Allow", "Principal": "*",
        "Action": "kms:*", "Resource": "*"})));
    assert_eq!(
        on_key("kms:Encrypt", &caller, &open, &[]).reason,
        Reason::AllowedByResourcePolicy
    );
    // The account given as a bare id is the same as its root ARN.
    let by_id = key_policy(statements(
        json!({"Effect": "Allow", "Principal": {"AWS": A},
        "Action": "kms:*", "Resource": "*"}),
    ));
    assert_eq!(
        on_key("kms:Encrypt", &caller, &by_id, &[]).reason,
        Reason::AllowedAsRoot
    );
    assert_eq!(
        on_key("kms:Encrypt", &user("x"), &by_id, &[]).reason,
        Reason::NoIdentityPolicyAllows
    );
}

#[test]
fn identity_policies_alone() {
    let alice = user("alice");
    let ctx = ctx_for(&alice);
    let d = run("kms:CreateKey", "*", &alice, &ctx, None, &[], None);
    assert_eq!(d.reason, Reason::NoIdentityPolicyAllows);
    assert_eq!(
        d.message,
        "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: kms:CreateKey \
         on resource: * because no identity-based policy allows the kms:CreateKey action"
    );
    let create = iam_policy(statements(json!({"Effect": "Allow",
        "Action": ["kms:CreateKey", "kms:List*"], "Resource": "*"})));
    assert_eq!(
        run("kms:CreateKey", "*", &alice, &ctx, None, &[&create], None).reason,
        Reason::AllowedByIdentityPolicy
    );
    assert!(run("kms:ListAliases", "*", &alice, &ctx, None, &[&create], None).allowed);
    // Actions are case-insensitive; resources are not.
    assert!(run("KMS:createkey", "*", &alice, &ctx, None, &[&create], None).allowed);
    let by_arn = iam_policy(statements(
        json!({"Effect": "Allow", "Action": "kms:Decrypt",
        "Resource": "arn:aws:kms:*:111122223333:key/*"}),
    ));
    let kp = default_key_policy(A);
    assert!(on_key("kms:Decrypt", &alice, &kp, &[&by_arn]).allowed);
    let upper = KEY.replace("key/", "KEY/");
    assert!(
        !run(
            "kms:Decrypt",
            &upper,
            &alice,
            &ctx,
            Some(&kp),
            &[&by_arn],
            None
        )
        .allowed
    );
    // A key policy statement without Action or Resource has no effect (key-policy-overview.md).
    for st in [
        json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
               "Resource": "*"}),
        json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
               "Action": "kms:*"}),
    ] {
        let kp = key_policy(statements(st));
        assert_eq!(
            on_key("kms:Decrypt", &alice, &kp, &[]).reason,
            Reason::NoResourcePolicyAllows
        );
    }
    // A key policy statement naming the key's ARN instead of "*".
    let exact = key_policy(statements(json!({"Effect": "Allow", "Principal": "*",
        "Action": "kms:Decrypt", "Resource": KEY})));
    assert!(on_key("kms:Decrypt", &alice, &exact, &[]).allowed);
    assert!(
        !run(
            "kms:Decrypt",
            OTHER_KEY,
            &alice,
            &ctx,
            Some(&exact),
            &[],
            None
        )
        .allowed
    );
}

#[test]
fn not_action_and_not_resource() {
    let alice = user("alice");
    let kp = default_key_policy(A);
    let all_but_delete = iam_policy(statements(json!({"Effect": "Allow",
        "NotAction": ["kms:ScheduleKeyDeletion", "kms:Delete*"], "Resource": "*"})));
    assert!(on_key("kms:Decrypt", &alice, &kp, &[&all_but_delete]).allowed);
    assert!(!on_key("kms:ScheduleKeyDeletion", &alice, &kp, &[&all_but_delete]).allowed);
    assert!(!on_key("kms:DeleteAlias", &alice, &kp, &[&all_but_delete]).allowed);
    // NotAction in a Deny: deny everything except the listed actions.
    let only_describe = iam_policy(statements(json!([
        {"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "NotAction": "kms:Describe*", "Resource": "*"}
    ])));
    assert!(on_key("kms:DescribeKey", &alice, &kp, &[&only_describe]).allowed);
    assert_eq!(
        on_key("kms:Encrypt", &alice, &kp, &[&only_describe]).reason,
        Reason::ExplicitDenyInIdentityPolicy
    );
    // NotResource: every key but one.
    let not_that_one = iam_policy(statements(json!({"Effect": "Allow", "Action": "kms:*",
        "NotResource": OTHER_KEY})));
    assert!(on_key("kms:Encrypt", &alice, &kp, &[&not_that_one]).allowed);
    let ctx = ctx_for(&alice);
    assert!(
        !run(
            "kms:Encrypt",
            OTHER_KEY,
            &alice,
            &ctx,
            Some(&kp),
            &[&not_that_one],
            None
        )
        .allowed
    );
    // NotAction in a key policy.
    let kp2 = key_policy(statements(json!({"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
        "NotAction": "kms:PutKeyPolicy", "Resource": "*"})));
    assert!(on_key("kms:Encrypt", &alice, &kp2, &[]).allowed);
    assert!(!on_key("kms:PutKeyPolicy", &alice, &kp2, &[]).allowed);
}

#[test]
fn not_principal() {
    // Deny everyone but alice: AWS checks the account as well as the user, so listing alice
    // alone still denies her through her account.
    let alice_only = key_policy(statements(json!([
        {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"},
        {"Sid": "Only alice", "Effect": "Deny",
         "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
         "Action": "kms:*", "Resource": "*"}
    ])));
    let alice = user("alice");
    assert_eq!(
        on_key("kms:Decrypt", &alice, &alice_only, &[]).reason,
        Reason::ExplicitDenyInResourcePolicy
    );
    let with_account = key_policy(statements(json!([
        {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"},
        {"Sid": "Only alice", "Effect": "Deny",
         "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:user/alice",
                                  "arn:aws:iam::111122223333:root"]},
         "Action": "kms:*", "Resource": "*"}
    ])));
    assert_eq!(
        on_key("kms:Decrypt", &alice, &with_account, &[]).reason,
        Reason::AllowedByResourcePolicy
    );
    assert_eq!(
        on_key("kms:Decrypt", &user("bob"), &with_account, &[]).reason,
        Reason::ExplicitDenyInResourcePolicy
    );
    assert!(
        on_key("kms:Decrypt", &root(A), &with_account, &[]).allowed,
        "root is the account"
    );
    // A role session is its account, its role and itself: the role and the account suffice.
    let role_exempt = key_policy(statements(json!([
        {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny",
         "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:role/app",
                                  "arn:aws:iam::111122223333:root"]},
         "Action": "kms:*", "Resource": "*"}
    ])));
    assert!(on_key("kms:Decrypt", &session("app", "s1"), &role_exempt, &[]).allowed);
    assert!(!on_key("kms:Decrypt", &session("other", "s1"), &role_exempt, &[]).allowed);
    let session_exempt = key_policy(statements(json!([
        {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny",
         "NotPrincipal": {"AWS": ["arn:aws:sts::111122223333:assumed-role/app/audit",
                                  "arn:aws:iam::111122223333:root"]},
         "Action": "kms:*", "Resource": "*"}
    ])));
    assert!(
        on_key(
            "kms:Decrypt",
            &session("app", "audit"),
            &session_exempt,
            &[]
        )
        .allowed
    );
    assert!(!on_key("kms:Decrypt", &session("app", "s2"), &session_exempt, &[]).allowed);
    let role_without_account = key_policy(statements(json!([
        {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:role/app"},
         "Action": "kms:*", "Resource": "*"}
    ])));
    assert!(
        !on_key(
            "kms:Decrypt",
            &session("app", "s1"),
            &role_without_account,
            &[]
        )
        .allowed
    );
    // NotPrincipal with Allow grants everyone else.
    let allow_others = key_policy(statements(json!({"Effect": "Allow",
        "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/mallory"},
        "Action": "kms:Decrypt", "Resource": "*"})));
    assert!(on_key("kms:Decrypt", &user("bob"), &allow_others, &[]).allowed);
}

/// The console's default key policy (key-policy-overview.md, "Example key policy").
fn console_key_policy() -> Policy {
    key_policy(json!({
      "Version": "2012-10-17",
      "Id": "key-consolepolicy-2",
      "Statement": [
        {"Sid": "Enable IAM policies", "Effect": "Allow",
         "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "Allow access for Key Administrators", "Effect": "Allow",
         "Principal": {"AWS": ["arn:aws:iam::111122223333:user/KMSAdminUser",
                               "arn:aws:iam::111122223333:role/KMSAdminRole"]},
         "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*",
                    "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*",
                    "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion",
                    "kms:CancelKeyDeletion"],
         "Resource": "*"},
        {"Sid": "Allow use of the key", "Effect": "Allow",
         "Principal": {"AWS": ["arn:aws:iam::111122223333:user/ExampleUser",
                               "arn:aws:iam::111122223333:role/ExampleRole",
                               "arn:aws:iam::444455556666:root"]},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                    "kms:DescribeKey"],
         "Resource": "*"},
        {"Sid": "Allow attachment of persistent resources", "Effect": "Allow",
         "Principal": {"AWS": ["arn:aws:iam::111122223333:user/ExampleUser",
                               "arn:aws:iam::111122223333:role/ExampleRole",
                               "arn:aws:iam::444455556666:root"]},
         "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
         "Resource": "*",
         "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}}
      ]
    }))
}

#[test]
fn console_default_key_policy() {
    let kp = console_key_policy();
    let admin = user("KMSAdminUser");
    let d = on_key("kms:PutKeyPolicy", &admin, &kp, &[]);
    assert_eq!(d.reason, Reason::AllowedByResourcePolicy);
    assert_eq!(d.statements.len(), 1);
    assert!(d.statements[0].contains("\"Allow access for Key Administrators\""));
    assert!(
        on_key(
            "kms:ScheduleKeyDeletion",
            &session("KMSAdminRole", "x"),
            &kp,
            &[]
        )
        .allowed
    );
    // Administrators may not use the key, unless IAM lets them (the key policy delegates).
    assert_eq!(
        on_key("kms:Decrypt", &admin, &kp, &[]).reason,
        Reason::NoIdentityPolicyAllows
    );
    let example = user("ExampleUser");
    for action in [
        "kms:Encrypt",
        "kms:ReEncryptFrom",
        "kms:GenerateDataKeyWithoutPlaintext",
    ] {
        assert!(on_key(action, &example, &kp, &[]).allowed, "{action}");
    }
    assert!(!on_key("kms:PutKeyPolicy", &example, &kp, &[]).allowed);
    // Grants only for AWS resources.
    let mut ctx = ctx_for(&example);
    assert!(!run("kms:CreateGrant", KEY, &example, &ctx, Some(&kp), &[], None).allowed);
    ctx.set_bool("kms:GrantIsForAWSResource", true);
    assert!(run("kms:CreateGrant", KEY, &example, &ctx, Some(&kp), &[], None).allowed);
    ctx.set_bool("kms:GrantIsForAWSResource", false);
    assert!(!run("kms:CreateGrant", KEY, &example, &ctx, Some(&kp), &[], None).allowed);
    // The external account's users, with their own IAM policy.
    let ext = user_in(B, "/", "dev");
    assert!(on_key("kms:Encrypt", &ext, &kp, &[&allow_all_kms_in_iam()]).allowed);
    assert!(!on_key("kms:Encrypt", &ext, &kp, &[]).allowed);
    assert!(!on_key("kms:DisableKey", &ext, &kp, &[&allow_all_kms_in_iam()]).allowed);
    // The root user, through "Enable IAM policies".
    assert_eq!(
        on_key("kms:DisableKey", &root(A), &kp, &[]).reason,
        Reason::AllowedAsRoot
    );
}

#[test]
fn encryption_context_conditions() {
    let role = "arn:aws:iam::111122223333:role/RoleForExampleApp";
    let app = session("RoleForExampleApp", "s");
    let with_ec = |pairs: &[(&str, &str)]| {
        let mut ctx = ctx_for(&app);
        for (k, v) in pairs {
            ctx.set(&format!("kms:EncryptionContext:{k}"), *v);
        }
        if !pairs.is_empty() {
            ctx.set_many("kms:EncryptionContextKeys", pairs.iter().map(|(k, _)| *k));
        }
        ctx
    };
    let go = |kp: &Policy, action: &str, pairs: &[(&str, &str)]| {
        run(action, KEY, &app, &with_ec(pairs), Some(kp), &[], None)
    };
    // Require AppName=ExampleApp; other pairs permitted.
    let require = key_policy(statements(
        json!({"Effect": "Allow", "Principal": {"AWS": role},
        "Action": "kms:GenerateDataKey", "Resource": "*",
        "Condition": {"StringEquals": {"kms:EncryptionContext:AppName": "ExampleApp"}}}),
    ));
    assert!(
        go(
            &require,
            "kms:GenerateDataKey",
            &[("AppName", "ExampleApp")]
        )
        .allowed
    );
    assert!(
        go(
            &require,
            "kms:GenerateDataKey",
            &[("AppName", "ExampleApp"), ("Project", "Alpha")]
        )
        .allowed
    );
    assert!(
        !go(
            &require,
            "kms:GenerateDataKey",
            &[("AppName", "exampleapp")]
        )
        .allowed
    );
    assert!(!go(&require, "kms:GenerateDataKey", &[]).allowed);
    // The key name in the condition is case-insensitive ("Appname" matches AppName).
    let case = key_policy(statements(
        json!({"Effect": "Allow", "Principal": {"AWS": role},
        "Action": "kms:Decrypt", "Resource": "*",
        "Condition": {"StringEquals": {"kms:EncryptionContext:Appname": "ExampleApp"}}}),
    ));
    assert!(go(&case, "kms:Decrypt", &[("AppName", "ExampleApp")]).allowed);
    // Require the pair and forbid every other key.
    let exactly = key_policy(statements(
        json!({"Effect": "Allow", "Principal": {"AWS": role},
        "Action": "kms:GenerateDataKey", "Resource": "*",
        "Condition": {"StringEquals": {"kms:EncryptionContext:AppName": "ExampleApp"},
                      "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["AppName"]}}}),
    ));
    assert!(
        go(
            &exactly,
            "kms:GenerateDataKey",
            &[("AppName", "ExampleApp")]
        )
        .allowed
    );
    assert!(
        !go(
            &exactly,
            "kms:GenerateDataKey",
            &[("AppName", "ExampleApp"), ("Project", "Alpha")]
        )
        .allowed
    );
    assert!(
        !go(&exactly, "kms:GenerateDataKey", &[]).allowed,
        "the pair is still required"
    );
    // Two required pairs (AND), and one of two (two statements: OR).
    let both = key_policy(statements(
        json!({"Effect": "Allow", "Principal": {"AWS": role},
        "Action": "kms:Decrypt", "Resource": "*",
        "Condition": {"StringEquals": {"kms:EncryptionContext:Department": "IT",
                                       "kms:EncryptionContext:Project": "Alpha"}}}),
    ));
    assert!(
        go(
            &both,
            "kms:Decrypt",
            &[("Department", "IT"), ("Project", "Alpha")]
        )
        .allowed
    );
    assert!(!go(&both, "kms:Decrypt", &[("Department", "IT")]).allowed);
    let either = key_policy(statements(json!([
        {"Effect": "Allow", "Principal": {"AWS": role}, "Action": "kms:GenerateDataKey",
         "Resource": "*", "Condition": {"StringEquals": {"kms:EncryptionContext:Department": "IT"}}},
        {"Effect": "Allow", "Principal": {"AWS": role}, "Action": "kms:GenerateDataKey",
         "Resource": "*", "Condition": {"StringEquals": {"kms:EncryptionContext:Project": "Alpha"}}}
    ])));
    assert!(go(&either, "kms:GenerateDataKey", &[("Project", "Alpha")]).allowed);
    assert!(go(&either, "kms:GenerateDataKey", &[("Department", "IT")]).allowed);
    assert!(!go(&either, "kms:GenerateDataKey", &[("Department", "HR")]).allowed);
    // Forbid Stage=Restricted or Stage=Production with a Deny.
    let forbid = key_policy(statements(json!([
        {"Effect": "Allow", "Principal": {"AWS": role}, "Action": "kms:GenerateDataKey",
         "Resource": "*"},
        {"Effect": "Deny", "Principal": {"AWS": role}, "Action": "kms:GenerateDataKey",
         "Resource": "*",
         "Condition": {"StringEquals": {"kms:EncryptionContext:Stage": ["Restricted", "Production"]}}}
    ])));
    assert!(go(&forbid, "kms:GenerateDataKey", &[("Stage", "Test")]).allowed);
    assert!(go(&forbid, "kms:GenerateDataKey", &[]).allowed);
    assert_eq!(
        go(&forbid, "kms:GenerateDataKey", &[("Stage", "Production")]).reason,
        Reason::ExplicitDenyInResourcePolicy
    );
    // Require some encryption context key (ForAnyValue), or any context at all (Null).
    let any_appname = key_policy(statements(
        json!({"Effect": "Allow", "Principal": {"AWS": role},
        "Action": ["kms:Encrypt", "kms:GenerateDataKey*"], "Resource": "*",
        "Condition": {"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "AppName"}}}),
    ));
    assert!(
        go(
            &any_appname,
            "kms:Encrypt",
            &[("AppName", "Helper"), ("Project", "Alpha")]
        )
        .allowed
    );
    assert!(!go(&any_appname, "kms:Encrypt", &[("Project", "Alpha")]).allowed);
    assert!(!go(&any_appname, "kms:Encrypt", &[]).allowed);
    let not_null = key_policy(statements(
        json!({"Effect": "Allow", "Principal": {"AWS": role},
        "Action": ["kms:Encrypt", "kms:GenerateDataKey*"], "Resource": "*",
        "Condition": {"Null": {"kms:EncryptionContextKeys": false}}}),
    ));
    assert!(go(&not_null, "kms:GenerateDataKeyPair", &[("Any", "thing")]).allowed);
    assert!(!go(&not_null, "kms:GenerateDataKeyPair", &[]).allowed);
}

#[test]
fn encryption_context_with_a_policy_variable() {
    // conditions-kms.md: "user": "${aws:username}". A role session has no aws:username, so the
    // doc's role example never matches; with IAM users it does.
    let kp = key_policy(statements(json!({"Effect": "Allow",
        "Principal": {"AWS": ["arn:aws:iam::111122223333:user/bob",
                              "arn:aws:iam::111122223333:user/alice",
                              "arn:aws:iam::111122223333:role/TestTeam"]},
        "Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": "*",
        "Condition": {"StringEquals": {"kms:EncryptionContext:user": "${aws:username}"}}})));
    let try_as = |caller: &Caller, user: &str| {
        let mut ctx = ctx_for(caller);
        ctx.set("kms:EncryptionContext:user", user);
        run("kms:Encrypt", KEY, caller, &ctx, Some(&kp), &[], None).allowed
    };
    assert!(try_as(&user("bob"), "bob"));
    assert!(!try_as(&user("bob"), "alice"));
    assert!(try_as(&user("alice"), "alice"));
    assert!(
        !try_as(&session("TestTeam", "bob"), "bob"),
        "no aws:username for a session"
    );
    // With a default value the variable always resolves.
    let kp2 = key_policy(statements(json!({"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:role/TestTeam"},
        "Action": "kms:Encrypt", "Resource": "*",
        "Condition": {"StringEquals": {"kms:EncryptionContext:user": "${aws:username, 'shared'}"}}})));
    let s = session("TestTeam", "x");
    let mut ctx = ctx_for(&s);
    ctx.set("kms:EncryptionContext:user", "shared");
    assert!(run("kms:Encrypt", KEY, &s, &ctx, Some(&kp2), &[], None).allowed);
    // Under Version 2008-10-17 the variable is literal text.
    let mut old = json!({"Statement": {"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:user/bob"},
        "Action": "kms:Encrypt", "Resource": "*",
        "Condition": {"StringEquals": {"kms:EncryptionContext:user": "${aws:username}"}}}});
    old["Version"] = json!("2008-10-17");
    let kp3 = key_policy(old);
    let bob = user("bob");
    let mut ctx = ctx_for(&bob);
    ctx.set("kms:EncryptionContext:user", "bob");
    assert!(!run("kms:Encrypt", KEY, &bob, &ctx, Some(&kp3), &[], None).allowed);
    ctx.set("kms:EncryptionContext:user", "${aws:username}");
    assert!(run("kms:Encrypt", KEY, &bob, &ctx, Some(&kp3), &[], None).allowed);
}

#[test]
fn via_service_and_caller_account() {
    // The AWS managed key for Amazon EBS (conditions-kms.md, kms:CallerAccount).
    let kp = key_policy(statements(json!({
        "Sid": "Allow access through EBS for all principals in the account that are authorized to use EBS",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333",
                                       "kms:ViaService": "ec2.us-west-2.amazonaws.com"}},
        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                   "kms:CreateGrant", "kms:DescribeKey"],
        "Resource": "*"
    })));
    let alice = user("alice");
    let mut ctx = ctx_for(&alice);
    assert_eq!(
        run("kms:Decrypt", KEY, &alice, &ctx, Some(&kp), &[], None).reason,
        Reason::NoResourcePolicyAllows,
        "not through EC2"
    );
    ctx.set("kms:ViaService", "ec2.us-west-2.amazonaws.com");
    let d = run("kms:Decrypt", KEY, &alice, &ctx, Some(&kp), &[], None);
    assert_eq!(d.reason, Reason::AllowedByResourcePolicy);
    ctx.set("kms:ViaService", "rds.us-west-2.amazonaws.com");
    assert!(!run("kms:Decrypt", KEY, &alice, &ctx, Some(&kp), &[], None).allowed);
    // Another account's caller, even through EC2: kms:CallerAccount differs.
    let ext = user_in(B, "/", "eve");
    let mut ctx = ctx_for(&ext);
    ctx.set("kms:ViaService", "ec2.us-west-2.amazonaws.com");
    assert!(
        !run(
            "kms:Decrypt",
            KEY,
            &ext,
            &ctx,
            Some(&kp),
            &[&allow_all_kms_in_iam()],
            None
        )
        .allowed
    );

    // Only through EC2 or RDS, for ExampleUser; and never Encrypt through Lambda.
    let kp = key_policy(statements(json!([
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/ExampleUser"},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                    "kms:CreateGrant", "kms:ListGrants", "kms:DescribeKey"],
         "Resource": "*",
         "Condition": {"StringEquals": {"kms:ViaService": ["ec2.us-west-2.amazonaws.com",
                                                           "rds.us-west-2.amazonaws.com"]}}},
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/ExampleUser"},
         "Action": "kms:Encrypt", "Resource": "*",
         "Condition": {"StringEquals": {"kms:ViaService": "lambda.us-west-2.amazonaws.com"}}},
        {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:user/ExampleUser"},
         "Action": ["kms:Encrypt"], "Resource": "*",
         "Condition": {"StringEquals": {"kms:ViaService": ["lambda.us-west-2.amazonaws.com"]}}}
    ])));
    let example = user("ExampleUser");
    let mut ctx = ctx_for(&example);
    ctx.set("kms:ViaService", "rds.us-west-2.amazonaws.com");
    assert!(run("kms:Encrypt", KEY, &example, &ctx, Some(&kp), &[], None).allowed);
    ctx.set("kms:ViaService", "lambda.us-west-2.amazonaws.com");
    let d = run("kms:Encrypt", KEY, &example, &ctx, Some(&kp), &[], None);
    assert_eq!(d.reason, Reason::ExplicitDenyInResourcePolicy);
    assert_eq!(d.statements.len(), 1);
    assert!(
        d.statements[0].contains("statement #3: Deny"),
        "{:?}",
        d.statements
    );
}

#[test]
fn abac_and_policy_variables_in_resources() {
    let kp = default_key_policy(A);
    let alice = user("alice");
    // aws:ResourceTag (abac.md).
    let tagged = iam_policy(json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "IAMPolicyWithResourceTag", "Effect": "Allow",
        "Action": ["kms:GenerateDataKeyWithoutPlaintext", "kms:Decrypt"],
        "Resource": "arn:aws:kms:*:111122223333:key/*",
        "Condition": {"StringEquals": {"aws:ResourceTag/Project": "Alpha"}}}]}));
    let mut ctx = ctx_for(&alice);
    assert!(
        !run(
            "kms:Decrypt",
            KEY,
            &alice,
            &ctx,
            Some(&kp),
            &[&tagged],
            None
        )
        .allowed
    );
    ctx.set("aws:ResourceTag/Project", "Alpha");
    assert!(
        run(
            "kms:Decrypt",
            KEY,
            &alice,
            &ctx,
            Some(&kp),
            &[&tagged],
            None
        )
        .allowed
    );
    ctx.set("aws:ResourceTag/Project", "Beta");
    assert!(
        !run(
            "kms:Decrypt",
            KEY,
            &alice,
            &ctx,
            Some(&kp),
            &[&tagged],
            None
        )
        .allowed
    );
    // kms:ResourceAliases with both set qualifiers (conditions-kms.md).
    let aliases = iam_policy(statements(json!({"Effect": "Allow",
        "Action": ["kms:EnableKey", "kms:DisableKey"],
        "Resource": "arn:aws:kms:*:111122223333:key/*",
        "Condition": {"ForAllValues:StringLike": {"kms:ResourceAliases": ["alias/*Test*"]},
                      "ForAnyValue:StringLike": {"kms:ResourceAliases": ["alias/*Test*"]}}})));
    let with_aliases = |list: &[&str]| {
        let mut ctx = ctx_for(&alice);
        ctx.set_many("kms:ResourceAliases", list.iter().copied());
        run(
            "kms:DisableKey",
            KEY,
            &alice,
            &ctx,
            Some(&kp),
            &[&aliases],
            None,
        )
        .allowed
    };
    assert!(with_aliases(&["alias/Test-1", "alias/MyTestKey"]));
    assert!(!with_aliases(&["alias/Test-1", "alias/Prod"]));
    assert!(
        !with_aliases(&[]),
        "the ForAnyValue condition requires an alias"
    );
    // ${aws:username} in a Resource: each user manages the aliases named after them.
    let own_aliases = iam_policy(statements(json!({"Effect": "Allow",
        "Action": ["kms:CreateAlias", "kms:DeleteAlias"],
        "Resource": "arn:aws:kms:*:111122223333:alias/${aws:username}-*"})));
    let ctx = ctx_for(&alice);
    let alias = |name: &str| format!("arn:aws:kms:us-west-2:111122223333:alias/{name}");
    assert!(
        run(
            "kms:CreateAlias",
            &alias("alice-app"),
            &alice,
            &ctx,
            None,
            &[&own_aliases],
            None
        )
        .allowed
    );
    assert!(
        !run(
            "kms:CreateAlias",
            &alias("bob-app"),
            &alice,
            &ctx,
            None,
            &[&own_aliases],
            None
        )
        .allowed
    );
    let s = session("r", "s");
    assert!(
        !run(
            "kms:CreateAlias",
            &alias("alice-app"),
            &s,
            &ctx_for(&s),
            None,
            &[&own_aliases],
            None
        )
        .allowed,
        "no aws:username: the entry matches nothing"
    );
    // ${aws:PrincipalTag/...} against a resource tag.
    let team = iam_policy(statements(
        json!({"Effect": "Allow", "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}}),
    ));
    let mut ctx = ctx_for(&alice);
    ctx.set("aws:PrincipalTag/team", "blue")
        .set("aws:ResourceTag/team", "blue");
    assert!(run("kms:Decrypt", KEY, &alice, &ctx, Some(&kp), &[&team], None).allowed);
    ctx.set("aws:ResourceTag/team", "red");
    assert!(!run("kms:Decrypt", KEY, &alice, &ctx, Some(&kp), &[&team], None).allowed);
}

#[test]
fn lockout_check_conditions() {
    // conditions-kms.md, kms:BypassPolicyLockoutSafetyCheck: an IAM Deny on true, a key policy
    // Allow only when the parameter is absent (Null).
    let deny_bypass = iam_policy(statements(json!({"Effect": "Deny",
        "Action": ["kms:CreateKey", "kms:PutKeyPolicy"], "Resource": "*",
        "Condition": {"Bool": {"kms:BypassPolicyLockoutSafetyCheck": true}}})));
    let alice = user("alice");
    let mut ctx = ctx_for(&alice);
    let allow = allow_all_kms_in_iam();
    assert!(
        run(
            "kms:CreateKey",
            "*",
            &alice,
            &ctx,
            None,
            &[&allow, &deny_bypass],
            None
        )
        .allowed
    );
    ctx.set_bool("kms:BypassPolicyLockoutSafetyCheck", true);
    assert_eq!(
        run(
            "kms:CreateKey",
            "*",
            &alice,
            &ctx,
            None,
            &[&allow, &deny_bypass],
            None
        )
        .reason,
        Reason::ExplicitDenyInIdentityPolicy
    );
    let kp = key_policy(statements(json!({"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
        "Action": "kms:PutKeyPolicy", "Resource": "*",
        "Condition": {"Null": {"kms:BypassPolicyLockoutSafetyCheck": true}}})));
    assert!(!run("kms:PutKeyPolicy", KEY, &alice, &ctx, Some(&kp), &[], None).allowed);
    ctx.remove("kms:BypassPolicyLockoutSafetyCheck");
    assert!(run("kms:PutKeyPolicy", KEY, &alice, &ctx, Some(&kp), &[], None).allowed);
}

#[test]
fn grants() {
    let kp = default_key_policy(A);
    let alice = user("alice");
    let ctx = ctx_for(&alice);
    let d = run(
        "kms:Decrypt",
        KEY,
        &alice,
        &ctx,
        Some(&kp),
        &[],
        Some("abc123"),
    );
    assert!(d.allowed);
    assert_eq!(d.reason, Reason::AllowedByGrant);
    assert_eq!(d.shown, "Allowed by grant abc123");
    assert!(
        d.message.is_empty(),
        "no denial message for an allowed request"
    );
    // A grant allows even when the key policy allows nothing.
    let locked = key_policy(statements(json!({"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:user/admin"}, "Action": "kms:*",
        "Resource": "*"})));
    assert!(
        run(
            "kms:Decrypt",
            KEY,
            &alice,
            &ctx,
            Some(&locked),
            &[],
            Some("g")
        )
        .allowed
    );
}

#[test]
fn decision_display_explains() {
    let kp = console_key_policy();
    let d = on_key("kms:Decrypt", &user("ExampleUser"), &kp, &[]);
    assert_eq!(
        d.shown,
        "Allowed: the resource-based policy allows the caller by name (or everyone)\n  \
         - key policy (resource-based policy), statement \"Allow use of the key\": Allow"
    );
    let d = on_key("kms:Decrypt", &user("nobody"), &kp, &[]);
    assert!(d.shown.starts_with(
        "Denied: the resource-based policy leaves access to the caller's IAM policies"
    ));
    assert!(d.shown.contains(
        "\"Enable IAM policies\": Allow, to the caller's account (delegates to its IAM policies)"
    ));
}

#[test]
fn denial_messages_in_aws_words() {
    let caller = session("Reader", "s1");
    let ctx = ctx_for(&caller);
    let kp = default_key_policy(A);
    let d = run("kms:Sign", KEY, &caller, &ctx, Some(&kp), &[], None);
    assert_eq!(
        d.message,
        format!(
            "User: arn:aws:sts::111122223333:assumed-role/Reader/s1 is not authorized to \
             perform: kms:Sign on resource: {KEY} because no identity-based policy allows the \
             kms:Sign action"
        )
    );
}

#[test]
fn the_resource_based_policy_may_see_a_context_of_its_own() {
    // KMS leaves aws:ResourceTag/* out of what key policies see (IAM policies only): the same
    // condition holds in the identity-based policy and not in the key policy.
    let alice = user("alice");
    let mut full = ctx_for(&alice);
    full.set("aws:ResourceTag/team", "blue");
    let seen = ctx_for(&alice);
    let tagged = json!({"StringEquals": {"aws:ResourceTag/team": "blue"}});
    let kp = key_policy(statements(json!({"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
        "Action": "kms:Encrypt", "Resource": "*", "Condition": tagged})));
    let iam = iam_policy(statements(
        json!({"Effect": "Allow", "Action": "kms:Encrypt",
        "Resource": "*", "Condition": tagged}),
    ));
    let delegating = default_key_policy(A);
    let decide_with = |kp: &Policy, iam: &[(String, &Policy)]| {
        let req = Request::new("kms:Encrypt", KEY, &alice, REGION, &full)
            .with_resource_context(Some(&seen));
        decide(&req, Some(("key policy", kp)), iam, None).reason
    };
    assert_eq!(decide_with(&kp, &[]), Reason::NoResourcePolicyAllows);
    assert_eq!(
        decide_with(&delegating, &[("iam".to_string(), &iam)]),
        Reason::AllowedByIdentityPolicy
    );
    // Without a context of its own it sees the request's.
    let req = Request::new("kms:Encrypt", KEY, &alice, REGION, &full);
    assert_eq!(
        decide(&req, Some(("key policy", &kp)), &[], None).reason,
        Reason::AllowedByResourcePolicy
    );
}
