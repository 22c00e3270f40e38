//! Terraform's human plan rendering (internal/command/jsonformat: the differ computes a diff of
//! each value, the renderers print it): blocks, maps, sets, strings that are JSON as
//! `jsonencode(...)`, multi-line strings as `<<-EOT` heredocs, `(known after apply)`,
//! `(sensitive value)`, `# forces replacement` and `# (N unchanged ... hidden)`.

use crate::eval::UNKNOWN;
use crate::schema::{resource_type, Ty};
use serde_json::{Map, Value};

/// A change's action, as plans.Action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    NoOp,
    Create,
    Delete,
    Update,
    DeleteThenCreate,
    CreateThenDelete,
}

/// format.DiffActionSymbol.
pub fn symbol(a: Act) -> &'static str {
    match a {
        Act::NoOp => "   ",
        Act::Create => "  +",
        Act::Delete => "  -",
        Act::Update => "  ~",
        Act::DeleteThenCreate => "-/+",
        Act::CreateThenDelete => "+/-",
    }
}

/// writeDiffActionSymbol: the symbol and a space (nothing when symbols are hidden).
fn ws(a: Act, opts: Opts) -> String {
    if opts.hide_symbols {
        String::new()
    } else {
        format!("{} ", symbol(a))
    }
}

fn indent(n: usize) -> String {
    "    ".repeat(n)
}

/// collections.CompareActions.
fn compare(current: Act, next: Act) -> Act {
    if next == Act::NoOp {
        current
    } else if current != next {
        Act::Update
    } else {
        current
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Opts {
    pub show_unchanged: bool,
    /// `terraform show`: no action symbols (HideDiffActionSymbols).
    pub hide_symbols: bool,
    pub override_null_suffix: bool,
    pub override_forces_replacement: bool,
}

fn null_suffix(a: Act, opts: Opts) -> &'static str {
    if !opts.override_null_suffix && a == Act::Delete {
        " -> null"
    } else {
        ""
    }
}

fn forces(replace: bool, opts: Opts) -> &'static str {
    if replace || opts.override_forces_replacement {
        " # forces replacement"
    } else {
        ""
    }
}

/// The `# (N unchanged attributes hidden)` line inside a collection, when `n` is not 0.
fn push_unchanged(s: &mut String, ind: usize, opts: Opts, keyword: &str, n: usize) {
    if n == 0 {
        return;
    }
    let plural = if n == 1 { "" } else { "s" };
    s.push_str(&format!(
        "{}{}# ({n} unchanged {keyword}{plural} hidden)\n",
        indent(ind + 1),
        ws(Act::NoOp, opts)
    ));
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Prim {
    String,
    Number,
    Bool,
    Null,
}

#[derive(Debug, Clone)]
pub struct Diff {
    pub act: Act,
    replace: bool,
    r: R,
}

#[derive(Debug, Clone)]
enum R {
    Prim(Option<Value>, Option<Value>, Prim),
    Unknown(Option<Box<Diff>>),
    Sensitive,
    Map(Vec<(String, Diff)>),
    Set(Vec<Diff>),
    List(Vec<Diff>),
    Object(Vec<(String, Diff)>),
    Block(Vec<(String, Diff)>, Vec<(String, Vec<Diff>, bool)>),
    TypeChange(Box<Diff>, Box<Diff>),
}

fn is_unknown(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::String(s)) if s.contains(UNKNOWN))
}

/// Change.CalculateAction for values of a block (never explicit).
fn action(before: Option<&Value>, after: Option<&Value>, bexp: bool, aexp: bool) -> Act {
    if before.is_none() && !bexp && (after.is_some() || aexp) {
        return Act::Create;
    }
    if after.is_none() && !aexp && (before.is_some() || bexp) {
        return Act::Delete;
    }
    if before == after && aexp == bexp {
        return Act::NoOp;
    }
    Act::Update
}

fn default_iteration(before: Option<&Value>, after: Option<&Value>) -> Act {
    match (before, after) {
        (None, None) => Act::NoOp,
        (None, _) => Act::Create,
        (_, None) => Act::Delete,
        _ => Act::NoOp,
    }
}

