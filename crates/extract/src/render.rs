//! Turns kept blocks into sanitized HTML and plain text. The HTML is rebuilt from an
//! allow-list (never copied), so scripts, styles, event handlers and unknown tags
//! cannot get through; links and images are made absolute.

use crate::arena::{Arena, Ix, Kind};
use crate::body::{Block, BlockKind, is_block_tag, nearest};
use std::collections::HashSet;
use url::Url;

/// Inline elements kept in the HTML output (others are unwrapped).
const INLINE_KEEP: &[&str] = &[
    "a", "strong", "b", "em", "i", "code", "sub", "sup", "mark", "s", "u", "small", "abbr", "q",
    "cite", "time", "kbd", "var", "del", "ins",
];

pub struct Rendered {
    pub html: String,
    pub text: String,
}

pub fn escape_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
}

pub fn escape_attr(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

/// Resolves a link against the base; only http(s) and mailto survive.
pub fn abs_url(base: &Url, href: &str) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() || href.len() > 4096 {
        return None;
    }
    let u = base.join(href).ok()?;
    match u.scheme() {
        "http" | "https" | "mailto" => Some(u),
        _ => None,
    }
}

pub fn render(arena: &Arena, blocks: &[Block], base: &Url) -> Rendered {
    let mut html = String::new();
    let mut text = String::new();
    let mut open_list: Option<(Ix, &'static str)> = None;
    let mut done_tables: HashSet<Ix> = HashSet::new();
    let mut prev_list_item = false;
    // The figure being written: (its `<figure>` element or the image itself).
    let mut open_figure: Option<Ix> = None;
    for b in blocks.iter().filter(|b| b.keep) {
        if let Some(fig) = open_figure {
            if b.kind == BlockKind::Caption && nearest(arena, b.owner, &["figure"]) == Some(fig) {
                html.push_str("<figcaption>");
                render_inline(arena, b, base, &mut html);
                html.push_str("</figcaption>");
                if !b.html_only {
                    if !text.is_empty() {
                        text.push_str("\n\n");
                    }
                    text.push_str(&b.text);
                }
                html.push_str("</figure>\n");
                open_figure = None;
                continue;
            }
            html.push_str("</figure>\n");
            open_figure = None;
        }
        if b.kind == BlockKind::Image {
            if let Some(img) = render_image(arena, b.owner, base) {
                if let Some((_, tag)) = open_list.take() {
                    html.push_str(if tag == "ol" { "</ol>\n" } else { "</ul>\n" });
                }
                html.push_str("<figure>");
                html.push_str(&img);
                open_figure = Some(nearest(arena, b.owner, &["figure"]).unwrap_or(b.owner));
            }
            continue;
        }
        // Close a list that this block does not continue.
        let list = if b.kind == BlockKind::ListItem {
            nearest(arena, b.owner, &["ul", "ol", "dl"])
        } else {
            None
        };
        if let Some((l, tag)) = open_list
            && Some(l) != list
        {
            html.push_str(if tag == "ol" { "</ol>\n" } else { "</ul>\n" });
            open_list = None;
        }
        if let BlockKind::Cell = b.kind
            && let Some(table) = nearest(arena, b.owner, &["table"])
        {
            if done_tables.insert(table) {
                render_table(arena, table, blocks, base, &mut html, &mut text);
            }
            prev_list_item = false;
            continue;
        }
        if !b.html_only {
            if !text.is_empty() {
                text.push_str(
                    if prev_list_item && b.kind == BlockKind::ListItem && open_list.is_some() {
                        "\n"
                    } else {
                        "\n\n"
                    },
                );
            }
            text.push_str(&b.text);
        }
        let (open, close): (String, String) = match b.kind {
            BlockKind::Heading(l) => {
                let l = l.clamp(2, 6);
                (format!("<h{l}>"), format!("</h{l}>\n"))
            }
            BlockKind::ListItem => {
                if open_list.is_none()
                    && let Some(l) = list
                {
                    let tag = if arena.tag(l) == "ol" { "ol" } else { "ul" };
                    html.push_str(if tag == "ol" { "<ol>\n" } else { "<ul>\n" });
                    open_list = Some((l, tag));
                }
                ("<li>".into(), "</li>\n".into())
            }
            BlockKind::Quote => ("<blockquote><p>".into(), "</p></blockquote>\n".into()),
            BlockKind::Pre => ("<pre>".into(), "</pre>\n".into()),
            _ => {
                // A paragraph inside a blockquote keeps its quote.
                if nearest_within(arena, b.owner, "blockquote", 4) {
                    ("<blockquote><p>".into(), "</p></blockquote>\n".into())
                } else {
                    ("<p>".into(), "</p>\n".into())
                }
            }
        };
        html.push_str(&open);
        if b.kind == BlockKind::Pre {
            escape_text(&b.text, &mut html);
        } else {
            render_inline(arena, b, base, &mut html);
        }
        html.push_str(&close);
        prev_list_item = b.kind == BlockKind::ListItem;
    }
    if open_figure.is_some() {
        html.push_str("</figure>\n");
    }
    if let Some((_, tag)) = open_list {
        html.push_str(if tag == "ol" { "</ol>\n" } else { "</ul>\n" });
    }
    Rendered { html, text }
}

/// `<img src alt>` with an absolute http(s) source; lazy-loading attributes are
/// preferred over placeholder `src`s; tracking pixels are skipped.
fn render_image(arena: &Arena, ix: Ix, base: &Url) -> Option<String> {
    let n = arena.get(ix)?;
    if n.attr("width").is_some_and(|w| w.trim() == "1")
        || n.attr("height").is_some_and(|h| h.trim() == "1")
        || is_icon(n)
    {
        return None;
    }
    let first_of_srcset = |v: &str| {
        v.split(',')
            .next()
            .and_then(|c| c.split_whitespace().next())
            .map(str::to_string)
    };
    let candidates = [
        n.attr("data-src").map(str::to_string),
        n.attr("data-lazy-src").map(str::to_string),
        n.attr("data-srcset").and_then(first_of_srcset),
        n.attr("src").map(str::to_string),
        n.attr("srcset").and_then(first_of_srcset),
    ];
    let url = candidates
        .iter()
        .flatten()
        .filter_map(|c| abs_url(base, c))
        .find(|u| matches!(u.scheme(), "http" | "https"))?;
    let mut out = String::from("<img src=\"");
    escape_attr(url.as_str(), &mut out);
    out.push('"');
    if let Some(alt) = n.attr("alt").map(str::trim).filter(|a| !a.is_empty()) {
        out.push_str(" alt=\"");
        escape_attr(alt, &mut out);
        out.push('"');
    }
    out.push('>');
    Some(out)
}

/// Share buttons and other icons: declared at most [`ICON_MAX_PX`] wide or high, or
/// named as a share or social icon by their file name or alt text.
fn is_icon(n: &crate::arena::Node) -> bool {
    const NAMES: &[&str] = &[
        "icon",
        "icons",
        "share",
        "facebook",
        "twitter",
        "whatsapp",
        "linkedin",
        "pinterest",
        "reddit",
        "email",
        "print",
        "rss",
    ];
    let px = |a: &str| {
        n.attr(a)
            .and_then(|v| v.trim().trim_end_matches("px").parse::<u32>().ok())
            .is_some_and(|v| v <= ICON_MAX_PX)
    };
    if px("width") || px("height") {
        return true;
    }
    let named = |v: &str| {
        v.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| NAMES.iter().any(|x| w.eq_ignore_ascii_case(x)))
    };
    let file = n
        .attr("src")
        .map(|s| s.rsplit('/').next().unwrap_or(s))
        .unwrap_or("");
    named(file)
        || n.attr("alt").is_some_and(|a| {
            a.split_whitespace()
                .next()
                .is_some_and(|w| w.eq_ignore_ascii_case("share"))
        })
}

