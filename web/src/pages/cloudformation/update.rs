//! Update stack: the stack's current template and parameters, edited and sent with
//! UpdateStack.

use super::cfn;
use super::template::{parse_params, stack_body, TemplateFields};
use crate::components::ErrorAlert;
use crate::hooks::use_kms;
use crate::kms::ApiError;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub(super) struct UpdateProps {
    pub(super) name: AttrValue,
    pub(super) template: String,
    pub(super) params: String,
    pub(super) on_done: Callback<()>,
}

/// Update stack: the current template and parameters, edited and sent with UpdateStack.
#[function_component]
pub(super) fn UpdateStack(p: &UpdateProps) -> Html {
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
            let body = stack_body(&name, &template, &rows);
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
