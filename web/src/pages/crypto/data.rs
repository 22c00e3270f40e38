//! Data keys (GenerateDataKey) and random bytes (GenerateRandom).

use super::{
    context_editor, needs, output_block, result_view, selected_key_id, send_into, KeyProps,
};
use crate::components::ApiPanel;
use crate::hooks::use_kms;
use crate::kms::{requests as r, ApiError};
use crate::util;
use kms_web::types::KeyUsage;
use yew::prelude::*;

#[function_component]
pub(super) fn DataKeyPanel(p: &KeyProps) -> Html {
    let kms = use_kms();
    let context = use_state(Vec::<(String, String)>::new);
    let busy = use_state(|| false);
    let result = use_state(|| None::<Result<(String, String), ApiError>>);
    let req = r::generate_data_key(&selected_key_id(&p.selected_key), &context);
    let generate = send_into(&kms, &req, &busy, &result, |v| {
        (
            v["Plaintext"].as_str().unwrap_or_default().to_string(),
            v["CiphertextBlob"].as_str().unwrap_or_default().to_string(),
        )
    });
    html! {
        <div class="panel">
            <div class="panel-header"><h2>{"Generate data key"}</h2></div>
            <div class="panel-body">
                <p class="hint">{"A data key is a unique AES key for encrypting data outside KMS. KMS returns it in plaintext (use it, then forget it) \
                    and encrypted under your KMS key (store it with the data; Decrypt recovers the plaintext key later)."}</p>
                { needs(&p.selected_key, KeyUsage::EncryptDecrypt, "GenerateDataKey").unwrap_or_default() }
                { context_editor(&context, &p.selected_key) }
                <div class="button-row">
                    <button class="btn btn-primary" disabled={*busy || p.selected_key.is_none()} onclick={generate}>{"Generate data key"}</button>
                </div>
                { result_view(&result, |(pt, ct)| html! { <>
                    { output_block("Plaintext data key (base64) - keep secret, never store", "datakey-plaintext", pt, None) }
                    { output_block("Encrypted data key (CiphertextBlob, base64)", "datakey-ciphertext", ct, Some(("data-key.encrypted", util::unb64(ct).unwrap_or_default()))) }
                </> }) }
                <ApiPanel requests={vec![req]} />
            </div>
        </div>
    }
}

#[function_component]
pub(super) fn RandomPanel() -> Html {
    let kms = use_kms();
    let count = use_state(|| "32".to_string());
    let busy = use_state(|| false);
    let result = use_state(|| None::<Result<String, ApiError>>);
    let n: u32 = count.trim().parse().unwrap_or(0);
    let valid = (1..=1024).contains(&n);
    let req = r::generate_random(n);
    let generate = send_into(&kms, &req, &busy, &result, |v| {
        v["Plaintext"].as_str().unwrap_or_default().to_string()
    });
    let hex = |b64: &str| {
        util::unb64(b64)
            .unwrap_or_default()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    html! {
        <div class="panel">
            <div class="panel-header"><h2>{"Generate random bytes"}</h2></div>
            <div class="panel-body">
                <div class="field">
                    <label for="random-count">{"Number of bytes"}</label>
                    <input id="random-count" type="number" min="1" max="1024" value={(*count).clone()}
                        oninput={ let c = count.clone(); Callback::from(move |e: InputEvent| c.set(util::input_value(&e))) } />
                    if !valid { <div class="field-error">{"Enter a number of bytes between 1 and 1024."}</div> }
                </div>
                <div class="button-row">
                    <button class="btn btn-primary" disabled={*busy || !valid} onclick={generate}>{"Generate random"}</button>
                </div>
                { result_view(&result, |b| html! { <>
                    { output_block("Random bytes (base64)", "random-b64", b, None) }
                    { output_block("Random bytes (hex)", "random-hex", &hex(b), None) }
                </> }) }
                <ApiPanel requests={vec![req]} />
            </div>
        </div>
    }
}
