//! A key's detail page: General configuration and the tabs (key policy, cryptographic
//! configuration, tags, key rotation, public key, aliases).

use super::breadcrumbs;
use super::key_events::KeyEventsTab;
use super::key_material::{KeyMaterialTab, RegionalityTab};
use super::key_tabs::{
    AliasesTab, CryptoConfigTab, KeyPolicyTab, PublicKeyTab, RotationTab, TagsTab,
};
use crate::components::{
    ApiPanel, CopyButton, ErrorAlert, InfoAlert, Modal, ScheduleDeletionDialog, Spinner,
    StatusBadge, Tabs,
};
use crate::hooks::{use_console, use_kms, use_loader, Load};
use crate::kms::{requests as r, ApiError, Request};
use crate::model::{regionality_label, AliasEntry, KeyMetadata};
use crate::route::Route;
use crate::state::{Action, FlashKind};
use crate::util;
use kms_web::types::{KeyState, MultiRegionKeyType, Origin};
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Properties, PartialEq)]
pub struct KeyDetailProps {
    pub id: String,
    pub tab: AttrValue,
}

#[derive(Clone, PartialEq)]
pub struct KeyInfo {
    pub meta: KeyMetadata,
    pub aliases: Vec<AliasEntry>,
}

#[function_component]
pub fn KeyDetailPage(p: &KeyDetailProps) -> Html {
    let kms = use_kms();
    let (info, reload) = use_loader((kms.clone(), p.id.clone()), |(kms, id)| async move {
        let meta = kms.describe_key(&id).await?;
        let aliases = kms.list_aliases(Some(&meta.key_id)).await?;
        Ok(KeyInfo { meta, aliases })
    });
    match &*info {
        Load::Loading => html! { <div class="page"><Spinner label="Loading key" /></div> },
        Load::Failed(e) => html! {
            <div class="page">
                { breadcrumbs(&[("Customer managed keys", Some(Route::CustomerKeys)), (p.id.as_str(), None)]) }
                <h1>{ &p.id }</h1>
                <ErrorAlert error={e.clone()} />
                if e.error_type == "NotFoundException" {
                    // A deleted key is gone from every listing; a key of another Region is only
                    // found there.
                    <p>{"This key is not in this Region. It may have been deleted (its deletion date has passed), \
                        or it belongs to another Region: check the Region selector in the header."}</p>
                }
            </div>
        },
        Load::Ready(info) => {
            html! { <KeyDetail info={info.clone()} tab={p.tab.clone()} reload={reload.clone()} /> }
        }
    }
}

#[derive(Properties, PartialEq)]
struct DetailProps {
    info: KeyInfo,
    tab: AttrValue,
    reload: Callback<()>,
}

