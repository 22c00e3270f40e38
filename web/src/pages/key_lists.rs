//! The Customer managed keys and AWS managed keys pages.

use super::breadcrumbs;
use crate::components::KeyTable;
use yew::prelude::*;

#[function_component]
pub fn CustomerKeysPage() -> Html {
    html! {
        <div class="page">
            { breadcrumbs(&[("Customer managed keys", None)]) }
            <h1>{"Customer managed keys"}</h1>
            <KeyTable customer_managed={true} />
        </div>
    }
}

#[function_component]
pub fn AwsKeysPage() -> Html {
    html! {
        <div class="page">
            { breadcrumbs(&[("AWS managed keys", None)]) }
            <h1>{"AWS managed keys"}</h1>
            <p class="lead">{"AWS managed keys are created, managed and used on your behalf by AWS services integrated with AWS KMS \
                (aliases aws/"}<em>{"service"}</em>{"). You can view them and their key policies, but you cannot change, rotate \
                or delete them; AWS rotates them every year and they carry no monthly fee."}</p>
            <KeyTable customer_managed={false} />
        </div>
    }
}
