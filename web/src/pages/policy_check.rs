//! The key page's policy check: for a principal (the root, an IAM user or role), an operation
//! on this key and an optional encryption context, AWS's decision and the statements that made
//! it, from the sandbox's `explain`. Nothing is sent; the answer follows every change.

use crate::access::{all_allowed, check_request, key_operations, principal_label, takes_context};
use crate::components::{DecisionList, KvEditor};
use crate::hooks::use_kms;
use crate::kms::CONSOLE_SESSION;
use crate::model::KeyMetadata;
use crate::policy::PolicyKeyKind;
use crate::util;
use kms_web::types::{KeyState, KEY_USE_OPERATIONS};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PolicyCheckProps {
    pub meta: KeyMetadata,
    /// The key policy on screen: a change re-runs the check.
    #[prop_or_default]
    pub policy: AttrValue,
}

#[function_component]
pub fn PolicyCheck(p: &PolicyCheckProps) -> Html {
    let kms = use_kms();
    // The explanation is computed at each render; a changed policy (this prop) re-renders.
    let _ = &p.policy;
    // `None`: the account root.
    let principal = use_state(|| kms.principal_arn());
    let kind = PolicyKeyKind::from_spec(p.meta.key_spec, p.meta.key_usage);
    let operations = key_operations(kind);
    let operation = use_state(|| operations[0].to_string());
    let context = use_state(Vec::<(String, String)>::new);

    let principals = kms.principals();
    // A principal deleted since it was picked: back to the root.
    let chosen = principal
        .as_ref()
        .filter(|a| principals.iter().any(|(p, _)| p == *a))
        .cloned();
    let algorithm = p
        .meta
        .signing_algorithms
        .first()
        .map(|a| a.as_str())
        .or(p.meta.mac_algorithms.first().map(|a| a.as_str()))
        .unwrap_or_default();
    let body = check_request(&operation, &p.meta.key_id, algorithm, &context);
    let who = chosen
        .as_deref()
        .map(|a| (a, a.contains(":role/").then_some(CONSOLE_SESSION)));
    let result = kms.explain_for(who, kms.region(), &operation, &body);

    let on_principal = {
        let principal = principal.clone();
        Callback::from(move |e: Event| {
            let v = util::select_value(&e);
            principal.set((!v.is_empty()).then_some(v));
        })
    };
    let on_operation = {
        let operation = operation.clone();
        Callback::from(move |e: Event| operation.set(util::select_value(&e)))
    };
    let verdict = match &result {
        Ok(d) if d.is_empty() => html! {},
        Ok(d) if all_allowed(d) => {
            html! { <strong class="verdict verdict-allow" data-testid="policy-check-verdict">{"Allowed"}</strong> }
        }
        Ok(_) => {
            html! { <strong class="verdict verdict-deny" data-testid="policy-check-verdict">{"Denied"}</strong> }
        }
        Err(_) => html! {},
    };
    // Permission is not all: a key that is not Enabled refuses its cryptographic operations.
    let state_note = p.meta.key_state.filter(|s| {
        *s != KeyState::Enabled
            && (KEY_USE_OPERATIONS.contains(&operation.as_str()) || *operation == "GetPublicKey")
    }).map(|s| {
        let error = if s == KeyState::Disabled { "DisabledException" } else { "KMSInvalidStateException" };
        format!("Whatever the policies allow, this key is {}: {} fails with {error} until the key is Enabled.", s.as_str(), *operation)
    });
    let who_label = match &chosen {
        None => "the account's root user".to_string(),
        Some(a) => {
            let (kind, name) = principal_label(a);
            format!("{} {name}", kind.to_lowercase())
        }
    };
    html! {
        <div class="panel" data-panel="policy-check">
            <div class="panel-header"><h2>{"Policy check"}</h2></div>
            <div class="panel-body">
                <p class="hint">{"Who may do what with this key? Pick a principal and an operation: the sandbox decides as AWS would, from this key policy, \
                    the principal's IAM policies and the key's grants, and names the statements that decided. Nothing is sent."}</p>
                <div class="policy-check-inputs">
                    <div class="field">
                        <label for="policy-check-principal">{"Principal"}</label>
                        <select id="policy-check-principal" onchange={on_principal}>
                            <option value="" selected={chosen.is_none()}>{"Account root user"}</option>
                            { for principals.iter().map(|(arn, _)| {
                                let (kind, name) = principal_label(arn);
                                html! { <option value={arn.clone()} selected={chosen.as_deref() == Some(arn.as_str())}>{ format!("{name} ({kind})") }</option> }
                            }) }
                        </select>
                    </div>
                    <div class="field">
                        <label for="policy-check-operation">{"Operation"}</label>
                        <select id="policy-check-operation" onchange={on_operation}>
                            { for operations.iter().map(|op| html! {
                                <option value={*op} selected={*op == operation.as_str()}>{ *op }</option>
                            }) }
                        </select>
                    </div>
                </div>
                if takes_context(&operation) {
                    <div class="field">
                        <span class="label">{"Encryption context - "}<em>{"optional"}</em></span>
                        <KvEditor id="check-context" rows={(*context).clone()} key_label="Context key" value_label="Context value"
                            add_label="Add context pair" on_change={ let c = context.clone(); Callback::from(move |rows| c.set(rows)) } />
                    </div>
                }
                <div class="policy-check-result" data-testid="policy-check-result" aria-live="polite">
                    <div class="policy-check-summary">{ verdict }<span>{ format!(" {} for {who_label}", *operation) }</span></div>
                    if let Some(note) = state_note { <p class="hint" data-testid="policy-check-state">{ note }</p> }
                    { match result {
                        Ok(decisions) => html! { <DecisionList {decisions} /> },
                        Err(e) => html! { <p class="field-error">{ e.to_string() }</p> },
                    } }
                </div>
            </div>
        </div>
    }
}
