//! The Create key wizard, in AWS's five steps: configure key, add labels, key administrators,
//! key users, review (with the key policy, editable) and Finish -> CreateKey + CreateAlias.

use super::breadcrumbs;
use crate::app::Route;
use crate::components::{ApiPanel, ErrorAlert, InfoAlert, KvEditor};
use crate::hooks::{use_console, use_kms, use_loader, Load};
use crate::kms::{requests as r, ApiError};
use crate::model::{
    key_spec_hint, key_specs_for, key_usage_hint, key_usage_label, region_name, validate_alias,
    validate_tag, wizard_usages,
};
use crate::policy::{check_policy, console_default_policy, pretty, PolicyChoices, PolicyKeyKind};
use crate::state::{Action, FlashKind};
use crate::util;
use kms_core::KeyUsage;
use std::collections::BTreeSet;
use yew::prelude::*;
use yew_router::prelude::*;

const STEPS: [&str; 5] = [
    "Configure key",
    "Add labels",
    "Define key administrative permissions",
    "Define key usage permissions",
    "Review",
];

#[derive(Clone, PartialEq)]
struct Wizard {
    step: usize,
    key_type: &'static str,
    usage: KeyUsage,
    spec: String,
    show_advanced: bool,
    /// Key material origin EXTERNAL (Import key material).
    external: bool,
    /// The acknowledgement AWS asks for before creating a key for imported key material.
    external_ack: bool,
    multi_region: bool,
    alias: String,
    description: String,
    tags: Vec<(String, String)>,
    admins: BTreeSet<String>,
    allow_admin_delete: bool,
    users: BTreeSet<String>,
    other_accounts: Vec<String>,
    /// The policy as edited on the review step; `None` while it follows the choices.
    policy_edit: Option<String>,
    /// Steps whose Next was pressed, so their errors show.
    attempted: BTreeSet<usize>,
}

impl Default for Wizard {
    fn default() -> Self {
        Wizard {
            step: 1,
            key_type: "Symmetric",
            usage: KeyUsage::EncryptDecrypt,
            spec: "SYMMETRIC_DEFAULT".into(),
            show_advanced: false,
            external: false,
            external_ack: false,
            multi_region: false,
            alias: String::new(),
            description: String::new(),
            tags: Vec::new(),
            admins: BTreeSet::new(),
            allow_admin_delete: true,
            users: BTreeSet::new(),
            other_accounts: Vec::new(),
            policy_edit: None,
            attempted: BTreeSet::new(),
        }
    }
}

impl Wizard {
    fn choices(&self, account_id: &str) -> PolicyChoices {
        PolicyChoices {
            account_id: account_id.to_string(),
            kind: PolicyKeyKind::from_spec(&self.spec, self.usage.as_str()),
            administrators: self.admins.iter().cloned().collect(),
            allow_admin_deletion: self.allow_admin_delete,
            users: self.users.iter().cloned().collect(),
            other_accounts: self
                .other_accounts
                .iter()
                .filter(|a| !a.trim().is_empty())
                .map(|a| a.trim().to_string())
                .collect(),
        }
    }
    fn policy(&self, account_id: &str) -> String {
        self.policy_edit
            .clone()
            .unwrap_or_else(|| pretty(&console_default_policy(&self.choices(account_id))))
    }
    fn origin(&self) -> &'static str {
        if self.external {
            "EXTERNAL"
        } else {
            "AWS_KMS"
        }
    }
    fn tag_errors(&self) -> Vec<Option<String>> {
        self.tags
            .iter()
            .enumerate()
            .map(|(i, (k, v))| {
                validate_tag(k, v).err().or_else(|| {
                    self.tags[..i]
                        .iter()
                        .any(|(k2, _)| k2 == k)
                        .then(|| format!("Duplicate tag key {k}."))
                })
            })
            .collect()
    }
    fn account_errors(&self) -> Vec<Option<String>> {
        self.other_accounts
            .iter()
            .map(|a| {
                let a = a.trim();
                (!(a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit())))
                    .then(|| "Enter a 12-digit AWS account ID.".to_string())
            })
            .collect()
    }
}

