//! The console's only door to the KMS: request builders ([`requests`]) and, in the browser,
//! [`Kms`], which sends them through the sandbox's public API (`kms_web::Sandbox::call_in`).
//! Nothing here sees key material or the store.

pub mod requests;
// (Natively only the pure modules are built, and they name requests by path.)
#[cfg_attr(not(target_arch = "wasm32"), allow(unused_imports))]
pub use requests::Request;

#[cfg_attr(not(target_arch = "wasm32"), allow(unused_imports))]
pub use crate::error::{ApiError, DeniedCall};

#[cfg(target_arch = "wasm32")]
mod client;
#[cfg(target_arch = "wasm32")]
pub use client::*;
