//! Terraform in the page: `terraform init|validate|plan|apply|destroy|output|show|state list`
//! over `.tf` files, for the AWS provider's KMS resources (`aws_kms_key`, `aws_kms_alias`,
//! `aws_kms_replica_key`, `aws_kms_grant`, `aws_kms_key_policy`), with variables, locals,
//! outputs and references between resources. HCL is parsed by hcl-rs.
//!
//! Pure: no I/O. [`start`] reads a command line against the files and the state (Terraform's
//! `terraform.tfstate` JSON) and returns a [`Run`]; the caller sends each [`Run::next`] request
//! to the sandbox's KMS API as the current caller, gives back [`Run::answer`], and finally takes
//! [`Run::finish`]: what Terraform prints, its exit code and the new state. [`run`] does that loop
//! for synchronous callers.

// A diagnostic is the one error of a command, rendered once: its size on the error path is
// of no concern.
#![allow(clippy::result_large_err)]

mod apply;
mod call;
mod config;
mod diag;
mod eval;
mod plan;
mod refresh;
mod render;
mod schema;
mod state;

pub use apply::Run;
pub use call::Call;
pub use diag::Diagnostic;

use diag::render_all;
pub use state::{Instance, State};

use config::Config;
use eval::{is_unknown, Scope};
use kms_core::KmsError;
use plan::{Action, Change};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, VecDeque};
use std::hash::{Hash, Hasher};

/// The example configuration the console's Terraform page starts from: a key and an alias.
pub const EXAMPLE: &str = include_str!("../data/create-kms.tf");

/// The example's file name.
pub const EXAMPLE_NAME: &str = "create-kms.tf";

/// format.HorizontalRule at 78 columns (Terraform's width when its output is not a terminal).
pub(crate) const RULE: &str =
    "─────────────────────────────────────────────────────────────────────────────";

/// The Terraform version this prints as.
pub const VERSION: &str = "1.9.8";
/// The AWS provider version `init` reports.
pub const PROVIDER_VERSION: &str = "5.80.0";

/// Where the run happens.
#[derive(Debug, Clone)]
pub struct Env {
    /// The Region when the configuration's `provider "aws"` names none.
    pub region: String,
    pub account_id: String,
}

/// What a command printed, its exit code, and the state to keep when it changed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
    /// The new `terraform.tfstate` text, when the command changed the state.
    pub state: Option<String>,
}

/// The `.tf` files of a file area (name and text), sorted by name as Terraform reads them.
pub fn tf_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = files
        .into_iter()
        .filter(|(n, _)| n.ends_with(".tf") || n.ends_with(".tfvars"))
        .map(|(n, b)| (n.to_string(), String::from_utf8_lossy(b).into_owned()))
        .collect();
    out.sort();
    out
}

const USAGE: &str = "Usage: terraform [global options] <subcommand> [args]\n\nThe available commands for execution are listed below.\nThe primary workflow commands are given first, followed by\nless common or more advanced commands.\n\nMain commands:\n  init          Prepare your working directory for other commands\n  validate      Check whether the configuration is valid\n  plan          Show changes required by the current configuration\n  apply         Create or update infrastructure\n  destroy       Destroy previously-created infrastructure\n\nAll other commands:\n  output        Show output values from your root module\n  show          Show the current state or a saved plan\n  state         Advanced state management\n  version       Show the current Terraform version\n";

fn finished(stdout: String, stderr: String, exit_code: i32) -> Run {
    let mut r = empty_run(
        Env {
            region: String::new(),
            account_id: String::new(),
        },
        Vec::new(),
        State::default(),
    );
    r.stdout = stdout;
    r.stderr = stderr;
    r.failed = exit_code != 0;
    r.done = true;
    r
}

fn empty_run(env: Env, files: Vec<(String, String)>, state: State) -> Run {
    Run {
        env,
        files,
        cfg: Config::default(),
        base: Scope::default(),
        steps: VecDeque::new(),
        current: None,
        inflight: None,
        state,
        stdout: String::new(),
        stderr: String::new(),
        failed: false,
        done: false,
        destroy_mode: false,
        counts: (0, 0, 0),
        changed_state: false,
        applying: false,
        prefix_counter: 0,
        last_operation: String::new(),
        requests: 0,
        refresh: None,
        prior: State::default(),
        cmd: String::new(),
        auto_approve: false,
        clock: None,
        seen: 0,
    }
}

