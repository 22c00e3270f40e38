//! Fuzz loops on stable Rust: each target draws inputs from a seeded generator that knows the
//! API models' shapes (so most inputs get past the first check) and mutates them (so many do
//! not), runs them, and catches panics. A panic is a find: [`run`] returns it with the input that
//! caused it, to become a regression test.
//!
//! Targets:
//! - `dispatch`: every operation of KMS, IAM, STS and CloudTrail through the engine, with inputs
//!   made from the models' shapes and mutated (wrong types, out-of-range values, random JSON),
//!   against a sandbox holding keys of several specs, aliases and grants.
//! - `ciphertext`: Decrypt and ReEncrypt of real ciphertexts with bytes flipped, cut and spliced.
//! - `policy`: the key-policy and IAM-policy parsers on mutated policy documents.
//! - `model`: the model validator on every operation's input, mutated.
//! - `query`: the query protocol decoder (IAM, STS) on mutated form bodies.
//! - `envelope`: the console's envelope-file parser (web/src/envelope.rs) on mutated files.
//!
//! Cargo-fuzz needs a nightly toolchain, which this project's machines do not install; these
//! loops need nothing beyond stable.

#[path = "../../../web/src/envelope.rs"]
#[allow(dead_code)]
mod envelope;

use base64::Engine as _;
use kms_core::access::{Policy, PolicyKind};
use kms_core::model::{self, Model, Shape};
use kms_core::{Entropy, Sandbox, Secret, SeededEntropy, Service, Value};
use serde_json::{json, Map};
use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};

pub const TARGETS: [&str; 6] = [
    "dispatch",
    "ciphertext",
    "policy",
    "model",
    "query",
    "envelope",
];

/// A panic: the target, the input (as text) and the panic message.
#[derive(Debug, Clone)]
pub struct Find {
    pub target: &'static str,
    pub input: String,
    pub message: String,
}

/// xorshift64*: fast, seeded, good enough to pick mutations.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
    /// True with probability `percent`%.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    pub fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = self.below(max + 1);
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

/// Seeded randomness for the engine, with RSA keys made once per size (generating one per
/// CreateKey would make the loop about RSA key generation).
struct FuzzEntropy {
    inner: SeededEntropy,
}

/// RSA keys by size, made once per process.
static RSA_KEYS: std::sync::Mutex<Option<HashMap<usize, Vec<u8>>>> = std::sync::Mutex::new(None);

impl Entropy for FuzzEntropy {
    fn fill(&mut self, dest: &mut [u8]) {
        self.inner.fill(dest);
    }
    fn rsa_private_key(&mut self, bits: usize) -> Option<Secret> {
        let mut keys = RSA_KEYS.lock().unwrap_or_else(|e| e.into_inner());
        let der = keys
            .get_or_insert_with(HashMap::new)
            .entry(bits)
            .or_insert_with(|| {
                kms_core::crypto::rsa_generate(bits, &mut SeededEntropy::new(bits as u64))
                    .expect("RSA key generation")
                    .expose()
                    .to_vec()
            });
        Some(Secret::new(der.clone()))
    }
}

/// Values the generator likes to use for strings: names of things in the sandbox and the
/// shapes that trip parsers.
struct Vocabulary {
    strings: Vec<String>,
    blobs: Vec<Vec<u8>>,
}

