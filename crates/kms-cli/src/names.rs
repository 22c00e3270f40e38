//! The CLI's names for the models' operations and members: botocore's `xform_name` with `-`
//! (`CreateKey` → `create-key`, `GenerateDataKeyWithoutPlaintext` →
//! `generate-data-key-without-plaintext`, `CloudHsmClusterId` → `cloud-hsm-cluster-id`).

/// botocore's `xform_name(name, '-')`.
pub fn kebab(name: &str) -> String {
    if name.contains('-') {
        return name.to_string();
    }
    let mut name: Vec<char> = name.chars().collect();
    // A trailing plural acronym (`...ARNs`) becomes one word: `-arns`.
    let n = name.len();
    if n >= 3 && name[n - 1] == 's' {
        let caps = name[..n - 1]
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_uppercase())
            .count();
        if caps >= 2 {
            let start = n - 1 - caps;
            let tail: Vec<char> = name[start..]
                .iter()
                .map(|c| c.to_ascii_lowercase())
                .collect();
            name.truncate(start);
            name.push('-');
            name.extend(tail);
        }
    }
    // (.)([A-Z][a-z]+) → \1-\2, left to right without overlaps.
    let mut s1 = Vec::with_capacity(name.len() + 8);
    let mut i = 0;
    while i < name.len() {
        let c = name[i];
        if c != '\n'
            && i + 2 < name.len()
            && name[i + 1].is_ascii_uppercase()
            && name[i + 2].is_ascii_lowercase()
        {
            let mut j = i + 2;
            while j < name.len() && name[j].is_ascii_lowercase() {
                j += 1;
            }
            s1.push(c);
            s1.push('-');
            s1.extend_from_slice(&name[i + 1..j]);
            i = j;
        } else {
            s1.push(c);
            i += 1;
        }
    }
    // ([a-z0-9])([A-Z]) → \1-\2, then lower case.
    let mut out = String::with_capacity(s1.len() + 8);
    let mut i = 0;
    while i < s1.len() {
        let c = s1[i];
        if (c.is_ascii_lowercase() || c.is_ascii_digit())
            && i + 1 < s1.len()
            && s1[i + 1].is_ascii_uppercase()
        {
            out.push(c);
            out.push('-');
            out.push(s1[i + 1].to_ascii_lowercase());
            i += 2;
        } else {
            out.push(c.to_ascii_lowercase());
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::kebab;

    #[test]
    fn botocore_names() {
        for (from, to) in [
            ("CreateKey", "create-key"),
            (
                "GenerateDataKeyWithoutPlaintext",
                "generate-data-key-without-plaintext",
            ),
            (
                "GenerateDataKeyPairWithoutPlaintext",
                "generate-data-key-pair-without-plaintext",
            ),
            ("ListKeyRotations", "list-key-rotations"),
            ("KeyId", "key-id"),
            (
                "BypassPolicyLockoutSafetyCheck",
                "bypass-policy-lockout-safety-check",
            ),
            ("CloudHsmClusterId", "cloud-hsm-cluster-id"),
            ("XksProxyUriEndpoint", "xks-proxy-uri-endpoint"),
            ("GetCallerIdentity", "get-caller-identity"),
            ("ListMFADevices", "list-mfa-devices"),
            ("PolicyARNs", "policy-arns"),
            ("DryRun", "dry-run"),
            ("KeyARN", "key-arn"),
            ("GetKeyLastUsage", "get-key-last-usage"),
            ("SigningAlgorithm", "signing-algorithm"),
            ("MaxResults", "max-results"),
            ("RSAKeyPairs", "rsa-key-pairs"),
            ("DeriveSharedSecret", "derive-shared-secret"),
            ("UpdatePrimaryRegion", "update-primary-region"),
        ] {
            assert_eq!(kebab(from), to, "{from}");
        }
    }
}