/// What `terraform validate` checks, and plan and apply first: the configuration, and the
/// provider's checks of each resource, all reported together.
fn validate(files: &[(String, String)]) -> Result<Config, Vec<Diagnostic>> {
    let tf: Vec<(String, String)> = files
        .iter()
        .filter(|(n, _)| n.ends_with(".tf"))
        .cloned()
        .collect();
    let (cfg, mut errs) = config::parse(&tf)?;
    // Values the provider checks are known at validate time when they are literals; every
    // resource's attributes are unknown, as in Terraform's validate walk.
    let mut scope = Scope::default();
    for v in &cfg.variables {
        scope.vars.insert(v.name.clone(), eval::unknown());
    }
    for r in &cfg.resources {
        let unknowns = plan::planned(&r.ty, &Map::new(), None)
            .into_iter()
            .map(|(k, _)| (k, eval::unknown()))
            .collect();
        scope
            .resources
            .entry(r.ty.clone())
            .or_default()
            .insert(r.name.clone(), Value::Object(unknowns));
    }
    eval_locals(&cfg, &mut scope);
    if let Err(d) = plan::order(&cfg) {
        errs.push(d);
    }
    // Terraform decodes each resource's arguments before the provider checks them: a resource
    // with errors of its own goes no further, the others are still checked.
    let broken: Vec<String> = errs.iter().filter_map(|d| d.context.clone()).collect();
    for r in cfg
        .resources
        .iter()
        .filter(|r| !broken.contains(&r.context()))
    {
        if let Err(ds) = plan::desired(r, &scope) {
            // What cannot be evaluated yet is left to plan.
            errs.extend(ds.into_iter().filter(|d| d.summary != "Invalid expression"));
        }
    }
    if errs.is_empty() {
        Ok(cfg)
    } else {
        Err(errs)
    }
}

/// Locals, evaluated in order of what they need (a local that cannot be evaluated yet waits).
pub(crate) fn eval_locals(cfg: &Config, scope: &mut Scope) {
    let mut left: Vec<&config::Named> = cfg.locals.iter().collect();
    for _ in 0..=cfg.locals.len() {
        let ctx = scope.context();
        let mut next = Vec::new();
        for l in left {
            match scope.eval(&ctx, &l.expr) {
                Ok(v) => {
                    scope.locals.insert(l.name.clone(), v);
                }
                Err(_) => next.push(l),
            }
        }
        left = next;
        if left.is_empty() {
            break;
        }
    }
}

/// `-var` values, `*.tfvars` files and defaults; an error for a variable without any.
fn variables(
    cfg: &Config,
    files: &[(String, String)],
    var_files: &[String],
    cli_vars: &[(String, String)],
) -> Result<Map<String, Value>, Diagnostic> {
    let mut vals = Map::new();
    let empty = Scope::default().context();
    for v in &cfg.variables {
        if let Some(d) = &v.default {
            vals.insert(
                v.name.clone(),
                Scope::default().eval(&empty, d).unwrap_or(Value::Null),
            );
        }
    }
    // terraform.tfvars, then *.auto.tfvars, then each -var-file as given.
    let mut sources: Vec<(&String, &String)> = files
        .iter()
        .filter(|(n, _)| n == "terraform.tfvars" || n.ends_with(".auto.tfvars"))
        .map(|(n, t)| (n, t))
        .collect();
    for wanted in var_files {
        let name = wanted.trim_start_matches("./");
        match files.iter().find(|(n, _)| n == name) {
            Some((n, t)) => sources.push((n, t)),
            None => {
                return Err(Diagnostic::error(
                    "Failed to read variables file",
                    format!("Given variables file {wanted} does not exist."),
                ))
            }
        }
    }
    for (name, text) in sources {
        let body = hcl::parse(text)
            .map_err(|e| Diagnostic::error("Invalid HCL syntax", format!("{name}: {e}")))?;
        for a in body.attributes() {
            let v = Scope::default()
                .eval(&empty, a.expr())
                .unwrap_or(Value::Null);
            vals.insert(a.key().to_string(), v);
        }
    }
    for (k, text) in cli_vars {
        let Some(decl) = cfg.variables.iter().find(|v| &v.name == k) else {
            return Err(Diagnostic::error(
                "Value for undeclared variable",
                format!("A variable named \"{k}\" was assigned on the command line, but the root module does not declare a variable of that name. To use this value, add a \"variable\" block to the configuration."),
            ));
        };
        let v = match decl.ty.as_deref() {
            Some("number") => text
                .parse::<f64>()
                .map(|f| {
                    if f.fract() == 0.0 {
                        Value::from(f as i64)
                    } else {
                        Value::from(f)
                    }
                })
                .unwrap_or(Value::String(text.clone())),
            Some("bool") => Value::Bool(text == "true"),
            Some(t) if t.starts_with("map") || t.starts_with("list") || t.starts_with("object") => {
                hcl::parse(&format!("x = {text}"))
                    .ok()
                    .and_then(|b| {
                        b.attributes().next().map(|a| {
                            Scope::default()
                                .eval(&empty, a.expr())
                                .unwrap_or(Value::Null)
                        })
                    })
                    .unwrap_or(Value::String(text.clone()))
            }
            _ => Value::String(text.clone()),
        };
        vals.insert(k.clone(), v);
    }
    for v in &cfg.variables {
        if !vals.contains_key(&v.name) {
            return Err(Diagnostic::error(
                "No value for required variable",
                format!("The root module input variable \"{}\" is not set, and has no default value. Use a -var or -var-file command line argument to provide a value for this variable.", v.name),
            )
            .at(v.pos.clone(), None));
        }
    }
    Ok(vals)
}

