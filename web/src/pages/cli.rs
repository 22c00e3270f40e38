//! `#/cli`: a CloudShell-like terminal that runs AWS CLI v2 command lines against the sandbox
//! (parsed and printed by `kms-cli`), beside a small file area for `fileb://`, `file://` and
//! `> file`. The file area lives in this tab's sessionStorage.

use super::breadcrumbs;
use crate::components::CopyButton;
use crate::hooks::use_kms;
use crate::kms::Kms;
use crate::terminal::{self, History, PROMPT};
use crate::tools;
use crate::util;
use kms_cli::Outcome;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// One command and what it printed.
#[derive(Clone, Debug, PartialEq)]
struct Block {
    id: usize,
    command: String,
    out: Outcome,
    /// A line of the terminal itself (a file written).
    note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Default)]
struct Scrollback {
    blocks: Vec<Block>,
    next: usize,
}

enum ScrollAction {
    Push(String, Outcome, Option<String>),
    Clear,
}

impl Reducible for Scrollback {
    type Action = ScrollAction;
    fn reduce(self: Rc<Self>, action: ScrollAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            ScrollAction::Push(command, out, note) => {
                s.blocks.push(Block {
                    id: s.next,
                    command,
                    out,
                    note,
                });
                s.next += 1;
            }
            ScrollAction::Clear => s.blocks.clear(),
        }
        Rc::new(s)
    }
}

#[derive(Clone, Debug, PartialEq, Default)]
struct Files(BTreeMap<String, Vec<u8>>);

enum FileAction {
    Put(String, Vec<u8>),
    Redirect {
        path: String,
        append: bool,
        text: String,
    },
    Delete(String),
}

impl Reducible for Files {
    type Action = FileAction;
    fn reduce(self: Rc<Self>, action: FileAction) -> Rc<Self> {
        let mut files = self.0.clone();
        match action {
            FileAction::Put(name, bytes) => {
                files.insert(name, bytes);
            }
            FileAction::Redirect { path, append, text } => {
                terminal::write_redirect(&mut files, &path, append, &text)
            }
            FileAction::Delete(name) => {
                files.remove(&name);
            }
        }
        save_files(&files);
        Rc::new(Files(files))
    }
}

pub(crate) fn load_files() -> BTreeMap<String, Vec<u8>> {
    util::session_storage()
        .and_then(|s| s.get_item(terminal::FILES_KEY).ok().flatten())
        .map(|t| terminal::files_from_json(&t))
        .unwrap_or_default()
}

pub(crate) fn save_files(files: &BTreeMap<String, Vec<u8>>) {
    if let Some(s) = util::session_storage() {
        let _ = s.set_item(terminal::FILES_KEY, &terminal::files_to_json(files));
    }
}

fn take_prefill() -> Option<String> {
    let s = util::session_storage()?;
    let v = s.get_item(terminal::PREFILL_KEY).ok().flatten();
    let _ = s.remove_item(terminal::PREFILL_KEY);
    v
}

/// Runs one `aws ...` line: parses it, sends its requests (page after page while the CLI
/// paginates) as the profile's principal, and prints as the CLI does. The parser and printer are
/// in the console's second wasm module, loaded on first use.
async fn execute(line: &str, kms: &Kms, files: &BTreeMap<String, Vec<u8>>) -> Outcome {
    // `terraform ...` runs Terraform over the file area's .tf files.
    let words = kms_terraform::split(line);
    if words.first().map(String::as_str) == Some("terraform") {
        let out = super::tf_run::run(&words[1..], kms, files).await;
        return Outcome {
            stdout: out.stdout,
            stderr: out.stderr,
            exit_code: out.exit_code,
            redirect: None,
        };
    }
    let tools = match tools::load().await {
        Ok(t) => t,
        Err(e) => return tools::terminal_error(e),
    };
    let profiles = terminal::profiles(&kms.principals());
    let cli = tools.cli_parse(line, kms.region(), &profiles, files);
    if let Some(out) = cli.printed() {
        return out;
    }
    let Some(target) = cli.target() else {
        return tools::terminal_error("The terminal's module answered no command.".into());
    };
    let handle = match &target.principal {
        Some(arn) => kms.acting_as(Some(arn)),
        None => kms.clone(),
    };
    while let Some(request) = cli.next_request() {
        match handle
            .call_service(target.service, &target.region, &target.operation, request)
            .await
        {
            Ok(page) => cli.answer(&page),
            Err(e) => return cli.render_error(&e),
        }
    }
    cli.render()
}

