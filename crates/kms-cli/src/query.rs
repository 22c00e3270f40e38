//! `--query`: JMESPath (the `jmespath` crate) over the answer. The crate's objects are sorted
//! maps, while the CLI (Python) keeps key order: a result's objects get back the order of the
//! multiselect hash that built them (`{Id: KeyId, Arn: Arn}`), or the model's member order when
//! their keys are those of one of the answer's structures.

use crate::doc::Doc;

pub struct Query {
    pub text: String,
    expr: jmespath::Expression<'static>,
    hashes: Vec<Vec<String>>,
}

impl std::fmt::Debug for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Query({:?})", self.text)
    }
}

impl Query {
    pub fn compile(text: &str) -> Result<Query, String> {
        let expr = jmespath::compile(&legacy_literals(text)).map_err(|e| syntax_error(text, &e))?;
        Ok(Query {
            text: text.to_string(),
            expr,
            hashes: multiselect_keys(text),
        })
    }

    /// Runs the query; `orders` are the member orders of the answer's structures. A failure
    /// (`null` for the waiters, which only compare) is [`Query::try_search`]'s.
    pub fn search(&self, doc: &Doc, orders: &[Vec<String>]) -> Doc {
        self.try_search(doc, orders).unwrap_or(Doc::Null)
    }

    /// Runs the query, or says why it failed as Python's jmespath does (the CLI prints it and
    /// exits 255): an unknown function, a value of the wrong type, the wrong number of arguments.
    pub fn try_search(&self, doc: &Doc, orders: &[Vec<String>]) -> Result<Doc, String> {
        use jmespath::{ErrorReason, RuntimeError};
        let json = doc.to_json();
        let result = self.expr.search(&json).map_err(|e| {
            // The function the error is in: the name before the `(` nearest the offset.
            let text = &e.expression;
            let upto = text.get(..e.offset.min(text.len())).unwrap_or(text);
            let open = upto.rfind('(').or_else(|| text[upto.len()..].find('(').map(|i| i + upto.len()));
            let name = open
                .map(|i| {
                    let head = &text[..i];
                    let start = head
                        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .map_or(0, |j| j + 1);
                    head[start..].to_string()
                })
                .unwrap_or_default();
            match &e.reason {
                ErrorReason::Runtime(RuntimeError::UnknownFunction(f)) => {
                    format!("Unknown function: {f}()")
                }
                ErrorReason::Runtime(RuntimeError::InvalidType {
                    expected, actual, ..
                }) => {
                    // Python lists the types as ['string', 'array']; the value itself is not
                    // known here, so its type stands for it.
                    let types: Vec<String> =
                        expected.split('|').map(|t| format!("'{t}'")).collect();
                    format!(
                        "In function {name}(), invalid type for value: {actual}, expected one of: [{}], received: \"{actual}\"",
                        types.join(", ")
                    )
                }
                ErrorReason::Runtime(RuntimeError::TooManyArguments { expected, actual })
                | ErrorReason::Runtime(RuntimeError::NotEnoughArguments { expected, actual }) => {
                    let s = if *expected == 1 { "" } else { "s" };
                    format!("Expected {expected} argument{s} for function {name}(), received {actual}")
                }
                _ => e.to_string(),
            }
        })?;
        let value = serde_json::to_value(&*result).unwrap_or(serde_json::Value::Null);
        // The answer's own objects keep their key order too (a decoded template, a policy).
        let mut all = orders.to_vec();
        key_orders(doc, &mut all);
        Ok(reorder(Doc::from_json(&value), &self.hashes, &all))
    }
}

/// A syntax error in jmespath.py's words where they map simply: its LexerError for an unclosed
/// quote or literal, and its IncompleteExpressionError for an expression that ends where a
/// token was due. Other errors keep the crate's wording: jmespath.py words them per token.
fn syntax_error(text: &str, e: &jmespath::JmespathError) -> String {
    let jmespath::ErrorReason::Parse(msg) = &e.reason else {
        return e.to_string();
    };
    // An unclosed token runs to the end of the expression, so its tail locates it in `text`
    // (the crate's offset is into the rewritten legacy literals).
    if let Some((delim, tail)) = msg
        .strip_prefix("Unclosed ")
        .and_then(|m| m.split_once(" delimiter: "))
    {
        let column = text.chars().count().saturating_sub(tail.chars().count());
        return format!(
            "Bad jmespath expression: Unclosed {delim} delimiter:\n{text}\n{}^",
            " ".repeat(column)
        );
    }
    // jmespath.py parses a slice (`[1:`) and what follows a dot itself, with errors of their own.
    let in_slice = text.rsplit('[').next().is_some_and(|s| s.contains(':'));
    let own_error = msg.starts_with("Expected identifier")
        || msg.starts_with("Expected number, ':', or ']'")
        || (msg.starts_with("Expected ':', or ']'") && in_slice);
    if msg.ends_with("-- found Eof") && !own_error {
        return format!(
            "Invalid jmespath expression: Incomplete expression:\n\"{text}\"\n{}^",
            " ".repeat(text.chars().count() + 1)
        );
    }
    e.to_string()
}

/// The key order of every object in `doc`.
fn key_orders(doc: &Doc, out: &mut Vec<Vec<String>>) {
    match doc {
        Doc::Map(m) => {
            out.push(m.iter().map(|(k, _)| k.clone()).collect());
            m.iter().for_each(|(_, v)| key_orders(v, out));
        }
        Doc::List(l) => l.iter().for_each(|v| key_orders(v, out)),
        _ => {}
    }
}