fn output_text(v: &Value) -> String {
    match v {
        Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
        Value::Object(o) => {
            let mut s = String::from("{\n");
            for (k, v) in o {
                s.push_str(&format!("  \"{k}\" = {}\n", output_text(v)));
            }
            s.push('}');
            s
        }
        Value::Array(a) => {
            let mut s = String::from("[\n");
            for v in a {
                s.push_str(&format!("  {},\n", output_text(v)));
            }
            s.push(']');
            s
        }
        other => other.to_string(),
    }
}

fn outputs_block(outputs: &[(String, Value, bool)]) -> String {
    let mut sorted = outputs.to_vec();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    sorted
        .iter()
        .map(|(n, v, sensitive)| {
            if *sensitive {
                format!("{n} = <sensitive>\n")
            } else {
                format!("{n} = {}\n", output_text(v))
            }
        })
        .collect()
}

/// Options of plan/apply/destroy.
#[derive(Default)]
struct Opts {
    auto_approve: bool,
    vars: Vec<(String, String)>,
    /// `-var-file`s, in the order given.
    var_files: Vec<String>,
    json: bool,
    raw: bool,
    positional: Vec<String>,
}

fn opts(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let a = a
            .strip_prefix('-')
            .map(|x| x.strip_prefix('-').unwrap_or(x));
        match a {
            Some("auto-approve") => o.auto_approve = true,
            Some("json") => o.json = true,
            Some("raw") => o.raw = true,
            Some("no-color") | Some("input=false") | Some("compact-warnings") | Some("destroy") => {
            }
            Some("var-file") => {
                let f = it.next().ok_or("The -var-file option requires a value.")?;
                o.var_files.push(f.clone());
            }
            Some(x) if x.starts_with("var-file=") => o.var_files.push(x[9..].to_string()),
            Some("var") => {
                let v = it.next().ok_or("The -var option requires a value.")?;
                let (k, val) = v.split_once('=').ok_or(format!("The given -var option {v:?} is not correctly specified. It must be a variable name and value separated an equals sign, like -var=\"key=value\"."))?;
                o.vars.push((k.to_string(), val.to_string()));
            }
            Some(x) if x.starts_with("var=") => {
                let v = &x[4..];
                let (k, val) = v.split_once('=').ok_or(format!(
                    "The given -var option {v:?} is not correctly specified."
                ))?;
                o.vars.push((k.to_string(), val.to_string()));
            }
            Some(x) => return Err(format!("flag provided but not defined: -{x}")),
            None => o.positional.push(
                args.iter()
                    .find(|p| p.as_str() == a.unwrap_or_default())
                    .cloned()
                    .unwrap_or_default(),
            ),
        }
    }
    Ok(o)
}

