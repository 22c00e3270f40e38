//! Encapsulate and Decapsulate with an ML-KEM key: KMS makes a shared secret and its ciphertext
//! (what a sender does with the public key), then recovers the secret from the ciphertext with
//! the private key, which never leaves KMS.

use super::pair::use_request_pair;
use super::{needs, output_block, selected_key_id, KeyProps};
use crate::components::ApiPanel;
use crate::kms::requests as r;
use crate::util;
use kms_web::types::KeyUsage;
use yew::prelude::*;

#[function_component]
pub(super) fn KemPanel(p: &KeyProps) -> Html {
    // The pair's value is the shared secret ciphertext: Encapsulate fills it, Decapsulate reads it.
    let pair = use_request_pair();
    let ciphertext = pair.value.clone();
    let busy = pair.busy.clone();
    let encapsulated = use_state(|| None::<String>);
    let key_id = selected_key_id(&p.selected_key);
    let encapsulate_req = r::encapsulate(&key_id);
    let decapsulate_req = r::decapsulate(&key_id, ciphertext.trim());
    let encapsulate = {
        let (ciphertext, encapsulated) = (ciphertext.clone(), encapsulated.clone());
        pair.send(encapsulate_req.clone(), move |v| {
            let secret = v["SharedSecret"].as_str().unwrap_or_default().to_string();
            ciphertext.set(
                v["SharedSecretCiphertextBlob"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            );
            encapsulated.set(Some(secret.clone()));
            format!(
                "Encapsulated: a {}-byte shared secret and its ciphertext. Decapsulate the ciphertext to get the same secret back.",
                util::unb64(&secret).map(|b| b.len()).unwrap_or(0)
            )
        })
    };
    let decapsulate = {
        let encapsulated = encapsulated.clone();
        pair.send(decapsulate_req.clone(), move |v| {
            let secret = v["SharedSecret"].as_str().unwrap_or_default();
            let same = match &*encapsulated {
                Some(s) if s == secret => " It is the secret Encapsulate made.",
                Some(_) => " It is not the secret Encapsulate made (ML-KEM's implicit rejection gives a pseudo-random one for a changed ciphertext).",
                None => "",
            };
            format!("Decapsulated: {secret}.{same}")
        })
    };
    html! {
        <div class="panel">
            <div class="panel-header"><h2>{"Encapsulate and decapsulate"}</h2></div>
            <div class="panel-body">
                { needs(&p.selected_key, KeyUsage::EncapsulateDecapsulate, "Key encapsulation").unwrap_or_default() }
                <div class="button-row">
                    <button class="btn btn-primary" disabled={*busy || p.selected_key.is_none()} onclick={encapsulate}>{"Encapsulate"}</button>
                </div>
                if let Some(secret) = &*encapsulated {
                    { output_block("Shared secret from Encapsulate (base64)", "kem-secret", secret, None) }
                }
                { pair.value_field("kem-ciphertext", "Shared secret ciphertext (base64)", "4") }
                <div class="button-row">
                    <button class="btn" disabled={*busy || p.selected_key.is_none() || ciphertext.trim().is_empty()} onclick={decapsulate}>{"Decapsulate"}</button>
                </div>
                { pair.outcome(Some("kem-outcome")) }
                <ApiPanel requests={vec![encapsulate_req, decapsulate_req]} />
            </div>
        </div>
    }
}
