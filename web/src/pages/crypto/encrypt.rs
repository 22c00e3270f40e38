//! Encrypt and Decrypt of text or small files, directly under a KMS key (up to 4 KiB).

use super::{
    algorithm_select, context_editor, needs, output_block, result_view, selected_key_id, send_into,
    Handoff, KeyProps,
};
use crate::components::{ApiPanel, InfoAlert};
use crate::hooks::use_kms;
use crate::kms::{requests as r, ApiError};
use crate::model::{algorithm_name, pick_algorithm};
use crate::util;
use kms_web::types::{EncryptionAlgorithm, KeyUsage};
use std::rc::Rc;
use yew::prelude::*;

use super::DIRECT_LIMIT;

/// A file input's change: reads the picked file and hands its name and bytes to `read`; a file
/// the browser could not read is said in `error`.
fn on_file_read(
    error: &UseStateHandle<Option<String>>,
    read: impl Fn(String, Vec<u8>) + 'static,
) -> Callback<Event> {
    let error = error.clone();
    let read = Rc::new(read);
    Callback::from(move |e: Event| {
        let (error, read) = (error.clone(), read.clone());
        if let Some(f) = util::picked_file(&e) {
            wasm_bindgen_futures::spawn_local(async move {
                match util::read_file(&f).await {
                    Ok(bytes) => {
                        error.set(None);
                        read(f.name(), bytes);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    })
}

#[function_component]
pub(super) fn EncryptPanel(p: &KeyProps) -> Html {
    let kms = use_kms();
    let mode_file = use_state(|| false);
    let text = use_state(String::new);
    let file = use_state(|| None::<(String, Vec<u8>)>);
    let context = use_state(Vec::<(String, String)>::new);
    // The select's value (an AWS name); `pick_algorithm` keeps it to what the key offers.
    let algorithm = use_state(|| EncryptionAlgorithm::SymmetricDefault.as_str().to_string());
    let busy = use_state(|| false);
    let result = use_state(|| None::<Result<String, ApiError>>);
    let file_error = use_state(|| None::<String>);

    let algorithms = p
        .selected_key
        .as_ref()
        .map(|k| k.meta.encryption_algorithms.clone())
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| vec![EncryptionAlgorithm::SymmetricDefault]);
    let alg = pick_algorithm(&algorithm, &algorithms);
    let plaintext: Vec<u8> = if *mode_file {
        file.as_ref().map(|f| f.1.clone()).unwrap_or_default()
    } else {
        text.as_bytes().to_vec()
    };
    let req = r::encrypt(
        &selected_key_id(&p.selected_key),
        &util::b64(&plaintext),
        algorithm_name(alg),
        &context,
    );
    let too_big = plaintext.len() > DIRECT_LIMIT;

    let on_file = {
        let file = file.clone();
        on_file_read(&file_error, move |name, bytes| {
            file.set(Some((name, bytes)))
        })
    };
    let encrypt = send_into(&kms, &req, &busy, &result, |v| {
        v["CiphertextBlob"].as_str().unwrap_or_default().to_string()
    });
    html! {
        <div class="panel">
            <div class="panel-header"><h2>{"Encrypt"}</h2></div>
            <div class="panel-body">
                { needs(&p.selected_key, KeyUsage::EncryptDecrypt, "Encrypt").unwrap_or_default() }
                <div class="segmented" role="radiogroup" aria-label="Plaintext source">
                    <button type="button" role="radio" aria-checked={(!*mode_file).to_string()} class={classes!((!*mode_file).then_some("on"))}
                        onclick={ let m = mode_file.clone(); Callback::from(move |_| m.set(false)) }>{"Text"}</button>
                    <button type="button" role="radio" aria-checked={mode_file.to_string()} class={classes!(mode_file.then_some("on"))}
                        onclick={ let m = mode_file.clone(); Callback::from(move |_| m.set(true)) }>{"File (up to 4 KiB)"}</button>
                </div>
                if *mode_file {
                    <div class="field">
                        <label for="encrypt-file">{"File to encrypt"}</label>
                        <input id="encrypt-file" type="file" onchange={on_file} />
                        if let Some((name, bytes)) = &*file { <div class="field-hint">{ format!("{name}: {} bytes", bytes.len()) }</div> }
                        if let Some(e) = &*file_error { <div class="field-error">{ e }</div> }
                    </div>
                } else {
                    <div class="field">
                        <label for="encrypt-plaintext">{"Plaintext"}</label>
                        <textarea id="encrypt-plaintext" rows="4" value={(*text).clone()} placeholder="Text to encrypt"
                            oninput={ let t = text.clone(); Callback::from(move |e: InputEvent| t.set(util::textarea_value(&e))) } />
                        <div class="field-hint">{ format!("{} of {DIRECT_LIMIT} bytes (UTF-8)", plaintext.len()) }</div>
                    </div>
                }
                if too_big {
                    <InfoAlert kind="warning">{"Encrypt takes at most 4,096 bytes. For larger data use envelope encryption (its own tab): \
                        KMS generates a data key, and the data is encrypted locally with it."}</InfoAlert>
                }
                { algorithm_select("encrypt-algorithm", &algorithms, alg, { let a = algorithm.clone(); Callback::from(move |e: Event| a.set(util::select_value(&e))) }) }
                { context_editor(&context, &p.selected_key) }
                <div class="button-row">
                    <button class="btn btn-primary" disabled={*busy || p.selected_key.is_none() || plaintext.is_empty()} onclick={encrypt}>
                        { if *busy { "Encrypting..." } else { "Encrypt" } }</button>
                </div>
                { result_view(&result, |ct| {
                    let bytes = util::unb64(ct).unwrap_or_default();
                    let handoff = p.to_decrypt.clone().map(|cb| {
                        let h = Handoff { ciphertext: ct.clone(), context: (*context).clone(), algorithm: algorithm_name(alg).to_string() };
                        html! { <button class="btn" onclick={Callback::from(move |_| cb.emit(h.clone()))}>{"Decrypt this ciphertext"}</button> }
                    });
                    html! { <>
                        { output_block("Ciphertext (base64)", "ciphertext-output", ct, Some(("ciphertext.bin", bytes))) }
                        <div class="field-hint">{ format!("{} bytes of ciphertext. It names the key that made it, so Decrypt needs no key ID for symmetric keys.", util::unb64(ct).map(|b| b.len()).unwrap_or(0)) }</div>
                        { handoff.unwrap_or_default() }
                    </> }
                }) }
                <ApiPanel requests={vec![req]} />
            </div>
        </div>
    }
}

#[function_component]
pub(super) fn DecryptPanel(p: &KeyProps) -> Html {
    let kms = use_kms();
    let ciphertext = use_state(String::new);
    let context = use_state(Vec::<(String, String)>::new);
    let algorithm = use_state(|| EncryptionAlgorithm::SymmetricDefault.as_str().to_string());
    let busy = use_state(|| false);
    let result = use_state(|| None::<Result<(Vec<u8>, String), ApiError>>);
    let local_error = use_state(|| None::<String>);
    {
        let (ciphertext, context, algorithm, result) = (
            ciphertext.clone(),
            context.clone(),
            algorithm.clone(),
            result.clone(),
        );
        use_effect_with(p.handoff.clone(), move |h| {
            if !h.ciphertext.is_empty() {
                ciphertext.set(h.ciphertext.clone());
                context.set(h.context.clone());
                algorithm.set(h.algorithm.clone());
                result.set(None);
            }
        });
    }
    let asymmetric = p
        .selected_key
        .as_ref()
        .is_some_and(|k| k.meta.is_asymmetric());
    let algorithms = if asymmetric {
        p.selected_key
            .as_ref()
            .map(|k| k.meta.encryption_algorithms.clone())
            .unwrap_or_default()
    } else {
        vec![EncryptionAlgorithm::SymmetricDefault]
    };
    let alg = pick_algorithm(&algorithm, &algorithms);
    // Symmetric ciphertexts name their key; asymmetric ones need the key and algorithm.
    let key_id = if asymmetric {
        p.selected_key.as_ref().map(|k| k.meta.key_id.clone())
    } else {
        None
    };
    let cleaned: String = ciphertext.chars().filter(|c| !c.is_whitespace()).collect();
    let req = r::decrypt(&cleaned, key_id.as_deref(), algorithm_name(alg), &context);
    let on_file = {
        let ciphertext = ciphertext.clone();
        // A base64 text file is taken as it is; anything else as raw ciphertext bytes.
        on_file_read(&local_error, move |_, bytes| {
            let as_text = String::from_utf8(bytes.clone())
                .ok()
                .filter(|t| util::unb64(t).is_ok());
            ciphertext.set(
                as_text
                    .map(|t| t.trim().to_string())
                    .unwrap_or_else(|| util::b64(&bytes)),
            );
        })
    };
    let decrypt = {
        let send = send_into(&kms, &req, &busy, &result, |v| {
            let pt = util::unb64(v["Plaintext"].as_str().unwrap_or_default()).unwrap_or_default();
            (pt, v["KeyId"].as_str().unwrap_or_default().to_string())
        });
        let (local_error, cleaned) = (local_error.clone(), cleaned.clone());
        // Text that is not base64 is the console's to point out; KMS never sees it.
        Callback::from(move |click| {
            if let Err(e) = util::unb64(&cleaned) {
                local_error.set(Some(e));
                return;
            }
            local_error.set(None);
            send.emit(click);
        })
    };
    html! {
        <div class="panel">
            <div class="panel-header"><h2>{"Decrypt"}</h2></div>
            <div class="panel-body">
                <div class="field">
                    <label for="decrypt-ciphertext">{"Ciphertext (base64)"}</label>
                    <textarea id="decrypt-ciphertext" class="code-editor" rows="4" value={(*ciphertext).clone()} placeholder="Paste a ciphertext blob in base64"
                        oninput={ let c = ciphertext.clone(); Callback::from(move |e: InputEvent| c.set(util::textarea_value(&e))) } />
                </div>
                <div class="field">
                    <label for="decrypt-file">{"Or upload a ciphertext file (raw bytes or base64 text)"}</label>
                    <input id="decrypt-file" type="file" onchange={on_file} />
                </div>
                if asymmetric {
                    <div class="field-hint">{"Asymmetric ciphertexts do not record their key: the request names the selected key and algorithm."}</div>
                    { algorithm_select("decrypt-algorithm", &algorithms, alg, { let a = algorithm.clone(); Callback::from(move |e: Event| a.set(util::select_value(&e))) }) }
                } else {
                    <div class="field-hint">{"A symmetric ciphertext records which key made it, so the request does not name a key."}</div>
                }
                { context_editor(&context, &p.selected_key) }
                if let Some(e) = &*local_error { <div class="field-error">{ e }</div> }
                <div class="button-row">
                    <button class="btn btn-primary" disabled={*busy || cleaned.is_empty()} onclick={decrypt}>{ if *busy { "Decrypting..." } else { "Decrypt" } }</button>
                </div>
                { result_view(&result, |(pt, key)| html! { <>
                    <InfoAlert kind="success" title="Decrypted">{ format!("Decrypted with key {key}.") }</InfoAlert>
                    { match util::bytes_as_text(pt) {
                        Some(t) => output_block("Plaintext", "plaintext-output", &t, Some(("plaintext.txt", pt.clone()))),
                        None => output_block("Plaintext (binary, base64)", "plaintext-output", &util::b64(pt), Some(("plaintext.bin", pt.clone()))),
                    } }
                </> }) }
                <ApiPanel requests={vec![req]} />
            </div>
        </div>
    }
}
