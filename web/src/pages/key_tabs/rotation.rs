//! The Key rotation tab: automatic rotation and its period, on-demand rotation, and the
//! rotation history.

use super::{frozen, loading_or_error, TabProps};
use crate::components::{ApiPanel, ErrorAlert, InfoAlert, Modal};
use crate::hooks::{use_console, use_kms, use_loader, Load};
use crate::kms::{requests as r, ApiError, Request};
use crate::state::{Action, FlashKind};
use crate::util;
use kms_web::types::{KeyMaterialState, KeyState, RotationType};
use yew::prelude::*;

/// What the tab shows: the rotation status and the rotations so far, loaded together.
#[derive(Clone, PartialEq)]
struct RotationInfo {
    status: crate::model::RotationStatus,
    history: Vec<crate::model::RotationEntry>,
}

/// Why a rotation period (days, as typed) is not accepted, if it is not.
pub fn rotation_period_error(text: &str) -> Option<&'static str> {
    match text.trim().parse::<u32>() {
        Ok(d) if (90..=2560).contains(&d) => None,
        _ => Some("Enter a rotation period between 90 and 2560 days."),
    }
}

#[function_component]
pub fn RotationTab(p: &TabProps) -> Html {
    let kms = use_kms();
    let console = use_console();
    let id = p.meta.key_id.clone();
    let (info, reload) = use_loader(
        (kms.clone(), id.clone(), p.meta.key_state),
        |(kms, id, _)| async move {
            let status = kms.rotation_status(&id).await?;
            let history = kms.rotations(&id).await?;
            Ok(RotationInfo { status, history })
        },
    );
    let draft = use_state(|| None::<(bool, String)>);
    let error = use_state(|| None::<ApiError>);
    let confirm_rotate = use_state(|| false);
    if let Some(h) = loading_or_error(&info) {
        return h;
    }
    let Load::Ready(info) = &*info else {
        return html! {};
    };
    let status = &info.status;
    let period = status.rotation_period_in_days.unwrap_or(365);
    let (enabled, period_text) = draft
        .as_ref()
        .cloned()
        .unwrap_or((status.key_rotation_enabled, period.to_string()));
    let period_error = if enabled {
        rotation_period_error(&period_text)
    } else {
        None
    };
    let frozen_why = frozen(&p.meta).or(if p.meta.key_state == Some(KeyState::Disabled) {
        Some("Rotation settings of a disabled key cannot be changed. Enable the key first.")
    } else {
        None
    });
    let days: u32 = period_text.trim().parse().unwrap_or(365);
    let save_req = if enabled {
        r::enable_key_rotation(&id, days)
    } else {
        r::disable_key_rotation(&id)
    };

    let send = |req: Request, done: &'static str, after: Callback<()>| {
        let (kms, console, reload, error) =
            (kms.clone(), console.clone(), reload.clone(), error.clone());
        Callback::from(move |_| {
            let (kms, console, reload, error, req, after) = (
                kms.clone(),
                console.clone(),
                reload.clone(),
                error.clone(),
                req.clone(),
                after.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match kms.send(&req).await {
                    Ok(_) => {
                        error.set(None);
                        console.dispatch(Action::Flash(FlashKind::Success, done.into(), None));
                        after.emit(());
                    }
                    Err(e) => error.set(Some(e)),
                }
                reload.emit(());
            });
        })
    };
    let clear_draft = {
        let d = draft.clone();
        Callback::from(move |_| d.set(None))
    };
    let close_confirm = {
        let c = confirm_rotate.clone();
        Callback::from(move |_| c.set(false))
    };
    let rotate_req = r::rotate_key_on_demand(&id);

    html! {
        <>
        <div class="panel">
            <div class="panel-header"><h2>{"Automatic key rotation"}</h2></div>
            <div class="panel-body">
                if let Some(why) = frozen_why { <p class="hint">{ why }</p> }
                <label class="checkbox">
                    <input type="checkbox" checked={enabled} disabled={frozen_why.is_some()} name="rotation-enabled"
                        onchange={ let d = draft.clone(); let pt = period_text.clone(); Callback::from(move |e: Event| d.set(Some((util::checkbox_checked(&e), pt.clone())))) } />
                    {"Key rotation: automatically rotate this KMS key"}
                </label>
                if enabled {
                    <div class="field">
                        <label for="rotation-period">{"Rotation period (in days)"}</label>
                        <input id="rotation-period" type="number" min="90" max="2560" value={period_text.clone()} disabled={frozen_why.is_some()}
                            oninput={ let d = draft.clone(); Callback::from(move |e: InputEvent| d.set(Some((true, util::input_value(&e))))) } />
                        <div class="field-hint">{"Between 90 and 2560 days; the default is 365."}</div>
                        if let Some(e) = period_error { <div class="field-error">{ e }</div> }
                    </div>
                }
                <div class="kv-inline">
                    <span class="kv-key">{"Status"}</span>
                    <span data-testid="rotation-status">{ if status.key_rotation_enabled { format!("Enabled, every {period} days") } else { "Disabled".to_string() } }</span>
                    if let Some(next) = status.next_rotation_date {
                        <span class="kv-key">{"Next rotation date"}</span><span>{ util::format_date(next) }</span>
                    }
                </div>
                if let Some(e) = &*error { <ErrorAlert error={e.clone()} /> }
                if frozen_why.is_none() {
                    <div class="button-row">
                        <button class="btn btn-primary" disabled={draft.is_none() || period_error.is_some()}
                            onclick={send(save_req.clone(), "Key rotation settings were saved.", clear_draft.clone())}>{"Save"}</button>
                    </div>
                }
                <ApiPanel requests={vec![r::get_key_rotation_status(&id), save_req]} />
            </div>
        </div>
        <div class="panel">
            <div class="panel-header">
                <h2>{"On-demand key rotation"}</h2>
                if frozen_why.is_none() {
                    <button class="btn" onclick={ let c = confirm_rotate.clone(); Callback::from(move |_| c.set(true)) }>{"Rotate now"}</button>
                }
            </div>
            <div class="panel-body">
                <p class="hint">{"Rotating creates new key material for the key. Its key ID, ARN and policy stay the same; \
                    older ciphertexts still decrypt because KMS keeps the previous key material. A key can be rotated on demand up to 10 times."}</p>
                if let Some(start) = status.on_demand_rotation_start_date {
                    <InfoAlert>{ format!("An on-demand rotation started on {} is in progress.", util::format_date(start)) }</InfoAlert>
                }
            </div>
        </div>
        <div class="panel">
            <div class="panel-header"><h2>{ format!("Rotation history ({})", info.history.iter().filter(|e| e.rotation_date.is_some()).count()) }</h2></div>
            <div class="panel-body">
                if info.history.iter().all(|e| e.rotation_date.is_none()) {
                    <div class="empty"><strong>{"No rotations"}</strong><p>{"This key has not been rotated yet."}</p></div>
                } else {
                    <table class="table compact" data-testid="rotation-history">
                        <thead><tr><th>{"Date"}</th><th>{"Rotation type"}</th><th>{"Key material ID"}</th><th>{"State"}</th></tr></thead>
                        <tbody>
                            { for info.history.iter().filter(|e| e.rotation_date.is_some()).map(|e| html! {
                                <tr>
                                    <td>{ e.rotation_date.map(util::format_date).unwrap_or_default() }</td>
                                    <td>{ match e.rotation_type { Some(RotationType::Automatic) => "Automatic", Some(RotationType::OnDemand) => "On-demand", None => "-" } }</td>
                                    <td class="mono small">{ e.key_material_id.clone().unwrap_or_else(|| "-".into()) }</td>
                                    <td>{ e.key_material_state.map_or("-", KeyMaterialState::as_str) }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                }
                <ApiPanel requests={vec![r::list_key_rotations(&id)]} />
            </div>
        </div>
        if *confirm_rotate {
            <Modal title="Rotate key material now" on_close={close_confirm.clone()} footer={html! { <>
                <button class="btn" onclick={close_confirm.reform(|_| ())}>{"Cancel"}</button>
                <button class="btn btn-primary" onclick={send(rotate_req.clone(), "On-demand rotation started.", close_confirm.clone())}>{"Rotate key"}</button>
            </> }}>
                <p>{"KMS creates new key material for this key now. Data encrypted from now on uses the new material; earlier ciphertexts still decrypt."}</p>
                <ApiPanel requests={vec![rotate_req.clone()]} />
            </Modal>
        }
        </>
    }
}
