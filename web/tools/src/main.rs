//! The console's second wasm module: the AWS CLI parser and printer (`kms-cli`, with the models'
//! help text and JMESPath) and Terraform (`kms-terraform`, with hcl-rs). The console loads it when
//! the terminal or the Terraform page first opens, so its first page load does not carry them.
//!
//! Both crates are sans-I/O: they hand out requests and take answers. The requests go back to the
//! console, which sends them to its sandbox, so this module never sees the sandbox. Values cross
//! as JSON text; the console's `tools` module wraps these exports in typed functions.

use kms_cli::{Command, Context, Invocation};
use kms_core::{ErrorType, KmsError};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;

fn main() {}

/// The file area, `name → bytes`, as the console keeps it.
fn file_area(files: &js_sys::Map) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    files.for_each(&mut |bytes, name| {
        if let (Some(name), Ok(bytes)) = (name.as_string(), bytes.dyn_into::<js_sys::Uint8Array>())
        {
            out.insert(name, bytes.to_vec());
        }
    });
    out
}

fn cli_outcome(o: kms_cli::Outcome) -> String {
    json!({
        "stdout": o.stdout,
        "stderr": o.stderr,
        "exit_code": o.exit_code,
        "redirect": o.redirect.map(|r| json!({ "path": r.path, "append": r.append })),
    })
    .to_string()
}

/// The sandbox's error as the engine had it (the console sends its type's name and message).
fn kms_error(error_type: &str, message: &str) -> KmsError {
    KmsError::new(
        ErrorType::from_name(error_type).unwrap_or(ErrorType::KmsInternal),
        message,
    )
}

/// One parsed `aws ...` line: either what it printed, or the calls it makes and how it prints
/// their answers.
#[wasm_bindgen]
pub struct CliLine {
    parsed: Result<Invocation, kms_cli::Outcome>,
    pages: Vec<Value>,
}

/// Parses `line` with the Region, the profiles (`{"name": "principal ARN"}`) and the file area.
#[wasm_bindgen]
pub fn cli_parse(line: &str, region: &str, profiles: &str, files: &js_sys::Map) -> CliLine {
    let files = file_area(files);
    let profiles: BTreeMap<String, String> = serde_json::from_str(profiles).unwrap_or_default();
    let mut ctx = Context::new(&files, region);
    ctx.profiles = &profiles;
    let parsed = match kms_cli::parse(line, &ctx) {
        Ok(Command::Call(inv)) => Ok(inv),
        Ok(Command::Print(out)) => Err(out),
        Err(e) => Err(e.into_outcome()),
    };
    CliLine {
        parsed,
        pages: Vec::new(),
    }
}

#[wasm_bindgen]
impl CliLine {
    /// What the line printed without a call (help, a skeleton, an error), as outcome JSON.
    pub fn printed(&self) -> Option<String> {
        self.parsed.as_ref().err().cloned().map(cli_outcome)
    }

    /// Where the calls go: `{"service", "region", "operation", "principal"}`.
    pub fn target(&self) -> Option<String> {
        let inv = self.parsed.as_ref().ok()?;
        Some(
            json!({
                "service": inv.service.name(),
                "region": inv.region,
                "operation": inv.operation,
                "principal": inv.principal,
            })
            .to_string(),
        )
    }

    /// The next request's input JSON; `None` when the answers so far are all the CLI asks for
    /// (one page, or the last page of a paginated call).
    pub fn next_request(&self) -> Option<String> {
        let inv = self.parsed.as_ref().ok()?;
        if !self.pages.is_empty() && inv.paging.is_none() {
            return None;
        }
        inv.request(&self.pages).map(|r| r.to_string())
    }

    /// Takes the answer to the last request.
    pub fn answer(&mut self, page: &str) {
        self.pages
            .push(serde_json::from_str(page).unwrap_or(Value::Null));
    }

    /// What the CLI prints for the answers, as outcome JSON.
    pub fn render(&self) -> String {
        match &self.parsed {
            Ok(inv) => cli_outcome(inv.render(&self.pages)),
            Err(out) => cli_outcome(out.clone()),
        }
    }

    /// What the CLI prints when a request failed, as outcome JSON (a `> file` still applies).
    pub fn render_error(&self, error_type: &str, message: &str) -> String {
        match &self.parsed {
            Ok(inv) => {
                let mut out = inv.render_error(&kms_error(error_type, message));
                out.redirect = inv.redirect.clone();
                cli_outcome(out)
            }
            Err(out) => cli_outcome(out.clone()),
        }
    }
}

/// The completions of a line being typed (Tab), as a JSON array.
#[wasm_bindgen]
pub fn cli_complete(line: &str) -> String {
    Value::from(kms_cli::complete(line)).to_string()
}

/// One `terraform ...` run over the file area's `.tf` files.
#[wasm_bindgen]
pub struct TfRun(kms_terraform::Run);

/// Starts `terraform ARGS...` (`args`: a JSON array of the words after `terraform`).
#[wasm_bindgen]
pub fn tf_start(
    args: &str,
    files: &js_sys::Map,
    state: Option<String>,
    region: String,
    account_id: String,
) -> TfRun {
    let args: Vec<String> = serde_json::from_str(args).unwrap_or_default();
    let files = file_area(files);
    let tf = kms_terraform::tf_files(files.iter().map(|(n, b)| (n.as_str(), b.as_slice())));
    let env = kms_terraform::Env { region, account_id };
    TfRun(kms_terraform::start(&args, &tf, state.as_deref(), &env))
}

#[wasm_bindgen]
impl TfRun {
    /// The next KMS call, `{"region", "operation", "input"}`, or `None` when the run is over.
    pub fn next_call(&mut self) -> Option<String> {
        let call = self.0.next()?;
        Some(
            json!({ "region": call.region, "operation": call.operation, "input": call.input })
                .to_string(),
        )
    }

    pub fn answer(&mut self, page: &str) {
        self.0
            .answer(Ok(serde_json::from_str(page).unwrap_or(Value::Null)));
    }

    pub fn answer_error(&mut self, error_type: &str, message: &str) {
        self.0.answer(Err(kms_error(error_type, message)));
    }

    /// What the run printed, its exit code and the new state, as JSON.
    pub fn finish(self) -> String {
        let o = self.0.finish();
        json!({ "stdout": o.stdout, "stderr": o.stderr, "exit_code": o.exit_code, "state": o.state })
            .to_string()
    }
}
