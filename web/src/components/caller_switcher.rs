//! "Acting as" in the header: the account root, or any IAM user or role of the sandbox. The
//! choice lives in the app's state (the [`Kms`] every page uses acts as it) and in the tab's
//! session storage, so it survives reloads and Region changes but not a new tab.

use crate::access::principal_label;
use crate::kms::Kms;
use crate::util;
use yew::prelude::*;

/// What the header's switcher needs from the app: the console's KMS (once the sandbox is open)
/// and how to change who it acts as (`None`: the account root).
#[derive(Clone, PartialEq)]
pub struct CallerControl {
    pub kms: Option<Kms>,
    pub set: Callback<Option<String>>,
}

const KEY: &str = "kms-console.caller";

/// The principal chosen earlier in this tab, if any.
pub fn load_caller() -> Option<String> {
    util::session_storage()?.get_item(KEY).ok().flatten()
}

pub fn save_caller(arn: Option<&str>) {
    if let Some(s) = util::session_storage() {
        let _ = match arn {
            Some(a) => s.set_item(KEY, a),
            None => s.remove_item(KEY),
        };
    }
}

/// How the header names a principal: `alice`, `role App`, `root user`.
pub fn caller_name(arn: Option<&str>) -> String {
    match arn {
        None => "root user".into(),
        Some(a) => match principal_label(a) {
            ("Role", name) => format!("role {name}"),
            (_, name) => name,
        },
    }
}

#[function_component]
pub fn CallerSwitcher() -> Html {
    let control = use_context::<CallerControl>();
    let open = use_state(|| false);
    let menu = use_node_ref();
    {
        // Opening the menu puts the keyboard on the current choice.
        let menu = menu.clone();
        use_effect_with(*open, move |open| {
            if *open {
                if let Some(el) = menu
                    .cast::<web_sys::Element>()
                    .and_then(|m| m.query_selector("[aria-checked=true]").ok().flatten())
                {
                    use wasm_bindgen::JsCast;
                    if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                        let _ = el.focus();
                    }
                }
            }
        });
    }
    let Some(CallerControl {
        kms: Some(kms),
        set,
    }) = control
    else {
        return html! {};
    };
    let current = kms.principal_arn();
    let toggle = {
        let open = open.clone();
        Callback::from(move |_| open.set(!*open))
    };
    let close = {
        let open = open.clone();
        Callback::from(move |_| open.set(false))
    };
    let onkeydown = {
        let open = open.clone();
        Callback::from(move |e: KeyboardEvent| util::menu_keydown(&e, |o| open.set(o)))
    };
    let item = |arn: Option<String>, label: String, kind: &str| {
        let checked = arn == current;
        let (set, open) = (set.clone(), open.clone());
        let a = arn.clone();
        let onclick = Callback::from(move |_| {
            save_caller(a.as_deref());
            set.emit(a.clone());
            open.set(false);
        });
        html! {
            <li role="none">
                <button role="menuitemradio" aria-checked={checked.to_string()} {onclick}
                    data-principal={arn.clone().unwrap_or_else(|| "root".into())}>
                    <span class="caller-item-name">{ label }</span>
                    <span class="caller-item-kind">{ kind.to_string() }</span>
                </button>
            </li>
        }
    };
    let principals = if *open { kms.principals() } else { Vec::new() };
    html! {
        <div class="dropdown caller-switcher" {onkeydown}>
            if *open { <div class="menu-backdrop" onclick={close.clone()}></div> }
            <button type="button" class={classes!("caller-button", current.is_some().then_some("acting"))}
                aria-haspopup="menu" aria-expanded={open.to_string()} onclick={toggle}
                title={kms.caller_arn()} data-testid="caller">
                <span class="caller-label">{"Acting as: "}</span><strong>{ caller_name(current.as_deref()) }</strong>{" ▾"}
            </button>
            if *open {
                <ul class="menu menu-right caller-menu" role="menu" aria-label="Act as" ref={menu}>
                    { item(None, "Account root user".into(), "Root") }
                    { for principals.into_iter().map(|(arn, _)| {
                        let (label, name) = principal_label(&arn);
                        item(Some(arn.clone()), name, label)
                    }) }
                    <li role="none" class="caller-menu-footer">
                        // A plain hash link (the console's routes are hash routes), so that the
                        // menu holds only menu items.
                        <a role="menuitem" href="#/iam" onclick={close}>{"Manage users and roles in IAM"}</a>
                    </li>
                </ul>
            }
        </div>
    }
}
