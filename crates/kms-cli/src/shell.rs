//! Shell-like splitting of a command line as a CloudShell terminal reads it: words separated by
//! blanks, `'...'` taken literally, `"..."` with `\` escaping `"`, `\`, `$` and `` ` ``, an
//! unquoted `\` escaping the next character, `#` starting a comment, and `> file` / `>> file`
//! sending standard output to a file of the page's file area. Pipes and other redirections are
//! refused: the page has no other programs to run.

use crate::CliError;

/// Where a command's standard output goes instead of the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// The file area's name for the file (`./` and `~/` dropped).
    pub path: String,
    /// `>>`: append rather than replace.
    pub append: bool,
}

/// A command line split into words, with its output redirection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Line {
    pub words: Vec<String>,
    pub redirect: Option<Redirect>,
}

/// The file area's name for a path as a learner types it: `./note.txt`, `~/note.txt` and
/// `note.txt` are one file.
pub fn normalize_path(path: &str) -> String {
    let mut p = path;
    loop {
        if let Some(rest) = p.strip_prefix("./") {
            p = rest;
        } else if let Some(rest) = p.strip_prefix("~/") {
            p = rest;
        } else if let Some(rest) = p.strip_prefix("/home/cloudshell-user/") {
            p = rest;
        } else {
            break;
        }
    }
    p.to_string()
}

enum Token {
    Word(String),
    Redirect { append: bool },
}

/// Splits a command line as bash would (without expansions).
pub fn split(line: &str) -> Result<Line, CliError> {
    let chars: Vec<char> = line.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '#' {
            break;
        }
        if c == '|' || c == ';' || c == '&' || c == '<' {
            let what = if c == '|' {
                "pipes"
            } else if c == '<' {
                "input redirection"
            } else {
                "command lists"
            };
            let mut message = format!(
                "-bash: {what} are not supported in this terminal: run one aws command at a time"
            );
            // `... --query CiphertextBlob | base64 --decode > ct.bin`: a file:// of the base64
            // text is a blob argument the CLI decodes itself, here and in CLI v2.
            let rest: String = chars[i + 1..].iter().collect();
            if c == '|' && rest.trim_start().starts_with("base64") {
                message.push_str(
                    "\nhint: write the base64 to a file: --output text --query CiphertextBlob > ct.b64\
                     \n      and read it back: aws kms decrypt --ciphertext-blob file://ct.b64",
                );
            }
            return Err(CliError::shell(message));
        }
        // `>`, `>>`, `1>`, `1>>`.
        let redirect_at = if c == '>' {
            Some(i)
        } else if c == '1' && chars.get(i + 1) == Some(&'>') {
            Some(i + 1)
        } else {
            None
        };
        if let Some(at) = redirect_at {
            let append = chars.get(at + 1) == Some(&'>');
            i = at + if append { 2 } else { 1 };
            tokens.push(Token::Redirect { append });
            continue;
        }
        if c == '2' && chars.get(i + 1) == Some(&'>') {
            return Err(CliError::shell(
                "-bash: only standard output can be redirected in this terminal (> file)",
            ));
        }
        let mut word = String::new();
        while i < chars.len() {
            let c = chars[i];
            if c.is_whitespace() || matches!(c, '|' | ';' | '&' | '<' | '>') {
                break;
            }
            match c {
                '\'' => {
                    let Some(end) = chars[i + 1..].iter().position(|&x| x == '\'') else {
                        return Err(unterminated('\''));
                    };
                    word.extend(&chars[i + 1..i + 1 + end]);
                    i += end + 2;
                }
                '"' => {
                    i += 1;
                    loop {
                        let Some(&c) = chars.get(i) else {
                            return Err(unterminated('"'));
                        };
                        if c == '"' {
                            i += 1;
                            break;
                        }
                        if c == '\\' {
                            match chars.get(i + 1) {
                                Some(&n) if matches!(n, '"' | '\\' | '$' | '`') => {
                                    word.push(n);
                                    i += 2;
                                    continue;
                                }
                                Some('\n') => {
                                    i += 2;
                                    continue;
                                }
                                _ => {}
                            }
                        }
                        word.push(c);
                        i += 1;
                    }
                }
                '\\' => {
                    match chars.get(i + 1) {
                        Some('\n') => {}
                        Some(&n) => word.push(n),
                        None => {}
                    }
                    i += 2;
                }
                _ => {
                    word.push(c);
                    i += 1;
                }
            }
        }
        tokens.push(Token::Word(word));
    }
    let mut out = Line::default();
    let mut it = tokens.into_iter();
    while let Some(t) = it.next() {
        match t {
            Token::Word(w) => out.words.push(w),
            Token::Redirect { append } => match it.next() {
                Some(Token::Word(path)) if !path.is_empty() => {
                    out.redirect = Some(Redirect {
                        path: normalize_path(&path),
                        append,
                    });
                }
                _ => {
                    return Err(CliError::shell(
                        "-bash: syntax error near unexpected token `newline'",
                    ))
                }
            },
        }
    }
    Ok(out)
}

fn unterminated(quote: char) -> CliError {
    CliError::shell(format!(
        "-bash: unexpected EOF while looking for matching `{quote}'"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_quotes_escapes() {
        let l = split(r#"aws kms list-aliases --query 'Aliases[?starts_with(AliasName, `alias/aws/`)].AliasName' --output text"#).unwrap();
        assert_eq!(
            l.words[4],
            "Aliases[?starts_with(AliasName, `alias/aws/`)].AliasName"
        );
        let l = split(r#"a "b \"c\" \n" d\ e f\\g"#).unwrap();
        assert_eq!(l.words, vec!["a", "b \"c\" \\n", "d e", "f\\g"]);
        let l = split("a '' b # comment").unwrap();
        assert_eq!(l.words, vec!["a", "", "b"]);
    }

    #[test]
    fn redirection() {
        let l = split("aws kms encrypt --output text > ./out.b64").unwrap();
        assert_eq!(l.words.len(), 5);
        assert_eq!(
            l.redirect,
            Some(Redirect {
                path: "out.b64".into(),
                append: false
            })
        );
        let l = split("aws sts get-caller-identity>>~/who.json").unwrap();
        assert_eq!(
            l.redirect,
            Some(Redirect {
                path: "who.json".into(),
                append: true
            })
        );
        assert!(split("aws kms list-keys >").is_err());
        assert!(split("aws kms list-keys | jq").is_err());
        assert!(split("echo 'abc").is_err());
    }
}
