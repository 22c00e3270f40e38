//! `aws <service> wait <waiter>`: botocore's waiters (waiters-2.json) over the operations the
//! sandbox answers. The sandbox finishes every operation before it answers, so a state the
//! waiter would poll again (`retry`, or no acceptor matched) cannot change by waiting: the waiter
//! stops after one attempt with botocore's "Max attempts exceeded".

use crate::doc::Doc;
use crate::query::Query;
use serde_json::Value;

pub use crate::data::{Acceptor, Waiter};

/// A waiter as the invocation carries it: its model name (`StackCreateComplete`).
#[derive(Debug, Clone)]
pub struct Wait {
    pub name: String,
    pub waiter: Waiter,
}

/// What the one attempt answered: the output, or an error's code and message.
pub enum Answer<'a> {
    Output(&'a Doc),
    Error { code: &'a str, message: &'a str },
}

fn expected_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        other => other.to_string(),
    }
}

impl Acceptor {
    /// botocore's `explanation` of a matched acceptor.
    fn explanation(&self) -> String {
        let arg = self.argument.as_deref().unwrap_or("");
        let exp = expected_str(&self.expected);
        match self.matcher.as_str() {
            "path" => format!("For expression \"{arg}\" we matched expected path: \"{exp}\""),
            "pathAll" => {
                format!("For expression \"{arg}\" all members matched expected path: \"{exp}\"")
            }
            "pathAny" => format!(
                "For expression \"{arg}\" we matched expected path: \"{exp}\" at least once"
            ),
            "status" => format!("Matched expected HTTP status code: {exp}"),
            _ => format!("Matched expected service error code: {exp}"),
        }
    }

    fn matches(&self, answer: &Answer) -> bool {
        let expected = Doc::from_json(&self.expected);
        match (self.matcher.as_str(), answer) {
            ("error", Answer::Error { code, .. }) => self.expected.as_str() == Some(code),
            ("status", Answer::Output(_)) => self.expected.as_i64() == Some(200),
            ("status", Answer::Error { .. }) => false,
            (_, Answer::Error { .. }) | ("error", _) => false,
            (matcher, Answer::Output(doc)) => {
                let Ok(q) = Query::compile(self.argument.as_deref().unwrap_or("@")) else {
                    return false;
                };
                let found = q.search(doc, &[]);
                match (matcher, found) {
                    ("path", found) => found == expected,
                    ("pathAll", Doc::List(l)) => !l.is_empty() && l.iter().all(|x| *x == expected),
                    ("pathAny", Doc::List(l)) => l.contains(&expected),
                    _ => false,
                }
            }
        }
    }
}

impl Wait {
    /// The waiter's verdict on the attempt: `None` when it succeeded (the CLI prints nothing),
    /// else the CLI's `Waiter X failed: ...` line.
    pub fn verdict(&self, answer: &Answer) -> Option<String> {
        let matched = self.waiter.acceptors.iter().find(|a| a.matches(answer));
        let reason = match (matched, answer) {
            (Some(a), _) if a.state == "success" => return None,
            (Some(a), _) if a.state == "failure" => format!(
                "Waiter encountered a terminal failure state: {}",
                a.explanation()
            ),
            (None, Answer::Error { code, message }) => {
                format!("An error occurred ({code}): {message}")
            }
            (Some(a), _) => format!(
                "Max attempts exceeded. Previously accepted state: {}",
                a.explanation()
            ),
            (None, _) => "Max attempts exceeded".to_string(),
        };
        Some(format!("Waiter {} failed: {reason}", self.name))
    }
}