impl Vocabulary {
    fn base() -> Vocabulary {
        let strings = [
            "",
            " ",
            "*",
            "alias/",
            "alias/aws/s3",
            "alias/demo",
            "alias/../x",
            "arn:aws:kms:ap-southeast-2:111122223333:key/",
            "arn:aws:kms:us-east-1:111122223333:alias/demo",
            "arn:aws:iam::111122223333:root",
            "arn:aws:iam::111122223333:user/dev",
            "arn:aws:iam::111122223333:role/app",
            "mrk-",
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "SYMMETRIC_DEFAULT",
            "RSA_2048",
            "ECC_NIST_P256",
            "HMAC_256",
            "ENCRYPT_DECRYPT",
            "{}",
            "[]",
            "null",
            "{\"a\":",
            "\u{0}",
            "\u{feff}",
            "é",
            "\u{10FFFF}",
            "%00",
            "${aws:username}",
            "ap-southeast-2",
            "us-east-1",
            "dev",
            "app",
            "AKIAIOSFODNN7EXAMPLE",
        ];
        Vocabulary {
            strings: strings.iter().map(|s| s.to_string()).collect(),
            blobs: vec![
                vec![],
                vec![0],
                vec![1; 61],
                vec![0xff; 4096],
                vec![0; 4097],
            ],
        }
    }
}

/// Makes a value of `shape` (mostly valid), then maybe breaks it.
struct Generator<'m> {
    model: &'m Model,
    vocab: Vocabulary,
}

impl Generator<'_> {
    fn string(&self, rng: &mut Rng, shape: &Shape) -> Value {
        if let Some(values) = &shape.enum_values {
            if rng.chance(85) {
                return Value::String(rng.pick(values).clone());
            }
        }
        if rng.chance(60) {
            return Value::String(rng.pick(&self.vocab.strings).clone());
        }
        let min = shape.min.unwrap_or(0.0) as usize;
        let max = shape.max.map_or(64, |m| (m as usize).min(2048));
        let len = match rng.below(10) {
            0 => max + 1,
            1 => min.saturating_sub(1),
            _ => min + rng.below(max.saturating_sub(min) + 1),
        };
        let alphabet = b"abcdefABCDEF0123456789-_/:.*{}\"\\ ";
        let s: String = (0..len).map(|_| *rng.pick(alphabet) as char).collect();
        Value::String(s)
    }

    fn number(&self, rng: &mut Rng, shape: &Shape) -> Value {
        let min = shape.min.unwrap_or(0.0);
        let max = shape.max.unwrap_or(1000.0);
        match rng.below(8) {
            0 => json!(min - 1.0),
            1 => json!(max + 1.0),
            2 => json!(i64::MAX),
            3 => json!(-1),
            4 => json!(1.5),
            5 => json!("7"),
            _ => json!((min + (rng.below((max - min).clamp(0.0, 1e6) as usize + 1)) as f64) as i64),
        }
    }

    fn value(&self, rng: &mut Rng, name: &str, depth: usize) -> Value {
        let shape = self.model.shape(name);
        if depth > 6 {
            return Value::Null;
        }
        match shape.ty.as_str() {
            "structure" => {
                let mut out = Map::new();
                for (member, target) in &shape.members {
                    let required = shape.required.contains(member);
                    if (required && rng.chance(95)) || (!required && rng.chance(40)) {
                        out.insert(member.clone(), self.value(rng, target, depth + 1));
                    }
                }
                if rng.chance(3) {
                    out.insert("Unknown".into(), json!(1));
                }
                Value::Object(out)
            }
            "list" => {
                let member = shape.member.as_deref().unwrap_or("String");
                let n = if rng.chance(5) { 60 } else { rng.below(4) };
                Value::Array((0..n).map(|_| self.value(rng, member, depth + 1)).collect())
            }
            "map" => {
                let key = shape.key.as_deref().unwrap_or("String");
                let value = shape.value.as_deref().unwrap_or("String");
                let mut out = Map::new();
                for _ in 0..rng.below(4) {
                    if let Value::String(k) = self.value(rng, key, depth + 1) {
                        out.insert(k, self.value(rng, value, depth + 1));
                    }
                }
                Value::Object(out)
            }
            "string" => self.string(rng, shape),
            "integer" | "long" => self.number(rng, shape),
            "boolean" => json!(rng.chance(50)),
            "timestamp" => match rng.below(3) {
                0 => json!(1_735_689_600),
                1 => json!("2025-01-01T00:00:00Z"),
                _ => json!(-1e300),
            },
            "blob" => {
                let bytes = if rng.chance(50) && !self.vocab.blobs.is_empty() {
                    let blob = rng_pick_clone(rng, &self.vocab.blobs);
                    mutate_bytes(rng, blob)
                } else {
                    rng.bytes(300)
                };
                Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
            }
            _ => random_json(rng, 3),
        }
    }

    /// An operation's input: generated from its shape, then maybe mutated.
    fn input(&self, rng: &mut Rng, operation: &str) -> Value {
        let mut v = match self.model.operations[operation].input.as_deref() {
            Some(shape) => self.value(rng, shape, 0),
            None => json!({}),
        };
        if rng.chance(25) {
            mutate_json(rng, &mut v);
        }
        v
    }
}

