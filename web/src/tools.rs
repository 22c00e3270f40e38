//! The console's second wasm module (`web/tools`): the AWS CLI and Terraform, loaded when the
//! terminal or the Terraform page first needs them, so the first page load does not carry their
//! parsers, JMESPath and the models' help text. Typed wrappers over its exports: values cross as
//! JSON text, and the requests come back here to be sent to the sandbox.

use kms_web::{types::Service, KmsError};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/tools.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = loadTools)]
    async fn load_module() -> Result<JsValue, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    #[derive(Clone)]
    type Module;
    #[wasm_bindgen(method)]
    fn cli_parse(
        this: &Module,
        line: &str,
        region: &str,
        profiles: &str,
        files: &js_sys::Map,
    ) -> JsCliLine;
    #[wasm_bindgen(method)]
    fn cli_complete(this: &Module, line: &str) -> String;
    #[wasm_bindgen(method)]
    fn tf_start(
        this: &Module,
        args: &str,
        files: &js_sys::Map,
        state: Option<String>,
        region: String,
        account_id: String,
    ) -> JsTfRun;

    type JsCliLine;
    #[wasm_bindgen(method)]
    fn printed(this: &JsCliLine) -> Option<String>;
    #[wasm_bindgen(method)]
    fn target(this: &JsCliLine) -> Option<String>;
    #[wasm_bindgen(method)]
    fn next_request(this: &JsCliLine) -> Option<String>;
    #[wasm_bindgen(method)]
    fn answer(this: &JsCliLine, page: &str);
    #[wasm_bindgen(method)]
    fn render(this: &JsCliLine) -> String;
    #[wasm_bindgen(method)]
    fn render_error(this: &JsCliLine, error_type: &str, message: &str) -> String;
    #[wasm_bindgen(method)]
    fn free(this: &JsCliLine);

    type JsTfRun;
    #[wasm_bindgen(method)]
    fn next_call(this: &JsTfRun) -> Option<String>;
    #[wasm_bindgen(method, js_name = answer)]
    fn tf_answer(this: &JsTfRun, page: &str);
    #[wasm_bindgen(method)]
    fn answer_error(this: &JsTfRun, error_type: &str, message: &str);
    #[wasm_bindgen(method)]
    fn finish(this: &JsTfRun) -> String;
}

thread_local! {
    static LOADED: RefCell<Option<Module>> = const { RefCell::new(None) };
}

/// The loaded module.
#[derive(Clone)]
pub struct Tools(Module);

/// Loads the module (once; a failed load is tried again on the next call).
pub async fn load() -> Result<Tools, String> {
    if let Some(m) = LOADED.with(|l| l.borrow().clone()) {
        return Ok(Tools(m));
    }
    let m: Module = load_module()
        .await
        .map_err(|e| {
            let text = e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_else(|| format!("{e:?}"));
            format!("The terminal's module (kms-console-tools) did not load: {text}")
        })?
        .unchecked_into();
    LOADED.with(|l| *l.borrow_mut() = Some(m.clone()));
    Ok(Tools(m))
}

/// Starts loading the module when a page that needs it opens, so the first command does not wait
/// for it (a failure shows when a command runs).
pub fn preload() {
    wasm_bindgen_futures::spawn_local(async {
        let _ = load().await;
    });
}

/// The module if it is loaded already (Tab completion does not wait for it).
pub fn loaded() -> Option<Tools> {
    LOADED.with(|l| l.borrow().clone()).map(Tools)
}

