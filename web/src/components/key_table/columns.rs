//! The key tables' columns: what each shows in a cell, how it sorts and filters, and its
//! sortable header.

use crate::app::Route;
use crate::components::StatusBadge;
use crate::kms::KeyRow;
use crate::model::{key_usage_label, origin_label, regionality_label};
use crate::util;
use std::cmp::Ordering;
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Col {
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

pub(super) const ALL_COLS: [Col; 9] = [
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
    pub(super) fn label(self) -> &'static str {
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
    pub(super) fn id(self) -> &'static str {
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

fn first_alias(row: &KeyRow) -> String {
    row.aliases
        .first()
        .map(|a| a.trim_start_matches("alias/").to_string())
        .unwrap_or_default()
}

pub(super) fn matches_filter(row: &KeyRow, filter: &str) -> bool {
    if filter.is_empty() {
        return true;
    }
    let f = filter.to_lowercase();
    let m = &row.meta;
    row.aliases.iter().any(|a| a.to_lowercase().contains(&f))
        || [
            m.key_id.as_str(),
            m.key_type(),
            m.spec_name(),
            key_usage_label(m.key_usage),
            m.state_name(),
        ]
        .iter()
        .any(|s| s.to_lowercase().contains(&f))
        || regionality_label(m.multi_region)
            .to_lowercase()
            .contains(&f)
}

/// `a` against `b` by column `by`, ascending; equal rows by key ID, so the order is stable.
pub(super) fn compare(a: &KeyRow, b: &KeyRow, by: Col) -> Ordering {
    let (ma, mb) = (&a.meta, &b.meta);
    let ord = match by {
        // Keys without an alias sort after those with one, as in the console.
        Col::Aliases => (a.aliases.is_empty(), first_alias(a).to_lowercase())
            .cmp(&(b.aliases.is_empty(), first_alias(b).to_lowercase())),
        Col::KeyId => Ordering::Equal,
        // By the AWS names, as the console sorted them as strings (not the enums' order).
        Col::Status => ma.state_name().cmp(mb.state_name()),
        Col::KeyType => ma.key_type().cmp(mb.key_type()),
        Col::KeySpec => ma.spec_name().cmp(mb.spec_name()),
        Col::KeyUsage => ma.usage_name().cmp(mb.usage_name()),
        Col::CreationDate => ma.creation_date.total_cmp(&mb.creation_date),
        Col::Origin => ma.origin_name().cmp(mb.origin_name()),
        Col::Regionality => ma.multi_region.cmp(&mb.multi_region),
    };
    ord.then_with(|| ma.key_id.cmp(&mb.key_id))
}

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