fn rng_pick_clone(rng: &mut Rng, items: &[Vec<u8>]) -> Vec<u8> {
    items[rng.below(items.len())].clone()
}

/// Random JSON, up to `depth` deep (sometimes much deeper, to find recursion limits).
pub fn random_json(rng: &mut Rng, depth: usize) -> Value {
    if rng.chance(1) {
        let mut v = json!(1);
        for _ in 0..200 {
            v = json!([v]);
        }
        return v;
    }
    match if depth == 0 {
        rng.below(5)
    } else {
        rng.below(7)
    } {
        0 => Value::Null,
        1 => json!(rng.chance(50)),
        2 => json!(rng.next_u64() as i64),
        3 => json!(f64::from_bits(rng.next_u64()).clamp(-1e300, 1e300)),
        4 => Value::String(String::from_utf8_lossy(&rng.bytes(20)).into_owned()),
        5 => Value::Array(
            (0..rng.below(4))
                .map(|_| random_json(rng, depth - 1))
                .collect(),
        ),
        _ => Value::Object(
            (0..rng.below(4))
                .map(|i| (format!("k{i}"), random_json(rng, depth - 1)))
                .collect(),
        ),
    }
}

/// Replaces, drops or retypes one node of `v`.
pub fn mutate_json(rng: &mut Rng, v: &mut Value) {
    match v {
        Value::Object(map) if !map.is_empty() && rng.chance(70) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let key = rng.pick(&keys).clone();
            match rng.below(3) {
                0 => {
                    map.remove(&key);
                }
                1 => {
                    map.insert(key, random_json(rng, 2));
                }
                _ => mutate_json(rng, map.get_mut(&key).expect("key present")),
            }
        }
        Value::Array(items) if !items.is_empty() && rng.chance(70) => {
            let i = rng.below(items.len());
            mutate_json(rng, &mut items[i]);
        }
        _ => *v = random_json(rng, 2),
    }
}

