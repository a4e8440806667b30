//! Masking output that arrives in chunks, such as a step's live output, where a secret may be
//! split across two chunks.

use super::SecretMask;
use super::mask::replace;

/// Masks a stream: [`push`](Self::push) each chunk and print what it returns, then print what
/// [`finish`](Self::finish) returns. The concatenated results equal masking the whole text at
/// once. Up to the longest secret's length (minus one byte) is held back until more text shows
/// whether a secret starts there.
#[derive(Debug, Clone)]
pub struct StreamMask {
    mask: SecretMask,
    pending: String,
}

impl StreamMask {
    pub fn new(mask: SecretMask) -> Self {
        StreamMask {
            mask,
            pending: String::new(),
        }
    }

    /// The masked text that can be shown now.
    pub fn push(&mut self, chunk: &str) -> String {
        self.pending.push_str(chunk);
        let hold = self.mask.longest().saturating_sub(1);
        let mut cut = self.pending.len().saturating_sub(hold);
        let spans = self.mask.spans(&self.pending);
        // A match that starts before `cut` is complete (no secret is longer than `hold + 1`),
        // but a later one may still overlap it: keep the whole match back.
        if let Some(crossing) = spans.iter().find(|s| s.start < cut && cut < s.end) {
            cut = crossing.start;
        }
        while !self.pending.is_char_boundary(cut) {
            cut -= 1;
        }
        let ready: Vec<_> = spans.into_iter().filter(|s| s.end <= cut).collect();
        let out = replace(&self.pending[..cut], &ready);
        self.pending.drain(..cut);
        out
    }

    /// The rest of the text, masked; the stream has ended.
    pub fn finish(&mut self) -> String {
        let rest = std::mem::take(&mut self.pending);
        self.mask.mask(&rest).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn streamed(mask: &SecretMask, chunks: &[&str]) -> String {
        let mut stream = StreamMask::new(mask.clone());
        let mut out: String = chunks.iter().map(|c| stream.push(c)).collect();
        out.push_str(&stream.finish());
        out
    }

    #[test]
    fn a_secret_split_across_chunks_is_hidden() {
        let mask = SecretMask::new(["hunter22"]);
        assert_eq!(
            streamed(&mask, &["pw=hun", "ter", "22 done\n"]),
            "pw=[redacted] done\n"
        );
    }

    #[test]
    fn text_is_released_as_soon_as_no_secret_can_start_in_it() {
        let mask = SecretMask::new(["abcd"]);
        let mut stream = StreamMask::new(mask);
        assert_eq!(stream.push("hello world"), "hello wo");
        assert_eq!(stream.push("!"), "r");
        assert_eq!(stream.finish(), "ld!");
    }

    #[test]
    fn without_secrets_nothing_is_held_back() {
        let mut stream = StreamMask::new(SecretMask::default());
        assert_eq!(stream.push("abc"), "abc");
        assert_eq!(stream.finish(), "");
    }

    proptest::proptest! {
        #[test]
        fn streaming_equals_masking_at_once(
            secrets in proptest::collection::vec("[ab]{4,6}|é[ab]{3}", 1..4),
            text in "[abé ]{0,80}",
            cuts in proptest::collection::vec(0usize..80, 0..8),
        ) {
            let mask = SecretMask::new(&secrets);
            let mut at: Vec<usize> = cuts
                .into_iter()
                .map(|c| c.min(text.len()))
                .filter(|c| text.is_char_boundary(*c))
                .collect();
            at.sort_unstable();
            let mut chunks = Vec::new();
            let mut from = 0;
            for c in at {
                chunks.push(&text[from..c]);
                from = c;
            }
            chunks.push(&text[from..]);
            proptest::prop_assert_eq!(streamed(&mask, &chunks), mask.mask(&text).into_owned());
        }
    }
}
