//! `#/terraform`: an editor for `create-kms.tf` (kept in the terminal's file area, so
//! `terraform ...` in the terminal sees the same file), the Validate / Plan / Apply / Destroy
//! buttons with Terraform's output, and the resources of the sandbox's state.

use super::breadcrumbs;
use super::cli::{load_files, save_files};
use super::tf_run;
use crate::hooks::use_kms;
use crate::route::Route;
use crate::util;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;
use yew_router::prelude::*;

fn initial_text() -> String {
    load_files()
        .get(kms_terraform::EXAMPLE_NAME)
        .and_then(|b| String::from_utf8(b.clone()).ok())
        .unwrap_or_else(|| kms_terraform::EXAMPLE.to_string())
}

#[function_component]
pub fn TerraformPage() -> Html {
    let kms = use_kms();
    let text = use_state(initial_text);
    let output = use_state(|| None::<kms_terraform::Outcome>);
    let busy = use_state(|| false);
    let state = use_state({
        let kms = kms.clone();
        move || crate::tf_state::load_state(&kms.sandbox_name())
    });
    // Terraform is in the console's second module: fetch it while the learner reads.
    use_effect_with((), |_| crate::tools::preload());
    // An apply or destroy in another tab of this console saves the state there: the browser
    // tells this tab with a `storage` event, and the panel reads the state again.
    {
        let (state, name) = (state.clone(), kms.sandbox_name());
        use_effect_with(name.clone(), move |_| {
            let on_storage = Closure::<dyn Fn()>::new(move || {
                state.set(crate::tf_state::load_state(&name));
            });
            let window = util::window();
            let _ = window
                .add_event_listener_with_callback("storage", on_storage.as_ref().unchecked_ref());
            move || {
                let _ = window.remove_event_listener_with_callback(
                    "storage",
                    on_storage.as_ref().unchecked_ref(),
                );
                drop(on_storage);
            }
        });
    }

    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let v = util::textarea_value(&e);
            let mut files = load_files();
            files.insert(kms_terraform::EXAMPLE_NAME.into(), v.clone().into_bytes());
            save_files(&files);
            text.set(v);
        })
    };
    let command = |args: &'static [&'static str]| {
        let (kms, text, output, busy, state) = (
            kms.clone(),
            text.clone(),
            output.clone(),
            busy.clone(),
            state.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            if *busy {
                return;
            }
            busy.set(true);
            let (kms, output, busy, state) =
                (kms.clone(), output.clone(), busy.clone(), state.clone());
            let mut files = load_files();
            files.insert(kms_terraform::EXAMPLE_NAME.into(), text.as_bytes().to_vec());
            save_files(&files);
            let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
            wasm_bindgen_futures::spawn_local(async move {
                let out = tf_run::run(&args, &kms, &files).await;
                state.set(crate::tf_state::load_state(&kms.sandbox_name()));
                output.set(Some(out));
                busy.set(false);
            });
        })
    };
    let reset = {
        let text = text.clone();
        Callback::from(move |_: MouseEvent| {
            let mut files = load_files();
            files.insert(
                kms_terraform::EXAMPLE_NAME.into(),
                kms_terraform::EXAMPLE.as_bytes().to_vec(),
            );
            save_files(&files);
            text.set(kms_terraform::EXAMPLE.to_string());
        })
    };

    html! {
        <div class="page terraform-page">
            { breadcrumbs(&[("Terraform", None)]) }
            <h1>{"Terraform"}</h1>
            <p class="page-desc">{"A Terraform configuration for the AWS provider's KMS resources ("}
                <code>{"aws_kms_key"}</code>{", "}<code>{"aws_kms_alias"}</code>{", "}<code>{"aws_kms_replica_key"}</code>{", "}
                <code>{"aws_kms_grant"}</code>{", "}<code>{"aws_kms_key_policy"}</code>{"), applied to this sandbox in "}
                <strong>{ kms.region().to_string() }</strong>{" (unless the provider names a region) as the console's caller. The file is "}
                <code>{ kms_terraform::EXAMPLE_NAME }</code>{" in the "}<Link<Route> to={Route::Cli}>{"terminal's"}</Link<Route>>{" file area, where "}
                <code>{"terraform plan"}</code>{" works too."}</p>
            <div class="panel">
                <div class="panel-header">
                    <h2><label for="tf-editor">{ kms_terraform::EXAMPLE_NAME }</label></h2>
                    <div class="panel-actions">
                        <button type="button" class="btn" onclick={reset}>{"Reset example"}</button>
                        <button type="button" class="btn" data-tf="validate" onclick={command(&["validate"])} disabled={*busy}>{"Validate"}</button>
                        <button type="button" class="btn" data-tf="plan" onclick={command(&["plan"])} disabled={*busy}>{"Plan"}</button>
                        <button type="button" class="btn btn-primary" data-tf="apply" onclick={command(&["apply", "-auto-approve"])} disabled={*busy}>{"Apply"}</button>
                        <button type="button" class="btn" data-tf="destroy" onclick={command(&["destroy", "-auto-approve"])} disabled={*busy}>{"Destroy"}</button>
                    </div>
                </div>
                <div class="panel-body">
                    <textarea id="tf-editor" class="code-editor" rows="24" spellcheck="false"
                        value={(*text).clone()} {oninput} />
                </div>
            </div>
            <TerraformOutput out={(*output).clone()} busy={*busy} />
            <StateResources state={(*state).clone()} />
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct OutputProps {
    out: Option<kms_terraform::Outcome>,
    busy: bool,
}

/// What the last command printed, as Terraform prints it.
#[function_component]
fn TerraformOutput(p: &OutputProps) -> Html {
    // A long plan or apply ends with what matters ("Apply complete!"): shown scrolled to its end.
    let output = use_node_ref();
    {
        let output = output.clone();
        use_effect_with(p.out.clone(), move |_| {
            if let Some(el) = output.cast::<web_sys::Element>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }
    html! {
        <section class="panel" aria-labelledby="tf-out-h">
            <div class="panel-header"><h2 id="tf-out-h">{"Output"}</h2></div>
            <div class="panel-body" role="status" aria-live="polite">
                if p.busy {
                    <p class="hint">{"Running…"}</p>
                } else if let Some(o) = &p.out {
                    <div class="tf-output" tabindex="0" aria-label="Terraform output" ref={output.clone()}>
                        if !o.stdout.is_empty() { <pre class="term-out tf-out" data-tf-out="stdout">{ &o.stdout }</pre> }
                        if !o.stderr.is_empty() { <pre class="term-err tf-out" data-tf-out="stderr">{ &o.stderr }</pre> }
                        if o.exit_code != 0 { <p class="term-exit">{ format!("exit code {}", o.exit_code) }</p> }
                    </div>
                } else {
                    <p class="hint">{"Validate, Plan, Apply or Destroy to see Terraform's output here."}</p>
                }
            </div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct StateProps {
    state: Option<String>,
}

/// The resources of the sandbox's Terraform state; keys link to their pages.
#[function_component]
fn StateResources(p: &StateProps) -> Html {
    let state = p
        .state
        .as_deref()
        .and_then(|s| kms_terraform::State::from_json(s).ok())
        .unwrap_or_default();
    html! {
        <section class="panel table-panel" aria-labelledby="tf-state-h">
            <div class="panel-header"><h2 id="tf-state-h">{"State "}<span class="count">{ format!("({})", state.resources.len()) }</span></h2></div>
            if state.resources.is_empty() {
                <div class="panel-body empty"><strong>{"No resources"}</strong><p>{"Apply the configuration to create them."}</p></div>
            } else {
                <div class="table-scroll">
                    <table class="table" data-tf-state="resources">
                        <thead><tr><th scope="col">{"Address"}</th><th scope="col">{"ID"}</th><th scope="col">{"ARN"}</th></tr></thead>
                        <tbody>
                            { for state.resources.iter().map(|r| {
                                let id = r.id();
                                let key_id = match r.ty.as_str() {
                                    "aws_kms_key" | "aws_kms_replica_key" => Some(id.clone()),
                                    _ => None,
                                };
                                html! {
                                    <tr data-address={r.address()}>
                                        <td class="mono">{ r.address() }</td>
                                        <td class="mono small">{ match key_id {
                                            Some(k) => html! { <Link<Route> to={Route::Key { id: k }}>{ &id }</Link<Route>> },
                                            None => html! { &id },
                                        } }</td>
                                        <td class="mono small">{ r.str("arn").unwrap_or("") }</td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                </div>
            }
        </section>
    }
}
