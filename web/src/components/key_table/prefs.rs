//! A key table's preferences, page size and visible columns: kept in the browser per table
//! (customer managed, AWS managed) and changed in the Preferences dialog.

use super::columns::{Col, ALL_COLS};
use crate::components::Modal;
use crate::util;
use yew::prelude::*;

/// What a key table shows: these columns, in the table's order, so many keys a page.
#[derive(Clone, PartialEq)]
pub(super) struct Prefs {
    pub(super) cols: Vec<Col>,
    pub(super) page_size: usize,
}

impl Prefs {
    /// Each table keeps its own preferences.
    fn storage_key(customer: bool) -> &'static str {
        if customer {
            "cmk-table"
        } else {
            "aws-table"
        }
    }
    pub(super) fn load(customer: bool) -> Prefs {
        // The console's defaults: the first six columns for customer managed keys, three for
        // AWS managed keys.
        let defaults = ALL_COLS[..if customer { 6 } else { 3 }].to_vec();
        let saved = util::load_pref(Self::storage_key(customer)).and_then(|s| {
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
    pub(super) fn save(&self, customer: bool) {
        let cols: Vec<&str> = self.cols.iter().map(|c| c.id()).collect();
        util::save_pref(
            Self::storage_key(customer),
            &format!("{}|{}", self.page_size, cols.join(",")),
        );
    }
}

#[derive(Properties, PartialEq)]
pub(super) struct PrefsProps {
    pub(super) prefs: Prefs,
    pub(super) on_close: Callback<()>,
    pub(super) on_save: Callback<Prefs>,
}

/// The Preferences dialog: page size and visible columns.
#[function_component]
pub(super) fn PrefsDialog(p: &PrefsProps) -> Html {
    let cols = use_state(|| p.prefs.cols.clone());
    let size = use_state(|| p.prefs.page_size);
    let confirm = {
        let (cols, size, save) = (cols.clone(), size.clone(), p.on_save.clone());
        Callback::from(move |_| {
            // Keep the table's column order whatever order they were ticked in.
            let ordered: Vec<Col> = ALL_COLS.into_iter().filter(|c| cols.contains(c)).collect();
            save.emit(Prefs {
                cols: ordered,
                page_size: *size,
            })
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
