//! Policy strings compiled once for cheap matching: `*` and `?` wildcards, policy variables
//! (`${aws:username}`, `${aws:PrincipalTag/team, 'none'}`, `${*}`), and ARNs matched one
//! colon-separated field at a time.
//!
//! Matching never allocates: a string without variables is matched in place, and a string with
//! variables is matched as a short list of slices (its literal parts and the variables' values).

use super::context::{Context, KeyName};

/// How many pieces a string with variables may have before matching it falls back to a heap
/// list. Real policies have one to three.
const INLINE_PIECES: usize = 8;

/// A policy string: a Resource or Action entry, or a condition value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Template {
    /// As written in the policy, for display.
    raw: Box<str>,
    body: Body,
}

#[derive(Debug, Clone, PartialEq)]
enum Body {
    /// No variables: the text, and (for wildcard use) its shape.
    Plain { text: Box<str>, shape: Shape },
    /// Variables or escapes (`${*}`): the pieces, resolved at evaluation.
    Pieces(Box<[Piece]>),
}

/// The shape of a variable-free wildcard pattern, so the common ones skip the general matcher.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    /// `*`: matches everything.
    Any,
    /// No wildcard.
    Exact,
    /// `prefix*` with no other wildcard (`kms:*`, `kms:GenerateDataKey*`).
    Prefix,
    General,
}

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    /// Literal policy text, in which `*` and `?` are wildcards when the template is a pattern.
    Text(Box<str>),
    /// `${*}`, `${?}`, `${$}`: the character itself, never a wildcard.
    Char(Box<str>),
    /// `${key}` or `${key, 'default'}`.
    Var {
        key: KeyName,
        default: Option<Box<str>>,
    },
}

impl Template {
    /// Compiles `raw`. With `variables` false (a policy older than `2012-10-17`), `${...}` is
    /// literal text, as AWS treats it.
    pub(crate) fn new(raw: &str, variables: bool) -> Template {
        let pieces = if variables && raw.contains("${") {
            parse_pieces(raw)
        } else {
            None
        };
        let body = match pieces {
            Some(pieces) => Body::Pieces(pieces.into()),
            None => Body::Plain {
                text: raw.into(),
                shape: shape_of(raw),
            },
        };
        Template {
            raw: raw.into(),
            body,
        }
    }

    /// Whether `text` matches this template read as a wildcard pattern (`*` any run of
    /// characters, `?` any one). A variable whose key is absent (and has no default) matches
    /// nothing.
    pub(crate) fn matches(&self, text: &str, ctx: &Context, ignore_case: bool) -> bool {
        match &self.body {
            Body::Plain { text: pat, shape } => match shape {
                Shape::Any => true,
                Shape::Exact => eq(pat, text, ignore_case),
                Shape::Prefix => {
                    let prefix = &pat[..pat.len() - 1];
                    text.len() >= prefix.len()
                        && text.is_char_boundary(prefix.len())
                        && eq(prefix, &text[..prefix.len()], ignore_case)
                }
                Shape::General => glob(&[(pat, true)], text, ignore_case),
            },
            Body::Pieces(pieces) => {
                with_segments(pieces, ctx, |segs| glob(segs, text, ignore_case)).unwrap_or(false)
            }
        }
    }

    /// Whether `text` equals this template with its variables substituted (no wildcards).
    pub(crate) fn equals(&self, text: &str, ctx: &Context, ignore_case: bool) -> bool {
        match &self.body {
            Body::Plain { text: pat, .. } => eq(pat, text, ignore_case),
            Body::Pieces(pieces) => {
                with_segments(pieces, ctx, |segs| eq_segments(segs, text, ignore_case))
                    .unwrap_or(false)
            }
        }
    }
}

/// Splits `${...}` out of `raw`; `None` when it has none that parse (all literal).
fn parse_pieces(raw: &str) -> Option<Vec<Piece>> {
    let mut pieces = Vec::new();
    let mut rest = raw;
    let mut literal = String::new();
    let mut any = false;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start + 2..].find('}') else {
            break;
        };
        let inner = rest[start + 2..start + 2 + len].trim();
        let piece = match inner {
            "*" | "?" | "$" => Some(Piece::Char(inner.into())),
            _ => parse_var(inner),
        };
        match piece {
            Some(piece) => {
                literal.push_str(&rest[..start]);
                if !literal.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut literal).into()));
                }
                pieces.push(piece);
                any = true;
            }
            // Not a variable: keep `${` as text and look further on.
            None => literal.push_str(&rest[..start + 2 + len + 1]),
        }
        rest = &rest[start + 2 + len + 1..];
    }
    if !any {
        return None;
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        pieces.push(Piece::Text(literal.into()));
    }
    Some(pieces)
}

