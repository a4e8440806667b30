//! Percent-decoding as URLs and forms are read (RFC 3986, and `+` for a space in a query), to
//! the bytes, so that text that is not UTF-8 is refused rather than silently replaced.

/// The bytes `text` stands for: `%XX` is the byte XX, and with `plus_is_space` (a query
/// string, as `application/x-www-form-urlencoded` has it) `+` is a space. A `%` not followed
/// by two hex digits is kept as it is, as browsers and `form_urlencoded` keep it.
pub fn decode(text: &str, plus_is_space: bool) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes.get(i..i + 3) {
            Some([b'%', high, low]) => hex(*high).zip(hex(*low)),
            _ => None,
        };
        if let Some((high, low)) = escaped {
            out.push(high << 4 | low);
            i += 3;
            continue;
        }
        match bytes[i] {
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// `text` decoded, when the result is UTF-8.
pub fn decode_utf8(text: &str, plus_is_space: bool) -> Option<String> {
    String::from_utf8(decode(text, plus_is_space)).ok()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
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
