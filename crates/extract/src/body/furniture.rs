//! Lines that frame an article rather than tell it, and what a page read as one
//! article puts around its paragraphs.

use super::*;

/// What an article's page puts around and between its paragraphs (applied when the
/// page is read as one article): time stamps alone (a playlist's "01:01:43", a
/// list's "11/20/2019 01:14 PM"); links with only a time stamp beside them
/// (headline lists); runs of short, mostly-link blocks (rails); login, newsletter,
/// conference calls; copyright and street-address lines; link spam; and, on a page
/// that is not a thread, everything from a comments label on.
pub(crate) fn article_furniture(
    arena: &Arena,
    blocks: &mut [Block],
    keys: &[String],
    thread: bool,
) {
    let mut cut = false;
    for (b, key) in blocks.iter_mut().zip(keys) {
        if cut {
            b.keep = false;
            continue;
        }
        if !b.keep || b.kind == BlockKind::Image {
            continue;
        }
        let cell = b.kind == BlockKind::Cell;
        if !thread && is_comments_label(key, b.kind) {
            cut = true;
            b.keep = false;
            continue;
        }
        let n = b.chars();
        let ld = b.link_density();
        // Time stamps, datelines and headline items (a table's cells are data: their
        // dates stay). A date alone inside the body can be a timeline's entry; a
        // clock time, a duration or "32M ago" alone is a list's or a playlist's.
        let stamped = !cell
            && (crate::dates::stamp_line(&b.text).is_some_and(|s| s.time || s.relative)
                || crate::dates::is_dateline(&b.text)
                || (n < 250
                    && b.link_chars > 0
                    && crate::dates::is_stamp_line(&unlinked(arena, b))));
        let drop = stamped
            || is_call_to_action(key, ld)
            || is_legal_line(&b.text, key)
            || (n < 400 && ld >= 0.7 && links_in(arena, b) >= SPAM_LINKS);
        if drop {
            b.keep = false;
        }
    }
    // Rails that escaped the card rule: runs of short blocks that are mostly link.
    let mut run: Vec<usize> = Vec::new();
    let flush = |run: &mut Vec<usize>, blocks: &mut [Block]| {
        if run.len() >= RAIL_MIN {
            for &i in run.iter() {
                if let Some(b) = blocks.get_mut(i) {
                    b.keep = false;
                }
            }
        }
        run.clear();
    };
    // Only at the end of the body: inside it, a list of links is the story's own
    // (a changelog's bug links, a list of sources).
    for i in (0..blocks.len()).rev() {
        let Some(b) = blocks.get(i) else { continue };
        if !b.keep || matches!(b.kind, BlockKind::Image | BlockKind::Cell) {
            continue;
        }
        if b.chars() < RAIL_MAX_CHARS && b.link_density() >= 0.5 {
            run.push(i);
        } else {
            break;
        }
    }
    flush(&mut run, blocks);
}

/// A run of at least this many short, mostly-link blocks is a rail,
pub(crate) const RAIL_MIN: usize = 3;
/// each block shorter than this.
pub(crate) const RAIL_MAX_CHARS: usize = 150;
/// A short block with this many links, nearly all link text, is link spam (a long
/// one can be a story's list of sources).
pub(crate) const SPAM_LINKS: usize = 5;

/// The block's text outside links.
pub(crate) fn unlinked(arena: &Arena, b: &Block) -> String {
    let mut out = String::new();
    for &t in &b.texts {
        if nearest_below(arena, t, b.owner, "a").is_none()
            && let Some(n) = arena.get(t)
        {
            out.push_str(&n.text);
            out.push(' ');
        }
    }
    out
}

/// Distinct links in the block.
pub(crate) fn links_in(arena: &Arena, b: &Block) -> usize {
    let mut seen: Vec<Ix> = Vec::new();
    for &t in &b.texts {
        if let Some(a) = nearest_below(arena, t, b.owner, "a")
            && !seen.contains(&a)
        {
            seen.push(a);
        }
    }
    seen.len()
}