/// Flips, cuts, repeats or splices bytes.
pub fn mutate_bytes(rng: &mut Rng, mut b: Vec<u8>) -> Vec<u8> {
    for _ in 0..=rng.below(3) {
        match rng.below(5) {
            0 if !b.is_empty() => {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            1 if !b.is_empty() => {
                let n = rng.below(b.len());
                b.truncate(n);
            }
            2 => b.extend(rng.bytes(32)),
            3 if !b.is_empty() => {
                let i = rng.below(b.len());
                b[i] = *rng.pick(&[0u8, 1, 0x7f, 0x80, 0xff]);
            }
            _ => {
                let i = rng.below(b.len() + 1);
                let extra = rng.bytes(8);
                b.splice(i..i, extra);
            }
        }
    }
    b
}

/// A sandbox holding keys of several specs, aliases and a grant; the ids go into `vocab`.
fn seeded_sandbox(seed: u64, vocab: &mut Vocabulary) -> Sandbox {
    let mut kms = Sandbox::in_memory(seed);
    kms.entropy = Box::new(FuzzEntropy {
        inner: SeededEntropy::new(seed),
    });
    let specs = [
        json!({}),
        json!({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"}),
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
        json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}),
    ];
    for (i, spec) in specs.into_iter().enumerate() {
        let Ok(out) = kms.call("CreateKey", spec) else {
            continue;
        };
        let meta = &out["KeyMetadata"];
        for field in ["KeyId", "Arn"] {
            if let Some(s) = meta[field].as_str() {
                vocab.strings.push(s.to_string());
            }
        }
        let id = meta["KeyId"].as_str().unwrap_or_default().to_string();
        let alias = format!("alias/fuzz-{i}");
        let _ = kms.call(
            "CreateAlias",
            json!({"AliasName": alias, "TargetKeyId": id}),
        );
        vocab.strings.push(alias);
        if i == 0 {
            if let Ok(out) = kms.call(
                "Encrypt",
                json!({"KeyId": id, "Plaintext": "AAECAw==", "EncryptionContext": {"a": "b"}}),
            ) {
                if let Some(b) = out["CiphertextBlob"].as_str() {
                    if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b) {
                        vocab.blobs.push(bytes);
                    }
                }
            }
            if let Ok(out) = kms.call(
                "CreateGrant",
                json!({"KeyId": id, "GranteePrincipal": "arn:aws:iam::111122223333:root", "Operations": ["Decrypt"]}),
            ) {
                for field in ["GrantId", "GrantToken"] {
                    if let Some(s) = out[field].as_str() {
                        vocab.strings.push(s.to_string());
                    }
                }
            }
        }
    }
    let _ = kms.call_service(Service::Iam, "CreateUser", json!({"UserName": "dev"}));
    kms
}

/// Runs `target` on `count` inputs from `seed`; stops at the first panic and returns it.
pub fn run(target: &'static str, count: u64, seed: u64) -> Result<u64, Find> {
    // Panics are finds, reported by `run`, not printed as they happen.
    let previous = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let result = run_inner(target, count, seed);
    panic::set_hook(previous);
    result
}

fn catch(target: &'static str, input: String, f: impl FnOnce()) -> Result<(), Find> {
    panic::catch_unwind(AssertUnwindSafe(f)).map_err(|p| Find {
        target,
        input,
        message: p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "panic".into()),
    })
}

