//! The Key actions menu of the customer managed keys table: enable, disable, schedule and cancel
//! the deletion of the selected keys, with the Disable key and Schedule key deletion dialogs and
//! the error of the last action. A hook rather than a component: the table shows the menu, the
//! error and the dialog in three different places of its panel.

use crate::components::{ApiPanel, ErrorAlert, Modal, ScheduleDeletionDialog};
use crate::hooks::{send_in_turn, use_console, use_kms};
use crate::kms::{requests as r, ApiError, KeyRow, Kms, Request};
use crate::state::{Action, ConsoleContext, FlashKind};
use crate::util;
use kms_web::types::KeyState;
use std::collections::BTreeSet;
use yew::prelude::*;

/// The open dialog, with the (key ID, alias or key ID) of the keys it acts on.
enum Dialog {
    None,
    /// The keys, and what to say of the selected keys left alone.
    Disable(Vec<(String, String)>, String),
    Delete(Vec<(String, String)>, String),
}

/// The menu's state, and what it changes: the table's selection and its rows.
pub(super) struct KeyActions {
    kms: Kms,
    console: ConsoleContext,
    selected: UseStateHandle<BTreeSet<String>>,
    reload: Callback<()>,
    menu_open: UseStateHandle<bool>,
    dialog: UseStateHandle<Dialog>,
    error: UseStateHandle<Option<ApiError>>,
}

/// The Key actions of a table whose selected key IDs are `selected`; `reload` reloads its rows
/// after each action.
#[hook]
pub(super) fn use_key_actions(
    selected: UseStateHandle<BTreeSet<String>>,
    reload: Callback<()>,
) -> KeyActions {
    let kms = use_kms();
    let console = use_console();
    let menu_open = use_state(|| false);
    let dialog = use_state(|| Dialog::None);
    let error = use_state(|| None::<ApiError>);
    KeyActions {
        kms,
        console,
        selected,
        reload,
        menu_open,
        dialog,
        error,
    }
}

/// Each key as (key ID, its first alias or else its key ID), as the dialogs list them.
fn names<'a>(rows: impl Iterator<Item = &'a KeyRow>) -> Vec<(String, String)> {
    rows.map(|r| {
        let name = r
            .aliases
            .first()
            .cloned()
            .unwrap_or_else(|| r.meta.key_id.clone());
        (r.meta.key_id.clone(), name)
    })
    .collect()
}

/// What a banner or dialog says of the selected keys an action leaves alone (their state does
/// not allow it), if any; `why` fits both one key and several ("not enabled").
fn left_alone(selected: usize, acted_on: usize, why: &str) -> String {
    match selected.saturating_sub(acted_on) {
        0 => String::new(),
        1 => format!(" 1 selected key is {why} and is left as it is."),
        n => format!(" {n} selected keys are {why} and are left as they are."),
    }
}

impl KeyActions {
    /// Enable, disable and cancel deletion: each selected key in turn, then one banner.
    fn run(&self) -> Callback<(Vec<Request>, String)> {
        let (kms, console, reload, error, selected) = (
            self.kms.clone(),
            self.console.clone(),
            self.reload.clone(),
            self.error.clone(),
            self.selected.clone(),
        );
        Callback::from(move |(requests, done): (Vec<Request>, String)| {
            let (console, selected) = (console.clone(), selected.clone());
            send_in_turn(&kms, requests, &error, &reload, move |requests| {
                selected.set(BTreeSet::new());
                console.dispatch(Action::FlashCalls(done, requests));
            });
        })
    }

