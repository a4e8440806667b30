//! Percent-decoding as URLs and forms are read (RFC 3986, and `+` for a space in a query), to
//! the bytes, so that text that is not UTF-8 is refused rather than silently replaced.

/// The bytes `text` stands for: `%XX` is the byte XX, and with `plus_is_space` (a query
/// string, as `application/x-www-form-urlencoded` has it) `+` is a space. A `%` not followed
/// by two hex digits is kept as it is, as browsers and `form_urlencoded` keep it.
pub fn decode(text: &str, plus_is_space: bool) -> Vec<u8> {
    // `+` is a space only as sent; a `%2B` still decodes to `+`.
    let spaced;
    let text = if plus_is_space && text.contains('+') {
        spaced = text.replace('+', " ");
        &spaced
    } else {
        text
    };
    percent_encoding::percent_decode_str(text).collect()
}

/// [`decode`], when the bytes are UTF-8.
pub fn decode_utf8(text: &str, plus_is_space: bool) -> Option<String> {
    String::from_utf8(decode(text, plus_is_space)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_become_bytes_and_a_stray_percent_stays() {
        assert_eq!(decode("a%20b+c", true), b"a b c");
        assert_eq!(decode("a+b", false), b"a+b");
        assert_eq!(decode("%FF%fe", false), vec![0xff, 0xfe]);
        assert_eq!(decode("100%", false), b"100%");
        assert_eq!(decode("%4", false), b"%4");
        assert_eq!(decode("%zz", false), b"%zz");
        assert_eq!(decode_utf8("%C3%A9", false).as_deref(), Some("é"));
        assert_eq!(decode_utf8("%FF", false), None);
    }
}