fn run_inner(target: &'static str, count: u64, seed: u64) -> Result<u64, Find> {
    let mut rng = Rng::new(seed);
    let mut vocab = Vocabulary::base();
    let mut kms = seeded_sandbox(seed, &mut vocab);
    let models: [(Service, &Model); 4] = [
        (Service::Kms, model::kms()),
        (Service::Iam, model::iam()),
        (Service::Sts, model::sts()),
        (Service::CloudTrail, model::cloudtrail()),
    ];
    let policies = [
        kms_core::json!({"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}),
        kms_core::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotAction": ["kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:EncryptionContext:a": "${aws:username}"}, "ForAnyValue:StringLike": {"kms:GrantOperations": ["Decrypt*"]}, "Bool": {"aws:SecureTransport": "true"}, "NumericLessThan": {"kms:ExpirationModel": "3"}}}]}),
    ];
    for i in 0..count {
        // A fresh sandbox now and then, so the state does not only grow.
        if i % 2000 == 1999 {
            vocab = Vocabulary::base();
            kms = seeded_sandbox(seed ^ i, &mut vocab);
        }
        match target {
            "dispatch" => {
                let (service, m) = *rng.pick(&models);
                let ops: Vec<&String> = m.operations.keys().collect();
                let op = if rng.chance(1) {
                    "NoSuchOperation".to_string()
                } else {
                    rng.pick(&ops).to_string()
                };
                let g = Generator {
                    model: m,
                    vocab: std::mem::replace(
                        &mut vocab,
                        Vocabulary {
                            strings: vec![],
                            blobs: vec![],
                        },
                    ),
                };
                let input = if op == "NoSuchOperation" {
                    random_json(&mut rng, 2)
                } else {
                    g.input(&mut rng, &op)
                };
                vocab = g.vocab;
                let text = format!("{} {op} {input}", service.name());
                catch(target, text, || {
                    let _ = if service == Service::Kms {
                        kms.call(&op, input)
                    } else {
                        kms.call_service(service, &op, input)
                    };
                })?;
            }
            "ciphertext" => {
                let blob = rng_pick_clone(&mut rng, &vocab.blobs);
                let blob = mutate_bytes(&mut rng, blob);
                let b64 = base64::engine::general_purpose::STANDARD.encode(&blob);
                let (op, mut input) = if rng.chance(50) {
                    (
                        "Decrypt",
                        json!({"CiphertextBlob": b64, "EncryptionContext": {"a": "b"}}),
                    )
                } else {
                    (
                        "ReEncrypt",
                        json!({"CiphertextBlob": b64, "DestinationKeyId": "alias/fuzz-0", "SourceEncryptionContext": {"a": "b"}}),
                    )
                };
                if rng.chance(20) {
                    mutate_json(&mut rng, &mut input);
                }
                catch(target, format!("{op} {input}"), || {
                    let _ = kms.call(op, input);
                })?;
            }
            "policy" => {
                let mut doc = rng.pick(&policies).clone();
                for _ in 0..=rng.below(3) {
                    mutate_json(&mut rng, &mut doc);
                }
                let mut text = doc.to_string();
                if rng.chance(10) {
                    text = String::from_utf8_lossy(&mutate_bytes(&mut rng, text.into_bytes()))
                        .into_owned();
                }
                catch(target, text.clone(), || {
                    let _ = Policy::parse(&text, PolicyKind::Resource);
                    let _ = Policy::parse(&text, PolicyKind::Identity);
                })?;
            }
            "model" => {
                let (_, m) = *rng.pick(&models);
                let ops: Vec<&String> = m.operations.keys().collect();
                let op = rng.pick(&ops).to_string();
                let g = Generator {
                    model: m,
                    vocab: std::mem::replace(
                        &mut vocab,
                        Vocabulary {
                            strings: vec![],
                            blobs: vec![],
                        },
                    ),
                };
                let mut input = g.input(&mut rng, &op);
                vocab = g.vocab;
                mutate_json(&mut rng, &mut input);
                catch(target, format!("{op} {input}"), || {
                    let _ = m.validate_input(&op, &input);
                })?;
            }
            "query" => {
                let m = if rng.chance(50) {
                    model::iam()
                } else {
                    model::sts()
                };
                let ops: Vec<&String> = m.operations.keys().collect();
                let op = rng.pick(&ops).to_string();
                let mut body = format!("Action={op}&Version={}", m.api_version);
                for _ in 0..rng.below(6) {
                    let key = rng.pick(&[
                        "UserName",
                        "PolicyDocument",
                        "Tags.member.1.Key",
                        "Tags.member.999999999999.Value",
                        "RoleArn",
                        "DurationSeconds",
                        "a.b.c",
                        "%zz",
                        "=",
                        "&&",
                    ]);
                    let value = rng.pick(&vocab.strings).clone();
                    body.push_str(&format!("&{key}={value}"));
                }
                let bytes = if rng.chance(30) {
                    mutate_bytes(&mut rng, body.into_bytes())
                } else {
                    body.into_bytes()
                };
                catch(target, String::from_utf8_lossy(&bytes).into_owned(), || {
                    if let Ok((op, request)) = kms_core::query::decode(m, &bytes) {
                        let _ = m.validate_input(&op, &request);
                    }
                })?;
            }
            "envelope" => {
                let sealed =
                    envelope::seal(&[7u8; 32], [1u8; 12], &rng.bytes(200), &rng.bytes(100))
                        .expect("seal");
                let bytes = mutate_bytes(&mut rng, sealed);
                catch(target, format!("{bytes:?}"), || {
                    if let Ok(env) = envelope::parse(&bytes) {
                        let _ = envelope::open(&[7u8; 32], &env);
                    }
                })?;
            }
            other => panic!("unknown fuzz target {other}; targets: {TARGETS:?}"),
        }
    }
    Ok(count)
}
