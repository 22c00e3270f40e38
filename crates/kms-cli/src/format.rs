//! The CLI's output formats: `json` (Python's `json.dumps(indent=4, ensure_ascii=False)`), `text`
//! (tab-separated, awscli's text.py rules), `table` (awscli's table.py boxes) and `yaml` (a safe
//! dump in block style, keys sorted).

use crate::doc::{py_float, Doc};

// ---------------------------------------------------------------------------------------------
// json

pub fn json(doc: &Doc) -> String {
    let mut out = String::new();
    write_json(&mut out, doc, 0);
    out.push('\n');
    out
}

fn write_json(out: &mut String, doc: &Doc, level: usize) {
    match doc {
        Doc::Null => out.push_str("null"),
        Doc::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Doc::Int(i) => out.push_str(&i.to_string()),
        Doc::Float(f) => out.push_str(&if f.is_finite() {
            py_float(*f)
        } else if f.is_nan() {
            "NaN".into()
        } else if *f > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }),
        Doc::Str(s) => json_string(out, s),
        Doc::List(l) if l.is_empty() => out.push_str("[]"),
        Doc::Map(m) if m.is_empty() => out.push_str("{}"),
        Doc::List(l) => {
            out.push_str("[\n");
            for (i, v) in l.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                indent(out, level + 1);
                write_json(out, v, level + 1);
            }
            out.push('\n');
            indent(out, level);
            out.push(']');
        }
        Doc::Map(m) => {
            out.push_str("{\n");
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                indent(out, level + 1);
                json_string(out, k);
                out.push_str(": ");
                write_json(out, v, level + 1);
            }
            out.push('\n');
            indent(out, level);
            out.push('}');
        }
    }
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level * 4 {
        out.push(' ');
    }
}

pub fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

pub use crate::doc::python_repr;

// ---------------------------------------------------------------------------------------------
// text

pub fn text(doc: &Doc, out: &mut String) {
    text_item(doc, out, None, None);
}

fn text_item(
    doc: &Doc,
    out: &mut String,
    identifier: Option<&str>,
    scalar_keys: Option<&[String]>,
) {
    match doc {
        Doc::Map(m) => text_map(m, out, identifier, scalar_keys),
        Doc::List(l) => text_list(l, out, identifier),
        scalar => {
            out.push_str(&scalar.py_str());
            out.push('\n');
        }
    }
}

fn text_list(items: &[Doc], out: &mut String, identifier: Option<&str>) {
    if items.is_empty() {
        return;
    }
    if items.iter().any(|e| matches!(e, Doc::Map(_))) {
        let mut keys: Vec<String> = Vec::new();
        for e in items {
            if let Doc::Map(m) = e {
                for (k, v) in m {
                    if v.is_scalar() && !keys.contains(k) {
                        keys.push(k.clone());
                    }
                }
            }
        }
        keys.sort();
        for e in items {
            text_item(e, out, identifier, Some(&keys));
        }
    } else if items.iter().any(|e| matches!(e, Doc::List(_))) {
        let scalars: Vec<&Doc> = items.iter().filter(|e| e.is_scalar()).collect();
        if !scalars.is_empty() {
            text_scalars(&scalars, out, identifier);
        }
        for e in items.iter().filter(|e| !e.is_scalar()) {
            text_item(e, out, identifier, None);
        }
    } else {
        let all: Vec<&Doc> = items.iter().collect();
        text_scalars(&all, out, identifier);
    }
}

fn text_scalars(items: &[&Doc], out: &mut String, identifier: Option<&str>) {
    match identifier {
        Some(id) => {
            for e in items {
                out.push_str(&id.to_uppercase());
                out.push('\t');
                out.push_str(&e.py_str());
                out.push('\n');
            }
        }
        None => {
            out.push_str(
                &items
                    .iter()
                    .map(|e| e.py_str())
                    .collect::<Vec<_>>()
                    .join("\t"),
            );
            out.push('\n');
        }
    }
}

