//! AWS Signature Version 4, as a service checks it: the canonical request and string to sign
//! the AWS SDKs build (`@smithy/signature-v4`), recomputed from what the request carries, and
//! compared with the signature in its `Authorization` header.
//!
//! Only requests signed with credentials the sandbox issued are checked (see
//! [`crate::Engine::caller_for_signed_request`]): any other key id acts as the account root, so
//! placeholder credentials keep working.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// What an `Authorization: AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request,
/// SignedHeaders=a;b, Signature=hex` header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub access_key_id: String,
    /// `YYYYMMDD`, the credential scope's date.
    pub date: String,
    pub region: String,
    pub service: String,
    /// Lowercase, in the header's order.
    pub signed_headers: Vec<String>,
    /// Lowercase hex.
    pub signature: String,
}

impl Authorization {
    /// What a request with no readable SigV4 header says of `access_key_id`: no signed headers
    /// and no signature, which no secret matches.
    pub fn unsigned(access_key_id: &str) -> Authorization {
        Authorization {
            access_key_id: access_key_id.to_string(),
            date: String::new(),
            region: String::new(),
            service: String::new(),
            signed_headers: Vec::new(),
            signature: String::new(),
        }
    }

    /// Reads the header; `None` if it is not a SigV4 header with a credential.
    pub fn parse(header: &str) -> Option<Authorization> {
        let rest = header.trim_start().strip_prefix(ALGORITHM)?;
        let field = |name: &str| {
            rest.split(',')
                .map(str::trim)
                .find_map(|part| part.strip_prefix(name))
                .map(str::trim)
        };
        let credential = field("Credential=")?;
        let mut scope = credential.split('/');
        let access_key_id = scope.next().filter(|id| !id.is_empty())?.to_string();
        let mut next = || scope.next().unwrap_or_default().to_string();
        let (date, region, service) = (next(), next(), next());
        Some(Authorization {
            access_key_id,
            date,
            region,
            service,
            signed_headers: field("SignedHeaders=")
                .map(|h| h.split(';').map(str::to_ascii_lowercase).collect())
                .unwrap_or_default(),
            signature: field("Signature=").unwrap_or_default().to_ascii_lowercase(),
        })
    }

    fn scope(&self) -> String {
        format!(
            "{}/{}/{}/aws4_request",
            self.date, self.region, self.service
        )
    }
}

/// The parts of an HTTP request a signature covers.
#[derive(Debug, Clone, Default)]
pub struct SignedRequest {
    pub method: String,
    pub path: String,
    /// Query parameters: each name with its values (several for a repeated name).
    pub query: Vec<(String, Vec<String>)>,
    /// Every header, names in any case.
    pub headers: Vec<(String, String)>,
    /// `hostname[:port]`, for a signed `host` header the request object does not carry.
    pub host: String,
    /// Wiped when dropped: a request's body may carry plaintext.
    pub body: zeroize::Zeroizing<Vec<u8>>,
}

impl SignedRequest {
    /// The value of header `name` (any case); the last of several, as the SDK's signer reads them.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .rev()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The canonical request of SigV4 for the headers `auth` says were signed.
    pub fn canonical_request(&self, auth: &Authorization) -> String {
        let mut signed: Vec<&str> = auth.signed_headers.iter().map(String::as_str).collect();
        signed.sort_unstable();
        signed.dedup();
        let mut out = String::new();
        out.push_str(&self.method.to_ascii_uppercase());
        out.push('\n');
        out.push_str(&canonical_path(&self.path));
        out.push('\n');
        out.push_str(&canonical_query(&self.query));
        out.push('\n');
        for name in &signed {
            let value = match self.header(name) {
                Some(v) => v,
                None if *name == "host" => self.host.as_str(),
                None => "",
            };
            out.push_str(name);
            out.push(':');
            out.push_str(&value.split_whitespace().collect::<Vec<_>>().join(" "));
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&signed.join(";"));
        out.push('\n');
        match self.header("x-amz-content-sha256") {
            Some(hash) => out.push_str(hash),
            None => out.push_str(&hex(&Sha256::digest(&self.body))),
        }
        out
    }

    /// The string to sign: the algorithm, the request's `X-Amz-Date`, the credential scope and
    /// the canonical request's hash.
    pub fn string_to_sign(&self, auth: &Authorization) -> String {
        format!(
            "{ALGORITHM}\n{}\n{}\n{}",
            self.header("x-amz-date").unwrap_or_default(),
            auth.scope(),
            hex(&Sha256::digest(self.canonical_request(auth).as_bytes()))
        )
    }

