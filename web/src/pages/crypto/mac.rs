//! GenerateMac and VerifyMac with an HMAC key.

use super::{algorithm_select, needs, pick, run_request, KeyProps};
use crate::components::{ApiPanel, ErrorAlert, InfoAlert};
use crate::hooks::use_kms;
use crate::kms::{requests as r, ApiError};
use crate::util;
use yew::prelude::*;

#[function_component]
pub(super) fn MacPanel(p: &KeyProps) -> Html {
    let kms = use_kms();
    let message = use_state(String::new);
    let mac = use_state(String::new);
    let algorithm = use_state(String::new);
    let busy = use_state(|| false);
    let outcome = use_state(|| None::<Result<String, ApiError>>);
    let algorithms = p
        .selected_key
        .as_ref()
        .map(|k| k.meta.mac_algorithms.clone())
        .unwrap_or_default();
    let alg = pick(&algorithm, &algorithms);
    let key_id = p
        .selected_key
        .as_ref()
        .map(|k| k.meta.key_id.clone())
        .unwrap_or_default();
    let msg_b64 = util::b64(message.as_bytes());
    let gen_req = r::generate_mac(&key_id, &msg_b64, &alg);
    let verify_req = r::verify_mac(&key_id, &msg_b64, mac.trim(), &alg);
    let generate = {
        let (kms, req, busy, outcome, mac) = (
            kms.clone(),
            gen_req.clone(),
            busy.clone(),
            outcome.clone(),
            mac.clone(),
        );
        Callback::from(move |_| {
            let (outcome, mac) = (outcome.clone(), mac.clone());
            run_request(
                kms.clone(),
                req.clone(),
                busy.clone(),
                move |res| match res {
                    Ok(v) => {
                        mac.set(v["Mac"].as_str().unwrap_or_default().to_string());
                        outcome.set(Some(Ok("MAC generated.".into())));
                    }
                    Err(e) => outcome.set(Some(Err(e))),
                },
            );
        })
    };
    let verify = {
        let (kms, req, busy, outcome) = (
            kms.clone(),
            verify_req.clone(),
            busy.clone(),
            outcome.clone(),
        );
        Callback::from(move |_| {
            let outcome = outcome.clone();
            run_request(kms.clone(), req.clone(), busy.clone(), move |res| {
                outcome.set(Some(res.map(|v| {
                    if v["MacValid"].as_bool() == Some(true) {
                        "MAC is valid.".into()
                    } else {
                        "MAC is not valid.".into()
                    }
                })));
            });
        })
    };
    html! {
        <div class="panel">
            <div class="panel-header"><h2>{"Generate and verify MAC"}</h2></div>
            <div class="panel-body">
                { needs(&p.selected_key, "GENERATE_VERIFY_MAC", "HMAC").unwrap_or_default() }
                <div class="field">
                    <label for="mac-message">{"Message"}</label>
                    <textarea id="mac-message" rows="3" value={(*message).clone()}
                        oninput={ let m = message.clone(); Callback::from(move |e: InputEvent| m.set(util::textarea_value(&e))) } />
                </div>
                if !algorithms.is_empty() {
                    { algorithm_select("mac-algorithm", &algorithms, &alg, { let a = algorithm.clone(); Callback::from(move |e: Event| a.set(util::select_value(&e))) }) }
                }
                <div class="field">
                    <label for="mac-value">{"MAC (base64)"}</label>
                    <textarea id="mac-value" class="code-editor" rows="2" value={(*mac).clone()}
                        oninput={ let s = mac.clone(); Callback::from(move |e: InputEvent| s.set(util::textarea_value(&e))) } />
                </div>
                <div class="button-row">
                    <button class="btn btn-primary" disabled={*busy || p.selected_key.is_none() || message.is_empty()} onclick={generate}>{"Generate MAC"}</button>
                    <button class="btn" disabled={*busy || p.selected_key.is_none() || mac.trim().is_empty()} onclick={verify}>{"Verify MAC"}</button>
                </div>
                { match &*outcome {
                    Some(Ok(m)) => html! { <InfoAlert kind="success">{ m }</InfoAlert> },
                    Some(Err(e)) => html! { <ErrorAlert error={e.clone()} /> },
                    None => html! {},
                } }
                <ApiPanel requests={vec![gen_req, verify_req]} />
            </div>
        </div>
    }
}