fn text_map(
    m: &[(String, Doc)],
    out: &mut String,
    identifier: Option<&str>,
    scalar_keys: Option<&[String]>,
) {
    let mut scalars: Vec<String> = Vec::new();
    let mut non_scalars: Vec<(&str, &Doc)> = Vec::new();
    match scalar_keys {
        None => {
            let mut sorted: Vec<&(String, Doc)> = m.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            for (k, v) in sorted {
                if v.is_scalar() {
                    scalars.push(v.py_str());
                } else {
                    non_scalars.push((k, v));
                }
            }
        }
        Some(keys) => {
            for k in keys {
                scalars.push(
                    m.iter()
                        .find(|(x, _)| x == k)
                        .map(|(_, v)| v.py_str())
                        .unwrap_or_default(),
                );
            }
            let mut rest: Vec<&(String, Doc)> =
                m.iter().filter(|(k, _)| !keys.contains(k)).collect();
            rest.sort_by(|a, b| a.0.cmp(&b.0));
            for (k, v) in rest {
                non_scalars.push((k, v));
            }
        }
    }
    if !scalars.is_empty() {
        if let Some(id) = identifier {
            scalars.insert(0, id.to_uppercase());
        }
        out.push_str(&scalars.join("\t"));
        out.push('\n');
    }
    for (k, v) in non_scalars {
        text_item(v, out, Some(k), None);
    }
}

// ---------------------------------------------------------------------------------------------
// table

/// table.py's get_text_length: two columns for a character whose East Asian Width is W, F or
/// A (ambiguous: é, °, curly quotes, Greek, Cyrillic...), one for any other.
fn text_len(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if crate::eaw::wide_or_ambiguous(c) {
                2
            } else {
                1
            }
        })
        .sum()
}

#[derive(Default)]
struct Section {
    title: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    indent: usize,
    max_widths: Vec<usize>,
}

impl Section {
    fn update_widths(&mut self, row: &[String]) {
        if self.max_widths.is_empty() {
            self.max_widths = row.iter().map(|e| text_len(e)).collect();
        } else {
            for (i, e) in row.iter().enumerate() {
                if let Some(w) = self.max_widths.get_mut(i) {
                    *w = (*w).max(text_len(e));
                }
            }
        }
    }

    fn add_header(&mut self, headers: Vec<String>) {
        self.update_widths(&headers);
        self.headers = headers;
    }

    fn add_row(&mut self, row: Vec<String>) {
        self.update_widths(&row);
        self.rows.push(row);
    }

    fn column_widths(&self, max_width: usize) -> Vec<usize> {
        let unscaled: Vec<usize> = self.max_widths.iter().map(|w| w + 4).collect();
        if unscaled.is_empty() {
            return unscaled;
        }
        let total: usize = unscaled.iter().sum();
        let scale = max_width as f64 / total as f64;
        let mut scaled: Vec<i64> = unscaled
            .iter()
            .map(|&w| round_half_even(scale * w as f64))
            .collect();
        let mut off_by: i64 = scaled.iter().sum::<i64>() - max_width as i64;
        while off_by != 0 {
            let order: Vec<usize> = if off_by < 0 {
                (0..scaled.len()).rev().collect()
            } else {
                (0..scaled.len()).collect()
            };
            for i in order {
                if off_by > 0 {
                    scaled[i] -= 1;
                    off_by -= 1;
                } else {
                    scaled[i] += 1;
                    off_by += 1;
                }
                if off_by == 0 {
                    break;
                }
            }
        }
        scaled.into_iter().map(|w| w.max(0) as usize).collect()
    }

    fn total_width(&self) -> usize {
        let total: usize =
            self.max_widths.iter().map(|w| w + 4).sum::<usize>() + 2 + 2 * self.indent;
        (text_len(&self.title) + 2 + 2 * self.indent).max(total)
    }
}

fn round_half_even(x: f64) -> i64 {
    let r = x.round();
    if (x - x.trunc()).abs() == 0.5 {
        let t = x.trunc();
        if (t as i64) % 2 == 0 {
            t as i64
        } else {
            r as i64
        }
    } else {
        r as i64
    }
}

fn center(text: &str, length: usize, left: &str, right: &str) -> String {
    let tl = text_len(text) as i64;
    let char_start = (length as i64 / 2) - (tl / 2) - 1;
    let mut s = String::new();
    s.push_str(left);
    s.push_str(&" ".repeat(char_start.max(0) as usize));
    s.push_str(text);
    let so_far = text_len(left) as i64 + char_start + tl;
    let right_spaces = length as i64 - text_len(right) as i64 - so_far;
    s.push_str(&" ".repeat(right_spaces.max(0) as usize));
    s.push_str(right);
    s
}

