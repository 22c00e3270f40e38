//! The console frame: dark header (account, Region selector), left navigation, flash bar.

use super::{ApiPanel, Icon};
use crate::hooks::use_console;
use crate::model::{region_name, REGIONS};
use crate::route::Route;
use crate::state::{Action, FlashKind};
use crate::util;
use wasm_bindgen::{closure::Closure, JsCast};
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FrameProps {
    pub account_id: AttrValue,
    pub sandbox_name: AttrValue,
    pub children: Html,
}

/// The screens on which the navigation is a drawer (the stylesheet's breakpoint).
const NARROW: &str = "(max-width: 900px)";

#[function_component]
pub fn Frame(p: &FrameProps) -> Html {
    // On narrow screens the navigation is a drawer, opened from the header; it closes when the
    // page changes.
    let nav_open = use_state(|| false);
    let path = use_location()
        .map(|l| l.path().to_string())
        .unwrap_or_default();
    let route = use_route::<Route>();
    // The page's title when the route last changed: a new page (not a new tab of the same
    // page) moves focus to its content, as a page load would reset it.
    let shown_page = use_mut_ref(|| None::<String>);
    {
        let nav_open = nav_open.clone();
        use_effect_with((path, route), move |(_, route)| {
            nav_open.set(false);
            // Each page has its own title, as the AWS console's pages do.
            let page = match route {
                Some(Route::AwsKeys) => "AWS managed keys".to_string(),
                Some(Route::CreateKey) => "Create key".to_string(),
                Some(Route::Key { id } | Route::KeyTab { id, .. }) => format!("Key {id}"),
                Some(Route::CustomKeyStores) => "Custom key stores".to_string(),
                Some(Route::Crypto) => "Encrypt and decrypt".to_string(),
                Some(Route::Pricing) => "Pricing calculator".to_string(),
                Some(Route::Events) => "Event history".to_string(),
                Some(Route::Bill) => "Bill".to_string(),
                Some(Route::Settings) => "Sandbox settings".to_string(),
                Some(Route::Cli) => "AWS CLI terminal".to_string(),
                Some(Route::CloudFormation) => "CloudFormation stacks".to_string(),
                Some(Route::Stack { name }) => format!("Stack {name}"),
                Some(Route::Terraform) => "Terraform".to_string(),
                Some(Route::Iam | Route::IamTab { .. }) => "IAM".to_string(),
                Some(
                    Route::IamUser { name } | Route::IamRole { name } | Route::IamPolicy { name },
                ) => {
                    format!("IAM {name}")
                }
                Some(Route::NotFound) => "Page not found".to_string(),
                _ => "Customer managed keys".to_string(),
            };
            if let Some(doc) = util::window().document() {
                doc.set_title(&format!("{page} | Key Management Service - KMS Sandbox"));
            }
            let before = shown_page.borrow_mut().replace(page.clone());
            if before.is_some_and(|b| b != page) {
                // Unless the new page focused something of its own (the terminal's input).
                util::focus_later("#main:not(:focus-within)");
            }
        });
    }
    // The open drawer covers the page: the page behind it is inert (no focus, no clicks) until
    // the drawer closes, which it also does when the screen grows past the drawer's breakpoint.
    {
        let nav_open = nav_open.clone();
        use_effect_with(*nav_open, move |open| {
            let query = open
                .then(|| util::window().match_media(NARROW).ok().flatten())
                .flatten();
            let listener = query.map(|q| {
                let close = Closure::<dyn Fn()>::new(move || nav_open.set(false));
                q.set_onchange(Some(close.as_ref().unchecked_ref()));
                (q, close)
            });
            move || {
                if let Some((q, _close)) = listener {
                    q.set_onchange(None);
                }
            }
        });
    }
    let toggle_nav = {
        let nav_open = nav_open.clone();
        Callback::from(move |_| nav_open.set(!*nav_open))
    };
    // Escape closes the open drawer and gives focus back to its button.
    let onkeydown = {
        let nav_open = nav_open.clone();
        Callback::from(move |e: KeyboardEvent| {
            if *nav_open && e.key() == "Escape" {
                nav_open.set(false);
                let toggle = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.query_selector(".nav-toggle").ok().flatten())
                    .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok());
                if let Some(toggle) = toggle {
                    let _ = toggle.focus();
                }
            }
        })
    };
    html! {
        <div class="console" {onkeydown}>
            <Header account_id={p.account_id.clone()} sandbox_name={p.sandbox_name.clone()} nav_open={*nav_open} {toggle_nav} />
            <div class="console-body">
                <SideNav open={*nav_open} />
                if *nav_open {
                    <div class="drawer-backdrop" onclick={ let n = nav_open.clone(); Callback::from(move |_| n.set(false)) }></div>
                }
                <main class="content" id="main" tabindex="-1" inert={*nav_open}>
                    <FlashBar />
                    { p.children.clone() }
                </main>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct HeaderProps {
    account_id: AttrValue,
    sandbox_name: AttrValue,
    nav_open: bool,
    toggle_nav: Callback<()>,
}

#[function_component]
fn Header(p: &HeaderProps) -> Html {
    let console = use_console();
    let route = use_route::<Route>();
    let navigator = use_navigator();
    let onchange = {
        let console = console.clone();
        Callback::from(move |e: Event| {
            let region = util::select_value(&e);
            util::save_pref("region", &region);
            // The page stays; every view reloads from the new Region (each Region is its own key
            // space, and `window.kms` follows the selection). A key lives in one Region, so a
            // key's page gives way to the key list.
            if matches!(route, Some(Route::Key { .. }) | Some(Route::KeyTab { .. })) {
                if let Some(n) = &navigator {
                    n.push(&Route::CustomerKeys);
                }
            }
            console.dispatch(Action::SetRegion(region));
        })
    };
    html! {
        <header class="topbar">
            // Routes are hash routes: following `#main` would navigate. Focus moves instead.
            <a class="skip-link" href="#main" onclick={Callback::from(skip_to_content)}>{"Skip to content"}</a>
            <button class="nav-toggle" aria-label="Navigation" aria-controls="sidenav" aria-expanded={p.nav_open.to_string()}
                onclick={p.toggle_nav.reform(|_| ())}><Icon name="menu" /></button>
            <Link<Route> to={Route::CustomerKeys} classes="brand">
                <span class="brand-mark" aria-hidden="true">{"KMS"}</span>
                <span class="brand-name">{"KMS Sandbox"}</span>
            </Link<Route>>
            <span class="service-name">{"Key Management Service"}</span>
            <span class="topbar-spacer"></span>
            <Link<Route> to={Route::Settings} classes="topbar-item" >
                {"Sandbox: "}<strong data-testid="sandbox-name">{ &p.sandbox_name }</strong>
            </Link<Route>>
            <super::SandboxClock />
            <super::CallerSwitcher />
            <span class="topbar-item">{"Account ID: "}<strong data-testid="account-id">{ &p.account_id }</strong></span>
            <label class="region-select">
                <span class="visually-hidden">{"Region"}</span>
                // What a phone shows of the select: the Region's code, which fits.
                <span class="region-code" aria-hidden="true">{ &console.region }</span>
                <select aria-label="Region" {onchange} data-testid="region-select">
                    { for REGIONS.iter().map(|(code, name)| html! {
                        <option value={*code} selected={*code == console.region}>{ format!("{name} {code}") }</option>
                    }) }
                </select>
            </label>
        </header>
    }
}

/// The skip link's jump: focus on the page's main content, without changing the route.
fn skip_to_content(e: MouseEvent) {
    e.prevent_default();
    let main = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("main"))
        .and_then(|m| m.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(main) = main {
        let _ = main.focus();
        main.scroll_into_view();
    }
}

#[derive(Properties, PartialEq)]
struct SideNavProps {
    open: bool,
}

#[function_component]
fn SideNav(p: &SideNavProps) -> Html {
    let route = use_route::<Route>();
    let console = use_console();
    let item = |to: Route, label: &str| {
        let active = match (&route, &to) {
            (
                Some(Route::Key { .. } | Route::KeyTab { .. } | Route::CreateKey),
                Route::CustomerKeys,
            ) => true,
            (
                Some(
                    Route::IamTab { .. }
                    | Route::IamUser { .. }
                    | Route::IamRole { .. }
                    | Route::IamPolicy { .. },
                ),
                Route::Iam,
            ) => true,
            (Some(Route::Stack { .. }), Route::CloudFormation) => true,
            (Some(r), t) => r == t,
            _ => false,
        };
        html! {
            <li><Link<Route> to={to} classes={classes!("nav-link", active.then_some("active"))}>{ label.to_string() }</Link<Route>></li>
        }
    };
    html! {
        <nav id="sidenav" class={classes!("sidenav", p.open.then_some("open"))} aria-label="Key Management Service">
            <div class="sidenav-title">{"Key Management Service (KMS)"}</div>
            <div class="sidenav-region">{ region_name(&console.region) }</div>
            <ul>
                { item(Route::AwsKeys, "AWS managed keys") }
                { item(Route::CustomerKeys, "Customer managed keys") }
                { item(Route::CustomKeyStores, "Custom key stores") }
            </ul>
            <div class="sidenav-section">{"Sandbox tools"}</div>
            <ul>
                { item(Route::Crypto, "Encrypt and decrypt") }
                { item(Route::Events, "Event history (CloudTrail)") }
                { item(Route::Bill, "Bill") }
                { item(Route::Cli, "AWS CLI terminal") }
                { item(Route::CloudFormation, "CloudFormation stacks") }
                { item(Route::Terraform, "Terraform") }
                { item(Route::Iam, "IAM users, roles and policies") }
                { item(Route::Pricing, "Pricing calculator") }
                { item(Route::Settings, "Sandbox settings") }
            </ul>
        </nav>
    }
}

#[function_component]
fn FlashBar() -> Html {
    let console = use_console();
    // Banners belong to the page they were raised on (see `Action::Navigated`).
    let path = use_location()
        .map(|l| l.path().to_string())
        .unwrap_or_default();
    {
        let console = console.clone();
        use_effect_with(path, move |path| {
            console.dispatch(Action::Navigated(path.clone()))
        });
    }
    if console.flashes.is_empty() {
        return html! {};
    }
    html! {
        <div class="flashbar">
            { for console.flashes.iter().map(|f| {
                let id = f.id;
                let dismiss = { let c = console.clone(); Callback::from(move |_| c.dispatch(Action::Dismiss(id))) };
                let kind = match f.kind { FlashKind::Success => "success", FlashKind::Error => "error" };
                html! {
                    <div class={classes!("flash", format!("flash-{kind}"))} role={if f.kind == FlashKind::Error { "alert" } else { "status" }} data-flash={kind}>
                        <Icon name={if f.kind == FlashKind::Success { "success" } else { "error" }} />
                        <span class="flash-message">{ &f.message }</span>
                        if let Some((text, key_id)) = &f.link_key {
                            {" "}<Link<Route> to={Route::Key { id: key_id.clone() }} classes="flash-link">{ text }</Link<Route>>
                        }
                        <button class="flash-close" aria-label="Dismiss" onclick={dismiss}><Icon name="close" /></button>
                        if !f.requests.is_empty() {
                            <div class="flash-calls"><ApiPanel requests={f.requests.clone()} /></div>
                        }
                    </div>
                }
            }) }
        </div>
    }
}
