//! The configuration: the `.tf` files parsed with hcl-rs into resources, variables, locals,
//! outputs and the provider's Region, with Terraform's diagnostics for what is wrong.

use crate::diag::Diagnostic;
use crate::schema::{self, resource_type};
use hcl::expr::{Expression, ObjectKey, TraversalOperator};
use hcl::template::{Directive, Element, Template};
use hcl::Body;

pub use crate::diag::Pos;

#[derive(Debug, Clone)]
pub struct Resource {
    pub ty: String,
    pub name: String,
    pub pos: Pos,
    /// Arguments in the order written, with where each is.
    pub args: Vec<(String, Expression, Pos)>,
    /// `depends_on = [aws_kms_key.a]`, as addresses.
    pub depends_on: Vec<String>,
    /// Computed-only attributes the configuration sets (the provider refuses them).
    pub unconfigurable: Vec<(String, Pos)>,
    /// Nested blocks of the resource type (`constraints { ... }`), in the order written.
    pub blocks: Vec<NestedBlock>,
    pub lifecycle: Lifecycle,
}

/// A nested block of a resource's own schema (not `lifecycle` or `timeouts`).
#[derive(Debug, Clone)]
pub struct NestedBlock {
    pub ty: String,
    pub args: Vec<(String, Expression, Pos)>,
}

/// The `lifecycle` block's meta-arguments.
#[derive(Debug, Clone, Default)]
pub struct Lifecycle {
    pub prevent_destroy: bool,
    pub create_before_destroy: bool,
    /// `ignore_changes = all`.
    pub ignore_all: bool,
    /// `ignore_changes = [tags, description]`.
    pub ignore_changes: Vec<String>,
}

impl Resource {
    pub fn address(&self) -> String {
        format!("{}.{}", self.ty, self.name)
    }

    pub fn arg(&self, name: &str) -> Option<&Expression> {
        self.args
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, e, _)| e)
    }

    pub fn context(&self) -> String {
        format!("in resource \"{}\" \"{}\"", self.ty, self.name)
    }
}

#[derive(Debug, Clone)]
pub struct Variable {
    pub name: String,
    pub default: Option<Expression>,
    pub ty: Option<String>,
    pub pos: Pos,
}

#[derive(Debug, Clone)]
pub struct Named {
    pub name: String,
    pub expr: Expression,
    pub pos: Pos,
    pub sensitive: bool,
    /// Where the block is declared (`output "x" {`).
    pub decl: Pos,
}

#[derive(Debug, Clone, Default)]
pub struct Config {
    pub resources: Vec<Resource>,
    pub variables: Vec<Variable>,
    pub locals: Vec<Named>,
    pub outputs: Vec<Named>,
    pub region: Option<(Expression, Pos)>,
}

impl Config {
    pub fn resource(&self, address: &str) -> Option<&Resource> {
        self.resources.iter().find(|r| r.address() == address)
    }
}

/// The 1-based line of the first line of `text` at or after `from` that `is` accepts.
fn find_line(text: &str, from: usize, is: impl Fn(&str) -> bool) -> usize {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| is(l.trim_start()))
        .map(|(i, _)| i + 1)
        .unwrap_or(from.max(1))
}

fn block_line(text: &str, kind: &str, labels: &[&str]) -> usize {
    find_line(text, 1, |l| {
        l.starts_with(kind)
            && labels
                .iter()
                .all(|lab| l.contains(&format!("\"{lab}\"")) || l.contains(&format!(" {lab} ")))
    })
}

fn attr_line(text: &str, from: usize, key: &str) -> usize {
    let is_key = |l: &str| {
        l.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    };
    // A one-line block (`output "x" { value = ... }`) has the attribute on its own line.
    let header = text.lines().nth(from.saturating_sub(1)).unwrap_or("");
    if let Some((_, rest)) = header.split_once('{') {
        if is_key(rest.trim_start()) {
            return from;
        }
    }
    find_line(text, from + 1, is_key)
}

