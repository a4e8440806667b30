//! SOP.md as HTML for a page: CommonMark with raw HTML escaped (shown as text, never run) and
//! only safe link targets, so a SOP file cannot put script or markup of its own in the console.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};

pub fn render(md: &str) -> String {
    let parser =
        Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS).map(|event| {
            match event {
                Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => Event::Start(Tag::Link {
                    link_type,
                    dest_url: safe_url(dest_url),
                    title,
                    id,
                }),
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => Event::Start(Tag::Image {
                    link_type,
                    dest_url: safe_url(dest_url),
                    title,
                    id,
                }),
                other => other,
            }
        });
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, parser);
    out
}

/// Links to http(s), mail, anchors and relative paths stay; `javascript:` and the like go.
fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower = url.trim().to_ascii_lowercase();
    let scheme = lower.split_once(':').map(|(s, _)| s);
    let safe = match scheme {
        None => true,
        Some(s) if s.contains('/') || s.contains('?') || s.contains('#') => true,
        Some(s) => matches!(s, "http" | "https" | "mailto"),
    };
    if safe { url } else { CowStr::Borrowed("#") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_and_script_links_are_shown_as_text() {
        let html = render(
            "## Step 1: Go\n\n<script>alert(1)</script>\n\nHi <b onclick=x>there</b> [a](javascript:alert(1)) [b](https://x.example/y)\n",
        );
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<b "), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("href=\"https://x.example/y\""), "{html}");
        assert!(html.contains("<h2>Step 1: Go</h2>"), "{html}");
    }
}
