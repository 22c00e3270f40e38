//! The key tables' columns: what each shows in a cell, and its sortable header (how they sort
//! and filter: [`crate::key_list`]).

use crate::components::StatusBadge;
pub(super) use crate::key_list::{Col, ALL_COLS};
use crate::kms::KeyRow;
use crate::model::{key_usage_label, origin_label, regionality_label};
use crate::route::Route;
use crate::util;
use yew::prelude::*;
use yew_router::prelude::*;

/// A column's header: a button that sorts by it, ascending first, then flips the direction.
pub(super) fn sort_header(col: Col, sort: &UseStateHandle<(Col, bool)>) -> Html {
    let (sort_by, asc) = **sort;
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
}

/// One cell of `row` in column `col`.
pub(super) fn cell(row: &KeyRow, col: Col) -> Html {
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
        Col::Status => html! { <td><StatusBadge state={m.key_state} /></td> },
        Col::KeyType => html! { <td>{ m.key_type() }</td> },
        Col::KeySpec => html! { <td>{ m.spec_name() }</td> },
        Col::KeyUsage => html! { <td>{ key_usage_label(m.key_usage) }</td> },
        Col::CreationDate => html! { <td>{ util::format_date(m.creation_date) }</td> },
        Col::Origin => html! { <td>{ origin_label(m.origin) }</td> },
        Col::Regionality => html! { <td>{ regionality_label(m.multi_region) }</td> },
    }
}