/// Parses every `.tf` file (`files` as name and text) into one configuration, with the errors
/// Terraform finds in its resources and references (`Ok`), or the errors that stop it loading
/// the configuration at all (`Err`: syntax, blocks it does not know, duplicates).
pub fn parse(files: &[(String, String)]) -> Result<(Config, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut cfg = Config::default();
    let mut fatal = Vec::new();
    let mut diags = Vec::new();
    for (file, text) in files {
        let body: Body = match hcl::parse(text) {
            Ok(b) => b,
            Err(e) => {
                fatal.push(syntax_error(file, text, &e.to_string()));
                continue;
            }
        };
        let pos = |line: usize| Pos {
            file: file.clone(),
            line,
        };
        for attr in body.attributes() {
            let line = find_line(text, 1, |l| l.starts_with(attr.key()));
            fatal.push(
                Diagnostic::error(
                    "Unsupported argument",
                    format!("An argument named \"{}\" is not expected here.", attr.key()),
                )
                .at(pos(line), None),
            );
        }
        for block in body.blocks() {
            let labels: Vec<&str> = block.labels().iter().map(|l| l.as_str()).collect();
            let kind = block.identifier();
            let line = block_line(text, kind, &labels);
            match (kind, labels.as_slice()) {
                ("terraform", []) => {}
                ("provider", [name]) => {
                    if *name != "aws" {
                        fatal.push(
                            Diagnostic::error(
                                "Failed to query available provider packages",
                                format!("This sandbox has only the hashicorp/aws provider, not \"{name}\"."),
                            )
                            .at(pos(line), None),
                        );
                        continue;
                    }
                    for a in block.body().attributes() {
                        if a.key() == "region" {
                            cfg.region = Some((a.expr().clone(), pos(attr_line(text, line, "region"))));
                        }
                    }
                }
                ("variable", [name]) => {
                    let b = block.body();
                    let get = |k: &str| b.attributes().find(|a| a.key() == k).map(|a| a.expr().clone());
                    cfg.variables.push(Variable {
                        name: name.to_string(),
                        default: get("default"),
                        ty: get("type").map(|t| match t {
                            Expression::Variable(v) => v.to_string(),
                            other => format!("{other}"),
                        }),
                        pos: pos(line),
                    });
                }
                ("locals", []) => {
                    for a in block.body().attributes() {
                        cfg.locals.push(Named {
                            name: a.key().to_string(),
                            expr: a.expr().clone(),
                            pos: pos(attr_line(text, line, a.key())),
                            sensitive: false,
                            decl: pos(line),
                        });
                    }
                }
                ("output", [name]) => {
                    let b = block.body();
                    let Some(value) = b.attributes().find(|a| a.key() == "value") else {
                        fatal.push(
                            Diagnostic::error(
                                "Missing required argument",
                                "The argument \"value\" is required, but no definition was found.",
                            )
                            .at(pos(line), Some(format!("in output \"{name}\""))),
                        );
                        continue;
                    };
                    cfg.outputs.push(Named {
                        name: name.to_string(),
                        expr: value.expr().clone(),
                        pos: pos(attr_line(text, line, "value")),
                        sensitive: b
                            .attributes()
                            .any(|a| a.key() == "sensitive" && *a.expr() == Expression::Bool(true)),
                        decl: pos(line),
                    });
                }
                ("resource", [ty, name]) => {
                    let ctx = format!("in resource \"{ty}\" \"{name}\"");
                    let Some(schema) = resource_type(ty) else {
                        diags.push(
                            Diagnostic::error(
                                "Invalid resource type",
                                format!("The provider hashicorp/aws does not support resource type \"{ty}\"."),
                            )
                            .at(pos(line), Some(ctx)),
                        );
                        continue;
                    };
                    let mut r = Resource {
                        ty: ty.to_string(),
                        name: name.to_string(),
                        pos: pos(line),
                        args: Vec::new(),
                        depends_on: Vec::new(),
                        unconfigurable: Vec::new(),
                        blocks: Vec::new(),
                        lifecycle: Lifecycle::default(),
                    };
                    // hcl's suggestions: the type's attributes (computed ones too) and blocks.
                    let attr_names: Vec<&str> = schema
                        .attrs
                        .iter()
                        .filter(|a| a.ty != schema::Ty::BlockSet)
                        .map(|a| a.name)
                        .collect();
                    let mut block_names: Vec<&str> = schema
                        .attrs
                        .iter()
                        .filter(|a| a.ty == schema::Ty::BlockSet)
                        .map(|a| a.name)
                        .collect();
                    if !schema.timeouts.is_empty() {
                        block_names.push("timeouts");
                    }
                    for a in block.body().attributes() {
                        let at = pos(attr_line(text, line, a.key()));
                        match a.key() {
                            "depends_on" => {
                                if let Expression::Array(items) = a.expr() {
                                    for i in items {
                                        if let Some(path) = reference(i) {
                                            r.depends_on.push(path.join("."));
                                        }
                                    }
                                }
                            }
                            "count" | "for_each" | "provider" | "lifecycle" => diags.push(
                                Diagnostic::error(
                                    "Unsupported argument",
                                    format!("The sandbox's Terraform does not support the \"{}\" meta-argument.", a.key()),
                                )
                                .at(at, Some(ctx.clone())),
                            ),
                            key => match schema.attr(key) {
                                Some(attr) if attr.ty == schema::Ty::BlockSet => diags.push(
                                    Diagnostic::error(
                                        "Unsupported argument",
                                        format!("An argument named \"{key}\" is not expected here. Did you mean to define a block of type \"{key}\"?"),
                                    )
                                    .at(at, Some(ctx.clone())),
                                ),
                                Some(attr) if attr.argument => {
                                    r.args.push((key.to_string(), a.expr().clone(), at))
                                }
                                Some(_) => r.unconfigurable.push((key.to_string(), at)),
                                None => diags.push(
                                    Diagnostic::error(
                                        "Unsupported argument",
                                        format!(
                                            "An argument named \"{key}\" is not expected here.{}",
                                            unsupported_argument_hint(key, &attr_names, &block_names)
                                        ),
                                    )
                                    .at(at, Some(ctx.clone())),
                                ),
                            },
                        }
                    }
                    for b in block.body().blocks() {
                        let block_line = find_line(text, line + 1, |l| l.starts_with(b.identifier()));
                        match b.identifier() {
                            "lifecycle" => {
                                let lc = lifecycle(b.body(), text, block_line, &pos, &ctx, &mut diags);
                                r.lifecycle = lc;
                            }
                            ty if block_names.contains(&ty) && ty != "timeouts" => {
                                let mut nested = NestedBlock {
                                    ty: ty.to_string(),
                                    args: Vec::new(),
                                };
                                let allowed = crate::schema::nested_attrs(ty);
                                for a in b.body().attributes() {
                                    let at = pos(attr_line(text, block_line, a.key()));
                                    if allowed.contains(&a.key()) {
                                        nested.args.push((a.key().to_string(), a.expr().clone(), at));
                                    } else {
                                        diags.push(
                                            Diagnostic::error(
                                                "Unsupported argument",
                                                format!(
                                                    "An argument named \"{}\" is not expected here.{}",
                                                    a.key(),
                                                    unsupported_argument_hint(a.key(), allowed, &[])
                                                ),
                                            )
                                            .at(at, Some(ctx.clone())),
                                        );
                                    }
                                }
                                r.blocks.push(nested);
                            }
                            // Accepted and otherwise ignored: the sandbox does not wait.
                            "timeouts" if !schema.timeouts.is_empty() => {
                                for a in b.body().attributes().filter(|a| !schema.timeouts.contains(&a.key())) {
                                    diags.push(
                                        Diagnostic::error(
                                            "Unsupported argument",
                                            format!("An argument named \"{}\" is not expected here.", a.key()),
                                        )
                                        .at(pos(attr_line(text, block_line, a.key())), Some(ctx.clone())),
                                    );
                                }
                            }
                            other => diags.push(
                                Diagnostic::error(
                                    "Unsupported block type",
                                    format!(
                                        "Blocks of type \"{other}\" are not expected here.{}",
                                        unsupported_block_hint(other, &attr_names, &block_names)
                                    ),
                                )
                                .at(pos(block_line), Some(ctx.clone())),
                            ),
                        }
                    }
                    for attr in schema.attrs.iter().filter(|a| a.required) {
                        if r.arg(attr.name).is_none() {
                            diags.push(
                                Diagnostic::error(
                                    "Missing required argument",
                                    format!("The argument \"{}\" is required, but no definition was found.", attr.name),
                                )
                                .at(pos(line), Some(ctx.clone())),
                            );
                        }
                    }
                    if cfg.resource(&r.address()).is_some() {
                        fatal.push(
                            Diagnostic::error(
                                "Duplicate resource \"".to_string() + ty + "\" configuration",
                                format!("A {ty} resource named \"{name}\" was already declared. Resource names must be unique per type in each module."),
                            )
                            .at(pos(line), None),
                        );
                        continue;
                    }
                    cfg.resources.push(r);
                }
                ("data", _) | ("module", _) => fatal.push(
                    Diagnostic::error(
                        "Unsupported block type",
                        format!("The sandbox's Terraform has no \"{kind}\" blocks: resources, variables, locals, outputs and the aws provider only."),
                    )
                    .at(pos(line), None),
                ),
                _ => fatal.push(
                    Diagnostic::error(
                        "Unsupported block type",
                        format!("Blocks of type \"{kind}\" are not expected here."),
                    )
                    .at(pos(line), None),
                ),
            }
        }
    }
    if !fatal.is_empty() {
        return Err(fatal);
    }
    check_references(&cfg, &mut diags);
    Ok((cfg, diags))
}

