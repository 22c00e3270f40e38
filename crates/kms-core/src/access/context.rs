//! The request context: the condition keys of one request and their values.

use std::fmt;

/// Condition keys (`aws:username`, `kms:EncryptionContext:AppName`, ...) and their values for one
/// request. Key names are case-insensitive, as in AWS; values keep their case.
///
/// A key is either absent, or present with zero or more values. A single-valued key has one
/// value; a multivalued key (`kms:EncryptionContextKeys`, `aws:TagKeys`) has any number. The
/// `Null` operator, `...IfExists` and the set qualifiers treat a key present with no values like
/// an absent one (AWS: a key "with an empty value" is null).
///
/// The evaluator never adds keys of its own: whoever builds the request fills in `aws:` and
/// `kms:` keys, and policy variables (`${aws:username}`) read them from here.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// A short list: lookups scan it, which for the dozen keys a request has is faster than a
    /// hash map.
    entries: Vec<Entry>,
    /// Bit `hash % 64` of every key's hash: most keys a policy tests and the request lacks are
    /// ruled out without a scan.
    present: u64,
}

#[derive(Clone, PartialEq, Eq)]
struct Entry {
    key: KeyName,
    name: Box<str>,
    values: Vec<String>,
}

/// A condition key name lowercased, with a hash of it: what a parsed policy stores for the keys
/// it tests, so that finding one in a [`Context`] compares words, not strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyName {
    hash: u64,
    lower: Box<str>,
}

impl KeyName {
    #[inline]
    fn bit(&self) -> u64 {
        1 << (self.hash % 64)
    }

    pub(crate) fn new(name: &str) -> KeyName {
        let lower = name.to_lowercase();
        // FNV-1a.
        let hash = lower.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        KeyName {
            hash,
            lower: lower.into(),
        }
    }
}

impl Context {
    pub fn new() -> Context {
        Context::default()
    }

    /// Sets `key` to the single value `value`, replacing what it had.
    pub fn set(&mut self, key: &str, value: impl Into<String>) -> &mut Context {
        self.set_values(key, vec![value.into()])
    }

    /// Sets `key` to the values `values` (possibly none), replacing what it had.
    pub fn set_many<I, S>(&mut self, key: &str, values: I) -> &mut Context
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.set_values(key, values.into_iter().map(Into::into).collect())
    }

    /// Sets a Boolean key (`aws:SecureTransport`, `kms:GrantIsForAWSResource`) to `true` or
    /// `false`.
    pub fn set_bool(&mut self, key: &str, value: bool) -> &mut Context {
        self.set(key, if value { "true" } else { "false" })
    }

    /// Sets a numeric key (`kms:ValidTo`, `aws:EpochTime`, `aws:MultiFactorAuthAge`).
    pub fn set_number(&mut self, key: &str, value: i64) -> &mut Context {
        self.set(key, value.to_string())
    }

    /// Adds `value` to the values of `key` (creating it), for multivalued keys.
    pub fn add(&mut self, key: &str, value: impl Into<String>) -> &mut Context {
        match self.position(key) {
            Some(i) => self.entries[i].values.push(value.into()),
            None => {
                self.set(key, value);
            }
        }
        self
    }

    /// Removes `key`; it is then absent.
    pub fn remove(&mut self, key: &str) -> &mut Context {
        if let Some(i) = self.position(key) {
            self.entries.remove(i);
            self.present = self.entries.iter().fold(0, |bits, e| bits | e.key.bit());
        }
        self
    }

    /// The values of `key`, or `None` when it is absent.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.position(key)
            .map(|i| self.entries[i].values.as_slice())
    }

    /// Every key (as first given) with its values, in the order they were set.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.entries.iter().map(|e| (&*e.name, e.values.as_slice()))
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The values of a key, by its parsed name: the lookup of the evaluation path.
    #[inline]
    pub(crate) fn lookup(&self, key: &KeyName) -> Option<&[String]> {
        if self.present & key.bit() == 0 {
            return None;
        }
        self.entries
            .iter()
            .find(|e| e.key.hash == key.hash && e.key.lower == key.lower)
            .map(|e| e.values.as_slice())
    }

    /// The value of a single-valued key, for a policy variable: `None` when the key is absent
    /// or does not have exactly one value.
    pub(crate) fn single(&self, key: &KeyName) -> Option<&str> {
        match self.lookup(key) {
            Some([one]) => Some(one),
            _ => None,
        }
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| e.name.eq_ignore_ascii_case(key))
            .or_else(|| {
                // Non-ASCII key names: compare by full lowercase.
                if key.is_ascii() {
                    return None;
                }
                let lower = key.to_lowercase();
                self.entries.iter().position(|e| *e.key.lower == *lower)
            })
    }

    fn set_values(&mut self, key: &str, values: Vec<String>) -> &mut Context {
        match self.position(key) {
            Some(i) => self.entries[i].values = values,
            None => {
                let key_name = KeyName::new(key);
                self.present |= key_name.bit();
                self.entries.push(Entry {
                    key: key_name,
                    name: key.into(),
                    values,
                })
            }
        }
        self
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_values_are_not() {
        let mut ctx = Context::new();
        ctx.set("aws:UserName", "Alice")
            .set_bool("kms:GrantIsForAWSResource", true)
            .set_many("kms:EncryptionContextKeys", ["AppName", "Project"])
            .set_many("aws:TagKeys", Vec::<String>::new());
        assert_eq!(ctx.get("AWS:username"), Some(&["Alice".to_string()][..]));
        let key = |k: &str| KeyName::new(k);
        assert_eq!(
            ctx.lookup(&key("aws:username")),
            Some(&["Alice".to_string()][..])
        );
        assert_eq!(ctx.single(&key("KMS:GrantIsForAWSResource")), Some("true"));
        assert_eq!(
            ctx.single(&key("kms:encryptioncontextkeys")),
            None,
            "two values"
        );
        assert_eq!(ctx.get("aws:tagkeys"), Some(&[][..]), "present, empty");
        ctx.set("AWS:USERNAME", "bob");
        assert_eq!(
            ctx.single(&key("aws:username")),
            Some("bob"),
            "replaced, not added"
        );
        ctx.add("kms:EncryptionContextKeys", "Stage");
        assert_eq!(ctx.get("kms:encryptioncontextkeys").unwrap().len(), 3);
        ctx.remove("Aws:UserName");
        assert_eq!(ctx.get("aws:username"), None);
        assert_eq!(ctx.lookup(&key("aws:username")), None);
        assert_eq!(ctx.single(&key("kms:GrantIsForAWSResource")), Some("true"));
        assert_eq!(ctx.lookup(&key("aws:absent")), None);
        assert_eq!(ctx.iter().count(), 3);
    }
}
