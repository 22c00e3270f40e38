//! The Create key wizard, in AWS's five steps: configure key, add labels, key administrators,
//! key users, review (with the key policy, editable) and Finish -> CreateKey + CreateAlias.
//! Here: the wizard's frame (the steps list, Previous, Next, Finish); each step renders from
//! [`wizard::Wizard`], the state they share, in its own module.

mod step_configure;
mod step_labels;
mod step_permissions;
mod step_review;
mod wizard;

use super::breadcrumbs;
use crate::components::{ApiPanel, ErrorAlert};
use crate::hooks::{use_console, use_kms, use_loader, Load};
use crate::kms::{requests as r, ApiError};
use crate::model::validate_alias;
use crate::policy::check_policy;
use crate::route::Route;
use crate::state::{Action, FlashKind};
use crate::util;
use step_configure::step_configure;
use step_labels::step_labels;
use step_permissions::{step_admins, step_users};
use step_review::step_review;
use wizard::{edit, Wizard};
use yew::prelude::*;
use yew_router::prelude::*;

const STEPS: [&str; 5] = [
    "Configure key",
    "Add labels",
    "Define key administrative permissions",
    "Define key usage permissions",
    "Review",
];

#[function_component]
pub fn CreateKeyPage() -> Html {
    let kms = use_kms();
    let console = use_console();
    let navigator = use_navigator().expect("router");
    let wiz = use_state(Wizard::default);
    let busy = use_state(|| false);
    let error = use_state(|| None::<ApiError>);
    let (aliases, _) = use_loader(
        kms.clone(),
        |kms| async move { kms.list_aliases(None).await },
    );
    let account = kms.account_id();
    let partition = kms_web::types::arn::partition(kms.region());
    // The account's real IAM users and roles (read from the sandbox at each render, so ones
    // created in IAM meanwhile show).
    let principals = kms.principals();
    let w = (*wiz).clone();

    let alias_error: Option<String> = match validate_alias(&w.alias) {
        Err(e) => Some(e),
        Ok(full) => match &*aliases {
            Load::Ready(list) if list.iter().any(|a| a.alias_name == full) => Some(format!(
                "An alias with the name {full} already exists in this account and Region."
            )),
            _ => None,
        },
    };
    let step_valid = |step: usize| -> bool {
        match step {
            1 => !w.external || w.external_ack,
            2 => {
                alias_error.is_none()
                    && w.tag_errors().iter().all(Option::is_none)
                    && w.description.len() <= 8192
            }
            4 => w.account_errors().iter().all(Option::is_none),
            5 => check_policy(&w.policy(&account, kms.region())).is_ok(),
            _ => true,
        }
    };
    let policy_text = w.policy(&account, kms.region());
    let full_alias = validate_alias(&w.alias).unwrap_or_default();
    let tags: Vec<(String, String)> = w.tags.clone();
    let create_req = r::create_key(
        w.spec,
        w.usage,
        &w.description,
        &policy_text,
        &tags,
        w.origin(),
        w.multi_region,
    );
    let alias_req = r::create_alias(&full_alias, "<new-key-id>");

    let next = {
        let wiz = wiz.clone();
        let valid = step_valid(w.step);
        Callback::from(move |_| {
            let mut n = (*wiz).clone();
            n.attempted.insert(n.step);
            if valid && n.step < 5 {
                n.step += 1;
            }
            wiz.set(n);
            // A new step starts at its title; a refused Next, at the first field it marked.
            util::focus_later(if valid {
                "#wizard-step-title"
            } else {
                ".wizard-main [aria-invalid=true]"
            });
        })
    };
    let prev = edit(&wiz, |w, _: MouseEvent| {
        w.step = w.step.saturating_sub(1).max(1);
        util::focus_later("#wizard-step-title");
    });
    let cancel = {
        let n = navigator.clone();
        Callback::from(move |_| n.push(&Route::CustomerKeys))
    };
    let finish = {
        let captured = (
            kms.clone(),
            console.clone(),
            navigator.clone(),
            busy.clone(),
            error.clone(),
            create_req.clone(),
            full_alias.clone(),
        );
        let valid = step_valid(5);
        Callback::from(move |_| {
            let (kms, console, navigator, busy, error, create_req, full_alias) = captured.clone();
            if !valid || *busy {
                return;
            }
            busy.set(true);
            error.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                // Let the progress panel paint before key generation starts.
                util::yield_to_browser(30).await;
                let created = match kms.send(&create_req).await {
                    Ok(v) => v,
                    Err(e) => {
                        error.set(Some(e));
                        busy.set(false);
                        return;
                    }
                };
                let key_id = created["KeyMetadata"]["KeyId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                if let Err(e) = kms.send(&r::create_alias(&full_alias, &key_id)).await {
                    console.dispatch(Action::FlashNextPage(
                        FlashKind::Error,
                        format!("The key {key_id} was created, but its alias was not: {e}"),
                        Some(("View key".into(), key_id.clone())),
                    ));
                    navigator.push(&Route::Key { id: key_id });
                    return;
                }
                console.dispatch(Action::FlashNextPage(
                    FlashKind::Success,
                    format!(
                        "Success: your KMS key was created with alias {} and key ID {key_id}.",
                        full_alias.trim_start_matches("alias/")
                    ),
                    Some(("View key".into(), key_id)),
                ));
                navigator.push(&Route::CustomerKeys);
            });
        })
    };

    let step_body = match w.step {
        1 => step_configure(&wiz, kms.region()),
        2 => step_labels(&wiz, alias_error.clone()),
        3 => step_admins(&wiz, &principals),
        4 => step_users(&wiz, &principals, partition),
        _ => step_review(&wiz, &account, &policy_text),
    };

    html! {
        <div class="page">
            { breadcrumbs(&[("Customer managed keys", Some(Route::CustomerKeys)), ("Create key", None)]) }
            <div class="wizard">
                <ol class="wizard-steps">
                    { for STEPS.iter().enumerate().map(|(i, label)| {
                        let n = i + 1;
                        let state = if n == w.step { "current" } else if n < w.step { "done" } else { "todo" };
                        // Going back is always allowed; going forward only through Next.
                        let onclick = { let wiz = wiz.clone(); Callback::from(move |_| if n < wiz.step { let mut x = (*wiz).clone(); x.step = n; wiz.set(x); util::focus_later("#wizard-step-title") }) };
                        html! {
                            <li class={classes!("wizard-step", state)}>
                                <span class="step-number">{ format!("Step {n}") }</span>
                                <button type="button" class="step-name" disabled={n >= w.step} {onclick}
                                    aria-current={(n == w.step).then_some("step")}>{ *label }</button>
                            </li>
                        }
                    }) }
                </ol>
                <div class="wizard-main">
                    <h1 id="wizard-step-title" tabindex="-1">{ STEPS[w.step - 1] }</h1>
                    { step_body }
                    if w.step == 5 {
                        <ApiPanel requests={vec![create_req.clone(), alias_req]} />
                    }
                    if let Some(e) = &*error { <ErrorAlert error={e.clone()} /> }
                    if *busy {
                        <div class="progress-panel" role="status" aria-live="polite">
                            <span class="spinner" aria-hidden="true"></span>
                            <div>
                                <strong>{ format!("Creating your {} key", w.spec) }</strong>
                                <div class="progress-bar"><div class="progress-bar-fill"></div></div>
                                <div class="hint">{ if w.spec.rsa_bits().is_some() {
                                    "Generating an RSA key pair in the browser can take a few seconds."
                                } else { "This takes a moment." } }</div>
                            </div>
                        </div>
                    }
                    <div class="wizard-actions">
                        <button type="button" class="btn btn-link" onclick={cancel}>{"Cancel"}</button>
                        if w.step > 1 { <button type="button" class="btn" onclick={prev} disabled={*busy}>{"Previous"}</button> }
                        if w.step < 5 {
                            <button type="button" class="btn btn-primary" onclick={next}>{"Next"}</button>
                        } else {
                            <button type="button" class="btn btn-primary" onclick={finish} disabled={*busy || !step_valid(5)}>
                                { if *busy { "Creating..." } else { "Finish" } }
                            </button>
                        }
                    </div>
                </div>
            </div>
        </div>
    }
}
