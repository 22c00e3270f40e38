//! Measures what Terraform in the page adds to a wasm module (README: "Terraform"):
//!
//!     cargo build -p kms-terraform --target wasm32-unknown-unknown --release --example terraform_wasm_size --features baseline
//!     cargo build -p kms-terraform --target wasm32-unknown-unknown --release --example terraform_wasm_size --features hcl-only
//!     cargo build -p kms-terraform --target wasm32-unknown-unknown --release --example terraform_wasm_size
//!
//! The baseline touches only what the console already ships (kms-core's models, serde_json);
//! `hcl-only` adds hcl-rs parsing and evaluating an expression; the default is the whole crate.

use std::hint::black_box;

fn baseline() {
    let name = black_box(String::from("kms"));
    let model = kms_core::Service::from_name(&name).unwrap().model();
    let v = serde_json::to_string(&model.operations.keys().collect::<Vec<_>>()).unwrap();
    black_box(serde_json::from_str::<serde_json::Value>(&v).unwrap());
}

#[cfg(not(any(feature = "baseline", feature = "hcl-only")))]
fn main() {
    baseline();
    let files = vec![(
        kms_terraform::EXAMPLE_NAME.to_string(),
        black_box(kms_terraform::EXAMPLE.to_string()),
    )];
    let env = kms_terraform::Env {
        region: "ap-southeast-2".into(),
        account_id: "111122223333".into(),
    };
    let line = black_box(String::from("terraform apply -auto-approve"));
    let out = kms_terraform::run(&line, &files, None, &env, |c| {
        Ok(black_box(c.input.clone()))
    });
    black_box(out);
}

#[cfg(feature = "hcl-only")]
fn main() {
    use hcl::eval::Evaluate;
    baseline();
    let text = black_box(String::from("a = \"x-${1 + 2}\"\n"));
    let body = hcl::parse(&text).unwrap();
    let ctx = hcl::eval::Context::new();
    for a in body.attributes() {
        black_box(a.expr().evaluate(&ctx).ok());
    }
}

#[cfg(feature = "baseline")]
fn main() {
    baseline();
}
