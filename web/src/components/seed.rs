//! A starting sandbox an instructor publishes: the console opened as `...#/?seed=<relative URL>`
//! fetches that `.kmssandbox` file (same origin only) and, once the learner agrees, imports it
//! into a new sandbox of this browser and switches to it. It asks before it replaces a sandbox
//! of the same name, and asks for the passphrase (empty if the file was exported without one).

use super::{ErrorAlert, InfoAlert, Modal, Spinner};
use crate::kms::{self, ApiError};
use crate::util;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

/// The `seed` parameter of the page's hash (`#/?seed=...`, or after any route), decoded.
pub fn seed_from_location() -> Option<String> {
    let hash = util::window().location().hash().ok()?;
    let query = hash.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let value = pair.strip_prefix("seed=")?;
        let value = value.replace('+', " ");
        js_sys::decode_uri_component(&value)
            .ok()?
            .as_string()
            .filter(|v| !v.is_empty())
    })
}

/// Takes the `seed` parameter out of the page's hash, so a reload does not ask again.
pub fn clear_seed_from_location() {
    let location = util::window().location();
    if let Ok(hash) = location.hash() {
        if let Some((path, _)) = hash.split_once('?') {
            let path = if path.len() <= 2 { "#/keys" } else { path };
            let _ = location.set_hash(path);
        }
    }
}

/// A sandbox name from the file's name: `labs/workshop.kmssandbox` → `workshop`.
fn name_from_url(url: &str) -> String {
    let file = url
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let stem = file.strip_suffix(".kmssandbox").unwrap_or(file);
    let stem = js_sys::decode_uri_component(stem)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| stem.to_string());
    let name: String = stem.chars().filter(|c| !c.is_control()).take(128).collect();
    if name.trim().is_empty() {
        "seed".into()
    } else {
        name
    }
}