/// Starts `terraform ARGS...` (the words after `terraform`) with the `.tf` files, the state
/// text (`None`: no state yet) and where the calls go.
pub fn start(args: &[String], files: &[(String, String)], state: Option<&str>, env: &Env) -> Run {
    let files: Vec<(String, String)> = files.to_vec();
    let Some(cmd) = args.first() else {
        return finished(USAGE.into(), String::new(), 127);
    };
    let rest = &args[1..];
    let had_state = state.is_some();
    let state = match state.map(State::from_json) {
        None => State::default(),
        Some(Ok(s)) => s,
        Some(Err(e)) => {
            return finished(
                String::new(),
                Diagnostic::error("Failed to load state", e).render(&[]),
                1,
            )
        }
    };
    let o = match opts(
        rest.iter()
            .filter(|a| {
                a.starts_with('-')
                    || rest.iter().position(|x| x == *a).is_some_and(|i| {
                        i > 0 && matches!(rest[i - 1].as_str(), "-var" | "-var-file")
                    })
            })
            .cloned()
            .collect::<Vec<_>>()
            .as_slice(),
    ) {
        Ok(o) => o,
        Err(m) if m.starts_with("flag provided but not defined") => {
            let d = Diagnostic::error("Failed to parse command-line flags", m).render(&[]);
            return finished(
                String::new(),
                format!(
                    "{d}\nFor more help on using this command, run:\n  terraform {cmd} -help\n"
                ),
                1,
            );
        }
        Err(m) => return finished(String::new(), format!("{m}\n"), 1),
    };
    let positional: Vec<&String> = {
        let mut out = Vec::new();
        let mut skip = false;
        for a in rest {
            if skip {
                skip = false;
                continue;
            }
            if a == "-var" || a == "-var-file" {
                skip = true;
                continue;
            }
            if !a.starts_with('-') {
                out.push(a);
            }
        }
        out
    };
    match cmd.as_str() {
        "version" | "-version" | "--version" | "-v" => {
            finished(format!("Terraform v{VERSION}\non wasm32\n+ provider registry.terraform.io/hashicorp/aws v{PROVIDER_VERSION}\n"), String::new(), 0)
        }
        "help" | "-help" | "--help" | "-h" => finished(USAGE.into(), String::new(), 0),
        "init" => {
            if files.iter().all(|(n, _)| !n.ends_with(".tf")) {
                return finished("Terraform initialized in an empty directory!\n\nThe directory has no Terraform configuration files. You may begin working\nwith Terraform immediately by creating Terraform configuration files.\n".into(), String::new(), 0);
            }
            let finding = match config::aws_version_constraint(&files) {
                Some(v) => format!("- Finding hashicorp/aws versions matching \"{v}\"..."),
                None => "- Finding latest version of hashicorp/aws...".into(),
            };
            // No lock file is kept: each init is a first one.
            finished(format!("\nInitializing the backend...\n\nInitializing provider plugins...\n{finding}\n- Installing hashicorp/aws v{PROVIDER_VERSION}...\n- Installed hashicorp/aws v{PROVIDER_VERSION} (built into the sandbox)\n\nTerraform has created a lock file .terraform.lock.hcl to record the provider\nselections it made above. Include this file in your version control repository\nso that Terraform can guarantee to make the same selections by default when\nyou run \"terraform init\" in the future.\n\nTerraform has been successfully initialized!\n\nYou may now begin working with Terraform. Try running \"terraform plan\" to see\nany changes that are required for your infrastructure. All Terraform commands\nshould now work.\n\nIf you ever set or change modules or backend configuration for Terraform,\nrerun this command to reinitialize your working directory. If you forget, other\ncommands will detect it and remind you to do so if necessary.\n"), String::new(), 0)
        }
        "validate" => match validate(&files) {
            Ok(_) => finished("Success! The configuration is valid.\n\n".into(), String::new(), 0),
            Err(d) => finished(String::new(), render_all(&d, &files), 1),
        },
        "plan" | "apply" | "destroy" => {
            let destroy = cmd == "destroy" || rest.iter().any(|a| a == "-destroy");
            plan_or_apply(cmd, destroy, &o, files, state, env)
        }
        "output" => {
            let name = positional.first();
            // No outputs at all comes first, named or not (but -json looks only at the name).
            if state.outputs.is_empty() && !o.json {
                // A warning: on stdout, as Terraform prints warnings.
                return finished(Diagnostic::warning("No outputs found", "The state file either has no outputs defined, or all the defined outputs are empty. Please define an output in your configuration with the `output` keyword and run `terraform refresh` for it to become available. If you are using interpolation, please verify the interpolated value is not empty. You can use the `terraform console` command to assist.").render(&[]), String::new(), 0);
            }
            match name {
                None if o.json => {
                    let m: Map<String, Value> = state.outputs.iter().map(|(n, v, s)| (n.clone(), serde_json::json!({"sensitive": s, "value": v}))).collect();
                    finished(format!("{}\n", serde_json::to_string_pretty(&m).unwrap_or_default()), String::new(), 0)
                }
                None => finished(outputs_block(&state.outputs), String::new(), 0),
                Some(n) => match state.outputs.iter().find(|(k, _, _)| k == *n) {
                    None => finished(String::new(), Diagnostic::error(format!("Output \"{n}\" not found"), "The output variable requested could not be found in the state file. If you recently added this to your configuration, be sure to run `terraform apply`, since the state won't be updated with new output variables until that command is run.").render(&[]), 1),
                    Some((_, v, _)) if o.raw => match v {
                        Value::String(s) => finished(s.clone(), String::new(), 0),
                        Value::Number(_) | Value::Bool(_) => finished(v.to_string(), String::new(), 0),
                        _ => finished(String::new(), Diagnostic::error("Unsupported value for raw output", "The -raw option only supports strings, numbers, and boolean values.").render(&[]), 1),
                    },
                    Some((_, v, _)) if o.json => finished(format!("{v}\n"), String::new(), 0),
                    Some((_, v, _)) => finished(format!("{}\n", output_text(v)), String::new(), 0),
                },
            }
        }
        "show" => {
            if o.json {
                return finished(state.to_show_json(), String::new(), 0);
            }
            if state.resources.is_empty() {
                let text = if had_state {
                    "The state file is empty. No resources are represented.\n"
                } else {
                    "No state.\n"
                };
                return finished(text.into(), String::new(), 0);
            }
            let mut s = String::new();
            for inst in &state.resources {
                s.push_str(&show_instance(inst));
                s.push('\n');
            }
            if !state.outputs.is_empty() {
                s.push_str("\nOutputs:\n\n");
                s.push_str(&outputs_block(&state.outputs));
            }
            finished(s, String::new(), 0)
        }
        "state" => match positional.first().map(|s| s.as_str()) {
            Some("list") => finished(state.resources.iter().map(|r| format!("{}\n", r.address())).collect(), String::new(), 0),
            Some("show") => match positional.get(1).and_then(|a| state.get(a)) {
                Some(inst) => finished(show_instance(inst), String::new(), 0),
                None => finished(String::new(), "No instance found for the given address!\n\nThis command requires that the address references one specific instance.\nTo view the available instances, use \"terraform state list\". Please modify\nthe address to reference a specific instance.\n".into(), 1),
            },
            _ => finished(String::new(), "Usage: terraform [global options] state <subcommand> [options] [args]\n\n  list                List resources in the state\n  show                Show a resource in the state\n".into(), 1),
        },
        "fmt" => finished(String::new(), String::new(), 0),
        other => finished(String::new(), format!("Terraform has no command named \"{other}\".\n\nTo see all of Terraform's top-level commands, run:\n  terraform -help\n\n"), 1),
    }
}

