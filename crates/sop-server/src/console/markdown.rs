//! SOP.md as HTML for a page: CommonMark with raw HTML escaped (shown as text, never run) and
//! only safe link targets, so a SOP file cannot put script or markup of its own in the console.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use sop_core::template::Marked;

/// [`render`] of text whose values were set apart ([`Marked`]): each value is shown as text
/// where it stood, so a value holding `[a link](…)` or `<b>` is shown as written, not followed.
pub fn render_marked(marked: &Marked) -> String {
    marked.fill(&render(&marked.text), |value| {
        maud::html! { (value) }.into_string()
    })
}

/// `md` as HTML to sit under a page's `h2`: its headings two levels down (`#` as `h3`), and
/// HTML comments (a step's `<!-- sop: ... -->` options) left out, as a Markdown viewer does.
pub fn render(md: &str) -> String {
    let mut in_comment = false;
    let parser = Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS)
        .filter_map(move |event| {
            Some(match event {
                Event::Html(raw) | Event::InlineHtml(raw)
                    if in_comment || raw.trim_start().starts_with("<!--") =>
                {
                    in_comment = !raw.contains("-->");
                    return None;
                }
                Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                }) => Event::Start(Tag::Heading {
                    level: deeper(level),
                    id,
                    classes,
                    attrs,
                }),
                Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(deeper(level))),
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
            })
        });
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, parser);
    out
}

fn deeper(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H3,
        HeadingLevel::H2 => HeadingLevel::H4,
        HeadingLevel::H3 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
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
        assert!(html.contains("<h4>Step 1: Go</h4>"), "{html}");
    }

    #[test]
    fn values_are_text_where_they_stand_never_links_or_markup() {
        let vars = serde_json::json!({
            "target": "[log in](https://evil.example/login) <b>x</b> ![i](https://evil.example/t.png)",
            "host": "web-1`; rm",
        });
        let vars = vars.as_object().unwrap();
        let marked = sop_core::template::render_text_marked(
            "Check **{{ target }}**, then run `ssh {{ host }}`; {{ missing }} stays.",
            &sop_core::template::Vars::new(vars),
        );
        let html = render_marked(&marked);
        assert!(!html.contains("<a ") && !html.contains("<img"), "{html}");
        assert!(
            html.contains("<strong>[log in](https://evil.example/login) &lt;b&gt;x&lt;/b&gt;"),
            "{html}"
        );
        assert!(html.contains("<code>ssh web-1`; rm</code>"), "{html}");
        assert!(html.contains("{{ missing }} stays."), "{html}");
    }

    #[test]
    fn comments_are_left_out_and_headings_sit_under_the_page() {
        let html = render(
            "# Deploy\n\n## Step 1: Go\n<!-- sop: timeout = \"1m\",\n  retries = 2 -->\n\nDo it. <!-- inline -->Now.\n",
        );
        assert!(
            !html.contains("sop:") && !html.contains("retries") && !html.contains("inline"),
            "{html}"
        );
        assert!(
            html.contains("<h3>Deploy</h3>") && html.contains("<h4>Step 1: Go</h4>"),
            "{html}"
        );
        assert!(html.contains("Do it. Now."), "{html}");
    }
}
