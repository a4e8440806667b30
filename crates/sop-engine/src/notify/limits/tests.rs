//! Cutting text to the channels' limits; the fixtures the adapters' tests share.

use super::*;
use crate::documents::{
    NotificationGate, NotificationLinks, NotificationRun, NotificationSop, NotificationStep,
};
use crate::notify::{slack, telegram};

/// About 12 KB: multibyte letters, an emoji (two UTF-16 units) and HTML specials.
pub(crate) fn long_value() -> String {
    "Grüße 🚀 <script>&amp; notes, ".repeat(400)
}

/// An approval of run `r-0123` whose variables are `variables`.
pub(crate) fn approval(variables: &[(&str, &str)]) -> NotificationDocument {
    NotificationDocument {
        event: "approval".into(),
        sop: NotificationSop {
            name: "deploy".into(),
            priority: "high".into(),
            description: String::new(),
        },
        run: Some(NotificationRun {
            id: "r-0123".into(),
            status: "waiting".into(),
            started_by: "alice".into(),
            variables: variables
                .iter()
                .map(|(k, v)| (k.to_string(), serde_json::json!(v)))
                .collect(),
        }),
        step: Some(NotificationStep {
            number: 2,
            title: "Ship".into(),
            checklist: vec!["Dashboards are <green>".into()],
            commands: vec!["./ship.sh".into()],
        }),
        gate: Some(NotificationGate {
            id: "g-42".into(),
            label: "before step 2".into(),
            deadline: None,
            approvers: Vec::new(),
            min_approvals: 1,
            outcome: None,
        }),
        failure: None,
        links: NotificationLinks {
            approve: Some("https://sop.example.com/approve/tok&1".into()),
            run: None,
        },
    }
}

/// Every `<` opens one of `tags` and every `&` one of the four entities: nothing was cut
/// inside markup and nothing unescaped got through.
pub(crate) fn markup_is_whole(text: &str, tags: &[&str]) {
    for (i, c) in text.char_indices() {
        let rest = &text[i..];
        match c {
            '<' => assert!(
                tags.iter().any(|t| rest.starts_with(t)),
                "bare < at {rest:.40}"
            ),
            '&' => assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;"]
                    .iter()
                    .any(|e| rest.starts_with(e)),
                "broken entity at {rest:.40}"
            ),
            _ => {}
        }
    }
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[test]
fn a_cut_keeps_characters_and_entities_whole_and_says_what_is_missing() {
    let doc = approval(&[]);
    let text = long_value();
    for escape in [slack::escape as Escape, telegram::escape] {
        let cut = Cutter::new(&doc, escape);
        let fitted = cut.fit(&text, 500, Keep::Start);
        assert!(units(&fitted) <= 500, "{}", units(&fitted));
        markup_is_whole(&fitted, &[]);
        let (kept, mark) = fitted.split_once("… (cut; ").unwrap();
        let kept = unescape(kept);
        assert!(text.starts_with(&kept));
        let omitted = text.chars().count() - kept.chars().count();
        assert_eq!(
            mark,
            format!("{omitted} more characters — see the run with sop status r-0123)")
        );
    }
}

#[test]
fn the_end_of_output_is_kept_and_short_text_is_left_alone() {
    let doc = approval(&[]);
    let cut = Cutter::new(&doc, telegram::escape);
    let output = format!("{}exit: disk full ü", "x".repeat(5000));
    let fitted = cut.fit(&output, 300, Keep::End);
    assert!(fitted.starts_with("(cut; "), "{fitted}");
    assert!(fitted.ends_with("xexit: disk full ü"), "{fitted}");
    assert!(fitted.contains("earlier characters — see the run with sop status r-0123) …x"));
    assert!(units(&fitted) <= 300);
    assert_eq!(cut.fit("a<b", 10, Keep::Start), "a&lt;b");
    assert_eq!(cut.clip("a<b", 10), "a<b");
    assert_eq!(
        cut.fit(&output, 10, Keep::Start),
        "",
        "no room even for the marker"
    );
}

#[test]
fn small_parts_get_all_they_need_and_big_ones_share_the_rest() {
    assert_eq!(share(100, &[10, 500, 30]), vec![10, 60, 30]);
    assert_eq!(share(100, &[500, 500]), vec![50, 50]);
    assert_eq!(share(100, &[1, 2]), vec![1, 2]);
    assert_eq!(share(100, &[]), Vec::<usize>::new());
}

#[test]
fn short_replies_are_cut_after_a_word() {
    let reply = "Refused: alice is not among the approvers of this gate, ".repeat(8);
    let cut = words(&reply, TELEGRAM_CALLBACK);
    assert!(units(&cut) <= TELEGRAM_CALLBACK, "{}", units(&cut));
    let head = cut.strip_suffix('…').unwrap();
    assert!(reply.starts_with(head));
    assert!(reply[head.len()..].starts_with([' ', ',']), "{cut}");
    assert!(!head.ends_with([' ', ',']));
    // One word longer than the room is cut at a character; emoji cost two units.
    let emoji = "🚀".repeat(150);
    let cut = words(&emoji, 200);
    assert_eq!(cut, format!("{}…", "🚀".repeat(99)));
    assert_eq!(words("Approved.", 200), "Approved.");
}
