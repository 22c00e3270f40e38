//! Routes, the sandbox and Region providers, and the frame around every page.

use crate::components::{
    clear_seed_from_location, load_caller, seed_from_location, CallerControl, ClockControl,
    ErrorAlert, Frame, SeedDialog, Spinner,
};
use crate::kms::{self, ApiError, Kms};
use crate::pages;
use crate::route::{Route, SandboxCommand, SandboxControl};
use crate::state::{Action, ConsoleState, FlashKind};
use crate::util;
use kms_web::Sandbox;
use yew::prelude::*;
use yew_router::prelude::*;

fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <Redirect<Route> to={Route::CustomerKeys} /> },
        Route::CustomerKeys => html! { <pages::CustomerKeysPage /> },
        Route::AwsKeys => html! { <pages::AwsKeysPage /> },
        Route::CreateKey => html! { <pages::CreateKeyPage /> },
        Route::Key { id } => html! { <pages::KeyDetailPage {id} tab={AttrValue::Static("")} /> },
        Route::KeyTab { id, tab } => html! { <pages::KeyDetailPage {id} tab={tab} /> },
        Route::CustomKeyStores => html! { <pages::CustomKeyStoresPage /> },
        Route::Crypto => html! { <pages::CryptoPage /> },
        Route::Pricing => html! { <pages::PricingPage /> },
        Route::Events => html! { <pages::EventsPage /> },
        Route::Bill => html! { <pages::BillPage /> },
        Route::Settings => html! { <pages::SettingsPage /> },
        Route::Cli => html! { <pages::CliPage /> },
        Route::CloudFormation => html! { <pages::CloudFormationPage /> },
        Route::Stack { name } => html! { <pages::StackPage name={name} /> },
        Route::Terraform => html! { <pages::TerraformPage /> },
        Route::Iam => html! { <pages::IamPage tab={AttrValue::Static("users")} /> },
        Route::IamTab { tab } => html! { <pages::IamPage tab={tab} /> },
        Route::IamUser { name } => html! { <pages::IamUserPage {name} /> },
        Route::IamRole { name } => html! { <pages::IamRolePage {name} /> },
        Route::IamPolicy { name } => html! { <pages::IamPolicyPage {name} /> },
        Route::NotFound => html! { <pages::NotFoundPage /> },
    }
}

const DEFAULT_REGION: &str = "ap-southeast-2";