/// The nearest `tag` element above `from`, not going past `top`.
pub(crate) fn nearest_below(arena: &Arena, from: Ix, top: Ix, tag: &str) -> Option<Ix> {
    let mut cur = arena.parent(from);
    let mut hops = 0;
    while let Some(ix) = cur {
        if arena.tag(ix) == tag {
            return Some(ix);
        }
        if ix == top || hops > 32 {
            return None;
        }
        hops += 1;
        cur = arena.parent(ix);
    }
    None
}

/// "23 Comments", "Comments (7)", a "Comments" heading, "Join the conversation",
/// "Leave a reply": the start of a comment section. A bare "Comments" that is not a
/// heading can be a label in the story (a table's column, a code listing's field).
pub(crate) fn is_comments_label(key: &str, kind: BlockKind) -> bool {
    if key.len() > 40 {
        return false;
    }
    let rest = key
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .trim_start();
    let rest = rest
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .trim_end();
    let counted = rest.len() < key.len();
    let heading = matches!(kind, BlockKind::Heading(_));
    (matches!(rest, "comments" | "responses" | "replies") && (counted || heading))
        || matches!(
            rest,
            "reader comments"
                | "show comments"
                | "view comments"
                | "load comments"
                | "join the conversation"
                | "join the discussion"
                | "leave a reply"
                | "leave a comment"
                | "add a comment"
                | "post a comment"
        )
        || rest.starts_with("thoughts on ")
        || rest.starts_with("responses to ")
}

/// "Log in", "Sign up for our newsletter", "Register for the … Summit", "Get
/// breaking news alerts in your inbox": a call to act, not article text. Short, and
/// either mostly link or starting with the verb.
pub(crate) fn is_call_to_action(key: &str, ld: f32) -> bool {
    const TOPICS: &[&str] = &[
        "log in",
        "login",
        "sign in",
        "sign up",
        "signup",
        "register",
        "registration",
        "subscribe",
        "subscription",
        "subscriber",
        "newsletter",
        "newsletters",
        "inbox",
        "alerts",
        "account",
        "conference",
        "summit",
        "webinar",
        "membership",
    ];
    const VERBS: &[&str] = &[
        "log",
        "login",
        "sign",
        "register",
        "subscribe",
        "get",
        "join",
        "create",
        "download",
        "follow",
        "click",
        "try",
        "start",
        "unlock",
        "become",
    ];
    if key.len() > 200 {
        return false;
    }
    let words = key.split_whitespace().count();
    if words == 0 || words > 16 {
        return false;
    }
    let topic = TOPICS.iter().any(|t| {
        key.match_indices(t).any(|(i, _)| {
            let before = key
                .get(..i)
                .is_none_or(|s| s.is_empty() || s.ends_with(' '));
            let after = key
                .get(i + t.len()..)
                .is_none_or(|s| s.is_empty() || s.starts_with(' '));
            before && after
        })
    });
    let verb = key
        .split_whitespace()
        .next()
        .is_some_and(|w| VERBS.contains(&w));
    topic && (ld >= 0.5 || verb)
}

/// Copyright notices and street addresses (a footer's lines).
pub(crate) fn is_legal_line(text: &str, key: &str) -> bool {
    let n = text.chars().count();
    if n >= 250 {
        return false;
    }
    // "© 2026 …", "Copyright 2026", "All rights reserved" (a "™©" joke in a
    // sentence is not a notice).
    let year_after = |i: usize| {
        text.get(i..).is_some_and(|t| {
            t.split_whitespace()
                .take(3)
                .any(|w| w.trim_matches(|c: char| !c.is_ascii_digit()).len() == 4)
        })
    };
    if key.contains("all rights reserved")
        || key.starts_with("copyright ")
        || text.match_indices('©').any(|(i, _)| year_after(i))
    {
        return true;
    }
    n < 200 && is_address(text)
}