fn align_left(text: &str, length: usize, left: &str, right: &str) -> String {
    let tl = text_len(text);
    let computed = tl + 2 + text_len(left) + text_len(right);
    let padding = if length >= computed { 2 } else { 0 };
    let mut s = String::new();
    s.push_str(left);
    s.push_str(&" ".repeat(padding));
    s.push_str(text);
    let so_far = left.len() + padding + tl;
    s.push_str(&" ".repeat(length.saturating_sub(so_far + right.len())));
    s.push_str(right);
    s
}

struct Table {
    sections: Vec<Section>,
    width: usize,
}

impl Table {
    fn new_section(&mut self, title: &str, indent: usize) {
        self.sections.push(Section {
            title: title.to_string(),
            indent,
            ..Default::default()
        });
    }

    fn current(&mut self) -> &mut Section {
        self.sections.last_mut().expect("a section")
    }

    fn build(&mut self, title: Option<&str>, current: &Doc, indent: usize) -> bool {
        if !current.truthy() {
            return false;
        }
        if let Some(t) = title {
            self.new_section(t, indent);
        }
        match current {
            Doc::List(items) => {
                if matches!(items.first(), Some(Doc::Map(_))) {
                    self.sub_table_from_list(items, indent, title.unwrap_or(""));
                } else {
                    for item in items {
                        match item {
                            Doc::List(inner) if inner.iter().all(Doc::is_scalar) => self
                                .current()
                                .add_row(inner.iter().map(Doc::py_str).collect()),
                            Doc::List(_) | Doc::Map(_) => {
                                self.build(None, item, 0);
                            }
                            scalar => self.current().add_row(vec![scalar.py_str()]),
                        }
                    }
                }
            }
            Doc::Map(m) => self.sub_table_from_map(m, indent),
            _ => {}
        }
        true
    }

    fn group(m: &[(String, Doc)]) -> (Vec<String>, Vec<String>) {
        let mut headers: Vec<String> = m
            .iter()
            .filter(|(_, v)| v.is_scalar())
            .map(|(k, _)| k.clone())
            .collect();
        let mut more: Vec<String> = m
            .iter()
            .filter(|(_, v)| !v.is_scalar())
            .map(|(k, _)| k.clone())
            .collect();
        headers.sort();
        more.sort();
        (headers, more)
    }

    fn sub_table_from_map(&mut self, m: &[(String, Doc)], indent: usize) {
        let (headers, more) = Self::group(m);
        let get = |k: &str| m.iter().find(|(x, _)| x == k).map(|(_, v)| v).expect("key");
        if headers.len() == 1 {
            let row = vec![headers[0].clone(), get(&headers[0]).py_str()];
            self.current().add_row(row);
        } else if !headers.is_empty() {
            let row = headers.iter().map(|h| get(h).py_str()).collect();
            self.current().add_header(headers);
            self.current().add_row(row);
        }
        for k in more {
            self.build(Some(&k), get(&k), indent + 1);
        }
    }

    fn sub_table_from_list(&mut self, items: &[Doc], indent: usize, title: &str) {
        let mut headers: Vec<String> = Vec::new();
        let mut more: Vec<String> = Vec::new();
        for item in items {
            if let Doc::Map(m) = item {
                let (h, r) = Self::group(m);
                for x in h {
                    if !headers.contains(&x) {
                        headers.push(x);
                    }
                }
                for x in r {
                    if !more.contains(&x) {
                        more.push(x);
                    }
                }
            }
        }
        headers.sort();
        more.sort();
        self.current().add_header(headers.clone());
        let mut first = true;
        for item in items {
            if !first && !more.is_empty() {
                self.new_section(title, indent);
                self.current().add_header(headers.clone());
            }
            first = false;
            let row = headers
                .iter()
                .map(|h| item.get(h).map(Doc::py_str).unwrap_or_default())
                .collect();
            self.current().add_row(row);
            for k in &more {
                if let Some(v) = item.get(k) {
                    self.build(Some(k), v, indent + 1);
                }
            }
        }
    }

