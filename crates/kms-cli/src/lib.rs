//! # The AWS CLI in the page
//!
//! A pure command-line front end for the sandbox: [`parse`] reads a command line as a learner
//! types it in a CloudShell-like terminal (`aws kms encrypt --key-id alias/demo --plaintext
//! fileb://note.txt --query CiphertextBlob --output text > out.b64`) into an [`Invocation`]:
//! the service, the operation and its input in the sandbox's wire JSON, derived from the API
//! models as AWS CLI v2 derives its commands. The caller sends the requests
//! ([`Invocation::request`], once per page while the CLI would paginate) and hands the answers to
//! [`Invocation::render`] (or an error to [`Invocation::render_error`]), which prints them as
//! AWS CLI v2 does: `json`, `text`, `table` or `yaml`, after `--query`, with the CLI's exit
//! codes. No I/O: files come from a [`FileArea`] the caller passes, and redirected output goes
//! back to the caller as [`Outcome::redirect`].
//!
//! ```
//! use kms_cli::{parse, Command, Context};
//! use std::collections::BTreeMap;
//!
//! let mut sandbox = kms_core::Sandbox::in_memory(7);
//! let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
//! files.insert("note.txt".into(), b"hello".to_vec());
//! let ctx = Context::new(&files, "ap-southeast-2");
//! let line = "aws kms create-key --description demo --query KeyMetadata.KeyState --output text";
//! let Ok(Command::Call(inv)) = parse(line, &ctx) else { unreachable!() };
//! let mut pages = Vec::new();
//! while let Some(request) = inv.request(&pages) {
//!     // The console: kms_web::Sandbox::call_service(inv.service, &inv.region, ...).await,
//!     // acting as inv.principal when a --profile names one.
//!     match sandbox.call_service(inv.service, &inv.operation, request) {
//!         Ok(page) => pages.push(page),
//!         Err(e) => { println!("{}", inv.render_error(&e).stderr); break; }
//!     }
//!     if inv.paging.is_none() { break; }
//! }
//! let out = inv.render(&pages);
//! assert_eq!((out.stdout.as_str(), out.exit_code), ("Enabled\n", 0));
//! ```

mod complete;
mod data;
pub mod doc;
mod eaw;
mod format;
mod help;
mod input;
mod names;
mod paginate;
mod query;
pub mod shell;
mod shorthand;
mod wait;

use crate::data::{ArgSpec, Svc};
use crate::doc::Doc;
use crate::input::{Raw, Unpacker};
use kms_core::KmsError;
pub use kms_core::Service;
use serde_json::{Map, Value};
pub use shell::Redirect;
use std::collections::BTreeMap;

pub use complete::complete;
pub use names::kebab;

/// What `aws --version` prints.
pub const VERSION: &str = "aws-cli/2.27.0 Python/3.13.2 Linux/6.1.0 exe/x86_64.amzn.2023";

/// The in-page files that `file://` and `fileb://` read.
pub trait FileArea {
    fn read(&self, path: &str) -> Option<Vec<u8>>;
}

impl FileArea for BTreeMap<String, Vec<u8>> {
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        self.get(&shell::normalize_path(path)).cloned()
    }
}

/// `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    #[default]
    Json,
    Text,
    Table,
    Yaml,
    YamlStream,
    Off,
}

impl OutputFormat {
    pub const NAMES: [&'static str; 6] = ["json", "text", "table", "yaml", "yaml-stream", "off"];

    pub fn from_name(name: &str) -> Option<OutputFormat> {
        Some(match name {
            "json" => OutputFormat::Json,
            "text" => OutputFormat::Text,
            "table" => OutputFormat::Table,
            "yaml" => OutputFormat::Yaml,
            "yaml-stream" => OutputFormat::YamlStream,
            "off" => OutputFormat::Off,
            _ => return None,
        })
    }
}

/// `--cli-binary-format`: how blob arguments typed as text are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BinaryFormat {
    /// CLI v2's default: the text is base64.
    #[default]
    Base64,
    /// The text's own bytes (CLI v1's behaviour).
    RawInBase64Out,
}

/// What the terminal knows besides the line.
pub struct Context<'a> {
    pub files: &'a dyn FileArea,
    /// The default Region (`aws configure get region`).
    pub region: &'a str,
    /// Named profiles: profile name → the ARN of the principal it acts as. `default` (or no
    /// `--profile`) is the console's own caller.
    pub profiles: &'a BTreeMap<String, String>,
    /// The default output format.
    pub output: OutputFormat,
    pub binary_format: BinaryFormat,
    /// The terminal's width (the table format folds wider tables).
    pub columns: usize,
}

static NO_PROFILES: BTreeMap<String, String> = BTreeMap::new();

impl<'a> Context<'a> {
    pub fn new(files: &'a dyn FileArea, region: &'a str) -> Context<'a> {
        Context {
            files,
            region,
            profiles: &NO_PROFILES,
            output: OutputFormat::Json,
            binary_format: BinaryFormat::Base64,
            columns: 80,
        }
    }
}

/// What a command printed and its exit code.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
    /// Where stdout goes instead of the terminal (`> file`), for the caller to write.
    pub redirect: Option<Redirect>,
}

/// A command that failed before any request: its standard error and exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    pub stderr: String,
    pub exit_code: i32,
}

const USAGE: &str = "usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\nTo see help text, you can run:\n\n  aws help\n  aws <command> help\n  aws <command> <subcommand> help\n";

impl CliError {
    pub(crate) fn raw(stderr: impl Into<String>, exit_code: i32) -> CliError {
        CliError {
            stderr: stderr.into(),
            exit_code,
        }
    }

    /// An argparse error: the usage, then `aws: error: ...` (exit 252).
    pub(crate) fn usage(message: &str) -> CliError {
        CliError::raw(format!("\n{USAGE}\naws: error: {message}\n\n"), 252)
    }

