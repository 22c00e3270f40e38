//! The Cryptographic configuration tab: the key's type, origin, spec, usage and algorithms.

use super::TabProps;
use crate::components::ApiPanel;
use crate::kms::requests as r;
use crate::model::{key_usage_label, origin_label};
use yew::prelude::*;

#[function_component]
pub fn CryptoConfigTab(p: &TabProps) -> Html {
    let m = &p.meta;
    let kv = |k: &str, v: String| html! { <div class="kv"><div class="kv-key">{ k.to_string() }</div><div class="kv-value">{ v }</div></div> };
    // The algorithms under their AWS names, as DescribeKey lists them.
    fn list<T: std::fmt::Display>(v: &[T]) -> String {
        v.iter().map(T::to_string).collect::<Vec<_>>().join(", ")
    }
    html! {
        <div class="panel">
            <div class="panel-header"><h2>{"Cryptographic configuration"}</h2></div>
            <div class="panel-body grid-3" data-testid="crypto-config">
                { kv("Key type", m.key_type().to_string()) }
                { kv("Origin", origin_label(m.origin).to_string()) }
                { kv("Key spec", m.spec_name().to_string()) }
                { kv("Key usage", key_usage_label(m.key_usage).to_string()) }
                if !m.encryption_algorithms.is_empty() { { kv("Encryption algorithms", list(&m.encryption_algorithms)) } }
                if !m.signing_algorithms.is_empty() { { kv("Signing algorithms", list(&m.signing_algorithms)) } }
                if !m.mac_algorithms.is_empty() { { kv("MAC algorithms", list(&m.mac_algorithms)) } }
                if !m.key_agreement_algorithms.is_empty() { { kv("Key agreement algorithms", list(&m.key_agreement_algorithms)) } }
            </div>
            <div class="panel-body panel-footer-api"><ApiPanel requests={vec![r::describe_key(&m.key_id)]} /></div>
        </div>
    }
}