/// hcl's `nameSuggestion`: the first name at a Levenshtein distance under 3 ("threshold
/// determined experimentally").
fn name_suggestion<'a>(given: &str, names: &[&'a str]) -> Option<&'a str> {
    names.iter().copied().find(|n| levenshtein(given, n) < 3)
}

/// The Levenshtein distance in characters (agext/levenshtein with its default costs).
pub fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// What hclsyntax adds to "An argument named ... is not expected here.".
fn unsupported_argument_hint(key: &str, attrs: &[&str], blocks: &[&str]) -> String {
    match name_suggestion(key, attrs) {
        Some(s) => format!(" Did you mean \"{s}\"?"),
        None if blocks.contains(&key) => {
            format!(" Did you mean to define a block of type \"{key}\"?")
        }
        None => String::new(),
    }
}

/// What hclsyntax adds to "Blocks of type ... are not expected here.".
fn unsupported_block_hint(ty: &str, attrs: &[&str], blocks: &[&str]) -> String {
    match name_suggestion(ty, blocks) {
        Some(s) => format!(" Did you mean \"{s}\"?"),
        None if attrs.contains(&ty) => format!(
            " Did you mean to define argument \"{ty}\"? If so, use the equals sign to assign it a value."
        ),
        None => String::new(),
    }
}

