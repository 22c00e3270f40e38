//! The key tables of the Customer managed keys and AWS managed keys pages: filter, sort, pages,
//! column preferences, selection and the Key actions menu.

mod actions;
mod columns;
mod prefs;

use super::{ApiPanel, ErrorAlert, Icon, Spinner};
use crate::app::Route;
use crate::hooks::{use_kms, use_loader, Load};
use crate::kms::{requests as r, KeyRow};
use crate::util;
use actions::use_key_actions;
use columns::{cell, compare, matches_filter, sort_header, Col};
use prefs::{Prefs, PrefsDialog};
use std::collections::BTreeSet;
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Properties, PartialEq)]
pub struct KeyTableProps {
    pub customer_managed: bool,
}

#[function_component]
pub fn KeyTable(p: &KeyTableProps) -> Html {
    let customer = p.customer_managed;
    let kms = use_kms();
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
    let actions = use_key_actions(selected.clone(), reload.clone());

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
        let ord = compare(a, b, sort_by);
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
                        { actions.menu(&selected_rows) }
                        <button class="btn btn-primary" onclick={ let n = navigator.clone(); Callback::from(move |_| n.push(&Route::CreateKey)) }>{"Create key"}</button>
                    }
                </div>
            </div>
            { actions.error() }
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
                        { for prefs.cols.iter().map(|c| sort_header(*c, &sort)) }
                    </tr></thead>
                    <tbody>{ body }</tbody>
                </table>
            </div>
            <ApiPanel requests={list_requests} title="How this table is built" />
            if *show_prefs {
                <PrefsDialog prefs={(*prefs).clone()}
                    on_close={ let s = show_prefs.clone(); Callback::from(move |_| s.set(false)) }
                    on_save={ let (s, prefs, page) = (show_prefs.clone(), prefs.clone(), page.clone());
                        Callback::from(move |p: Prefs| { p.save(customer); prefs.set(p); page.set(0); s.set(false); }) } />
            }
            { actions.dialog() }
        </div>
    }
}