/// `aws:username` or `aws:PrincipalTag/team, 'default'`.
fn parse_var(inner: &str) -> Option<Piece> {
    let (key, default) = match inner.split_once(',') {
        Some((key, default)) => {
            let default = default.trim();
            let quoted = default
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))?;
            (key.trim(), Some(quoted.into()))
        }
        None => (inner, None),
    };
    let valid = !key.is_empty()
        && key
            .chars()
            .all(|c| !c.is_whitespace() && !matches!(c, '$' | '{' | '}' | '\'' | ','));
    valid.then(|| Piece::Var {
        key: KeyName::new(key),
        default,
    })
}

fn shape_of(pat: &str) -> Shape {
    if pat == "*" {
        return Shape::Any;
    }
    match pat.find(['*', '?']) {
        None => Shape::Exact,
        Some(i) if i == pat.len() - 1 && pat.ends_with('*') => Shape::Prefix,
        Some(_) => Shape::General,
    }
}

/// An `Action` entry: no variables, matched case-insensitively, so compiled lowercase, and
/// with its first literal bytes packed in a word for a one-comparison rejection (a policy tests
/// dozens of action patterns per request, nearly all `kms:...`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ActionPattern {
    raw: Box<str>,
    folded: Box<str>,
    shape: Shape,
    head: u64,
    mask: u64,
}

/// A lowercased action, with its first bytes packed as [`ActionPattern`] packs them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Action<'a> {
    text: &'a str,
    head: u64,
}

/// Up to the first eight bytes of `s`, little-endian, zero-padded.
#[inline]
fn head_of(s: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    let n = s.len().min(8);
    word[..n].copy_from_slice(&s[..n]);
    u64::from_le_bytes(word)
}

impl<'a> Action<'a> {
    /// `text` must be lowercase.
    pub(crate) fn new(text: &'a str) -> Action<'a> {
        Action {
            text,
            head: head_of(text.as_bytes()),
        }
    }

    #[inline]
    pub(crate) fn head(&self) -> u64 {
        self.head
    }
}

impl ActionPattern {
    pub(crate) fn new(raw: &str) -> ActionPattern {
        let folded = raw.to_lowercase();
        let literal = folded.find(['*', '?']).unwrap_or(folded.len());
        let n = literal.min(8);
        let mask = if n == 8 {
            u64::MAX
        } else {
            (1u64 << (8 * n)) - 1
        };
        ActionPattern {
            raw: raw.into(),
            shape: shape_of(&folded),
            head: head_of(&folded.as_bytes()[..n]),
            mask,
            folded: folded.into(),
        }
    }

    pub(crate) fn raw(&self) -> &str {
        &self.raw
    }

    /// The (head, mask) pair that rejects most actions in one comparison: an action can only
    /// match when `action.head() & mask == head`.
    pub(crate) fn filter(&self) -> (u64, u64) {
        (self.head, self.mask)
    }

    pub(crate) fn matches(&self, action: &Action<'_>) -> bool {
        action.head & self.mask == self.head && self.matches_past_filter(action)
    }

    /// The full test, for an action that passed [`ActionPattern::filter`].
    #[inline]
    pub(crate) fn matches_past_filter(&self, action: &Action<'_>) -> bool {
        let (pat, text) = (self.folded.as_bytes(), action.text.as_bytes());
        match self.shape {
            Shape::Any => true,
            Shape::Exact => pat == text,
            Shape::Prefix => text.starts_with(&pat[..pat.len() - 1]),
            Shape::General => glob(&[(&self.folded, true)], action.text, false),
        }
    }
}

/// Resolves the pieces into (text, wildcards-active) segments and hands them to `f`; `None`
/// when a variable cannot be resolved.
fn with_segments<R>(
    pieces: &[Piece],
    ctx: &Context,
    f: impl FnOnce(&[(&str, bool)]) -> R,
) -> Option<R> {
    fn resolve<'a>(p: &'a Piece, ctx: &'a Context) -> Option<(&'a str, bool)> {
        Some(match p {
            Piece::Text(t) => (t, true),
            Piece::Char(c) => (c, false),
            Piece::Var { key, default } => (ctx.single(key).or(default.as_deref())?, false),
        })
    }
    if pieces.len() <= INLINE_PIECES {
        let mut segs = [("", false); INLINE_PIECES];
        for (slot, p) in segs.iter_mut().zip(pieces) {
            *slot = resolve(p, ctx)?;
        }
        Some(f(&segs[..pieces.len()]))
    } else {
        let segs: Option<Vec<_>> = pieces.iter().map(|p| resolve(p, ctx)).collect();
        Some(f(&segs?))
    }
}

