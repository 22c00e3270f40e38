//! The `Condition` element: every IAM condition operator, the `...IfExists` suffix and the
//! `ForAnyValue:` / `ForAllValues:` set qualifiers, compiled once and tested against a
//! [`Context`].
//!
//! The logic, as the IAM User Guide gives it:
//! - Values listed for one key are OR'ed (for a negated operator, NOR'ed: the request value must
//!   match none of them); keys and operators are AND'ed (see `Statement`).
//! - A key absent from the request makes a condition false, except for negated operators
//!   (`StringNotEquals`, `ArnNotLike`, `NotIpAddress`, ...), for which it is true; `...IfExists`
//!   makes it true for every operator; `Null` tests for the absence itself.
//! - `ForAnyValue:` holds when at least one request value matches (false when the key is absent
//!   or empty); `ForAllValues:` holds when every request value matches (true when the key is
//!   absent or empty). With a negated operator, "matches" means "matches none of the policy's
//!   values".
//! - Without a set qualifier, a key with several values (a misuse AWS warns about) holds when
//!   any of them matches; a negated operator holds when none does.
//!
//! `IpAddress` and `NotIpAddress` work, but their key (`aws:SourceIp`) has no value in a browser
//! tab: left out of the context, it is absent like any other key (`IpAddress` false,
//! `NotIpAddress` true, `IpAddressIfExists` true). `BinaryEquals` compares the base64 text.

use super::context::{Context, KeyName};
use super::pattern::{ArnPattern, Template};
use std::net::IpAddr;
use std::str::FromStr;

