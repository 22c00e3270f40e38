//! A JSON policy editor: a labelled code textarea that says at once when the text is not a JSON
//! object. Everything else about the policy is the service's to judge when it is sent.

use crate::iam::check_json;
use crate::util;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PolicyEditorProps {
    /// The textarea's id (and so the label's `for`).
    pub id: AttrValue,
    pub label: AttrValue,
    pub value: AttrValue,
    pub on_change: Callback<String>,
    #[prop_or(16)]
    pub rows: u32,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
}

#[function_component]
pub fn PolicyEditor(p: &PolicyEditorProps) -> Html {
    let check = check_json(&p.value);
    let oninput = p.on_change.reform(|e: InputEvent| util::textarea_value(&e));
    let error_id = format!("{}-error", p.id);
    html! {
        <div class="field policy-editor">
            <label for={p.id.clone()}>{ &p.label }</label>
            if let Some(h) = &p.hint { <div class="field-hint">{ h }</div> }
            <textarea id={p.id.clone()} class="code-editor" rows={p.rows.to_string()} spellcheck="false"
                value={p.value.clone()} {oninput} aria-invalid={check.is_err().to_string()}
                aria-describedby={check.is_err().then(|| error_id.clone())} />
            if let Err(e) = check { <div class="field-error" id={error_id} role="alert">{ e }</div> }
        </div>
    }
}
