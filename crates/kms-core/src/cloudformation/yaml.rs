//! CloudFormation templates in YAML: read into the JSON value form, with the short-form tags
//! turned into their long forms as CloudFormation does (`!Ref X` → `{"Ref": "X"}`, `!GetAtt A.B` →
//! `{"Fn::GetAtt": ["A", "B"]}`, `!Sub ...` → `{"Fn::Sub": ...}`, `!Condition C` →
//! `{"Condition": "C"}`). Built on yaml-rust2's event parser, which gives every node its tag.

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

enum Frame {
    Seq(Vec<Value>, Option<Tag>, usize),
    Map(Map<String, Value>, Option<String>, Option<Tag>, usize),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: std::collections::HashMap<usize, Value>,
    done: Option<Value>,
    /// Where the text has a mapping key that is not a scalar.
    error: Option<(usize, usize)>,
    /// Where the event being read is, as [`parse`] reports it.
    at: (usize, usize),
}

impl Builder {
    fn push_value(&mut self, v: Value, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, v.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.done.is_none() {
                    self.done = Some(v);
                }
            }
            Some(Frame::Seq(items, ..)) => items.push(v),
            Some(Frame::Map(map, key, ..)) => match key.take() {
                None => match v {
                    Value::String(s) => *key = Some(s),
                    Value::Number(n) => *key = Some(n.to_string()),
                    Value::Bool(b) => *key = Some(b.to_string()),
                    Value::Null => *key = Some("null".into()),
                    _ => {
                        self.error.get_or_insert(self.at);
                    }
                },
                Some(k) => {
                    map.insert(k, v);
                }
            },
        }
    }
}

/// `!Name` → the long form of the intrinsic function or condition reference.
fn tagged(tag: &Option<Tag>, v: Value) -> Value {
    let Some(t) = tag else { return v };
    if t.handle != "!" || t.suffix.is_empty() {
        return v;
    }
    let name = t.suffix.as_str();
    let mut m = Map::new();
    match name {
        "Ref" => {
            m.insert("Ref".into(), v);
        }
        "Condition" => {
            m.insert("Condition".into(), v);
        }
        "GetAtt" => {
            let v = match v {
                Value::String(s) => match s.split_once('.') {
                    Some((a, b)) => Value::Array(vec![a.into(), b.into()]),
                    None => Value::String(s),
                },
                other => other,
            };
            m.insert("Fn::GetAtt".into(), v);
        }
        other => {
            m.insert(format!("Fn::{other}"), v);
        }
    }
    Value::Object(m)
}

/// A plain scalar as YAML 1.2's core schema reads it; quoted ones are strings.
fn scalar(s: String, style: TScalarStyle) -> Value {
    if style != TScalarStyle::Plain {
        return Value::String(s);
    }
    match s.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(i) = s.parse::<i64>() {
        return Value::Number(i.into());
    }
    if s.chars().any(|c| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_digit() || ".eE+-".contains(c))
    {
        if let Some(n) = s.parse::<f64>().ok().and_then(Number::from_f64) {
            return Value::Number(n);
        }
    }
    Value::String(s)
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        self.at = at(&mark);
        match ev {
            Event::Scalar(s, style, anchor, tag) => {
                // An empty tagged scalar (`!Ref` alone) is an empty string, not null.
                let v = if tag.is_some() && style == TScalarStyle::Plain {
                    Value::String(s)
                } else {
                    scalar(s, style)
                };
                self.push_value(tagged(&tag, v), anchor)
            }
            Event::SequenceStart(anchor, tag) => self.stack.push(Frame::Seq(vec![], tag, anchor)),
            Event::MappingStart(anchor, tag) => {
                self.stack.push(Frame::Map(Map::new(), None, tag, anchor))
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (v, anchor) = match self.stack.pop() {
                    Some(Frame::Seq(items, tag, a)) => (tagged(&tag, Value::Array(items)), a),
                    Some(Frame::Map(map, _, tag, a)) => (tagged(&tag, Value::Object(map)), a),
                    None => return,
                };
                self.push_value(v, anchor);
            }
            Event::Alias(id) => {
                let v = self.anchors.get(&id).cloned().unwrap_or(Value::Null);
                self.push_value(v, 0);
            }
            _ => {}
        }
    }
}

fn at(m: &Marker) -> (usize, usize) {
    (m.line(), m.col() + 1)
}

/// Parses a YAML template (its first document) into the JSON value form, or says where it is
/// not well-formed: its line and column, from 1.
pub fn parse(text: &str) -> Result<Value, (usize, usize)> {
    let mut b = Builder::default();
    Parser::new_from_str(text)
        .load(&mut b, false)
        .map_err(|e| {
            if e.marker().index() < text.chars().count() {
                return at(e.marker());
            }
            // The end of the text is where its last line ends, as SnakeYAML (CloudFormation's
            // parser) marks it; yaml-rust2 goes on to a line after.
            let last = text.rsplit('\n').next().unwrap_or_default();
            (text.matches('\n').count() + 1, last.chars().count() + 1)
        })?;
    if let Some(e) = b.error {
        return Err(e);
    }
    Ok(b.done.unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_forms_become_long_forms() {
        let v = parse(
            "A: !Ref Name\nB: !GetAtt Key.Arn\nC: !Sub '${AWS::Region}-x'\nD: !Join ['-', [a, !Ref B]]\nE: 5\nF: 'true'\nG: !If [Cond, !Ref X, !Ref 'AWS::NoValue']\n",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"A": {"Ref": "Name"}, "B": {"Fn::GetAtt": ["Key", "Arn"]},
                   "C": {"Fn::Sub": "${AWS::Region}-x"},
                   "D": {"Fn::Join": ["-", ["a", {"Ref": "B"}]]}, "E": 5, "F": "true",
                   "G": {"Fn::If": ["Cond", {"Ref": "X"}, {"Ref": "AWS::NoValue"}]}})
        );
    }
}
