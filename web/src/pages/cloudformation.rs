//! `#/cloudformation`: the sandbox's CloudFormation stacks as the AWS CloudFormation console
//! shows them: the stack list with statuses, Create stack (a template pasted or uploaded, and a
//! parameters file in the CLI's JSON list form or a form read from the template's Parameters),
//! and a stack's page with Events, Resources, Outputs, Parameters and Template tabs, Update and
//! Delete.

use super::breadcrumbs;
use crate::app::Route;
use crate::components::{ErrorAlert, Spinner, Tabs};
use crate::hooks::{use_kms, use_loader, Load};
use crate::kms::{ApiError, Kms};
use crate::util;
use kms_core::Service;
use serde_json::{json, Value};
use yew::prelude::*;
use yew_router::prelude::*;

async fn cfn(kms: &Kms, op: &str, body: Value) -> Result<Value, ApiError> {
    Ok(kms
        .call_service(Service::CloudFormation, kms.region(), op, body)
        .await?)
}

fn s(v: &Value, k: &str) -> String {
    v.get(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn list(v: &Value, k: &str) -> Vec<Value> {
    v.get(k)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn time(v: &Value, k: &str) -> String {
    v.get(k)
        .and_then(Value::as_f64)
        .map(util::format_date)
        .unwrap_or_default()
}

/// A CloudFormation status with the console's colour.
fn status(st: &str) -> Html {
    let class = if st.ends_with("_FAILED") || st.contains("ROLLBACK") {
        "status status-warn"
    } else if st.ends_with("_COMPLETE") {
        "status status-ok"
    } else {
        "status status-info"
    };
    html! { <span class={class} data-status={st.to_string()}>{ st }</span> }
}

/// A label over its value, as the key pages show them.
fn kv(k: &str, v: Html) -> Html {
    html! { <div class="kv"><div class="kv-key">{ k.to_string() }</div><div class="kv-value">{ v }</div></div> }
}

/// The parameters file (`[{"ParameterKey": ..., "ParameterValue": ...}]`) read as pairs.
fn parse_params(text: &str) -> Result<Vec<(String, String)>, String> {
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

fn params_value(rows: &[(String, String)]) -> Value {
    Value::Array(
        rows.iter()
            .map(|(k, v)| json!({"ParameterKey": k, "ParameterValue": v}))
            .collect(),
    )
}

#[function_component]
pub fn CloudFormationPage() -> Html {
    let kms = use_kms();
    let (stacks, reload) = use_loader(kms.clone(), |kms| async move {
        let v = cfn(&kms, "DescribeStacks", json!({})).await?;
        Ok(list(&v, "Stacks"))
    });
    let creating = use_state(|| false);
    let toggle = {
        let c = creating.clone();
        Callback::from(move |_| c.set(!*c))
    };
    let created = {
        let (c, reload) = (creating.clone(), reload.clone());
        Callback::from(move |_| {
            c.set(false);
            reload.emit(())
        })
    };
    html! {
        <div class="page cfn-page">
            { breadcrumbs(&[("CloudFormation", None)]) }
            <h1>{"CloudFormation stacks"}</h1>
            <p class="page-desc">{"Stacks of AWS::KMS::Key, AWS::KMS::Alias and AWS::KMS::ReplicaKey resources in "}
                <strong>{ kms.region().to_string() }</strong>{", made through KMS as the console's caller."}</p>
            if *creating { <CreateStack on_done={created} on_cancel={toggle.clone()} /> }
            <div class="panel table-panel">
                <div class="panel-header">
                    <h2>{"Stacks "}<span class="count">{ match &*stacks { Load::Ready(l) => format!("({})", l.len()), _ => String::new() } }</span></h2>
                    <div class="panel-actions">
                        <button type="button" class="btn" onclick={reload.reform(|_| ())} aria-label="Refresh stacks">{"Refresh"}</button>
                        <button type="button" class="btn btn-primary" onclick={toggle} disabled={*creating}>{"Create stack"}</button>
                    </div>
                </div>
                { match &*stacks {
                    Load::Loading => html! { <Spinner /> },
                    Load::Failed(e) => html! { <div class="panel-body"><ErrorAlert error={e.clone()} /></div> },
                    Load::Ready(l) if l.is_empty() => html! {
                        <div class="panel-body empty"><strong>{"No stacks"}</strong><p>{"Create a stack from a template."}</p></div>
                    },
                    Load::Ready(l) => html! {
                        <div class="table-scroll">
                            <table class="table" data-cfn-table="stacks">
                                <thead><tr><th scope="col">{"Stack name"}</th><th scope="col">{"Status"}</th><th scope="col">{"Created time"}</th><th scope="col">{"Description"}</th></tr></thead>
                                <tbody>
                                    { for l.iter().map(|st| html! {
                                        <tr data-stack={s(st, "StackName")}>
                                            <td><Link<Route> to={Route::Stack { name: s(st, "StackName") }}>{ s(st, "StackName") }</Link<Route>></td>
                                            <td>{ status(&s(st, "StackStatus")) }</td>
                                            <td>{ time(st, "CreationTime") }</td>
                                            <td>{ s(st, "Description") }</td>
                                        </tr>
                                    }) }
                                </tbody>
                            </table>
                        </div>
                    },
                } }
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct TemplateFieldsProps {
    template: String,
    params: String,
    on_template: Callback<String>,
    on_params: Callback<String>,
}

/// The template and parameters file: pasted or uploaded.
#[function_component]
fn TemplateFields(p: &TemplateFieldsProps) -> Html {
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
struct ParamFormProps {
    /// ValidateTemplate's Parameters.
    declared: Vec<Value>,
    values: Vec<(String, String)>,
    on_change: Callback<(String, String)>,
}

/// One field per parameter the template declares, with its description and default.
#[function_component]
fn ParamForm(p: &ParamFormProps) -> Html {
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

#[derive(Properties, PartialEq)]
struct CreateProps {
    on_done: Callback<()>,
    on_cancel: Callback<MouseEvent>,
}

/// Create stack: name, template, parameters; Read parameters asks ValidateTemplate for the form.
#[function_component]
fn CreateStack(p: &CreateProps) -> Html {
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
            let mut body = json!({"StackName": name.trim(), "TemplateBody": *template});
            if !rows.is_empty() {
                body["Parameters"] = params_value(&rows);
            }
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
    html! {
        <section class="panel" aria-labelledby="cfn-create-h">
            <div class="panel-header"><h2 id="cfn-create-h">{"Create stack"}</h2></div>
            <div class="panel-body">
                <div class="field">
                    <label for="cfn-stack-name" class="label">{"Stack name"}</label>
                    <input id="cfn-stack-name" class="input" type="text" value={(*name).clone()}
                        oninput={ let n = name.clone(); Callback::from(move |e: InputEvent| n.set(util::input_value(&e))) } />
                </div>
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

#[derive(Properties, PartialEq)]
pub struct StackProps {
    pub name: AttrValue,
}

/// Everything a stack's page shows, loaded together.
#[derive(Clone, PartialEq)]
struct StackData {
    stack: Value,
    events: Vec<Value>,
    resources: Vec<Value>,
    template: String,
}

#[function_component]
pub fn StackPage(p: &StackProps) -> Html {
    let kms = use_kms();
    let (data, reload) = use_loader((kms.clone(), p.name.clone()), |(kms, name)| async move {
        let stacks = cfn(&kms, "DescribeStacks", json!({"StackName": name.as_str()})).await?;
        let stack = list(&stacks, "Stacks")
            .into_iter()
            .next()
            .unwrap_or(Value::Null);
        // A deleted stack is described by its id only.
        let id = s(&stack, "StackId");
        let events = cfn(&kms, "DescribeStackEvents", json!({"StackName": id})).await?;
        let resources = cfn(&kms, "DescribeStackResources", json!({"StackName": id})).await?;
        let template = cfn(&kms, "GetTemplate", json!({"StackName": id})).await?;
        Ok(StackData {
            events: list(&events, "StackEvents"),
            resources: list(&resources, "StackResources"),
            template: s(&template, "TemplateBody"),
            stack,
        })
    });
    let tab = use_state(|| AttrValue::Static("events"));
    let updating = use_state(|| false);
    let error = use_state(|| None::<ApiError>);
    let navigator = use_navigator();
    // A deleted stack is no longer found by name: back to the list, as the console does.
    let delete = {
        let (kms, error, name, navigator) = (
            kms.clone(),
            error.clone(),
            p.name.clone(),
            navigator.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let (kms, error, name, navigator) =
                (kms.clone(), error.clone(), name.clone(), navigator.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match cfn(&kms, "DeleteStack", json!({"StackName": name.as_str()})).await {
                    Ok(_) => {
                        if let Some(n) = navigator {
                            n.push(&Route::CloudFormation);
                        }
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let body = match &*data {
        Load::Loading => html! { <Spinner /> },
        Load::Failed(e) => html! { <ErrorAlert error={e.clone()} /> },
        Load::Ready(d) => {
            let st = s(&d.stack, "StackStatus");
            let deleted = st == "DELETE_COMPLETE";
            let tabs: Vec<(AttrValue, AttrValue)> =
                ["events", "resources", "outputs", "parameters", "template"]
                    .iter()
                    .map(|t| {
                        (
                            AttrValue::Static(t),
                            AttrValue::from(format!("{}{}", t[..1].to_uppercase(), &t[1..])),
                        )
                    })
                    .collect();
            html! { <>
                <div class="panel">
                    <div class="panel-header">
                        <h2>{"Stack info"}</h2>
                        <div class="panel-actions">
                            <button type="button" class="btn" onclick={reload.reform(|_| ())} aria-label="Refresh stack">{"Refresh"}</button>
                            <button type="button" class="btn" disabled={deleted} onclick={ let u = updating.clone(); Callback::from(move |_| u.set(!*u)) }>{"Update"}</button>
                            <button type="button" class="btn" data-cfn="delete" disabled={deleted} onclick={delete}>{"Delete"}</button>
                        </div>
                    </div>
                    <div class="panel-body grid-2">
                        { kv("Stack ID", html! { <span class="mono small">{ s(&d.stack, "StackId") }</span> }) }
                        { kv("Status", status(&st)) }
                        { kv("Description", html! { s(&d.stack, "Description") }) }
                        { kv("Created time", html! { time(&d.stack, "CreationTime") }) }
                    </div>
                </div>
                if let Some(e) = &*error { <ErrorAlert error={e.clone()} /> }
                if *updating && !deleted {
                    <UpdateStack name={p.name.clone()} template={d.template.clone()}
                        params={serde_json::to_string_pretty(&Value::Array(list(&d.stack, "Parameters").into_iter().map(|x| json!({"ParameterKey": s(&x, "ParameterKey"), "ParameterValue": s(&x, "ParameterValue")})).collect())).unwrap_or_default()}
                        on_done={ let (u, r) = (updating.clone(), reload.clone()); Callback::from(move |_| { u.set(false); r.emit(()) }) } />
                }
                <Tabs tabs={tabs} active={(*tab).clone()} on_select={ let t = tab.clone(); Callback::from(move |v| t.set(v)) } />
                <div class="panel table-panel" role="tabpanel">
                    { match tab.as_str() {
                        "resources" => resources_table(&d.resources),
                        "outputs" => pairs_table("Outputs", &list(&d.stack, "Outputs"), "OutputKey", "OutputValue", Some("Description")),
                        "parameters" => pairs_table("Parameters", &list(&d.stack, "Parameters"), "ParameterKey", "ParameterValue", None),
                        "template" => html! { <pre class="code-block" data-cfn-template="">{ &d.template }</pre> },
                        _ => events_table(&d.events),
                    } }
                </div>
            </> }
        }
    };
    html! {
        <div class="page cfn-stack-page">
            { breadcrumbs(&[("CloudFormation", Some(Route::CloudFormation)), (p.name.as_str(), None)]) }
            <h1>{ p.name.to_string() }</h1>
            { body }
        </div>
    }
}

fn events_table(events: &[Value]) -> Html {
    html! {
        <div class="table-scroll">
            <table class="table" data-cfn-table="events">
                <thead><tr><th scope="col">{"Timestamp"}</th><th scope="col">{"Logical ID"}</th><th scope="col">{"Status"}</th><th scope="col">{"Status reason"}</th></tr></thead>
                <tbody>
                    { for events.iter().map(|e| html! {
                        <tr>
                            <td>{ time(e, "Timestamp") }</td>
                            <td>{ s(e, "LogicalResourceId") }</td>
                            <td>{ status(&s(e, "ResourceStatus")) }</td>
                            <td>{ s(e, "ResourceStatusReason") }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

fn resources_table(resources: &[Value]) -> Html {
    html! {
        <div class="table-scroll">
            <table class="table" data-cfn-table="resources">
                <thead><tr><th scope="col">{"Logical ID"}</th><th scope="col">{"Physical ID"}</th><th scope="col">{"Type"}</th><th scope="col">{"Status"}</th></tr></thead>
                <tbody>
                    { for resources.iter().map(|r| {
                        let physical = s(r, "PhysicalResourceId");
                        let ty = s(r, "ResourceType");
                        html! {
                            <tr data-logical-id={s(r, "LogicalResourceId")}>
                                <td>{ s(r, "LogicalResourceId") }</td>
                                <td class="mono small">{ if ty == "AWS::KMS::Alias" || physical.is_empty() {
                                    html! { &physical }
                                } else {
                                    html! { <Link<Route> to={Route::Key { id: physical.clone() }}>{ &physical }</Link<Route>> }
                                } }</td>
                                <td>{ ty }</td>
                                <td>{ status(&s(r, "ResourceStatus")) }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </div>
    }
}

fn pairs_table(caption: &str, rows: &[Value], key: &str, value: &str, extra: Option<&str>) -> Html {
    if rows.is_empty() {
        return html! { <div class="panel-body empty"><strong>{ format!("No {}", caption.to_lowercase()) }</strong></div> };
    }
    html! {
        <div class="table-scroll">
            <table class="table" data-cfn-table={caption.to_lowercase()}>
                <thead><tr><th scope="col">{"Key"}</th><th scope="col">{"Value"}</th>
                    if extra.is_some() { <th scope="col">{"Description"}</th> }</tr></thead>
                <tbody>
                    { for rows.iter().map(|r| html! {
                        <tr>
                            <td>{ s(r, key) }</td>
                            <td class="mono small">{ s(r, value) }</td>
                            if let Some(x) = extra { <td>{ s(r, x) }</td> }
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct UpdateProps {
    name: AttrValue,
    template: String,
    params: String,
    on_done: Callback<()>,
}

/// Update stack: the current template and parameters, edited and sent with UpdateStack.
#[function_component]
fn UpdateStack(p: &UpdateProps) -> Html {
    let kms = use_kms();
    let template = use_state(|| p.template.clone());
    let params = use_state(|| p.params.clone());
    let error = use_state(|| None::<ApiError>);
    let submit = {
        let (kms, template, params, error, done, name) = (
            kms.clone(),
            template.clone(),
            params.clone(),
            error.clone(),
            p.on_done.clone(),
            p.name.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let rows = match parse_params(&params) {
                Ok(r) => r,
                Err(m) => return error.set(Some(ApiError::local("ValidationError", m))),
            };
            let mut body = json!({"StackName": name.as_str(), "TemplateBody": *template});
            if !rows.is_empty() {
                body["Parameters"] = params_value(&rows);
            }
            let (kms, error, done) = (kms.clone(), error.clone(), done.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match cfn(&kms, "UpdateStack", body).await {
                    Ok(_) => done.emit(()),
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    html! {
        <section class="panel" aria-labelledby="cfn-update-h">
            <div class="panel-header"><h2 id="cfn-update-h">{"Update stack"}</h2></div>
            <div class="panel-body">
                <TemplateFields template={(*template).clone()} params={(*params).clone()}
                    on_template={ let t = template.clone(); Callback::from(move |v| t.set(v)) }
                    on_params={ let x = params.clone(); Callback::from(move |v| x.set(v)) } />
                if let Some(e) = &*error { <ErrorAlert error={e.clone()} /> }
                <div class="form-actions">
                    <button type="button" class="btn btn-primary" onclick={submit}>{"Update stack"}</button>
                </div>
            </div>
        </section>
    }
}