/// The diff of an attribute of type `ty` (ComputeDiffForType): sensitive first, then unknown.
fn attr_diff(
    before: Option<&Value>,
    after: Option<&Value>,
    ty: Ty,
    sensitive: bool,
    replace: bool,
    explicit: (bool, bool),
) -> Diff {
    let (bexp, aexp) = explicit;
    if sensitive {
        return Diff {
            act: action(before, after, bexp, aexp),
            replace,
            r: R::Sensitive,
        };
    }
    if is_unknown(after) {
        return match before {
            None => Diff {
                act: Act::Create,
                replace,
                r: R::Unknown(None),
            },
            Some(b) => Diff {
                act: Act::Update,
                replace,
                r: R::Unknown(Some(Box::new(attr_diff(
                    Some(b),
                    None,
                    ty,
                    false,
                    false,
                    (bexp, false),
                )))),
            },
        };
    }
    match ty {
        Ty::Map => {
            let bm = before.and_then(Value::as_object);
            let am = after.and_then(Value::as_object);
            let mut keys: Vec<&String> = bm
                .into_iter()
                .flat_map(|m| m.keys())
                .chain(am.into_iter().flat_map(|m| m.keys()))
                .collect();
            keys.sort();
            keys.dedup();
            let mut current = default_iteration(before, after);
            let mut elems = Vec::new();
            for k in keys {
                let b = bm.and_then(|m| m.get(k)).filter(|v| !v.is_null());
                let a = am.and_then(|m| m.get(k)).filter(|v| !v.is_null());
                let exp = (
                    bm.is_some_and(|m| m.contains_key(k)),
                    am.is_some_and(|m| m.contains_key(k)),
                );
                let d = attr_diff(b, a, Ty::String, false, false, exp);
                current = compare(current, d.act);
                elems.push((k.clone(), d));
            }
            Diff {
                act: current,
                replace,
                r: R::Map(elems),
            }
        }
        Ty::Set => {
            let empty = Vec::new();
            let bs = before.and_then(Value::as_array).unwrap_or(&empty);
            let as_ = after.and_then(Value::as_array).unwrap_or(&empty);
            let mut current = default_iteration(before, after);
            let mut elems = Vec::new();
            process_set(bs, as_, |b, a| {
                let d = attr_diff(b, a, Ty::String, false, false, (b.is_some(), a.is_some()));
                current = compare(current, d.act);
                elems.push(d);
            });
            Diff {
                act: current,
                replace,
                r: R::Set(elems),
            }
        }
        _ => {
            let prim = match ty {
                Ty::Number => Prim::Number,
                Ty::Bool => Prim::Bool,
                _ => Prim::String,
            };
            Diff {
                act: action(before, after, bexp, aexp),
                replace,
                r: R::Prim(before.cloned(), after.cloned(), prim),
            }
        }
    }
}

/// processSet: the before elements in order (matched with an equal after element, or
/// deleted), then the after elements no before element matched.
fn process_set(
    before: &[Value],
    after: &[Value],
    mut process: impl FnMut(Option<&Value>, Option<&Value>),
) {
    let mut matched_after = vec![false; after.len()];
    let mut pairs: Vec<Option<usize>> = Vec::new();
    for b in before {
        let found = (0..after.len())
            .find(|j| !matched_after[*j] && after[*j] == *b && !is_unknown(Some(b)));
        if let Some(j) = found {
            matched_after[j] = true;
        }
        pairs.push(found);
    }
    for (i, b) in before.iter().enumerate() {
        match pairs[i] {
            Some(j) => process(Some(b), Some(&after[j])),
            None => process(Some(b), None),
        }
    }
    for (j, a) in after.iter().enumerate() {
        if !matched_after[j] {
            process(None, Some(a));
        }
    }
}

/// Attributes that matter for a drift: `None` for all of them.
pub type Relevant<'a> = Option<&'a [String]>;

fn strip_empty(v: Option<&Value>) -> Option<&Value> {
    match v {
        None | Some(Value::Null) => None,
        // Empty strings in blocks are null for legacy SDK providers.
        Some(Value::String(s)) if s.is_empty() => None,
        Some(v) => Some(v),
    }
}

