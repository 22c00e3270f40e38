//! The terminal page's pure logic (`#/cli`): command history, profiles named after the sandbox's
//! principals, snippets turned into one command line, the file area's storage form and the
//! completion of a partial line. No DOM here: `cargo test -p kms-console` tests it natively.

use base64::Engine;
use std::collections::BTreeMap;

/// The terminal's prompt.
pub const PROMPT: &str = "[cloudshell-user@sandbox ~]$";

/// The sessionStorage key of the file area.
pub const FILES_KEY: &str = "kms-cli-files";
/// The sessionStorage key of a command an "Open in terminal" button leaves for the terminal.
pub const PREFILL_KEY: &str = "kms-cli-prefill";

/// The commands typed so far, browsed with the up and down arrows as bash does: up goes back,
/// down comes forward and past the newest returns the line being typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    lines: Vec<String>,
    /// Where the arrows are: `None` is the line being typed.
    cursor: Option<usize>,
    /// The line being typed when the arrows were first pressed.
    draft: String,
}

impl History {
    /// A command was run: it goes at the end (not twice in a row, not when blank).
    pub fn push(&mut self, line: &str) {
        let line = line.trim();
        if !line.is_empty() && self.lines.last().map(String::as_str) != Some(line) {
            self.lines.push(line.to_string());
        }
        self.cursor = None;
        self.draft.clear();
    }

    /// ArrowUp: the previous command, if any.
    pub fn up(&mut self, current: &str) -> Option<String> {
        let next = match self.cursor {
            None if self.lines.is_empty() => return None,
            None => {
                self.draft = current.to_string();
                self.lines.len() - 1
            }
            Some(0) => return None,
            Some(i) => i - 1,
        };
        self.cursor = Some(next);
        Some(self.lines[next].clone())
    }

    /// ArrowDown: the next command, or the line that was being typed.
    pub fn down(&mut self) -> Option<String> {
        let i = self.cursor?;
        if i + 1 < self.lines.len() {
            self.cursor = Some(i + 1);
            Some(self.lines[i + 1].clone())
        } else {
            self.cursor = None;
            Some(std::mem::take(&mut self.draft))
        }
    }
}

/// The profiles the terminal offers: each IAM user and role of the sandbox under its name (a
/// role's path dropped), to the principal's ARN. A name taken twice (a user and a role) keeps
/// the first, in ARN order; `default` stays the console's own caller.
pub fn profiles(principals: &[(String, &str)]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (arn, _) in principals {
        let name = arn.rsplit('/').next().unwrap_or(arn);
        if name != "default" && !name.is_empty() {
            out.entry(name.to_string()).or_insert_with(|| arn.clone());
        }
    }
    out
}

/// A snippet as the console shows it (`aws kms ... \` continued over lines) as one command line
/// for the terminal's input; of several commands, the first.
pub fn one_line(snippet: &str) -> String {
    pasted(snippet.split("\n\n").next().unwrap_or("").trim())
}

/// Text pasted into the one-line input as bash reads it: a backslash at the end of a line
/// continues the command on the next (the course's commands are printed that way), and any
/// other line break is a space (what the input would make of it).
pub fn pasted(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = String::new();
    let mut joining = false;
    for (i, line) in lines.iter().enumerate() {
        // A continued line's indent is not part of the command.
        let line = if joining { line.trim_start() } else { line };
        match continued(line).filter(|_| i + 1 < lines.len()) {
            Some(head) => {
                out.push_str(head.trim_end());
                out.push(' ');
                joining = true;
            }
            None => {
                out.push_str(line);
                if i + 1 < lines.len() {
                    out.push(' ');
                }
                joining = false;
            }
        }
    }
    out
}

/// A line that ends in an unescaped backslash continues on the next: the line without it.
pub fn continued(line: &str) -> Option<&str> {
    let slashes = line.len() - line.trim_end_matches('\\').len();
    (slashes % 2 == 1).then(|| &line[..line.len() - 1])
}

/// The file area as sessionStorage keeps it: a JSON object of names to base64.
pub fn files_to_json(files: &BTreeMap<String, Vec<u8>>) -> String {
    let map: serde_json::Map<String, serde_json::Value> = files
        .iter()
        .map(|(k, v)| {
            let b64 = base64::engine::general_purpose::STANDARD.encode(v);
            (k.clone(), serde_json::Value::String(b64))
        })
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// The file area back from sessionStorage (what does not read is dropped).
pub fn files_from_json(text: &str) -> BTreeMap<String, Vec<u8>> {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str(text) else {
        return BTreeMap::new();
    };
    map.into_iter()
        .filter_map(|(k, v)| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(v.as_str()?)
                .ok()?;
            Some((k, bytes))
        })
        .collect()
}

/// Writes a command's redirected stdout into the file area (`>` replaces, `>>` appends).
pub fn write_redirect(files: &mut BTreeMap<String, Vec<u8>>, path: &str, append: bool, out: &str) {
    let entry = files.entry(path.to_string()).or_default();
    if !append {
        entry.clear();
    }
    entry.extend_from_slice(out.as_bytes());
}

