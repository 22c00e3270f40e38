//! GenerateMac and VerifyMac with an HMAC key.

use super::pair::use_request_pair;
use super::{algorithm_select, needs, selected_key_id, KeyProps};
use crate::components::ApiPanel;
use crate::kms::requests as r;
use crate::model::{algorithm_name, pick_algorithm};
use crate::util;
use kms_web::types::KeyUsage;
use yew::prelude::*;

#[function_component]
pub(super) fn MacPanel(p: &KeyProps) -> Html {
    let message = use_state(String::new);
    let algorithm = use_state(String::new);
    let pair = use_request_pair();
    let (busy, mac): (bool, &str) = (*pair.busy, &pair.value);
    let algorithms = p
        .selected_key
        .as_ref()
        .map(|k| k.meta.mac_algorithms.clone())
        .unwrap_or_default();
    let alg = pick_algorithm(&algorithm, &algorithms);
    let alg_name = algorithm_name(alg);
    let key_id = selected_key_id(&p.selected_key);
    let msg_b64 = util::b64(message.as_bytes());
    let gen_req = r::generate_mac(&key_id, &msg_b64, alg_name);
    let verify_req = r::verify_mac(&key_id, &msg_b64, mac.trim(), alg_name);
    let generate = pair.make(gen_req.clone(), "Mac", |_| "MAC generated.".into());
    let verify = pair.verify(verify_req.clone(), "MacValid", "MAC");
    html! {
        <div class="panel">
            <div class="panel-header"><h2>{"Generate and verify MAC"}</h2></div>
            <div class="panel-body">
                { needs(&p.selected_key, KeyUsage::GenerateVerifyMac, "HMAC").unwrap_or_default() }
                <div class="field">
                    <label for="mac-message">{"Message"}</label>
                    <textarea id="mac-message" rows="3" value={(*message).clone()}
                        oninput={ let m = message.clone(); Callback::from(move |e: InputEvent| m.set(util::textarea_value(&e))) } />
                </div>
                if !algorithms.is_empty() {
                    { algorithm_select("mac-algorithm", &algorithms, alg, { let a = algorithm.clone(); Callback::from(move |e: Event| a.set(util::select_value(&e))) }) }
                }
                { pair.value_field("mac-value", "MAC (base64)", "2") }
                <div class="button-row">
                    <button class="btn btn-primary" disabled={busy || p.selected_key.is_none() || message.is_empty()} onclick={generate}>{"Generate MAC"}</button>
                    <button class="btn" disabled={busy || p.selected_key.is_none() || mac.trim().is_empty()} onclick={verify}>{"Verify MAC"}</button>
                </div>
                { pair.outcome(None) }
                <ApiPanel requests={vec![gen_req, verify_req]} />
            </div>
        </div>
    }
}
