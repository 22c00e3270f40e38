//! Pagination as the CLI does it (botocore's PageIterator): every page fetched until the
//! service says there are no more, `--page-size` as the operation's limit, `--max-items` cutting
//! the result (and a `NextToken` to resume from), `--starting-token` resuming. Tokens are
//! botocore's: base64 of `{"Marker": "...", "boto_truncate_amount": n}`.

use crate::data::Paginator;
use crate::doc::Doc;
use crate::{CliError, Paging};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;

/// A starting token: the input tokens' values and how many items of the first page to skip.
fn decode_token(p: &Paginator, token: &str) -> (Vec<(String, Option<String>)>, usize) {
    if let Ok(bytes) = STANDARD.decode(token) {
        if let Ok(Value::Object(o)) = serde_json::from_slice::<Value>(&bytes) {
            let skip = o
                .get("boto_truncate_amount")
                .and_then(Value::as_u64)
                .unwrap_or(0) as usize;
            let values = p
                .input_token
                .iter()
                .map(|k| {
                    (
                        k.clone(),
                        o.get(k).and_then(Value::as_str).map(str::to_string),
                    )
                })
                .collect();
            return (values, skip);
        }
    }
    // botocore's older form: `token___token___index`.
    let mut parts: Vec<&str> = token.split("___").collect();
    let mut skip = 0;
    if parts.len() == p.input_token.len() + 1 {
        if let Ok(n) = parts[parts.len() - 1].parse() {
            skip = n;
            parts.pop();
        }
    }
    let values = p
        .input_token
        .iter()
        .zip(
            parts
                .iter()
                .map(|s| s.to_string())
                .chain(std::iter::repeat(String::new())),
        )
        .map(|(k, v)| {
            (
                k.clone(),
                if v.is_empty() || v == "None" {
                    None
                } else {
                    Some(v)
                },
            )
        })
        .collect();
    (values, skip)
}

/// botocore's TokenEncoder: Python's `json.dumps` of the token, base64.
fn encode_token(values: &[(String, Option<String>)], truncate: Option<usize>) -> String {
    let mut parts: Vec<String> = values
        .iter()
        .map(|(k, v)| {
            let mut key = String::new();
            crate::format::json_string(&mut key, k);
            let value = match v {
                Some(v) => {
                    let mut s = String::new();
                    crate::format::json_string(&mut s, v);
                    s
                }
                None => "null".into(),
            };
            format!("{key}: {value}")
        })
        .collect();
    if let Some(n) = truncate {
        parts.push(format!("\"boto_truncate_amount\": {n}"));
    }
    STANDARD.encode(format!("{{{}}}", parts.join(", ")))
}

/// Puts `--page-size` and `--starting-token` into the first request.
pub fn inject_first(p: &Paginator, paging: &Paging, input: &mut Value) -> Result<(), CliError> {
    let Value::Object(o) = input else {
        return Ok(());
    };
    if let (Some(size), Some(limit)) = (paging.page_size, &p.limit_key) {
        o.insert(limit.clone(), Value::from(size));
    }
    if let Some(token) = &paging.starting_token {
        for (k, v) in decode_token(p, token).0 {
            if let Some(v) = v {
                o.insert(k, Value::String(v));
            }
        }
    }
    Ok(())
}

fn next_tokens(p: &Paginator, page: &Value) -> Option<Vec<(String, Option<String>)>> {
    if let Some(more) = &p.more_results {
        if !page
            .get(more)
            .is_some_and(|v| v.as_bool().unwrap_or(!v.is_null()))
        {
            return None;
        }
    }
    let tokens: Vec<(String, Option<String>)> = p
        .output_token
        .iter()
        .zip(&p.input_token)
        .map(|(out, inp)| {
            let v = page
                .get(out)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            (inp.clone(), v)
        })
        .collect();
    if tokens.iter().all(|(_, v)| v.is_none()) {
        None
    } else {
        Some(tokens)
    }
}

