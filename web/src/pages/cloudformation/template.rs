//! The template and parameters fields that Create stack and Update stack share, the form of
//! the template's declared parameters, and the request body both send.

use super::s;
use crate::util;
use serde_json::{json, Value};
use yew::prelude::*;

/// The parameters file (`[{"ParameterKey": ..., "ParameterValue": ...}]`) read as pairs.
pub(super) fn parse_params(text: &str) -> Result<Vec<(String, String)>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let v: Value =
        serde_json::from_str(text).map_err(|e| format!("The parameters file is not JSON: {e}"))?;
    let items = v
        .as_array()
        .ok_or("The parameters file must be a JSON list of ParameterKey/ParameterValue objects.")?;
    Ok(items
        .iter()
        .map(|p| (s(p, "ParameterKey"), s(p, "ParameterValue")))
        .collect())
}

/// The CreateStack or UpdateStack body: the stack's name, its template and its parameters (as
/// the parameters file's list), if any.
pub(super) fn stack_body(name: &str, template: &str, params: &[(String, String)]) -> Value {
    let mut body = json!({"StackName": name, "TemplateBody": template});
    if !params.is_empty() {
        body["Parameters"] = Value::Array(
            params
                .iter()
                .map(|(k, v)| json!({"ParameterKey": k, "ParameterValue": v}))
                .collect(),
        );
    }
    body
}

#[derive(Properties, PartialEq)]
pub(super) struct TemplateFieldsProps {
    pub(super) template: String,
    pub(super) params: String,
    pub(super) on_template: Callback<String>,
    pub(super) on_params: Callback<String>,
}

/// The template and parameters file: pasted or uploaded.
#[function_component]
pub(super) fn TemplateFields(p: &TemplateFieldsProps) -> Html {
    let upload = |cb: Callback<String>| {
        Callback::from(move |e: Event| {
            if let Some(file) = util::picked_file(&e) {
                let cb = cb.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(bytes) = util::read_file(&file).await {
                        cb.emit(String::from_utf8_lossy(&bytes).into_owned());
                    }
                });
            }
        })
    };
    html! { <>
        <div class="field">
            <label for="cfn-template" class="label">{"Template (YAML or JSON)"}</label>
            <textarea id="cfn-template" class="code-editor" rows="16" spellcheck="false" value={p.template.clone()}
                oninput={p.on_template.reform(|e: InputEvent| util::textarea_value(&e))} />
            <label class="btn btn-small file-upload">{"Upload a template file"}
                <input type="file" class="visually-hidden" accept=".yaml,.yml,.json,.template,.txt" onchange={upload(p.on_template.clone())} />
            </label>
        </div>
        <div class="field">
            <label for="cfn-params" class="label">{"Parameters file - "}<em>{"optional"}</em></label>
            <p class="hint">{"As for "}<code>{"--parameters file://params.json"}</code>{": "}<code>{"[{\"ParameterKey\": \"K\", \"ParameterValue\": \"V\"}]"}</code>{". Values in the form below win."}</p>
            <textarea id="cfn-params" class="code-editor" rows="5" spellcheck="false" value={p.params.clone()}
                oninput={p.on_params.reform(|e: InputEvent| util::textarea_value(&e))} />
            <label class="btn btn-small file-upload">{"Upload a parameters file"}
                <input type="file" class="visually-hidden" accept=".json" onchange={upload(p.on_params.clone())} />
            </label>
        </div>
    </> }
}

#[derive(Properties, PartialEq)]
pub(super) struct ParamFormProps {
    /// ValidateTemplate's Parameters.
    pub(super) declared: Vec<Value>,
    pub(super) values: Vec<(String, String)>,
    pub(super) on_change: Callback<(String, String)>,
}

/// One field per parameter the template declares, with its description and default.
#[function_component]
pub(super) fn ParamForm(p: &ParamFormProps) -> Html {
    html! {
        <fieldset class="field">
            <legend class="label">{"Parameters"}</legend>
            { for p.declared.iter().map(|d| {
                let key = s(d, "ParameterKey");
                let id = format!("cfn-param-{key}");
                let value = p.values.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone()).unwrap_or_else(|| s(d, "DefaultValue"));
                let onchange = { let key = key.clone(); p.on_change.reform(move |e: InputEvent| (key.clone(), util::input_value(&e))) };
                html! {
                    <div class="field">
                        <label for={id.clone()} class="label">{ &key }</label>
                        if !s(d, "Description").is_empty() { <p class="hint">{ s(d, "Description") }</p> }
                        <input id={id} class="input" type="text" value={value} oninput={onchange} />
                    </div>
                }
            }) }
        </fieldset>
    }
}
