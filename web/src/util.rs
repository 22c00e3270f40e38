//! Small browser helpers: dates, clipboard, downloads, files, local storage, randomness.

use base64::Engine as _;
use js_sys::{Array, Date, Promise, Uint8Array};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yew::TargetCast;

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn unb64(text: &str) -> Result<Vec<u8>, String> {
    let cleaned: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(cleaned)
        .map_err(|e| format!("The text is not valid base64: {e}"))
}

/// Epoch seconds (the API's timestamps) in the browser's local time, as the console shows them.
pub fn format_date(epoch_seconds: f64) -> String {
    let d = Date::new(&JsValue::from_f64(epoch_seconds * 1000.0));
    let opts = js_sys::Object::new();
    for (k, v) in [
        ("year", "numeric"),
        ("month", "short"),
        ("day", "numeric"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
        ("second", "2-digit"),
        ("timeZoneName", "short"),
    ] {
        let _ = js_sys::Reflect::set(&opts, &k.into(), &v.into());
    }
    d.to_locale_string("en-US", &opts)
        .as_string()
        .unwrap_or_default()
}

pub fn window() -> web_sys::Window {
    web_sys::window().expect("the console runs in a window")
}

pub fn copy_to_clipboard(text: &str) {
    let clipboard = window().navigator().clipboard();
    let _ = clipboard.write_text(text);
}

/// Offers `bytes` as a file download.
pub fn download(filename: &str, bytes: &[u8], mime: &str) {
    download_array(filename, &Uint8Array::from(bytes), mime);
}

/// Offers the bytes of `array` as a file download.
pub fn download_array(filename: &str, array: &Uint8Array, mime: &str) {
    let parts = Array::of1(array);
    let props = web_sys::BlobPropertyBag::new();
    props.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_buffer_source_sequence_and_options(&parts, &props)
    else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let document = window().document().expect("document");
    if let Ok(a) = document.create_element("a") {
        let a: web_sys::HtmlAnchorElement = a.unchecked_into();
        a.set_href(&url);
        a.set_download(filename);
        a.click();
    }
    // Some browsers read the blob after `click` returns: free it a little later.
    wasm_bindgen_futures::spawn_local(async move {
        yield_to_browser(60_000).await;
        let _ = web_sys::Url::revoke_object_url(&url);
    });
}

/// The bytes of a file the user picked.
pub async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buf = JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| "The browser could not read the file.".to_string())?;
    Ok(Uint8Array::new(&buf).to_vec())
}

/// Random bytes from the browser (for AES-GCM nonces; keys come from KMS).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    let crypto = window().crypto().expect("WebCrypto");
    crypto
        .get_random_values_with_u8_array(&mut out)
        .expect("getRandomValues");
    out
}

/// Lets the browser paint (e.g. a progress indicator) before long work starts.
pub async fn yield_to_browser(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = JsFuture::from(promise).await;
}

/// This origin's localStorage (kept across sessions), if the browser allows it.
pub fn local_storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// This tab's sessionStorage, if the browser allows it.
pub fn session_storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

pub fn load_pref(key: &str) -> Option<String> {
    local_storage()?
        .get_item(&format!("kms-console.{key}"))
        .ok()
        .flatten()
}

pub fn save_pref(key: &str, value: &str) {
    if let Some(s) = local_storage() {
        let _ = s.set_item(&format!("kms-console.{key}"), value);
    }
}

/// Text as the console shows bytes: UTF-8 when it is, otherwise a note.
pub fn bytes_as_text(bytes: &[u8]) -> Option<String> {
    String::from_utf8(bytes.to_vec()).ok()
}

pub fn input_value(e: &yew::InputEvent) -> String {
    e.target_unchecked_into::<web_sys::HtmlInputElement>()
        .value()
}

pub fn textarea_value(e: &yew::InputEvent) -> String {
    e.target_unchecked_into::<web_sys::HtmlTextAreaElement>()
        .value()
}

pub fn select_value(e: &yew::Event) -> String {
    e.target_unchecked_into::<web_sys::HtmlSelectElement>()
        .value()
}

pub fn checkbox_checked(e: &yew::Event) -> bool {
    e.target_unchecked_into::<web_sys::HtmlInputElement>()
        .checked()
}

/// The first file of an `<input type=file>` change event.
pub fn picked_file(e: &yew::Event) -> Option<web_sys::File> {
    let input: web_sys::HtmlInputElement = e.target_unchecked_into();
    input.files().and_then(|f| f.get(0))
}

