//! The Customer managed keys and AWS managed keys pages.

use super::breadcrumbs;
use crate::components::{InfoAlert, KeyTable};
use crate::hooks::use_kms;
use yew::prelude::*;

/// The sandbox's stored records that could not be read, if any: which, and why.
#[function_component]
fn DamagedNotice() -> Html {
    let kms = use_kms();
    let damaged = kms.damaged();
    if damaged.is_empty() {
        return html! {};
    }
    html! {
        <div data-testid="damaged-notice">
            <InfoAlert kind="warning" title={AttrValue::from(format!("{} stored record(s) of this sandbox could not be read", damaged.len()))}>
                <p>{"The sandbox opened without them; everything else works. A record is refused when it was changed or moved \
                    outside the sandbox (its wrapped key material is bound to its key ID, Region, ARN and revision) or is damaged."}</p>
                <ul>
                    { for damaged.iter().map(|d| html! {
                        <li>
                            <code>{ d.key_id.clone().unwrap_or_else(|| d.storage_key.clone()) }</code>
                            { d.region.as_ref().map(|r| format!(" ({r})")).unwrap_or_default() }
                            {": "}{ &d.reason }
                        </li>
                    }) }
                </ul>
            </InfoAlert>
        </div>
    }
}

#[function_component]
pub fn CustomerKeysPage() -> Html {
    html! {
        <div class="page">
            { breadcrumbs(&[("Customer managed keys", None)]) }
            <h1>{"Customer managed keys"}</h1>
            <crate::components::SameOriginNotice />
            <DamagedNotice />
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