/// A resource's `lifecycle` block: `prevent_destroy`, `create_before_destroy` (literal bools)
/// and `ignore_changes` (a list of attribute names, or `all`).
fn lifecycle(
    body: &Body,
    text: &str,
    line: usize,
    pos: &dyn Fn(usize) -> Pos,
    ctx: &str,
    diags: &mut Vec<Diagnostic>,
) -> Lifecycle {
    const ARGS: &[&str] = &[
        "create_before_destroy",
        "prevent_destroy",
        "ignore_changes",
        "replace_triggered_by",
    ];
    let mut lc = Lifecycle::default();
    for a in body.attributes() {
        let at = pos(attr_line(text, line, a.key()));
        let boolean = |diags: &mut Vec<Diagnostic>| match a.expr() {
            Expression::Bool(b) => *b,
            _ => {
                diags.push(
                    Diagnostic::error(
                        "Unsuitable value type",
                        "Unsuitable value: value must be known",
                    )
                    .at(at.clone(), Some(ctx.to_string())),
                );
                false
            }
        };
        match a.key() {
            "prevent_destroy" => lc.prevent_destroy = boolean(diags),
            "create_before_destroy" => lc.create_before_destroy = boolean(diags),
            "ignore_changes" => match a.expr() {
                Expression::Variable(v) if v.as_str() == "all" => lc.ignore_all = true,
                Expression::Array(items) => {
                    for i in items {
                        match reference(i) {
                            Some(path) => lc.ignore_changes.push(path[0].clone()),
                            None => diags.push(
                                Diagnostic::error(
                                    "Invalid expression",
                                    "A single static variable reference is required: only attribute access and indexing with constant keys. No calculations, function calls, template expressions, etc are allowed here.",
                                )
                                .at(at.clone(), Some(ctx.to_string())),
                            ),
                        }
                    }
                }
                Expression::String(w) if w == "*" => diags.push(
                    Diagnostic::error(
                        "Invalid ignore_changes wildcard",
                        "The [\"*\"] form of ignore_changes wildcard is was deprecated and is now invalid. Use \"ignore_changes = all\" to ignore changes to all attributes.",
                    )
                    .at(at.clone(), Some(ctx.to_string())),
                ),
                _ => diags.push(
                    Diagnostic::error("Invalid expression", "A static list expression is required.")
                        .at(at.clone(), Some(ctx.to_string())),
                ),
            },
            "replace_triggered_by" => {}
            key => diags.push(
                Diagnostic::error(
                    "Unsupported argument",
                    format!(
                        "An argument named \"{key}\" is not expected here.{}",
                        unsupported_argument_hint(key, ARGS, &[])
                    ),
                )
                .at(at, Some(ctx.to_string())),
            ),
        }
    }
    lc
}

