//! Tab completion of services, commands and options, and difflib's close matches for the CLI's
//! "maybe you meant" hints.

use crate::data;

/// The words that can complete the last word of `partial` (empty when the line ends with a
/// blank: then the words that can come next).
pub fn complete(partial: &str) -> Vec<String> {
    let ends_blank = partial.is_empty() || partial.ends_with(char::is_whitespace);
    let words: Vec<String> = crate::shell::split(partial)
        .map(|l| l.words)
        .unwrap_or_default();
    let (done, current): (&[String], &str) = if ends_blank {
        (&words[..], "")
    } else {
        match words.split_last() {
            Some((last, done)) => (done, last.as_str()),
            None => (&[], ""),
        }
    };
    let filter = |cands: Vec<String>| -> Vec<String> {
        cands
            .into_iter()
            .filter(|c| c.starts_with(current))
            .collect()
    };
    let positionals: Vec<&String> = done.iter().filter(|w| !w.starts_with('-')).collect();
    if positionals.is_empty() {
        return filter(vec!["aws".into()]);
    }
    if positionals[0] != "aws" {
        return Vec::new();
    }
    if let Some(prev) = done.last() {
        match prev.as_str() {
            "--output" => {
                return filter(
                    crate::OutputFormat::NAMES
                        .iter()
                        .map(|s| s.to_string())
                        .collect(),
                )
            }
            "--cli-binary-format" => {
                return filter(vec!["base64".into(), "raw-in-base64-out".into()])
            }
            _ => {}
        }
    }
    let Some(service) = positionals.get(1) else {
        let mut c: Vec<String> = data::services()
            .iter()
            .map(|s| s.name.to_string())
            .collect();
        if current.starts_with('-') {
            c = crate::global_names().map(str::to_string).collect();
        }
        return filter(c);
    };
    let Some(svc) = data::service(service) else {
        return Vec::new();
    };
    let Some(command) = positionals.get(2) else {
        return filter(svc.commands.iter().map(|(c, _)| c.clone()).collect());
    };
    let Some(operation) = svc.operation(command) else {
        return Vec::new();
    };
    if !current.starts_with('-') && !current.is_empty() {
        return Vec::new();
    }
    let mut cands: Vec<String> = Vec::new();
    for a in svc.args(operation) {
        let name = format!("--{}", a.cli);
        if done.contains(&name) {
            continue;
        }
        if svc.shape(&a.shape).ty == "boolean" {
            let no = format!("--no-{}", a.cli);
            if done.contains(&no) {
                continue;
            }
            cands.push(name);
            cands.push(no);
        } else {
            cands.push(name);
        }
    }
    if let Some(paginator) = svc.paginators.get(operation) {
        for p in ["--starting-token", "--page-size", "--max-items"] {
            if p == "--page-size" && paginator.limit_key.is_none() {
                continue;
            }
            if !done.iter().any(|d| d == p) && !cands.iter().any(|c| c == p) {
                cands.push(p.into());
            }
        }
    }
    cands.extend(
        [
            "--cli-input-json",
            "--cli-input-yaml",
            "--generate-cli-skeleton",
        ]
        .map(String::from),
    );
    cands.extend(
        crate::global_names()
            .filter(|g| !done.iter().any(|d| d == g))
            .map(str::to_string),
    );
    filter(cands)
}

/// difflib's SequenceMatcher ratio (without its junk heuristics, which only matter from 200
/// characters).
fn ratio(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    fn matches(a: &[char], b: &[char]) -> usize {
        // The longest common block, then recursively left and right of it.
        let (mut best, mut bi, mut bj) = (0, 0, 0);
        for i in 0..a.len() {
            for j in 0..b.len() {
                let mut k = 0;
                while i + k < a.len() && j + k < b.len() && a[i + k] == b[j + k] {
                    k += 1;
                }
                if k > best {
                    (best, bi, bj) = (k, i, j);
                }
            }
        }
        if best == 0 {
            return 0;
        }
        best + matches(&a[..bi], &b[..bj]) + matches(&a[bi + best..], &b[bj + best..])
    }
    let total = a.len() + b.len();
    if total == 0 {
        return 1.0;
    }
    2.0 * matches(&a, &b) as f64 / total as f64
}

/// `difflib.get_close_matches(word, choices, cutoff=0.8)`: at most three, best first.
pub fn close_matches(word: &str, choices: &[String]) -> Vec<String> {
    let mut scored: Vec<(f64, &String)> = choices
        .iter()
        .map(|c| (ratio(word, c), c))
        .filter(|(r, _)| *r >= 0.8)
        .collect();
    scored.sort_by(|a, b| {
        b.0.partial_cmp(&a.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(b.1.cmp(a.1))
    });
    scored.into_iter().take(3).map(|(_, c)| c.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes() {
        assert_eq!(complete("aws k"), vec!["kms"]);
        assert!(complete("aws kms create-").contains(&"create-key".to_string()));
        let opts = complete("aws kms encrypt --key-id x --");
        assert!(opts.contains(&"--plaintext".to_string()));
        assert!(!opts.contains(&"--key-id".to_string()));
        assert!(complete("aws kms create-key --bypass")
            .contains(&"--bypass-policy-lockout-safety-check".to_string()));
        assert!(complete("aws kms list-keys --").contains(&"--max-items".to_string()));
        assert_eq!(
            complete("aws kms list-keys --output t"),
            vec!["text", "table"]
        );
    }

    #[test]
    fn difflib() {
        assert!(
            close_matches(
                "list-key",
                &["list-keys".to_string(), "list-aliases".to_string()]
            ) == vec!["list-keys".to_string()]
        );
    }
}
