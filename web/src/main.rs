//! KMS Sandbox console: the AWS KMS console, in Yew, over the in-browser KMS.
//!
//! `main` only renders [`app::App`]. The pure modules (pricing, policy, snippets, envelope,
//! key lists, model, request builders) build natively too, so `cargo test -p kms-console` tests
//! them without a browser.

#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

mod access;
mod envelope;
mod error;
mod iam;
mod key_list;
mod kms;
mod model;
mod policy;
mod pricing;
mod snippets;
mod terminal;
mod trail;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod components;
#[cfg(target_arch = "wasm32")]
mod hooks;
#[cfg(target_arch = "wasm32")]
mod pages;
#[cfg(target_arch = "wasm32")]
mod route;
#[cfg(target_arch = "wasm32")]
mod state;
#[cfg(target_arch = "wasm32")]
mod tf_state;
#[cfg(target_arch = "wasm32")]
mod tools;
#[cfg(target_arch = "wasm32")]
mod util;

#[cfg(target_arch = "wasm32")]
fn main() {
    yew::Renderer::<app::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "kms-console is a browser app: build it with `trunk build` (see scripts/serve-console.sh)."
    );
}