    fn render(&mut self) -> String {
        let mut max_width = self
            .sections
            .iter()
            .map(Section::total_width)
            .max()
            .unwrap_or(0);
        if max_width > self.width {
            for s in &mut self.sections {
                if s.rows.len() == 1 && !s.headers.is_empty() {
                    let mut v = Section {
                        title: s.title.clone(),
                        indent: s.indent,
                        ..Default::default()
                    };
                    let headers = std::mem::take(&mut s.headers);
                    let row = std::mem::take(&mut s.rows[0]);
                    for (h, e) in headers.into_iter().zip(row) {
                        v.add_row(vec![h, e]);
                    }
                    *s = v;
                }
            }
            max_width = self
                .sections
                .iter()
                .map(Section::total_width)
                .max()
                .unwrap_or(0);
        }
        let mut out = String::new();
        out.push_str(&"-".repeat(max_width));
        out.push('\n');
        for s in &self.sections {
            let bars = "|".repeat(s.indent);
            let width = max_width - s.indent * 2;
            let line = |text: String, out: &mut String| {
                out.push_str(&bars);
                out.push_str(&text);
                out.push_str(&bars);
                out.push('\n');
            };
            if !s.title.is_empty() {
                line(center(&s.title, width, "|", "|"), &mut out);
                if s.headers.is_empty() && s.rows.is_empty() {
                    line(
                        format!("+{}+", "-".repeat(width.saturating_sub(2))),
                        &mut out,
                    );
                }
            }
            let widths = s.column_widths(width);
            let line_break = |widths: &[usize]| -> String {
                let mut t = String::new();
                for (i, w) in widths.iter().enumerate() {
                    if i == 0 {
                        t.push_str(&format!("+{}+", "-".repeat(w.saturating_sub(2))));
                    } else {
                        t.push_str(&format!("{}+", "-".repeat(w.saturating_sub(1))));
                    }
                }
                t
            };
            if !s.headers.is_empty() {
                line(line_break(&widths), &mut out);
                let mut t = String::new();
                for (i, (w, h)) in widths.iter().zip(&s.headers).enumerate() {
                    t.push_str(&center(h, *w, if i == 0 { "|" } else { "" }, "|"));
                }
                line(t, &mut out);
            }
            if !s.rows.is_empty() && !widths.is_empty() {
                line(line_break(&widths), &mut out);
                for row in &s.rows {
                    let mut t = String::new();
                    for (i, (w, e)) in widths.iter().zip(row).enumerate() {
                        t.push_str(&align_left(e, *w, if i == 0 { "|" } else { "" }, "|"));
                    }
                    line(t, &mut out);
                }
                line(line_break(&widths), &mut out);
            }
        }
        out
    }
}

/// The table format of an answer, titled with the operation's name; empty when the CLI prints
/// nothing.
pub fn table(title: &str, doc: &Doc, width: usize) -> String {
    let mut t = Table {
        sections: Vec::new(),
        width,
    };
    if t.build(Some(title), doc, 0) {
        t.render()
    } else {
        String::new()
    }
}

// ---------------------------------------------------------------------------------------------
// yaml

pub fn yaml(doc: &Doc) -> String {
    let mut out = String::new();
    match doc {
        Doc::Map(m) if !m.is_empty() => yaml_map(&mut out, m, 0),
        Doc::List(l) if !l.is_empty() => yaml_list(&mut out, l, 0),
        Doc::Map(_) => out.push_str("{}\n"),
        Doc::List(_) => out.push_str("[]\n"),
        // The CLI prints a lone scalar (what a --query often leaves) as JSON.
        scalar => return json(scalar),
    }
    out
}

fn yaml_map(out: &mut String, m: &[(String, Doc)], indent: usize) {
    let mut entries: Vec<&(String, Doc)> = m.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut first = true;
    for (k, v) in entries {
        if !first {
            out.push_str(&" ".repeat(indent));
        }
        first = false;
        out.push_str(&yaml_scalar(&Doc::Str(k.clone())));
        out.push(':');
        yaml_value(out, v, indent, true);
    }
}

