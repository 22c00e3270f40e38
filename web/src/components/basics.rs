//! Small building blocks: status badge, alerts, spinner, copy button, modal dialog, tabs.

use super::Icon;
use crate::kms::ApiError;
use crate::model::key_state_label;
use crate::util;
use kms_web::types::KeyState;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StatusProps {
    pub state: Option<KeyState>,
}

/// A key state with the console's coloured icon.
#[function_component]
pub fn StatusBadge(p: &StatusProps) -> Html {
    let class = match p.state {
        Some(KeyState::Enabled) => "status status-ok",
        Some(KeyState::PendingDeletion) => "status status-warn",
        Some(KeyState::Disabled | KeyState::Unavailable) => "status status-off",
        _ => "status status-info",
    };
    // data-state carries the AWS name (the e2e tests select by it).
    let state = p.state.map_or("", KeyState::as_str);
    html! { <span class={class} data-state={state}>{ key_state_label(p.state) }</span> }
}

#[derive(Properties, PartialEq)]
pub struct ErrorProps {
    pub error: ApiError,
    #[prop_or_default]
    pub on_dismiss: Option<Callback<()>>,
}

/// An AWS error: its type in bold, then AWS's message.
#[function_component]
pub fn ErrorAlert(p: &ErrorProps) -> Html {
    html! {
        <div class="alert alert-error" role="alert">
            <span class="alert-icon"><Icon name="error" /></span>
            <div class="alert-body">
                <strong class="error-type" data-testid="error-type">{ &p.error.error_type }</strong>
                if p.error.message.is_empty() {
                    <div class="error-message muted">{ format!("(AWS KMS sends no message with this error.) {}", explain_error(&p.error.error_type)) }</div>
                } else {
                    <div class="error-message" data-testid="error-message">{ &p.error.message }</div>
                }
                if let Some(call) = &p.error.denied { <super::WhyButton call={call.clone()} /> }
            </div>
            if let Some(cb) = &p.on_dismiss {
                <button class="alert-close" aria-label="Dismiss" onclick={cb.reform(|_| ())}><Icon name="close" /></button>
            }
        </div>
    }
}

/// What an error means, for the errors AWS KMS sends without a message.
fn explain_error(error_type: &str) -> &'static str {
    match error_type {
        "KMSInvalidSignatureException" => "The signature is not valid for this message, key and signing algorithm.",
        "KMSInvalidMacException" => "The MAC is not valid for this message, key and MAC algorithm.",
        "InvalidCiphertextException" => {
            "The ciphertext, its encryption context or the key does not match: KMS could not decrypt it."
        }
        _ => "",
    }
}

#[derive(Properties, PartialEq)]
pub struct InfoProps {
    #[prop_or_default]
    pub title: Option<AttrValue>,
    #[prop_or(AttrValue::Static("info"))]
    pub kind: AttrValue,
    pub children: Html,
}

