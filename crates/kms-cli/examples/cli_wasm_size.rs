//! Measures what the CLI adds to a wasm module (README: "AWS CLI in the page"):
//!
//!     cargo build -p kms-cli --target wasm32-unknown-unknown --release --example cli_wasm_size
//!     cargo build -p kms-cli --target wasm32-unknown-unknown --release --example cli_wasm_size --features baseline
//!
//! The baseline touches only what the console already ships (kms-core's models, serde_json).

use std::collections::BTreeMap;
use std::hint::black_box;

#[cfg(not(feature = "baseline"))]
fn main() {
    let files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let line = black_box(String::from("aws kms list-keys --output table"));
    let ctx = kms_cli::Context::new(&files, "ap-southeast-2");
    let out = kms_cli::run(&line, &ctx, |_, req| Ok(black_box(req)));
    black_box(out);
    black_box(kms_cli::complete(&line));
}

#[cfg(feature = "baseline")]
fn main() {
    let name = black_box(String::from("kms"));
    let model = kms_core::Service::from_name(&name).unwrap().model();
    let v = serde_json::to_string(&model.operations.keys().collect::<Vec<_>>()).unwrap();
    black_box(serde_json::from_str::<serde_json::Value>(&v).unwrap());
}
