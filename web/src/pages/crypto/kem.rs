//! Encapsulate and Decapsulate with an ML-KEM key: KMS makes a shared secret and its ciphertext
//! (what a sender does with the public key), then recovers the secret from the ciphertext with
//! the private key, which never leaves KMS.

use super::{needs, output_block, run_request, KeyProps};
use crate::components::{ApiPanel, ErrorAlert, InfoAlert};
use crate::hooks::use_kms;
use crate::kms::{requests as r, ApiError};
use crate::util;
use kms_core::KeyUsage;
use yew::prelude::*;

#[function_component]
pub(super) fn KemPanel(p: &KeyProps) -> Html {
    let kms = use_kms();
    let ciphertext = use_state(String::new);
    let encapsulated = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let outcome = use_state(|| None::<Result<String, ApiError>>);
    let key_id = p
        .selected_key
        .as_ref()
        .map(|k| k.meta.key_id.clone())
        .unwrap_or_default();
    let encapsulate_req = r::encapsulate(&key_id);
    let decapsulate_req = r::decapsulate(&key_id, ciphertext.trim());
    let encapsulate = {
        let (kms, req, busy, outcome, ciphertext, encapsulated) = (
            kms.clone(),
            encapsulate_req.clone(),
            busy.clone(),
            outcome.clone(),
            ciphertext.clone(),
            encapsulated.clone(),
        );
        Callback::from(move |_| {
            let (outcome, ciphertext, encapsulated) =
                (outcome.clone(), ciphertext.clone(), encapsulated.clone());
            run_request(
                kms.clone(),
                req.clone(),
                busy.clone(),
                move |res| match res {
                    Ok(v) => {
                        let secret = v["SharedSecret"].as_str().unwrap_or_default().to_string();
                        ciphertext.set(
                            v["SharedSecretCiphertextBlob"]
                                .as_str()
                                .unwrap_or_default()
                                .to_string(),
                        );
                        encapsulated.set(Some(secret.clone()));
                        outcome.set(Some(Ok(format!(
                        "Encapsulated: a {}-byte shared secret and its ciphertext. Decapsulate the ciphertext to get the same secret back.",
                        util::unb64(&secret).map(|b| b.len()).unwrap_or(0)
                    ))));
                    }
                    Err(e) => outcome.set(Some(Err(e))),
                },
            );
        })
    };
    let decapsulate = {
        let (kms, req, busy, outcome, encapsulated) = (
            kms.clone(),
            decapsulate_req.clone(),
            busy.clone(),
            outcome.clone(),
            encapsulated.clone(),
        );
        Callback::from(move |_| {
            let (outcome, encapsulated) = (outcome.clone(), encapsulated.clone());
            run_request(kms.clone(), req.clone(), busy.clone(), move |res| {
                outcome.set(Some(res.map(|v| {
                    let secret = v["SharedSecret"].as_str().unwrap_or_default();
                    let same = match &*encapsulated {
                        Some(s) if s == secret => " It is the secret Encapsulate made.",
                        Some(_) => " It is not the secret Encapsulate made (ML-KEM's implicit rejection gives a pseudo-random one for a changed ciphertext).",
                        None => "",
                    };
                    format!("Decapsulated: {secret}.{same}")
                })));
            });
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
                <div class="field">
                    <label for="kem-ciphertext">{"Shared secret ciphertext (base64)"}</label>
                    <textarea id="kem-ciphertext" class="code-editor" rows="4" value={(*ciphertext).clone()}
                        oninput={ let c = ciphertext.clone(); Callback::from(move |e: InputEvent| c.set(util::textarea_value(&e))) } />
                </div>
                <div class="button-row">
                    <button class="btn" disabled={*busy || p.selected_key.is_none() || ciphertext.trim().is_empty()} onclick={decapsulate}>{"Decapsulate"}</button>
                </div>
                { match &*outcome {
                    Some(Ok(m)) => html! { <InfoAlert kind="success"><span data-testid="kem-outcome">{ m }</span></InfoAlert> },
                    Some(Err(e)) => html! { <ErrorAlert error={e.clone()} /> },
                    None => html! {},
                } }
                <ApiPanel requests={vec![encapsulate_req, decapsulate_req]} />
            </div>
        </div>
    }
}