/// The version constraint of `terraform { required_providers { aws = ... } }`, if any.
pub fn aws_version_constraint(files: &[(String, String)]) -> Option<String> {
    let bodies: Vec<Body> = files
        .iter()
        .filter_map(|(_, t)| hcl::parse(t).ok())
        .collect();
    bodies
        .iter()
        .flat_map(|b| b.blocks().filter(|b| b.identifier() == "terraform"))
        .flat_map(|b| {
            b.body()
                .blocks()
                .filter(|b| b.identifier() == "required_providers")
        })
        .flat_map(|b| b.body().attributes().filter(|a| a.key() == "aws"))
        .find_map(|a| match a.expr() {
            // The legacy form: `aws = "~> 5.0"`.
            Expression::String(v) => Some(v.clone()),
            Expression::Object(o) => o.iter().find_map(|(k, v)| match (k, v) {
                (ObjectKey::Identifier(k), Expression::String(v)) if k.as_str() == "version" => {
                    Some(v.clone())
                }
                _ => None,
            }),
            _ => None,
        })
}

fn syntax_error(file: &str, text: &str, message: &str) -> Diagnostic {
    // hcl-rs reports `--> HCL parse error in line L, column C` and, last, what it expected.
    let located = |key: &str| {
        message
            .split(key)
            .nth(1)
            .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse::<usize>().ok())
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut line = located("in line ")
        .unwrap_or(1)
        .clamp(1, lines.len().max(1));
    let column = located("column ").unwrap_or(1);
    let expected = message.lines().last().unwrap_or_default();
    // The top-level block the line is in, for Terraform's `in resource "T" "N"`.
    let block_of = |at: usize| -> Option<(usize, String)> {
        lines[..at.min(lines.len())]
            .iter()
            .enumerate()
            .rev()
            .find(|(_, l)| !l.starts_with([' ', '\t', '}']) && l.trim_end().ends_with('{'))
            .map(|(i, l)| {
                let header = l.trim_end().trim_end_matches('{').trim_end();
                (i + 1, format!("in {header}"))
            })
    };
    let open = text.matches('{').count() > text.matches('}').count();
    let (summary, detail, context) = if open && line >= lines.len() {
        // Past the end with a block still open: Terraform points at the block.
        let (at, context) = block_of(lines.len()).unwrap_or((1, String::new()));
        line = at;
        (
            "Unclosed configuration block",
            "There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.",
            Some(context).filter(|c| !c.is_empty()),
        )
    } else if expected.contains("invalid expression") {
        // A value missing after `=` is found at the start of the next line.
        let elsewhere =
            column <= 1 || lines[line - 1].trim().is_empty() || !lines[line - 1].contains('=');
        if elsewhere && line > 1 && lines[line - 2].trim_end().ends_with('=') {
            line -= 1;
        }
        (
            "Invalid expression",
            "Expected the start of an expression, but found an invalid expression token.",
            block_of(line - 1).map(|(_, c)| c),
        )
    } else {
        (
            "Argument or block definition required",
            "An argument or block definition is required here. To set an argument, use the equals sign \"=\" to introduce the argument value.",
            block_of(line - 1).map(|(_, c)| c),
        )
    };
    Diagnostic::error(summary, detail).at(
        Pos {
            file: file.to_string(),
            line,
        },
        context,
    )
}

