//! Native speed of the authorization decision for a 20-statement key policy with conditions,
//! where the statement that allows the caller comes last:
//! `cargo run --release -p kms-core --example policy_eval`.

use kms_core::access::{decide, Context, Policy, PolicyKind, Request};
use kms_core::{json, Caller, Identity};
use std::hint::black_box;
use std::time::Instant;

const KEY: &str = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn main() {
    let mut statements = vec![json!({"Sid": "Enable IAM policies", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*",
        "Resource": "*"})];
    for i in 0..9 {
        statements.push(json!({"Sid": format!("Admins{i}"), "Effect": "Allow",
            "Principal": {"AWS": [format!("arn:aws:iam::111122223333:user/admin{i}"),
                                  format!("arn:aws:iam::111122223333:role/AdminRole{i}")]},
            "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*",
                       "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*"],
            "Resource": "*"}));
        statements.push(json!({"Sid": format!("Deny{i}"), "Effect": "Deny",
            "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*",
            "Condition": {"StringEquals": {
                format!("kms:EncryptionContext:Stage{i}"): "Restricted"}}}));
    }
    statements.push(json!({"Sid": "Allow use of the key", "Effect": "Allow",
        "Principal": {"AWS": ["arn:aws:iam::111122223333:user/ExampleUser",
                              "arn:aws:iam::111122223333:role/app/EncryptionApp"]},
        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                   "kms:DescribeKey"],
        "Resource": "*",
        "Condition": {
            "StringEquals": {"kms:CallerAccount": "111122223333",
                             "kms:EncryptionContext:AppName": "${aws:PrincipalTag/app}"},
            "ForAllValues:StringLike": {"kms:EncryptionContextKeys": ["App*", "Project"]}}}));
    let key_policy = json!({"Version": "2012-10-17", "Statement": statements}).to_string();
    let key_policy = Policy::parse(&key_policy, PolicyKind::Resource).expect("key policy");
    let iam = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["kms:Describe*", "kms:List*"], "Resource": "*"},
        {"Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"}]})
    .to_string();
    let iam = Policy::parse(&iam, PolicyKind::Identity).expect("IAM policy");
    let identity_policies = vec![("role EncryptionApp inline policy p1".to_string(), &iam)];

    let caller = Caller {
        identity: Identity::AssumedRole {
            account_id: "111122223333".into(),
            role_name: "EncryptionApp".into(),
            role_path: "/app/".into(),
            role_id: "AROAEXAMPLEEXAMPLE1".into(),
            session_name: "worker-1".into(),
        },
        access_key_id: None,
    };
    let mut ctx = Context::new();
    ctx.set("kms:CallerAccount", "111122223333")
        .set("aws:PrincipalArn", caller.principal_arn("us-west-2"))
        .set("aws:PrincipalAccount", "111122223333")
        .set("aws:userid", caller.principal_id())
        .set("aws:PrincipalType", caller.principal_type())
        .set("aws:PrincipalTag/app", "ExampleApp")
        .set("kms:EncryptionContext:AppName", "ExampleApp")
        .set("kms:EncryptionContext:Project", "Alpha")
        .set_many("kms:EncryptionContextKeys", ["AppName", "Project"])
        .set("kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT")
        .set("kms:KeySpec", "SYMMETRIC_DEFAULT")
        .set("kms:KeyUsage", "ENCRYPT_DECRYPT")
        .set("kms:KeyOrigin", "AWS_KMS")
        .set("aws:CurrentTime", "2024-05-01T12:00:00Z")
        .set("aws:SecureTransport", "true")
        .set("aws:RequestedRegion", "us-west-2");

    for (action, expect) in [("kms:Encrypt", true), ("kms:ScheduleKeyDeletion", false)] {
        let req = Request::new(action, KEY, &caller, "us-west-2", &ctx);
        let d = decide(
            &req,
            Some(("key policy", &key_policy)),
            &identity_policies,
            None,
        );
        assert_eq!(d.allowed, expect, "{d}");
        // The machine may be busy: time many short batches and keep the fastest, which is
        // the one least disturbed.
        // `policy_eval quick`: a short run, for profilers.
        let quick = std::env::args().nth(1).as_deref() == Some("quick");
        let (batches, per_batch) = if quick { (4, 5_000) } else { (200, 5_000) };
        let mut best = f64::INFINITY;
        let start = Instant::now();
        for _ in 0..batches {
            let t = Instant::now();
            for _ in 0..per_batch {
                let d = decide(
                    black_box(&req),
                    Some(("key policy", black_box(&key_policy))),
                    black_box(&identity_policies),
                    None,
                );
                assert_eq!(black_box(d.allowed), expect);
            }
            best = best.min(t.elapsed().as_secs_f64() / per_batch as f64);
        }
        let mean = start.elapsed().as_secs_f64() / (batches * per_batch) as f64;
        println!(
            "{action:>24}: {:>9.0} evaluations/s ({:.3} µs each; mean {:.3} µs), \
             {}-statement key policy",
            1.0 / best,
            best * 1e6,
            mean * 1e6,
            key_policy.statements().len()
        );
    }
}