/// ComputeDiffForBlock of a resource: `before`/`after` its attributes (None: it does not
/// exist), `forces` the attributes whose change forces replacement, `relevant` the attributes
/// shown (others are unchanged).
pub fn block_diff(
    ty: &str,
    before: Option<&Map<String, Value>>,
    after: Option<&Map<String, Value>>,
    forces_attrs: &[String],
    relevant: Relevant,
) -> Diff {
    let schema = resource_type(ty).expect("validated type");
    let mut current = match (before, after) {
        (None, Some(_)) => Act::Create,
        (Some(_), None) => Act::Delete,
        _ => Act::NoOp,
    };
    let mut attrs = Vec::new();
    let mut blocks = Vec::new();
    let mut all: Vec<&crate::schema::Attr> = schema.attrs.iter().collect();
    all.sort_by_key(|a| a.name);
    for attr in all {
        let b = strip_empty(before.and_then(|m| m.get(attr.name)));
        let mut a = strip_empty(after.and_then(|m| m.get(attr.name)));
        if relevant.is_some_and(|r| !r.iter().any(|x| x == attr.name)) {
            a = b;
        }
        let replace = forces_attrs.iter().any(|f| f == attr.name);
        if attr.ty == Ty::BlockSet {
            let empty = Vec::new();
            let bs = b.and_then(Value::as_array).unwrap_or(&empty);
            let as_ = a.and_then(Value::as_array).unwrap_or(&empty);
            let mut elems = Vec::new();
            let mut act = default_iteration(b, a);
            process_set(bs, as_, |x, y| {
                let d = nested_block_diff(attr.name, x, y);
                act = compare(act, d.act);
                elems.push(d);
            });
            if act == Act::NoOp && b.is_none() && a.is_none() {
                continue;
            }
            if !elems.is_empty() {
                blocks.push((attr.name.to_string(), elems, replace));
            }
            current = compare(current, act);
            continue;
        }
        let d = attr_diff(b, a, attr.ty, attr.sensitive, replace, (false, false));
        if d.act == Act::NoOp && b.is_none() && a.is_none() {
            continue;
        }
        current = compare(current, d.act);
        attrs.push((attr.name.to_string(), d));
    }
    Diff {
        act: current,
        replace: false,
        r: R::Block(attrs, blocks),
    }
}

/// One block of a set of nested blocks (`constraints`): its attributes are maps.
fn nested_block_diff(block: &str, before: Option<&Value>, after: Option<&Value>) -> Diff {
    let mut current = default_iteration(before, after);
    let mut attrs = Vec::new();
    for name in crate::schema::nested_attrs(block) {
        let b = before.and_then(|v| v.get(*name)).filter(|v| !v.is_null());
        let a = after.and_then(|v| v.get(*name)).filter(|v| !v.is_null());
        let d = attr_diff(b, a, Ty::Map, false, false, (false, false));
        if d.act == Act::NoOp && b.is_none() && a.is_none() {
            continue;
        }
        current = compare(current, d.act);
        attrs.push((name.to_string(), d));
    }
    Diff {
        act: current,
        replace: false,
        r: R::Block(attrs, Vec::new()),
    }
}

/// An output's diff (ComputeDiffForOutput): JSON-typed values.
pub fn output_diff(before: Option<&Value>, after: Option<&Value>, sensitive: bool) -> Diff {
    if sensitive {
        return Diff {
            act: action(before, after, false, false),
            replace: false,
            r: R::Sensitive,
        };
    }
    if is_unknown(after) {
        return match before {
            None => Diff {
                act: Act::Create,
                replace: false,
                r: R::Unknown(None),
            },
            Some(b) => Diff {
                act: Act::Update,
                replace: false,
                r: R::Unknown(Some(Box::new(json_diff(b, &Value::Null, true, false)))),
            },
        };
    }
    json_diff(
        before.unwrap_or(&Value::Null),
        after.unwrap_or(&Value::Null),
        before.is_some_and(|v| !v.is_null()),
        after.is_some_and(|v| !v.is_null()),
    )
}

#[derive(PartialEq, Clone, Copy)]
enum JType {
    Null,
    Bool,
    Number,
    String,
    Object,
    Array,
}

fn jtype(v: &Value) -> JType {
    match v {
        Value::Null => JType::Null,
        Value::Bool(_) => JType::Bool,
        Value::Number(_) => JType::Number,
        Value::String(_) => JType::String,
        Value::Object(_) => JType::Object,
        Value::Array(_) => JType::Array,
    }
}