/// Images at most this many pixels wide or high are icons.
const ICON_MAX_PX: u32 = 64;

fn nearest_within(arena: &Arena, from: Ix, tag: &str, hops: usize) -> bool {
    let mut cur = arena.parent(from);
    for _ in 0..hops {
        let Some(ix) = cur else { return false };
        if arena.tag(ix) == tag {
            return true;
        }
        cur = arena.parent(ix);
    }
    false
}

/// Renders the inline content of one block: its own text nodes with links and
/// emphasis, stopping at nested blocks (they are blocks of their own).
fn render_inline(arena: &Arena, b: &Block, base: &Url, out: &mut String) {
    enum Step {
        Enter(Ix),
        Close(&'static str),
    }
    let own: HashSet<Ix> = b.texts.iter().copied().collect();
    let mut stack = Vec::new();
    for &c in arena.children(b.owner).iter().rev() {
        stack.push(Step::Enter(c));
    }
    let start_len = out.len();
    while let Some(step) = stack.pop() {
        let ix = match step {
            Step::Close(tag) => {
                out.push_str("</");
                out.push_str(tag);
                out.push('>');
                continue;
            }
            Step::Enter(ix) => ix,
        };
        let Some(n) = arena.get(ix) else { continue };
        match n.kind {
            Kind::Text => {
                if own.contains(&ix) {
                    let t = collapse_inline(&n.text);
                    if out.len() == start_len {
                        escape_text(t.trim_start(), out);
                    } else {
                        escape_text(&t, out);
                    }
                }
            }
            Kind::Element => {
                let tag = n.tag.as_str();
                if is_block_tag(tag) {
                    continue;
                }
                if tag == "br" {
                    if out.len() > start_len {
                        out.push_str("<br>");
                    }
                    continue;
                }
                if matches!(
                    tag,
                    "script"
                        | "style"
                        | "noscript"
                        | "template"
                        | "svg"
                        | "button"
                        | "iframe"
                        | "object"
                        | "embed"
                        | "select"
                        | "textarea"
                        | "input"
                ) {
                    continue;
                }
                // Only open inline tags that contain some of this block's text.
                let has = arena.descendants(ix).any(|d| own.contains(&d));
                if !has {
                    continue;
                }
                if let Some(kept) = INLINE_KEEP.iter().find(|t| **t == tag) {
                    if *kept == "a" {
                        if let Some(u) = n.attr("href").and_then(|h| abs_url(base, h)) {
                            out.push_str("<a href=\"");
                            escape_attr(u.as_str(), out);
                            out.push_str("\">");
                            stack.push(Step::Close("a"));
                        }
                    } else {
                        out.push('<');
                        out.push_str(kept);
                        out.push('>');
                        stack.push(Step::Close(kept));
                    }
                }
                for &c in n.children.iter().rev() {
                    stack.push(Step::Enter(c));
                }
            }
        }
    }
    // Trim trailing whitespace inside the block.
    while out.len() > start_len && out.ends_with(' ') {
        out.pop();
    }
}

fn collapse_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut ws = false;
    for c in s.chars() {
        if c.is_whitespace() {
            ws = true;
        } else {
            if ws {
                out.push(' ');
            }
            ws = false;
            out.push(c);
        }
    }
    if ws {
        out.push(' ');
    }
    out
}

