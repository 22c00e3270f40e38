//! `kms-fuzz [TARGET|all] [COUNT] [SEED]`: runs fuzz loops (see the library doc) and prints, per
//! target, the inputs run, the time and the finds. A find is written to
//! `target/fuzz-finds/<target>-<seed>.txt` and makes the exit status 1.

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let target = args.first().map(String::as_str).unwrap_or("all");
    let count: u64 = args
        .get(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(1_000_000);
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let targets: Vec<&'static str> = kms_fuzz::TARGETS
        .iter()
        .copied()
        .filter(|t| target == "all" || *t == target)
        .collect();
    if targets.is_empty() {
        eprintln!(
            "unknown target {target}; targets: all {:?}",
            kms_fuzz::TARGETS
        );
        std::process::exit(2);
    }
    let mut failed = false;
    println!(
        "{:<11} {:>10} {:>9} {:>10}  finds",
        "target", "inputs", "seconds", "inputs/s"
    );
    for t in targets {
        let start = Instant::now();
        let result = kms_fuzz::run(t, count, seed);
        let secs = start.elapsed().as_secs_f64();
        match result {
            Ok(n) => println!("{t:<11} {n:>10} {secs:>9.1} {:>10.0}  0", n as f64 / secs),
            Err(find) => {
                failed = true;
                let dir = std::path::Path::new("target/fuzz-finds");
                let _ = std::fs::create_dir_all(dir);
                let path = dir.join(format!("{t}-{seed}.txt"));
                let _ = std::fs::write(&path, format!("{}\n{}\n", find.message, find.input));
                println!(
                    "{t:<11} {:>10} {secs:>9.1} {:>10}  1: {} (input in {})",
                    "-",
                    "-",
                    find.message,
                    path.display()
                );
            }
        }
    }
    std::process::exit(i32::from(failed));
}