/// "410 Commerce Street, Suite 200, Harlow, OH 44102", "17 Mill Street, Port Ellen,
/// PA 17011 · (717) 555-0142": a house number followed by a street word, and a
/// postal code or a phone number.
pub(crate) fn is_address(text: &str) -> bool {
    const STREET: &[&str] = &[
        "street",
        "st",
        "avenue",
        "ave",
        "road",
        "rd",
        "boulevard",
        "blvd",
        "lane",
        "ln",
        "drive",
        "dr",
        "way",
        "plaza",
        "place",
        "pl",
        "square",
        "sq",
        "court",
        "parkway",
        "pkwy",
        "highway",
        "hwy",
        "suite",
        "floor",
    ];
    let toks: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '·' | '|' | ';'))
        .filter(|t| !t.is_empty())
        .collect();
    let street =
        toks.iter().enumerate().any(|(i, t)| {
            (1..=5).contains(&t.len())
                && t.chars().all(|c| c.is_ascii_digit())
                && toks.iter().skip(i + 1).take(4).any(|w| {
                    STREET.contains(&w.trim_end_matches('.').to_ascii_lowercase().as_str())
                })
        });
    if !street {
        return false;
    }
    let zip = toks.windows(2).any(|w| {
        let (Some(st), Some(z)) = (w.first(), w.get(1)) else {
            return false;
        };
        st.len() == 2
            && st.chars().all(|c| c.is_ascii_uppercase())
            && z.get(..5)
                .is_some_and(|d| d.len() == 5 && d.chars().all(|c| c.is_ascii_digit()))
    });
    let phone = toks.iter().any(|t| {
        let t = t.trim_matches(|c: char| !c.is_ascii_digit());
        t.len() == 8
            && t.get(3..4) == Some("-")
            && t.chars().filter(char::is_ascii_digit).count() == 7
    });
    zip || phone
}

/// Short lines that frame an article rather than tell it: "Like this:",
/// "The post … appeared first on …" (feed footers), copyright, photo credits and
/// tag lists.
pub(crate) fn is_furniture_line(text: &str, key: &str) -> bool {
    const LINES: &[&str] = &[
        "like this",
        "like loading",
        "share this",
        "share this post",
        "share this story",
        "share article",
        "copy link",
        "table of contents",
        "in this article",
        "show caption",
        "hide caption",
        "listen to this article",
        // Post-rating widgets ("Rate my Post").
        "how useful was this post",
        "click on a star to rate it",
        "no votes so far be the first to rate this post",
        "we are sorry that this post was not useful for you",
        "let us improve this post",
        "tell us how we can improve this post",
    ];
    const PREFIXES: &[&str] = &[
        "image:",
        "image credit",
        "photo:",
        "photo credit",
        "photograph:",
        "credit:",
        "tags:",
        "categories:",
        "filed under",
        "thank you for reading ",
        "thanks for reading ",
        "average rating ",
        "copyright ©",
        "copyright (c)",
        "©",
    ];
    let n = text.chars().count();
    if n >= 400 {
        return false;
    }
    // Affiliate disclosures ("Purchases made through our links may earn us a
    // commission"): a notice about the page, longer than the other lines.
    if key.contains("commission")
        && ["affiliate", "our links", "purchases made", "we may earn"]
            .iter()
            .any(|w| key.contains(w))
    {
        return true;
    }
    if n > 200 {
        return false;
    }
    let lower = text.trim().to_lowercase();
    if LINES.contains(&key) || is_reading_time(key) {
        return true;
    }
    if lower.starts_with("the post ") && lower.contains(" appeared first on ") {
        return true;
    }
    n < 150 && PREFIXES.iter().any(|p| lower.starts_with(p))
}