/// One condition: an operator, a key and the key's values in the policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    operator: Box<str>,
    key: Box<str>,
    /// `key` as the context looks names up.
    lookup: KeyName,
    set: SetOp,
    if_exists: bool,
    negated: bool,
    test: Test,
    raw_values: Box<[Box<str>]>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Single,
    ForAnyValue,
    ForAllValues,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn holds<T: PartialOrd>(self, request: T, policy: T) -> bool {
        match self {
            Cmp::Eq => request == policy,
            Cmp::Lt => request < policy,
            Cmp::Le => request <= policy,
            Cmp::Gt => request > policy,
            Cmp::Ge => request >= policy,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Test {
    Str {
        values: Box<[Template]>,
        ignore_case: bool,
        like: bool,
    },
    Numeric {
        values: Box<[f64]>,
        cmp: Cmp,
    },
    /// Milliseconds since the epoch.
    Date {
        values: Box<[i64]>,
        cmp: Cmp,
    },
    Bool {
        values: Box<[Template]>,
    },
    Binary {
        values: Box<[Box<str>]>,
    },
    Ip {
        nets: Box<[IpNet]>,
    },
    Arn {
        values: Box<[ArnPattern]>,
    },
    /// `true`: the key must be absent; `false`: present.
    Null {
        values: Box<[bool]>,
    },
}

/// Why a condition does not parse. The policy parser turns these into AWS's messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConditionError {
    /// Unknown operator, wrong value for the operator: AWS's "Syntax errors in policy."
    Syntax(String),
    /// A date AWS cannot read: "The policy failed legacy parsing".
    Date(String),
}

impl Condition {
    /// Compiles one operator/key/values triple. `variables`: whether `${...}` are policy
    /// variables (policy version `2012-10-17`).
    pub(crate) fn parse(
        operator: &str,
        key: &str,
        values: &[String],
        variables: bool,
    ) -> Result<Condition, ConditionError> {
        let syntax = |why: String| Err(ConditionError::Syntax(why));
        let (set, base) = if let Some(rest) = strip_prefix_ci(operator, "ForAnyValue:") {
            (SetOp::ForAnyValue, rest)
        } else if let Some(rest) = strip_prefix_ci(operator, "ForAllValues:") {
            (SetOp::ForAllValues, rest)
        } else {
            (SetOp::Single, operator)
        };
        let (base, if_exists) = match strip_suffix_ci(base, "IfExists") {
            Some(b) => (b, true),
            None => (base, false),
        };
        if values.is_empty() {
            return syntax(format!("condition {operator} on {key} has no values"));
        }
        let lower = base.to_ascii_lowercase();
        let templates =
            || -> Box<[Template]> { values.iter().map(|v| Template::new(v, variables)).collect() };
        let (test, negated) = match lower.as_str() {
            "stringequals"
            | "stringnotequals"
            | "stringequalsignorecase"
            | "stringnotequalsignorecase"
            | "stringlike"
            | "stringnotlike" => (
                Test::Str {
                    values: templates(),
                    ignore_case: lower.ends_with("ignorecase"),
                    like: lower.ends_with("like"),
                },
                lower.starts_with("stringnot"),
            ),
            "numericequals"
            | "numericnotequals"
            | "numericlessthan"
            | "numericlessthanequals"
            | "numericgreaterthan"
            | "numericgreaterthanequals" => {
                let mut nums = Vec::with_capacity(values.len());
                for v in values {
                    match parse_number(v) {
                        Some(n) => nums.push(n),
                        None => return syntax(format!("{operator} needs a number, not {v:?}")),
                    }
                }
                let (cmp, negated) = comparison(&lower["numeric".len()..]);
                (
                    Test::Numeric {
                        values: nums.into(),
                        cmp,
                    },
                    negated,
                )
            }
            "dateequals"
            | "datenotequals"
            | "datelessthan"
            | "datelessthanequals"
            | "dategreaterthan"
            | "dategreaterthanequals" => {
                let mut dates = Vec::with_capacity(values.len());
                for v in values {
                    match parse_date(v) {
                        Some(d) => dates.push(d),
                        None => {
                            return Err(ConditionError::Date(format!(
                                "{operator} needs an ISO 8601 date or epoch seconds, not {v:?}"
                            )))
                        }
                    }
                }
                let (cmp, negated) = comparison(&lower["date".len()..]);
                (
                    Test::Date {
                        values: dates.into(),
                        cmp,
                    },
                    negated,
                )
            }
            "bool" => (
                Test::Bool {
                    values: templates(),
                },
                false,
            ),
            "binaryequals" => (
                Test::Binary {
                    values: values.iter().map(|v| v.trim().into()).collect(),
                },
                false,
            ),
            "ipaddress" | "notipaddress" => {
                let mut nets = Vec::with_capacity(values.len());
                for v in values {
                    match IpNet::parse(v) {
                        Some(n) => nets.push(n),
                        None => {
                            return syntax(format!(
                                "{operator} needs an IP address or CIDR, not {v:?}"
                            ))
                        }
                    }
                }
                (Test::Ip { nets: nets.into() }, lower == "notipaddress")
            }
            "arnequals" | "arnlike" | "arnnotequals" | "arnnotlike" => (
                Test::Arn {
                    values: values
                        .iter()
                        .map(|v| ArnPattern::new(v, variables))
                        .collect(),
                },
                lower.starts_with("arnnot"),
            ),
            "null" if !if_exists => {
                let mut flags = Vec::with_capacity(values.len());
                for v in values {
                    match v.to_ascii_lowercase().as_str() {
                        "true" => flags.push(true),
                        "false" => flags.push(false),
                        _ => return syntax(format!("Null needs true or false, not {v:?}")),
                    }
                }
                (
                    Test::Null {
                        values: flags.into(),
                    },
                    false,
                )
            }
            _ => return syntax(format!("unknown condition operator {operator}")),
        };
        Ok(Condition {
            operator: operator.into(),
            key: key.into(),
            lookup: KeyName::new(key),
            set,
            if_exists,
            negated,
            test,
            raw_values: values.iter().map(|v| v.as_str().into()).collect(),
        })
    }

    /// The operator as written (`ForAnyValue:StringLikeIfExists`).
    pub fn operator(&self) -> &str {
        &self.operator
    }

    /// The condition key as written (`kms:EncryptionContext:AppName`).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The values as written.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.raw_values.iter().map(|v| &**v)
    }

    /// Whether the condition holds for the request context.
    pub fn holds(&self, ctx: &Context) -> bool {
        let found = ctx.lookup(&self.lookup);
        if let Test::Null { values } = &self.test {
            let null = found.is_none_or(<[String]>::is_empty);
            return values.contains(&null);
        }
        let values = match found {
            Some(v) if !v.is_empty() => v,
            _ => {
                return self.if_exists
                    || match self.set {
                        SetOp::ForAllValues => true,
                        SetOp::ForAnyValue => false,
                        SetOp::Single => self.negated,
                    }
            }
        };
        match self.set {
            SetOp::ForAllValues => values.iter().all(|v| self.matches_value(v, ctx)),
            SetOp::ForAnyValue => values.iter().any(|v| self.matches_value(v, ctx)),
            SetOp::Single if self.negated => !values.iter().any(|v| self.positive(v, ctx)),
            SetOp::Single => values.iter().any(|v| self.positive(v, ctx)),
        }
    }

    /// One request value against the operator, negation included.
    fn matches_value(&self, value: &str, ctx: &Context) -> bool {
        self.positive(value, ctx) != self.negated
    }

    /// Whether `value` matches any of the policy's values under the un-negated operator.
    fn positive(&self, value: &str, ctx: &Context) -> bool {
        match &self.test {
            Test::Str {
                values,
                ignore_case,
                like,
            } => values.iter().any(|t| {
                if *like {
                    t.matches(value, ctx, *ignore_case)
                } else {
                    t.equals(value, ctx, *ignore_case)
                }
            }),
            Test::Numeric { values, cmp } => {
                parse_number(value).is_some_and(|n| values.iter().any(|&p| cmp.holds(n, p)))
            }
            Test::Date { values, cmp } => {
                parse_date(value).is_some_and(|d| values.iter().any(|&p| cmp.holds(d, p)))
            }
            Test::Bool { values } => values.iter().any(|t| t.equals(value, ctx, true)),
            Test::Binary { values } => values.iter().any(|b| **b == *value.trim()),
            Test::Ip { nets } => {
                IpAddr::from_str(value.trim()).is_ok_and(|ip| nets.iter().any(|n| n.contains(ip)))
            }
            Test::Arn { values } => values.iter().any(|p| p.matches(value, ctx)),
            Test::Null { .. } => unreachable!("Null is decided in holds"),
        }
    }
}