/// Gives the focus back to the button of the menu whose item was clicked (the item goes when the
/// menu closes), so that a dialog the item opens returns the focus there when it closes.
pub fn focus_menu_button(e: &yew::MouseEvent) {
    let button = e
        .target_dyn_into::<web_sys::Element>()
        .and_then(|item| item.closest(".dropdown").ok().flatten())
        .and_then(|menu| menu.query_selector("[aria-haspopup=menu]").ok().flatten())
        .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(b) = button {
        let _ = b.focus();
    }
}

/// A dropdown menu's keys, as WAI-ARIA's menu button pattern has them: on the closed menu's
/// button, Enter, Space and Down Arrow open the menu (`set_open(true)`) on its first item and Up
/// Arrow on its last; Escape closes the menu and gives focus back to its button; the arrow keys,
/// Home and End move focus among the enabled items. `e` is a keydown inside the `.dropdown` that
/// holds the button and the menu.
pub fn menu_keydown(e: &yew::KeyboardEvent, set_open: impl Fn(bool)) {
    // Yew delegates events to its root, so the dropdown is found from the event's target.
    let Some(dropdown) = e
        .target_dyn_into::<web_sys::Element>()
        .and_then(|t| t.closest(".dropdown").ok().flatten())
    else {
        return;
    };
    let focus = |el: Option<web_sys::Element>| {
        if let Some(el) = el.and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.focus();
        }
    };
    let key = e.key();
    if key == "Escape" {
        set_open(false);
        focus(
            dropdown
                .query_selector("[aria-haspopup=menu]")
                .ok()
                .flatten(),
        );
        return;
    }
    let Ok(items) = dropdown.query_selector_all("[role^=menuitem]:not([disabled])") else {
        return;
    };
    let items: Vec<web_sys::Element> = (0..items.length())
        .filter_map(|i| items.item(i)?.dyn_into().ok())
        .collect();
    if items.is_empty() {
        let on_button = e
            .target_dyn_into::<web_sys::Element>()
            .is_some_and(|t| t.has_attribute("aria-haspopup"));
        let first = match key.as_str() {
            "Enter" | " " | "ArrowDown" => true,
            "ArrowUp" => false,
            _ => return,
        };
        if on_button
            && dropdown
                .query_selector("[role=menu]")
                .ok()
                .flatten()
                .is_none()
        {
            e.prevent_default();
            set_open(true);
            focus_menu_item_later(dropdown, first);
        }
        return;
    }
    let active = window().document().and_then(|d| d.active_element());
    let at = items.iter().position(|i| Some(i) == active.as_ref());
    let last = items.len() - 1;
    let next = match (key.as_str(), at) {
        ("ArrowDown", Some(i)) => (i + 1) % items.len(),
        ("ArrowUp", Some(i)) => i.checked_sub(1).unwrap_or(last),
        ("ArrowDown" | "Home", _) => 0,
        ("ArrowUp" | "End", _) => last,
        _ => return,
    };
    e.prevent_default();
    focus(items.get(next).cloned());
}

/// Focuses the first (or last) enabled item of `dropdown`'s menu once Yew has rendered it.
fn focus_menu_item_later(dropdown: web_sys::Element, first: bool) {
    after_render(move || {
        let Ok(items) = dropdown.query_selector_all("[role^=menuitem]:not([disabled])") else {
            return;
        };
        let at = if first {
            0
        } else {
            items.length().saturating_sub(1)
        };
        focus_element(items.item(at));
    });
}

/// Focuses the first element `selector` matches once Yew has rendered the state just set: a
/// new row's first input, the first field a failed Next marked invalid, a page's main content.
pub fn focus_later(selector: impl Into<String>) {
    let selector = selector.into();
    after_render(move || {
        let el = window()
            .document()
            .and_then(|d| d.query_selector(&selector).ok().flatten());
        focus_element(el.map(Into::into));
    });
}

fn focus_element(el: Option<web_sys::Node>) {
    if let Some(el) = el.and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

/// Runs `f` after Yew's render of the state changes made now (Yew renders in a microtask; a
/// zero timeout runs after it).
fn after_render(f: impl FnOnce() + 'static) {
    let f = Closure::once_into_js(f);
    let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(f.unchecked_ref(), 0);
}

/// Leaves `command` for the terminal to show in its input when it opens ("Open in terminal").
pub fn prefill_terminal(command: &str) {
    if let Some(s) = session_storage() {
        let _ = s.set_item(crate::terminal::PREFILL_KEY, command);
    }
}
