//! Create stack: a name, a template and its parameters, from a parameters file or from the form
//! that Read parameters builds with ValidateTemplate.

use super::template::{parse_params, stack_body, ParamForm, TemplateFields};
use super::{cfn, list};
use crate::components::ErrorAlert;
use crate::hooks::use_kms;
use crate::kms::ApiError;
use crate::route::Route;
use crate::util;
use serde_json::{json, Value};
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Properties, PartialEq)]
pub(super) struct CreateProps {
    pub(super) on_done: Callback<()>,
    pub(super) on_cancel: Callback<MouseEvent>,
}

/// The hands-on's template and parameters files (a key, its alias and a description parameter),
/// the same files the tests create stacks from.
const EXAMPLE_TEMPLATE: &str =
    include_str!("../../../../crates/kms-core/tests/data/create-kms-cf.yaml");
const EXAMPLE_PARAMS: &str =
    include_str!("../../../../crates/kms-core/tests/data/create-kms-params.json");

/// Create stack: name, template, parameters; Read parameters asks ValidateTemplate for the form.
#[function_component]
pub(super) fn CreateStack(p: &CreateProps) -> Html {
    let kms = use_kms();
    let name = use_state(String::new);
    let template = use_state(String::new);
    let params = use_state(String::new);
    let declared = use_state(Vec::<Value>::new);
    let values = use_state(Vec::<(String, String)>::new);
    let error = use_state(|| None::<ApiError>);
    let navigator = use_navigator();
    let read = {
        let (kms, template, declared, error) = (
            kms.clone(),
            template.clone(),
            declared.clone(),
            error.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let (kms, template, declared, error) = (
                kms.clone(),
                template.clone(),
                declared.clone(),
                error.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match cfn(&kms, "ValidateTemplate", json!({"TemplateBody": *template})).await {
                    Ok(v) => {
                        error.set(None);
                        declared.set(list(&v, "Parameters"));
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let create = {
        let (kms, name, template, params, values, error, done, navigator) = (
            kms.clone(),
            name.clone(),
            template.clone(),
            params.clone(),
            values.clone(),
            error.clone(),
            p.on_done.clone(),
            navigator.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let mut rows = match parse_params(&params) {
                Ok(r) => r,
                Err(m) => return error.set(Some(ApiError::local("ValidationError", m))),
            };
            for (k, v) in values.iter() {
                rows.retain(|(x, _)| x != k);
                rows.push((k.clone(), v.clone()));
            }
            let body = stack_body(name.trim(), &template, &rows);
            let (kms, error, done, navigator, stack) = (
                kms.clone(),
                error.clone(),
                done.clone(),
                navigator.clone(),
                name.trim().to_string(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match cfn(&kms, "CreateStack", body).await {
                    Ok(_) => {
                        done.emit(());
                        if let Some(n) = navigator {
                            n.push(&Route::Stack { name: stack });
                        }
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let set_value = {
        let values = values.clone();
        Callback::from(move |(k, v): (String, String)| {
            let mut rows = (*values).clone();
            rows.retain(|(x, _)| *x != k);
            rows.push((k, v));
            values.set(rows);
        })
    };
    let example = {
        let (name, template, params, declared, values) = (
            name.clone(),
            template.clone(),
            params.clone(),
            declared.clone(),
            values.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            if name.trim().is_empty() {
                name.set("MyKMSKeyStack".into());
            }
            template.set(EXAMPLE_TEMPLATE.into());
            params.set(EXAMPLE_PARAMS.into());
            declared.set(Vec::new());
            values.set(Vec::new());
        })
    };
    html! {
        <section class="panel" aria-labelledby="cfn-create-h">
            <div class="panel-header"><h2 id="cfn-create-h">{"Create stack"}</h2></div>
            <div class="panel-body">
                <div class="field">
                    <label for="cfn-stack-name" class="label">{"Stack name"}</label>
                    <input id="cfn-stack-name" class="input" type="text" value={(*name).clone()}
                        oninput={ let n = name.clone(); Callback::from(move |e: InputEvent| n.set(util::input_value(&e))) } />
                </div>
                <p class="hint">{"New to templates? "}
                    <button type="button" class="btn btn-small" data-cfn="example" onclick={example}>{"Use the example template"}</button>
                    {" fills in the hands-on's create-kms-cf.yaml (a key, its alias and a description parameter) and its create-kms-params.json."}</p>
                <TemplateFields template={(*template).clone()} params={(*params).clone()}
                    on_template={ let t = template.clone(); Callback::from(move |v| t.set(v)) }
                    on_params={ let x = params.clone(); Callback::from(move |v| x.set(v)) } />
                <button type="button" class="btn" onclick={read}>{"Read parameters from the template"}</button>
                if !declared.is_empty() {
                    <ParamForm declared={(*declared).clone()} values={(*values).clone()} on_change={set_value} />
                }
                if let Some(e) = &*error { <ErrorAlert error={e.clone()} /> }
                <div class="form-actions">
                    <button type="button" class="btn" onclick={p.on_cancel.clone()}>{"Cancel"}</button>
                    <button type="button" class="btn btn-primary" data-cfn="create" onclick={create}>{"Submit"}</button>
                </div>
            </div>
        </section>
    }
}
