//! The key tables of the Customer managed keys and AWS managed keys pages: filter, sort, pages,
//! column preferences, selection and the Key actions menu. A table lists the Region's key ids
//! and aliases and describes only the keys it shows (see [`crate::key_list`]).

mod actions;
mod columns;
mod prefs;

use super::{ApiPanel, ErrorAlert, Icon, Spinner};
use crate::hooks::{use_describe, use_described, use_kms, use_loader, Load};
use crate::key_list::{self, KeyListing, Order};
use crate::kms::{requests as r, KeyRow};
use crate::route::Route;
use crate::util;
use actions::use_key_actions;
use columns::{cell, sort_header, Col};
use prefs::{Prefs, PrefsDialog};
use std::collections::BTreeSet;
use std::rc::Rc;
use yew::prelude::*;
use yew_router::prelude::*;

/// A page of rows as the table last showed it.
#[derive(Clone)]
struct Shown {
    rows: Vec<KeyRow>,
    pages: usize,
    current: usize,
}

#[derive(Properties, PartialEq)]
pub struct KeyTableProps {
    pub customer_managed: bool,
}

#[function_component]
pub fn KeyTable(p: &KeyTableProps) -> Html {
    let customer = p.customer_managed;
    let kms = use_kms();
    let navigator = use_navigator().expect("inside the router");
    // Key ids and aliases only; DescribeKey for the rows shown (see crate::key_list).
    let (listing, reload) = use_loader(kms.clone(), move |kms| async move {
        kms.key_listing().await.map(Rc::new)
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

    let ready: Option<Rc<KeyListing>> = match &*listing {
        Load::Ready(l) => Some(l.clone()),
        _ => None,
    };
    let described = use_described(ready.as_ref().map(|l| l.generation));
    // The order of the whole table, computed again only when the listing, filter or sort
    // changes, or when keys are described and the filter or sort reads metadata.
    let (sort_by, _) = *sort;
    let metadata_version = {
        let d = described.borrow();
        let reads = key_list::reads_metadata(&filter, sort_by);
        (d.dropped_version, if reads { d.version } else { 0 })
    };
    let order = {
        let (ready, described) = (ready.clone(), described.clone());
        use_memo(
            (
                ready.as_ref().map(|l| l.generation),
                customer,
                (*filter).clone(),
                *sort,
                metadata_version,
            ),
            move |(_, customer, filter, sort, _)| {
                ready.map(|l| key_list::order(&l, &described.borrow(), *customer, filter, *sort))
            },
        )
    };
    let page_size = prefs.page_size.max(1);
    // What to describe: the page's rows (and the selection), or everything a metadata sort or
    // filter must read first.
    let (key_count, page_of, wanted) = match (&*order, &ready) {
        (Some(Order::Ready { rows, count }), Some(l)) => {
            let pg = key_list::page_of(rows, *page, page_size);
            let wanted = key_list::to_describe(l, &described.borrow(), &pg, &selected);
            (Some(*count), Some(pg), Rc::new(wanted))
        }
        (Some(Order::NeedsMetadata { missing, count }), _) => (Some(*count), None, missing.clone()),
        _ => (None, None, Rc::default()),
    };
    use_describe(&described, &kms, ready.clone(), wanted);

    let row_of = |l: &KeyListing, i: usize| -> Option<KeyRow> {
        let key = &l.keys[i];
        described.borrow().meta(&key.key_id).map(|meta| KeyRow {
            meta: meta.clone(),
            aliases: key.aliases.clone(),
        })
    };
    let describe_error = described.borrow().error.clone();
    // The page, once each of its rows is described (a page is described at once, so this is a
    // moment); until then the page shown before stays (another page, a reload), or a spinner.
    let this_page: Option<Shown> = match (&page_of, &ready) {
        (Some(pg), Some(l)) => pg
            .rows
            .iter()
            .map(|i| row_of(l, *i))
            .collect::<Option<Vec<KeyRow>>>()
            .map(|rows| Shown {
                rows,
                pages: pg.pages,
                current: pg.current,
            }),
        _ => None,
    };
    let last_shown = use_mut_ref(|| None::<Shown>);
    if ready.is_none() {
        *last_shown.borrow_mut() = None;
    }
    if let Some(shown) = &this_page {
        *last_shown.borrow_mut() = Some(shown.clone());
    }
    let pending = this_page.is_none() && ready.is_some();
    let Shown {
        rows: shown,
        pages,
        current: current_page,
    } = this_page
        .or_else(|| last_shown.borrow().clone())
        .unwrap_or(Shown {
            rows: Vec::new(),
            pages: 1,
            current: 0,
        });
    // A metadata sort or filter waiting for DescribeKey: what it waits for.
    let describing = match &*order {
        Some(Order::NeedsMetadata { missing, .. }) if describe_error.is_none() => {
            let done = described.borrow().progress.map_or(0, |(d, _)| d);
            let why = if sort_by.needs_metadata() {
                format!("sort by {}", sort_by.label().to_lowercase())
            } else {
                "filter on key type, key spec, key usage, status and regionality".to_string()
            };
            Some(format!(
                "Describing keys to {why}: {} of {}",
                done.min(missing.len()),
                missing.len()
            ))
        }
        _ => None,
    };

    let selected_rows: Vec<KeyRow> = match &ready {
        Some(l) => l
            .keys
            .iter()
            .enumerate()
            .filter(|(_, k)| selected.contains(&k.key_id))
            .filter_map(|(i, _)| row_of(l, i))
            .collect(),
        None => Vec::new(),
    };

    let title = if customer {
        "Customer managed keys"
    } else {
        "AWS managed keys"
    };
    let count = key_count.map(|n| format!(" ({n})")).unwrap_or_default();
    // The header counts the table's keys; a filter says how many of them it matches, as the
    // AWS console's text filter does.
    let matches = match (&*order, filter.is_empty()) {
        (Some(Order::Ready { rows, .. }), false) => Some(match rows.len() {
            1 => "1 match".to_string(),
            n => format!("{n} matches"),
        }),
        _ => None,
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

    // A listing that failed, or a DescribeKey that did.
    let failed = match &*listing {
        Load::Loading => None,
        Load::Failed(e) => Some(e.clone()),
        Load::Ready(_) => describe_error.clone(),
    };
    let body = match failed {
        Some(e) => html! { <tr><td colspan="10"><ErrorAlert error={e} /></td></tr> },
        None if ready.is_none() => {
            html! { <tr><td colspan="10"><Spinner label="Loading keys" /></td></tr> }
        }
        None if shown.is_empty() && pending => {
            html! { <tr><td colspan="10"><Spinner label={describing.clone().unwrap_or_else(|| "Loading keys".into())} /></td></tr> }
        }
        None if shown.is_empty() => html! {
            <tr><td colspan="10" class="empty">
                if key_count == Some(0) {
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
        None => html! {
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
                if let Some(text) = &matches {
                    <span class="matches" role="status" data-testid="filter-matches">{ text.clone() }</span>
                }
                if let Some(text) = &describing {
                    <span class="describing" role="status" data-testid="describing">{ text.clone() }</span>
                }
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
                <table class="table" data-table={if customer { "customer-managed" } else { "aws-managed" }} aria-busy={pending.to_string()}>
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