/// "5 min read", "Reading time: 11 minutes".
pub(crate) fn is_reading_time(key: &str) -> bool {
    if key.len() > 40 || !key.contains("min") {
        return false;
    }
    let words: Vec<&str> = key.split_whitespace().collect();
    words.len() <= 5
        && words.iter().any(|w| matches!(*w, "read" | "reading"))
        && words
            .iter()
            .any(|w| matches!(*w, "min" | "mins" | "minute" | "minutes"))
        && words.iter().all(|w| {
            matches!(
                *w,
                "read" | "reading" | "time" | "min" | "mins" | "minute" | "minutes"
            ) || w.chars().all(|c| c.is_ascii_digit())
        })
}

/// "By Jane Doe", "Von Anna Schmidt | 4. März": a byline, not prose.
pub(crate) fn is_byline_line(t: &str) -> bool {
    let t = t.trim();
    let Some(rest) = [
        "By ",
        "BY ",
        "Von ",
        "Par ",
        "Por ",
        "Written by ",
        "Posted by ",
    ]
    .iter()
    .find_map(|p| t.strip_prefix(p)) else {
        return false;
    };
    let name = rest.split(['|', '•', '·', '\n', ',']).next().unwrap_or("");
    let words: Vec<&str> = name.split_whitespace().collect();
    t.chars().count() <= 100
        && (1..=5).contains(&words.len())
        && words
            .iter()
            .all(|w| w.chars().next().is_some_and(|c| c.is_uppercase()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn article_furniture_lines() {
        use super::{BlockKind, is_call_to_action, is_comments_label, is_legal_line, norm_key};
        let label = |t: &str, k| is_comments_label(&norm_key(t), k);
        assert!(label("23 Comments", BlockKind::Other));
        assert!(label("Comments (7)", BlockKind::Other));
        assert!(label("Comments", BlockKind::Heading(3)));
        assert!(label("Join the conversation", BlockKind::Other));
        // A bare label inside a story (a table column, a code listing's field).
        assert!(!label("Comments", BlockKind::Other));
        assert!(!label("Comment", BlockKind::Heading(3)));
        assert!(!label("Comments from the minister", BlockKind::Heading(2)));
        let cta = |t: &str, ld| is_call_to_action(&norm_key(t), ld);
        assert!(cta("Sign up for the Morning Briefing newsletter", 1.0));
        assert!(cta("Register for the Energy Futures Conference", 0.0));
        assert!(cta("Log in", 1.0));
        assert!(!cta("The newsletter's editor resigned on Monday.", 0.0));
        assert!(!cta(
            "Registration for the event opened on Monday, officials said.",
            0.0
        ));
        let legal = |t: &str| is_legal_line(t, &norm_key(t));
        assert!(legal(
            "Copyright © 2026 Courier Media Group. All rights reserved."
        ));
        assert!(legal(
            "The Daily Courier, 410 Commerce Street, Suite 200, Harlow, OH 44102"
        ));
        assert!(legal("17 Mill Street, Port Ellen · (717) 555-0142"));
        assert!(!legal(
            "The crash happened outside 410 Commerce Street on Monday."
        ));
        assert!(!legal(
            "This isn't supposed to be a manifesto™© we just think it's cool."
        ));
    }

    #[test]
    fn furniture_lines() {
        let f = |t: &str| super::is_furniture_line(t, &super::norm_key(t));
        assert!(f("Like this:"));
        assert!(f("Click on a star to rate it!"));
        assert!(f("Average rating 5 / 5. Vote count: 1"));
        assert!(f("Thank you for reading The Green Techpreneur"));
        assert!(!f("Thanks to readers, the fund reached its goal."));
        assert!(f("The post Ten Tips appeared first on Example News."));
        assert!(f("Image credit: © Depositphotos.com/AndrewLozovyi"));
        assert!(f("Copyright © 2023 NPR. All rights reserved."));
        assert!(!f("Like this summer, the next one will be hot."));
        assert!(!f("The post office closed at noon."));
        assert!(f("5 min read"));
        assert!(f("Reading Time: 11 minutes"));
        assert!(!f("Read for 5 minutes a day."));
        assert!(f(
            "Products are chosen independently by our editors. Purchases made through our links may earn us a commission."
        ));
    }
}
