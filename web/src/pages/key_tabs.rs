//! The tabs of the key detail page.

use super::policy_check::PolicyCheck;
use crate::components::{ApiPanel, CopyButton, ErrorAlert, InfoAlert, KvEditor, Modal, Spinner};
use crate::hooks::{use_console, use_kms, use_loader, Load};
use crate::kms::{requests as r, ApiError, Request};
use crate::model::{
    key_usage_label, origin_label, public_key_pem, validate_alias, validate_tag, AliasEntry,
    KeyMetadata,
};
use crate::policy::{check_policy, pretty};
use crate::state::{Action, FlashKind};
use crate::util;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TabProps {
    pub meta: KeyMetadata,
}

fn loading_or_error<T>(l: &Load<T>) -> Option<Html> {
    match l {
        Load::Loading => Some(html! { <Spinner /> }),
        Load::Failed(e) => Some(html! { <ErrorAlert error={e.clone()} /> }),
        Load::Ready(_) => None,
    }
}

/// Why a customer managed key's settings are frozen, if they are.
fn frozen(meta: &KeyMetadata) -> Option<&'static str> {
    if !meta.is_customer_managed() {
        Some("AWS managed keys cannot be changed.")
    } else if meta.key_state == "PendingDeletion" {
        Some("A key that is pending deletion cannot be changed. Cancel its deletion first.")
    } else {
        None
    }
}

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
                let (kms, console, reload, editing, error, saving, req) = (
                    kms.clone(),
                    console.clone(),
                    reload.clone(),
                    editing.clone(),
                    error.clone(),
                    saving.clone(),
                    req.clone(),
                );
                Callback::from(move |_| {
                    let (kms, console, reload, editing, error, saving, req) = (
                        kms.clone(),
                        console.clone(),
                        reload.clone(),
                        editing.clone(),
                        error.clone(),
                        saving.clone(),
                        req.clone(),
                    );
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
                            oninput={ let e = editing.clone(); Callback::from(move |ev: InputEvent| e.set(Some(util::textarea_value(&ev)))) } />
                        if let Err(msg) = &check { <div class="field-error" role="alert">{ msg }</div> }
                        if let Some(e) = &*error { <ErrorAlert error={e.clone()} /> }
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

#[function_component]
pub fn CryptoConfigTab(p: &TabProps) -> Html {
    let m = &p.meta;
    let kv = |k: &str, v: String| html! { <div class="kv"><div class="kv-key">{ k.to_string() }</div><div class="kv-value">{ v }</div></div> };
    let list = |v: &[String]| v.join(", ");
    html! {
        <div class="panel">
            <div class="panel-header"><h2>{"Cryptographic configuration"}</h2></div>
            <div class="panel-body grid-3" data-testid="crypto-config">
                { kv("Key type", m.key_type().to_string()) }
                { kv("Origin", origin_label(&m.origin).to_string()) }
                { kv("Key spec", m.key_spec.clone()) }
                { kv("Key usage", key_usage_label(&m.key_usage).to_string()) }
                if !m.encryption_algorithms.is_empty() { { kv("Encryption algorithms", list(&m.encryption_algorithms)) } }
                if !m.signing_algorithms.is_empty() { { kv("Signing algorithms", list(&m.signing_algorithms)) } }
                if !m.mac_algorithms.is_empty() { { kv("MAC algorithms", list(&m.mac_algorithms)) } }
                if !m.key_agreement_algorithms.is_empty() { { kv("Key agreement algorithms", list(&m.key_agreement_algorithms)) } }
            </div>
            <div class="panel-body panel-footer-api"><ApiPanel requests={vec![r::describe_key(&m.key_id)]} /></div>
        </div>
    }
}

#[function_component]
pub fn TagsTab(p: &TabProps) -> Html {
    let kms = use_kms();
    let console = use_console();
    let id = p.meta.key_id.clone();
    let (tags, reload) = use_loader((kms.clone(), id.clone()), |(kms, id)| async move {
        kms.tags(&id).await
    });
    let editing = use_state(|| None::<Vec<(String, String)>>);
    let error = use_state(|| None::<ApiError>);
    if let Some(h) = loading_or_error(&tags) {
        return h;
    }
    let Load::Ready(current) = &*tags else {
        return html! {};
    };
    let current: Vec<(String, String)> = current
        .iter()
        .map(|t| (t.tag_key.clone(), t.tag_value.clone()))
        .collect();
    match &*editing {
        None => html! {
            <div class="panel">
                <div class="panel-header">
                    <h2>{ format!("Tags ({})", current.len()) }</h2>
                    if frozen(&p.meta).is_none() {
                        <button class="btn" onclick={ let e = editing.clone(); let c = current.clone(); Callback::from(move |_| e.set(Some(c.clone()))) }>{"Edit"}</button>
                    }
                </div>
                <div class="panel-body">
                    if current.is_empty() {
                        <div class="empty"><strong>{"No tags"}</strong><p>{"This key has no tags."}</p></div>
                    } else {
                        <table class="table compact" data-testid="tags-table">
                            <thead><tr><th>{"Tag key"}</th><th>{"Tag value"}</th></tr></thead>
                            <tbody>{ for current.iter().map(|(k, v)| html! { <tr><td>{ k }</td><td>{ v }</td></tr> }) }</tbody>
                        </table>
                    }
                    if let Some(why) = frozen(&p.meta) { <p class="hint">{ why }</p> }
                </div>
            </div>
        },
        Some(rows) => {
            let errors: Vec<Option<String>> = rows
                .iter()
                .enumerate()
                .map(|(i, (k, v))| {
                    validate_tag(k, v).err().or_else(|| {
                        rows[..i]
                            .iter()
                            .any(|(k2, _)| k2 == k)
                            .then(|| format!("Duplicate tag key {k}."))
                    })
                })
                .collect();
            let valid = errors.iter().all(Option::is_none);
            // Untag what disappeared, tag what is new or changed.
            let removed: Vec<String> = current
                .iter()
                .filter(|(k, _)| !rows.iter().any(|(k2, _)| k2 == k))
                .map(|(k, _)| k.clone())
                .collect();
            let changed: Vec<(String, String)> = rows
                .iter()
                .filter(|t| !current.contains(t))
                .cloned()
                .collect();
            let mut requests = Vec::new();
            if !removed.is_empty() {
                requests.push(r::untag_resource(&id, &removed));
            }
            if !changed.is_empty() {
                requests.push(r::tag_resource(&id, &changed));
            }
            let save = {
                let (kms, console, reload, editing, error, requests) = (
                    kms.clone(),
                    console.clone(),
                    reload.clone(),
                    editing.clone(),
                    error.clone(),
                    requests.clone(),
                );
                Callback::from(move |_| {
                    let (kms, console, reload, editing, error, requests) = (
                        kms.clone(),
                        console.clone(),
                        reload.clone(),
                        editing.clone(),
                        error.clone(),
                        requests.clone(),
                    );
                    wasm_bindgen_futures::spawn_local(async move {
                        for req in &requests {
                            if let Err(e) = kms.send(req).await {
                                error.set(Some(e));
                                reload.emit(());
                                return;
                            }
                        }
                        error.set(None);
                        editing.set(None);
                        console.dispatch(Action::Flash(
                            FlashKind::Success,
                            "The tags were saved.".into(),
                            None,
                        ));
                        reload.emit(());
                    });
                })
            };
            html! {
                <div class="panel">
                    <div class="panel-header"><h2>{"Edit tags"}</h2></div>
                    <div class="panel-body">
                        <KvEditor id="tag" rows={rows.clone()} key_label="Tag key" value_label="Tag value" add_label="Add tag" errors={errors}
                            on_change={ let e = editing.clone(); Callback::from(move |rows| e.set(Some(rows))) } />
                        if let Some(e) = &*error { <ErrorAlert error={e.clone()} /> }
                        <div class="button-row">
                            <button class="btn" onclick={ let e = editing.clone(); Callback::from(move |_| e.set(None)) }>{"Cancel"}</button>
                            <button class="btn btn-primary" disabled={!valid} onclick={save}>{"Save changes"}</button>
                        </div>
                        <ApiPanel requests={requests} />
                    </div>
                </div>
            }
        }
    }
}

#[derive(Clone, PartialEq)]
struct RotationInfo {
    status: crate::model::RotationStatus,
    history: Vec<crate::model::RotationEntry>,
}

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
        (kms.clone(), id.clone(), p.meta.key_state.clone()),
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
    let frozen_why = frozen(&p.meta).or(if p.meta.key_state == "Disabled" {
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
                                    <td>{ match e.rotation_type.as_deref() { Some("AUTOMATIC") => "Automatic", Some("ON_DEMAND") => "On-demand", Some(o) => o, None => "-" } }</td>
                                    <td class="mono small">{ e.key_material_id.clone().unwrap_or_else(|| "-".into()) }</td>
                                    <td>{ e.key_material_state.clone().unwrap_or_else(|| "-".into()) }</td>
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

#[derive(Properties, PartialEq)]
pub struct PublicKeyProps {
    pub meta: KeyMetadata,
    pub title: String,
}

#[function_component]
pub fn PublicKeyTab(p: &PublicKeyProps) -> Html {
    let kms = use_kms();
    let id = p.meta.key_id.clone();
    let (der, _) = use_loader((kms.clone(), id.clone()), |(kms, id)| async move {
        kms.public_key(&id).await
    });
    if let Some(h) = loading_or_error(&der) {
        return h;
    }
    let Load::Ready(der) = &*der else {
        return html! {};
    };
    let pem = public_key_pem(der);
    let file = format!("{}_public_key.pem", p.title.replace('/', "_"));
    let download = {
        let (pem, file) = (pem.clone(), file.clone());
        Callback::from(move |_| util::download(&file, pem.as_bytes(), "application/x-pem-file"))
    };
    html! {
        <div class="panel">
            <div class="panel-header">
                <h2>{"Public key"}</h2>
                <div class="panel-actions">
                    <CopyButton text={pem.clone()} />
                    <button class="btn" onclick={download}>{"Download"}</button>
                </div>
            </div>
            <div class="panel-body">
                <p class="hint">{ format!("The public key of this {} key pair, as a PEM-encoded X.509 SubjectPublicKeyInfo. \
                    Anyone can use it outside AWS KMS to {}; the private key never leaves KMS.", p.meta.key_spec,
                    if p.meta.key_usage == "SIGN_VERIFY" { "verify signatures" } else { "encrypt data" }) }</p>
                <pre class="code" data-testid="public-key-pem" tabindex="0" role="region" aria-label="Public key (PEM)">{ pem }</pre>
                <ApiPanel requests={vec![r::get_public_key(&id)]} />
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct AliasesProps {
    pub meta: KeyMetadata,
    pub aliases: Vec<AliasEntry>,
    pub reload: Callback<()>,
}

#[function_component]
pub fn AliasesTab(p: &AliasesProps) -> Html {
    let kms = use_kms();
    let console = use_console();
    let new_alias = use_state(|| None::<String>);
    let to_delete = use_state(|| None::<String>);
    let error = use_state(|| None::<ApiError>);
    let id = p.meta.key_id.clone();
    let editable = p.meta.is_customer_managed();

    let send = |req: Request, done: String, after: Callback<()>| {
        let (kms, console, reload, error) = (
            kms.clone(),
            console.clone(),
            p.reload.clone(),
            error.clone(),
        );
        Callback::from(move |_| {
            let (kms, console, reload, error, req, done, after) = (
                kms.clone(),
                console.clone(),
                reload.clone(),
                error.clone(),
                req.clone(),
                done.clone(),
                after.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match kms.send(&req).await {
                    Ok(_) => {
                        error.set(None);
                        after.emit(());
                        console.dispatch(Action::Flash(FlashKind::Success, done, None));
                        reload.emit(());
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let create_form = new_alias.as_ref().map(|text| {
        let check = validate_alias(text);
        let req = r::create_alias(check.as_deref().unwrap_or("alias/"), &id);
        let done = format!("The alias {} was created.", check.clone().unwrap_or_default());
        let close = { let n = new_alias.clone(); Callback::from(move |_| n.set(None)) };
        html! {
            <div class="inline-form">
                <div class="field">
                    <label for="new-alias">{"Alias name"}</label>
                    <div class="input-prefix"><span>{"alias/"}</span>
                        <input id="new-alias" type="text" value={text.clone()}
                            oninput={ let n = new_alias.clone(); Callback::from(move |e: InputEvent| n.set(Some(util::input_value(&e)))) } /></div>
                    if !text.is_empty() { if let Err(e) = &check { <div class="field-error">{ e }</div> } }
                </div>
                <div class="button-row">
                    <button class="btn" onclick={close.reform(|_| ())}>{"Cancel"}</button>
                    <button class="btn btn-primary" disabled={check.is_err()} onclick={send(req.clone(), done, close.clone())}>{"Create alias"}</button>
                </div>
                <ApiPanel requests={vec![req]} />
            </div>
        }
    });
    let close_delete = {
        let d = to_delete.clone();
        Callback::from(move |_| d.set(None))
    };
    html! {
        <div class="panel">
            <div class="panel-header">
                <h2>{ format!("Aliases ({})", p.aliases.len()) }</h2>
                if editable && new_alias.is_none() {
                    <button class="btn" onclick={ let n = new_alias.clone(); Callback::from(move |_| n.set(Some(String::new()))) }>{"Create alias"}</button>
                }
            </div>
            <div class="panel-body">
                { create_form.unwrap_or_default() }
                if let Some(e) = &*error { <ErrorAlert error={e.clone()} /> }
                if p.aliases.is_empty() {
                    <div class="empty"><strong>{"No aliases"}</strong><p>{"This key has no aliases."}</p></div>
                } else {
                    <table class="table compact" data-testid="aliases-table">
                        <thead><tr><th>{"Alias name"}</th><th>{"Alias ARN"}</th>if editable { <th><span class="visually-hidden">{"Actions"}</span></th> }</tr></thead>
                        <tbody>
                            { for p.aliases.iter().map(|a| {
                                let name = a.alias_name.clone();
                                html! {
                                    <tr>
                                        <td>{ a.alias_name.trim_start_matches("alias/") }</td>
                                        <td class="mono small">{ &a.alias_arn }</td>
                                        if editable {
                                            <td><button class="btn btn-small" onclick={ let d = to_delete.clone(); Callback::from(move |_| d.set(Some(name.clone()))) }>{"Delete"}</button></td>
                                        }
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                }
                if !editable { <p class="hint">{"Aliases of AWS managed keys are created and managed by AWS."}</p> }
                <ApiPanel requests={vec![r::list_aliases(Some(&id), None)]} />
            </div>
            if let Some(name) = &*to_delete {
                <Modal title="Delete alias" on_close={close_delete.clone()} footer={html! { <>
                    <button class="btn" onclick={close_delete.reform(|_| ())}>{"Cancel"}</button>
                    <button class="btn btn-primary" onclick={send(r::delete_alias(name), format!("The alias {name} was deleted."), close_delete.clone())}>{"Delete"}</button>
                </> }}>
                    <p>{ format!("Delete the alias {name}? Applications that refer to the key by this alias will stop finding it. The key itself is not affected.") }</p>
                    <ApiPanel requests={vec![r::delete_alias(name)]} />
                </Modal>
            }
        </div>
    }
}