/// Tab on `line` given the completions of its last word: the line with the word completed as
/// far as every candidate agrees (a space after a single candidate), and the candidates to list
/// when more than one remains.
pub fn apply_completion(line: &str, candidates: &[String]) -> (String, Vec<String>) {
    if candidates.is_empty() {
        return (line.to_string(), Vec::new());
    }
    let start = if line.is_empty() || line.ends_with(char::is_whitespace) {
        line.len()
    } else {
        line.rfind(char::is_whitespace).map_or(0, |i| i + 1)
    };
    let head = &line[..start];
    if let [only] = candidates {
        return (format!("{head}{only} "), Vec::new());
    }
    let mut common = candidates[0].clone();
    for c in &candidates[1..] {
        let n = common
            .chars()
            .zip(c.chars())
            .take_while(|(a, b)| a == b)
            .count();
        common = common.chars().take(n).collect();
    }
    let current = &line[start..];
    let word = if common.len() > current.len() {
        common
    } else {
        current.to_string()
    };
    (format!("{head}{word}"), candidates.to_vec())
}

/// A file's size as the file area lists it.
pub fn human_size(bytes: usize) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_command_continued_over_lines_is_one_line() {
        let seed = "aws cloudformation create-stack \\\n    --stack-name MyKMSKeyStack \\\r\n    --template-body=file://create-kms-cf.yaml \\\n    --region ap-southeast-2";
        assert_eq!(
            pasted(seed),
            "aws cloudformation create-stack --stack-name MyKMSKeyStack --template-body=file://create-kms-cf.yaml --region ap-southeast-2"
        );
        // An escaped backslash ends no line; other line breaks are spaces; a trailing one stays.
        assert_eq!(pasted("echo a\\\\\nb"), "echo a\\\\ b");
        assert_eq!(pasted("aws kms list-keys \\"), "aws kms list-keys \\");
        assert_eq!(continued("aws kms \\"), Some("aws kms "));
        assert_eq!(continued("a\\\\"), None);
        assert_eq!(continued("plain"), None);
    }

    #[test]
    fn history_walks_back_and_forth_and_restores_the_draft() {
        let mut h = History::default();
        assert_eq!(h.up("x"), None);
        h.push("aws kms list-keys");
        h.push("aws kms list-keys");
        h.push("  ");
        h.push("aws kms list-aliases");
        // Blank lines and a repeat of the last line are not kept.
        assert_eq!(h.lines.len(), 2);
        assert_eq!(h.up("aws kms d").as_deref(), Some("aws kms list-aliases"));
        assert_eq!(h.up("").as_deref(), Some("aws kms list-keys"));
        assert_eq!(h.up(""), None);
        assert_eq!(h.down().as_deref(), Some("aws kms list-aliases"));
        assert_eq!(h.down().as_deref(), Some("aws kms d"));
        assert_eq!(h.down(), None);
    }

    #[test]
    fn profiles_are_named_after_users_and_roles() {
        let p = profiles(&[
            (
                "arn:aws:iam::111122223333:role/admin/KeyAdmin".into(),
                "role",
            ),
            ("arn:aws:iam::111122223333:user/alice".into(), "user"),
            ("arn:aws:iam::111122223333:user/default".into(), "user"),
        ]);
        assert_eq!(p.len(), 2);
        assert_eq!(
            p["KeyAdmin"],
            "arn:aws:iam::111122223333:role/admin/KeyAdmin"
        );
        assert_eq!(p["alice"], "arn:aws:iam::111122223333:user/alice");
    }

    #[test]
    fn a_snippet_becomes_one_line() {
        let s = crate::snippets::aws_cli(
            "eu-west-1",
            "DescribeKey",
            &serde_json::json!({"KeyId": "alias/demo"}),
        );
        assert_eq!(
            one_line(&s),
            "aws kms describe-key --key-id alias/demo --region eu-west-1"
        );
        assert_eq!(
            one_line("aws kms a \\\n    --b c\n\naws kms d"),
            "aws kms a --b c"
        );
    }

    #[test]
    fn files_round_trip_through_storage_and_redirects() {
        let mut files = BTreeMap::new();
        write_redirect(&mut files, "a.txt", false, "one\n");
        write_redirect(&mut files, "a.txt", true, "two\n");
        files.insert("b.bin".to_string(), vec![0, 255, 7]);
        let back = files_from_json(&files_to_json(&files));
        assert_eq!(back, files);
        assert_eq!(back["a.txt"], b"one\ntwo\n");
        write_redirect(&mut files, "a.txt", false, "three");
        assert_eq!(files["a.txt"], b"three");
        assert!(files_from_json("not json").is_empty());
    }

    #[test]
    fn tab_completes_the_common_prefix() {
        let c = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            apply_completion("aws kms create-al", &c(&["create-alias"])),
            ("aws kms create-alias ".to_string(), vec![])
        );
        let (line, list) = apply_completion("aws kms list-a", &c(&["list-aliases", "list-a2"]));
        assert_eq!(line, "aws kms list-a");
        assert_eq!(list.len(), 2);
        let (line, _) = apply_completion("aws kms g", &c(&["generate-data-key", "generate-mac"]));
        assert_eq!(line, "aws kms generate-");
        assert_eq!(apply_completion("aws x", &[]).0, "aws x");
        assert_eq!(apply_completion("aws ", &c(&["kms"])).0, "aws kms ");
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_size(12), "12 B");
        assert_eq!(human_size(2048), "2.0 KB");
    }
}
