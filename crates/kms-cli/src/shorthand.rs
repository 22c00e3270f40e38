//! The CLI's shorthand syntax (`TagKey=a,TagValue=b`, `purpose=test,env=dev`, `Key=[a,b]`,
//! `Key={A=1,B=2}`, quoted values, `\,`), parsed to a tree of strings that the model then types.

#[derive(Debug, Clone, PartialEq)]
pub enum Sh {
    Str(String),
    List(Vec<Sh>),
    Map(Vec<(String, Sh)>),
}

pub struct Error(pub String);

pub fn parse(input: &str) -> Result<Sh, Error> {
    let mut p = P {
        s: input.chars().collect(),
        i: 0,
        input,
    };
    let m = p.parameter()?;
    Ok(Sh::Map(m))
}

struct P<'a> {
    s: Vec<char>,
    i: usize,
    input: &'a str,
}

impl P<'_> {
    fn eof(&self) -> bool {
        self.i >= self.s.len()
    }

    fn cur(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.cur(), Some(c) if c.is_whitespace()) {
            self.i += 1;
        }
    }

    fn syntax(&self, expected: &str) -> Error {
        let actual = match self.cur() {
            Some(c) => c.to_string(),
            None => "EOF".into(),
        };
        Error(format!(
            "Expected: '{expected}', received: '{actual}' for input:\n{}\n{}^",
            self.input,
            " ".repeat(self.i)
        ))
    }

    fn expect(&mut self, c: char) -> Result<(), Error> {
        self.ws();
        if self.cur() != Some(c) {
            return Err(self.syntax(&c.to_string()));
        }
        self.i += 1;
        self.ws();
        Ok(())
    }

    fn parameter(&mut self) -> Result<Vec<(String, Sh)>, Error> {
        let mut out: Vec<(String, Sh)> = Vec::new();
        let (k, v) = self.keyval()?;
        out.push((k, v));
        let mut last = self.i;
        while !self.eof() {
            self.expect(',')?;
            let (k, v) = self.keyval()?;
            if out.iter().any(|(x, _)| *x == k) {
                return Err(Error(format!(
                    "Second instance of key \"{k}\" encountered for input:\n{}\n{}^\nThis is often because there is a preceding \",\" instead of a space.",
                    self.input,
                    " ".repeat(last + 1)
                )));
            }
            out.push((k, v));
            last = self.i;
        }
        Ok(out)
    }

    fn keyval(&mut self) -> Result<(String, Sh), Error> {
        let k = self.key();
        self.expect('=')?;
        let v = self.values()?;
        Ok((k, v))
    }

    fn key(&mut self) -> String {
        self.ws();
        let start = self.i;
        while matches!(self.cur(), Some(c) if c.is_ascii_alphanumeric() || "-_.#/:".contains(c)) {
            self.i += 1;
        }
        self.s[start..self.i].iter().collect()
    }

    fn values(&mut self) -> Result<Sh, Error> {
        match self.cur() {
            None => Ok(Sh::Str(String::new())),
            Some('[') => self.explicit_list(),
            Some('{') => self.hash(),
            Some(_) => self.csv_value(),
        }
    }

    fn csv_value(&mut self) -> Result<Sh, Error> {
        let first = self.value(true, false)?;
        self.ws();
        if self.cur() != Some(',') {
            return Ok(Sh::Str(first));
        }
        let mut list = vec![Sh::Str(first.clone())];
        let mut comma = self.i;
        self.expect(',')?;
        loop {
            let save = self.i;
            let v = self.value(false, false)?;
            self.ws();
            if self.cur() == Some('=') || v.is_empty() && self.cur() != Some(',') && !self.eof() {
                // `a=b,c=d`: `c` was the next key, not a value.
                self.i = comma;
                let _ = save;
                break;
            }
            list.push(Sh::Str(v));
            if self.eof() {
                break;
            }
            comma = self.i;
            self.expect(',')?;
        }
        if list.len() == 1 {
            Ok(Sh::Str(first))
        } else {
            Ok(Sh::List(list))
        }
    }

    /// A value: quoted, or bare up to `,` (and `=` after the first, and brackets inside `[]` and
    /// `{}`).
    fn value(&mut self, first: bool, nested: bool) -> Result<String, Error> {
        self.ws();
        match self.cur() {
            Some(q @ ('\'' | '"')) => {
                let start = self.i;
                self.i += 1;
                let mut out = String::new();
                loop {
                    match self.cur() {
                        None => {
                            self.i = start;
                            return Err(self.syntax(&q.to_string()));
                        }
                        Some('\\') if matches!(self.s.get(self.i + 1), Some(&c) if c == q || c == '\\') =>
                        {
                            out.push(self.s[self.i + 1]);
                            self.i += 2;
                        }
                        Some(c) if c == q => {
                            self.i += 1;
                            return Ok(out);
                        }
                        Some(c) => {
                            out.push(c);
                            self.i += 1;
                        }
                    }
                }
            }
            _ => {
                let mut out = String::new();
                while let Some(c) = self.cur() {
                    if c == '\\' && self.s.get(self.i + 1) == Some(&',') {
                        out.push(',');
                        self.i += 2;
                        continue;
                    }
                    if c == ','
                        || (!first && c == '=')
                        || (nested && matches!(c, '[' | ']' | '{' | '}'))
                    {
                        break;
                    }
                    out.push(c);
                    self.i += 1;
                }
                Ok(out.trim_end().to_string())
            }
        }
    }

    fn explicit_list(&mut self) -> Result<Sh, Error> {
        self.expect('[')?;
        let mut out = Vec::new();
        while self.cur() != Some(']') {
            if self.eof() {
                return Err(self.syntax("]"));
            }
            let v = match self.cur() {
                Some('[') => self.explicit_list()?,
                Some('{') => self.hash()?,
                _ => Sh::Str(self.value(true, true)?),
            };
            out.push(v);
            self.ws();
            if self.cur() == Some(',') {
                self.expect(',')?;
            } else if self.cur() != Some(']') {
                return Err(self.syntax("]"));
            }
        }
        self.i += 1;
        self.ws();
        Ok(Sh::List(out))
    }

    fn hash(&mut self) -> Result<Sh, Error> {
        self.expect('{')?;
        let mut out: Vec<(String, Sh)> = Vec::new();
        while self.cur() != Some('}') {
            if self.eof() {
                return Err(self.syntax("}"));
            }
            let k = self.key();
            self.expect('=')?;
            let v = match self.cur() {
                Some('[') => self.explicit_list()?,
                Some('{') => self.hash()?,
                _ => Sh::Str(self.value(true, true)?),
            };
            out.push((k, v));
            self.ws();
            if self.cur() == Some(',') {
                self.expect(',')?;
            } else if self.cur() != Some('}') {
                return Err(self.syntax("}"));
            }
        }
        self.i += 1;
        self.ws();
        Ok(Sh::Map(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Sh {
        Sh::Str(x.into())
    }

    #[test]
    fn forms() {
        let Ok(Sh::Map(m)) = parse("TagKey=a,TagValue=b") else {
            panic!()
        };
        assert_eq!(
            m,
            vec![("TagKey".into(), s("a")), ("TagValue".into(), s("b"))]
        );
        let Ok(Sh::Map(m)) = parse("purpose=test,env=dev") else {
            panic!()
        };
        assert_eq!(
            m,
            vec![("purpose".into(), s("test")), ("env".into(), s("dev"))]
        );
        let Ok(Sh::Map(m)) = parse("Ops=Encrypt,Decrypt,Name=x") else {
            panic!()
        };
        assert_eq!(
            m,
            vec![
                ("Ops".into(), Sh::List(vec![s("Encrypt"), s("Decrypt")])),
                ("Name".into(), s("x"))
            ]
        );
        let Ok(Sh::Map(m)) = parse("a=[x,y],b={c=1,d=[2]},e='q,r',f=\"s\\\"t\",g=") else {
            panic!()
        };
        assert_eq!(m[0].1, Sh::List(vec![s("x"), s("y")]));
        assert_eq!(
            m[1].1,
            Sh::Map(vec![
                ("c".into(), s("1")),
                ("d".into(), Sh::List(vec![s("2")]))
            ])
        );
        assert_eq!(m[2].1, s("q,r"));
        assert_eq!(m[3].1, s("s\"t"));
        assert_eq!(m[4].1, s(""));
        let Ok(Sh::Map(m)) = parse("k=a\\,b") else {
            panic!()
        };
        assert_eq!(m[0].1, s("a,b"));
        let Ok(Sh::Map(m)) = parse("k=a=b") else {
            panic!()
        };
        assert_eq!(m[0].1, s("a=b"));
    }

    #[test]
    fn errors() {
        let Err(Error(e)) = parse("foo") else {
            panic!()
        };
        assert_eq!(e, "Expected: '=', received: 'EOF' for input:\nfoo\n   ^");
        let Err(Error(e)) = parse("a=1,a=2") else {
            panic!()
        };
        assert!(e.starts_with("Second instance of key \"a\""));
    }
}