#[function_component]
pub fn InfoAlert(p: &InfoProps) -> Html {
    let icon = match p.kind.as_str() {
        "success" => "success",
        "warning" => "warning",
        _ => "info",
    };
    html! {
        <div class={classes!("alert", format!("alert-{}", p.kind))} role="status">
            <span class="alert-icon"><Icon name={icon} /></span>
            <div class="alert-body">
                if let Some(t) = &p.title { <strong>{t}</strong> }
                <div>{ p.children.clone() }</div>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct SpinnerProps {
    #[prop_or(AttrValue::Static("Loading"))]
    pub label: AttrValue,
}

#[function_component]
pub fn Spinner(p: &SpinnerProps) -> Html {
    html! { <div class="loading" role="status"><span class="spinner" aria-hidden="true"></span>{ &p.label }</div> }
}

#[derive(Properties, PartialEq)]
pub struct CopyProps {
    pub text: AttrValue,
    #[prop_or(AttrValue::Static("Copy"))]
    pub label: AttrValue,
}

/// Copies `text`, and says so for a moment.
#[function_component]
pub fn CopyButton(p: &CopyProps) -> Html {
    let copied = use_state(|| false);
    let onclick = {
        let text = p.text.clone();
        let copied = copied.clone();
        Callback::from(move |_| {
            util::copy_to_clipboard(&text);
            copied.set(true);
            let copied = copied.clone();
            wasm_bindgen_futures::spawn_local(async move {
                util::yield_to_browser(1500).await;
                copied.set(false);
            });
        })
    };
    html! {
        <button type="button" class="btn btn-small copy-button" {onclick} title="Copy to clipboard">
            if *copied { <Icon name="success" />{"Copied"} } else { <Icon name="copy" />{ &p.label } }
        </button>
    }
}

#[derive(Properties, PartialEq)]
pub struct ModalProps {
    pub title: AttrValue,
    pub on_close: Callback<()>,
    pub children: Html,
    #[prop_or_default]
    pub footer: Html,
    #[prop_or_default]
    pub wide: bool,
}

/// What Tab can reach inside a dialog.
const FOCUSABLE: &str =
    "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), \
    select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex='-1'])";

/// The dialog's controls that Tab reaches, in order (those not rendered, such as the contents of
/// a closed `<details>`, have no layout boxes and are left out).
fn tab_stops(dialog: &web_sys::Element) -> Vec<web_sys::HtmlElement> {
    let Ok(list) = dialog.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .filter(|el| el.get_client_rects().length() > 0)
        .collect()
}

/// A dialog over a dimmed page, modal for the keyboard too: it takes the focus when it opens,
/// Tab and Shift-Tab cycle through its controls without leaving it, Escape closes it, and the
/// focus goes back to what had it before.
#[function_component]
pub fn Modal(p: &ModalProps) -> Html {
    let dialog = use_node_ref();
    {
        let dialog = dialog.clone();
        use_effect_with((), move |_| {
            let document = util::window().document();
            let previous = document.as_ref().and_then(|d| d.active_element());
            if let Some(el) = dialog.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
            move || {
                if let Some(el) = previous.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                    let _ = el.focus();
                }
            }
        });
    }
    let onkeydown = {
        let close = p.on_close.clone();
        let dialog = dialog.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.stop_propagation();
                close.emit(());
                return;
            }
            if e.key() != "Tab" {
                return;
            }
            let Some(d) = dialog.cast::<web_sys::Element>() else {
                return;
            };
            let stops = tab_stops(&d);
            let (Some(first), Some(last)) = (stops.first(), stops.last()) else {
                e.prevent_default();
                return;
            };
            let active = util::window()
                .document()
                .and_then(|doc| doc.active_element());
            let is = |el: &web_sys::HtmlElement| {
                active.as_ref().is_some_and(|a| a.is_same_node(Some(el)))
            };
            let inside = active.as_ref().is_some_and(|a| d.contains(Some(a)));
            let on_dialog = active.as_ref().is_some_and(|a| a.is_same_node(Some(&d)));
            let wrap_to = if e.shift_key() {
                (!inside || on_dialog || is(first)).then_some(last)
            } else {
                (!inside || is(last)).then_some(first)
            };
            if let Some(target) = wrap_to {
                e.prevent_default();
                let _ = target.focus();
            }
        })
    };
    // A click on the dimmed page does not take the focus out of the dialog. (Yew delegates
    // events, so the backdrop is recognised by its node, not by `current_target`.)
    let backdrop = use_node_ref();
    let onmousedown = {
        let backdrop = backdrop.clone();
        Callback::from(move |e: MouseEvent| {
            let on_backdrop = match (e.target(), backdrop.get()) {
                (Some(t), Some(b)) => JsValue::from(t) == JsValue::from(b),
                _ => false,
            };
            if on_backdrop {
                e.prevent_default();
            }
        })
    };
    html! {
        <div class="modal-backdrop" ref={backdrop} {onkeydown} {onmousedown}>
            <div class={classes!("modal", p.wide.then_some("modal-wide"))} role="dialog" aria-modal="true"
                aria-label={p.title.clone()} tabindex="-1" ref={dialog}>
                <div class="modal-header">
                    <h2>{ &p.title }</h2>
                    <button class="modal-close" aria-label="Close" onclick={p.on_close.reform(|_| ())}><Icon name="close" /></button>
                </div>
                <div class="modal-body">{ p.children.clone() }</div>
                <div class="modal-footer">{ p.footer.clone() }</div>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct TabsProps {
    pub tabs: Vec<(AttrValue, AttrValue)>,
    pub active: AttrValue,
    pub on_select: Callback<AttrValue>,
}

/// A tab strip: (id, label) pairs. Keyboard as WAI-ARIA's tabs pattern: the strip is one tab
/// stop (the active tab), and the arrow keys, Home and End select and focus another tab.
#[function_component]
pub fn Tabs(p: &TabsProps) -> Html {
    let strip = use_node_ref();
    let onkeydown = {
        let ids: Vec<AttrValue> = p.tabs.iter().map(|(id, _)| id.clone()).collect();
        let active = ids.iter().position(|id| *id == p.active).unwrap_or(0);
        let on_select = p.on_select.clone();
        let strip = strip.clone();
        Callback::from(move |e: KeyboardEvent| {
            let last = ids.len().saturating_sub(1);
            let next = match e.key().as_str() {
                "ArrowRight" => (active + 1).min(last),
                "ArrowLeft" => active.saturating_sub(1),
                "Home" => 0,
                "End" => last,
                _ => return,
            };
            e.prevent_default();
            let Some(id) = ids.get(next) else { return };
            on_select.emit(id.clone());
            if let Some(tab) = strip
                .cast::<web_sys::Element>()
                .and_then(|s| {
                    s.query_selector(&format!("[data-tab=\"{id}\"]"))
                        .ok()
                        .flatten()
                })
                .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = tab.focus();
            }
        })
    };
    html! {
        <div class="tabs" role="tablist" ref={strip} {onkeydown}>
            { for p.tabs.iter().map(|(id, label)| {
                let selected = *id == p.active;
                let onclick = { let id = id.clone(); p.on_select.reform(move |_| id.clone()) };
                html! {
                    <button role="tab" aria-selected={selected.to_string()} data-tab={id.clone()}
                        tabindex={if selected { "0" } else { "-1" }}
                        class={classes!("tab", selected.then_some("tab-active"))} {onclick}>{ label }</button>
                }
            }) }
        </div>
    }
}

/// The first-run notice: the sandbox's "HSM" is a browser key that any script of this origin
/// can use. Shown until dismissed (remembered in this browser).
#[function_component]
pub fn SameOriginNotice() -> Html {
    let seen = use_state(|| crate::util::load_pref("origin-notice-seen").is_some());
    if *seen {
        return html! {};
    }
    let dismiss = {
        let seen = seen.clone();
        Callback::from(move |_| {
            crate::util::save_pref("origin-notice-seen", "1");
            seen.set(true);
        })
    };
    html! {
        <div class="alert alert-info origin-notice" role="note" data-testid="origin-notice">
            <span class="alert-icon"><Icon name="info" /></span>
            <div class="alert-body">
                <strong>{"This is a sandbox: its \"HSM\" protects nothing from this site's own scripts"}</strong>
                <div>{"Keys live in this browser's IndexedDB, wrapped by a non-extractable WebCrypto key. Any script running on this \
                    origin (this site, at any path) can use that key and every sandbox. Never protect real data with it, and host the \
                    console on an origin of its own (not a shared site under a sub-path)."}</div>
            </div>
            <button class="alert-close" aria-label="Dismiss the sandbox notice" onclick={dismiss}><Icon name="close" /></button>
        </div>
    }
}