/// jsondiff's Transform of two JSON values (`bexp`/`aexp`: the value is there, even if null).
fn json_diff(before: &Value, after: &Value, bexp: bool, aexp: bool) -> Diff {
    let (bt, at) = (jtype(before), jtype(after));
    let deleted = at == JType::Null && !aexp;
    let created = bt == JType::Null && !bexp;
    if bt == at || created || deleted {
        let target = if bt == JType::Null { at } else { bt };
        return json_update(before, after, bexp, aexp, target);
    }
    let b = json_update(before, &Value::Null, bexp, false, bt);
    let a = json_update(&Value::Null, after, false, aexp, at);
    Diff {
        act: Act::Update,
        replace: false,
        r: R::TypeChange(Box::new(b), Box::new(a)),
    }
}

fn json_update(before: &Value, after: &Value, bexp: bool, aexp: bool, t: JType) -> Diff {
    let opt = |v: &Value| (!v.is_null()).then(|| v.clone());
    match t {
        JType::Object => {
            let empty = Map::new();
            let bm = before.as_object();
            let am = after.as_object();
            let mut current = match (bm, am) {
                (Some(_), None) => Act::Delete,
                (None, Some(_)) => Act::Create,
                _ => Act::NoOp,
            };
            let mut keys: Vec<&String> = bm
                .unwrap_or(&empty)
                .keys()
                .chain(am.unwrap_or(&empty).keys())
                .collect();
            keys.sort();
            keys.dedup();
            let mut elems = Vec::new();
            for k in keys {
                let b = bm.and_then(|m| m.get(k));
                let a = am.and_then(|m| m.get(k));
                let d = json_diff(
                    b.unwrap_or(&Value::Null),
                    a.unwrap_or(&Value::Null),
                    b.is_some(),
                    a.is_some(),
                );
                current = compare(current, d.act);
                elems.push((k.clone(), d));
            }
            Diff {
                act: current,
                replace: false,
                r: R::Object(elems),
            }
        }
        JType::Array => {
            let empty = Vec::new();
            let bs = before.as_array();
            let as_ = after.as_array();
            let mut current = match (bs, as_) {
                (Some(_), None) => Act::Delete,
                (None, Some(_)) => Act::Create,
                _ => Act::NoOp,
            };
            let (bv, av) = (bs.unwrap_or(&empty), as_.unwrap_or(&empty));
            let mut elems = Vec::new();
            process_slice(bv, av, |i, j| {
                let b = bv.get(i);
                let a = av.get(j);
                let d = json_diff(
                    b.unwrap_or(&Value::Null),
                    a.unwrap_or(&Value::Null),
                    b.is_some(),
                    a.is_some(),
                );
                current = compare(current, d.act);
                elems.push(d);
            });
            Diff {
                act: current,
                replace: false,
                r: R::List(elems),
            }
        }
        _ => {
            let before_missing = before.is_null() && !bexp;
            let after_missing = after.is_null() && !aexp;
            let act = match (before_missing, after_missing) {
                (true, false) => Act::Create,
                (false, true) => Act::Delete,
                _ if before == after => Act::NoOp,
                _ => Act::Update,
            };
            let prim = match t {
                JType::Bool => Prim::Bool,
                JType::Number => Prim::Number,
                JType::String => Prim::String,
                _ => Prim::Null,
            };
            Diff {
                act,
                replace: false,
                r: R::Prim(opt(before), opt(after), prim),
            }
        }
    }
}

/// collections.ProcessSlice: the longest common subsequence kept, what is before it deleted
/// and what is after it created (objects side by side are updated).
fn process_slice(before: &[Value], after: &[Value], mut process: impl FnMut(usize, usize)) {
    let lcs = lcs(before, after);
    let (mut bi, mut ai, mut li) = (0, 0, 0);
    let is_obj = |v: &Value| v.is_object();
    while bi < before.len() || ai < after.len() || li < lcs.len() {
        while bi < before.len() && (li >= lcs.len() || before[bi] != lcs[li]) {
            let object_diff = is_obj(&before[bi])
                && ai < after.len()
                && is_obj(&after[ai])
                && (li >= lcs.len() || after[ai] != lcs[li]);
            if object_diff {
                process(bi, ai);
                bi += 1;
                ai += 1;
                continue;
            }
            process(bi, after.len());
            bi += 1;
        }
        while ai < after.len() && (li >= lcs.len() || after[ai] != lcs[li]) {
            process(before.len(), ai);
            ai += 1;
        }
        if li < lcs.len() {
            process(bi, ai);
            bi += 1;
            ai += 1;
            li += 1;
        }
    }
}