fn eq(a: &str, b: &str, ignore_case: bool) -> bool {
    if !ignore_case {
        a == b
    } else if a.eq_ignore_ascii_case(b) {
        true
    } else if a.is_ascii() && b.is_ascii() {
        false
    } else {
        a.chars()
            .flat_map(char::to_lowercase)
            .eq(b.chars().flat_map(char::to_lowercase))
    }
}

fn eq_segments(segs: &[(&str, bool)], text: &str, ignore_case: bool) -> bool {
    if ignore_case {
        return segs
            .iter()
            .flat_map(|(s, _)| s.chars())
            .flat_map(char::to_lowercase)
            .eq(text.chars().flat_map(char::to_lowercase));
    }
    let mut rest = text;
    for (s, _) in segs {
        match rest.strip_prefix(s) {
            Some(r) => rest = r,
            None => return false,
        }
    }
    rest.is_empty()
}

/// The character at byte `at` of `s` and its length in bytes.
#[inline]
fn char_at(s: &str, at: usize) -> (char, usize) {
    let b = s.as_bytes()[at];
    if b < 0x80 {
        (b as char, 1)
    } else {
        let c = s[at..].chars().next().expect("at is a char boundary");
        (c, c.len_utf8())
    }
}

#[inline]
fn char_eq(a: char, b: char, ignore_case: bool) -> bool {
    a == b
        || (ignore_case
            && if a.is_ascii() && b.is_ascii() {
                a.eq_ignore_ascii_case(&b)
            } else {
                a.to_lowercase().eq(b.to_lowercase())
            })
}

/// Wildcard matching of `text` against the concatenated segments, where `*` and `?` are
/// wildcards only in segments marked so. The classic linear algorithm: on a mismatch, go back
/// to the last `*` and let it take one more character.
fn glob(segs: &[(&str, bool)], text: &str, ignore_case: bool) -> bool {
    let (mut si, mut so, mut t) = (0usize, 0usize, 0usize);
    // After the last `*`: segment, offset in it, and text position it has taken up to.
    let mut star: Option<(usize, usize, usize)> = None;
    loop {
        while si < segs.len() && so >= segs[si].0.len() {
            si += 1;
            so = 0;
        }
        if si < segs.len() {
            let (seg, wild) = segs[si];
            let (c, clen) = char_at(seg, so);
            if wild && c == '*' {
                so += 1;
                star = Some((si, so, t));
                continue;
            }
            if t < text.len() {
                let (d, dlen) = char_at(text, t);
                if (wild && c == '?') || char_eq(c, d, ignore_case) {
                    so += clen;
                    t += dlen;
                    continue;
                }
            }
        } else if t == text.len() {
            return true;
        }
        match star {
            Some((ssi, sso, st)) if st < text.len() => {
                let next = st + char_at(text, st).1;
                star = Some((ssi, sso, next));
                (si, so, t) = (ssi, sso, next);
            }
            _ => return false,
        }
    }
}

/// An ARN pattern matched field by field, as AWS matches `Resource` entries and the `Arn`
/// condition operators: `partition:service:region:account:resource` after `arn:`, where a
/// wildcard never runs across a colon except in the last field (the resource, which may hold
/// colons itself). A pattern with fewer fields is padded with `*`, as IAM reads it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ArnPattern {
    raw: Box<str>,
    kind: ArnKind,
}

#[derive(Debug, Clone, PartialEq)]
enum ArnKind {
    /// `*`
    Any,
    /// Six fields (`arn` included).
    Fields(Box<[Template; 6]>),
    /// Not an ARN at all: matched as a whole.
    Whole(Template),
}