fn result_len(p: &Paginator, page: &Value) -> usize {
    p.result_key
        .first()
        .and_then(|k| page.get(k))
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

type Tokens = Vec<(String, Option<String>)>;

/// Where botocore's PageIterator is after `pages`.
enum After {
    /// It stops (no more pages, or `--max-items` reached).
    Done,
    /// It asks for the next page with these tokens (`None` before the first page).
    Next(Option<Tokens>),
    /// The service gave the same next token twice in a row: a PaginationError.
    Repeated(Tokens),
}

fn walk(p: &Paginator, paging: &Paging, pages: &[Value]) -> After {
    let skip = paging
        .starting_token
        .as_deref()
        .map_or(0, |t| decode_token(p, t).1);
    let mut total = 0usize;
    let mut previous: Option<Tokens> = None;
    let mut next = None;
    for (i, page) in pages.iter().enumerate() {
        let n = if i == 0 {
            result_len(p, page).saturating_sub(skip)
        } else {
            result_len(p, page)
        };
        if let Some(max) = paging.max_items {
            if (total + n) as i64 >= max {
                return After::Done;
            }
        }
        total += n;
        let Some(tokens) = next_tokens(p, page) else {
            return After::Done;
        };
        if previous.as_ref() == Some(&tokens) {
            return After::Repeated(tokens);
        }
        previous = Some(tokens.clone());
        next = Some(tokens);
    }
    After::Next(next)
}

/// botocore's PaginationError when the service repeated its next token (the pages before it,
/// and the one that repeated it, were yielded first).
pub fn repeated_token(p: &Paginator, paging: &Paging, pages: &[Value]) -> Option<String> {
    match walk(p, paging, pages) {
        After::Repeated(tokens) => {
            let dict = Doc::Map(
                tokens
                    .into_iter()
                    .map(|(k, v)| (k, v.map_or(Doc::Null, Doc::Str)))
                    .collect(),
            );
            Some(format!(
                "Error during pagination: The same next token was received twice: {}",
                crate::format::python_repr(&dict)
            ))
        }
        _ => None,
    }
}

/// The request after `pages`, or `None` when the CLI stops.
pub fn next_request(
    p: &Paginator,
    paging: &Paging,
    input: &Value,
    pages: &[Value],
) -> Option<Value> {
    let After::Next(next) = walk(p, paging, pages) else {
        return None;
    };
    let mut request = input.clone();
    if let (Value::Object(o), Some(tokens)) = (&mut request, next) {
        for (k, v) in tokens {
            match v {
                Some(v) => o.insert(k, Value::String(v)),
                None => o.remove(&k),
            };
        }
    }
    Some(request)
}

fn set_list(page: &mut Doc, key: &str, list: Vec<Doc>) {
    page.set(key, Doc::List(list));
}

/// The pages as the paginator yields them (the first cut by the starting token, the last by
/// `--max-items`) and the token to resume from.
pub fn process(p: &Paginator, paging: &Paging, mut pages: Vec<Doc>) -> (Vec<Doc>, Option<String>) {
    let primary = p.result_key.first().cloned().unwrap_or_default();
    let (start_tokens, skip) = match &paging.starting_token {
        Some(t) => {
            let (v, s) = decode_token(p, t);
            (Some(v), s)
        }
        None => (None, 0),
    };
    let mut current_tokens: Vec<(String, Option<String>)> =
        start_tokens.unwrap_or_else(|| p.input_token.iter().map(|k| (k.clone(), None)).collect());
    let mut total = 0usize;
    let mut out = Vec::new();
    let mut resume = None;
    let count = pages.len();
    for (i, mut page) in pages.drain(..).enumerate() {
        let mut starting = 0;
        if i == 0 && paging.starting_token.is_some() {
            starting = skip;
            if let Some(Doc::List(l)) = page.get(&primary).cloned() {
                set_list(&mut page, &primary, l.into_iter().skip(skip).collect());
            }
            for rk in p.result_key.iter().skip(1) {
                let empty = match page.get(rk) {
                    Some(Doc::List(_)) => Doc::List(Vec::new()),
                    Some(Doc::Str(_)) => Doc::Str(String::new()),
                    Some(Doc::Int(_)) => Doc::Int(0),
                    _ => Doc::Null,
                };
                page.set(rk, empty);
            }
        }
        let items = match page.get(&primary) {
            Some(Doc::List(l)) => l.clone(),
            _ => Vec::new(),
        };
        let n = items.len();
        if let Some(max) = paging.max_items {
            let over = (total + n) as i64 - max;
            if over > 0 {
                let keep = n - over as usize;
                set_list(&mut page, &primary, items.into_iter().take(keep).collect());
                resume = Some(encode_token(&current_tokens, Some(keep + starting)));
                out.push(page);
                break;
            }
        }
        total += n;
        let wire = page.to_json();
        let next = next_tokens(p, &wire);
        out.push(page);
        match next {
            None => break,
            Some(tokens) => {
                if paging.max_items.is_some_and(|m| total as i64 == m) {
                    resume = Some(encode_token(&tokens, None));
                    break;
                }
                current_tokens = tokens;
            }
        }
        let _ = count;
    }
    (out, resume)
}

/// The non-aggregate keys of the first page.
pub fn non_aggregate(p: &Paginator, first: &Doc) -> Doc {
    let mut out = Doc::Map(Vec::new());
    for k in &p.non_aggregate_keys {
        if let Some(v) = first.get(k) {
            out.set(k, v.clone());
        }
    }
    out
}

/// botocore's `build_full_result`: the result keys of every page joined, the non-aggregate keys
/// of the first, and `NextToken` when `--max-items` cut the result.
pub fn full_result(p: &Paginator, pages: &[Doc], resume: Option<String>) -> Doc {
    let mut complete = Doc::Map(Vec::new());
    for page in pages {
        for rk in &p.result_key {
            let Some(value) = page.get(rk) else { continue };
            if matches!(value, Doc::Null) {
                continue;
            }
            match (complete.get_mut(rk), value) {
                (None, v) => complete.set(rk, v.clone()),
                (Some(Doc::List(existing)), Doc::List(more)) => {
                    existing.extend(more.iter().cloned())
                }
                (Some(Doc::Int(a)), Doc::Int(b)) => *a += b,
                (Some(Doc::Str(a)), Doc::Str(b)) => a.push_str(b),
                _ => {}
            }
        }
    }
    if let Some(first) = pages.first() {
        if let Doc::Map(extra) = non_aggregate(p, first) {
            for (k, v) in extra {
                if complete.get(&k).is_none() {
                    complete.set(&k, v);
                }
            }
        }
    }
    if let Some(token) = resume {
        complete.set("NextToken", Doc::Str(token));
    }
    complete
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kms_list_keys() -> Paginator {
        Paginator {
            input_token: vec!["Marker".into()],
            output_token: vec!["NextMarker".into()],
            limit_key: Some("Limit".into()),
            more_results: Some("Truncated".into()),
            result_key: vec!["Keys".into()],
            non_aggregate_keys: vec![],
        }
    }

    #[test]
    fn tokens_round_trip() {
        let p = kms_list_keys();
        let t = encode_token(&[("Marker".into(), Some("abc".into()))], Some(2));
        assert_eq!(
            String::from_utf8(STANDARD.decode(&t).unwrap()).unwrap(),
            r#"{"Marker": "abc", "boto_truncate_amount": 2}"#
        );
        assert_eq!(
            decode_token(&p, &t),
            (vec![("Marker".into(), Some("abc".into()))], 2)
        );
        assert_eq!(
            decode_token(&p, "raw"),
            (vec![("Marker".into(), Some("raw".into()))], 0)
        );
    }
}