#[function_component]
fn KeyDetail(p: &DetailProps) -> Html {
    let kms = use_kms();
    let console = use_console();
    let navigator = use_navigator().expect("router");
    let meta = &p.info.meta;
    let customer = meta.is_customer_managed();
    let editing_desc = use_state(|| None::<String>);
    let action_error = use_state(|| None::<ApiError>);
    let dialog = use_state(|| "");
    let menu_open = use_state(|| false);

    let mut tabs: Vec<(AttrValue, AttrValue)> = vec![
        ("policy".into(), "Key policy".into()),
        ("crypto".into(), "Cryptographic configuration".into()),
    ];
    tabs.push(("tags".into(), "Tags".into()));
    if meta.origin == Some(Origin::External) {
        tabs.push(("key-material".into(), "Key material".into()));
    }
    if meta.multi_region {
        tabs.push(("regionality".into(), "Regionality".into()));
    }
    if meta.is_symmetric_encryption() {
        tabs.push(("rotation".into(), "Key rotation".into()));
    }
    if meta.is_asymmetric() {
        tabs.push(("public-key".into(), "Public key".into()));
    }
    tabs.push(("aliases".into(), "Aliases".into()));
    tabs.push(("events".into(), "Recent events".into()));
    let active: AttrValue = if tabs.iter().any(|(id, _)| *id == p.tab) {
        p.tab.clone()
    } else {
        AttrValue::Static("policy")
    };
    let on_tab = {
        let (navigator, id) = (navigator.clone(), meta.key_id.clone());
        Callback::from(move |tab: AttrValue| {
            navigator.replace(&Route::KeyTab {
                id: id.clone(),
                tab: tab.to_string(),
            })
        })
    };

    let title = p
        .info
        .aliases
        .first()
        .map(|a| a.alias_name.trim_start_matches("alias/").to_string())
        .unwrap_or_else(|| meta.key_id.clone());
    let list_route = if customer {
        Route::CustomerKeys
    } else {
        Route::AwsKeys
    };
    let list_label = if customer {
        "Customer managed keys"
    } else {
        "AWS managed keys"
    };

    // One-request actions (enable, disable, cancel deletion, description).
    let run = {
        let (kms, console, reload, action_error, dialog) = (
            kms.clone(),
            console.clone(),
            p.reload.clone(),
            action_error.clone(),
            dialog.clone(),
        );
        Callback::from(move |(req, done): (Request, String)| {
            let (kms, console, reload, action_error, dialog) = (
                kms.clone(),
                console.clone(),
                reload.clone(),
                action_error.clone(),
                dialog.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                dialog.set("");
                match kms.send(&req).await {
                    Ok(_) => {
                        action_error.set(None);
                        console.dispatch(Action::FlashCalls(done, vec![req]));
                    }
                    Err(e) => action_error.set(Some(e)),
                }
                reload.emit(());
            });
        })
    };
    let key_id = meta.key_id.clone();
    let state = meta.key_state;
    let item = |label: &str, enabled: bool, cb: Callback<MouseEvent>| {
        let menu_open = menu_open.clone();
        html! { <li role="none"><button role="menuitem" disabled={!enabled} onclick={Callback::from(move |e: MouseEvent| { util::focus_menu_button(&e); menu_open.set(false); cb.emit(e) })}>{ label.to_string() }</button></li> }
    };
    let emit_run = |req: Request, done: &str| {
        let run = run.clone();
        let done = done.to_string();
        Callback::from(move |_| run.emit((req.clone(), done.clone())))
    };
    let open_dialog = |name: &'static str| {
        let d = dialog.clone();
        Callback::from(move |_| d.set(name))
    };

    let dialog_html = match *dialog {
        "delete" => {
            let on_done = {
                let (dialog, console, reload) = (dialog.clone(), console.clone(), p.reload.clone());
                Callback::from(move |msg: String| {
                    dialog.set("");
                    console.dispatch(Action::Flash(FlashKind::Success, msg, None));
                    reload.emit(());
                })
            };
            let close = {
                let d = dialog.clone();
                Callback::from(move |_| d.set(""))
            };
            html! { <ScheduleDeletionDialog keys={vec![(key_id.clone(), title.clone())]} on_close={close} {on_done} /> }
        }
        "disable" => {
            let close = {
                let d = dialog.clone();
                Callback::from(move |_| d.set(""))
            };
            let req = r::disable_key(&key_id);
            let footer = html! { <>
                <button class="btn" onclick={close.reform(|_| ())}>{"Cancel"}</button>
                <button class="btn btn-primary" onclick={emit_run(req.clone(), "The key was disabled.")}>{"Disable key"}</button>
            </> };
            html! {
                <Modal title="Disable key" on_close={close} {footer}>
                    <p>{ format!("Disable {title}? While it is disabled it cannot be used in cryptographic operations.") }</p>
                    <ApiPanel requests={vec![req]} />
                </Modal>
            }
        }
        _ => html! {},
    };

    let desc_req = editing_desc
        .as_ref()
        .map(|d| r::update_key_description(&key_id, d));
    let save_desc = {
        let (run, editing_desc, desc_req) = (run.clone(), editing_desc.clone(), desc_req.clone());
        Callback::from(move |_| {
            if let Some(req) = &desc_req {
                run.emit((req.clone(), "The description was updated.".into()));
            }
            editing_desc.set(None);
        })
    };

    let kv = |k: &str, v: Html| html! { <div class="kv"><div class="kv-key">{ k.to_string() }</div><div class="kv-value">{ v }</div></div> };

    html! {
        <div class="page">
            { breadcrumbs(&[(list_label, Some(list_route)), (&meta.key_id, None)]) }
            <div class="page-header">
                <h1 data-testid="key-title">{ &title }</h1>
                if customer {
                    <div class="panel-actions">
                        <div class="dropdown" onkeydown={ let m = menu_open.clone(); Callback::from(move |e: KeyboardEvent| util::menu_keydown(&e, |o| m.set(o))) }>
                            if *menu_open {
                                // A click anywhere else closes the menu.
                                <div class="menu-backdrop" onclick={ let m = menu_open.clone(); Callback::from(move |_| m.set(false)) }></div>
                            }
                            <button class="btn" aria-haspopup="menu" aria-expanded={menu_open.to_string()}
                                onclick={ let m = menu_open.clone(); Callback::from(move |_| m.set(!*m)) }>{"Key actions ▾"}</button>
                            if *menu_open {
                                <ul class="menu menu-right" role="menu">
                                    { item("Enable", state == Some(KeyState::Disabled), emit_run(r::enable_key(&key_id), "The key was enabled.")) }
                                    { item("Disable", state == Some(KeyState::Enabled), open_dialog("disable")) }
                                    { item("Schedule key deletion", matches!(state, Some(KeyState::Enabled | KeyState::Disabled | KeyState::PendingImport)), open_dialog("delete")) }
                                    { item("Cancel key deletion", state == Some(KeyState::PendingDeletion),
                                        emit_run(r::cancel_key_deletion(&key_id), "Key deletion was canceled. The key is Disabled; enable it to use it.")) }
                                </ul>
                            }
                        </div>
                    </div>
                }
            </div>
            if !customer {
                <InfoAlert title="This is an AWS managed key">
                    {"An AWS service created this key in your account and uses it on your behalf. You can view the key and its key policy, \
                      but you cannot edit its key policy, description, tags or aliases, enable or disable it, change its rotation \
                      (AWS rotates it every year), or schedule its deletion. AWS managed keys have no monthly fee."}
                </InfoAlert>
            }
            if state == Some(KeyState::PendingDeletion) {
                <InfoAlert kind="warning" title="This key is pending deletion">
                    { format!("AWS KMS will delete this key on {}. It cannot be used while pending deletion. To keep it, choose Key actions, Cancel key deletion.",
                        meta.deletion_date.map(util::format_date).unwrap_or_default()) }
                    {" "}<button class="btn btn-small" onclick={emit_run(r::cancel_key_deletion(&key_id), "Key deletion was canceled. The key is Disabled; enable it to use it.")}>{"Cancel key deletion"}</button>
                </InfoAlert>
            }
            if let Some(e) = &*action_error {
                <ErrorAlert error={e.clone()} on_dismiss={ let a = action_error.clone(); Callback::from(move |_| a.set(None)) } />
            }
            <div class="panel">
                <div class="panel-header">
                    <h2>{"General configuration"}</h2>
                    if customer && editing_desc.is_none() && state != Some(KeyState::PendingDeletion) {
                        <button class="btn" onclick={ let e = editing_desc.clone(); let d = meta.description.clone(); Callback::from(move |_| e.set(Some(d.clone()))) }>{"Edit"}</button>
                    }
                </div>
                <div class="panel-body grid-3">
                    { kv("Alias", html! { { p.info.aliases.first().map(|a| a.alias_name.trim_start_matches("alias/").to_string()).unwrap_or_else(|| "-".into()) } }) }
                    { kv("Status", html! { <StatusBadge state={meta.key_state} /> }) }
                    { kv("Creation date", html! { { util::format_date(meta.creation_date) } }) }
                    { kv("ARN", html! { <span class="arn"><span class="mono small" data-testid="key-arn">{ &meta.arn }</span><CopyButton text={meta.arn.clone()} label="Copy ARN" /></span> }) }
                    { kv("Description", match &*editing_desc {
                        Some(d) => html! {
                            <div class="desc-edit">
                                <label for="desc-input" class="visually-hidden">{"Description"}</label>
                                <textarea id="desc-input" rows="3" value={d.clone()}
                                    oninput={ let e = editing_desc.clone(); Callback::from(move |ev: InputEvent| e.set(Some(util::textarea_value(&ev)))) } />
                                <div class="button-row">
                                    <button class="btn" onclick={ let e = editing_desc.clone(); Callback::from(move |_| e.set(None)) }>{"Cancel"}</button>
                                    <button class="btn btn-primary" onclick={save_desc}>{"Save changes"}</button>
                                </div>
                                <ApiPanel requests={desc_req.clone().into_iter().collect::<Vec<_>>()} />
                            </div>
                        },
                        None => html! { { if meta.description.is_empty() { "-".to_string() } else { meta.description.clone() } } },
                    }) }
                    { kv("Regionality", html! { <span data-testid="regionality-label">{ regionality_label(meta.multi_region) }
                        { match &meta.multi_region_configuration {
                            Some(c) if c.multi_region_key_type == Some(MultiRegionKeyType::Primary) => " (primary key)",
                            Some(_) => " (replica key)",
                            None => "",
                        } }</span> }) }
                    if let Some(d) = meta.deletion_date {
                        { kv("Scheduled deletion date", html! { <span data-testid="deletion-date">{ util::format_date(d) }</span> }) }
                    }
                </div>
            </div>
            <Tabs tabs={tabs} active={active.clone()} on_select={on_tab} />
            <div class="tab-panel" role="tabpanel">
                { match active.as_str() {
                    "crypto" => html! { <CryptoConfigTab meta={meta.clone()} /> },
                    "tags" => html! { <TagsTab meta={meta.clone()} /> },
                    "key-material" => html! { <KeyMaterialTab meta={meta.clone()} reload={p.reload.clone()} /> },
                    "regionality" => html! { <RegionalityTab meta={meta.clone()} reload={p.reload.clone()} /> },
                    "rotation" => html! { <RotationTab meta={meta.clone()} /> },
                    "public-key" => html! { <PublicKeyTab meta={meta.clone()} title={title.clone()} /> },
                    "events" => html! { <KeyEventsTab meta={meta.clone()} /> },
                    "aliases" => html! { <AliasesTab meta={meta.clone()} aliases={p.info.aliases.clone()} reload={p.reload.clone()} /> },
                    _ => html! { <KeyPolicyTab meta={meta.clone()} /> },
                } }
            </div>
            { dialog_html }
        </div>
    }
}