/// `Equals`, `NotEquals`, `LessThan`, ... after the family name: the comparison and whether it
/// is negated.
fn comparison(rest: &str) -> (Cmp, bool) {
    match rest {
        "equals" => (Cmp::Eq, false),
        "notequals" => (Cmp::Eq, true),
        "lessthan" => (Cmp::Lt, false),
        "lessthanequals" => (Cmp::Le, false),
        "greaterthan" => (Cmp::Gt, false),
        _ => (Cmp::Ge, false),
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix))
    .then(|| &s[prefix.len()..])
}

fn strip_suffix_ci<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let at = s.len().checked_sub(suffix.len())?;
    (s.is_char_boundary(at) && s[at..].eq_ignore_ascii_case(suffix)).then(|| &s[..at])
}

fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    // f64's parser also takes "inf" and "NaN", which are no numbers to IAM.
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
    {
        return None;
    }
    f64::from_str(s).ok()
}

/// A date as IAM reads one: ISO 8601 (`2024-01-31`, `2024-01-31T12:00:00Z`, with fractional
/// seconds or a `+hh:mm` offset) or seconds since the epoch (`1546257599`, `1546257599.5`).
/// Milliseconds since the epoch.
pub(crate) fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        && !s[1..].contains('-')
    {
        let secs = f64::from_str(s).ok()?;
        return Some((secs * 1000.0).round() as i64);
    }
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
        return None;
    }
    let mut millis = days_from_civil(year, month, day) * 86_400_000;
    let mut i = 10;
    if i == b.len() {
        return Some(millis);
    }
    if b[i] != b'T' && b[i] != b't' && b[i] != b' ' {
        return None;
    }
    i += 1;
    let hour = num(i, 2)?;
    if b.get(i + 2) != Some(&b':') {
        return None;
    }
    let minute = num(i + 3, 2)?;
    i += 5;
    let mut second = 0;
    if b.get(i) == Some(&b':') {
        second = num(i + 1, 2)?;
        i += 3;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    millis += (hour * 3600 + minute * 60 + second) * 1000;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let frac = &s[start..i];
        if frac.is_empty() {
            return None;
        }
        let ms: String = frac.chars().chain("00".chars()).take(3).collect();
        millis += i64::from_str(&ms).ok()?;
    }
    match b.get(i) {
        None => Some(millis),
        Some(b'Z' | b'z') if i + 1 == b.len() => Some(millis),
        Some(&sign @ (b'+' | b'-')) => {
            let oh = num(i + 1, 2)?;
            let om = match b.get(i + 3) {
                Some(b':') => num(i + 4, 2)?,
                Some(_) => num(i + 3, 2)?,
                None => 0,
            };
            let consumed = match b.get(i + 3) {
                Some(b':') => 6,
                Some(_) => 5,
                None => 3,
            };
            if i + consumed != b.len() || oh > 23 || om > 59 {
                return None;
            }
            let offset = (oh * 60 + om) * 60_000;
            Some(if sign == b'+' {
                millis - offset
            } else {
                millis + offset
            })
        }
        _ => None,
    }
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// An IPv4 or IPv6 network (`203.0.113.0/24`, `2001:db8::/32`, or one address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct IpNet {
    addr: u128,
    prefix: u8,
    v6: bool,
}

