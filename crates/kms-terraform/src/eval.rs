//! Expressions evaluated with hcl-rs's evaluator: `var.*`, `local.*` and the resources' attributes
//! in scope, Terraform's `jsonencode` and a few string functions. A value not known before apply
//! is a marker string, so that anything built from it is unknown too.

use hcl::eval::{Context, Evaluate, FuncArgs, FuncDef, ParamType};
use hcl::expr::Expression;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// What an attribute holds until apply knows it.
pub const UNKNOWN: &str = "\u{1}(known after apply)\u{1}";

pub fn unknown() -> Value {
    Value::String(UNKNOWN.into())
}

/// Whether a value (or anything in it) is not known before apply.
pub fn is_unknown(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains(UNKNOWN),
        Value::Array(a) => a.iter().any(is_unknown),
        Value::Object(o) => o.values().any(is_unknown),
        _ => false,
    }
}

/// What expressions can see.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub vars: Map<String, Value>,
    pub locals: Map<String, Value>,
    /// type → name → attributes.
    pub resources: BTreeMap<String, Map<String, Value>>,
}

fn to_hcl(v: &Value) -> hcl::Value {
    hcl::to_value(v).unwrap_or(hcl::Value::Null)
}

fn to_json(v: &hcl::Value) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn jsonencode(args: FuncArgs) -> Result<hcl::Value, String> {
    let v = to_json(&args[0]);
    if is_unknown(&v) {
        return Ok(hcl::Value::String(UNKNOWN.into()));
    }
    serde_json::to_string(&v)
        .map(hcl::Value::String)
        .map_err(|e| e.to_string())
}

fn jsondecode(args: FuncArgs) -> Result<hcl::Value, String> {
    let s = args[0].as_str().unwrap_or_default();
    serde_json::from_str::<Value>(s)
        .map(|v| to_hcl(&v))
        .map_err(|e| format!("invalid JSON: {e}"))
}

fn lower(args: FuncArgs) -> Result<hcl::Value, String> {
    Ok(hcl::Value::String(
        args[0].as_str().unwrap_or_default().to_lowercase(),
    ))
}

fn upper(args: FuncArgs) -> Result<hcl::Value, String> {
    Ok(hcl::Value::String(
        args[0].as_str().unwrap_or_default().to_uppercase(),
    ))
}

fn join(args: FuncArgs) -> Result<hcl::Value, String> {
    let sep = args[0].as_str().unwrap_or_default();
    let mut parts = Vec::new();
    for list in args.iter().skip(1) {
        for v in list.as_array().into_iter().flatten() {
            parts.push(match v {
                hcl::Value::String(s) => s.clone(),
                other => other.to_string(),
            });
        }
    }
    Ok(hcl::Value::String(parts.join(sep)))
}

fn merge(args: FuncArgs) -> Result<hcl::Value, String> {
    let mut out = hcl::Map::new();
    for m in args.iter() {
        if let Some(o) = m.as_object() {
            for (k, v) in o {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(hcl::Value::Object(out))
}

fn concat(args: FuncArgs) -> Result<hcl::Value, String> {
    Ok(hcl::Value::Array(
        args.iter()
            .flat_map(|a| a.as_array().cloned().unwrap_or_default())
            .collect(),
    ))
}

fn tostring(args: FuncArgs) -> Result<hcl::Value, String> {
    Ok(match &args[0] {
        hcl::Value::String(s) => hcl::Value::String(s.clone()),
        other => hcl::Value::String(other.to_string()),
    })
}

impl Scope {
    pub fn context(&self) -> Context<'static> {
        let mut ctx = Context::new();
        ctx.declare_var("var", to_hcl(&Value::Object(self.vars.clone())));
        ctx.declare_var("local", to_hcl(&Value::Object(self.locals.clone())));
        for (ty, by_name) in &self.resources {
            ctx.declare_var(ty.as_str(), to_hcl(&Value::Object(by_name.clone())));
        }
        ctx.declare_func("jsonencode", FuncDef::new(jsonencode, [ParamType::Any]));
        ctx.declare_func("jsondecode", FuncDef::new(jsondecode, [ParamType::String]));
        ctx.declare_func("lower", FuncDef::new(lower, [ParamType::String]));
        ctx.declare_func("upper", FuncDef::new(upper, [ParamType::String]));
        ctx.declare_func("tostring", FuncDef::new(tostring, [ParamType::Any]));
        ctx.declare_func(
            "join",
            FuncDef::builder()
                .param(ParamType::String)
                .variadic_param(ParamType::Any)
                .build(join),
        );
        ctx.declare_func(
            "merge",
            FuncDef::builder()
                .variadic_param(ParamType::Any)
                .build(merge),
        );
        ctx.declare_func(
            "concat",
            FuncDef::builder()
                .variadic_param(ParamType::Any)
                .build(concat),
        );
        ctx
    }

    /// Evaluates an expression; `Err` is the evaluator's message.
    pub fn eval(&self, ctx: &Context, e: &Expression) -> Result<Value, String> {
        e.evaluate(ctx)
            .map(|v| to_json(&v))
            .map_err(|err| err.to_string())
    }
}
