//! Native throughput of the engine's dispatcher (JSON in, JSON out), without the browser:
//! `cargo run --release -p kms-core --example throughput`. Also prints what authorization costs
//! on the symmetric Encrypt path: the same calls with it switched off (the baseline), with the
//! default key policy, with a 20-statement key policy, and as an IAM user through an identity
//! policy.

use kms_core::{json, Caller, Sandbox, Service, Value};
use std::time::Instant;

fn rate(kms: &mut Sandbox, name: &str, req: &Value, n: usize) -> f64 {
    let body = req.to_string();
    let start = Instant::now();
    for _ in 0..n {
        let out = kms.engine.handle_json(
            &kms.region,
            name,
            body.as_bytes(),
            &kms.caller,
            0,
            kms.entropy.as_mut(),
        );
        assert!(out.result.is_ok(), "{:?}", out.result);
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// A key policy of 20 statements: the root statement last, so every statement is evaluated.
fn policy_of_20() -> String {
    let mut statements: Vec<Value> = (0..19)
        .map(|i| {
            json!({"Sid": format!("s{i}"), "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:user/dev"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
                "Condition": {"StringEquals": {format!("kms:EncryptionContext:k{i}"): "v"}}})
        })
        .collect();
    statements.push(json!({"Sid": "root", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}));
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

fn authorization_cost(n: usize) {
    let mut kms = Sandbox::in_memory(2);
    kms.call_service(Service::Iam, "CreateUser", json!({"UserName": "dev"}))
        .unwrap();
    let doc = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]});
    kms.call_service(
        Service::Iam,
        "PutUserPolicy",
        json!({"UserName": "dev", "PolicyName": "p", "PolicyDocument": doc.to_string()}),
    )
    .unwrap();
    let id = |v: Value| v["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    let default_key = id(kms.call("CreateKey", json!({})).unwrap());
    let big_key = id(kms
        .call("CreateKey", json!({"Policy": policy_of_20()}))
        .unwrap());
    let plaintext = "A".repeat(136);
    let enc = |key: &str| json!({"KeyId": key, "Plaintext": plaintext});
    let dev: Caller = kms
        .engine
        .caller_for_principal("arn:aws:iam::111122223333:user/dev", None)
        .unwrap();
    let root = kms.caller.clone();
    for round in 0..3 {
        kms.engine.set_authorization(false);
        let off = rate(&mut kms, "Encrypt", &enc(&default_key), n);
        kms.engine.set_authorization(true);
        let default = rate(&mut kms, "Encrypt", &enc(&default_key), n);
        let big = rate(&mut kms, "Encrypt", &enc(&big_key), n);
        kms.caller = dev.clone();
        let user = rate(&mut kms, "Encrypt", &enc(&default_key), n);
        kms.caller = root.clone();
        println!(
            "round {round}: Encrypt ops/s: no authorization {off:.0}; root, default policy {default:.0} ({:+.1}%); root, 20-statement policy {big:.0} ({:+.1}%); IAM user by identity policy {user:.0} ({:+.1}%)",
            (default / off - 1.0) * 100.0,
            (big / off - 1.0) * 100.0,
            (user / off - 1.0) * 100.0,
        );
    }
}

fn main() {
    authorization_cost(50_000);
    let mut kms = Sandbox::in_memory(1);
    let key = kms.call("CreateKey", json!({})).unwrap()["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let plaintext = "A".repeat(136); // base64 of 100 bytes is 136 characters
    let n = 100_000;
    let ct = kms
        .call("Encrypt", json!({"KeyId": key, "Plaintext": plaintext}))
        .unwrap()["CiphertextBlob"]
        .clone();
    for (name, req) in [
        ("Encrypt", json!({"KeyId": key, "Plaintext": plaintext})),
        ("Decrypt", json!({"CiphertextBlob": ct})),
        (
            "GenerateDataKey",
            json!({"KeyId": key, "KeySpec": "AES_256"}),
        ),
    ] {
        let ops = rate(&mut kms, name, &req, n);
        println!("{name:>16}: {ops:>9.0} ops/s ({:.2} µs/op)", 1e6 / ops);
    }
}
