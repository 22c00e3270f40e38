//! The key tables of the Customer managed keys and AWS managed keys pages: filter, sort, pages,
//! column preferences, selection and the Key actions menu.

use super::{ApiPanel, ErrorAlert, Icon, Modal, ScheduleDeletionDialog, Spinner, StatusBadge};
use crate::app::Route;
use crate::hooks::{use_console, use_kms, use_loader, Load};
use crate::kms::{requests as r, ApiError, KeyRow, Request};
use crate::model::{key_usage_label, origin_label, regionality_label};
use crate::state::{Action, FlashKind};
use crate::util;
use std::collections::BTreeSet;
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Col {
    Aliases,
    KeyId,
    Status,
    KeyType,
    KeySpec,
    KeyUsage,
    CreationDate,
    Origin,
    Regionality,
}

const ALL_COLS: [Col; 9] = [
    Col::Aliases,
    Col::KeyId,
    Col::Status,
    Col::KeyType,
    Col::KeySpec,
    Col::KeyUsage,
    Col::CreationDate,
    Col::Origin,
    Col::Regionality,
];

impl Col {
    fn label(self) -> &'static str {
        match self {
            Col::Aliases => "Aliases",
            Col::KeyId => "Key ID",
            Col::Status => "Status",
            Col::KeyType => "Key type",
            Col::KeySpec => "Key spec",
            Col::KeyUsage => "Key usage",
            Col::CreationDate => "Creation date",
            Col::Origin => "Origin",
            Col::Regionality => "Regionality",
        }
    }
    fn id(self) -> &'static str {
        match self {
            Col::Aliases => "aliases",
            Col::KeyId => "key-id",
            Col::Status => "status",
            Col::KeyType => "key-type",
            Col::KeySpec => "key-spec",
            Col::KeyUsage => "key-usage",
            Col::CreationDate => "creation-date",
            Col::Origin => "origin",
            Col::Regionality => "regionality",
        }
    }
}

#[derive(Clone, PartialEq)]
struct Prefs {
    cols: Vec<Col>,
    page_size: usize,
}

impl Prefs {
    fn load(customer: bool) -> Prefs {
        let defaults = if customer {
            vec![
                Col::Aliases,
                Col::KeyId,
                Col::Status,
                Col::KeyType,
                Col::KeySpec,
                Col::KeyUsage,
            ]
        } else {
            vec![Col::Aliases, Col::KeyId, Col::Status]
        };
        let key = if customer { "cmk-table" } else { "aws-table" };
        let saved = util::load_pref(key).and_then(|s| {
            let (size, cols) = s.split_once('|')?;
            let cols: Vec<Col> = cols
                .split(',')
                .filter_map(|c| ALL_COLS.into_iter().find(|x| x.id() == c))
                .collect();
            Some(Prefs {
                cols,
                page_size: size.parse().ok()?,
            })
        });
        saved.filter(|p| !p.cols.is_empty()).unwrap_or(Prefs {
            cols: defaults,
            page_size: 10,
        })
    }
    fn save(&self, customer: bool) {
        let key = if customer { "cmk-table" } else { "aws-table" };
        let cols: Vec<&str> = self.cols.iter().map(|c| c.id()).collect();
        util::save_pref(key, &format!("{}|{}", self.page_size, cols.join(",")));
    }
}

fn first_alias(row: &KeyRow) -> String {
    row.aliases
        .first()
        .map(|a| a.trim_start_matches("alias/").to_string())
        .unwrap_or_default()
}

fn matches_filter(row: &KeyRow, filter: &str) -> bool {
    if filter.is_empty() {
        return true;
    }
    let f = filter.to_lowercase();
    let m = &row.meta;
    row.aliases.iter().any(|a| a.to_lowercase().contains(&f))
        || [
            m.key_id.as_str(),
            m.key_type(),
            &m.key_spec,
            key_usage_label(&m.key_usage),
            &m.key_state,
        ]
        .iter()
        .any(|s| s.to_lowercase().contains(&f))
        || regionality_label(m.multi_region)
            .to_lowercase()
            .contains(&f)
}

