//! "Equivalent API calls": the AWS CLI command and SDK for JavaScript v3 call for the requests
//! an action sends, generated from the same request JSON.

use super::CopyButton;
use crate::hooks::use_console;
use crate::kms::Request;
use crate::snippets::{aws_cli, js_sdk};
use crate::terminal::one_line;
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ApiPanelProps {
    pub requests: Vec<Request>,
    #[prop_or(AttrValue::Static("Equivalent AWS CLI and SDK calls"))]
    pub title: AttrValue,
}

#[function_component]
pub fn ApiPanel(p: &ApiPanelProps) -> Html {
    // The console's Region (the panel also shows in the banners, outside the KMS provider).
    let console = use_console();
    let lang = use_state(|| "cli");
    let navigator = use_navigator();
    if p.requests.is_empty() {
        return html! {};
    }
    let region = console.region.clone();
    let text: String = p
        .requests
        .iter()
        .map(|r| match *lang {
            "cli" => aws_cli(&region, r.operation, &r.body),
            _ => js_sdk(&region, r.operation, &r.body),
        })
        .collect::<Vec<_>>()
        .join("\n\n");
    let pick = |l: &'static str| {
        let lang = lang.clone();
        Callback::from(move |_| lang.set(l))
    };
    let ops: Vec<&str> = p.requests.iter().map(|r| r.operation).collect();
    // "Open in terminal": the command goes into the terminal's input (#/cli), not run.
    let open_buttons = p.requests.iter().map(|r| {
        let line = one_line(&aws_cli(&region, r.operation, &r.body));
        let navigator = navigator.clone();
        let onclick = Callback::from(move |_| {
            crate::util::prefill_terminal(&line);
            if let Some(n) = &navigator {
                n.push(&crate::route::Route::Cli);
            }
        });
        let label = if p.requests.len() > 1 {
            format!("Open {} in terminal", r.operation)
        } else {
            "Open in terminal".to_string()
        };
        html! { <button type="button" class="btn btn-small" {onclick}>{ label }</button> }
    });
    html! {
        <details class="api-panel">
            <summary>{ &p.title }<span class="api-ops">{ ops.join(", ") }</span></summary>
            <div class="api-panel-body">
                <div class="segmented">
                    <button type="button" class={classes!((*lang == "cli").then_some("on"))} onclick={pick("cli")}>{"AWS CLI"}</button>
                    <button type="button" class={classes!((*lang == "js").then_some("on"))} onclick={pick("js")}>{"AWS SDK for JavaScript v3"}</button>
                    <CopyButton text={text.clone()} />
                </div>
                // Focusable, so that a long command can be scrolled with the keyboard.
                <pre class="code" tabindex="0" role="region"
                    aria-label={if *lang == "cli" { "AWS CLI commands" } else { "AWS SDK for JavaScript v3 code" }}>{ text }</pre>
                if *lang == "cli" && navigator.is_some() {
                    <div class="button-row api-open">{ for open_buttons }</div>
                }
                if *lang == "cli" {
                    <p class="hint">{"AWS CLI v2 reads binary parameters as base64. The sandbox itself answers "}
                    <code>{"window.kms"}</code>{" in this tab's developer tools."}</p>
                }
            </div>
        </details>
    }
}