#[function_component]
pub fn CliPage() -> Html {
    let kms = use_kms();
    let scroll = use_reducer(Scrollback::default);
    let files = use_reducer(|| Files(load_files()));
    let input = use_state(|| take_prefill().unwrap_or_default());
    // A command continued with a trailing backslash: its lines so far (bash's "> " prompt).
    let pending = use_state(String::new);
    let history = use_mut_ref(History::default);
    let busy = use_state(|| false);
    let choices = use_state(Vec::<String>::new);
    let input_ref = use_node_ref();
    let log_ref = use_node_ref();

    // Focus the input when the page opens, and fetch the CLI's module; follow the output as it
    // grows.
    {
        let input_ref = input_ref.clone();
        use_effect_with((), move |_| {
            tools::preload();
            if let Some(i) = input_ref.cast::<web_sys::HtmlInputElement>() {
                let _ = i.focus();
            }
        });
    }
    {
        let log_ref = log_ref.clone();
        let input_ref = input_ref.clone();
        use_effect_with((scroll.next, scroll.blocks.len(), *busy), move |_| {
            if let Some(el) = log_ref.cast::<web_sys::Element>() {
                el.set_scroll_top(el.scroll_height());
            }
            if let Some(i) = input_ref.cast::<web_sys::HtmlInputElement>() {
                let _ = i.focus();
            }
        });
    }

    let run = {
        let (kms, scroll, files, input, busy, history, choices) = (
            kms.clone(),
            scroll.clone(),
            files.clone(),
            input.clone(),
            busy.clone(),
            history.clone(),
            choices.clone(),
        );
        Callback::from(move |line: String| {
            if *busy {
                return;
            }
            history.borrow_mut().push(&line);
            input.set(String::new());
            choices.set(Vec::new());
            let trimmed = line.trim();
            if trimmed == "clear" {
                scroll.dispatch(ScrollAction::Clear);
                return;
            }
            let (kms, scroll, files, busy) =
                (kms.clone(), scroll.clone(), files.clone(), busy.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let snapshot = files.0.clone();
                let mut out = execute(&line, &kms, &snapshot).await;
                let mut note = None;
                if let Some(r) = out.redirect.take() {
                    let text = std::mem::take(&mut out.stdout);
                    note = Some(format!(
                        "Wrote {} to {} (in the file area).",
                        terminal::human_size(text.len()),
                        r.path
                    ));
                    files.dispatch(FileAction::Redirect {
                        path: r.path,
                        append: r.append,
                        text,
                    });
                }
                scroll.dispatch(ScrollAction::Push(line, out, note));
                busy.set(false);
            });
        })
    };

    let onsubmit = {
        let (run, input, pending) = (run.clone(), input.clone(), pending.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            // As bash: a backslash-newline is removed and the command goes on.
            if let Some(head) = terminal::continued(&input) {
                pending.set(format!("{}{head}", *pending));
                input.set(String::new());
                return;
            }
            let line = format!("{}{}", *pending, *input);
            pending.set(String::new());
            run.emit(line);
        })
    };
    // A paste of several lines: continued lines joined as bash joins them.
    let onpaste = {
        let input = input.clone();
        Callback::from(move |e: Event| {
            let Some(clip) = e.dyn_ref::<web_sys::ClipboardEvent>() else {
                return;
            };
            let Some(text) = clip.clipboard_data().and_then(|d| d.get_data("text").ok()) else {
                return;
            };
            let Some(el) = e.target_dyn_into::<web_sys::HtmlInputElement>() else {
                return;
            };
            if !text.contains('\n') {
                return;
            }
            e.prevent_default();
            // Selection offsets count UTF-16 units.
            let value: Vec<u16> = el.value().encode_utf16().collect();
            let at = |o: Option<u32>| o.map_or(value.len(), |o| (o as usize).min(value.len()));
            let start = at(el.selection_start().ok().flatten());
            let end = at(el.selection_end().ok().flatten()).max(start);
            input.set(format!(
                "{}{}{}",
                String::from_utf16_lossy(&value[..start]),
                terminal::pasted(&text),
                String::from_utf16_lossy(&value[end..])
            ));
        })
    };
    let oninput = {
        let (input, choices) = (input.clone(), choices.clone());
        Callback::from(move |e: InputEvent| {
            input.set(util::input_value(&e));
            if !choices.is_empty() {
                choices.set(Vec::new());
            }
        })
    };
    let onkeydown = {
        let (input, history, choices, scroll, pending) = (
            input.clone(),
            history.clone(),
            choices.clone(),
            scroll.clone(),
            pending.clone(),
        );
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "ArrowUp" => {
                e.prevent_default();
                if let Some(l) = history.borrow_mut().up(&input) {
                    input.set(l);
                }
            }
            "ArrowDown" => {
                e.prevent_default();
                if let Some(l) = history.borrow_mut().down() {
                    input.set(l);
                }
            }
            // Tab completes a line being typed; on an empty line it moves focus as usual.
            "Tab" if !e.shift_key() && !input.trim().is_empty() => {
                e.prevent_default();
                // Completion waits for nothing: before the module is in, Tab does nothing.
                let Some(tools) = tools::loaded() else { return };
                let candidates = tools.complete(&input);
                let (line, list) = terminal::apply_completion(&input, &candidates);
                input.set(line);
                choices.set(list);
            }
            "l" if e.ctrl_key() => {
                e.prevent_default();
                scroll.dispatch(ScrollAction::Clear);
            }
            "Escape" => {
                choices.set(Vec::new());
                pending.set(String::new());
            }
            _ => {}
        })
    };

    let on_upload = {
        let files = files.clone();
        Callback::from(move |e: Event| {
            let Some(target) = e.target_dyn_into::<web_sys::HtmlInputElement>() else {
                return;
            };
            let Some(list) = target.files() else { return };
            for i in 0..list.length() {
                if let Some(file) = list.get(i) {
                    let files = files.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        if let Ok(bytes) = util::read_file(&file).await {
                            files.dispatch(FileAction::Put(file.name(), bytes));
                        }
                    });
                }
            }
            target.set_value("");
        })
    };

    let blocks = scroll.blocks.iter().map(|b| {
        let copy = [b.out.stdout.as_str(), b.out.stderr.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("\n");
        html! {
            <div class="term-block" key={b.id}>
                <div class="term-cmd">
                    <span class="term-prompt" aria-hidden="true">{ PROMPT }{" "}</span>
                    <span class="visually-hidden">{"Command: "}</span>
                    <span class="term-line">{ &b.command }</span>
                    if !copy.is_empty() {
                        <CopyButton text={copy} label="Copy output" />
                    }
                </div>
                if !b.out.stdout.is_empty() {
                    <pre class="term-out">{ &b.out.stdout }</pre>
                }
                if !b.out.stderr.is_empty() {
                    <pre class="term-err"><span class="visually-hidden">{"Error output: "}</span>{ &b.out.stderr }</pre>
                }
                if let Some(n) = &b.note {
                    <p class="term-note">{ n }</p>
                }
                if b.out.exit_code != 0 {
                    <p class="term-exit">{ format!("exit code {}", b.out.exit_code) }</p>
                }
            </div>
        }
    });

    let file_rows = files.0.iter().map(|(name, bytes)| {
        let download = {
            let (name, bytes) = (name.clone(), bytes.clone());
            Callback::from(move |_| util::download(&name, &bytes, "application/octet-stream"))
        };
        let delete = {
            let (name, files) = (name.clone(), files.clone());
            Callback::from(move |_| files.dispatch(FileAction::Delete(name.clone())))
        };
        html! {
            <tr key={name.clone()}>
                <td class="mono file-name">{ name }</td>
                <td>{ terminal::human_size(bytes.len()) }</td>
                <td class="file-actions">
                    <button type="button" class="btn btn-small" onclick={download}
                        aria-label={format!("Download {name}")}>{"Download"}</button>
                    <button type="button" class="btn btn-small" onclick={delete}
                        aria-label={format!("Delete {name}")}>{"Delete"}</button>
                </td>
            </tr>
        }
    });

    html! {
        <div class="page cli-page">
            { breadcrumbs(&[("AWS CLI terminal", None)]) }
            <h1>{"AWS CLI terminal"}</h1>
            <p class="page-desc">{"Type AWS CLI v2 commands as in AWS CloudShell; they run against this sandbox in "}
                <strong>{ kms.region().to_string() }</strong>{". "}
                <code>{"--profile NAME"}</code>{" acts as the IAM user or role NAME ("}
                <code>{"default"}</code>{": the console's caller). Up and Down browse the history, Tab completes, "}
                <code>{"clear"}</code>{" clears."}</p>
            <div class="cli-layout">
                <section class="terminal" aria-label="Terminal">
                    <div class="term-log" ref={log_ref} role="log" aria-live="polite" aria-label="Terminal output" tabindex="0">
                        if scroll.blocks.is_empty() {
                            <p class="term-note">{"Welcome to the sandbox's AWS CloudShell. Try "}<code>{"aws kms list-keys"}</code>{", "}<code>{"aws kms help"}</code>{" or, with .tf files in the file area, "}<code>{"terraform plan"}</code>{"."}</p>
                        }
                        { for blocks }
                        if *busy {
                            <p class="term-note" role="status">{"Running…"}</p>
                        }
                    </div>
                    if !choices.is_empty() {
                        <ul class="term-choices" aria-label="Completions">
                            { for choices.iter().map(|c| html! { <li>{ c }</li> }) }
                        </ul>
                    }
                    if !pending.is_empty() {
                        <p class="term-pending" data-testid="cli-pending">{ format!("{PROMPT} {}\\", *pending) }</p>
                    }
                    <form class="term-input-row" {onsubmit}>
                        <label for="cli-input" class="term-prompt">
                            <span aria-hidden="true">{ if pending.is_empty() { PROMPT } else { ">" } }</span>
                            <span class="visually-hidden">{"Command line"}</span>
                        </label>
                        <input id="cli-input" ref={input_ref} class="term-input" type="text"
                            value={(*input).clone()} {oninput} {onkeydown} {onpaste}
                            autocomplete="off" autocapitalize="off" spellcheck="false"
                            aria-describedby="cli-keys" aria-busy={busy.to_string()} />
                    </form>
                    <p id="cli-keys" class="visually-hidden">{"Enter runs the command. Up and Down arrows browse the history. Tab completes the command line; on an empty line Tab moves on."}</p>
                </section>
                <aside class="file-area" aria-labelledby="cli-files-h">
                    <h2 id="cli-files-h">{"Files"}</h2>
                    <p class="hint">{"Kept in this tab's session storage. Read with "}<code>{"fileb://NAME"}</code>{" or "}<code>{"file://NAME"}</code>{"; "}<code>{"> NAME"}</code>{" writes a command's output here."}</p>
                    <label class="btn btn-small file-upload">
                        {"Upload files"}
                        <input type="file" multiple=true class="visually-hidden" onchange={on_upload} />
                    </label>
                    if files.0.is_empty() {
                        <p class="hint">{"No files yet."}</p>
                    } else {
                        <table class="table file-table">
                            <caption class="visually-hidden">{"Files in the terminal's file area"}</caption>
                            <thead><tr><th scope="col">{"Name"}</th><th scope="col">{"Size"}</th><th scope="col">{"Actions"}</th></tr></thead>
                            <tbody>{ for file_rows }</tbody>
                        </table>
                    }
                </aside>
            </div>
        </div>
    }
}
