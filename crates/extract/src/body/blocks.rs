//! Splitting a container into paragraph-level blocks.

use super::*;

pub(crate) const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "caption",
    "center",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

pub(crate) fn is_block_tag(tag: &str) -> bool {
    BLOCK_TAGS.contains(&tag)
}

/// Splits a container into blocks, skipping pruned subtrees.
pub(crate) fn segment(ctx: &Ctx<'_>, container: Ix) -> Vec<Block> {
    enum Step {
        Enter(Ix, Ix, bool),
        Exit,
    }
    let arena = ctx.arena;
    let mut blocks: Vec<Block> = Vec::new();
    // Identifies the currently open block: (owner, sequence number).
    let mut seq: u32 = 0;
    let mut open: Option<(Ix, u32)> = None;
    let mut stack = vec![Step::Enter(container, container, false)];
    while let Some(step) = stack.pop() {
        let (ix, owner, in_link) = match step {
            Step::Exit => {
                seq = seq.wrapping_add(1);
                continue;
            }
            Step::Enter(ix, owner, in_link) => (ix, owner, in_link),
        };
        let Some(n) = arena.get(ix) else { continue };
        match n.kind {
            Kind::Text => {
                if n.text.trim().is_empty() {
                    if let Some(b) = blocks.last_mut()
                        && open == Some((owner, seq))
                        && !b.text.ends_with(' ')
                    {
                        b.text.push(' ');
                    }
                    continue;
                }
                let need_new = open != Some((owner, seq));
                if need_new {
                    blocks.push(Block {
                        owner,
                        texts: Vec::new(),
                        text: String::new(),
                        link_chars: 0,
                        kind: kind_of(arena, owner),
                        keep: true,
                        html_only: false,
                    });
                    open = Some((owner, seq));
                }
                if let Some(b) = blocks.last_mut() {
                    b.texts.push(ix);
                    b.text.push_str(&n.text);
                    if in_link {
                        b.link_chars += n.vis as usize;
                    }
                }
            }
            Kind::Element => {
                if ix != container && ctx.is_bad(ix) {
                    continue;
                }
                if &*n.tag == "br" {
                    if let Some(b) = blocks.last_mut()
                        && open == Some((owner, seq))
                    {
                        b.text.push('\n');
                    }
                    continue;
                }
                if &*n.tag == "img" {
                    // Images become their own blocks (figures in the HTML, nothing in
                    // the text); the paragraph around them continues after.
                    blocks.push(Block {
                        owner: ix,
                        texts: Vec::new(),
                        text: String::new(),
                        link_chars: 0,
                        kind: BlockKind::Image,
                        keep: true,
                        html_only: true,
                    });
                    seq = seq.wrapping_add(1);
                    continue;
                }
                let block = is_block_tag(&n.tag);
                let child_owner = if block { ix } else { owner };
                let link = in_link || &*n.tag == "a";
                if block {
                    seq = seq.wrapping_add(1);
                    stack.push(Step::Exit);
                }
                for &c in n.children.iter().rev() {
                    stack.push(Step::Enter(c, child_owner, link));
                }
            }
        }
    }
    for b in &mut blocks {
        b.text = collapse_keep_newlines(&b.text);
    }
    blocks.retain(|b| !b.text.is_empty() || b.kind == BlockKind::Image);
    blocks
}

pub(crate) fn collapse_keep_newlines(s: &str) -> String {
    s.split('\n')
        .map(collapse_ws)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Classifies a block by its owner and nearest structural ancestors.
pub(crate) fn kind_of(arena: &Arena, owner: Ix) -> BlockKind {
    let tag = arena.tag(owner);
    match tag {
        "p" => BlockKind::Para,
        "h1" => BlockKind::Heading(1),
        "h2" => BlockKind::Heading(2),
        "h3" => BlockKind::Heading(3),
        "h4" => BlockKind::Heading(4),
        "h5" => BlockKind::Heading(5),
        "h6" => BlockKind::Heading(6),
        "li" | "dd" | "dt" => BlockKind::ListItem,
        "blockquote" => BlockKind::Quote,
        "pre" => BlockKind::Pre,
        "td" | "th" | "caption" => BlockKind::Cell,
        "figcaption" => BlockKind::Caption,
        _ => BlockKind::Other,
    }
}

pub(crate) fn nearest(arena: &Arena, from: Ix, tags: &[&str]) -> Option<Ix> {
    let mut cur = Some(from);
    let mut hops = 0;
    while let Some(ix) = cur {
        if tags.contains(&arena.tag(ix)) {
            return Some(ix);
        }
        hops += 1;
        if hops > 64 {
            return None;
        }
        cur = arena.parent(ix);
    }
    None
}