    /// `Error parsing parameter '--x': ...` (exit 252).
    pub(crate) fn param(cli: &str, message: &str) -> CliError {
        CliError::raw(
            format!("\nError parsing parameter '{cli}': {message}\n"),
            252,
        )
    }

    pub(crate) fn param_validation(errors: Vec<String>) -> CliError {
        CliError::raw(
            format!("\nParameter validation failed:\n{}\n", errors.join("\n")),
            252,
        )
    }

    /// Any other failure of the CLI itself (exit 255).
    pub(crate) fn general(message: String) -> CliError {
        CliError::raw(format!("\n{message}\n"), 255)
    }

    /// The shell's own complaint (exit 2, or 127 for an unknown program).
    pub(crate) fn shell(message: impl Into<String>) -> CliError {
        CliError::raw(format!("{}\n", message.into()), 2)
    }

    fn unknown_options(options: &[String]) -> CliError {
        CliError::raw(
            format!("\n{USAGE}\nUnknown options: {}\n\n", options.join(", ")),
            252,
        )
    }

    pub fn into_outcome(self) -> Outcome {
        Outcome {
            stdout: String::new(),
            stderr: self.stderr,
            exit_code: self.exit_code,
            redirect: None,
        }
    }
}

/// What a line asks for.
#[allow(clippy::large_enum_variant)] // one per command line
#[derive(Debug)]
pub enum Command {
    /// A request to send (then [`Invocation::render`]).
    Call(Invocation),
    /// Something the CLI prints without calling AWS (help, skeletons, `--version`, an empty line).
    Print(Outcome),
}

/// `--max-items`, `--page-size`, `--starting-token` of a paginated call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Paging {
    pub max_items: Option<i64>,
    pub page_size: Option<i64>,
    pub starting_token: Option<String>,
}

/// A parsed command: the request to send and how to print the answer.
#[derive(Debug)]
pub struct Invocation {
    pub service: Service,
    /// The model's name (`DescribeKey`).
    pub operation: String,
    /// The input in the sandbox's wire JSON (blobs base64, timestamps epoch seconds).
    pub input: Value,
    pub region: String,
    pub profile: Option<String>,
    /// The principal the profile acts as (`None`: the console's caller).
    pub principal: Option<String>,
    pub output: OutputFormat,
    pub query: Option<String>,
    /// Set when the CLI paginates this call (a paginated operation without `--no-paginate`).
    pub paging: Option<Paging>,
    pub redirect: Option<Redirect>,
    /// `aws <service> wait <waiter>`: the one request is the waiter's operation, and the answer
    /// is judged by the waiter's acceptors instead of printed.
    pub(crate) waiter: Option<wait::Wait>,
    pub(crate) columns: usize,
    pub(crate) compiled: Option<query::Query>,
}

/// Options every command takes. `true`: takes a value.
const GLOBALS: &[(&str, bool)] = &[
    ("--region", true),
    ("--profile", true),
    ("--output", true),
    ("--query", true),
    ("--endpoint-url", true),
    ("--cli-binary-format", true),
    ("--color", true),
    ("--ca-bundle", true),
    ("--cli-read-timeout", true),
    ("--cli-connect-timeout", true),
    ("--no-paginate", false),
    ("--debug", false),
    ("--no-verify-ssl", false),
    ("--no-sign-request", false),
    ("--no-cli-pager", false),
    ("--cli-auto-prompt", false),
    ("--no-cli-auto-prompt", false),
    ("--version", false),
];

pub(crate) fn global_names() -> impl Iterator<Item = &'static str> {
    GLOBALS.iter().map(|(n, _)| *n)
}

/// argparse's "Invalid choice" message (two choices a line, 40 columns each), with difflib's
/// close matches.
fn invalid_choice(argument: &str, value: &str, choices: &[String]) -> CliError {
    let mut msg = vec!["Invalid choice, valid choices are:\n".to_string()];
    for pair in choices.chunks(2) {
        msg.push(
            pair.iter()
                .map(|c| format!("{c:<40}"))
                .collect::<Vec<_>>()
                .join(" | "),
        );
    }
    let close = complete::close_matches(value, choices);
    if !close.is_empty() {
        msg.push(format!("\n\nInvalid choice: '{value}', maybe you meant:\n"));
        for c in close {
            msg.push(format!("  * {c}"));
        }
    }
    CliError::usage(&format!("argument {argument}: {}", msg.join("\n")))
}

/// The main parser's option strings in the order argparse holds them (cli.json's, `--version`
/// last: MainArgParser adds it again with `conflict_handler='resolve'`), which is the order an
/// ambiguous prefix's matches are listed in.
const MAIN_PARSER_OPTIONS: [&str; 18] = [
    "--debug",
    "--endpoint-url",
    "--no-verify-ssl",
    "--no-paginate",
    "--output",
    "--query",
    "--profile",
    "--region",
    "--color",
    "--no-sign-request",
    "--ca-bundle",
    "--cli-read-timeout",
    "--cli-connect-timeout",
    "--cli-binary-format",
    "--no-cli-pager",
    "--cli-auto-prompt",
    "--no-cli-auto-prompt",
    "--version",
];