/// objchange.LongestCommonSubsequence.
fn lcs<T: PartialEq + Clone>(xs: &[T], ys: &[T]) -> Vec<T> {
    if xs.is_empty() || ys.is_empty() {
        return Vec::new();
    }
    let (n, m) = (xs.len(), ys.len());
    let mut c = vec![0usize; n * m];
    let mut eqs = vec![false; n * m];
    let w = n;
    for y in 0..m {
        for x in 0..n {
            let eq = xs[x] == ys[y];
            eqs[w * y + x] = eq;
            if eq {
                c[w * y + x] = if x > 0 && y > 0 {
                    c[w * (y - 1) + (x - 1)] + 1
                } else {
                    1
                };
            } else {
                let l = if x > 0 { c[w * y + (x - 1)] } else { 0 };
                let u = if y > 0 { c[w * (y - 1) + x] } else { 0 };
                c[w * y + x] = l.max(u);
            }
        }
    }
    let mut ret = Vec::new();
    let (mut x, mut y) = (n as isize - 1, m as isize - 1);
    while x >= 0 && y >= 0 {
        let (ux, uy) = (x as usize, y as usize);
        if eqs[w * uy + ux] {
            ret.push(xs[ux].clone());
            x -= 1;
            y -= 1;
        } else {
            let l = if x > 0 { c[w * uy + (ux - 1)] } else { 0 };
            let u = if y > 0 { c[w * (uy - 1) + ux] } else { 0 };
            if u > l {
                y -= 1;
            } else {
                x -= 1;
            }
        }
    }
    ret.reverse();
    ret
}

/// Go's `%q` of a string (strconv.Quote).
pub fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if (0x80..0xa0).contains(&(c as u32)) => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// hclsyntax.ValidIdentifier (ASCII approximation): else the name is quoted.
fn attribute_name(name: &str) -> String {
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if ok {
        name.to_string()
    } else {
        go_quote(name)
    }
}

fn important(name: &str) -> bool {
    matches!(name, "id" | "name" | "tags")
}

struct Evaluated {
    string: String,
    json: Option<Value>,
    multiline: bool,
    null: bool,
}

/// evaluatePrimitiveString.
fn evaluate(v: Option<&Value>) -> Evaluated {
    let Some(v) = v else {
        return Evaluated {
            string: "null".into(),
            json: None,
            multiline: false,
            null: true,
        };
    };
    let s = v
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| v.to_string());
    if (s.starts_with('{') || s.starts_with('[')) && crate::schema::go_json_error(&s).is_none() {
        if let Ok(j) = serde_json::from_str::<Value>(&s) {
            return Evaluated {
                string: s,
                json: Some(j),
                multiline: false,
                null: false,
            };
        }
    }
    if s.contains('\n') {
        return Evaluated {
            string: s.trim().to_string(),
            json: None,
            multiline: true,
            null: false,
        };
    }
    Evaluated {
        string: s,
        json: None,
        multiline: false,
        null: false,
    }
}

impl Evaluated {
    fn simple(&self) -> String {
        if self.null {
            "null".into()
        } else {
            go_quote(&self.string)
        }
    }
}

