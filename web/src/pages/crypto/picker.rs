//! The key picker of the Encrypt and decrypt page: a `<select>` of each group's first keys
//! (customer managed, AWS managed) and the key picked. A Region may hold 100,000 keys; the ones
//! left out are named in the key field below the picker, as an application names them.

use crate::key_list::{picker_window, ListedKey, PICKER_LIMIT};
use crate::pricing::thousands;
use crate::util;
use std::rc::Rc;
use yew::prelude::*;

/// One `<optgroup>`: the keys it lists, and how many keys the group has in all.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Group {
    pub name: &'static str,
    pub keys: Vec<ListedKey>,
    pub total: usize,
}

/// The picker's groups of `keys` (in the page's order); `customer_managed` tells them apart.
pub(super) fn groups(
    keys: &[&ListedKey],
    customer_managed: impl Fn(&ListedKey) -> bool,
    picked: Option<&str>,
) -> Vec<Group> {
    [(true, "Customer managed keys"), (false, "AWS managed keys")]
        .into_iter()
        .filter_map(|(customer, name)| {
            let all: Vec<&ListedKey> = keys
                .iter()
                .filter(|k| customer_managed(k) == customer)
                .copied()
                .collect();
            let (shown, _) = picker_window(&all, picked, PICKER_LIMIT);
            (!all.is_empty()).then(|| Group {
                name,
                keys: shown.into_iter().cloned().collect(),
                total: all.len(),
            })
        })
        .collect()
}

fn label(key: &ListedKey) -> String {
    let name = key
        .aliases
        .first()
        .map(|a| a.trim_start_matches("alias/").to_string())
        .unwrap_or_else(|| "(no alias)".into());
    format!("{name} - {}", key.key_id)
}

#[derive(Properties, PartialEq)]
pub(super) struct PickerProps {
    pub groups: Rc<Vec<Group>>,
    pub picked: Option<AttrValue>,
    pub on_pick: Callback<String>,
}

/// Renders again only when its groups or the pick change, not on each keystroke of the page.
#[function_component]
pub(super) fn KeyPicker(p: &PickerProps) -> Html {
    let left_out: Vec<String> = p
        .groups
        .iter()
        .filter(|g| g.total > g.keys.len())
        .map(|g| {
            // "Customer managed keys" -> "customer managed keys"; "AWS" keeps its case.
            let noun = g.name.replacen("Customer", "customer", 1);
            format!("of {} {noun}", thousands(g.total as u64))
        })
        .collect();
    let onchange = p.on_pick.reform(|e: Event| util::select_value(&e));
    html! {
        <>
            <label for="crypto-key">{"Key (alias - key ID)"}</label>
            <select id="crypto-key" aria-describedby={(!left_out.is_empty()).then_some("crypto-key-more")} {onchange}>
                { for p.groups.iter().map(|g| html! {
                    <optgroup label={g.name}>
                        { for g.keys.iter().map(|k| html! {
                            <option value={k.key_id.clone()} selected={p.picked.as_deref() == Some(k.key_id.as_str())}>{ label(k) }</option>
                        }) }
                    </optgroup>
                }) }
            </select>
            if !left_out.is_empty() {
                <div id="crypto-key-more" class="field-hint" data-testid="picker-more">{ format!(
                    "Listing the first {PICKER_LIMIT} {}. To use another key, enter its key ID, key ARN or alias below.",
                    left_out.join(" and "))
                }</div>
            }
        </>
    }
}