/// `# aws_kms_key.a:` and its attributes, as `terraform show` prints a resource (Terraform's
/// plan renderer with every value unchanged, shown, and no action symbols).
fn show_instance(inst: &Instance) -> String {
    let body = render::block_diff(
        &inst.ty,
        Some(&inst.attributes),
        Some(&inst.attributes),
        &[],
        None,
    )
    .render(
        0,
        render::Opts {
            show_unchanged: true,
            hide_symbols: true,
            ..render::Opts::default()
        },
    );
    format!(
        "# {}:\nresource \"{}\" \"{}\" {body}\n",
        inst.address(),
        inst.ty,
        inst.name
    )
}

fn plan_or_apply(
    cmd: &str,
    destroy: bool,
    o: &Opts,
    files: Vec<(String, String)>,
    state: State,
    env: &Env,
) -> Run {
    let cfg = match validate(&files) {
        Ok(c) => c,
        Err(d) => return finished(String::new(), render_all(&d, &files), 1),
    };
    let vars = match variables(&cfg, &files, &o.var_files, &o.vars) {
        Ok(v) => v,
        Err(d) => return finished(String::new(), d.render(&files), 1),
    };
    let mut base = Scope {
        vars,
        ..Scope::default()
    };
    eval_locals(&cfg, &mut base);
    let region = match &cfg.region {
        Some((e, pos)) => match base.eval(&base.context(), e) {
            Ok(Value::String(r)) => r,
            _ => {
                return finished(
                    String::new(),
                    Diagnostic::error(
                        "Invalid provider configuration",
                        "The provider's region must be a known string.",
                    )
                    .at(pos.clone(), Some("in provider \"aws\"".into()))
                    .render(&files),
                    1,
                )
            }
        },
        None => env.region.clone(),
    };
    let env = Env {
        region,
        account_id: env.account_id.clone(),
    };
    // Refresh first: each resource in the state is read back from KMS ([`Run::next`]), then
    // [`Run::after_refresh`] plans.
    let queue = refresh_order(&state)
        .into_iter()
        .map(|i| i.address())
        .collect();
    let mut run = empty_run(env, files, state.clone());
    // Names generated before (PrefixedUniqueId) are older than any made now.
    run.seen = state
        .resources
        .iter()
        .filter_map(|i| i.str("name"))
        .filter_map(generated_time)
        .max()
        .map_or(0, |t| t + 1);
    run.prior = state;
    run.cfg = cfg;
    run.base = base;
    run.destroy_mode = destroy;
    run.cmd = cmd.to_string();
    run.auto_approve = o.auto_approve;
    run.refresh = Some(apply::Refresh {
        queue,
        reader: None,
    });
    run
}

/// The time in a name PrefixedUniqueId made (`...YYYYMMDDhhmmssffff` and 8 hex digits), in
/// tenths of milliseconds since the epoch.
fn generated_time(name: &str) -> Option<i64> {
    let n = name.len();
    if n < 26 || !name.is_char_boundary(n - 26) {
        return None;
    }
    let ts = &name[n - 26..n - 8];
    if !ts.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let num = |a: usize, b: usize| ts[a..b].parse::<i64>().ok();
    let (y, m, d) = (num(0, 4)?, num(4, 6)?, num(6, 8)?);
    let (hh, mm, ss, frac) = (num(8, 10)?, num(10, 12)?, num(12, 14)?, num(14, 18)?);
    // Days from the civil date (Howard Hinnant's algorithm).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 86_400 + hh * 3600 + mm * 60 + ss) * 10_000) + frac)
}