/// What argparse's `_parse_optional` makes of a word, for a parser with `options`.
#[derive(Debug, PartialEq, Eq)]
enum Word<'a> {
    /// An argument ('A'): a value or a positional.
    Value,
    /// An option string this parser does not know ('O', left for the next parser).
    Unknown,
    /// One of the parser's options, named in full or by a unique prefix (`allow_abbrev`, on in
    /// every parser of the CLI), with its `=value`.
    Known(&'a str, Option<String>),
    /// A prefix of several of them (argparse's "ambiguous option" error).
    Ambiguous(Vec<&'a str>),
}

/// argparse's `_parse_optional` (Python 3.13, which AWS CLI v2 bundles): an exact option string
/// first, then one with `=value`, then the options the word (before any `=`) is a prefix of;
/// failing those, a negative number (`^-\d+$|^-\d*\.\d+$`, the parser having no option that
/// looks like one) or a word with a space is an argument, anything else starting with `-` an
/// option string.
fn parse_word<'a>(word: &str, options: &[&'a str]) -> Word<'a> {
    if !word.starts_with('-') {
        return Word::Value;
    }
    if let Some(o) = options.iter().find(|o| **o == word) {
        return Word::Known(o, None);
    }
    if word.chars().count() == 1 {
        return Word::Value;
    }
    let (prefix, explicit) = match word.split_once('=') {
        Some((n, v)) => (n, Some(v.to_string())),
        None => (word, None),
    };
    if explicit.is_some() {
        if let Some(o) = options.iter().find(|o| **o == prefix) {
            return Word::Known(o, explicit);
        }
    }
    // Only `--` words are abbreviations (every option of the CLI is a `--` one); `--` alone
    // stays an unknown option here, as the sandbox has always read it.
    if word.starts_with("--") && prefix != "--" {
        let matches: Vec<&'a str> = options
            .iter()
            .copied()
            .filter(|o| o.starts_with(prefix))
            .collect();
        match matches.len() {
            0 => {}
            1 => return Word::Known(matches[0], explicit),
            _ => return Word::Ambiguous(matches),
        }
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let number = &word[1..];
    let negative = digits(number)
        || number
            .split_once('.')
            .is_some_and(|(int, frac)| (int.is_empty() || digits(int)) && digits(frac));
    if negative || word.contains(' ') {
        return Word::Value;
    }
    Word::Unknown
}

/// argparse's error for a word that abbreviates several options. Python 3.13's parser reads
/// every word before it takes any action, so the first such word fails the line whatever else
/// is wrong with it.
fn check_ambiguous(words: &[String], options: &[&str]) -> Result<(), CliError> {
    for w in words {
        if let Word::Ambiguous(matches) = parse_word(w, options) {
            return Err(CliError::usage(&format!(
                "ambiguous option: {w} could match {}",
                matches.join(", ")
            )));
        }
    }
    Ok(())
}

#[derive(Default)]
struct Globals {
    region: Option<String>,
    profile: Option<String>,
    output: Option<String>,
    query: Option<String>,
    binary: Option<String>,
    no_paginate: bool,
    version: bool,
}