/// `a.b.c` of a reference expression (`var.x`, `aws_kms_key.k.arn`, `local.y`).
pub fn reference(e: &Expression) -> Option<Vec<String>> {
    match e {
        Expression::Variable(v) => Some(vec![v.to_string()]),
        Expression::Traversal(t) => {
            let mut path = reference(&t.expr)?;
            for op in &t.operators {
                match op {
                    TraversalOperator::GetAttr(id) => path.push(id.to_string()),
                    _ => break,
                }
            }
            Some(path)
        }
        _ => None,
    }
}

/// Every reference an expression makes.
pub fn references(e: &Expression, out: &mut Vec<Vec<String>>) {
    match e {
        Expression::Variable(_) | Expression::Traversal(_) => {
            if let Some(p) = reference(e) {
                out.push(p);
            }
            if let Expression::Traversal(t) = e {
                for op in &t.operators {
                    if let TraversalOperator::Index(i) = op {
                        references(i, out);
                    }
                }
            }
        }
        Expression::Array(items) => items.iter().for_each(|i| references(i, out)),
        Expression::Object(o) => o.values().for_each(|v| references(v, out)),
        Expression::TemplateExpr(t) => {
            if let Ok(tpl) = Template::from_expr(t) {
                template_refs(&tpl, out);
            }
        }
        Expression::FuncCall(f) => f.args.iter().for_each(|a| references(a, out)),
        Expression::Parenthesis(p) => references(p, out),
        Expression::Conditional(c) => {
            references(&c.cond_expr, out);
            references(&c.true_expr, out);
            references(&c.false_expr, out);
        }
        Expression::Operation(op) => match &**op {
            hcl::expr::Operation::Unary(u) => references(&u.expr, out),
            hcl::expr::Operation::Binary(b) => {
                references(&b.lhs_expr, out);
                references(&b.rhs_expr, out);
            }
        },
        Expression::ForExpr(f) => {
            references(&f.collection_expr, out);
            // The loop's own variables are not references to the configuration.
            let own = |p: &Vec<String>| {
                p[0] == f.value_var.as_str()
                    || f.key_var.as_ref().is_some_and(|k| p[0] == k.as_str())
            };
            let mut inner = Vec::new();
            references(&f.value_expr, &mut inner);
            if let Some(k) = &f.key_expr {
                references(k, &mut inner);
            }
            if let Some(c) = &f.cond_expr {
                references(c, &mut inner);
            }
            out.extend(inner.into_iter().filter(|p| !own(p)));
        }
        _ => {}
    }
}

fn template_refs(t: &Template, out: &mut Vec<Vec<String>>) {
    for el in t.elements() {
        match el {
            Element::Interpolation(i) => references(&i.expr, out),
            Element::Directive(d) => match &**d {
                Directive::If(i) => {
                    references(&i.cond_expr, out);
                    template_refs(&i.true_template, out);
                    if let Some(f) = &i.false_template {
                        template_refs(f, out);
                    }
                }
                Directive::For(f) => {
                    references(&f.collection_expr, out);
                    template_refs(&f.template, out);
                }
            },
            Element::Literal(_) => {}
        }
    }
}

