//! Sandbox settings: the sandboxes stored in this browser; create, switch, reset, delete; export
//! the current one to a `.kmssandbox` file and import one (`backup`).

mod backup;

use super::breadcrumbs;
use crate::components::{ErrorAlert, InfoAlert, Modal, Spinner};
use crate::hooks::{use_console, use_kms, use_loader, Load};
use crate::kms;
use crate::route::{SandboxCommand, SandboxControl};
use crate::state::{Action, FlashKind};
use crate::util;
use backup::{ExportPanel, ImportPanel};
use yew::prelude::*;

/// Bytes as the settings page shows them (`12.3 MB`).
fn bytes_text(n: f64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KB", "MB", "GB", "TB"];
    let mut v = n;
    let mut unit = 0;
    while v >= 1000.0 && unit < UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} bytes")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// Why `name` cannot name a sandbox, if it cannot.
pub(super) fn name_error(name: &str) -> Option<&'static str> {
    if name.trim().is_empty() {
        Some("Enter a name for the sandbox.")
    } else if name.chars().count() > 128 || name.chars().any(char::is_control) {
        Some("A sandbox name is 1 to 128 characters, without control characters.")
    } else {
        None
    }
}

fn account_error(acct: &str) -> Option<&'static str> {
    let a = acct.trim();
    let valid = a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit());
    (!a.is_empty() && !valid).then_some("An AWS account ID is 12 digits.")
}