    /// The signature of this request with `secret_access_key` over `auth`'s scope.
    pub fn signature(&self, auth: &Authorization, secret_access_key: &[u8]) -> String {
        let mut key = b"AWS4".to_vec();
        key.extend_from_slice(secret_access_key);
        let mut signing = hmac(&key, auth.date.as_bytes());
        zeroize::Zeroize::zeroize(&mut key);
        for part in [auth.region.as_str(), auth.service.as_str(), "aws4_request"] {
            signing = hmac(&signing, part.as_bytes());
        }
        let signature = hex(&hmac(&signing, self.string_to_sign(auth).as_bytes()));
        zeroize::Zeroize::zeroize(&mut signing);
        signature
    }

    /// Whether `auth`'s signature is this request's with `secret_access_key`.
    pub fn verify(&self, auth: &Authorization, secret_access_key: &[u8]) -> bool {
        let expected = self.signature(auth, secret_access_key);
        // Compared in constant time: the length is public, the bytes are not.
        expected.len() == auth.signature.len()
            && expected
                .bytes()
                .zip(auth.signature.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    base16ct::lower::encode_string(bytes)
}

/// `encodeURIComponent` with `!'()*` escaped too: what the SDK's signer escapes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The path with `.` and `..` segments resolved and empty ones dropped, escaped (a second time:
/// the SDK signs the already encoded path so) with its slashes kept.
fn canonical_path(path: &str) -> String {
    let path = if path.is_empty() { "/" } else { path };
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut normalized = String::new();
    if path.starts_with('/') {
        normalized.push('/');
    }
    normalized.push_str(&segments.join("/"));
    if !segments.is_empty() && path.ends_with('/') {
        normalized.push('/');
    }
    escape(&normalized).replace("%2F", "/")
}

/// Name-value pairs sorted by escaped name (a repeated name's values sorted too), without
/// `X-Amz-Signature`.
fn canonical_query(query: &[(String, Vec<String>)]) -> String {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (name, values) in query {
        if name.eq_ignore_ascii_case("x-amz-signature") {
            continue;
        }
        let key = escape(name);
        let mut these: Vec<String> = values
            .iter()
            .map(|v| format!("{key}={}", escape(v)))
            .collect();
        these.sort();
        pairs.push((key, these.join("&")));
    }
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    pairs
        .into_iter()
        .map(|(_, p)| p)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's SigV4 test suite, `post-x-www-form-urlencoded` (credential scope
    /// 20150830/us-east-1/service, secret `wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY`).
    #[test]
    fn aws_test_suite_post_form() {
        let req = SignedRequest {
            method: "POST".into(),
            path: "/".into(),
            headers: vec![
                (
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded".into(),
                ),
                ("Host".into(), "example.amazonaws.com".into()),
                ("X-Amz-Date".into(), "20150830T123600Z".into()),
            ],
            body: b"Param1=value1".to_vec().into(),
            ..Default::default()
        };
        let auth = Authorization::parse(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, \
             Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
        )
        .unwrap();
        assert_eq!(auth.access_key_id, "AKIDEXAMPLE");
        assert_eq!(
            req.canonical_request(&auth),
            "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n\
             x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n\
             9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"
        );
        let secret = b"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        assert!(req.verify(&auth, secret));
        assert!(!req.verify(&auth, b"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ"));
        let mut tampered = req.clone();
        tampered.body = b"Param1=value2".to_vec().into();
        assert!(!tampered.verify(&auth, secret));
    }

    /// `get-vanilla-query-order-key-case` and `get-slash-dot-slash`: the query sorted by name,
    /// the path normalized.
    #[test]
    fn aws_test_suite_query_and_path() {
        let req = SignedRequest {
            method: "GET".into(),
            path: "/".into(),
            query: vec![
                ("Param2".into(), vec!["value2".into()]),
                ("Param1".into(), vec!["value1".into()]),
            ],
            headers: vec![("X-Amz-Date".into(), "20150830T123600Z".into())],
            host: "example.amazonaws.com".into(),
            ..Default::default()
        };
        let auth = Authorization::parse(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        )
        .unwrap();
        assert!(req.verify(&auth, b"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"));
        assert_eq!(canonical_path("/./"), "/");
        assert_eq!(canonical_path("/example/.."), "/");
        assert_eq!(canonical_path("/a b/c"), "/a%20b/c");
    }

    #[test]
    fn headers_that_are_not_sigv4_are_not_read() {
        assert_eq!(Authorization::parse("Basic dXNlcjpwYXNz"), None);
        assert_eq!(
            Authorization::parse("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00"),
            None
        );
    }
}