/// Terraform's reference errors: undeclared resources, variables and locals; attributes a
/// resource type does not have.
fn check_references(cfg: &Config, diags: &mut Vec<Diagnostic>) {
    let check = |e: &Expression, pos: &Pos, ctx: Option<String>, diags: &mut Vec<Diagnostic>| {
        let mut refs = Vec::new();
        references(e, &mut refs);
        for path in refs {
            let d = match path[0].as_str() {
                "var" => path.get(1).and_then(|n| {
                    (!cfg.variables.iter().any(|v| &v.name == n)).then(|| {
                        Diagnostic::error(
                            "Reference to undeclared input variable",
                            format!("An input variable with the name \"{n}\" has not been declared. This variable can be declared with a variable \"{n}\" {{}} block."),
                        )
                    })
                }),
                "local" => path.get(1).and_then(|n| {
                    (!cfg.locals.iter().any(|v| &v.name == n)).then(|| {
                        Diagnostic::error(
                            "Reference to undeclared local value",
                            format!("A local value with the name \"{n}\" has not been declared."),
                        )
                    })
                }),
                ty if ty.starts_with("aws_") => match path.get(1) {
                    None => None,
                    Some(name) => match cfg.resource(&format!("{ty}.{name}")) {
                        None => Some(Diagnostic::error(
                            "Reference to undeclared resource",
                            format!("A managed resource \"{ty}\" \"{name}\" has not been declared in the root module."),
                        )),
                        Some(_) => path.get(2).and_then(|attr| {
                            let schema = schema::resource_type(ty)?;
                            schema.attr(attr).is_none().then(|| {
                                Diagnostic::error(
                                    "Unsupported attribute",
                                    format!("This object has no argument, nested block, or exported attribute named \"{attr}\"."),
                                )
                            })
                        }),
                    },
                },
                "path" | "terraform" | "count" | "each" | "self" => None,
                other => Some(Diagnostic::error(
                    "Reference to undeclared resource",
                    format!("A managed resource \"{other}\" \"{}\" has not been declared in the root module.", path.get(1).cloned().unwrap_or_default()),
                )),
            };
            if let Some(d) = d {
                diags.push(d.at(pos.clone(), ctx.clone()));
            }
        }
    };
    for r in &cfg.resources {
        for (_, e, pos) in r
            .args
            .iter()
            .chain(r.blocks.iter().flat_map(|b| b.args.iter()))
        {
            check(e, pos, Some(r.context()), diags);
        }
        for d in &r.depends_on {
            if cfg.resource(d).is_none() {
                let (ty, name) = d.split_once('.').unwrap_or((d, ""));
                diags.push(
                    Diagnostic::error(
                        "Reference to undeclared resource",
                        format!("A managed resource \"{ty}\" \"{name}\" has not been declared in the root module."),
                    )
                    .at(r.pos.clone(), Some(r.context())),
                );
            }
        }
    }
    for l in &cfg.locals {
        check(&l.expr, &l.pos, Some("in locals".into()), diags);
    }
    for o in &cfg.outputs {
        check(
            &o.expr,
            &o.pos,
            Some(format!("in output \"{}\"", o.name)),
            diags,
        );
    }
    if let Some((e, pos)) = &cfg.region {
        check(e, pos, Some("in provider \"aws\"".into()), diags);
    }
}

/// The addresses a resource depends on (its references and `depends_on`).
pub fn dependencies(r: &Resource) -> Vec<String> {
    let mut refs = Vec::new();
    for (_, e, _) in r
        .args
        .iter()
        .chain(r.blocks.iter().flat_map(|b| b.args.iter()))
    {
        references(e, &mut refs);
    }
    let mut out: Vec<String> = refs
        .into_iter()
        .filter(|p| p[0].starts_with("aws_") && p.len() >= 2)
        .map(|p| format!("{}.{}", p[0], p[1]))
        .chain(r.depends_on.iter().cloned())
        .collect();
    out.sort();
    out.dedup();
    out
}
