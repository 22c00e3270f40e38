//! Terraform against one in-memory sandbox, a command line at a time from standard input, over
//! the `.tf` files of a directory, to compare what it prints with Terraform's own:
//!
//!     cargo run -p kms-terraform --example terraform_repl -- DIR [--region REGION] < commands.txt
//!
//! The state is kept between lines (and written to DIR/terraform.tfstate); the files are read
//! again before each line, so a line may follow an edit. Each command prints its stdout, its
//! stderr prefixed `! `, and `[exit N]`.

use kms_core::{Sandbox, Service};
use kms_terraform::{run, tf_files, Env};
use std::io::BufRead;
use std::path::PathBuf;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().expect("a directory of .tf files"));
    let mut region = String::from("us-east-1");
    while let Some(a) = args.next() {
        match a.as_str() {
            "--region" => region = args.next().unwrap_or(region),
            other => panic!("unknown argument {other}"),
        }
    }
    let env = Env {
        region,
        account_id: "111122223333".into(),
    };
    let mut sb = Sandbox::in_memory(1);
    let mut state: Option<String> = None;
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
        let mut raw: Vec<(String, Vec<u8>)> = vec![];
        for entry in std::fs::read_dir(&dir).expect("the directory").flatten() {
            if entry.path().is_file() {
                let name = entry.file_name().to_string_lossy().into_owned();
                raw.push((name, std::fs::read(entry.path()).expect("a file")));
            }
        }
        let files = tf_files(raw.iter().map(|(n, b)| (n.as_str(), b.as_slice())));
        let out = run(&line, &files, state.as_deref(), &env, |c| {
            let saved = std::mem::replace(&mut sb.region, c.region.clone());
            let r = sb.call_service(Service::Kms, &c.operation, c.input.clone());
            sb.region = saved;
            r
        });
        if let Some(s) = &out.state {
            std::fs::write(dir.join("terraform.tfstate"), s).expect("write the state");
            state = Some(s.clone());
        }
        print!("{}", out.stdout);
        for l in out.stderr.lines() {
            println!("! {l}");
        }
        println!("[exit {}]", out.exit_code);
    }
}