/// Writes a value after `key:` (in_map) or `- `.
fn yaml_value(out: &mut String, v: &Doc, indent: usize, in_map: bool) {
    match v {
        Doc::Map(m) if !m.is_empty() => {
            if in_map {
                out.push('\n');
                out.push_str(&" ".repeat(indent + 2));
            }
            yaml_map(out, m, indent + 2);
        }
        Doc::List(l) if !l.is_empty() => {
            if in_map {
                out.push('\n');
                out.push_str(&" ".repeat(indent));
                yaml_list(out, l, indent);
            } else {
                yaml_list(out, l, indent + 2);
            }
        }
        Doc::Map(_) => out.push_str(if in_map { " {}\n" } else { "{}\n" }),
        Doc::List(_) => out.push_str(if in_map { " []\n" } else { "[]\n" }),
        Doc::Str(text) if single_quoted_lines(text) => {
            if in_map {
                out.push(' ');
            }
            out.push_str(&single_quoted(text, indent + 2));
            out.push('\n');
        }
        scalar => {
            if in_map {
                out.push(' ');
            }
            out.push_str(&yaml_scalar(scalar));
            out.push('\n');
        }
    }
}

fn yaml_list(out: &mut String, l: &[Doc], indent: usize) {
    let mut first = true;
    for v in l {
        if !first {
            out.push_str(&" ".repeat(indent));
        }
        first = false;
        out.push_str("- ");
        yaml_value(out, v, indent, false);
    }
}

fn yaml_scalar(v: &Doc) -> String {
    match v {
        Doc::Null => "null".into(),
        Doc::Bool(b) => if *b { "true" } else { "false" }.into(),
        Doc::Int(i) => i.to_string(),
        Doc::Float(f) => py_float(*f),
        Doc::Str(s) => yaml_string(s),
        Doc::List(_) | Doc::Map(_) => String::new(),
    }
}

/// Whether a plain scalar would read back as something other than a string (YAML 1.2 core
/// schema, plus the timestamps the safe loader resolves).
fn resolves_to_non_string(s: &str) -> bool {
    if matches!(
        s,
        "" | "~"
            | "null"
            | "Null"
            | "NULL"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
    ) {
        return true;
    }
    if matches!(
        s,
        ".inf" | ".Inf" | ".INF" | "-.inf" | "+.inf" | "-.Inf" | "+.Inf" | ".nan" | ".NaN" | ".NAN"
    ) {
        return true;
    }
    let b = s.as_bytes();
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    // Integers (decimal, 0o, 0x) and floats.
    if !body.is_empty()
        && body.bytes().all(|c| c.is_ascii_digit() || c == b'_')
        && body.as_bytes()[0].is_ascii_digit()
    {
        return true;
    }
    if let Some(h) = s.strip_prefix("0x") {
        if !h.is_empty() && h.bytes().all(|c| c.is_ascii_hexdigit()) {
            return true;
        }
    }
    if let Some(o) = s.strip_prefix("0o") {
        if !o.is_empty() && o.bytes().all(|c| (b'0'..=b'7').contains(&c)) {
            return true;
        }
    }
    if is_float(body) {
        return true;
    }
    // Timestamps: YYYY-M-D...
    if b.len() >= 8 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' {
        let rest = &s[5..];
        let mut parts = rest.splitn(3, ['-']);
        let m = parts.next().unwrap_or("");
        let d = parts.next().unwrap_or("");
        let d_digits: String = d.chars().take_while(char::is_ascii_digit).collect();
        if (1..=2).contains(&m.len())
            && m.bytes().all(|c| c.is_ascii_digit())
            && (1..=2).contains(&d_digits.len())
        {
            return true;
        }
    }
    false
}

