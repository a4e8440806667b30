//! Whether a name (of a variable, fact, output key or header) marks its value as secret.
//!
//! The name is split into words at `-`, `_`, `.`, `/`, `:`, spaces and camelCase humps, and
//! compared word by word, case-insensitively, so `X-Api-Key`, `x_api_key`, `xApiKey` and
//! `X.API.KEY` are the same name. Matching whole words (not substrings) keeps `author`,
//! `passenger`, `bypass` and `tokenizer` from looking secret.

/// Words that mark a name as secret wherever they appear.
const SECRET_WORDS: &[&str] = &[
    "secret",
    "secrets",
    "password",
    "passwords",
    "passwd",
    "passphrase",
    "pass",
    "pwd",
    "token",
    "tokens",
    "credential",
    "credentials",
    "creds",
    "auth",
    "authorization",
    "bearer",
    "jwt",
    "cookie",
    "cookies",
    "session",
    "sessions",
    "apikey",
    "privatekey",
    "privkey",
    "signingkey",
    "sshkey",
    "secretkey",
    "accesskey",
];

/// Endings that make a word secret when something is glued in front: `dbpassword`,
/// `githubtoken`, `clientsecret`.
const SECRET_ENDINGS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "credential",
    "credentials",
    "apikey",
    "privatekey",
];

/// First words that make a following `key` secret: `api key`, `ssh_key`, `signing-key`.
const KEY_QUALIFIERS: &[&str] = &[
    "api",
    "private",
    "priv",
    "signing",
    "ssh",
    "secret",
    "access",
    "encryption",
    "master",
    "hmac",
    "gpg",
    "pgp",
    "deploy",
    "client",
    "license",
];

/// Whether `name` says its value is secret: `password`, `DB_PASS`, `x-api-key`, `ssh_key`,
/// `githubToken`, `Authorization`; but not `author`, `passenger`, `monkey` or `key`.
pub fn is_secret_name(name: &str) -> bool {
    // Every secret word, ending and `key` contains one of these, in any case: an ASCII name
    // holding none of them is not secret, found without splitting it into words (every
    // variable and header name is asked on every step).
    if name.is_ascii() && !NEEDLES.iter().any(|n| contains_ignore_case(name, n)) {
        return false;
    }
    secret_by_words(name)
}

/// The full answer: `name` split into its words, compared word by word.
fn secret_by_words(name: &str) -> bool {
    // A number after a word (`password2`, `token_1`) or a plural key (`api_keys`) names the
    // same kind of value.
    let words: Vec<String> = words(name)
        .into_iter()
        .map(|w| match w.trim_end_matches(|c: char| c.is_ascii_digit()) {
            "keys" => "key".to_string(),
            trimmed => trimmed.to_string(),
        })
        .filter(|w| !w.is_empty())
        .collect();
    let secret_word = words.iter().any(|w| {
        SECRET_WORDS.contains(&w.as_str()) || SECRET_ENDINGS.iter().any(|e| w.ends_with(e))
    });
    let secret_key = words
        .windows(2)
        .any(|pair| pair[1] == "key" && KEY_QUALIFIERS.contains(&pair[0].as_str()));
    secret_word || secret_key
}

/// A part of every entry of [`SECRET_WORDS`] and [`SECRET_ENDINGS`], and `key`.
const NEEDLES: &[&str] = &[
    "secret", "pass", "pwd", "token", "cred", "auth", "bearer", "jwt", "cookie", "session", "key",
];

fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The lower-case words of `name`: split at separators and where a lower-case letter or digit
/// is followed by an upper-case one (`apiKey`), or an upper-case run ends (`APIKey`).
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1);
        let hump = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
            });
        if hump && !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        word.extend(c.to_lowercase());
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_secret_word_and_ending_holds_a_needle() {
        for w in SECRET_WORDS.iter().chain(SECRET_ENDINGS).chain(&["key"]) {
            assert!(NEEDLES.iter().any(|n| w.contains(n)), "{w}");
        }
    }

    #[test]
    fn the_quick_answer_agrees_with_the_words() {
        let parts = [
            "x", "api", "Key", "KEY", "pass", "Word", "db", "host", "user", "agent", "Token",
            "izer", "author", "ssh", "monkey", "content", "type", "auth", "Session", "bearer",
        ];
        let seps = ["", "-", "_", ".", " "];
        for a in parts {
            for sep in seps {
                for b in parts {
                    let name = format!("{a}{sep}{b}");
                    assert_eq!(is_secret_name(&name), secret_by_words(&name), "{name}");
                }
            }
        }
    }

    #[test]
    fn the_names_that_used_to_slip_through_are_secret() {
        for name in [
            "x-api-key",
            "api-key",
            "private-key",
            "privatekey",
            "passphrase",
            "db_pass",
            "pwd",
            "ssh_key",
            "bearer",
            "jwt",
            "cookie",
            "session",
            "signing-key",
            "db_password2",
            "github_token2",
            "api_keys",
            "private_keys",
            "token_1",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn separators_and_case_do_not_matter() {
        for name in [
            "API_KEY",
            "Api.Key",
            "api key",
            "apiKey",
            "APIKey",
            "XApiKey",
            "X-API-KEY",
            "DB_PASSWORD",
            "dbPassword",
            "dbpassword",
            "GITHUB_TOKEN",
            "githubToken",
            "client_secret",
            "clientSecret",
            "Authorization",
            "basic-auth",
            "aws_secret_access_key",
            "session.id",
            "SSH-Key",
            "credentials",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn words_that_only_contain_a_secret_word_are_not_secret() {
        for name in [
            "author",
            "authors",
            "passenger",
            "bypass",
            "compass",
            "tokenizer",
            "monkey",
            "key",
            "primary_key",
            "sort-key",
            "keyboard",
            "cookbook",
            "jwtish",
            "service",
            "version",
            "hostname",
            "severity",
            "passage",
            "",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn names_split_into_words() {
        assert_eq!(words("xApiKey"), ["x", "api", "key"]);
        assert_eq!(words("APIKey"), ["api", "key"]);
        assert_eq!(words("db2Pass"), ["db2", "pass"]);
        assert_eq!(words("--a..b  c--"), ["a", "b", "c"]);
    }

    proptest::proptest! {
        #[test]
        fn a_secret_word_is_found_between_any_separators(
            before in "[a-z]{0,6}",
            after in "[a-z]{0,6}",
            sep in "[-_. ]",
            word in proptest::sample::select(SECRET_WORDS),
            upper in proptest::bool::ANY,
        ) {
            let mut name = String::new();
            if !before.is_empty() {
                name.push_str(&before);
                name.push_str(&sep);
            }
            name.push_str(word);
            if !after.is_empty() {
                name.push_str(&sep);
                name.push_str(&after);
            }
            let name = if upper { name.to_uppercase() } else { name };
            proptest::prop_assert!(is_secret_name(&name), "{}", name);
        }

        #[test]
        fn never_panics(name in "\\PC{0,40}") {
            let _ = is_secret_name(&name);
        }
    }
}