fn prim_value(v: &Option<Value>) -> String {
    match v {
        None | Some(Value::Null) => "null".into(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    }
}

impl Diff {
    /// RenderHuman at `ind` levels of indentation.
    pub fn render(&self, ind: usize, opts: Opts) -> String {
        match &self.r {
            R::Prim(b, a, Prim::String) => self.render_string(b.as_ref(), a.as_ref(), ind, opts),
            R::Prim(b, a, _) => {
                let (bv, av) = (prim_value(b), prim_value(a));
                let f = forces(self.replace, opts);
                match self.act {
                    Act::Create => format!("{av}{f}"),
                    Act::Delete => format!("{bv}{}{f}", null_suffix(self.act, opts)),
                    Act::NoOp => format!("{bv}{f}"),
                    _ => format!("{bv} -> {av}{f}"),
                }
            }
            R::Unknown(before) => match (self.act, before) {
                (Act::Create, _) | (_, None) => {
                    format!("(known after apply){}", forces(self.replace, opts))
                }
                (_, Some(b)) => {
                    let o = Opts {
                        override_null_suffix: true,
                        ..opts
                    };
                    format!(
                        "{} -> (known after apply){}",
                        b.render(ind, o),
                        forces(self.replace, opts)
                    )
                }
            },
            R::Sensitive => format!(
                "(sensitive value){}{}",
                null_suffix(self.act, opts),
                forces(self.replace, opts)
            ),
            R::TypeChange(b, a) => {
                let o = Opts {
                    override_null_suffix: true,
                    ..opts
                };
                format!("{} -> {}", b.render(ind, o), a.render(ind, o))
            }
            R::Map(elems) => self.render_map(elems, ind, opts),
            R::Set(elems) => self.render_set(elems, ind, opts),
            R::List(elems) => self.render_list(elems, ind, opts),
            R::Object(elems) => self.render_object(elems, ind, opts),
            R::Block(attrs, blocks) => self.render_block(attrs, blocks, ind, opts),
        }
    }

    fn render_string(
        &self,
        before: Option<&Value>,
        after: Option<&Value>,
        ind: usize,
        opts: Opts,
    ) -> String {
        let f = forces(self.replace, opts);
        let mut lines: Vec<String> = Vec::new();
        let pad = format!("{}{}", indent(ind + 1), ws(Act::NoOp, opts));
        match self.act {
            Act::Create | Act::NoOp => {
                let s = evaluate(after);
                if let Some(j) = &s.json {
                    return if self.act == Act::NoOp {
                        self.render_json(Some(j), Some(j), ind, opts)
                    } else {
                        self.render_json(None, Some(j), ind, opts)
                    };
                }
                if !s.multiline {
                    return format!("{}{f}", s.simple());
                }
                lines = s.string.split('\n').map(|l| format!("{pad}{l}")).collect();
            }
            Act::Delete => {
                let s = evaluate(before);
                if s.null {
                    return format!("{}{f}", s.simple());
                }
                if let Some(j) = &s.json {
                    return self.render_json(Some(j), None, ind, opts);
                }
                if !s.multiline {
                    return format!("{}{}{f}", s.simple(), null_suffix(self.act, opts));
                }
                lines = s.string.split('\n').map(|l| format!("{pad}{l}")).collect();
            }
            _ => {
                let b = evaluate(before);
                let a = evaluate(after);
                if b.json.is_some() && a.json.is_some() {
                    return self.render_json(b.json.as_ref(), a.json.as_ref(), ind, opts);
                }
                if b.json.is_some() || a.json.is_some() {
                    let del = Diff {
                        act: Act::Delete,
                        replace: false,
                        r: R::Prim(before.cloned(), None, Prim::String),
                    };
                    let cre = Diff {
                        act: Act::Create,
                        replace: false,
                        r: R::Prim(None, after.cloned(), Prim::String),
                    };
                    return Diff {
                        act: self.act,
                        replace: self.replace,
                        r: R::TypeChange(Box::new(del), Box::new(cre)),
                    }
                    .render(ind, opts);
                }
                if !b.multiline && !a.multiline {
                    return format!("{} -> {}{f}", b.simple(), a.simple());
                }
                let bl: Vec<String> = b.string.split('\n').map(str::to_string).collect();
                let al: Vec<String> = a.string.split('\n').map(str::to_string).collect();
                let bv: Vec<Value> = bl.iter().map(|l| Value::String(l.clone())).collect();
                let av: Vec<Value> = al.iter().map(|l| Value::String(l.clone())).collect();
                process_slice(&bv, &av, |i, j| {
                    if i >= bl.len() {
                        lines.push(format!(
                            "{}{}{}",
                            indent(ind + 1),
                            ws(Act::Create, opts),
                            al[j]
                        ));
                    } else if j >= al.len() {
                        lines.push(format!(
                            "{}{}{}",
                            indent(ind + 1),
                            ws(Act::Delete, opts),
                            bl[i]
                        ));
                    } else if bl[i] != al[j] {
                        lines.push(format!(
                            "{}{}{}",
                            indent(ind + 1),
                            ws(Act::Delete, opts),
                            bl[i]
                        ));
                        lines.push(format!(
                            "{}{}{}",
                            indent(ind + 1),
                            ws(Act::Create, opts),
                            al[j]
                        ));
                    } else {
                        lines.push(format!("{pad}{}", bl[i]));
                    }
                });
            }
        }
        format!(
            "<<-EOT{f}\n{}\n{}{}EOT{}",
            lines.join("\n"),
            indent(ind),
            ws(Act::NoOp, opts),
            null_suffix(self.act, opts)
        )
    }

    /// renderStringDiffAsJson.
    fn render_json(
        &self,
        before: Option<&Value>,
        after: Option<&Value>,
        ind: usize,
        opts: Opts,
    ) -> String {
        let json = json_diff(
            before.unwrap_or(&Value::Null),
            after.unwrap_or(&Value::Null),
            self.act != Act::Create,
            self.act != Act::Delete,
        );
        let mut action = self.act;
        let mut json_opts = Opts {
            override_null_suffix: true,
            ..opts
        };
        let (mut whitespace, mut replace) = ("", "");
        if json.act == Act::NoOp && self.act == Act::Update {
            whitespace = if self.replace {
                " # whitespace changes force replacement"
            } else {
                " # whitespace changes"
            };
            json_opts.show_unchanged = true;
            action = Act::NoOp;
        } else {
            replace = forces(self.replace, opts);
        }
        let rendered = json.render(ind + 1, json_opts);
        if matches!(self.act, Act::Create | Act::Delete) {
            action = Act::NoOp;
        }
        if rendered.contains('\n') {
            format!(
                "jsonencode({whitespace}\n{}{}{rendered}{replace}\n{}{}){}",
                indent(ind + 1),
                ws(action, opts),
                indent(ind),
                ws(Act::NoOp, opts),
                null_suffix(self.act, opts)
            )
        } else {
            format!("jsonencode({rendered}){whitespace}{replace}")
        }
    }

    fn render_map(&self, elems: &[(String, Diff)], ind: usize, opts: Opts) -> String {
        if elems.is_empty() {
            return format!(
                "{{}}{}{}",
                null_suffix(self.act, opts),
                forces(self.replace, opts)
            );
        }
        let w = elems.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 2;
        let el_opts = Opts {
            override_null_suffix: self.act == Act::Delete,
            override_forces_replacement: false,
            ..opts
        };
        let mut s = format!("{{{}\n", forces(self.replace, opts));
        let mut hidden = 0;
        for (k, d) in elems {
            if d.act == Act::NoOp && !opts.show_unchanged {
                hidden += 1;
                continue;
            }
            let comma = if matches!(d.r, R::Object(_)) { "," } else { "" };
            s.push_str(&format!(
                "{}{}{:<w$} = {}{comma}\n",
                indent(ind + 1),
                ws(d.act, opts),
                go_quote(k),
                d.render(ind + 1, el_opts)
            ));
        }
        self.close(&mut s, hidden, "element", ind, opts, '}');
        s
    }

    /// The end of a collection: how many unchanged children were left out, then its bracket.
    fn close(
        &self,
        s: &mut String,
        hidden: usize,
        what: &str,
        ind: usize,
        opts: Opts,
        bracket: char,
    ) {
        push_unchanged(s, ind, opts, what, hidden);
        s.push_str(&format!(
            "{}{}{bracket}{}",
            indent(ind),
            ws(Act::NoOp, opts),
            null_suffix(self.act, opts)
        ));
    }

    fn render_set(&self, elems: &[Diff], ind: usize, opts: Opts) -> String {
        let self_forces = self.replace && !opts.override_forces_replacement;
        let child_forces = self.replace && opts.override_forces_replacement;
        let own = Opts {
            override_forces_replacement: false,
            ..opts
        };
        if elems.is_empty() {
            return format!(
                "[]{}{}",
                null_suffix(self.act, opts),
                forces(self_forces, own)
            );
        }
        let el_opts = Opts {
            override_null_suffix: true,
            override_forces_replacement: child_forces,
            ..opts
        };
        let mut s = format!("[{}\n", forces(self_forces, own));
        let mut hidden = 0;
        for d in elems {
            if d.act == Act::NoOp && !opts.show_unchanged {
                hidden += 1;
                continue;
            }
            s.push_str(&format!(
                "{}{}{},\n",
                indent(ind + 1),
                ws(d.act, opts),
                d.render(ind + 1, el_opts)
            ));
        }
        self.close(&mut s, hidden, "element", ind, opts, ']');
        s
    }

    fn render_list(&self, elems: &[Diff], ind: usize, opts: Opts) -> String {
        if elems.is_empty() {
            return format!(
                "[]{}{}",
                null_suffix(self.act, opts),
                forces(self.replace, opts)
            );
        }
        let el_opts = Opts {
            override_null_suffix: true,
            ..opts
        };
        let unchanged_opts = Opts {
            show_unchanged: true,
            ..opts
        };
        let mut unchanged_elems: Vec<&Diff> = Vec::new();
        let mut render_next = false;
        let mut s = format!("[{}\n", forces(self.replace, opts));
        for d in elems {
            if d.act == Act::NoOp && !render_next && !opts.show_unchanged {
                unchanged_elems.push(d);
                continue;
            }
            render_next = false;
            let mut o = el_opts;
            push_unchanged(
                &mut s,
                ind,
                opts,
                "element",
                unchanged_elems.len().saturating_sub(1),
            );
            if let Some(last) = unchanged_elems.last() {
                s.push_str(&format!(
                    "{}{}{},\n",
                    indent(ind + 1),
                    ws(last.act, opts),
                    last.render(ind + 1, unchanged_opts)
                ));
            }
            unchanged_elems.clear();
            if d.act == Act::NoOp {
                o = unchanged_opts;
            } else {
                render_next = true;
            }
            s.push_str(&format!(
                "{}{}{},\n",
                indent(ind + 1),
                ws(d.act, opts),
                d.render(ind + 1, o)
            ));
        }
        self.close(&mut s, unchanged_elems.len(), "element", ind, opts, ']');
        s
    }

    fn render_object(&self, elems: &[(String, Diff)], ind: usize, opts: Opts) -> String {
        if elems.is_empty() {
            return format!(
                "{{}}{}{}",
                null_suffix(self.act, opts),
                forces(self.replace, opts)
            );
        }
        let attr_opts = Opts {
            override_null_suffix: true,
            ..opts
        };
        let names: Vec<String> = elems.iter().map(|(k, _)| attribute_name(k)).collect();
        let w = names.iter().map(|n| n.len()).max().unwrap_or(0);
        let mut s = format!("{{{}\n", forces(self.replace, opts));
        let mut hidden = 0;
        for ((k, d), name) in elems.iter().zip(&names) {
            let o = if important(k) {
                Opts {
                    show_unchanged: true,
                    ..attr_opts
                }
            } else if d.act == Act::NoOp && !opts.show_unchanged {
                hidden += 1;
                continue;
            } else {
                attr_opts
            };
            s.push_str(&format!(
                "{}{}{name:<w$} = {}\n",
                indent(ind + 1),
                ws(d.act, opts),
                d.render(ind + 1, o)
            ));
        }
        self.close(&mut s, hidden, "attribute", ind, opts, '}');
        s
    }

    fn render_block(
        &self,
        attrs: &[(String, Diff)],
        blocks: &[(String, Vec<Diff>, bool)],
        ind: usize,
        opts: Opts,
    ) -> String {
        if attrs.is_empty() && blocks.is_empty() {
            return format!("{{}}{}", forces(self.replace, opts));
        }
        let w = attrs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        let important_opts = Opts {
            show_unchanged: true,
            ..opts
        };
        let mut s = format!("{{{}\n", forces(self.replace, opts));
        let mut hidden = 0;
        for (k, d) in attrs {
            let o = if important(k) {
                important_opts
            } else if d.act == Act::NoOp && !opts.show_unchanged {
                hidden += 1;
                continue;
            } else {
                opts
            };
            s.push_str(&format!(
                "{}{}{k:<w$} = {}\n",
                indent(ind + 1),
                ws(d.act, opts),
                d.render(ind + 1, o)
            ));
        }
        push_unchanged(&mut s, ind, opts, "attribute", hidden);
        let mut hidden_blocks = 0;
        for (k, elems, replace) in blocks {
            let mut found = false;
            for d in elems {
                if d.act == Act::NoOp && !opts.show_unchanged {
                    hidden_blocks += 1;
                    continue;
                }
                if !found && !attrs.is_empty() {
                    s.push('\n');
                    found = true;
                }
                let o = Opts {
                    override_forces_replacement: *replace,
                    ..opts
                };
                s.push_str(&format!(
                    "{}{}{k} {}\n",
                    indent(ind + 1),
                    ws(d.act, opts),
                    d.render(ind + 1, o)
                ));
            }
        }
        if hidden_blocks > 0 {
            s.push('\n');
            push_unchanged(&mut s, ind, opts, "block", hidden_blocks);
        }
        s.push_str(&format!("{}{}}}", indent(ind), ws(Act::NoOp, opts)));
        s
    }
}
