//! The settings page's backup panels: export the current sandbox to a `.kmssandbox` file, and
//! import one as a new sandbox of this browser.

use super::name_error;
use crate::components::{ErrorAlert, InfoAlert};
use crate::hooks::{use_console, use_kms};
use crate::kms;
use crate::route::{SandboxCommand, SandboxControl};
use crate::state::{Action, FlashKind};
use crate::util;
use yew::prelude::*;

/// Export: the passphrase, typed twice; downloads `<name>.kmssandbox`.
#[function_component]
pub fn ExportPanel() -> Html {
    let kms = use_kms();
    let console = use_console();
    let current = kms.sandbox_name();
    let export_pass = use_state(String::new);
    let export_again = use_state(String::new);
    let exporting = use_state(|| false);
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
    let export_mismatch = *export_pass != *export_again;

    html! {
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
    }
}

/// Import: a file, the new sandbox's name and the passphrase; a taken name is replaced only
/// after a second click on a button that names it.
#[function_component]
pub fn ImportPanel() -> Html {
    let kms = use_kms();
    let control = use_context::<SandboxControl>().expect("inside the app");
    // Import: the file, the new sandbox's name, the passphrase; the name the user agreed to replace.
    let import_file = use_state(|| None::<(String, std::rc::Rc<Vec<u8>>)>);
    let import_name = use_state(String::new);
    let import_pass = use_state(String::new);
    let import_replace = use_state(|| None::<String>);
    let importing = use_state(|| false);
    let import_error = use_state(|| None::<kms::ApiError>);

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

    html! {
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
    }
}
