//! Rows of key/value pairs: tags and encryption context.

use crate::util;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct KvEditorProps {
    pub rows: Vec<(String, String)>,
    pub on_change: Callback<Vec<(String, String)>>,
    #[prop_or(AttrValue::Static("Key"))]
    pub key_label: AttrValue,
    #[prop_or(AttrValue::Static("Value"))]
    pub value_label: AttrValue,
    #[prop_or(AttrValue::Static("Add"))]
    pub add_label: AttrValue,
    /// Test and label prefix, e.g. "tag" or "context".
    pub id: AttrValue,
    #[prop_or_default]
    pub errors: Vec<Option<String>>,
}

#[function_component]
pub fn KvEditor(p: &KvEditorProps) -> Html {
    let set = |i: usize, is_key: bool| {
        let rows = p.rows.clone();
        let cb = p.on_change.clone();
        Callback::from(move |e: InputEvent| {
            let mut rows = rows.clone();
            let v = util::input_value(&e);
            if is_key {
                rows[i].0 = v
            } else {
                rows[i].1 = v
            }
            cb.emit(rows);
        })
    };
    let remove = |i: usize| {
        let rows = p.rows.clone();
        let cb = p.on_change.clone();
        Callback::from(move |_| {
            let mut rows = rows.clone();
            rows.remove(i);
            cb.emit(rows);
        })
    };
    let add = {
        let rows = p.rows.clone();
        let cb = p.on_change.clone();
        let new_key = format!("[data-editor=\"{}\"] .kv-row-wrap:last-of-type input", p.id);
        Callback::from(move |_| {
            let mut rows = rows.clone();
            rows.push((String::new(), String::new()));
            cb.emit(rows);
            // The new row is where the user types next.
            util::focus_later(new_key.clone());
        })
    };
    html! {
        <div class="kv-editor" data-editor={p.id.clone()}>
            if !p.rows.is_empty() {
                <div class="kv-row kv-head"><span>{ &p.key_label }</span><span>{ &p.value_label }</span><span></span></div>
            }
            { for p.rows.iter().enumerate().map(|(i, (k, v))| {
                let err = p.errors.get(i).cloned().flatten();
                html! {
                    <div class="kv-row-wrap">
                        <div class="kv-row">
                            <input type="text" value={k.clone()} oninput={set(i, true)} aria-invalid={err.is_some().to_string()}
                                aria-label={format!("{} {}", p.key_label, i + 1)} name={format!("{}-key-{i}", p.id)} />
                            <input type="text" value={v.clone()} oninput={set(i, false)}
                                aria-label={format!("{} {}", p.value_label, i + 1)} name={format!("{}-value-{i}", p.id)} />
                            <button type="button" class="btn btn-small" onclick={remove(i)} aria-label={remove_label(i, k)}>{"Remove"}</button>
                        </div>
                        if let Some(e) = err { <div class="field-error">{e}</div> }
                    </div>
                }
            }) }
            <button type="button" class="btn" onclick={add}>{ &p.add_label }</button>
        </div>
    }
}

/// The Remove button's accessible name: which row it removes, as a screen reader reads it out of
/// the row's context.
fn remove_label(i: usize, key: &str) -> String {
    match key.trim() {
        "" => format!("Remove row {}", i + 1),
        key => format!("Remove row {} ({key})", i + 1),
    }
}
