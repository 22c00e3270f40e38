//! Step 5, Review: the choices, each with an Edit that goes back to its step, and the key
//! policy that follows from them, editable.

use super::wizard::{edit, Wizard};
use crate::model::key_usage_label;
use crate::policy::check_policy;
use crate::util;
use yew::prelude::*;

/// Step 5; `policy_text` is the policy the key will get (the edited one, or the one from the
/// choices).
pub(super) fn step_review(wiz: &UseStateHandle<Wizard>, account: &str, policy_text: &str) -> Html {
    let w = &**wiz;
    let check = check_policy(policy_text);
    let row = |k: &str, v: Html| html! { <div class="kv"><div class="kv-key">{ k.to_string() }</div><div class="kv-value">{ v }</div></div> };
    let edit_step = |n: usize| edit(wiz, move |w, _: MouseEvent| w.step = n);
    html! {
        <>
        <div class="panel">
            <div class="panel-header"><h2>{"Key configuration"}</h2><button class="btn" onclick={edit_step(1)}>{"Edit"}</button></div>
            <div class="panel-body grid-3">
                { row("Key type", html! { { w.key_type } }) }
                { row("Key spec", html! { { w.spec.as_str() } }) }
                { row("Key usage", html! { { key_usage_label(Some(w.usage)) } }) }
                { row("Origin", html! { { if w.external { "External" } else { "AWS KMS" } } }) }
                { row("Regionality", html! { { if w.multi_region { "Multi-Region key" } else { "Single-Region key" } } }) }
            </div>
        </div>
        <div class="panel">
            <div class="panel-header"><h2>{"Alias and description"}</h2><button class="btn" onclick={edit_step(2)}>{"Edit"}</button></div>
            <div class="panel-body grid-3">
                { row("Alias", html! { { w.alias.clone() } }) }
                { row("Description", html! { { if w.description.is_empty() { "-".to_string() } else { w.description.clone() } } }) }
                { row("Tags", html! { { if w.tags.is_empty() { "-".to_string() } else {
                    w.tags.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ") } } }) }
            </div>
        </div>
        <div class="panel">
            <div class="panel-header">
                <h2>{"Key policy"}</h2>
                if w.policy_edit.is_some() {
                    <button class="btn" onclick={edit(wiz, |w, _: MouseEvent| w.policy_edit = None)}>{"Reset to the policy from your choices"}</button>
                }
            </div>
            <div class="panel-body">
                <p class="hint">{"This is the key policy that will be attached to the key. You can edit it here; later, use the Key policy tab."}</p>
                <label for="policy-editor" class="visually-hidden">{"Key policy"}</label>
                <textarea id="policy-editor" class="code-editor" rows="22" spellcheck="false" value={policy_text.to_string()}
                    oninput={edit(wiz, |w, e: InputEvent| w.policy_edit = Some(util::textarea_value(&e)))} />
                if let Err(e) = check { <div class="field-error" role="alert">{ e }</div> }
                <div class="hint">{ format!("Account: {account}") }</div>
            </div>
        </div>
        </>
    }
}