impl ArnPattern {
    pub(crate) fn new(raw: &str, variables: bool) -> ArnPattern {
        let kind = if raw == "*" {
            ArnKind::Any
        } else {
            match split_fields(raw, variables) {
                Some(fields) if fields.len() >= 2 => {
                    let mut it = fields.into_iter();
                    let mut next = || {
                        it.next()
                            .map(|f| Template::new(f, variables))
                            .unwrap_or_else(|| Template::new("*", false))
                    };
                    ArnKind::Fields(Box::new([next(), next(), next(), next(), next(), next()]))
                }
                _ => ArnKind::Whole(Template::new(raw, variables)),
            }
        };
        ArnPattern {
            raw: raw.into(),
            kind,
        }
    }

    pub(crate) fn raw(&self) -> &str {
        &self.raw
    }

    pub(crate) fn matches(&self, arn: &str, ctx: &Context) -> bool {
        match &self.kind {
            ArnKind::Any => true,
            ArnKind::Whole(t) => t.matches(arn, ctx, false),
            ArnKind::Fields(fields) => {
                let mut parts = arn.splitn(6, ':');
                fields.iter().all(|f| match parts.next() {
                    Some(part) => f.matches(part, ctx, false),
                    None => false,
                })
            }
        }
    }
}

/// Splits a policy ARN at its first five colons, ignoring colons inside `${...}` (variables
/// such as `${aws:username}` have them). `None` without any colon.
fn split_fields(raw: &str, variables: bool) -> Option<Vec<&str>> {
    let mut fields = Vec::with_capacity(6);
    let mut start = 0;
    let mut depth = 0usize;
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() && fields.len() < 5 {
        match bytes[i] {
            b'$' if variables && bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 => {
                fields.push(&raw[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if fields.is_empty() {
        return None;
    }
    fields.push(&raw[start..]);
    Some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pat: &str, text: &str) -> bool {
        Template::new(pat, true).matches(text, &Context::new(), false)
    }

    #[test]
    fn wildcards() {
        assert!(m("*", ""));
        assert!(m("*", "anything"));
        assert!(m("kms:*", "kms:Decrypt"));
        assert!(!m("kms:*", "km"));
        assert!(m(
            "kms:GenerateDataKey*",
            "kms:GenerateDataKeyWithoutPlaintext"
        ));
        assert!(m("kms:GenerateDataKey*", "kms:GenerateDataKey"));
        assert!(m("kms:ReEncrypt?rom", "kms:ReEncryptFrom"));
        assert!(!m("kms:ReEncrypt?rom", "kms:ReEncryptTo"));
        assert!(m("*Key*", "kms:DescribeKey"));
        assert!(m("a*b*c", "aXXbYYc"));
        assert!(m("a*b*c", "abc"));
        assert!(!m("a*b*c", "acb"));
        assert!(m("*c", "abcabc"));
        assert!(!m("a?", "a"));
        assert!(m("?", "é"), "? is one character, not one byte");
        assert!(!m("*??", "€"), "a * must not split a character");
        assert!(m("*??", "a€"));
        assert!(
            !m("kms:Decrypt", "kms:decrypt"),
            "case-sensitive by default"
        );
        let ci = Template::new("kms:De*", true);
        assert!(ci.matches("KMS:DECRYPT", &Context::new(), true));
        assert!(Template::new("kms:decrypt", true).matches("kms:Decrypt", &Context::new(), true));
        assert!(Template::new("ÉTÉ*", true).matches("été", &Context::new(), true));
        let action = ActionPattern::new("KMS:GenerateDataKey*");
        assert_eq!(action.raw(), "KMS:GenerateDataKey*");
        assert!(action.matches(&Action::new("kms:generatedatakeypair")));
        assert!(action.matches(&Action::new("kms:generatedatakey")));
        assert!(!action.matches(&Action::new("kms:generatedatake")));
        assert!(!action.matches(&Action::new("kms:generaterandom")));
        let exact = ActionPattern::new("kms:Encrypt");
        assert!(exact.matches(&Action::new("kms:encrypt")));
        assert!(!exact.matches(&Action::new("kms:encryptx")));
        assert!(!exact.matches(&Action::new("kms:encryp")));
        assert!(!exact.matches(&Action::new("kms")));
        assert!(ActionPattern::new("*").matches(&Action::new("")));
        assert!(ActionPattern::new("kms:*crypt").matches(&Action::new("kms:reencrypt")));
        assert!(ActionPattern::new("kms:?ecrypt").matches(&Action::new("kms:decrypt")));
        assert!(!ActionPattern::new("kms:?ecrypt").matches(&Action::new("kms:encrypt")));
        assert!(ActionPattern::new("k*").matches(&Action::new("kms:decrypt")));
        assert!(ActionPattern::new("*").matches(&Action::new("kms:decrypt")));
    }

    #[test]
    fn variables() {
        let mut ctx = Context::new();
        ctx.set("aws:username", "alice")
            .set("aws:PrincipalTag/team", "blue")
            .set_many("aws:TagKeys", ["a", "b"]);
        let t = Template::new("arn:aws:s3:::home/${aws:username}/*", true);
        assert!(t.matches("arn:aws:s3:::home/alice/x", &ctx, false));
        assert!(!t.matches("arn:aws:s3:::home/bob/x", &ctx, false));
        assert!(
            !t.matches("arn:aws:s3:::home/alice/x", &Context::new(), false),
            "absent key"
        );
        // Key names in variables are case-insensitive.
        assert!(Template::new("${AWS:UserName}", true).equals("alice", &ctx, false));
        assert!(Template::new("${aws:principaltag/TEAM}", true).equals("blue", &ctx, false));
        // A multivalued key is no variable.
        assert!(!Template::new("${aws:TagKeys}", true).equals("a", &ctx, false));
        // Defaults.
        let d = Template::new("${aws:PrincipalTag/dept, 'none'}", true);
        assert!(d.equals("none", &ctx, false));
        assert!(Template::new("${aws:username, 'x'}", true).equals("alice", &ctx, false));
        // Escapes are literal characters, never wildcards.
        let star = Template::new("a${*}b", true);
        assert!(star.matches("a*b", &ctx, false));
        assert!(!star.matches("aXb", &ctx, false));
        assert!(Template::new("${?}", true).matches("?", &ctx, false));
        assert!(!Template::new("${?}", true).matches("x", &ctx, false));
        assert!(Template::new("${$}{x}", true).equals("${x}", &ctx, false));
        // A variable's value is literal even if it holds a wildcard character.
        let mut odd = Context::new();
        odd.set("aws:username", "a*");
        assert!(!Template::new("${aws:username}", true).matches("abc", &odd, false));
        assert!(Template::new("${aws:username}", true).matches("a*", &odd, false));
        // Before 2012-10-17, `${...}` is plain text.
        assert!(Template::new("${aws:username}", false).equals("${aws:username}", &ctx, false));
        // Not a variable: kept literally.
        assert!(Template::new("${}x", true).equals("${}x", &ctx, false));
        assert!(Template::new("${unclosed", true).equals("${unclosed", &ctx, false));
        // Ignore-case comparison with variables.
        assert!(Template::new("X-${aws:username}", true).equals("x-ALICE", &ctx, true));
        assert!(Template::new("X-${aws:username}*", true).matches("x-ALICE-1", &ctx, true));
    }

    #[test]
    fn arns_match_field_by_field() {
        let ctx = Context::new();
        let key = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        let p = |s: &str| ArnPattern::new(s, true);
        assert!(p("*").matches(key, &ctx));
        assert!(p("arn:aws:kms:*:111122223333:key/*").matches(key, &ctx));
        assert!(!p("arn:aws:kms:*:444455556666:key/*").matches(key, &ctx));
        assert!(!p("arn:aws:kms:*:111122223333:alias/*").matches(key, &ctx));
        assert!(p(key).matches(key, &ctx));
        // A * does not run across a colon outside the last field...
        assert!(!p("arn:aws:*:111122223333:key/*").matches(key, &ctx));
        // ...but a short pattern is padded with * fields.
        assert!(p("arn:aws:kms").matches(key, &ctx));
        assert!(!p("arn:aws:s3").matches(key, &ctx));
        // The resource field may hold colons.
        assert!(p("arn:aws:logs:*:*:log-group:*")
            .matches("arn:aws:logs:us-east-1:1:log-group:x:*", &ctx));
        // Variables with colons inside are one field.
        let mut c = Context::new();
        c.set("aws:username", "alice");
        assert!(p("arn:aws:iam::*:user/${aws:username}").matches("arn:aws:iam::1:user/alice", &c));
        assert!(!p("arn:aws:iam::*:user/${aws:username}").matches("arn:aws:iam::1:user/bob", &c));
        // Not an ARN.
        assert!(!p("arn:aws:kms:*:*:key/*").matches("*", &ctx));
        assert!(p("foo*").matches("foobar", &ctx));
    }
}