fn reorder(doc: Doc, hashes: &[Vec<String>], orders: &[Vec<String>]) -> Doc {
    match doc {
        Doc::List(l) => Doc::List(l.into_iter().map(|x| reorder(x, hashes, orders)).collect()),
        Doc::Map(m) => {
            let m: Vec<(String, Doc)> = m
                .into_iter()
                .map(|(k, v)| (k, reorder(v, hashes, orders)))
                .collect();
            let same = |keys: &Vec<String>| {
                keys.len() == m.len() && m.iter().all(|(k, _)| keys.contains(k))
            };
            let subset = |keys: &Vec<String>| m.iter().all(|(k, _)| keys.contains(k));
            let order = hashes
                .iter()
                .find(|h| same(h))
                .or_else(|| orders.iter().find(|o| subset(o)));
            match order {
                Some(order) => {
                    let mut m = m;
                    m.sort_by_key(|(k, _)| order.iter().position(|o| o == k).unwrap_or(usize::MAX));
                    Doc::Map(m)
                }
                None => Doc::Map(m),
            }
        }
        other => other,
    }
}

/// Python's jmespath (the CLI's) still reads a JSON literal that is not JSON as a string
/// (`` `alias/aws/` ``, deprecated but everywhere in AWS's examples); the crate does not, so
/// such literals are quoted first.
fn legacy_literals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' || c == '"' {
            // Raw strings and quoted identifiers pass through.
            out.push(c);
            i += 1;
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    out.push(chars[i]);
                    i += 1;
                }
                out.push(chars[i]);
                i += 1;
            }
            if i < chars.len() {
                out.push(chars[i]);
                i += 1;
            }
            continue;
        }
        if c != '`' {
            out.push(c);
            i += 1;
            continue;
        }
        let mut content = String::new();
        let mut j = i + 1;
        while j < chars.len() && chars[j] != '`' {
            if chars[j] == '\\' && chars.get(j + 1) == Some(&'`') {
                content.push('`');
                j += 2;
                continue;
            }
            content.push(chars[j]);
            j += 1;
        }
        if j >= chars.len() || serde_json::from_str::<serde_json::Value>(content.trim()).is_ok() {
            out.extend(&chars[i..j.min(chars.len())]);
            if j < chars.len() {
                out.push('`');
            }
        } else {
            let quoted = serde_json::Value::String(content).to_string();
            out.push('`');
            out.push_str(&quoted.replace('`', "\\`"));
            out.push('`');
        }
        i = j + 1;
    }
    out
}

/// The key lists of the expression's multiselect hashes (`{a: x, b: y}`), in written order.
fn multiselect_keys(text: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut stack: Vec<(char, Vec<String>, usize)> = Vec::new(); // (bracket, keys, start of item)
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '`' | '\'' | '"' => {
                // Skip literals and quoted identifiers (a quoted key is still a key).
                let start = i;
                i += 1;
                while i < chars.len() && chars[i] != c {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if c == '"' {
                    if let Some((_, keys, item)) = stack.last_mut() {
                        if *item == start {
                            let k: String = chars[start + 1..i.min(chars.len())].iter().collect();
                            keys.push(k);
                            *item = usize::MAX;
                        }
                    }
                }
            }
            '{' => stack.push(('{', Vec::new(), i + 1)),
            '[' | '(' => stack.push((c, Vec::new(), usize::MAX)),
            '}' | ']' | ')' => {
                if let Some((b, keys, _)) = stack.pop() {
                    if b == '{' && !keys.is_empty() {
                        out.push(keys);
                    }
                }
            }
            ',' => {
                if let Some((b, _, item)) = stack.last_mut() {
                    if *b == '{' {
                        *item = i + 1;
                    }
                }
            }
            c if c.is_whitespace() => {
                if let Some((_, _, item)) = stack.last_mut() {
                    if *item == i {
                        *item = i + 1;
                    }
                }
            }
            c if c.is_alphanumeric() || c == '_' => {
                let start = i;
                while i + 1 < chars.len() && (chars[i + 1].is_alphanumeric() || chars[i + 1] == '_')
                {
                    i += 1;
                }
                if let Some((b, keys, item)) = stack.last_mut() {
                    if *b == '{' && *item == start {
                        keys.push(chars[start..=i].iter().collect());
                        *item = usize::MAX;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::parse_json;

    #[test]
    fn hash_keys() {
        assert_eq!(
            multiselect_keys("KeyMetadata.{Id: KeyId, Arn: Arn}"),
            vec![vec!["Id".to_string(), "Arn".to_string()]]
        );
        assert_eq!(
            multiselect_keys("Aliases[].{N: AliasName, \"T k\": TargetKeyId}"),
            vec![vec!["N".to_string(), "T k".to_string()]]
        );
    }

    #[test]
    fn queries() {
        let d = parse_json(r#"{"Aliases": [{"AliasName": "alias/aws/ebs", "TargetKeyId": "1"}, {"AliasName": "alias/demo", "TargetKeyId": "2"}]}"#).unwrap();
        let q = Query::compile("Aliases[?starts_with(AliasName, `alias/aws/`)].AliasName").unwrap();
        assert_eq!(
            q.search(&d, &[]),
            Doc::List(vec![Doc::Str("alias/aws/ebs".into())])
        );
        let q = Query::compile("Aliases[].{Z: AliasName, A: TargetKeyId}").unwrap();
        let Doc::List(l) = q.search(&d, &[]) else {
            panic!()
        };
        let Doc::Map(m) = &l[0] else { panic!() };
        assert_eq!(m[0].0, "Z");
        assert!(Query::compile("Aliases[").is_err());
    }
}
