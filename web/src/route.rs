//! The console's routes (hash routes: any static host and sub-path, reloads kept), and what a
//! page can ask of the app about sandboxes. Below the app, its frame and its pages, which all
//! name them.

use yew::prelude::*;
use yew_router::prelude::*;

/// Hash routes, so the console works from any static host and sub-path and survives reloads.
#[derive(Routable, Clone, PartialEq, Debug)]
pub enum Route {
    #[at("/")]
    Home,
    #[at("/keys")]
    CustomerKeys,
    #[at("/defaultKeys")]
    AwsKeys,
    #[at("/create")]
    CreateKey,
    #[at("/keys/:id")]
    Key { id: String },
    #[at("/keys/:id/:tab")]
    KeyTab { id: String, tab: String },
    #[at("/customKeyStores")]
    CustomKeyStores,
    #[at("/crypto")]
    Crypto,
    #[at("/pricing")]
    Pricing,
    #[at("/events")]
    Events,
    #[at("/bill")]
    Bill,
    #[at("/settings")]
    Settings,
    #[at("/cli")]
    Cli,
    #[at("/cloudformation")]
    CloudFormation,
    #[at("/cloudformation/stacks/:name")]
    Stack { name: String },
    #[at("/terraform")]
    Terraform,
    #[at("/iam")]
    Iam,
    #[at("/iam/:tab")]
    IamTab { tab: String },
    #[at("/iam/users/:name")]
    IamUser { name: String },
    #[at("/iam/roles/:name")]
    IamRole { name: String },
    #[at("/iam/policies/:name")]
    IamPolicy { name: String },
    #[not_found]
    #[at("/404")]
    NotFound,
}

/// What the settings page can ask of the app.
#[derive(Clone, Debug, PartialEq)]
pub enum SandboxCommand {
    /// Open (or create) the named sandbox; the account id applies to a new one.
    Open {
        name: String,
        account_id: Option<String>,
    },
    /// Delete every key of the current sandbox and start it afresh.
    Reset,
    /// Switch to a sandbox just imported from a backup.
    Imported { name: String },
}

pub type SandboxControl = Callback<SandboxCommand>;
