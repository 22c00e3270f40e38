//! The stack list (`#/cloudformation`), with Create stack above it while it is open.

use super::create::CreateStack;
use super::{cfn, list, s, status, time};
use crate::components::{ErrorAlert, Spinner};
use crate::hooks::{use_kms, use_loader, Load};
use crate::pages::breadcrumbs;
use crate::route::Route;
use serde_json::json;
use yew::prelude::*;
use yew_router::prelude::*;

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