fn edit<E: 'static>(
    w: &UseStateHandle<Wizard>,
    f: impl Fn(&mut Wizard, E) + 'static,
) -> Callback<E> {
    let w = w.clone();
    Callback::from(move |e: E| {
        let mut n = (*w).clone();
        f(&mut n, e);
        w.set(n);
    })
}

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
            1 => !w.spec.is_empty() && (!w.external || w.external_ack),
            2 => {
                alias_error.is_none()
                    && w.tag_errors().iter().all(Option::is_none)
                    && w.description.len() <= 8192
            }
            4 => w.account_errors().iter().all(Option::is_none),
            5 => check_policy(&w.policy(&account)).is_ok(),
            _ => true,
        }
    };
    let policy_text = w.policy(&account);
    let full_alias = validate_alias(&w.alias).unwrap_or_default();
    let tags: Vec<(String, String)> = w.tags.clone();
    let create_req = r::create_key(
        &w.spec,
        w.usage.as_str(),
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
        })
    };
    let prev = edit(&wiz, |w, _: MouseEvent| {
        w.step = w.step.saturating_sub(1).max(1)
    });
    let cancel = {
        let n = navigator.clone();
        Callback::from(move |_| n.push(&Route::CustomerKeys))
    };
    let finish = {
        let (kms, console, navigator, busy, error) = (
            kms.clone(),
            console.clone(),
            navigator.clone(),
            busy.clone(),
            error.clone(),
        );
        let (create_req, full_alias, valid) =
            (create_req.clone(), full_alias.clone(), step_valid(5));
        Callback::from(move |_| {
            if !valid || *busy {
                return;
            }
            let (kms, console, navigator, busy, error) = (
                kms.clone(),
                console.clone(),
                navigator.clone(),
                busy.clone(),
                error.clone(),
            );
            let (create_req, full_alias) = (create_req.clone(), full_alias.clone());
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
        4 => step_users(&wiz, &principals),
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
                        let onclick = { let wiz = wiz.clone(); Callback::from(move |_| if n < wiz.step { let mut x = (*wiz).clone(); x.step = n; wiz.set(x) }) };
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
                    <h1>{ STEPS[w.step - 1] }</h1>
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
                                <div class="hint">{ if w.spec.starts_with("RSA") {
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

fn radio_card(
    name: &str,
    value: &str,
    label: &str,
    hint: &str,
    checked: bool,
    onchange: Callback<Event>,
) -> Html {
    radio_card_maybe(name, value, label, hint, checked, true, onchange)
}

fn radio_card_maybe(
    name: &str,
    value: &str,
    label: &str,
    hint: &str,
    checked: bool,
    enabled: bool,
    onchange: Callback<Event>,
) -> Html {
    html! {
        <label class={classes!("radio-card", checked.then_some("checked"), (!enabled).then_some("disabled"))}>
            <input type="radio" name={name.to_string()} value={value.to_string()} {checked} {onchange} disabled={!enabled} />
            <span class="radio-card-text"><strong>{ label.to_string() }</strong><span class="hint">{ hint.to_string() }</span></span>
        </label>
    }
}

fn step_configure(wiz: &UseStateHandle<Wizard>, region: &str) -> Html {
    let w = &**wiz;
    let set_type = |t: &'static str| {
        let region = region.to_string();
        edit(wiz, move |w, _: Event| {
            w.key_type = t;
            w.usage = KeyUsage::EncryptDecrypt;
            w.spec = key_specs_for(t, w.usage, &region)
                .first()
                .map(|s| s.to_string())
                .unwrap_or_default();
            w.policy_edit = None;
        })
    };
    let set_usage = |u: KeyUsage| {
        let region = region.to_string();
        edit(wiz, move |w, _: Event| {
            w.usage = u;
            w.spec = key_specs_for(w.key_type, u, &region)
                .first()
                .map(|s| s.to_string())
                .unwrap_or_default();
            w.policy_edit = None;
        })
    };
    let usages = wizard_usages(w.key_type, region);
    let specs: Vec<String> = key_specs_for(w.key_type, w.usage, region)
        .iter()
        .map(|s| s.to_string())
        .collect();
    html! {
        <div class="panel">
            <div class="panel-header"><h2>{"Key configuration"}</h2></div>
            <div class="panel-body">
                <fieldset class="field">
                    <legend>{"Key type"}</legend>
                    <div class="radio-cards">
                        { radio_card("key-type", "Symmetric", "Symmetric",
                            "A single key used for encrypting and decrypting data or generating and verifying HMAC codes",
                            w.key_type == "Symmetric", set_type("Symmetric")) }
                        { radio_card("key-type", "Asymmetric", "Asymmetric",
                            "A public and private key pair used for encrypting and decrypting data, signing and verifying messages, or deriving shared secrets",
                            w.key_type == "Asymmetric", set_type("Asymmetric")) }
                    </div>
                </fieldset>
                <fieldset class="field">
                    <legend>{"Key usage"}</legend>
                    <div class="radio-cards">
                        { for usages.iter().map(|u| {
                            radio_card("key-usage", u.as_str(), key_usage_label(u.as_str()), key_usage_hint(w.key_type, *u), w.usage == *u, set_usage(*u))
                        }) }
                    </div>
                </fieldset>
                if specs.len() > 1 || w.key_type == "Asymmetric" {
                    <fieldset class="field">
                        <legend>{"Key spec"}</legend>
                        <div class="radio-list">
                            { for specs.iter().map(|s| {
                                let spec = s.clone();
                                let onchange = edit(wiz, move |w, _: Event| { w.spec = spec.clone(); w.policy_edit = None; });
                                html! {
                                    <label class="radio">
                                        <input type="radio" name="key-spec" value={s.clone()} checked={w.spec == *s} {onchange} />
                                        <span><strong>{ s.clone() }</strong><span class="hint">{ key_spec_hint(s) }</span></span>
                                    </label>
                                }
                            }) }
                        </div>
                    </fieldset>
                }
                <button type="button" class="expander" aria-expanded={w.show_advanced.to_string()}
                    onclick={edit(wiz, |w, _: MouseEvent| w.show_advanced = !w.show_advanced)}>
                    { if w.show_advanced { "▾ Advanced options" } else { "▸ Advanced options" } }
                </button>
                if w.show_advanced {
                    <div class="advanced">
                        <fieldset class="field">
                            <legend>{"Key material origin"}</legend>
                            <div class="field-hint">{"Choose where the key material comes from. You cannot change the origin after you create the key."}</div>
                            <label class="radio"><input type="radio" name="origin" value="AWS_KMS" checked={!w.external}
                                onchange={edit(wiz, |w, _: Event| { w.external = false; w.external_ack = false; })} />
                                <span><strong>{"KMS - recommended"}</strong><span class="hint">{"AWS KMS creates and manages the key material."}</span></span></label>
                            <label class="radio"><input type="radio" name="origin" value="EXTERNAL" checked={w.external}
                                onchange={edit(wiz, |w, _: Event| w.external = true)} />
                                <span><strong>{"External (Import key material)"}</strong><span class="hint">{"You import your own key material into the key after you create it."}</span></span></label>
                            <label class="radio disabled"><input type="radio" name="origin" value="AWS_CLOUDHSM" disabled=true />{"AWS CloudHSM key store"}</label>
                            <label class="radio disabled"><input type="radio" name="origin" value="EXTERNAL_KEY_STORE" disabled=true />{"External key store"}</label>
                            <div class="field-hint">{"The sandbox has no custom key stores."}</div>
                            if w.external {
                                <label class="checkbox">
                                    <input type="checkbox" checked={w.external_ack} aria-invalid={(w.attempted.contains(&1) && !w.external_ack).to_string()}
                                        onchange={edit(wiz, |w, e: Event| w.external_ack = util::checkbox_checked(&e))} />
                                    {"I understand the security, availability, and durability implications of using an imported key."}
                                </label>
                                if w.attempted.contains(&1) && !w.external_ack {
                                    <div class="field-error" role="alert">{"Acknowledge the implications of using imported key material to continue."}</div>
                                }
                            }
                        </fieldset>
                        <fieldset class="field">
                            <legend>{"Regionality"}</legend>
                            <label class="radio"><input type="radio" name="regionality" value="single" checked={!w.multi_region}
                                onchange={edit(wiz, |w, _: Event| w.multi_region = false)} />
                                <span><strong>{"Single-Region key"}</strong><span class="hint">{"Never allow this key to be replicated into other Regions."}</span></span></label>
                            <label class="radio"><input type="radio" name="regionality" value="multi" checked={w.multi_region}
                                onchange={edit(wiz, |w, _: Event| w.multi_region = true)} />
                                <span><strong>{"Multi-Region key"}</strong><span class="hint">
                                    { format!("Allow this key to be replicated into other Regions. It becomes the primary key, in {}.", region_name(region)) }</span></span></label>
                        </fieldset>
                    </div>
                }
            </div>
        </div>
    }
}

fn step_labels(wiz: &UseStateHandle<Wizard>, alias_error: Option<String>) -> Html {
    let w = &**wiz;
    let show = w.attempted.contains(&2) || !w.alias.is_empty();
    let tag_errors = if w.attempted.contains(&2) {
        w.tag_errors()
    } else {
        vec![]
    };
    html! {
        <>
        <div class="panel">
            <div class="panel-header"><h2>{"Alias"}</h2></div>
            <div class="panel-body">
                <div class="field">
                    <label for="alias">{"Alias"}</label>
                    <div class="field-hint">{"You can change the alias at any time. The console adds the alias/ prefix for you."}</div>
                    <div class="input-prefix"><span>{"alias/"}</span>
                        <input id="alias" type="text" value={w.alias.clone()} placeholder="Enter alias"
                            aria-invalid={(show && alias_error.is_some()).to_string()}
                            oninput={edit(wiz, |w, e: InputEvent| w.alias = util::input_value(&e))} /></div>
                    if show { if let Some(e) = alias_error { <div class="field-error" role="alert">{ e }</div> } }
                    <div class="field-hint">{"Alias names can contain alphanumeric characters, forward slashes (/), underscores (_), and dashes (-). They cannot begin with aws/."}</div>
                </div>
                <div class="field">
                    <label for="description">{"Description - "}<em>{"optional"}</em></label>
                    <textarea id="description" rows="3" value={w.description.clone()} placeholder="Description of the key"
                        oninput={edit(wiz, |w, e: InputEvent| w.description = util::textarea_value(&e))} />
                </div>
            </div>
        </div>
        <div class="panel">
            <div class="panel-header"><h2>{"Tags - "}<em>{"optional"}</em></h2></div>
            <div class="panel-body">
                <p class="hint">{"Tags are key-value pairs that you can use to identify, organize and control access to the key."}</p>
                <KvEditor id="tag" rows={w.tags.clone()} key_label="Tag key" value_label="Tag value" add_label="Add tag"
                    errors={tag_errors} on_change={edit(wiz, |w, rows| w.tags = rows)} />
            </div>
        </div>
        </>
    }
}

fn principal_table(
    wiz: &UseStateHandle<Wizard>,
    principals: &[(String, &'static str)],
    selected: &BTreeSet<String>,
    pick: fn(&mut Wizard) -> &mut BTreeSet<String>,
    id: &str,
) -> Html {
    if principals.is_empty() {
        return html! {
            <div class="empty" data-principals={id.to_string()}>
                <strong>{"This account has no IAM users or roles yet."}</strong>
                <p>{"Create them in "}<Link<Route> to={Route::Iam}>{"IAM"}</Link<Route>>{", then come back to this step. \
                    Without them, the key policy gives the account (and so IAM policies) access to the key."}</p>
            </div>
        };
    }
    html! {
        <table class="table compact" data-principals={id.to_string()}>
            <thead><tr><th class="select" scope="col"><span class="visually-hidden">{"Select"}</span></th><th scope="col">{"Name"}</th><th scope="col">{"Type"}</th><th scope="col">{"ARN"}</th></tr></thead>
            <tbody>
                { for principals.iter().map(|(arn, kind)| {
                    let name = arn.rsplit('/').next().unwrap_or_default().to_string();
                    let checked = selected.contains(arn);
                    let a = arn.clone();
                    let onchange = edit(wiz, move |w, e: Event| {
                        let set = pick(w);
                        if util::checkbox_checked(&e) { set.insert(a.clone()); } else { set.remove(&a); }
                        w.policy_edit = None;
                    });
                    let kind = if *kind == "user" { "User" } else { "Role" };
                    html! {
                        <tr>
                            <td class="select"><input type="checkbox" {checked} {onchange} aria-label={format!("{id} {name}")} /></td>
                            <td>{ name }</td><td>{ kind }</td><td class="mono small">{ arn }</td>
                        </tr>
                    }
                }) }
            </tbody>
        </table>
    }
}

fn step_admins(wiz: &UseStateHandle<Wizard>, principals: &[(String, &'static str)]) -> Html {
    let w = &**wiz;
    html! {
        <>
        <div class="panel">
            <div class="panel-header"><h2>{"Key administrators"}</h2></div>
            <div class="panel-body">
                <p class="hint">{"Choose the IAM users and roles who can administer this key through the KMS API."}</p>
                { principal_table(wiz, principals, &w.admins, |w| &mut w.admins, "Administrator") }
            </div>
        </div>
        <div class="panel">
            <div class="panel-header"><h2>{"Key deletion"}</h2></div>
            <div class="panel-body">
                <label class="checkbox">
                    <input type="checkbox" checked={w.allow_admin_delete}
                        onchange={edit(wiz, |w, e: Event| { w.allow_admin_delete = util::checkbox_checked(&e); w.policy_edit = None; })} />
                    {"Allow key administrators to delete this key."}
                </label>
            </div>
        </div>
        <InfoAlert>{"This key policy gives the AWS account full control of this key. It allows account administrators to use IAM policies to give other principals permission to manage the key."}</InfoAlert>
        </>
    }
}

fn step_users(wiz: &UseStateHandle<Wizard>, principals: &[(String, &'static str)]) -> Html {
    let w = &**wiz;
    let errors = if w.attempted.contains(&4) {
        w.account_errors()
    } else {
        vec![]
    };
    html! {
        <>
        <div class="panel">
            <div class="panel-header"><h2>{"This account"}</h2></div>
            <div class="panel-body">
                <p class="hint">{"Choose the IAM users and roles who can use this key in cryptographic operations."}</p>
                { principal_table(wiz, principals, &w.users, |w| &mut w.users, "User") }
            </div>
        </div>
        <div class="panel">
            <div class="panel-header"><h2>{"Other AWS accounts"}</h2></div>
            <div class="panel-body">
                <p class="hint">{"Allow principals in other AWS accounts to use this key. Their administrators must also grant them IAM permissions."}</p>
                { for w.other_accounts.iter().enumerate().map(|(i, a)| html! {
                    <div class="field inline">
                        <span class="input-prefix"><span>{"arn:aws:iam::"}</span>
                        <input type="text" value={a.clone()} aria-label={format!("Other AWS account {}", i + 1)} placeholder="444455556666"
                            oninput={edit(wiz, move |w, e: InputEvent| { w.other_accounts[i] = util::input_value(&e); w.policy_edit = None; })} />
                        <span>{":root"}</span></span>
                        <button type="button" class="btn btn-small" onclick={edit(wiz, move |w, _: MouseEvent| { w.other_accounts.remove(i); w.policy_edit = None; })}>{"Remove"}</button>
                        if let Some(Some(e)) = errors.get(i) { <div class="field-error">{ e }</div> }
                    </div>
                }) }
                <button type="button" class="btn" onclick={edit(wiz, |w, _: MouseEvent| w.other_accounts.push(String::new()))}>{"Add another AWS account"}</button>
            </div>
        </div>
        </>
    }
}

fn step_review(wiz: &UseStateHandle<Wizard>, account: &str, policy_text: &str) -> Html {
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
                { row("Key spec", html! { { w.spec.clone() } }) }
                { row("Key usage", html! { { key_usage_label(w.usage.as_str()) } }) }
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