/// The file at `url`, relative to the page; refused unless it is of the page's origin.
async fn fetch_seed(url: &str) -> Result<Vec<u8>, String> {
    let window = util::window();
    let href = window
        .location()
        .href()
        .map_err(|_| "The page has no address.")?;
    let resolved = web_sys::Url::new_with_base(url, &href)
        .map_err(|_| format!("\"{url}\" is not a valid address."))?;
    let origin = window.location().origin().unwrap_or_default();
    if resolved.origin() != origin {
        return Err(format!(
            "The starting sandbox must come from this site ({origin}); \"{url}\" does not."
        ));
    }
    let response = JsFuture::from(window.fetch_with_str(&resolved.href()))
        .await
        .map_err(|_| format!("The starting sandbox could not be fetched from {url}."))?;
    let response: web_sys::Response = response.unchecked_into();
    if !response.ok() {
        return Err(format!(
            "The starting sandbox could not be fetched from {url}: HTTP {}.",
            response.status()
        ));
    }
    let buffer = JsFuture::from(
        response
            .array_buffer()
            .map_err(|_| "The starting sandbox could not be read.")?,
    )
    .await
    .map_err(|_| "The starting sandbox could not be read.")?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

#[derive(Properties, PartialEq)]
pub struct SeedDialogProps {
    /// The `seed` parameter: the file's URL, relative to the page.
    pub url: AttrValue,
    pub region: AttrValue,
    /// Called with the name of the sandbox imported, or `None` when the learner cancelled.
    pub on_done: Callback<Option<String>>,
}

enum Fetched {
    Loading,
    Failed(String),
    Ready(std::rc::Rc<Vec<u8>>),
}

#[function_component]
pub fn SeedDialog(p: &SeedDialogProps) -> Html {
    let fetched = use_state(|| Fetched::Loading);
    let name = use_state(|| name_from_url(&p.url));
    let passphrase = use_state(String::new);
    // The name the learner agreed to replace (asked once the name turns out to be taken).
    let replace = use_state(|| None::<String>);
    let error = use_state(|| None::<ApiError>);
    let busy = use_state(|| false);
    {
        let (fetched, url) = (fetched.clone(), p.url.to_string());
        use_effect_with(url.clone(), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                fetched.set(match fetch_seed(&url).await {
                    Ok(bytes) => Fetched::Ready(std::rc::Rc::new(bytes)),
                    Err(e) => Fetched::Failed(e),
                });
            });
        });
    }
    let cancel = p.on_done.reform(|_: ()| None);
    let trimmed = name.trim().to_string();
    let confirmed = replace.as_deref() == Some(trimmed.as_str());
    let load = {
        let (fetched_bytes, replace, error, busy, on_done) = (
            match &*fetched {
                Fetched::Ready(b) => Some(b.clone()),
                _ => None,
            },
            replace.clone(),
            error.clone(),
            busy.clone(),
            p.on_done.clone(),
        );
        let (name, passphrase, region) =
            (trimmed.clone(), (*passphrase).clone(), p.region.to_string());
        Callback::from(move |_| {
            let Some(bytes) = fetched_bytes.clone() else {
                return;
            };
            let (replace, error, busy, on_done) = (
                replace.clone(),
                error.clone(),
                busy.clone(),
                on_done.clone(),
            );
            let (name, passphrase, region) = (name.clone(), passphrase.clone(), region.clone());
            busy.set(true);
            error.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let agreed = replace.as_deref() == Some(name.as_str());
                if !agreed {
                    let taken = kms::list_sandboxes()
                        .await
                        .map(|l| l.contains(&name))
                        .unwrap_or(false);
                    if taken {
                        // Ask first: the button now says what it will replace.
                        replace.set(Some(name));
                        busy.set(false);
                        return;
                    }
                }
                match kms::import_sandbox(&name, &bytes, &passphrase, agreed, &region).await {
                    Ok(_) => on_done.emit(Some(name)),
                    Err(e) => {
                        error.set(Some(e));
                        busy.set(false);
                    }
                }
            });
        })
    };
    let ready = matches!(&*fetched, Fetched::Ready(_));
    let name_ok = !trimmed.is_empty() && trimmed.chars().count() <= 128;
    let footer = html! { <>
        <button class="btn" onclick={cancel.reform(|_| ())}>{"Cancel"}</button>
        if confirmed {
            <button class="btn btn-danger" disabled={*busy || !ready || !name_ok} onclick={load}>{ format!("Replace sandbox {trimmed}") }</button>
        } else {
            <button class="btn btn-primary" disabled={*busy || !ready || !name_ok} onclick={load}>{"Load sandbox"}</button>
        }
    </> };
    html! {
        <Modal title="Load a starting sandbox" on_close={cancel.clone()} {footer}>
            <p>{"This page was opened with a starting sandbox: "}<code data-testid="seed-url">{ p.url.to_string() }</code>{". Load it into a new sandbox of this browser and switch to it?"}</p>
            { match &*fetched {
                Fetched::Loading => html! { <Spinner label="Fetching the starting sandbox" /> },
                Fetched::Failed(e) => html! { <ErrorAlert error={ApiError::local("SeedUnavailable", e.clone())} /> },
                Fetched::Ready(bytes) => html! { <p class="field-hint">{ format!("{} bytes, encrypted.", bytes.len()) }</p> },
            } }
            <div class="field">
                <label for="seed-name">{"Sandbox name"}</label>
                <input id="seed-name" type="text" value={(*name).clone()}
                    oninput={ let n = name.clone(); Callback::from(move |e: InputEvent| n.set(util::input_value(&e))) } />
            </div>
            <div class="field">
                <label for="seed-passphrase">{"Passphrase"}</label>
                <input id="seed-passphrase" type="password" autocomplete="off" value={(*passphrase).clone()}
                    oninput={ let v = passphrase.clone(); Callback::from(move |e: InputEvent| v.set(util::input_value(&e))) } />
                <div class="field-hint">{"The passphrase the file was exported with. Leave it empty if you were not given one."}</div>
            </div>
            if confirmed {
                <InfoAlert kind="warning" title={format!("Sandbox \"{trimmed}\" already exists in this browser")}>
                    { format!("Loading replaces it: every key, alias and policy in sandbox \"{trimmed}\" is deleted, and data encrypted under its keys can never be decrypted again. Choose another name to keep it.") }
                </InfoAlert>
            }
            if let Some(e) = &*error { <ErrorAlert error={e.clone()} /> }
        </Modal>
    }
}