#[derive(Properties, PartialEq)]
pub struct KeyTableProps {
    pub customer_managed: bool,
}

enum Dialog {
    None,
    Disable(Vec<(String, String)>),
    Delete(Vec<(String, String)>),
}

#[function_component]
pub fn KeyTable(p: &KeyTableProps) -> Html {
    let customer = p.customer_managed;
    let kms = use_kms();
    let console = use_console();
    let navigator = use_navigator().expect("inside the router");
    let (rows, reload) = use_loader(kms.clone(), move |kms| async move {
        kms.key_rows(Some(customer)).await
    });
    let filter = use_state(String::new);
    let sort = use_state(|| (Col::Aliases, true));
    let page = use_state(|| 0usize);
    let prefs = use_state(|| Prefs::load(customer));
    let show_prefs = use_state(|| false);
    let selected = use_state(BTreeSet::<String>::new);
    let menu_open = use_state(|| false);
    let dialog = use_state(|| Dialog::None);
    let action_error = use_state(|| None::<ApiError>);

    // Selection refers to keys of this Region only.
    {
        let selected = selected.clone();
        use_effect_with(kms.clone(), move |_| selected.set(BTreeSet::new()));
    }

    let all_rows: Vec<KeyRow> = match &*rows {
        Load::Ready(v) => v.clone(),
        _ => Vec::new(),
    };
    let mut visible: Vec<KeyRow> = all_rows
        .iter()
        .filter(|r| matches_filter(r, &filter))
        .cloned()
        .collect();
    let (sort_by, asc) = *sort;
    visible.sort_by(|a, b| {
        let (ma, mb) = (&a.meta, &b.meta);
        let ord = match sort_by {
            // Keys without an alias sort after those with one, as in the console.
            Col::Aliases => (a.aliases.is_empty(), first_alias(a).to_lowercase())
                .cmp(&(b.aliases.is_empty(), first_alias(b).to_lowercase())),
            Col::KeyId => std::cmp::Ordering::Equal,
            Col::Status => ma.key_state.cmp(&mb.key_state),
            Col::KeyType => ma.key_type().cmp(mb.key_type()),
            Col::KeySpec => ma.key_spec.cmp(&mb.key_spec),
            Col::KeyUsage => ma.key_usage.cmp(&mb.key_usage),
            Col::CreationDate => ma.creation_date.total_cmp(&mb.creation_date),
            Col::Origin => ma.origin.cmp(&mb.origin),
            Col::Regionality => ma.multi_region.cmp(&mb.multi_region),
        }
        .then_with(|| ma.key_id.cmp(&mb.key_id));
        if asc {
            ord
        } else {
            ord.reverse()
        }
    });
    let page_size = prefs.page_size.max(1);
    let pages = visible.len().div_ceil(page_size).max(1);
    let current_page = (*page).min(pages - 1);
    let shown: Vec<KeyRow> = visible
        .iter()
        .skip(current_page * page_size)
        .take(page_size)
        .cloned()
        .collect();

    let selected_rows: Vec<KeyRow> = all_rows
        .iter()
        .filter(|r| selected.contains(&r.meta.key_id))
        .cloned()
        .collect();
    let names = |rows: &[KeyRow]| -> Vec<(String, String)> {
        rows.iter()
            .map(|r| {
                let name = r
                    .aliases
                    .first()
                    .cloned()
                    .unwrap_or_else(|| r.meta.key_id.clone());
                (r.meta.key_id.clone(), name)
            })
            .collect()
    };

    // Enable, disable and cancel deletion: each selected key in turn, then one banner.
    let run = {
        let (kms, console, reload, action_error, selected) = (
            kms.clone(),
            console.clone(),
            reload.clone(),
            action_error.clone(),
            selected.clone(),
        );
        Callback::from(move |(requests, done): (Vec<Request>, String)| {
            let (kms, console, reload, action_error, selected) = (
                kms.clone(),
                console.clone(),
                reload.clone(),
                action_error.clone(),
                selected.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                for req in &requests {
                    if let Err(e) = kms.send(req).await {
                        action_error.set(Some(e));
                        reload.emit(());
                        return;
                    }
                }
                action_error.set(None);
                selected.set(BTreeSet::new());
                console.dispatch(Action::FlashCalls(done, requests));
                reload.emit(());
            });
        })
    };

    let sort_header = |col: Col| {
        let label = col.label();
        let sort = sort.clone();
        let active = sort_by == col;
        let arrow = if !active {
            "↕"
        } else if asc {
            "▲"
        } else {
            "▼"
        };
        let aria = if !active {
            "none"
        } else if asc {
            "ascending"
        } else {
            "descending"
        };
        let onclick = Callback::from(move |_| {
            let (cur, a) = *sort;
            sort.set((col, if cur == col { !a } else { true }));
        });
        html! {
            <th aria-sort={aria} data-col={col.id()}>
                <button class="sort" {onclick} aria-label={format!("Sort by {label}")}>{label}<span class="sort-arrow" aria-hidden="true">{arrow}</span></button>
            </th>
        }
    };

    let cell = |row: &KeyRow, col: Col| -> Html {
        let m = &row.meta;
        match col {
            Col::Aliases => match row.aliases.split_first() {
                Some((first, rest)) => html! {
                    <td>
                        <Link<Route> to={Route::Key { id: m.key_id.clone() }}>{ first.trim_start_matches("alias/") }</Link<Route>>
                        if !rest.is_empty() {
                            {" "}<Link<Route> to={Route::KeyTab { id: m.key_id.clone(), tab: "aliases".into() }} classes="more">
                                { format!("(+{} more)", rest.len()) }</Link<Route>>
                        }
                    </td>
                },
                None => html! { <td class="muted">{"-"}</td> },
            },
            Col::KeyId => html! {
                <td class="key-id"><Link<Route> to={Route::Key { id: m.key_id.clone() }}>{ &m.key_id }</Link<Route>></td>
            },
            Col::Status => html! { <td><StatusBadge state={m.key_state.clone()} /></td> },
            Col::KeyType => html! { <td>{ m.key_type() }</td> },
            Col::KeySpec => html! { <td>{ &m.key_spec }</td> },
            Col::KeyUsage => html! { <td>{ key_usage_label(&m.key_usage) }</td> },
            Col::CreationDate => html! { <td>{ util::format_date(m.creation_date) }</td> },
            Col::Origin => html! { <td>{ origin_label(&m.origin) }</td> },
            Col::Regionality => html! { <td>{ regionality_label(m.multi_region) }</td> },
        }
    };

    let title = if customer {
        "Customer managed keys"
    } else {
        "AWS managed keys"
    };
    let count = match &*rows {
        Load::Ready(v) => format!(" ({})", v.len()),
        _ => String::new(),
    };

    let toggle_all = {
        let selected = selected.clone();
        let ids: Vec<String> = shown.iter().map(|r| r.meta.key_id.clone()).collect();
        Callback::from(move |e: Event| {
            let mut s = (*selected).clone();
            if util::checkbox_checked(&e) {
                s.extend(ids.iter().cloned());
            } else {
                for id in &ids {
                    s.remove(id);
                }
            }
            selected.set(s);
        })
    };

    let any = !selected_rows.is_empty();
    let can = |state: &str| selected_rows.iter().any(|r| r.meta.key_state == state);
    let menu_item = |label: &str, enabled: bool, onclick: Callback<MouseEvent>| {
        let menu_open = menu_open.clone();
        let onclick = Callback::from(move |e: MouseEvent| {
            util::focus_menu_button(&e);
            menu_open.set(false);
            onclick.emit(e)
        });
        html! { <li><button role="menuitem" disabled={!enabled} {onclick}>{ label.to_string() }</button></li> }
    };
    let ids_in = |state: &'static str| -> Vec<String> {
        selected_rows
            .iter()
            .filter(|r| r.meta.key_state == state)
            .map(|r| r.meta.key_id.clone())
            .collect()
    };
    let on_enable = {
        let run = run.clone();
        let ids = ids_in("Disabled");
        Callback::from(move |_| {
            let n = ids.len();
            run.emit((
                ids.iter().map(|i| r::enable_key(i)).collect(),
                format!("Enabled {n} key(s)."),
            ))
        })
    };
    let on_disable = {
        let dialog = dialog.clone();
        let keys = names(
            &selected_rows
                .iter()
                .filter(|r| r.meta.key_state == "Enabled")
                .cloned()
                .collect::<Vec<_>>(),
        );
        Callback::from(move |_| dialog.set(Dialog::Disable(keys.clone())))
    };
    let on_delete = {
        let dialog = dialog.clone();
        let keys = names(
            &selected_rows
                .iter()
                .filter(|r| matches!(r.meta.key_state.as_str(), "Enabled" | "Disabled"))
                .cloned()
                .collect::<Vec<_>>(),
        );
        Callback::from(move |_| dialog.set(Dialog::Delete(keys.clone())))
    };
    let on_cancel_deletion = {
        let run = run.clone();
        let ids = ids_in("PendingDeletion");
        Callback::from(move |_| {
            let n = ids.len();
            run.emit((
                ids.iter().map(|i| r::cancel_key_deletion(i)).collect(),
                format!("Canceled deletion of {n} key(s). A key whose deletion is canceled is Disabled; enable it to use it."),
            ))
        })
    };

    let close_dialog = {
        let dialog = dialog.clone();
        Callback::from(move |_| dialog.set(Dialog::None))
    };
    let dialog_html = match &*dialog {
        Dialog::None => html! {},
        Dialog::Delete(keys) => {
            let on_done = {
                let (dialog, console, reload, selected) = (
                    dialog.clone(),
                    console.clone(),
                    reload.clone(),
                    selected.clone(),
                );
                Callback::from(move |msg: String| {
                    dialog.set(Dialog::None);
                    selected.set(BTreeSet::new());
                    console.dispatch(Action::Flash(FlashKind::Success, msg, None));
                    reload.emit(());
                })
            };
            html! { <ScheduleDeletionDialog keys={keys.clone()} on_close={close_dialog.clone()} {on_done} /> }
        }
        Dialog::Disable(keys) => {
            let requests: Vec<Request> = keys.iter().map(|(id, _)| r::disable_key(id)).collect();
            let confirm = {
                let (run, dialog, requests) = (run.clone(), dialog.clone(), requests.clone());
                let n = keys.len();
                Callback::from(move |_| {
                    dialog.set(Dialog::None);
                    run.emit((requests.clone(), format!("Disabled {n} key(s).")))
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
                    <ApiPanel requests={requests} />
                </Modal>
            }
        }
    };

    let body = match &*rows {
        Load::Loading => html! { <tr><td colspan="10"><Spinner label="Loading keys" /></td></tr> },
        Load::Failed(e) => {
            html! { <tr><td colspan="10"><ErrorAlert error={e.clone()} /></td></tr> }
        }
        Load::Ready(_) if shown.is_empty() => html! {
            <tr><td colspan="10" class="empty">
                if all_rows.is_empty() {
                    if customer {
                        <strong>{"No customer managed keys"}</strong>
                        <p>{"You don't have any customer managed keys in this Region."}</p>
                        <Link<Route> to={Route::CreateKey} classes="btn">{"Create key"}</Link<Route>>
                    } else {
                        <strong>{"No AWS managed keys"}</strong>
                        <p>{"AWS services create these keys in your account when you first use their encryption."}</p>
                    }
                } else {
                    <strong>{"No matches"}</strong>
                    <p>{"No keys match the filter."}</p>
                    <button class="btn" onclick={ let f = filter.clone(); Callback::from(move |_| f.set(String::new())) }>{"Clear filter"}</button>
                }
            </td></tr>
        },
        Load::Ready(_) => html! {
            { for shown.iter().map(|row| {
                let id = row.meta.key_id.clone();
                let checked = selected.contains(&id);
                let onchange = {
                    let selected = selected.clone();
                    let id = id.clone();
                    Callback::from(move |e: Event| {
                        let mut s = (*selected).clone();
                        if util::checkbox_checked(&e) { s.insert(id.clone()); } else { s.remove(&id); }
                        selected.set(s);
                    })
                };
                let label = format!("Select {}", row.aliases.first().cloned().unwrap_or_else(|| id.clone()));
                html! {
                    <tr class={classes!(checked.then_some("selected"))} data-key-id={id.clone()}>
                        if customer { <td class="select"><input type="checkbox" {checked} {onchange} aria-label={label} /></td> }
                        { for prefs.cols.iter().map(|c| cell(row, *c)) }
                    </tr>
                }
            }) }
        },
    };

    let list_requests = vec![
        r::list_keys(None),
        r::list_aliases(None, None),
        r::describe_key("<key-id>"),
    ];

    html! {
        <div class="panel table-panel">
            <div class="panel-header">
                <h2>{ title }<span class="count">{ count }</span></h2>
                <div class="panel-actions">
                    <button class="btn btn-icon" aria-label="Refresh" title="Refresh" onclick={reload.reform(|_| ())}><Icon name="refresh" /></button>
                    if customer {
                        <div class="dropdown" onkeydown={ let m = menu_open.clone(); Callback::from(move |e: KeyboardEvent| if e.key() == "Escape" { m.set(false) }) }>
                            if *menu_open {
                                // A click anywhere else closes the menu.
                                <div class="menu-backdrop" onclick={ let m = menu_open.clone(); Callback::from(move |_| m.set(false)) }></div>
                            }
                            <button class="btn" aria-haspopup="menu" aria-expanded={menu_open.to_string()} disabled={!any}
                                onclick={ let m = menu_open.clone(); Callback::from(move |_| m.set(!*m)) }>{"Key actions ▾"}</button>
                            if *menu_open && any {
                                <ul class="menu" role="menu">
                                    { menu_item("Enable", can("Disabled"), on_enable) }
                                    { menu_item("Disable", can("Enabled"), on_disable) }
                                    { menu_item("Schedule key deletion", can("Enabled") || can("Disabled"), on_delete) }
                                    { menu_item("Cancel key deletion", can("PendingDeletion"), on_cancel_deletion) }
                                </ul>
                            }
                        </div>
                        <button class="btn btn-primary" onclick={ let n = navigator.clone(); Callback::from(move |_| n.push(&Route::CreateKey)) }>{"Create key"}</button>
                    }
                </div>
            </div>
            if let Some(e) = &*action_error {
                <ErrorAlert error={e.clone()} on_dismiss={ let a = action_error.clone(); Callback::from(move |_| a.set(None)) } />
            }
            <div class="table-tools">
                <input class="filter" type="search" placeholder="Filter keys by alias, key ID, key type, key spec or status"
                    aria-label="Filter keys" value={(*filter).clone()}
                    oninput={ let f = filter.clone(); let pg = page.clone(); Callback::from(move |e: InputEvent| { f.set(util::input_value(&e)); pg.set(0); }) } />
                <div class="pager" aria-label="Pagination">
                    <button class="btn btn-icon" aria-label="Previous page" disabled={current_page == 0}
                        onclick={ let pg = page.clone(); Callback::from(move |_| pg.set(current_page.saturating_sub(1))) }>{"‹"}</button>
                    <span class="page-number">{ format!("{} / {}", current_page + 1, pages) }</span>
                    <button class="btn btn-icon" aria-label="Next page" disabled={current_page + 1 >= pages}
                        onclick={ let pg = page.clone(); Callback::from(move |_| pg.set(current_page + 1)) }>{"›"}</button>
                    <button class="btn btn-icon" aria-label="Preferences" title="Preferences"
                        onclick={ let s = show_prefs.clone(); Callback::from(move |_| s.set(true)) }><Icon name="settings" /></button>
                </div>
            </div>
            <div class="table-scroll">
                <table class="table" data-table={if customer { "customer-managed" } else { "aws-managed" }}>
                    <thead><tr>
                        if customer {
                            <th class="select"><input type="checkbox" aria-label="Select all keys on this page"
                                checked={!shown.is_empty() && shown.iter().all(|r| selected.contains(&r.meta.key_id))}
                                onchange={toggle_all} /></th>
                        }
                        { for prefs.cols.iter().map(|c| sort_header(*c)) }
                    </tr></thead>
                    <tbody>{ body }</tbody>
                </table>
            </div>
            <ApiPanel requests={list_requests} title="How this table is built" />
            if *show_prefs {
                <PrefsDialog prefs={(*prefs).clone()}
                    on_close={ let s = show_prefs.clone(); Callback::from(move |_| s.set(false)) }
                    on_save={ let (s, prefs, page) = (show_prefs.clone(), prefs.clone(), page.clone());
                        Callback::from(move |np: PrefsOut| { let p = Prefs { cols: np.0, page_size: np.1 }; p.save(customer); prefs.set(p); page.set(0); s.set(false); }) } />
            }
            { dialog_html }
        </div>
    }
}

#[derive(Clone, PartialEq)]
struct PrefsOut(Vec<Col>, usize);

#[derive(Properties, PartialEq)]
struct PrefsProps {
    prefs: Prefs,
    on_close: Callback<()>,
    on_save: Callback<PrefsOut>,
}

/// The Preferences dialog: page size and visible columns.
#[function_component]
fn PrefsDialog(p: &PrefsProps) -> Html {
    let cols = use_state(|| p.prefs.cols.clone());
    let size = use_state(|| p.prefs.page_size);
    let confirm = {
        let (cols, size, save) = (cols.clone(), size.clone(), p.on_save.clone());
        Callback::from(move |_| {
            // Keep the table's column order whatever order they were ticked in.
            let ordered: Vec<Col> = ALL_COLS.into_iter().filter(|c| cols.contains(c)).collect();
            save.emit(PrefsOut(ordered, *size))
        })
    };
    let footer = html! {
        <>
            <button class="btn" onclick={p.on_close.reform(|_| ())}>{"Cancel"}</button>
            <button class="btn btn-primary" onclick={confirm} disabled={cols.is_empty()}>{"Confirm"}</button>
        </>
    };
    html! {
        <Modal title="Preferences" on_close={p.on_close.clone()} {footer}>
            <div class="prefs">
                <fieldset>
                    <legend>{"Page size"}</legend>
                    { for [10usize, 25, 50].into_iter().map(|n| {
                        let size2 = size.clone();
                        html! { <label class="radio"><input type="radio" name="page-size" checked={*size == n}
                            onchange={Callback::from(move |_| size2.set(n))} />{ format!("{n} keys") }</label> }
                    }) }
                </fieldset>
                <fieldset>
                    <legend>{"Columns"}</legend>
                    { for ALL_COLS.into_iter().map(|c| {
                        let cols2 = cols.clone();
                        let onchange = Callback::from(move |e: Event| {
                            let mut v = (*cols2).clone();
                            if util::checkbox_checked(&e) { if !v.contains(&c) { v.push(c) } } else { v.retain(|x| *x != c) }
                            cols2.set(v);
                        });
                        html! { <label class="checkbox"><input type="checkbox" checked={cols.contains(&c)} {onchange} name={c.id()} />{ c.label() }</label> }
                    }) }
                </fieldset>
            </div>
        </Modal>
    }
}
