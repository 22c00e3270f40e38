//! Pages without KMS data: Custom key stores and Not found.

use super::breadcrumbs;
use crate::components::{ApiPanel, InfoAlert};
use crate::kms::Request;
use crate::route::Route;
use serde_json::json;
use yew::prelude::*;
use yew_router::prelude::*;

#[function_component]
pub fn CustomKeyStoresPage() -> Html {
    let describe = vec![Request {
        operation: "DescribeCustomKeyStores",
        body: json!({}),
    }];
    html! {
        <div class="page">
            { breadcrumbs(&[("Custom key stores", None)]) }
            <h1>{"Custom key stores"}</h1>
            <div class="panel">
                <div class="panel-header"><h2>{"What is a custom key store?"}</h2></div>
                <div class="panel-body prose">
                    <p>{"A custom key store lets AWS KMS keep the key material of KMS keys outside its own HSMs, while you use the keys \
                        through the same KMS API. There are two kinds:"}</p>
                    <ul>
                        <li><strong>{"AWS CloudHSM key store"}</strong>{" - backed by an AWS CloudHSM cluster that you own and manage. \
                            Keys created in it have the origin AWS_CLOUDHSM."}</li>
                        <li><strong>{"External key store (XKS)"}</strong>{" - backed by a key manager outside AWS, reached through an \
                            external key store proxy. Keys created in it have the origin EXTERNAL_KEY_STORE."}</li>
                    </ul>
                    <p>{"You would choose one when regulations require key material in a single-tenant HSM under your control or outside AWS \
                        altogether. It costs you availability and operational work: if the cluster or proxy is down, the keys cannot be used."}</p>
                    <InfoAlert title="This sandbox has no custom key stores">
                        {"The sandbox runs entirely in your browser tab, with no CloudHSM cluster or external key manager to connect to. \
                          Every key you create here has key material from AWS KMS (origin AWS_KMS)."}
                    </InfoAlert>
                </div>
            </div>
            <div class="panel">
                <div class="panel-header"><h2>{"AWS CloudHSM key stores (0)"}</h2></div>
                <div class="panel-body empty">{"No custom key stores"}</div>
            </div>
            <div class="panel">
                <div class="panel-header"><h2>{"External key stores (0)"}</h2></div>
                <div class="panel-body empty">{"No custom key stores"}</div>
            </div>
            <ApiPanel requests={describe} />
        </div>
    }
}

#[function_component]
pub fn NotFoundPage() -> Html {
    html! {
        <div class="page">
            <h1>{"Page not found"}</h1>
            <p>{"There is no console page at this address. "}<Link<Route> to={Route::CustomerKeys}>{"Go to Customer managed keys"}</Link<Route>></p>
        </div>
    }
}