#[function_component]
pub fn App() -> Html {
    let console = use_reducer(|| {
        ConsoleState::new(util::load_pref("region").unwrap_or_else(|| DEFAULT_REGION.to_string()))
    });
    let sandbox = use_state(|| None::<Result<Sandbox, ApiError>>);
    let epoch = use_state(|| 0u32);
    // Who the console acts as: the account root (None) or an IAM user or role, by ARN.
    let caller = use_state(load_caller);
    // A starting sandbox to offer (`#/?seed=<relative URL>`), read before any redirect drops it.
    let seed = use_state(seed_from_location);

    let open = {
        let (sandbox, epoch, console) = (sandbox.clone(), epoch.clone(), console.clone());
        Callback::from(move |cmd: SandboxCommand| {
            let (sandbox, epoch, console) = (sandbox.clone(), epoch.clone(), console.clone());
            let current = sandbox
                .as_ref()
                .and_then(|s| s.as_ref().ok())
                .map(|s| s.name());
            let region = console.region.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let (name, account, message) = match cmd {
                    SandboxCommand::Open { name, account_id } => {
                        let msg = format!("Switched to sandbox \"{name}\".");
                        (name, account_id, msg)
                    }
                    SandboxCommand::Imported { name } => {
                        let msg = format!("Imported sandbox \"{name}\" and switched to it.");
                        (name, None, msg)
                    }
                    SandboxCommand::Reset => {
                        let name = current.unwrap_or_else(|| "default".to_string());
                        if let Err(e) = kms::delete_sandbox(&name).await {
                            console.dispatch(Action::Flash(FlashKind::Error, e.to_string(), None));
                            return;
                        }
                        let msg = format!(
                            "Sandbox \"{name}\" was reset: all its keys and aliases are gone."
                        );
                        (name, None, msg)
                    }
                };
                match kms::open_sandbox(&name, &region, account).await {
                    Ok(s) => {
                        util::save_pref("sandbox", &s.name());
                        epoch.set(*epoch + 1);
                        sandbox.set(Some(Ok(s)));
                        console.dispatch(Action::Flash(FlashKind::Success, message, None));
                    }
                    Err(e) => {
                        console.dispatch(Action::Flash(FlashKind::Error, e.to_string(), None))
                    }
                }
            });
        })
    };

    {
        let sandbox = sandbox.clone();
        let region = console.region.clone();
        use_effect_with((), move |_| {
            let name = util::load_pref("sandbox").unwrap_or_else(|| "default".to_string());
            wasm_bindgen_futures::spawn_local(async move {
                sandbox.set(Some(kms::open_sandbox(&name, &region, None).await));
            });
        });
    }

    let kms_handle = match &*sandbox {
        Some(Ok(s)) => {
            Some(Kms::new(s.clone(), console.region.clone(), *epoch).acting_as(caller.as_deref()))
        }
        _ => None,
    };
    // Changes to this sandbox reload the pages' data (keeping it on screen meanwhile): other
    // tabs' and workers', and this tab's own, whether made by a page, the terminal or
    // `window.kms`.
    let remote = use_state(crate::hooks::RemoteChanges::default);
    {
        let remote = remote.clone();
        let current = match &*sandbox {
            Some(Ok(s)) => Some(s.clone()),
            _ => None,
        };
        let key = (current.as_ref().map(|s| s.name()), *epoch);
        use_effect_with(key, move |_| {
            let subscription = current.map(|s| {
                let counter = std::rc::Rc::new(std::cell::Cell::new(remote.0));
                s.on_any_change(move |_| {
                    counter.set(counter.get() + 1);
                    remote.set(crate::hooks::RemoteChanges(counter.get()));
                })
            });
            move || drop(subscription)
        });
    }
    // Learners can script the same sandbox from devtools.
    {
        let kms_handle = kms_handle.clone();
        use_effect_with(kms_handle.clone(), move |k| {
            if let Some(k) = k {
                let _ = js_sys::Reflect::set(&util::window(), &"kms".into(), &k.to_js());
            }
        });
    }

    let (account, name) = kms_handle
        .as_ref()
        .map(|k| (k.account_id(), k.sandbox_name()))
        .unwrap_or_else(|| ("-".to_string(), "-".to_string()));
    let body = match (&*sandbox, kms_handle.clone()) {
        (None, _) => html! { <Spinner label="Opening the sandbox" /> },
        (Some(Err(e)), _) => html! {
            <div class="page">
                <h1>{"The sandbox could not be opened"}</h1>
                <ErrorAlert error={e.clone()} />
                <p>{"The console keeps keys in this browser's IndexedDB. Private windows or blocked storage prevent that."}</p>
            </div>
        },
        (Some(Ok(_)), Some(k)) => html! {
            <ContextProvider<Kms> context={k.clone()}>
                <ContextProvider<crate::hooks::RemoteChanges> context={*remote}>
                    <ContextProvider<SandboxControl> context={open.clone()}>
                        <Switch<Route> render={switch} />
                        if let Some(url) = &*seed {
                            <SeedDialog url={url.clone()} region={k.region().to_string()} on_done={
                                let (seed, open) = (seed.clone(), open.clone());
                                Callback::from(move |imported: Option<String>| {
                                    clear_seed_from_location();
                                    seed.set(None);
                                    if let Some(name) = imported {
                                        open.emit(SandboxCommand::Imported { name });
                                    }
                                })
                            } />
                        }
                    </ContextProvider<SandboxControl>>
                </ContextProvider<crate::hooks::RemoteChanges>>
            </ContextProvider<Kms>>
        },
        (Some(Ok(_)), None) => html! {},
    };
    // Advancing the sandbox clock changes what every page shows (keys deleted, rotated): a
    // new epoch makes them reload.
    let clock_control = ClockControl {
        kms: kms_handle.clone(),
        advanced: Callback::from(move |_| epoch.set(*epoch + 1)),
    };
    let caller_control = CallerControl {
        kms: kms_handle.clone(),
        set: Callback::from(move |arn: Option<String>| caller.set(arn)),
    };
    html! {
        <HashRouter>
            <ContextProvider<crate::state::ConsoleContext> context={console}>
                <ContextProvider<CallerControl> context={caller_control}>
                    <ContextProvider<ClockControl> context={clock_control}>
                        <Frame account_id={account} sandbox_name={name}>{ body }</Frame>
                    </ContextProvider<ClockControl>>
                </ContextProvider<CallerControl>>
            </ContextProvider<crate::state::ConsoleContext>>
        </HashRouter>
    }
}
