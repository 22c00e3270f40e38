//! The CLI against one in-memory sandbox, a line at a time from standard input, for trying
//! commands and comparing their output with AWS CLI v2's without the browser:
//!
//!     cargo run -p kms-cli --example repl [--files DIR] [--region REGION] < commands.txt
//!
//! Each line is run as the terminal page runs it; what it prints goes to standard output, then a
//! line `[exit N]` (and standard error, prefixed `! `). `fileb://` and `file://` read from DIR;
//! `> file` writes there. `--profile NAME` acts as the IAM user or role NAME (a session of the
//! role). Lines starting with `#` are echoed.

use kms_cli::{run, Context, Invocation};
use kms_core::{Sandbox, Value};
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::PathBuf;

fn main() {
    let mut dir: Option<PathBuf> = None;
    let mut region = String::from("us-east-1");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--files" => dir = args.next().map(PathBuf::from),
            "--region" => region = args.next().unwrap_or(region),
            other => panic!("unknown argument {other}"),
        }
    }
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    if let Some(d) = &dir {
        for entry in std::fs::read_dir(d).expect("--files DIR").flatten() {
            if entry.path().is_file() {
                let name = entry.file_name().to_string_lossy().into_owned();
                files.insert(name, std::fs::read(entry.path()).expect("a file"));
            }
        }
    }
    let mut sb = Sandbox::in_memory(1);
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("a line of input");
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with('#') {
            println!("{line}");
            continue;
        }
        println!("$ {line}");
        // `--profile NAME` acts as the IAM user or role NAME, as in the terminal page.
        let profiles: BTreeMap<String, String> = sb
            .engine
            .users()
            .map(|u| (u.name.clone(), u.arn.clone()))
            .chain(sb.engine.roles().map(|r| (r.name.clone(), r.arn.clone())))
            .collect();
        let out = {
            let mut ctx = Context::new(&files, &region);
            ctx.profiles = &profiles;
            run(&line, &ctx, |inv: &Invocation, req: Value| {
                let caller = match &inv.principal {
                    Some(arn) => sb.engine.caller_for_principal(arn, None)?,
                    None => sb.root(),
                };
                let saved_caller = std::mem::replace(&mut sb.caller, caller);
                let saved = std::mem::replace(&mut sb.region, inv.region.clone());
                let r = sb.call_service(inv.service, &inv.operation, req);
                sb.region = saved;
                sb.caller = saved_caller;
                r
            })
        };
        match &out.redirect {
            Some(r) => {
                let old = files.entry(r.path.clone()).or_default();
                if !r.append {
                    old.clear();
                }
                old.extend_from_slice(out.stdout.as_bytes());
                if let Some(d) = &dir {
                    std::fs::write(d.join(&r.path), &files[&r.path]).expect("write the file");
                }
            }
            None => print!("{}", out.stdout),
        }
        for l in out.stderr.lines() {
            println!("! {l}");
        }
        println!("[exit {}]", out.exit_code);
    }
}
