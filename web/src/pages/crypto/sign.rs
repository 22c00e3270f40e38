//! Sign and verify: a message, or a digest (or ML-DSA's μ) the caller computed, with the
//! MessageTypes each signing algorithm takes.

use super::pair::use_request_pair;
use super::{algorithm_select, needs, selected_key_id, KeyProps};
use crate::components::{ApiPanel, CopyButton};
use crate::kms::requests as r;
use crate::model::{algorithm_name, pick_algorithm};
use crate::util;
use kms_web::types::{KeyUsage, MessageType, SigningAlgorithm};
use yew::prelude::*;

#[function_component]
pub(super) fn SignPanel(p: &KeyProps) -> Html {
    let message = use_state(String::new);
    let algorithm = use_state(String::new);
    let message_type = use_state(|| MessageType::Raw);
    let pair = use_request_pair();
    let (busy, signature): (bool, &str) = (*pair.busy, &pair.value);
    // The key spec's signing algorithms from kms_core's spec table (the key's metadata lists the
    // same ones); the metadata's list for a spec the table does not know.
    let algorithms: Vec<SigningAlgorithm> = p
        .selected_key
        .as_ref()
        .map(|k| match k.meta.key_spec {
            Some(spec) => spec.signing_algorithms(KeyUsage::SignVerify),
            None => k.meta.signing_algorithms.clone(),
        })
        .unwrap_or_default();
    let picked = pick_algorithm(&algorithm, &algorithms);
    let alg = algorithm_name(picked);
    let message_types: &[MessageType] = picked
        .map(SigningAlgorithm::message_types)
        .unwrap_or(&[MessageType::Raw]);
    let mtype = if message_types.contains(&message_type) {
        *message_type
    } else {
        message_types[0]
    };
    // RAW is text signed as its UTF-8 bytes; a digest or μ is bytes, given in base64.
    let raw = mtype == MessageType::Raw;
    let key_id = selected_key_id(&p.selected_key);
    let msg_b64 = if raw {
        util::b64(message.as_bytes())
    } else {
        message.trim().to_string()
    };
    let sign_req = r::sign(&key_id, &msg_b64, mtype.as_str(), alg);
    let verify_req = r::verify(&key_id, &msg_b64, mtype.as_str(), signature.trim(), alg);
    let digest_hint = match (mtype, picked.and_then(SigningAlgorithm::digest_len)) {
        (MessageType::Digest, Some(n)) => format!("Base64 of the {n}-byte digest of your message (KMS signs it as it is, without hashing it again)."),
        (MessageType::ExternalMu, _) => "Base64 of the 64-byte ML-DSA external mu (FIPS 204) of your message.".to_string(),
        _ => String::new(),
    };
    let sign = pair.make(sign_req.clone(), "Signature", |sig| {
        format!(
            "Signed: {} bytes of signature.",
            util::unb64(sig).map(|b| b.len()).unwrap_or(0)
        )
    });
    let verify = pair.verify(verify_req.clone(), "SignatureValid", "Signature");
    html! {
        <div class="panel">
            <div class="panel-header"><h2>{"Sign and verify"}</h2></div>
            <div class="panel-body">
                { needs(&p.selected_key, KeyUsage::SignVerify, "Signing").unwrap_or_default() }
                if !algorithms.is_empty() {
                    { algorithm_select("sign-algorithm", &algorithms, picked, { let a = algorithm.clone(); Callback::from(move |e: Event| a.set(util::select_value(&e))) }) }
                }
                <div class="field">
                    <label for="sign-message-type">{"Message type"}</label>
                    <select id="sign-message-type" onchange={ let m = message_type.clone(); Callback::from(move |e: Event| {
                        if let Some(t) = MessageType::parse(&util::select_value(&e)) { m.set(t) } }) }>
                        { for message_types.iter().map(|t| html! { <option value={t.as_str()} selected={*t == mtype}>{ t.as_str() }</option> }) }
                    </select>
                    <div class="field-hint">{ if message_types.len() == 1 { format!("{alg} takes MessageType {} only.", mtype.as_str()) } else { format!("{alg} takes {}.", message_types.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(" or ")) } }</div>
                </div>
                <div class="field">
                    <label for="sign-message">{ if raw { "Message" } else { "Message (base64)" } }</label>
                    <textarea id="sign-message" rows="3" value={(*message).clone()} placeholder={ if raw { "Message to sign (up to 4,096 bytes)" } else { "Base64 bytes" } }
                        oninput={ let m = message.clone(); Callback::from(move |e: InputEvent| m.set(util::textarea_value(&e))) } />
                    if !digest_hint.is_empty() { <div class="field-hint">{ digest_hint.clone() }</div> }
                </div>
                { pair.value_field("signature", "Signature (base64)", "3") }
                <div class="button-row">
                    <button class="btn btn-primary" disabled={busy || p.selected_key.is_none() || message.is_empty()} onclick={sign}>{"Sign"}</button>
                    <button class="btn" disabled={busy || p.selected_key.is_none() || signature.trim().is_empty()} onclick={verify}>{"Verify"}</button>
                    if !signature.is_empty() { <CopyButton text={signature.to_string()} label="Copy signature" /> }
                </div>
                { pair.outcome(Some("sign-outcome")) }
                <ApiPanel requests={vec![sign_req, verify_req]} />
            </div>
        </div>
    }
}
