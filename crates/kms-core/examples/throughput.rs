//! Native throughput of the engine's dispatcher (JSON in, JSON out), without the browser:
//! `cargo run --release -p kms-core --example throughput`.

use kms_core::{json, Sandbox};
use std::time::Instant;

fn main() {
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
            assert!(out.result.is_ok());
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{name:>16}: {:>9.0} ops/s ({:.2} µs/op)",
            n as f64 / secs,
            secs * 1e6 / n as f64
        );
    }
}