/// Renders a whole table (rows of kept cells) as HTML, and its text row by row.
fn render_table(
    arena: &Arena,
    table: Ix,
    blocks: &[Block],
    base: &Url,
    html: &mut String,
    text: &mut String,
) {
    let mut rows: Vec<(Ix, Vec<&Block>)> = Vec::new();
    for b in blocks
        .iter()
        .filter(|b| b.keep && b.kind == BlockKind::Cell)
    {
        if nearest(arena, b.owner, &["table"]) != Some(table) {
            continue;
        }
        let tr = nearest(arena, b.owner, &["tr"]).unwrap_or(b.owner);
        match rows.last_mut() {
            Some((r, cells)) if *r == tr => cells.push(b),
            _ => rows.push((tr, vec![b])),
        }
    }
    if rows.is_empty() {
        return;
    }
    html.push_str("<table>\n");
    let mut lines = Vec::new();
    for (_, cells) in &rows {
        html.push_str("<tr>");
        let mut line = Vec::new();
        for c in cells {
            let th = arena.tag(c.owner) == "th";
            html.push_str(if th { "<th>" } else { "<td>" });
            render_inline(arena, c, base, html);
            html.push_str(if th { "</th>" } else { "</td>" });
            line.push(c.text.as_str());
        }
        html.push_str("</tr>\n");
        lines.push(line.join(" | "));
    }
    html.push_str("</table>\n");
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(&lines.join("\n"));
}