impl IpNet {
    fn parse(s: &str) -> Option<IpNet> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(u8::from_str(p).ok()?)),
            None => (s, None),
        };
        let (bits, v6, max) = match IpAddr::from_str(addr).ok()? {
            IpAddr::V4(v4) => (u128::from(u32::from(v4)), false, 32),
            IpAddr::V6(v6) => (u128::from(v6), true, 128),
        };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(IpNet {
            addr: bits,
            prefix,
            v6,
        })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let (bits, v6, width) = match ip {
            IpAddr::V4(v4) => (u128::from(u32::from(v4)), false, 32u32),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) if !self.v6 => (u128::from(u32::from(v4)), false, 32),
                _ => (u128::from(v6), true, 128),
            },
        };
        if v6 != self.v6 {
            return false;
        }
        let host_bits = width - u32::from(self.prefix);
        let mask = if host_bits >= 128 {
            0
        } else {
            !0u128 << host_bits
        };
        (bits & mask) == (self.addr & mask)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(op: &str, key: &str, values: &[&str]) -> Condition {
        let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        Condition::parse(op, key, &values, true).unwrap()
    }

    fn ctx(pairs: &[(&str, &[&str])]) -> Context {
        let mut c = Context::new();
        for (k, vs) in pairs {
            c.set_many(k, vs.iter().copied());
        }
        c
    }

    #[test]
    fn string_operators() {
        let c = ctx(&[("aws:username", &["Alice"])]);
        assert!(cond("StringEquals", "aws:username", &["Alice"]).holds(&c));
        assert!(!cond("StringEquals", "aws:username", &["alice"]).holds(&c));
        assert!(
            cond("StringEquals", "aws:username", &["bob", "Alice"]).holds(&c),
            "values OR"
        );
        assert!(cond("StringEqualsIgnoreCase", "aws:username", &["ALICE"]).holds(&c));
        assert!(!cond("StringNotEqualsIgnoreCase", "aws:username", &["ALICE"]).holds(&c));
        assert!(cond("StringNotEquals", "aws:username", &["alice"]).holds(&c));
        assert!(
            !cond("StringNotEquals", "aws:username", &["bob", "Alice"]).holds(&c),
            "NOR"
        );
        assert!(cond("StringLike", "aws:username", &["A*"]).holds(&c));
        assert!(cond("StringLike", "aws:username", &["?lice"]).holds(&c));
        assert!(!cond("StringLike", "aws:username", &["a*"]).holds(&c));
        assert!(cond("StringNotLike", "aws:username", &["b*"]).holds(&c));
        assert!(!cond("StringNotLike", "aws:username", &["b*", "A*"]).holds(&c));
        // StringEquals does not read wildcards.
        assert!(!cond("StringEquals", "aws:username", &["A*"]).holds(&c));
        // Key names are case-insensitive.
        assert!(cond("StringEquals", "AWS:UserName", &["Alice"]).holds(&c));
    }

    #[test]
    fn absent_keys() {
        let empty = Context::new();
        for op in [
            "StringEquals",
            "StringLike",
            "StringEqualsIgnoreCase",
            "ArnLike",
            "ArnEquals",
        ] {
            assert!(!cond(op, "aws:x", &["v"]).holds(&empty), "{op}");
            assert!(
                cond(&format!("{op}IfExists"), "aws:x", &["v"]).holds(&empty),
                "{op}IfExists"
            );
        }
        for op in [
            "StringNotEquals",
            "StringNotLike",
            "StringNotEqualsIgnoreCase",
            "ArnNotLike",
            "ArnNotEquals",
        ] {
            assert!(
                cond(op, "aws:x", &["v"]).holds(&empty),
                "{op}: absent key holds"
            );
        }
        assert!(!cond("NumericLessThan", "aws:x", &["1"]).holds(&empty));
        assert!(cond("NumericNotEquals", "aws:x", &["1"]).holds(&empty));
        assert!(!cond("DateGreaterThan", "aws:x", &["2020-01-01"]).holds(&empty));
        assert!(cond("DateNotEquals", "aws:x", &["2020-01-01"]).holds(&empty));
        assert!(!cond("Bool", "aws:x", &["true"]).holds(&empty));
        assert!(cond("BoolIfExists", "aws:x", &["true"]).holds(&empty));
        assert!(!cond("IpAddress", "aws:SourceIp", &["10.0.0.0/8"]).holds(&empty));
        assert!(cond("NotIpAddress", "aws:SourceIp", &["10.0.0.0/8"]).holds(&empty));
        assert!(!cond("BinaryEquals", "aws:x", &["QmluYXJ5"]).holds(&empty));
        // IfExists with a present key tests the value.
        let c = ctx(&[("aws:x", &["w"])]);
        assert!(!cond("StringEqualsIfExists", "aws:x", &["v"]).holds(&c));
        assert!(cond("StringEqualsIfExists", "aws:x", &["w"]).holds(&c));
        // A key present with no values is null.
        let e = ctx(&[("aws:x", &[])]);
        assert!(!cond("StringEquals", "aws:x", &["v"]).holds(&e));
        assert!(cond("StringEqualsIfExists", "aws:x", &["v"]).holds(&e));
    }

    #[test]
    fn numeric_and_date() {
        let c = ctx(&[
            ("kms:ValidTo", &["1546257599"]),
            ("aws:CurrentTime", &["2019-07-16T12:00:00Z"]),
        ]);
        assert!(cond("NumericLessThanEquals", "kms:ValidTo", &["1546257599.0"]).holds(&c));
        assert!(!cond("NumericLessThan", "kms:ValidTo", &["1546257599"]).holds(&c));
        assert!(cond("NumericEquals", "kms:ValidTo", &["1546257599"]).holds(&c));
        assert!(!cond("NumericNotEquals", "kms:ValidTo", &["1546257599"]).holds(&c));
        assert!(cond("NumericGreaterThan", "kms:ValidTo", &["1"]).holds(&c));
        assert!(cond("NumericGreaterThanEquals", "kms:ValidTo", &["1546257599"]).holds(&c));
        assert!(cond("DateLessThan", "aws:CurrentTime", &["2020-01-01T00:00:00Z"]).holds(&c));
        assert!(cond("DateGreaterThan", "aws:CurrentTime", &["2019-07-16"]).holds(&c));
        assert!(cond(
            "DateEquals",
            "aws:CurrentTime",
            &["2019-07-16T14:00:00+02:00"]
        )
        .holds(&c));
        assert!(
            cond("DateEquals", "aws:CurrentTime", &["1563278400"]).holds(&c),
            "epoch seconds"
        );
        assert!(cond(
            "DateLessThanEquals",
            "aws:CurrentTime",
            &["2019-07-16T12:00:00.000Z"]
        )
        .holds(&c));
        assert!(cond(
            "DateGreaterThanEquals",
            "aws:CurrentTime",
            &["2019-07-16T12:00Z"]
        )
        .holds(&c));
        assert!(cond(
            "DateNotEquals",
            "aws:CurrentTime",
            &["2019-07-16T12:00:01Z"]
        )
        .holds(&c));
        // Request times in epoch seconds too (aws:EpochTime).
        let e = ctx(&[("aws:EpochTime", &["1563278400"])]);
        assert!(cond("DateEquals", "aws:EpochTime", &["2019-07-16T12:00:00Z"]).holds(&e));
        // Bad values in the policy do not parse; bad request values never match.
        assert!(matches!(
            Condition::parse("DateLessThan", "k", &["soon".into()], true),
            Err(ConditionError::Date(_))
        ));
        assert!(matches!(
            Condition::parse("NumericLessThan", "k", &["many".into()], true),
            Err(ConditionError::Syntax(_))
        ));
        let bad = ctx(&[("kms:ValidTo", &["later"])]);
        assert!(!cond("NumericLessThan", "kms:ValidTo", &["5"]).holds(&bad));
    }

    #[test]
    fn dates_parse() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("1970-01-02T00:00:00Z"), Some(86_400_000));
        assert_eq!(parse_date("2000-03-01T00:00:00Z"), Some(951_868_800_000));
        assert_eq!(
            parse_date("2019-07-16T12:00:00.5Z"),
            Some(1_563_278_400_500)
        );
        assert_eq!(
            parse_date("2019-07-16T13:00:00+0100"),
            Some(1_563_278_400_000)
        );
        assert_eq!(parse_date("1563278400.25"), Some(1_563_278_400_250));
        assert_eq!(parse_date("2019-02-29"), None);
        assert_eq!(parse_date("2019-13-01"), None);
        assert_eq!(parse_date("2019-07-16T25:00:00Z"), None);
        assert_eq!(parse_date("tomorrow"), None);
        assert_eq!(parse_date("2019-07-16Tx"), None);
    }

    #[test]
    fn bool_binary_null_ip() {
        let c = ctx(&[
            ("kms:GrantIsForAWSResource", &["true"]),
            ("aws:x", &["QmluYXJ5"]),
            ("aws:SourceIp", &["203.0.113.7"]),
            ("aws:v6", &["2001:db8::1"]),
        ]);
        assert!(cond("Bool", "kms:GrantIsForAWSResource", &["true"]).holds(&c));
        assert!(cond("Bool", "kms:GrantIsForAWSResource", &["True"]).holds(&c));
        assert!(!cond("Bool", "kms:GrantIsForAWSResource", &["false"]).holds(&c));
        assert!(cond("BinaryEquals", "aws:x", &["QmluYXJ5"]).holds(&c));
        assert!(!cond("BinaryEquals", "aws:x", &["QmluYXJ6"]).holds(&c));
        assert!(cond("Null", "kms:EncryptionContextKeys", &["true"]).holds(&c));
        assert!(!cond("Null", "kms:EncryptionContextKeys", &["false"]).holds(&c));
        assert!(cond("Null", "kms:GrantIsForAWSResource", &["false"]).holds(&c));
        assert!(cond("IpAddress", "aws:SourceIp", &["203.0.113.0/24"]).holds(&c));
        assert!(cond("IpAddress", "aws:SourceIp", &["10.0.0.0/8", "203.0.113.7"]).holds(&c));
        assert!(!cond("IpAddress", "aws:SourceIp", &["203.0.114.0/24"]).holds(&c));
        assert!(!cond("NotIpAddress", "aws:SourceIp", &["203.0.0.0/16"]).holds(&c));
        assert!(cond("IpAddress", "aws:v6", &["2001:db8::/32"]).holds(&c));
        assert!(!cond("IpAddress", "aws:v6", &["203.0.113.0/24"]).holds(&c));
        assert!(cond("IpAddress", "aws:SourceIp", &["0.0.0.0/0"]).holds(&c));
        assert!(
            Condition::parse("IpAddress", "aws:SourceIp", &["10.0.0.0/33".into()], true).is_err()
        );
        assert!(Condition::parse("NullIfExists", "k", &["true".into()], true).is_err());
        assert!(Condition::parse("Null", "k", &["yes".into()], true).is_err());
        assert!(Condition::parse("StringEqual", "k", &["v".into()], true).is_err());
        assert!(Condition::parse("StringEquals", "k", &[], true).is_err());
    }

    #[test]
    fn arn_operators() {
        let c = ctx(&[(
            "aws:PrincipalArn",
            &["arn:aws:iam::111122223333:role/app/Reader"],
        )]);
        assert!(cond(
            "ArnLike",
            "aws:PrincipalArn",
            &["arn:aws:iam::*:role/app/*"]
        )
        .holds(&c));
        // ArnEquals reads wildcards too, as AWS documents.
        assert!(cond(
            "ArnEquals",
            "aws:PrincipalArn",
            &["arn:aws:iam::111122223333:role/*"]
        )
        .holds(&c));
        assert!(!cond(
            "ArnLike",
            "aws:PrincipalArn",
            &["arn:aws:iam::444455556666:*"]
        )
        .holds(&c));
        assert!(cond(
            "ArnNotLike",
            "aws:PrincipalArn",
            &["arn:aws:iam::444455556666:*"]
        )
        .holds(&c));
        assert!(!cond(
            "ArnNotEquals",
            "aws:PrincipalArn",
            &["arn:aws:iam::111122223333:role/app/Reader"]
        )
        .holds(&c));
        // Case-sensitive.
        assert!(!cond(
            "ArnLike",
            "aws:PrincipalArn",
            &["arn:aws:iam::111122223333:role/app/reader"]
        )
        .holds(&c));
    }

    #[test]
    fn set_qualifiers() {
        let keys = ctx(&[("kms:EncryptionContextKeys", &["AppName", "Project"])]);
        let none = Context::new();
        let empty = ctx(&[("kms:EncryptionContextKeys", &[])]);
        let k = "kms:EncryptionContextKeys";
        // ForAnyValue: at least one request value matches; absent or empty is false.
        assert!(cond("ForAnyValue:StringEquals", k, &["AppName"]).holds(&keys));
        assert!(!cond("ForAnyValue:StringEquals", k, &["Stage"]).holds(&keys));
        assert!(!cond("ForAnyValue:StringEquals", k, &["AppName"]).holds(&none));
        assert!(!cond("ForAnyValue:StringEquals", k, &["AppName"]).holds(&empty));
        assert!(cond("ForAnyValue:StringEqualsIfExists", k, &["AppName"]).holds(&none));
        // ForAllValues: every request value matches; absent or empty is true.
        assert!(cond("ForAllValues:StringEquals", k, &["AppName", "Project", "X"]).holds(&keys));
        assert!(!cond("ForAllValues:StringEquals", k, &["AppName"]).holds(&keys));
        assert!(cond("ForAllValues:StringEquals", k, &["AppName"]).holds(&none));
        assert!(cond("ForAllValues:StringEquals", k, &["AppName"]).holds(&empty));
        assert!(cond("ForAllValues:StringLike", k, &["App*", "Pro*"]).holds(&keys));
        // Negated operators under set qualifiers: "matches" means "matches none".
        assert!(
            cond("ForAnyValue:StringNotEquals", k, &["AppName"]).holds(&keys),
            "Project ≠"
        );
        assert!(!cond("ForAnyValue:StringNotEquals", k, &["AppName", "Project"]).holds(&keys));
        assert!(!cond("ForAnyValue:StringNotEquals", k, &["AppName"]).holds(&none));
        assert!(cond("ForAllValues:StringNotEquals", k, &["Stage"]).holds(&keys));
        assert!(!cond("ForAllValues:StringNotEquals", k, &["AppName"]).holds(&keys));
        assert!(cond("ForAllValues:StringNotEquals", k, &["AppName"]).holds(&none));
        // Without a qualifier, a multivalued key: any value for positive, none for negated.
        assert!(cond("StringEquals", k, &["Project"]).holds(&keys));
        assert!(!cond("StringNotEquals", k, &["Project"]).holds(&keys));
        assert!(cond("StringNotEquals", k, &["Stage"]).holds(&keys));
        // Qualifier names are read regardless of case, like operator names.
        assert!(cond("forallvalues:stringequals", k, &["AppName", "Project"]).holds(&keys));
    }
}