/// Parses a command line.
pub fn parse(line: &str, ctx: &Context) -> Result<Command, CliError> {
    let parsed = shell::split(line)?;
    let redirect = parsed.redirect.clone();
    let mut words = parsed.words.into_iter();
    let Some(program) = words.next() else {
        return Ok(Command::Print(Outcome::default()));
    };
    if program != "aws" {
        return Err(CliError::raw(
            format!("-bash: {program}: command not found\n"),
            127,
        ));
    }
    // The main parser: global options anywhere on the line.
    let mut g = Globals::default();
    let mut rest: Vec<String> = Vec::new();
    let words: Vec<String> = words.collect();
    check_ambiguous(&words, &MAIN_PARSER_OPTIONS)?;
    let mut tokens = words.into_iter().peekable();
    let is_value = |w: &str| parse_word(w, &MAIN_PARSER_OPTIONS) == Word::Value;
    while let Some(t) = tokens.next() {
        let (name, inline) = match parse_word(&t, &MAIN_PARSER_OPTIONS) {
            Word::Known(n, inline) => (n.to_string(), inline),
            Word::Value | Word::Unknown | Word::Ambiguous(_) => {
                rest.push(t);
                continue;
            }
        };
        let takes_value = GLOBALS.iter().any(|(n, v)| *n == name && *v);
        if !takes_value {
            if inline.is_some() {
                return Err(CliError::usage(&format!(
                    "argument {name}: ignored explicit argument '{}'",
                    inline.unwrap_or_default()
                )));
            }
            match name.as_str() {
                "--no-paginate" => g.no_paginate = true,
                "--version" => g.version = true,
                _ => {}
            }
            continue;
        }
        let value = match inline {
            Some(v) => v,
            None => match tokens.peek() {
                Some(v) if is_value(v) => tokens.next().unwrap_or_default(),
                _ => {
                    return Err(CliError::usage(&format!(
                        "argument {name}: expected one argument"
                    )))
                }
            },
        };
        match name.as_str() {
            "--region" => g.region = Some(value),
            "--profile" => g.profile = Some(value),
            "--output" => {
                if OutputFormat::from_name(&value).is_none() {
                    let choices: Vec<String> =
                        OutputFormat::NAMES.iter().map(|s| s.to_string()).collect();
                    return Err(invalid_choice("--output", &value, &choices));
                }
                g.output = Some(value)
            }
            "--query" => g.query = Some(value),
            "--cli-binary-format" => {
                if !matches!(value.as_str(), "base64" | "raw-in-base64-out") {
                    let choices = vec!["base64".to_string(), "raw-in-base64-out".to_string()];
                    return Err(invalid_choice("--cli-binary-format", &value, &choices));
                }
                g.binary = Some(value)
            }
            "--color" if !matches!(value.as_str(), "on" | "off" | "auto") => {
                let choices = vec!["on".to_string(), "off".to_string(), "auto".to_string()];
                return Err(invalid_choice("--color", &value, &choices));
            }
            _ => {}
        }
    }
    if g.version {
        return Ok(Command::Print(Outcome {
            stdout: format!("{VERSION}\n"),
            redirect,
            ..Default::default()
        }));
    }
    // The service.
    let Some(pos) = rest.iter().position(|t| !t.starts_with('-')) else {
        return Err(CliError::usage(
            "the following arguments are required: command",
        ));
    };
    let service_name = rest.remove(pos);
    let svc = data::service(&service_name);
    if svc.is_none() && service_name != "help" {
        let mut choices: Vec<String> = data::services()
            .iter()
            .map(|s| s.name.to_string())
            .collect();
        choices.push("help".into());
        return Err(invalid_choice("command", &service_name, &choices));
    }
    // globalargs.py compiles --query as soon as the top-level options are parsed, so a bad one
    // fails any command; its ParamValidationError exits 252.
    let compiled = match &g.query {
        Some(q) => Some(
            query::Query::compile(q)
                .map_err(|e| CliError::raw(format!("\nBad value for --query {q}: {e}\n"), 252))?,
        ),
        None => None,
    };
    let Some(svc) = svc else {
        return Ok(Command::Print(Outcome {
            stdout: help::top(),
            redirect,
            ..Default::default()
        }));
    };
    // The operation.
    let Some(pos) = rest.iter().position(|t| !t.starts_with('-')) else {
        return Err(CliError::usage(
            "the following arguments are required: operation",
        ));
    };
    let command = rest.remove(pos);
    if command == "help" {
        return Ok(Command::Print(Outcome {
            stdout: help::service(svc),
            redirect,
            ..Default::default()
        }));
    }
    let mut waiter = None;
    let operation = if command == "wait" && !svc.waiters.is_empty() {
        let Some(pos) = rest.iter().position(|t| !t.starts_with('-')) else {
            return Err(CliError::usage(
                "the following arguments are required: subcommand",
            ));
        };
        let name = rest.remove(pos);
        let Some((_, model_name, w)) = svc.waiters.iter().find(|(cli, _, _)| *cli == name) else {
            let choices: Vec<String> = svc.waiters.iter().map(|(c, _, _)| c.clone()).collect();
            return Err(invalid_choice("subcommand", &name, &choices));
        };
        waiter = Some(wait::Wait {
            name: model_name.clone(),
            waiter: w.clone(),
        });
        w.operation.as_str()
    } else {
        let Some(operation) = svc.operation(&command) else {
            let mut choices: Vec<String> = svc.commands.iter().map(|(c, _)| c.clone()).collect();
            if !svc.waiters.is_empty() {
                choices.push("wait".into());
            }
            choices.push("help".into());
            return Err(invalid_choice("operation", &command, &choices));
        };
        operation
    };
    let binary = match g.binary.as_deref() {
        Some("raw-in-base64-out") => BinaryFormat::RawInBase64Out,
        Some(_) => BinaryFormat::Base64,
        None => ctx.binary_format,
    };
    let output = g
        .output
        .as_deref()
        .and_then(OutputFormat::from_name)
        .unwrap_or(ctx.output);
    let op = parse_operation(svc, operation, rest, &g, binary, ctx)?;
    let input = match op {
        OpParse::Help => {
            return Ok(Command::Print(Outcome {
                stdout: help::operation(svc, operation),
                redirect,
                ..Default::default()
            }))
        }
        OpParse::Skeleton(text) => {
            return Ok(Command::Print(Outcome {
                stdout: text,
                redirect,
                ..Default::default()
            }))
        }
        OpParse::Call { input, paging } => (input, paging),
    };
    let (input, paging) = input;
    // A waiter makes single calls, never pages.
    let paging = if waiter.is_some() { None } else { paging };
    let principal = match &g.profile {
        None => None,
        Some(p) => match ctx.profiles.get(p) {
            Some(arn) => Some(arn.clone()),
            None if p == "default" => None,
            None => {
                return Err(CliError::general(format!(
                    "The config profile ({p}) could not be found"
                )))
            }
        },
    };
    let region = endpoint_region(svc.service, g.region.as_deref().unwrap_or(ctx.region))?;
    Ok(Command::Call(Invocation {
        service: svc.service,
        operation: operation.to_string(),
        input,
        region,
        profile: g.profile.clone(),
        principal,
        output,
        query: g.query.clone(),
        paging,
        redirect,
        waiter,
        columns: ctx.columns,
        compiled,
    }))
}

/// The Region a call goes to, or the error of a CLI that cannot reach the service there.
/// `--region ""` is used as given (clidriver only configures a non-empty one, but hands the
/// option's value to the client).
fn endpoint_region(service: Service, region: &str) -> Result<String, CliError> {
    // botocore's validate_region_name: a DNS host label that is not all digits.
    let digits = !region.is_empty() && region.bytes().all(|b| b.is_ascii_digit());
    let label = region.len() <= 63
        && region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-')
        && !digits;
    if !label {
        return Err(CliError::general(format!(
            "Provided region_name '{region}' doesn't match a supported format."
        )));
    }
    if kms_core::regions::is_kms_region(region) {
        return Ok(region.to_string());
    }
    // IAM's one endpoint per partition answers whatever Region the CLI was given (botocore
    // resolves https://iam.amazonaws.com/ for an unknown or empty one).
    if service.is_global() {
        return Ok(match kms_core::arn::partition(region) {
            "aws" => "us-east-1".to_string(),
            _ => region.to_string(),
        });
    }
    let name = service.name();
    if region.is_empty() {
        // EndpointCreator refuses the URL before any request.
        return Err(CliError::general(format!(
            "Invalid endpoint: https://{name}..amazonaws.com"
        )));
    }
    // The endpoint rules build the partition's URL for any Region; no such host answers.
    Err(CliError::general(format!(
        "Could not connect to the endpoint URL: \"https://{name}.{region}.{}/\"",
        kms_core::arn::dns_suffix(region)
    )))
}

enum OpParse {
    Help,
    Skeleton(String),
    Call {
        input: Value,
        paging: Option<Paging>,
    },
}