#[function_component]
pub fn SettingsPage() -> Html {
    let kms = use_kms();
    let console = use_console();
    let control = use_context::<SandboxControl>().expect("inside the app");
    let (list, reload) = use_loader(kms.clone(), |_| async move { kms::list_sandboxes().await });
    let (storage, _) = use_loader(kms.clone(), |_| async move {
        Ok::<_, kms::ApiError>(kms_web::storage_info().await)
    });
    let new_name = use_state(String::new);
    let new_account = use_state(String::new);
    let confirm = use_state(|| None::<(&'static str, String)>);
    let typed = use_state(String::new);
    let current = kms.sandbox_name();
    let create = {
        let (control, new_name, new_account) =
            (control.clone(), new_name.clone(), new_account.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if name_error(&new_name).is_some() || account_error(&new_account).is_some() {
                return;
            }
            let acct = new_account.trim().to_string();
            control.emit(SandboxCommand::Open {
                name: new_name.trim().to_string(),
                account_id: (!acct.is_empty()).then_some(acct),
            });
            new_name.set(String::new());
            new_account.set(String::new());
        })
    };
    let close = {
        let (confirm, typed) = (confirm.clone(), typed.clone());
        Callback::from(move |_| {
            confirm.set(None);
            typed.set(String::new());
        })
    };
    let dialog = confirm.as_ref().map(|(what, name)| {
        let name = name.clone();
        let ok = *typed == name;
        let act = {
            let (control, close, console, reload, what, name) = (control.clone(), close.clone(), console.clone(), reload.clone(), *what, name.clone());
            Callback::from(move |_| {
                close.emit(());
                if what == "reset" {
                    control.emit(SandboxCommand::Reset);
                } else {
                    let (console, reload, name) = (console.clone(), reload.clone(), name.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        match kms::delete_sandbox(&name).await {
                            Ok(()) => console.dispatch(Action::Flash(FlashKind::Success, format!("Sandbox \"{name}\" was deleted."), None)),
                            Err(e) => console.dispatch(Action::Flash(FlashKind::Error, e.to_string(), None)),
                        }
                        reload.emit(());
                    });
                }
            })
        };
        let title = if *what == "reset" { "Reset sandbox" } else { "Delete sandbox" };
        let footer = html! { <>
            <button class="btn" onclick={close.reform(|_| ())}>{"Cancel"}</button>
            <button class="btn btn-danger" disabled={!ok} onclick={act}>{ title }</button>
        </> };
        html! {
            <Modal title={title} on_close={close.clone()} {footer}>
                <InfoAlert kind="warning" title="This cannot be undone">
                    { format!("Every key, alias and policy in sandbox \"{name}\", in every Region, is deleted immediately, without a waiting period. \
                        Data encrypted under those keys can never be decrypted again.") }
                </InfoAlert>
                <div class="field">
                    <label for="confirm-name">{ format!("To confirm, type the sandbox name: {name}") }</label>
                    <input id="confirm-name" type="text" value={(*typed).clone()}
                        oninput={ let t = typed.clone(); Callback::from(move |e: InputEvent| t.set(util::input_value(&e))) } />
                </div>
            </Modal>
        }
    });

    html! {
        <div class="page">
            { breadcrumbs(&[("Sandbox settings", None)]) }
            <h1>{"Sandbox settings"}</h1>
            <p class="lead">{"A sandbox is one AWS account's KMS, kept in this browser's IndexedDB: its keys survive reloads and stay on this device. \
                Each Region of a sandbox is a separate key space."}</p>
            <div class="panel">
                <div class="panel-header">
                    <h2>{"Current sandbox"}</h2>
                    <button class="btn btn-danger" onclick={ let c = confirm.clone(); let n = current.clone(); Callback::from(move |_| c.set(Some(("reset", n.clone())))) }>{"Reset sandbox"}</button>
                </div>
                <div class="panel-body grid-3">
                    <div class="kv"><div class="kv-key">{"Name"}</div><div class="kv-value" data-testid="current-sandbox">{ &current }</div></div>
                    <div class="kv"><div class="kv-key">{"Account ID"}</div><div class="kv-value">{ kms.account_id() }</div></div>
                    <div class="kv"><div class="kv-key">{"Region"}</div><div class="kv-value">{ kms.region() }</div></div>
                </div>
            </div>
            <div class="panel">
                <div class="panel-header"><h2>{"Sandboxes in this browser"}</h2></div>
                <div class="panel-body">
                    { match &*list {
                        Load::Loading => html! { <Spinner /> },
                        Load::Failed(e) => html! { <ErrorAlert error={e.clone()} /> },
                        Load::Ready(names) => html! {
                            <table class="table compact" data-testid="sandbox-list">
                                <thead><tr><th>{"Name"}</th><th><span class="visually-hidden">{"Actions"}</span></th></tr></thead>
                                <tbody>
                                    { for names.iter().map(|n| {
                                        let is_current = *n == current;
                                        let open = { let control = control.clone(); let n = n.clone(); Callback::from(move |_| control.emit(SandboxCommand::Open { name: n.clone(), account_id: None })) };
                                        let delete = { let c = confirm.clone(); let n = n.clone(); Callback::from(move |_| c.set(Some(("delete", n.clone())))) };
                                        html! {
                                            <tr>
                                                <td>{ n }if is_current { {" "}<span class="badge">{"current"}</span> }</td>
                                                <td class="num">
                                                    if !is_current {
                                                        <span class="button-row inline">
                                                            <button class="btn btn-small" onclick={open} aria-label={format!("Switch to sandbox {n}")}>{"Switch to"}</button>
                                                            <button class="btn btn-small" onclick={delete} aria-label={format!("Delete sandbox {n}")}>{"Delete"}</button>
                                                        </span>
                                                    }
                                                </td>
                                            </tr>
                                        }
                                    }) }
                                </tbody>
                            </table>
                        },
                    } }
                </div>
            </div>
            <div class="panel">
                <div class="panel-header"><h2>{"Create a sandbox"}</h2></div>
                <form class="panel-body" onsubmit={create}>
                    <div class="field">
                        <label for="sandbox-name">{"Sandbox name"}</label>
                        <input id="sandbox-name" type="text" value={(*new_name).clone()} placeholder="e.g. workshop"
                            oninput={ let n = new_name.clone(); Callback::from(move |e: InputEvent| n.set(util::input_value(&e))) } />
                        if !new_name.is_empty() { if let Some(e) = name_error(&new_name) { <div class="field-error">{ e }</div> } }
                    </div>
                    <div class="field">
                        <label for="sandbox-account">{"AWS account ID - "}<em>{"optional"}</em></label>
                        <input id="sandbox-account" type="text" inputmode="numeric" value={(*new_account).clone()} placeholder="111122223333"
                            oninput={ let n = new_account.clone(); Callback::from(move |e: InputEvent| n.set(util::input_value(&e))) } />
                        if let Some(e) = account_error(&new_account) { <div class="field-error">{ e }</div> }
                        <div class="field-hint">{"The account ID appears in key ARNs and policies. It is fixed when the sandbox is created. Opening an existing name switches to it."}</div>
                    </div>
                    <button class="btn btn-primary" type="submit" disabled={name_error(&new_name).is_some() || account_error(&new_account).is_some()}>{"Create and switch"}</button>
                </form>
            </div>
            <ExportPanel />
            <ImportPanel />
            <div class="panel">
                <div class="panel-header"><h2>{"Storage"}</h2></div>
                <div class="panel-body">
                    <p class="field-hint storage-hint">{"The console asks the browser to keep this site's storage (navigator.storage.persist()) on the first change to a sandbox. \
                        Granted, the browser keeps it until you delete it; not granted, it may clear it when space runs low. \
                        Every sandbox of this site shares the quota; a change that does not fit is refused with an error and nothing saved before is lost."}</p>
                    <InfoAlert kind="warning" title="The sandbox's HSM protects nothing from this site's scripts">
                        {"Key material is wrapped by a non-extractable WebCrypto key in this browser; any script of this origin can use it. \
                          Host the console on an origin of its own, and never protect real data with it."}
                    </InfoAlert>
                    { match &*storage {
                        Load::Ready(info) => html! {
                            <div class="grid-3" data-testid="storage-info">
                                <div class="kv"><div class="kv-key">{"Persistent storage"}</div><div class="kv-value" data-testid="storage-persisted">{
                                    match info.persisted {
                                        Some(true) => "Granted",
                                        Some(false) => "Not granted",
                                        None => "Unknown",
                                    }
                                }</div></div>
                                <div class="kv"><div class="kv-key">{"Used by this site"}</div><div class="kv-value" data-testid="storage-usage">{ info.usage.map(bytes_text).unwrap_or_else(|| "Unknown".into()) }</div></div>
                                <div class="kv"><div class="kv-key">{"Quota"}</div><div class="kv-value" data-testid="storage-quota">{ info.quota.map(bytes_text).unwrap_or_else(|| "Unknown".into()) }</div></div>
                            </div>
                        },
                        _ => html! { <Spinner /> },
                    } }
                </div>
            </div>
            <div class="panel">
                <div class="panel-header"><h2>{"Scripting"}</h2></div>
                <div class="panel-body prose">
                    <p>{"Open your browser's developer tools: "}<code>{"window.kms"}</code>{" is this sandbox's JavaScript API. For example:"}</p>
                    <pre class="code" tabindex="0" role="region" aria-label="Example in the developer tools">{ format!("// kms.region is \"{}\": the Region selected in the header.\nconst {{ KeyMetadata }} = await kms.send(\"CreateKey\", {{ Description: \"from devtools\" }});\nconst {{ CiphertextBlob }} = await kms.send(\"Encrypt\", {{ KeyId: KeyMetadata.KeyId, Plaintext: \"hello\" }});\nawait kms.send(\"Decrypt\", {{ CiphertextBlob }});\n\n// The AWS SDK for JavaScript v3 works against it too:\n// new KMSClient({{ region: kms.region, credentials, requestHandler: kms.requestHandler }})", kms.region()) }</pre>
                </div>
            </div>
            { dialog.unwrap_or_default() }
        </div>
    }
}