/// Every resource and attribute `paths` (references) lead to, through locals and through the
/// configuration of each resource reached (globalref's contributing references): address →
/// attributes (`None`: the whole object).
fn contributing(cfg: &Config, paths: Vec<Vec<String>>) -> BTreeMap<String, Option<Vec<String>>> {
    let mut out: BTreeMap<String, Option<Vec<String>>> = BTreeMap::new();
    let mut work = paths;
    let mut seen_locals: Vec<String> = Vec::new();
    let mut seen_resources: Vec<String> = Vec::new();
    while let Some(p) = work.pop() {
        match p[0].as_str() {
            "local" => {
                if let Some(n) = p.get(1) {
                    if !seen_locals.contains(n) {
                        seen_locals.push(n.clone());
                        if let Some(l) = cfg.locals.iter().find(|l| &l.name == n) {
                            config::references(&l.expr, &mut work);
                        }
                    }
                }
            }
            ty if ty.starts_with("aws_") && p.len() >= 2 => {
                let addr = format!("{ty}.{}", p[1]);
                let entry = out.entry(addr.clone()).or_insert_with(|| Some(Vec::new()));
                match (entry.as_mut(), p.get(2)) {
                    (Some(list), Some(attr)) => {
                        if !list.contains(attr) {
                            list.push(attr.clone());
                        }
                    }
                    (_, None) => *entry = None,
                    (None, Some(_)) => {}
                }
                if !seen_resources.contains(&addr) {
                    seen_resources.push(addr.clone());
                    if let Some(r) = cfg.resource(&addr) {
                        for (_, e, _) in r
                            .args
                            .iter()
                            .chain(r.blocks.iter().flat_map(|b| b.args.iter()))
                        {
                            config::references(e, &mut work);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether an output's value comes from a sensitive attribute (the provider's schema marks).
fn refers_to_sensitive(cfg: &Config, e: &hcl::Expression) -> bool {
    let mut paths = Vec::new();
    config::references(e, &mut paths);
    let mut work = paths;
    let mut seen: Vec<String> = Vec::new();
    while let Some(p) = work.pop() {
        match p[0].as_str() {
            "local" => {
                if let Some(n) = p.get(1) {
                    if !seen.contains(n) {
                        seen.push(n.clone());
                        if let Some(l) = cfg.locals.iter().find(|l| &l.name == n) {
                            config::references(&l.expr, &mut work);
                        }
                    }
                }
            }
            ty => {
                let Some(t) = schema::resource_type(ty) else {
                    continue;
                };
                let hit = match p.get(2) {
                    None => p.len() >= 2 && t.attrs.iter().any(|a| a.sensitive),
                    Some(attr) => t.attr(attr).is_some_and(|a| a.sensitive),
                };
                if hit {
                    return true;
                }
            }
        }
    }
    false
}

impl Run {
    /// The plan, once the refresh has read every resource: what changed outside of
    /// Terraform, the plan, and for apply and destroy the approval and the steps.
    pub(crate) fn after_refresh(&mut self) {
        let destroy = self.destroy_mode;
        let mut scope = self.base.clone();
        let changes = match plan::plan(&self.cfg, &self.state, &mut scope, destroy) {
            Ok(c) => c,
            Err(d) => return self.fail(&d),
        };
        // Root module outputs must say they are sensitive when their value is.
        let leaks: Vec<Diagnostic> = self
            .cfg
            .outputs
            .iter()
            .filter(|o| !o.sensitive && refers_to_sensitive(&self.cfg, &o.expr))
            .map(|o| {
                Diagnostic::error(
                    "Output refers to sensitive values",
                    "To reduce the risk of accidentally exporting sensitive data that was intended to be only internal, Terraform requires that any root module output containing sensitive data be explicitly marked as sensitive, to confirm your intent.\n\nIf you do intend to export this data, annotate the output value as sensitive by adding the following argument:\n    sensitive = true",
                )
                .at(o.decl.clone(), None)
            })
            .collect();
        if !leaks.is_empty() {
            return self.fail(&leaks);
        }
        // Outputs as the plan knows them.
        eval_locals(&self.cfg, &mut scope);
        let ctx = scope.context();
        let mut outputs_changed = Vec::new();
        let old_output = |name: &str| {
            self.state
                .outputs
                .iter()
                .find(|(n, _, _)| *n == name)
                .map(|(_, v, s)| (v.clone(), *s))
        };
        for out in &self.cfg.outputs {
            let v = scope
                .eval(&ctx, &out.expr)
                .unwrap_or_else(|_| eval::unknown());
            let old = old_output(&out.name);
            if destroy {
                if let Some((before, sensitive)) = old {
                    outputs_changed.push(plan::OutputChange {
                        name: out.name.clone(),
                        before: Some(before),
                        after: None,
                        sensitive: sensitive || out.sensitive,
                    });
                }
            } else if old.as_ref().map(|(v, _)| v) != Some(&v) {
                outputs_changed.push(plan::OutputChange {
                    name: out.name.clone(),
                    before: old.map(|(v, _)| v),
                    after: Some(v),
                    sensitive: out.sensitive,
                });
            }
        }
        // Outputs the configuration no longer has.
        for (name, v, sensitive) in &self.state.outputs {
            if !self.cfg.outputs.iter().any(|o| o.name == *name) {
                outputs_changed.push(plan::OutputChange {
                    name: name.clone(),
                    before: Some(v.clone()),
                    after: None,
                    sensitive: *sensitive,
                });
            }
        }
        outputs_changed.sort_by(|a, b| a.name.cmp(&b.name));
        // Terraform pads output names over every output, changed or not.
        let output_width = self
            .cfg
            .outputs
            .iter()
            .map(|o| o.name.len())
            .chain(self.state.outputs.iter().map(|(n, _, _)| n.len()))
            .max()
            .unwrap_or(0);
        let nothing = changes.iter().all(|c| c.action == Action::NoOp);
        // What changed outside of Terraform, as far as it matters to the plan: the attributes
        // the changed resources and outputs refer to.
        let mut drift = Vec::new();
        if !nothing || !outputs_changed.is_empty() {
            let mut paths = Vec::new();
            for c in changes.iter().filter(|c| c.action != Action::NoOp) {
                if let Some(r) = self.cfg.resource(&c.address()) {
                    for (_, e, _) in r
                        .args
                        .iter()
                        .chain(r.blocks.iter().flat_map(|b| b.args.iter()))
                    {
                        config::references(e, &mut paths);
                    }
                }
            }
            for o in &outputs_changed {
                if let Some(out) = self.cfg.outputs.iter().find(|x| x.name == o.name) {
                    config::references(&out.expr, &mut paths);
                }
            }
            let relevant = contributing(&self.cfg, paths);
            let mut prior: Vec<&Instance> = self.prior.resources.iter().collect();
            prior.sort_by_key(|i| i.address());
            for inst in prior {
                let Some(attrs) = relevant.get(&inst.address()) else {
                    continue;
                };
                let now = self.state.get(&inst.address()).map(|i| &i.attributes);
                if now == Some(&inst.attributes) {
                    continue;
                }
                if let Some(text) = plan::render_drift(
                    &inst.ty,
                    &inst.name,
                    &inst.attributes,
                    now,
                    attrs.as_deref(),
                ) {
                    drift.push(text);
                }
            }
        }
        let plan_text = plan::render(&changes, &outputs_changed, output_width, destroy, &drift);
        self.stdout.push_str(&plan_text);
        if self.cmd == "plan" {
            if !nothing || !outputs_changed.is_empty() {
                self.stdout.push_str(&format!("\n{RULE}\n\nNote: You didn't use the -out option to save this plan, so Terraform can't\nguarantee to take exactly these actions if you run \"terraform apply\" now.\n"));
            }
            self.done = true;
            return;
        }
        if nothing && outputs_changed.is_empty() {
            // Nothing to do: the refreshed state is kept.
            self.applying = true;
            self.done = true;
            return;
        }
        if !self.auto_approve {
            let (q, what) = if destroy {
                ("Do you really want to destroy all resources?", "  Terraform will destroy all your managed infrastructure, as shown above.\n  There is no undo. Only 'yes' will be accepted to confirm.")
            } else {
                ("Do you want to perform these actions?", "  Terraform will perform the actions described above.\n  Only 'yes' will be accepted to approve.")
            };
            self.stdout
                .push_str(&format!("\n{q}\n{what}\n\n  Enter a value: \n"));
            // The terminal has no keyboard input for prompts: the answer is empty, as when one
            // presses Enter.
            let cancelled = if destroy {
                "Destroy cancelled."
            } else {
                "Apply cancelled."
            };
            self.stdout.push_str(&format!("\n{cancelled}\n"));
            self.failed = true;
            self.done = true;
            return;
        }
        self.stdout.push('\n');
        self.steps = steps(&changes, &self.state);
        self.applying = true;
    }
}

/// The state's resources in the order a plan refreshes them: what a resource depends on first
/// (the graph walk's order), by address among those that are ready.
fn refresh_order(state: &State) -> Vec<&Instance> {
    let mut left: Vec<&Instance> = state.resources.iter().collect();
    left.sort_by_key(|i| i.address());
    let mut done: Vec<&Instance> = Vec::new();
    while !left.is_empty() {
        let ready = left
            .iter()
            .position(|i| {
                i.dependencies
                    .iter()
                    .all(|d| !left.iter().any(|l| l.address() == *d))
            })
            .unwrap_or(0);
        done.push(left.remove(ready));
    }
    done
}

/// The order of apply: destroys first, dependents before what they depend on (replacements
/// included, destroy then create), then creates and updates in dependency order.
fn steps(changes: &[Change], state: &State) -> VecDeque<apply::Step> {
    let mut out = VecDeque::new();
    let mut destroys: Vec<&Change> = changes
        .iter()
        .filter(|c| c.action == Action::Delete || (c.action == Action::Replace && !c.cbd))
        .collect();
    // A resource goes after every resource that depends on it.
    let mut ordered: Vec<&Change> = Vec::new();
    while !destroys.is_empty() {
        let i = destroys
            .iter()
            .position(|c| {
                !destroys.iter().any(|other| {
                    other.address() != c.address()
                        && state
                            .get(&other.address())
                            .is_some_and(|i| i.dependencies.contains(&c.address()))
                })
            })
            .unwrap_or(0);
        ordered.push(destroys.remove(i));
    }
    for c in ordered {
        out.push_back(apply::Step {
            change: c.clone(),
            destroy: true,
            deposed: None,
        });
    }
    for c in changes
        .iter()
        .filter(|c| matches!(c.action, Action::Create | Action::Update | Action::Replace))
    {
        let mut c = c.clone();
        if c.action == Action::Replace {
            c.action = Action::Create;
            c.before = None;
        }
        out.push_back(apply::Step {
            change: c,
            destroy: false,
            deposed: None,
        });
    }
    // create_before_destroy: the old object, deposed, goes once its replacement exists.
    for c in changes
        .iter()
        .filter(|c| c.action == Action::Replace && c.cbd)
    {
        let mut seed = std::hash::DefaultHasher::new();
        (
            c.address(),
            c.before
                .as_ref()
                .and_then(|b| b.get("id"))
                .map(|v| v.to_string()),
        )
            .hash(&mut seed);
        out.push_back(apply::Step {
            change: c.clone(),
            destroy: true,
            deposed: Some(format!("{:08x}", seed.finish() as u32)),
        });
    }
    out
}

impl Run {
    /// What the run printed, its exit code and the new state (when it changed).
    pub fn finish(mut self) -> Outcome {
        let exit_code = if self.failed { 1 } else { 0 };
        if !self.applying {
            return Outcome {
                stdout: self.stdout,
                stderr: self.stderr,
                exit_code,
                state: None,
            };
        }
        if self.destroy_mode {
            if self.state.resources.is_empty() {
                self.state.outputs.clear();
            }
        } else {
            let mut scope = self.base.clone();
            for inst in &self.state.resources {
                scope
                    .resources
                    .entry(inst.ty.clone())
                    .or_default()
                    .insert(inst.name.clone(), Value::Object(inst.attributes.clone()));
            }
            eval_locals(&self.cfg, &mut scope);
            let ctx = scope.context();
            self.state.outputs = self
                .cfg
                .outputs
                .iter()
                .filter_map(|o| {
                    let v = scope.eval(&ctx, &o.expr).ok()?;
                    (!is_unknown(&v)).then(|| (o.name.clone(), v, o.sensitive))
                })
                .collect();
        }
        // An unchanged state is not written again.
        let unchanged = self.state.resources == self.prior.resources
            && self.state.outputs == self.prior.outputs;
        if !unchanged {
            self.state.serial += 1;
        }
        if self.state.lineage.is_empty() {
            self.state.lineage = format!("sandbox-{}", self.env.account_id);
        }
        if !self.failed {
            let (a, c, d) = self.counts;
            if self.destroy_mode {
                self.stdout
                    .push_str(&format!("\nDestroy complete! Resources: {d} destroyed.\n"));
            } else {
                self.stdout.push_str(&format!(
                    "\nApply complete! Resources: {a} added, {c} changed, {d} destroyed.\n"
                ));
                if !self.state.outputs.is_empty() {
                    self.stdout.push_str(&format!(
                        "\nOutputs:\n\n{}",
                        outputs_block(&self.state.outputs)
                    ));
                }
            }
        }
        Outcome {
            stdout: self.stdout,
            stderr: self.stderr,
            exit_code,
            state: (!unchanged).then(|| self.state.to_json()),
        }
    }
}

/// Splits a command line as a shell would (quotes, backslashes): `terraform apply -var 'a=b c'`.
pub fn split(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut has = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                has = true;
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                    has = true;
                }
            }
            (None, c) if c.is_whitespace() => {
                if has || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if has || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Runs `terraform ...` (the whole line) to the end with `call` sending each KMS request in
/// its Region: native code and tests.
pub fn run(
    line: &str,
    files: &[(String, String)],
    state: Option<&str>,
    env: &Env,
    mut call: impl FnMut(&Call) -> Result<Value, KmsError>,
) -> Outcome {
    let words = split(line);
    let args = match words.split_first() {
        Some((p, rest)) if p == "terraform" => rest.to_vec(),
        _ => {
            return Outcome {
                stderr: format!(
                    "-bash: {}: command not found\n",
                    words.first().cloned().unwrap_or_default()
                ),
                exit_code: 127,
                ..Outcome::default()
            }
        }
    };
    let mut r = start(&args, files, state, env);
    while let Some(c) = r.next() {
        let answer = call(&c);
        r.answer(answer);
    }
    r.finish()
}