/// An option of the operation's parser.
enum Opt<'a> {
    Member(&'a ArgSpec),
    /// `--no-<flag>`.
    NoFlag(&'a ArgSpec),
    Paging(&'static str),
    CliInputJson,
    CliInputYaml,
    Skeleton,
}

fn parse_operation(
    svc: &'static Svc,
    operation: &str,
    tokens: Vec<String>,
    g: &Globals,
    binary: BinaryFormat,
    ctx: &Context,
) -> Result<OpParse, CliError> {
    if tokens.len() == 1 && tokens[0] == "help" {
        return Ok(OpParse::Help);
    }
    let args = svc.args(operation);
    let paginator = svc.paginators.get(operation);
    let is_bool = |a: &ArgSpec| svc.shape(&a.shape).ty == "boolean";
    let is_list = |a: &ArgSpec| svc.shape(&a.shape).ty == "list";
    // paginate.py's arguments: --page-size only where the paginator has a limit key.
    let paging_names: &[&'static str] = match paginator {
        Some(p) if p.limit_key.is_some() => &["starting-token", "page-size", "max-items"],
        Some(_) => &["starting-token", "max-items"],
        None => &[],
    };
    // The parser's option strings in the argument table's order (a boolean's `--no-` form right
    // after it, a paging argument in the place of the member it shadows), for abbreviations.
    let mut option_strings: Vec<String> = Vec::new();
    for a in &args {
        option_strings.push(format!("--{}", a.cli));
        if is_bool(a) {
            option_strings.push(format!("--no-{}", a.cli));
        }
    }
    for o in ["cli-input-json", "cli-input-yaml"]
        .iter()
        .chain(paging_names)
        .chain(&["generate-cli-skeleton"])
    {
        let o = format!("--{o}");
        if !option_strings.contains(&o) {
            option_strings.push(o);
        }
    }
    let options: Vec<&str> = option_strings.iter().map(String::as_str).collect();
    let is_value = |w: &str| parse_word(w, &options) == Word::Value;
    check_ambiguous(&tokens, &options)?;
    let lookup = |name: &str| -> Option<Opt> {
        let bare = name.strip_prefix("--")?;
        if let Some(p) = paging_names.iter().find(|p| **p == bare) {
            return Some(Opt::Paging(p));
        }
        match bare {
            "cli-input-json" => return Some(Opt::CliInputJson),
            "cli-input-yaml" => return Some(Opt::CliInputYaml),
            "generate-cli-skeleton" => return Some(Opt::Skeleton),
            _ => {}
        }
        if let Some(a) = args.iter().find(|a| a.cli == bare) {
            return Some(Opt::Member(a));
        }
        let flag = bare.strip_prefix("no-")?;
        args.iter()
            .find(|a| a.cli == flag && is_bool(a))
            .map(Opt::NoFlag)
    };

    let mut given: Vec<(&ArgSpec, Raw)> = Vec::new();
    let mut paging_given: BTreeMap<&'static str, String> = BTreeMap::new();
    // (YAML?, the text or file:// of --cli-input-json or --cli-input-yaml)
    let mut cli_input: Option<(bool, String)> = None;
    let mut skeleton: Option<String> = None;
    let mut unknown: Vec<String> = Vec::new();
    let mut help_positional: Option<String> = None;
    let mut i = 0;
    let expected_one =
        |name: &str| CliError::usage(&format!("argument {name}: expected one argument"));
    while i < tokens.len() {
        let t = &tokens[i];
        i += 1;
        let (name, inline) = match parse_word(t, &options) {
            Word::Value => {
                if help_positional.is_none() {
                    help_positional = Some(t.clone());
                } else {
                    unknown.push(t.clone());
                }
                continue;
            }
            Word::Unknown | Word::Ambiguous(_) => {
                unknown.push(t.clone());
                continue;
            }
            Word::Known(name, inline) => (name, inline),
        };
        let Some(opt) = lookup(name) else {
            unknown.push(t.clone());
            continue;
        };
        let one = |i: &mut usize| -> Result<String, CliError> {
            if let Some(v) = &inline {
                return Ok(v.clone());
            }
            match tokens.get(*i) {
                Some(v) if is_value(v) => {
                    *i += 1;
                    Ok(v.clone())
                }
                _ => Err(expected_one(name)),
            }
        };
        match opt {
            Opt::Member(a) if is_bool(a) => {
                if let Some(v) = inline {
                    return Err(CliError::usage(&format!(
                        "argument {name}: ignored explicit argument '{v}'"
                    )));
                }
                given.retain(|(x, _)| x.member != a.member);
                given.push((a, Raw::Flag(true)));
            }
            Opt::NoFlag(a) => {
                if let Some(v) = inline {
                    return Err(CliError::usage(&format!(
                        "argument {name}: ignored explicit argument '{v}'"
                    )));
                }
                given.retain(|(x, _)| x.member != a.member);
                given.push((a, Raw::Flag(false)));
            }
            Opt::Member(a) if is_list(a) => {
                let mut values = Vec::new();
                if let Some(v) = inline {
                    values.push(v);
                } else {
                    while let Some(v) = tokens.get(i) {
                        if !is_value(v) {
                            break;
                        }
                        values.push(v.clone());
                        i += 1;
                    }
                }
                given.retain(|(x, _)| x.member != a.member);
                given.push((a, Raw::Many(values)));
            }
            Opt::Member(a) => {
                let v = one(&mut i)?;
                given.retain(|(x, _)| x.member != a.member);
                given.push((a, Raw::One(v)));
            }
            Opt::Paging(p) => {
                let v = one(&mut i)?;
                paging_given.insert(p, v);
            }
            // One argparse group: either, not both.
            Opt::CliInputJson | Opt::CliInputYaml => {
                let yaml = matches!(opt, Opt::CliInputYaml);
                let v = one(&mut i)?;
                if let Some((other, _)) = cli_input.as_ref().filter(|(y, _)| *y != yaml) {
                    let name = |y: bool| {
                        if y {
                            "--cli-input-yaml"
                        } else {
                            "--cli-input-json"
                        }
                    };
                    return Err(CliError::usage(&format!(
                        "argument {}: not allowed with argument {}",
                        name(yaml),
                        name(*other)
                    )));
                }
                cli_input = Some((yaml, v));
            }
            Opt::Skeleton => {
                let v = match &inline {
                    Some(v) => v.clone(),
                    None => match tokens.get(i) {
                        Some(v)
                            if is_value(v)
                                && matches!(v.as_str(), "input" | "output" | "yaml-input") =>
                        {
                            i += 1;
                            v.clone()
                        }
                        _ => "input".into(),
                    },
                };
                if !matches!(v.as_str(), "input" | "output" | "yaml-input") {
                    let choices = vec![
                        "input".to_string(),
                        "output".to_string(),
                        "yaml-input".to_string(),
                    ];
                    return Err(invalid_choice("--generate-cli-skeleton", &v, &choices));
                }
                skeleton = Some(v);
            }
        }
    }
    match help_positional {
        Some(h) if h == "help" => return Ok(OpParse::Help),
        Some(h) => unknown.push(h),
        None => {}
    }
    // Pagination: a page token or page limit of the operation's own (`--marker`, `--limit`,
    // `--max-results`) turns it off, as the CLI's paginate.py does; the CLI's paging options
    // then give way to the members they shadow.
    let mut paginate = paginator.is_some() && !g.no_paginate;
    if let Some(p) = paginator {
        if p.input_token
            .iter()
            .chain(p.limit_key.iter())
            .any(|t| given.iter().any(|(a, _)| &a.member == t))
        {
            paginate = false;
        }
    }
    if !paginate && !paging_given.is_empty() {
        let mut used = Vec::new();
        for (name, value) in std::mem::take(&mut paging_given) {
            match args.iter().find(|a| a.cli == name) {
                Some(a) => given.push((a, Raw::One(value))),
                None => used.push(name),
            }
        }
        if !used.is_empty() {
            used.sort_by_key(|n| {
                ["starting-token", "page-size", "max-items"]
                    .iter()
                    .position(|x| x == n)
            });
            // paginate.py's ParamValidationError: the message alone (exit 252).
            return Err(CliError::raw(
                format!(
                    "\nCannot specify --no-paginate along with pagination arguments: {}\n",
                    used.iter()
                        .map(|u| format!("--{u}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                252,
            ));
        }
    }
    // An output skeleton comes from a stubbed call, so its input is read and checked as a call's
    // (awscli's generatecliskeleton.py leaves the required options alone for `output`).
    let output_skeleton = skeleton.as_deref() == Some("output");
    // argparse's required options (unless the input comes from JSON or only an input skeleton is
    // asked).
    if cli_input.is_none() && (skeleton.is_none() || output_skeleton) {
        let missing: Vec<String> = args
            .iter()
            .filter(|a| a.required && !given.iter().any(|(x, _)| x.member == a.member))
            .filter(|a| !(paginate && paging_names.contains(&a.cli.as_str())))
            .map(|a| format!("--{}", a.cli))
            .collect();
        if !missing.is_empty() {
            return Err(CliError::usage(&format!(
                "the following arguments are required: {}",
                missing.join(", ")
            )));
        }
    }
    if !unknown.is_empty() {
        return Err(CliError::unknown_options(&unknown));
    }
    if let Some(kind) = skeleton.as_deref().filter(|_| !output_skeleton) {
        return Ok(OpParse::Skeleton(help::skeleton(svc, operation, kind)));
    }
    let unpacker = Unpacker {
        svc,
        files: ctx.files,
        binary,
    };
    let mut input = Map::new();
    if let Some((yaml, text)) = cli_input {
        let (cli, format) = if yaml {
            ("--cli-input-yaml", "YAML")
        } else {
            ("--cli-input-json", "JSON")
        };
        let file = match text.strip_prefix("file://") {
            Some(path) => Some((path, false)),
            None => text.strip_prefix("fileb://").map(|p| (p, true)),
        };
        let text = match file {
            Some((path, binary)) => match ctx.files.read(path) {
                Some(b) if binary => String::from_utf8_lossy(&b).into_owned(),
                // file:// reads text: bytes that are not UTF-8 are get_file's decoding error.
                Some(b) => String::from_utf8(b)
                    .map_err(|_| CliError::param(cli, &input::undecodable(path)))?,
                None => return Err(CliError::param(cli, &input::missing(&text, path))),
            },
            None => text,
        };
        let parsed = if yaml {
            doc::parse_yaml(&text)
        } else {
            doc::parse_json(&text)
        };
        let doc = parsed.map_err(|e| {
            CliError::param(
                cli,
                &format!("Invalid {format}: {e}\n{format} received: {text}"),
            )
        })?;
        if let Some(shape) = svc.input_shape(operation) {
            if let Value::Object(o) = unpacker.typed_doc(shape, &doc)? {
                input = o;
            }
        }
    }
    for (arg, raw) in given {
        let value = unpacker.arg(&format!("--{}", arg.cli), &arg.shape, raw)?;
        input.insert(arg.member.clone(), value);
    }
    let int = |name: &str| -> Result<Option<i64>, CliError> {
        match paging_given.get(name) {
            None => Ok(None),
            // argparse reads these (type=int): its usage error.
            Some(v) => v.trim().parse::<i64>().map(Some).map_err(|_| {
                CliError::usage(&format!("argument --{name}: invalid int value: '{v}'"))
            }),
        }
    };
    let paging = Paging {
        max_items: int("max-items")?,
        page_size: int("page-size")?,
        starting_token: paging_given.get("starting-token").cloned(),
    };
    // paginate.py's check_should_enable_pagination_call_parameters: a page token or limit in
    // the --cli-input-json/yaml input turns pagination off too, but only once the call is built,
    // so the CLI's own paging options are already in it as a PaginationConfig the operation
    // does not take.
    if let Some(p) = paginator.filter(|_| paginate) {
        if p.input_token
            .iter()
            .chain(p.limit_key.iter())
            .any(|t| input.contains_key(t))
        {
            paginate = false;
            if !paging_given.is_empty() {
                input.insert("PaginationConfig".into(), Value::Object(Map::new()));
            }
        }
    }
    let mut input = Value::Object(input);
    // The paginator puts the page size and the starting token in the first request before
    // botocore validates it (so `--page-size 0` fails the limit's minimum).
    let paging = if paginate {
        if let Some(p) = paginator {
            paginate::inject_first(p, &paging, &mut input)?;
        }
        Some(paging)
    } else {
        None
    };
    if let Some(shape) = svc.input_shape(operation) {
        let errors = input::validate(svc, shape, &input);
        if !errors.is_empty() {
            return Err(CliError::param_validation(errors));
        }
    }
    if output_skeleton {
        return Ok(OpParse::Skeleton(help::skeleton(svc, operation, "output")));
    }
    Ok(OpParse::Call { input, paging })
}

impl Invocation {
    fn svc(&self) -> &'static Svc {
        data::service_of(self.service)
    }

    /// The CLI command (`describe-key`).
    pub fn command(&self) -> String {
        kebab(&self.operation)
    }

    /// The request for the next page given the answers so far (`None` when the CLI would stop).
    /// The first request is `request(&[])`, always `Some`.
    pub fn request(&self, pages: &[Value]) -> Option<Value> {
        if pages.is_empty() {
            return Some(self.input.clone());
        }
        let (paging, paginator) = (
            self.paging.as_ref()?,
            self.svc().paginators.get(&self.operation)?,
        );
        paginate::next_request(paginator, paging, &self.input, pages)
    }

    /// Prints the answers (one per page) as the CLI does.
    pub fn render(&self, pages: &[Value]) -> Outcome {
        let svc = self.svc();
        if let Some(w) = &self.waiter {
            let doc = match (pages.first(), svc.output_shape(&self.operation)) {
                (Some(p), Some(shape)) => doc::from_wire(svc, shape, p),
                _ => Doc::Map(Vec::new()),
            };
            return self.waited(w.verdict(&wait::Answer::Output(&doc)));
        }
        let docs: Vec<Doc> = pages
            .iter()
            .map(|p| match svc.output_shape(&self.operation) {
                Some(shape) => doc::from_wire(svc, shape, p),
                None => Doc::Map(Vec::new()),
            })
            .collect();
        let orders = self.orders();
        // The first failure of the query, which ends the command instead of its output.
        let failure: std::cell::RefCell<Option<String>> = std::cell::RefCell::new(None);
        let search = |d: &Doc| -> Doc {
            match &self.compiled {
                Some(q) => q.try_search(d, &orders).unwrap_or_else(|e| {
                    failure.borrow_mut().get_or_insert(e);
                    Doc::Null
                }),
                None => d.clone(),
            }
        };
        let paginator = self
            .paging
            .as_ref()
            .and_then(|_| svc.paginators.get(&self.operation));
        let mut stdout = String::new();
        match (self.output, paginator) {
            (OutputFormat::Off, _) => {}
            (OutputFormat::Text, Some(p)) => {
                let paging = self.paging.clone().unwrap_or_default();
                let (pages, resume) = paginate::process(p, &paging, docs);
                for (i, page) in pages.iter().enumerate() {
                    let mut current = if i == 0 {
                        paginate::non_aggregate(p, page)
                    } else {
                        Doc::Map(Vec::new())
                    };
                    for rk in &p.result_key {
                        current.set(rk, page.get(rk).cloned().unwrap_or(Doc::Null));
                    }
                    format::text(&search(&current), &mut stdout);
                }
                if let Some(token) = resume {
                    let d = Doc::Map(vec![(
                        "NextToken".into(),
                        Doc::Map(vec![("NextToken".into(), Doc::Str(token))]),
                    )]);
                    format::text(&search(&d), &mut stdout);
                }
            }
            // StreamedYAMLFormatter: each page as it comes, the query applied to each, dumped
            // as a one-item list (no NextToken: it is not in any page).
            (OutputFormat::YamlStream, _) => {
                let pages = match paginator {
                    Some(p) => {
                        let paging = self.paging.clone().unwrap_or_default();
                        paginate::process(p, &paging, docs)
                            .0
                            .iter()
                            .map(&search)
                            .collect()
                    }
                    // An answer that is `{}` once queried streams nothing (the formatter's
                    // `if output == {}: return []`); pages are printed whatever they hold.
                    None => {
                        let d = search(&docs.into_iter().next().unwrap_or(Doc::Map(Vec::new())));
                        if d == Doc::Map(Vec::new()) {
                            Vec::new()
                        } else {
                            vec![d]
                        }
                    }
                };
                for page in pages {
                    stdout.push_str(&format::yaml(&Doc::List(vec![page])));
                }
            }
            (OutputFormat::Text, None) => {
                let d = docs.into_iter().next().unwrap_or(Doc::Map(Vec::new()));
                format::text(&search(&d), &mut stdout);
            }
            (format, _) => {
                let full = match paginator {
                    Some(p) => {
                        let paging = self.paging.clone().unwrap_or_default();
                        let (pages, resume) = paginate::process(p, &paging, docs);
                        paginate::full_result(p, &pages, resume)
                    }
                    None => docs.into_iter().next().unwrap_or(Doc::Map(Vec::new())),
                };
                let d = search(&full);
                let empty = d == Doc::Map(Vec::new());
                stdout = match format {
                    OutputFormat::Json if !empty => format::json(&d),
                    OutputFormat::Yaml if !empty => format::yaml(&d),
                    OutputFormat::Table => format::table(&self.operation, &d, self.columns),
                    _ => String::new(),
                };
            }
        }
        if let Some(e) = failure.into_inner() {
            return Outcome {
                stdout: String::new(),
                stderr: format!("\n{e}\n"),
                exit_code: 255,
                redirect: None,
            };
        }
        // botocore's PaginationError ends the command (exit 255), after what the streaming
        // formatters (text, yaml-stream) had printed of the pages it yielded.
        let repeated =
            paginator.and_then(|p| paginate::repeated_token(p, self.paging.as_ref()?, pages));
        if let Some(e) = repeated {
            let streamed = matches!(self.output, OutputFormat::Text | OutputFormat::YamlStream);
            return Outcome {
                stdout: if streamed { stdout } else { String::new() },
                stderr: format!("\n{e}\n"),
                exit_code: 255,
                redirect: self.redirect.clone(),
            };
        }
        // paginate.py warns as it reads the option, then goes on.
        let stderr = match &self.paging {
            Some(p) if p.max_items.is_some_and(|n| n <= 0) => {
                "warning: Non-positive values for --max-items may result in undefined behavior.\n"
                    .to_string()
            }
            _ => String::new(),
        };
        Outcome {
            stdout,
            stderr,
            exit_code: 0,
            redirect: self.redirect.clone(),
        }
    }

    /// Prints a service's error answer as the CLI does (exit 254).
    pub fn render_error(&self, error: &KmsError) -> Outcome {
        if let Some(w) = &self.waiter {
            return self.waited(w.verdict(&wait::Answer::Error {
                code: error.error_type.as_str(),
                message: &error.message,
            }));
        }
        // botocore's standard retry mode (3 attempts) retries what its checkers call transient
        // or throttled; the CLI then names the retries it used up. The sandbox answers the same
        // way each time, so such an error is what the third attempt got too.
        let retries = if retryable(error) {
            " (reached max retries: 2)"
        } else {
            ""
        };
        Outcome {
            stdout: String::new(),
            stderr: format!(
                "\nAn error occurred ({}) when calling the {} operation{retries}: {}\n",
                error.error_type.as_str(),
                self.operation,
                error.message
            ),
            exit_code: 254,
            redirect: self.redirect.clone(),
        }
    }

    /// A waiter's outcome: nothing on success, `Waiter X failed: ...` and exit 255 otherwise.
    fn waited(&self, failure: Option<String>) -> Outcome {
        match failure {
            None => Outcome {
                redirect: self.redirect.clone(),
                ..Default::default()
            },
            Some(line) => Outcome {
                stdout: String::new(),
                stderr: format!("\n{line}\n"),
                exit_code: 255,
                redirect: self.redirect.clone(),
            },
        }
    }

    /// The member orders of the structures the answer can hold (for `--query` results).
    fn orders(&self) -> Vec<Vec<String>> {
        let svc = self.svc();
        let mut out = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        let mut stack: Vec<String> = svc
            .output_shape(&self.operation)
            .map(str::to_string)
            .into_iter()
            .collect();
        while let Some(name) = stack.pop() {
            if seen.contains(&name) {
                continue;
            }
            seen.push(name.clone());
            let shape = svc.shape(&name);
            match shape.ty.as_str() {
                "structure" => {
                    let members = svc.members(&name);
                    out.push(members.iter().map(|(m, _)| m.to_string()).collect());
                    stack.extend(members.iter().map(|(_, s)| s.to_string()));
                }
                "list" => stack.extend(shape.member.clone()),
                "map" => stack.extend(shape.value.clone()),
                _ => {}
            }
        }
        out
    }
}

/// botocore's standard retry conditions (retries/standard.py): TransientRetryableChecker's
/// codes and HTTP statuses, and ThrottledRetryableChecker's codes. (None of the sandbox's
/// services models an error as retryable, and the special checkers are for errors it never
/// returns: IDPCommunicationError, DynamoDB's CRC32.)
fn retryable(error: &KmsError) -> bool {
    const TRANSIENT: [&str; 3] = [
        "RequestTimeout",
        "RequestTimeoutException",
        "PriorRequestNotComplete",
    ];
    const THROTTLED: [&str; 14] = [
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    ];
    let code = error.error_type.as_str();
    TRANSIENT.contains(&code)
        || THROTTLED.contains(&code)
        || matches!(error.status(), 500 | 502 | 503 | 504)
}

/// Parses a line and runs it to the end with `call` sending each request (the sandbox, in
/// native code and tests): what the terminal shows.
pub fn run(
    line: &str,
    ctx: &Context,
    mut call: impl FnMut(&Invocation, Value) -> Result<Value, KmsError>,
) -> Outcome {
    let inv = match parse(line, ctx) {
        Ok(Command::Call(inv)) => inv,
        Ok(Command::Print(out)) => return out,
        Err(e) => return e.into_outcome(),
    };
    let mut pages = Vec::new();
    while let Some(request) = inv.request(&pages) {
        match call(&inv, request) {
            Ok(page) => pages.push(page),
            Err(e) => return inv.render_error(&e),
        }
        if inv.paging.is_none() {
            break;
        }
    }
    inv.render(&pages)
}

/// Every CLI command of the command table as `(service, command, operation)`.
pub fn commands() -> Vec<(&'static str, String, String)> {
    data::services()
        .iter()
        .flat_map(|s| {
            s.commands
                .iter()
                .map(move |(c, o)| (s.name, c.clone(), o.clone()))
        })
        .collect()
}

/// An operation's options as the CLI names them, with whether each is required.
pub fn options(service: &str, operation: &str) -> Vec<(String, bool)> {
    data::service(service)
        .map(|svc| {
            svc.args(operation)
                .into_iter()
                .map(|a| (format!("--{}", a.cli), a.required))
                .collect()
        })
        .unwrap_or_default()
}