fn is_float(s: &str) -> bool {
    // [0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)? or \.[0-9]+(...)?
    let (mant, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let ok_mant = match mant.split_once('.') {
        Some((a, b)) => {
            (a.bytes().all(|c| c.is_ascii_digit()) && b.bytes().all(|c| c.is_ascii_digit()))
                && (!a.is_empty() || !b.is_empty())
                && (!a.is_empty() || !b.is_empty())
        }
        None => false,
    };
    let ok_exp = match exp {
        None => true,
        Some(e) => {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && e.bytes().all(|c| c.is_ascii_digit())
        }
    };
    ok_mant && ok_exp
}

#[allow(clippy::nonminimal_bool)] // the plain-scalar rules read as YAML states them
/// Whether the emitter writes a multi-line string single-quoted (PyYAML's analyze_scalar):
/// line breaks alone allow it; a space beside a break, or a character it must escape, do not.
fn single_quoted_lines(s: &str) -> bool {
    s.contains('\n')
        && !s.contains(" \n")
        && !s.contains("\n ")
        && !s
            .chars()
            .any(|c| c != '\n' && ((c as u32) < 0x20 || c == '\u{7f}' || c == '\u{feff}'))
}

/// A multi-line string single-quoted as PyYAML's write_single_quoted writes it: a run of line
/// breaks is one more line break than it has, then the continuation `indent`.
fn single_quoted(s: &str, indent: usize) -> String {
    let mut out = String::from("'");
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => {
                let mut breaks = 1;
                while chars.peek() == Some(&'\n') {
                    chars.next();
                    breaks += 1;
                }
                out.push_str(&"\n".repeat(breaks + 1));
                out.push_str(&" ".repeat(indent));
            }
            '\'' => out.push_str("''"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn yaml_string(s: &str) -> String {
    let multiline = s.contains('\n') || s.contains('\r');
    let special = s
        .chars()
        .any(|c| (c as u32) < 0x20 && c != '\n' && c != '\r' || c == '\u{7f}' || c == '\u{feff}');
    if multiline || special {
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 || c == '\u{7f}' => {
                    out.push_str(&format!("\\x{:02X}", c as u32))
                }
                c => out.push(c),
            }
        }
        out.push('"');
        return out;
    }
    let first = s.chars().next();
    let second = s.chars().nth(1);
    // What a plain scalar cannot be: read back as another type, or start, end or hold what
    // YAML reads as syntax.
    let quoted = resolves_to_non_string(s)
        || s.starts_with(' ')
        || s.ends_with(' ')
        || matches!(
            first,
            Some(
                '!' | '&'
                    | '*'
                    | '|'
                    | '>'
                    | '\''
                    | '"'
                    | '%'
                    | '@'
                    | '`'
                    | '#'
                    | ','
                    | '['
                    | ']'
                    | '{'
                    | '}'
            )
        )
        || (matches!(first, Some('-' | '?' | ':')) && matches!(second, None | Some(' ')))
        // The emitter's document indicators.
        || s.starts_with("---")
        || s.starts_with("...")
        || s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.contains('\t');
    if !quoted {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::parse_json;

    #[test]
    fn yaml_quoting() {
        assert_eq!(yaml_string("111122223333"), "'111122223333'");
        assert_eq!(
            yaml_string("2025-01-01T00:00:00+00:00"),
            "'2025-01-01T00:00:00+00:00'"
        );
        assert_eq!(
            yaml_string("arn:aws:kms:us-east-1:111122223333:key/x"),
            "arn:aws:kms:us-east-1:111122223333:key/x"
        );
        assert_eq!(yaml_string("true"), "'true'");
        assert_eq!(yaml_string("yes"), "yes");
        assert_eq!(yaml_string(""), "''");
        assert_eq!(yaml_string("/"), "/");
        assert_eq!(yaml_string("a: b"), "'a: b'");
        assert_eq!(yaml_string("1.5"), "'1.5'");
    }

    #[test]
    fn multi_line_strings_as_ruamel_writes_them() {
        // Line breaks alone: single-quoted, each run of breaks one longer, then the indent.
        let d = parse_json(
            r#"{"Description": "First line\nsecond line: with colon\n", "N": {"x": "a\n\nb's"}}"#,
        )
        .unwrap();
        assert_eq!(
            yaml(&d),
            "Description: 'First line\n\n  second line: with colon\n\n  '\nN:\n  x: 'a\n\n\n    b''s'\n"
        );
        // A space beside a break needs the double-quoted style.
        assert!(!single_quoted_lines("{\n  \"Version\""));
        assert_eq!(yaml_string("a \nb"), "\"a \\nb\"");
    }

    #[test]
    fn text_rules() {
        let d = parse_json(r#"{"Keys": [{"KeyId": "k1", "KeyArn": "a1"}, {"KeyId": "k2", "KeyArn": "a2"}], "Truncated": false}"#).unwrap();
        let mut out = String::new();
        text(&d, &mut out);
        assert_eq!(out, "False\nKEYS\ta1\tk1\nKEYS\ta2\tk2\n");
    }
}