fn file_map(files: &BTreeMap<String, Vec<u8>>) -> js_sys::Map {
    let map = js_sys::Map::new();
    for (name, bytes) in files {
        map.set(&name.into(), &js_sys::Uint8Array::from(bytes.as_slice()));
    }
    map
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

fn str_of(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap_or_default().to_string()
}

fn cli_outcome(text: &str) -> kms_cli::Outcome {
    let v = parse(text);
    kms_cli::Outcome {
        stdout: str_of(&v, "stdout"),
        stderr: str_of(&v, "stderr"),
        exit_code: v["exit_code"].as_i64().unwrap_or(255) as i32,
        redirect: v["redirect"].is_object().then(|| kms_cli::Redirect {
            path: str_of(&v["redirect"], "path"),
            append: v["redirect"]["append"].as_bool().unwrap_or(false),
        }),
    }
}

/// Where a CLI line's calls go.
pub struct Target {
    pub service: Service,
    pub region: String,
    pub operation: String,
    /// The profile's principal (`None`: the console's caller).
    pub principal: Option<String>,
}

/// One parsed `aws ...` line (freed in the module when dropped).
pub struct CliLine(JsCliLine);

impl Drop for CliLine {
    fn drop(&mut self) {
        self.0.free();
    }
}

impl CliLine {
    /// What the line printed without a call (help, a skeleton, a parse error).
    pub fn printed(&self) -> Option<kms_cli::Outcome> {
        self.0.printed().map(|t| cli_outcome(&t))
    }

    pub fn target(&self) -> Option<Target> {
        let v = parse(&self.0.target()?);
        Some(Target {
            service: Service::from_name(v["service"].as_str()?)?,
            region: str_of(&v, "region"),
            operation: str_of(&v, "operation"),
            principal: v["principal"].as_str().map(str::to_string),
        })
    }

    /// The next request, until the CLI has every page it prints.
    pub fn next_request(&self) -> Option<Value> {
        self.0.next_request().map(|t| parse(&t))
    }

    pub fn answer(&self, page: &Value) {
        self.0.answer(&page.to_string());
    }

    pub fn render(&self) -> kms_cli::Outcome {
        cli_outcome(&self.0.render())
    }

    pub fn render_error(&self, e: &KmsError) -> kms_cli::Outcome {
        cli_outcome(&self.0.render_error(e.error_type.as_str(), &e.message))
    }
}

/// A KMS call of a Terraform run.
pub struct TfCall {
    pub region: String,
    pub operation: String,
    pub input: Value,
}

/// One `terraform ...` run.
pub struct TfRun(JsTfRun);

impl TfRun {
    pub fn next_call(&self) -> Option<TfCall> {
        let mut v = parse(&self.0.next_call()?);
        Some(TfCall {
            region: str_of(&v, "region"),
            operation: str_of(&v, "operation"),
            input: v["input"].take(),
        })
    }

    pub fn answer(&self, result: Result<Value, KmsError>) {
        match result {
            Ok(page) => self.0.tf_answer(&page.to_string()),
            Err(e) => self.0.answer_error(e.error_type.as_str(), &e.message),
        }
    }

    /// Ends the run (the module frees it): what it printed, and the new state if it changed.
    pub fn finish(self) -> kms_terraform::Outcome {
        let v = parse(&self.0.finish());
        kms_terraform::Outcome {
            stdout: str_of(&v, "stdout"),
            stderr: str_of(&v, "stderr"),
            exit_code: v["exit_code"].as_i64().unwrap_or(1) as i32,
            state: v["state"].as_str().map(str::to_string),
        }
    }
}

impl Tools {
    /// Parses an `aws ...` line with the Region, the profiles and the file area.
    pub fn cli_parse(
        &self,
        line: &str,
        region: &str,
        profiles: &BTreeMap<String, String>,
        files: &BTreeMap<String, Vec<u8>>,
    ) -> CliLine {
        let profiles = serde_json::to_string(profiles).unwrap_or_default();
        CliLine(self.0.cli_parse(line, region, &profiles, &file_map(files)))
    }

    /// The completions of a line being typed.
    pub fn complete(&self, line: &str) -> Vec<String> {
        serde_json::from_str(&self.0.cli_complete(line)).unwrap_or_default()
    }

    /// Starts `terraform ARGS...` over the file area's `.tf` files and the state text.
    pub fn tf_start(
        &self,
        args: &[String],
        files: &BTreeMap<String, Vec<u8>>,
        state: Option<String>,
        region: String,
        account_id: String,
    ) -> TfRun {
        let args = serde_json::to_string(args).unwrap_or_default();
        TfRun(
            self.0
                .tf_start(&args, &file_map(files), state, region, account_id),
        )
    }
}

/// What the terminal prints when it cannot run a line (the module did not load, or answered
/// nothing to run).
pub fn terminal_error(message: String) -> kms_cli::Outcome {
    kms_cli::Outcome {
        stdout: String::new(),
        stderr: format!("{message}\n"),
        exit_code: 255,
        redirect: None,
    }
}
