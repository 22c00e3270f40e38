//! One module per console page.

mod bill;
mod cli;
mod cloudformation;
mod create_key;
mod crypto;
mod events;
mod iam;
mod key_detail;
mod key_events;
mod key_lists;
mod key_material;
mod key_tabs;
mod policy_check;
mod pricing;
mod settings;
mod static_pages;
mod terraform;
pub(crate) mod tf_run;

pub use bill::BillPage;
pub use cli::CliPage;
pub use cloudformation::{CloudFormationPage, StackPage};
pub use create_key::CreateKeyPage;
pub use crypto::CryptoPage;
pub use events::EventsPage;
pub use iam::{IamPage, IamPolicyPage, IamRolePage, IamUserPage};
pub use key_detail::KeyDetailPage;
pub use key_lists::{AwsKeysPage, CustomerKeysPage};
pub use pricing::PricingPage;
pub use settings::SettingsPage;
pub use static_pages::{CustomKeyStoresPage, NotFoundPage};
pub use terraform::TerraformPage;

use crate::route::Route;
use yew::prelude::*;
use yew_router::prelude::*;

/// "KMS > ... > here" above a page title.
pub fn breadcrumbs(trail: &[(&str, Option<Route>)]) -> Html {
    breadcrumbs_from(("KMS", Route::CustomerKeys), trail)
}

/// "`root` > ... > here": the first crumb names the service (KMS, IAM) and links to its home.
pub fn breadcrumbs_from(root: (&str, Route), trail: &[(&str, Option<Route>)]) -> Html {
    let (root_label, root_route) = root;
    html! {
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <Link<Route> to={root_route}>{ root_label.to_string() }</Link<Route>>
            { for trail.iter().map(|(label, to)| html! {
                <>
                    <span class="crumb-sep" aria-hidden="true">{"›"}</span>
                    { match to {
                        Some(r) => html! { <Link<Route> to={r.clone()}>{ label.to_string() }</Link<Route>> },
                        None => html! { <span aria-current="page">{ label.to_string() }</span> },
                    } }
                </>
            }) }
        </nav>
    }
}