    /// The Key actions button and its menu, for the selected rows.
    pub(super) fn menu(&self, selected_rows: &[KeyRow]) -> Html {
        let menu_open = &self.menu_open;
        let any = !selected_rows.is_empty();
        let can = |state: KeyState| {
            selected_rows
                .iter()
                .any(|r| r.meta.key_state == Some(state))
        };
        let menu_item = |label: &str, enabled: bool, onclick: Callback<MouseEvent>| {
            let menu_open = menu_open.clone();
            let onclick = Callback::from(move |e: MouseEvent| {
                util::focus_menu_button(&e);
                menu_open.set(false);
                onclick.emit(e)
            });
            html! { <li role="none"><button role="menuitem" disabled={!enabled} {onclick}>{ label.to_string() }</button></li> }
        };
        let ids_in = |state: KeyState| -> Vec<String> {
            selected_rows
                .iter()
                .filter(|r| r.meta.key_state == Some(state))
                .map(|r| r.meta.key_id.clone())
                .collect()
        };
        let on_enable = {
            let run = self.run();
            let ids = ids_in(KeyState::Disabled);
            let rest = left_alone(selected_rows.len(), ids.len(), "not disabled");
            Callback::from(move |_| {
                let n = ids.len();
                run.emit((
                    ids.iter().map(|i| r::enable_key(i)).collect(),
                    format!("Enabled {n} key(s).{rest}"),
                ))
            })
        };
        let on_disable = {
            let dialog = self.dialog.clone();
            let keys = names(
                selected_rows
                    .iter()
                    .filter(|r| r.meta.key_state == Some(KeyState::Enabled)),
            );
            let rest = left_alone(selected_rows.len(), keys.len(), "not enabled");
            Callback::from(move |_| dialog.set(Dialog::Disable(keys.clone(), rest.clone())))
        };
        let on_delete = {
            let dialog = self.dialog.clone();
            let keys = names(selected_rows.iter().filter(|r| {
                matches!(
                    r.meta.key_state,
                    Some(KeyState::Enabled | KeyState::Disabled)
                )
            }));
            let rest = left_alone(
                selected_rows.len(),
                keys.len(),
                "neither enabled nor disabled",
            );
            Callback::from(move |_| dialog.set(Dialog::Delete(keys.clone(), rest.clone())))
        };
        let on_cancel_deletion = {
            let run = self.run();
            let ids = ids_in(KeyState::PendingDeletion);
            let rest = left_alone(selected_rows.len(), ids.len(), "not pending deletion");
            Callback::from(move |_| {
                let n = ids.len();
                run.emit((
                    ids.iter().map(|i| r::cancel_key_deletion(i)).collect(),
                    format!("Canceled deletion of {n} key(s). A key whose deletion is canceled is Disabled; enable it to use it.{rest}"),
                ))
            })
        };
        html! {
            <div class="dropdown" onkeydown={ let m = menu_open.clone(); Callback::from(move |e: KeyboardEvent| util::menu_keydown(&e, |o| m.set(o))) }>
                if **menu_open {
                    // A click anywhere else closes the menu.
                    <div class="menu-backdrop" onclick={ let m = menu_open.clone(); Callback::from(move |_| m.set(false)) }></div>
                }
                <button class="btn" aria-haspopup="menu" aria-expanded={menu_open.to_string()} disabled={!any}
                    onclick={ let m = menu_open.clone(); Callback::from(move |_| m.set(!*m)) }>{"Key actions ▾"}</button>
                if **menu_open && any {
                    <ul class="menu" role="menu">
                        { menu_item("Enable", can(KeyState::Disabled), on_enable) }
                        { menu_item("Disable", can(KeyState::Enabled), on_disable) }
                        { menu_item("Schedule key deletion", can(KeyState::Enabled) || can(KeyState::Disabled), on_delete) }
                        { menu_item("Cancel key deletion", can(KeyState::PendingDeletion), on_cancel_deletion) }
                    </ul>
                }
            </div>
        }
    }

    /// The last action's error, dismissable.
    pub(super) fn error(&self) -> Html {
        match &*self.error {
            Some(e) => {
                html! { <ErrorAlert error={e.clone()} on_dismiss={ let a = self.error.clone(); Callback::from(move |_| a.set(None)) } /> }
            }
            None => html! {},
        }
    }

    /// The open dialog, if any.
    pub(super) fn dialog(&self) -> Html {
        let dialog = &self.dialog;
        let close_dialog = {
            let dialog = dialog.clone();
            Callback::from(move |_| dialog.set(Dialog::None))
        };
        match &**dialog {
            Dialog::None => html! {},
            Dialog::Delete(keys, rest) => {
                let on_done = {
                    let (dialog, console, reload, selected, rest) = (
                        dialog.clone(),
                        self.console.clone(),
                        self.reload.clone(),
                        self.selected.clone(),
                        rest.clone(),
                    );
                    Callback::from(move |msg: String| {
                        dialog.set(Dialog::None);
                        selected.set(BTreeSet::new());
                        console.dispatch(Action::Flash(FlashKind::Success, msg + &rest, None));
                        reload.emit(());
                    })
                };
                html! { <ScheduleDeletionDialog keys={keys.clone()} on_close={close_dialog.clone()} {on_done} /> }
            }
            Dialog::Disable(keys, rest) => {
                let requests: Vec<Request> =
                    keys.iter().map(|(id, _)| r::disable_key(id)).collect();
                let confirm = {
                    let (run, dialog, requests) = (self.run(), dialog.clone(), requests.clone());
                    let n = keys.len();
                    let rest = rest.clone();
                    Callback::from(move |_| {
                        dialog.set(Dialog::None);
                        run.emit((requests.clone(), format!("Disabled {n} key(s).{rest}")))
                    })
                };
                let footer = html! {
                    <>
                        <button class="btn" onclick={close_dialog.reform(|_| ())}>{"Cancel"}</button>
                        <button class="btn btn-primary" onclick={confirm}>{"Disable key"}</button>
                    </>
                };
                html! {
                    <Modal title="Disable key" on_close={close_dialog.clone()} {footer}>
                        <p>{"While a key is disabled it cannot be used in cryptographic operations. You can enable it again at any time."}</p>
                        <ul>{ for keys.iter().map(|(_, n)| html! { <li>{ n }</li> }) }</ul>
                        if !rest.is_empty() { <p class="hint">{ rest.trim_start() }</p> }
                        <ApiPanel requests={requests} />
                    </Modal>
                }
            }
        }
    }
}
