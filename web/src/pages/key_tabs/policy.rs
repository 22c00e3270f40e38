//! The Key policy tab: the policy as pretty JSON, its editor (PutKeyPolicy) and the policy
//! check.

use super::{frozen, loading_or_error, TabProps};
use crate::components::{ApiPanel, ErrorAlert};
use crate::hooks::{use_console, use_kms, use_loader, Load};
use crate::kms::{requests as r, ApiError};
use crate::pages::policy_check::PolicyCheck;
use crate::policy::{check_policy, pretty};
use crate::state::{Action, FlashKind};
use crate::util;
use yew::prelude::*;

#[function_component]
pub fn KeyPolicyTab(p: &TabProps) -> Html {
    let kms = use_kms();
    let console = use_console();
    let id = p.meta.key_id.clone();
    let (policy, reload) = use_loader((kms.clone(), id.clone()), |(kms, id)| async move {
        kms.key_policy(&id).await
    });
    let editing = use_state(|| None::<String>);
    let error = use_state(|| None::<ApiError>);
    let saving = use_state(|| false);
    // The policy check works even when the caller may not read the policy.
    let check = html! { <PolicyCheck meta={p.meta.clone()} policy={match &*policy { Load::Ready(t) => AttrValue::from(t.clone()), _ => AttrValue::default() }} /> };
    if let Some(h) = loading_or_error(&policy) {
        return html! { <>{ h }{ check }</> };
    }
    let Load::Ready(text) = &*policy else {
        return html! {};
    };
    // Show the stored policy as the console does: pretty JSON.
    let shown = serde_json::from_str::<serde_json::Value>(text)
        .map(|v| pretty(&v))
        .unwrap_or_else(|_| text.clone());
    let can_edit = frozen(&p.meta).is_none();
    match &*editing {
        None => html! {
            <>
            <div class="panel">
                <div class="panel-header">
                    <h2>{"Key policy"}</h2>
                    if can_edit {
                        <button class="btn" onclick={ let e = editing.clone(); let s = shown.clone(); Callback::from(move |_| e.set(Some(s.clone()))) }>{"Edit"}</button>
                    }
                </div>
                <div class="panel-body">
                    if let Some(why) = frozen(&p.meta) { <p class="hint">{ why }</p> }
                    <pre class="code" data-testid="key-policy" tabindex="0" role="region" aria-label="Key policy document">{ shown }</pre>
                    <ApiPanel requests={vec![r::get_key_policy(&id)]} />
                </div>
            </div>
            { check }
            </>
        },
        Some(draft) => {
            let check = check_policy(draft);
            let req = r::put_key_policy(&id, draft);
            let save = {
                let captured = (
                    kms.clone(),
                    console.clone(),
                    reload.clone(),
                    editing.clone(),
                    error.clone(),
                    saving.clone(),
                    req.clone(),
                );
                Callback::from(move |_| {
                    let (kms, console, reload, editing, error, saving, req) = captured.clone();
                    saving.set(true);
                    wasm_bindgen_futures::spawn_local(async move {
                        match kms.send(&req).await {
                            Ok(_) => {
                                error.set(None);
                                editing.set(None);
                                console.dispatch(Action::Flash(
                                    FlashKind::Success,
                                    "The key policy was updated.".into(),
                                    None,
                                ));
                                reload.emit(());
                            }
                            Err(e) => error.set(Some(e)),
                        }
                        saving.set(false);
                    });
                })
            };
            html! {
                <div class="panel">
                    <div class="panel-header"><h2>{"Edit key policy"}</h2></div>
                    <div class="panel-body">
                        <label for="key-policy-editor" class="visually-hidden">{"Key policy JSON"}</label>
                        <textarea id="key-policy-editor" class="code-editor" rows="24" spellcheck="false" value={draft.clone()}
                            oninput={ let (e, er) = (editing.clone(), error.clone()); Callback::from(move |ev: InputEvent| {
                                // The last Save's error was about the text before this edit.
                                er.set(None);
                                e.set(Some(util::textarea_value(&ev)))
                            }) } />
                        if let Err(msg) = &check { <div class="field-error" role="alert">{ msg }</div> }
                        if let Some(e) = &*error {
                            <ErrorAlert error={e.clone()} />
                            if is_lockout(e) {
                                <p class="hint" data-testid="lockout-hint">{"KMS's policy lockout safety check: a key policy must still let the \
                                    principal that sets it call kms:PutKeyPolicy, or nobody could change it again. Keep a statement that \
                                    allows you (or the account root, as the default \"Enable IAM policies\" statement does) \
                                    kms:PutKeyPolicy. The API's BypassPolicyLockoutSafetyCheck skips the check; the console does not offer it."}</p>
                            }
                        }
                        <div class="button-row">
                            <button class="btn" onclick={ let e = editing.clone(); let er = error.clone(); Callback::from(move |_| { e.set(None); er.set(None) }) }>{"Cancel"}</button>
                            <button class="btn btn-primary" disabled={check.is_err() || *saving} onclick={save}>{"Save changes"}</button>
                        </div>
                        <ApiPanel requests={vec![req]} />
                    </div>
                </div>
            }
        }
    }
}

/// PutKeyPolicy's refusal of a policy that would lock its caller out of the key.
fn is_lockout(e: &ApiError) -> bool {
    e.error_type == "MalformedPolicyDocumentException"
        && e.message
            .contains("will not allow you to update the key policy in the future")
}
