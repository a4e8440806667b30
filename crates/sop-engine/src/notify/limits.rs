//! The chat channels' text limits and the one way text is cut to them: at a character of the
//! plain text, before it is escaped (so never inside a UTF-8 sequence, an HTML entity or a
//! tag), with a visible marker saying how much is missing and where to read all of it. A
//! message past a limit is refused for good, and an approval nobody sees waits on nobody.

use crate::documents::NotificationDocument;

/// Slack: the text of a section block; past it Slack answers `invalid_blocks`.
pub const SLACK_SECTION: usize = 3000;
/// Slack: the text of one of a section's fields.
pub const SLACK_FIELD: usize = 2000;
/// Slack: blocks in one message.
pub const SLACK_BLOCKS: usize = 50;
/// Slack: the `text` fallback. Slack takes about 40,000, but it is what a notification on a
/// phone shows, where one line is read.
pub const SLACK_FALLBACK: usize = 300;
/// Telegram: a message's text; past it Telegram answers 400 "message is too long". Telegram
/// counts the text after parsing the HTML; counting the markup too keeps us inside it.
pub const TELEGRAM_TEXT: usize = 4096;
/// Telegram: the answer to a button press (`answerCallbackQuery`).
pub const TELEGRAM_CALLBACK: usize = 200;
/// One value (a variable, a checklist item): a single long value must not crowd out the others.
pub const VALUE: usize = 400;
/// A name shown in a message: the SOP, its priority, the run, who started it.
pub const NAME: usize = 200;
/// The headline (it holds the SOP's name and the step's title, both written by people).
pub const HEADLINE: usize = 300;

// A field holds a label and a name, a section the bold headline: both must stay inside Slack's.
const _: () = assert!(NAME + 20 <= SLACK_FIELD && HEADLINE + 2 <= SLACK_SECTION);

/// Length as the limits are counted here: UTF-16 code units. Telegram counts those, and there
/// are never fewer of them than the characters Slack counts (an emoji costs two).
pub fn units(text: &str) -> usize {
    text.encode_utf16().count()
}

/// How a channel writes plain text into its markup. Every channel escapes character by
/// character, so the escaped length of a text is the sum of its characters' escaped lengths.
pub type Escape = fn(&str) -> String;

/// Which end of a text is kept when it is cut: the start of most things, the end of output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    Start,
    End,
}

/// Cuts the texts of one message: knows the run a marker points to and the channel's escape.
#[derive(Clone, Copy)]
pub struct Cutter<'a> {
    run: Option<&'a str>,
    escape: Escape,
}

impl<'a> Cutter<'a> {
    pub fn new(doc: &'a NotificationDocument, escape: Escape) -> Self {
        Cutter {
            run: doc.run.as_ref().map(|r| r.id.as_str()),
            escape,
        }
    }

    /// `text` escaped, in at most `max` units: all of it, or the end `keep` names and a marker.
    pub fn fit(&self, text: &str, max: usize, keep: Keep) -> String {
        cut(text, max, keep, self.run, self.escape)
    }

    /// `text` still plain, in at most `max` units: one value of a longer text that is escaped
    /// (and fitted) later as a whole.
    pub fn clip(&self, text: &str, max: usize) -> String {
        cut(text, max, Keep::Start, self.run, plain)
    }

    /// The escaped length of `text` before any cut.
    fn need(&self, text: &str) -> usize {
        units(&(self.escape)(text))
    }
}

fn plain(text: &str) -> String {
    text.to_string()
}

/// A part of a message whose body may be cut: `open` and `close` are markup, kept whole.
pub struct Part {
    pub open: String,
    pub body: String,
    pub close: String,
    pub keep: Keep,
}

impl Part {
    /// The units the whole part takes uncut.
    pub fn need(&self, cut: &Cutter) -> usize {
        units(&self.open) + cut.need(&self.body) + units(&self.close)
    }

    /// The part in at most `max` units; empty when not even the marker fits, so no empty
    /// markup (`<pre></pre>`) is sent.
    pub fn render(&self, cut: &Cutter, max: usize) -> String {
        let frame = units(&self.open) + units(&self.close);
        let body = cut.fit(&self.body, max.saturating_sub(frame), self.keep);
        if body.is_empty() && !self.body.is_empty() {
            return String::new();
        }
        format!("{}{body}{}", self.open, self.close)
    }
}

/// Splits `budget` among parts needing `needs`: a part needing less than an even share of
/// what is left gets all it needs, and the others share what it leaves, so one huge part
/// cannot starve the small ones.
pub fn share(budget: usize, needs: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..needs.len()).collect();
    order.sort_by_key(|&i| needs[i]);
    let mut left = budget;
    let mut shares = vec![0; needs.len()];
    for (done, &i) in order.iter().enumerate() {
        shares[i] = needs[i].min(left / (needs.len() - done));
        left -= shares[i];
    }
    shares
}

/// `text` in at most `max` units, cut after a whole word and ended with `…`: for a short
/// reply, where a marker would take the whole room.
pub fn words(text: &str, max: usize) -> String {
    if units(text) <= max {
        return text.to_string();
    }
    let room = max.saturating_sub(units("…"));
    let (mut used, mut end) = (0, 0);
    for (i, c) in text.char_indices() {
        if used + c.len_utf16() > room {
            break;
        }
        used += c.len_utf16();
        end = i + c.len_utf8();
    }
    let head = &text[..end];
    // Cut mid-word: go back to the last space, unless one word fills the whole room.
    let head = if text[end..].starts_with(char::is_whitespace) {
        head
    } else {
        head.rfind(char::is_whitespace).map_or(head, |i| &head[..i])
    };
    let head = head.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':'));
    format!("{head}…")
}

fn cut(text: &str, max: usize, keep: Keep, run: Option<&str>, escape: Escape) -> String {
    let whole = escape(text);
    if units(&whole) <= max {
        return whole;
    }
    let total = text.chars().count();
    // The marker counting every character is the longest this cut can need.
    let Some(room) = max.checked_sub(units(&escape(&marker(total, keep, run)))) else {
        return String::new();
    };
    let kept = match keep {
        Keep::Start => fitting(text.chars(), room, escape),
        Keep::End => fitting(text.chars().rev(), room, escape),
    };
    let mark = escape(&marker(total - kept, keep, run));
    match keep {
        Keep::Start => format!(
            "{}{mark}",
            escape(&text.chars().take(kept).collect::<String>())
        ),
        Keep::End => format!(
            "{mark}{}",
            escape(&text.chars().skip(total - kept).collect::<String>())
        ),
    }
}

/// How many of `chars`, in order, fit in `room` units once escaped.
fn fitting(chars: impl Iterator<Item = char>, room: usize, escape: Escape) -> usize {
    let (mut used, mut kept) = (0, 0);
    let mut buf = [0u8; 4];
    for c in chars {
        used += units(&escape(c.encode_utf8(&mut buf)));
        if used > room {
            break;
        }
        kept += 1;
    }
    kept
}

/// What a cut says: how much is missing and, for a run, where all of it is.
fn marker(omitted: usize, keep: Keep, run: Option<&str>) -> String {
    let see = run
        .map(|r| format!(" — see the run with sop status {r}"))
        .unwrap_or_default();
    match keep {
        Keep::Start => format!("… (cut; {omitted} more characters{see})"),
        Keep::End => format!("(cut; {omitted} earlier characters{see}) …"),
    }
}

#[cfg(test)]
pub(crate) mod tests;
