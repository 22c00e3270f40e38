//! DeriveSharedSecret: ECDH between a KEY_AGREEMENT key and a peer's public key. The peer can be
//! another key agreement key of this Region (its GetPublicKey), so that a learner sees both sides
//! derive the same secret.

use super::{needs, output_block, result_view, selected_key_id, send_into};
use crate::components::{ApiPanel, InfoAlert};
use crate::hooks::use_kms;
use crate::kms::{requests as r, ApiError, KeyRow};
use crate::util;
use kms_web::types::KeyUsage;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub(super) struct AgreementProps {
    pub selected_key: Option<KeyRow>,
    /// The Region's keys described so far: the KEY_AGREEMENT ones are offered as peers.
    pub keys: Vec<KeyRow>,
    /// Whether the Region's keys are still being described to find peers.
    #[prop_or_default]
    pub searching: bool,
}

#[function_component]
pub(super) fn AgreementPanel(p: &AgreementProps) -> Html {
    let kms = use_kms();
    let peer_key = use_state(String::new);
    let busy = use_state(|| false);
    let outcome = use_state(|| None::<Result<String, ApiError>>);
    let key_id = selected_key_id(&p.selected_key);
    let peers: Vec<&KeyRow> = p
        .keys
        .iter()
        .filter(|k| k.meta.key_usage == Some(KeyUsage::KeyAgreement) && k.meta.key_id != key_id)
        .collect();
    let req = r::derive_shared_secret(&key_id, peer_key.trim());
    let derive = send_into(&kms, &req, &busy, &outcome, |v| {
        v["SharedSecret"].as_str().unwrap_or_default().to_string()
    });
    // Fills the peer public key with another key's GetPublicKey.
    let use_peer = {
        let (kms, peer_key, outcome) = (kms.clone(), peer_key.clone(), outcome.clone());
        Callback::from(move |e: Event| {
            let id = util::select_value(&e);
            if id.is_empty() {
                return;
            }
            let (kms, peer_key, outcome) = (kms.clone(), peer_key.clone(), outcome.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match kms.public_key(&id).await {
                    Ok(public_key) => peer_key.set(public_key),
                    Err(e) => outcome.set(Some(Err(e))),
                }
            });
        })
    };
    html! {
        <div class="panel">
            <div class="panel-header"><h2>{"Derive shared secret"}</h2></div>
            <div class="panel-body">
                { needs(&p.selected_key, KeyUsage::KeyAgreement, "DeriveSharedSecret").unwrap_or_default() }
                <p class="hint">{"ECDH between this key's private key, which never leaves KMS, and a peer's public key. \
                    The peer, with its own private key and this key's public key, derives the same secret."}</p>
                if p.searching {
                    <p class="hint" role="status">{"Looking for the Region's other key agreement keys…"}</p>
                }
                if !peers.is_empty() {
                    <div class="field">
                        <label for="agreement-peer">{"Peer: another key agreement key of this Region - "}<em>{"optional"}</em></label>
                        <select id="agreement-peer" onchange={use_peer}>
                            <option value="">{"Paste a public key below, or choose a key"}</option>
                            { for peers.iter().map(|k| html! { <option value={k.meta.key_id.clone()}>{ format!("{} ({})", k.aliases.first().cloned().unwrap_or_else(|| k.meta.key_id.clone()), k.meta.spec_name()) }</option> }) }
                        </select>
                    </div>
                }
                <div class="field">
                    <label for="agreement-public-key">{"Peer public key (base64 DER SubjectPublicKeyInfo)"}</label>
                    <textarea id="agreement-public-key" class="code-editor" rows="4" value={(*peer_key).clone()}
                        oninput={ let k = peer_key.clone(); Callback::from(move |e: InputEvent| k.set(util::textarea_value(&e))) } />
                    <div class="field-hint">{"On the same curve as this key; KMS answers ValidationException otherwise."}</div>
                </div>
                <div class="button-row">
                    <button class="btn btn-primary" disabled={*busy || p.selected_key.is_none() || peer_key.trim().is_empty()} onclick={derive}>{"Derive shared secret"}</button>
                </div>
                { result_view(&outcome, |secret| html! { <>
                    <InfoAlert kind="success"><span data-testid="agreement-outcome">{ format!("Derived a {}-byte shared secret.", util::unb64(secret).map(|b| b.len()).unwrap_or(0)) }</span></InfoAlert>
                    { output_block("Shared secret (base64)", "agreement-secret", secret, None) }
                </> }) }
                <ApiPanel requests={vec![req]} />
            </div>
        </div>
    }
}
