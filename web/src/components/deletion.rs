//! The Schedule key deletion dialog (waiting period 7-30 days, confirmation checkbox).

use super::{ApiPanel, ErrorAlert, InfoAlert, Modal};
use crate::hooks::use_kms;
use crate::kms::{requests as r, ApiError};
use crate::util;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DeletionProps {
    /// (key id, display name) of each key to delete.
    pub keys: Vec<(String, String)>,
    pub on_close: Callback<()>,
    /// Called with a summary when every key was scheduled.
    pub on_done: Callback<String>,
}

pub fn waiting_period_error(text: &str) -> Option<&'static str> {
    match text.trim().parse::<u32>() {
        Ok(d) if (7..=30).contains(&d) => None,
        _ => Some("Enter a waiting period between 7 and 30 days."),
    }
}

#[function_component]
pub fn ScheduleDeletionDialog(p: &DeletionProps) -> Html {
    let kms = use_kms();
    let days = use_state(|| "30".to_string());
    let confirmed = use_state(|| false);
    let busy = use_state(|| false);
    let error = use_state(|| None::<ApiError>);
    let period_error = waiting_period_error(&days);
    let n_days: u32 = days.trim().parse().unwrap_or(30);
    let requests: Vec<_> = p
        .keys
        .iter()
        .map(|(id, _)| r::schedule_key_deletion(id, n_days))
        .collect();

    let submit = {
        let (kms, busy, error, requests, on_done) = (
            kms.clone(),
            busy.clone(),
            error.clone(),
            requests.clone(),
            p.on_done.clone(),
        );
        let count = p.keys.len();
        Callback::from(move |_| {
            let (kms, busy, error, requests, on_done) = (
                kms.clone(),
                busy.clone(),
                error.clone(),
                requests.clone(),
                on_done.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let answers = match kms.send_each(&requests).await {
                    Ok(answers) => answers,
                    Err(e) => {
                        error.set(Some(e));
                        busy.set(false);
                        return;
                    }
                };
                let when = answers
                    .last()
                    .and_then(|v| v["DeletionDate"].as_f64())
                    .map(util::format_date)
                    .unwrap_or_default();
                let what = if count == 1 {
                    "1 key".to_string()
                } else {
                    format!("{count} keys")
                };
                on_done.emit(format!("Scheduled {what} for deletion on {when}."));
            });
        })
    };
    let can_submit = *confirmed && period_error.is_none() && !*busy;
    let footer = html! {
        <>
            <button class="btn" onclick={p.on_close.reform(|_| ())}>{"Cancel"}</button>
            <button class="btn btn-primary" disabled={!can_submit} onclick={submit}>
                { if *busy { "Scheduling..." } else { "Schedule deletion" } }
            </button>
        </>
    };
    html! {
        <Modal title="Schedule key deletion" on_close={p.on_close.clone()} {footer}>
            <InfoAlert kind="warning" title="Deleting a KMS key is destructive and potentially dangerous">
                {"After the waiting period ends, AWS KMS deletes the key and all data encrypted under it becomes unrecoverable. \
                  If you are not sure, disable the key instead. You can cancel the deletion at any time during the waiting period."}
            </InfoAlert>
            <div class="field">
                <label for="waiting-period">{"Waiting period (in days)"}</label>
                <input id="waiting-period" type="number" min="7" max="30" value={(*days).clone()}
                    oninput={ let d = days.clone(); Callback::from(move |e: InputEvent| d.set(util::input_value(&e))) } />
                <div class="field-hint">{"Enter a waiting period between 7 (minimum) and 30 (maximum, default) days."}</div>
                if let Some(msg) = period_error { <div class="field-error">{ msg }</div> }
            </div>
            <table class="table compact">
                <thead><tr><th>{"Alias / Key ID"}</th></tr></thead>
                <tbody>{ for p.keys.iter().map(|(_, name)| html! { <tr><td>{ name }</td></tr> }) }</tbody>
            </table>
            <label class="checkbox">
                <input type="checkbox" checked={*confirmed}
                    onchange={ let c = confirmed.clone(); Callback::from(move |e: Event| c.set(util::checkbox_checked(&e))) } />
                { format!("Confirm that you want to schedule {} for deletion after a {n_days} day waiting period.",
                    if p.keys.len() == 1 { "this key".to_string() } else { format!("these {} keys", p.keys.len()) }) }
            </label>
            if let Some(e) = &*error { <ErrorAlert error={e.clone()} /> }
            <ApiPanel requests={requests} />
        </Modal>
    }
}
