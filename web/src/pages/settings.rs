//! Sandbox settings: the sandboxes stored in this browser; create, switch, reset, delete; export
//! the current one to a `.kmssandbox` file and import one.

use super::breadcrumbs;
use crate::app::{SandboxCommand, SandboxControl};
use crate::components::{ErrorAlert, InfoAlert, Modal, Spinner};
use crate::hooks::{use_console, use_kms, use_loader, Load};
use crate::kms;
use crate::state::{Action, FlashKind};
use crate::util;
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

fn name_error(name: &str) -> Option<&'static str> {
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
    // Export: the passphrase, typed twice.
    let export_pass = use_state(String::new);
    let export_again = use_state(String::new);
    let exporting = use_state(|| false);
    // Import: the file, the new sandbox's name, the passphrase; the name the user agreed to replace.
    let import_file = use_state(|| None::<(String, std::rc::Rc<Vec<u8>>)>);
    let import_name = use_state(String::new);
    let import_pass = use_state(String::new);
    let import_replace = use_state(|| None::<String>);
    let importing = use_state(|| false);
    let import_error = use_state(|| None::<kms::ApiError>);

    let export = {
        let (kms, console, export_pass, export_again, exporting) = (
            kms.clone(),
            console.clone(),
            export_pass.clone(),
            export_again.clone(),
            exporting.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *export_pass != *export_again || *exporting {
                return;
            }
            let (kms, console, exporting, passphrase) = (
                kms.clone(),
                console.clone(),
                exporting.clone(),
                (*export_pass).clone(),
            );
            let (export_pass, export_again) = (export_pass.clone(), export_again.clone());
            exporting.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match kms.export(&passphrase).await {
                    Ok(file) => {
                        let name = kms.sandbox_name();
                        util::download_array(
                            &format!("{name}.kmssandbox"),
                            &file,
                            "application/octet-stream",
                        );
                        export_pass.set(String::new());
                        export_again.set(String::new());
                        console.dispatch(Action::Flash(
                            FlashKind::Success,
                            format!("Sandbox \"{name}\" was exported to {name}.kmssandbox."),
                            None,
                        ));
                    }
                    Err(e) => {
                        console.dispatch(Action::Flash(FlashKind::Error, e.to_string(), None))
                    }
                }
                exporting.set(false);
            });
        })
    };
    let on_import_file = {
        let (import_file, import_name, import_error) = (
            import_file.clone(),
            import_name.clone(),
            import_error.clone(),
        );
        Callback::from(move |e: Event| {
            let Some(file) = util::picked_file(&e) else {
                return;
            };
            // Cleared, so that picking the same file again (after a mistake) reads it again.
            e.target_unchecked_into::<web_sys::HtmlInputElement>()
                .set_value("");
            let (import_file, import_name, import_error) = (
                import_file.clone(),
                import_name.clone(),
                import_error.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match util::read_file(&file).await {
                    Ok(bytes) => {
                        let file_name = file.name();
                        let stem = file_name
                            .strip_suffix(".kmssandbox")
                            .unwrap_or(&file_name)
                            .to_string();
                        import_name.set(stem);
                        import_file.set(Some((file_name, std::rc::Rc::new(bytes))));
                        import_error.set(None);
                    }
                    Err(e) => import_error.set(Some(kms::ApiError::local("FileUnreadable", e))),
                }
            });
        })
    };
    let import_target = import_name.trim().to_string();
    let replace_confirmed = import_replace.as_deref() == Some(import_target.as_str());
    let import = {
        let (control, import_file, import_pass, import_replace, importing, import_error, region) = (
            control.clone(),
            import_file.clone(),
            import_pass.clone(),
            import_replace.clone(),
            importing.clone(),
            import_error.clone(),
            kms.region().to_string(),
        );
        let name = import_target.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some((_, bytes)) = (*import_file).clone() else {
                return;
            };
            if name_error(&name).is_some() || *importing {
                return;
            }
            let (control, import_pass, import_replace, importing, import_error, region, name) = (
                control.clone(),
                import_pass.clone(),
                import_replace.clone(),
                importing.clone(),
                import_error.clone(),
                region.clone(),
                name.clone(),
            );
            importing.set(true);
            import_error.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let agreed = import_replace.as_deref() == Some(name.as_str());
                if !agreed
                    && kms::list_sandboxes()
                        .await
                        .map(|l| l.contains(&name))
                        .unwrap_or(false)
                {
                    // Ask first: the button now names the sandbox it replaces.
                    import_replace.set(Some(name));
                    importing.set(false);
                    return;
                }
                match kms::import_sandbox(&name, &bytes, &import_pass, agreed, &region).await {
                    Ok(_) => {
                        import_pass.set(String::new());
                        control.emit(SandboxCommand::Imported { name });
                    }
                    Err(e) => import_error.set(Some(e)),
                }
                importing.set(false);
            });
        })
    };
    let export_mismatch = *export_pass != *export_again;

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
            <div class="panel">
                <div class="panel-header"><h2>{"Export sandbox"}</h2></div>
                <form class="panel-body" onsubmit={export} data-testid="export-form">
                    <p class="field-hint">{ format!("Downloads {current}.kmssandbox: every key of this sandbox in every Region, with its key material, and its aliases, key policies, grants, tags, \
                        IAM users, roles, policies and access keys, stacks and CloudTrail event history, encrypted under a key derived from the passphrase. \
                        Import it here or in another browser to restore it.") }</p>
                    <div class="field">
                        <label for="export-passphrase">{"Passphrase"}</label>
                        <input id="export-passphrase" type="password" autocomplete="new-password" value={(*export_pass).clone()}
                            oninput={ let v = export_pass.clone(); Callback::from(move |e: InputEvent| v.set(util::input_value(&e))) } />
                    </div>
                    <div class="field">
                        <label for="export-passphrase-again">{"Passphrase again"}</label>
                        <input id="export-passphrase-again" type="password" autocomplete="new-password" value={(*export_again).clone()}
                            oninput={ let v = export_again.clone(); Callback::from(move |e: InputEvent| v.set(util::input_value(&e))) } />
                        if export_mismatch && !export_again.is_empty() { <div class="field-error">{"The passphrases do not match."}</div> }
                        if export_pass.is_empty() && export_again.is_empty() {
                            <div class="field-hint">{"Without a passphrase, anyone who has the file can read its keys: leave it empty only for a starting sandbox you publish for others (see the README)."}</div>
                        }
                    </div>
                    <button class="btn btn-primary" type="submit" disabled={export_mismatch || *exporting}>{ if *exporting { "Exporting..." } else { "Export sandbox" } }</button>
                </form>
            </div>
            <div class="panel">
                <div class="panel-header"><h2>{"Import sandbox"}</h2></div>
                <form class="panel-body" onsubmit={import} data-testid="import-form">
                    <p class="field-hint">{"Restores a .kmssandbox file as a new sandbox of this browser, its key material wrapped under that sandbox's own key, and switches to it. \
                        A wrong passphrase or a damaged file changes nothing."}</p>
                    <div class="field">
                        <label for="import-file">{"Sandbox file (.kmssandbox)"}</label>
                        <input id="import-file" type="file" accept=".kmssandbox" onchange={on_import_file} />
                        if let Some((file_name, bytes)) = &*import_file { <div class="field-hint" data-testid="import-file-name">{ format!("{file_name}: {} bytes", bytes.len()) }</div> }
                    </div>
                    <div class="field">
                        <label for="import-name">{"New sandbox name"}</label>
                        <input id="import-name" type="text" value={(*import_name).clone()}
                            oninput={ let v = import_name.clone(); Callback::from(move |e: InputEvent| v.set(util::input_value(&e))) } />
                        if !import_name.is_empty() { if let Some(e) = name_error(&import_name) { <div class="field-error">{ e }</div> } }
                    </div>
                    <div class="field">
                        <label for="import-passphrase">{"Passphrase"}</label>
                        <input id="import-passphrase" type="password" autocomplete="off" value={(*import_pass).clone()}
                            oninput={ let v = import_pass.clone(); Callback::from(move |e: InputEvent| v.set(util::input_value(&e))) } />
                    </div>
                    if replace_confirmed {
                        <InfoAlert kind="warning" title={format!("Sandbox \"{import_target}\" already exists")}>
                            { format!("Importing replaces it: every key, alias and policy in sandbox \"{import_target}\" is deleted, and data encrypted under its keys can never be decrypted again. Choose another name to keep it.") }
                        </InfoAlert>
                    }
                    if let Some(e) = &*import_error { <ErrorAlert error={e.clone()} /> }
                    if replace_confirmed {
                        <button class="btn btn-danger" type="submit" disabled={import_file.is_none() || *importing}>{ format!("Replace sandbox {import_target}") }</button>
                    } else {
                        <button class="btn btn-primary" type="submit" disabled={import_file.is_none() || name_error(&import_name).is_some() || *importing}>{ if *importing { "Importing..." } else { "Import sandbox" } }</button>
                    }
                </form>
            </div>
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
