//! The tabs of the key detail page, one module each: key policy, cryptographic configuration,
//! tags, key rotation, public key and aliases. Here: what they share.

mod aliases;
mod crypto_config;
mod policy;
mod public_key;
mod rotation;
mod tags;

pub use aliases::AliasesTab;
pub use crypto_config::CryptoConfigTab;
pub use policy::KeyPolicyTab;
pub use public_key::PublicKeyTab;
pub use rotation::RotationTab;
pub use tags::TagsTab;

use crate::components::{ErrorAlert, Spinner};
use crate::hooks::Load;
use crate::model::KeyMetadata;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TabProps {
    pub meta: KeyMetadata,
}

/// A spinner while `l` loads, AWS's error if it failed; `None` once it is ready.
fn loading_or_error<T>(l: &Load<T>) -> Option<Html> {
    match l {
        Load::Loading => Some(html! { <Spinner /> }),
        Load::Failed(e) => Some(html! { <ErrorAlert error={e.clone()} /> }),
        Load::Ready(_) => None,
    }
}

/// Why a customer managed key's settings are frozen, if they are.
fn frozen(meta: &KeyMetadata) -> Option<&'static str> {
    if !meta.is_customer_managed() {
        Some("AWS managed keys cannot be changed.")
    } else if meta.is_pending_deletion() {
        Some("A key that is pending deletion cannot be changed. Cancel its deletion first.")
    } else {
        None
    }
}
