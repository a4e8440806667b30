//! A request body's `Content-Encoding`: `gzip` (or `x-gzip`) and `deflate` bodies are
//! decompressed, up to the same 1 MiB as any body, so senders that compress (log shippers,
//! some alerting pipelines) are read as they meant; any other coding is a `415` naming the ones
//! taken (RFC 9110, 8.4 and 15.5.16), never a body read as if it were plain.

use crate::body::MAX_BODY;
use crate::error::{ApiError, ApiResult};
use axum::http::{HeaderMap, StatusCode, header};
use flate2::read::{DeflateDecoder, MultiGzDecoder, ZlibDecoder};
use std::borrow::Cow;
use std::io::Read;

/// The codings a request body may come in, as the `415` and its `Accept-Encoding` name them.
pub const ACCEPTED: &str = "gzip, deflate";

/// `bytes` as the sender wrote them before any content coding.
pub fn decode<'a>(headers: &HeaderMap, bytes: &'a [u8]) -> ApiResult<Cow<'a, [u8]>> {
    let codings: Vec<String> = headers
        .get_all(header::CONTENT_ENCODING)
        .iter()
        .flat_map(|v| v.to_str().unwrap_or("\u{fffd}").split(','))
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty() && c != "identity")
        .collect();
    let coding = match codings.as_slice() {
        [] => return Ok(Cow::Borrowed(bytes)),
        // An empty body has nothing to decode, whatever it says it is coded in.
        _ if bytes.is_empty() => return Ok(Cow::Borrowed(bytes)),
        [one] => one.as_str(),
        _ => return Err(unsupported(&codings.join(", "))),
    };
    let limit = MAX_BODY as u64 + 1;
    let mut out = Vec::new();
    let read = match coding {
        // Every member of a gzip file, as `gzip -d` reads it (`pigz` and appending writers make
        // several).
        "gzip" | "x-gzip" => MultiGzDecoder::new(bytes).take(limit).read_to_end(&mut out),
        // HTTP's `deflate` is the zlib format; some senders send the raw deflate stream.
        "deflate" => match ZlibDecoder::new(bytes).take(limit).read_to_end(&mut out) {
            Ok(n) => Ok(n),
            Err(_) => {
                out.clear();
                DeflateDecoder::new(bytes).take(limit).read_to_end(&mut out)
            }
        },
        other => return Err(unsupported(other)),
    };
    match read {
        Ok(n) if n > MAX_BODY => Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request body, decompressed, is larger than {MAX_BODY} bytes"),
        )),
        Ok(_) => Ok(Cow::Owned(out)),
        Err(e) => Err(ApiError::bad_request(format!(
            "the request body is not valid {coding} as its Content-Encoding says: {e}"
        ))),
    }
}

fn unsupported(coding: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        format!(
            "Content-Encoding `{coding}` is not supported: send the body uncompressed, or in one of {ACCEPTED}"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use flate2::Compression;
    use flate2::read::{DeflateEncoder, GzEncoder, ZlibEncoder};

    fn headers(encoding: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_ENCODING,
            HeaderValue::from_str(encoding).unwrap(),
        );
        h
    }

    fn compressed(coding: &str, data: &[u8]) -> Vec<u8> {
        let level = Compression::default();
        let mut out = Vec::new();
        match coding {
            "gzip" => GzEncoder::new(data, level).read_to_end(&mut out),
            "zlib" => ZlibEncoder::new(data, level).read_to_end(&mut out),
            _ => DeflateEncoder::new(data, level).read_to_end(&mut out),
        }
        .unwrap();
        out
    }

    #[test]
    fn plain_and_identity_bodies_are_borrowed_as_sent() {
        let body = br#"{"a":1}"#;
        assert!(matches!(decode(&HeaderMap::new(), body), Ok(Cow::Borrowed(b)) if b == body));
        assert!(matches!(decode(&headers("identity"), body), Ok(Cow::Borrowed(b)) if b == body));
        assert!(matches!(decode(&headers("gzip"), b""), Ok(Cow::Borrowed(b)) if b.is_empty()));
    }

    #[test]
    fn gzip_and_both_deflate_forms_are_decompressed() {
        let body = br#"{"severity":"high"}"#;
        for (header, coding) in [
            ("gzip", "gzip"),
            ("X-Gzip", "gzip"),
            ("deflate", "zlib"),
            ("deflate", "raw"),
        ] {
            let sent = compressed(coding, body);
            let got = decode(&headers(header), &sent).unwrap();
            assert_eq!(&*got, body, "{header} as {coding}");
        }
    }

    #[test]
    fn every_member_of_a_gzip_body_is_read() {
        let mut sent = compressed("gzip", br#"{"a":"#);
        sent.extend(compressed("gzip", br#"1}"#));
        assert_eq!(&*decode(&headers("gzip"), &sent).unwrap(), br#"{"a":1}"#);
    }

    #[test]
    fn other_or_stacked_codings_are_a_415_naming_what_is_taken() {
        for coding in ["br", "zstd", "gzip, gzip", "compress"] {
            let e = decode(&headers(coding), b"xx").unwrap_err();
            assert_eq!(e.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{coding}");
            assert!(e.message.contains(ACCEPTED), "{}", e.message);
        }
    }

    #[test]
    fn a_body_that_is_not_what_it_says_is_a_400() {
        let e = decode(&headers("gzip"), br#"{"a":1}"#).unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert!(e.message.contains("not valid gzip"), "{}", e.message);
    }

    #[test]
    fn a_body_over_the_limit_once_decompressed_is_a_413() {
        let big = vec![b' '; MAX_BODY + 1];
        let sent = compressed("gzip", &big);
        assert!(sent.len() < MAX_BODY / 100, "it compresses well");
        let e = decode(&headers("gzip"), &sent).unwrap_err();
        assert_eq!(e.status, StatusCode::PAYLOAD_TOO_LARGE);
        let fits = compressed("gzip", &big[..MAX_BODY]);
        assert_eq!(decode(&headers("gzip"), &fits).unwrap().len(), MAX_BODY);
    }
}
