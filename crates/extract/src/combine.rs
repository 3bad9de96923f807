//! Runs the candidate extractors on one parse and picks/cleans the body.

use crate::arena::{self, Arena};
use crate::body::{self, Block};
use crate::render::{self, Rendered};
use url::Url;

pub struct BodyOut {
    pub html: String,
    pub text: String,
    pub method: String,
}

/// Both candidates, rendered (used by the combiner and by the benchmark example).
pub struct Candidates {
    pub ours: Rendered,
    pub ours_method: &'static str,
    pub ours_blocks: Vec<Block>,
    pub ds: Option<Rendered>,
}

/// Readability (dom_smoothie) on the already-parsed document. Skipped on
/// pathological trees: its recursive passes would risk the stack.
fn run_dom_smoothie(
    doc: dom_query::Document,
    arena: &Arena,
    base: &Url,
    title: Option<&str>,
) -> Option<Rendered> {
    if arena.max_depth_seen > 400 || arena.nodes.len() >= arena::MAX_NODES {
        return None;
    }
    let cfg = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Raw,
        ..Default::default()
    };
    let mut r =
        dom_smoothie::Readability::with_document(doc, Some(base.as_str()), Some(cfg)).ok()?;
    let art = r.parse().ok()?;
    let frag = dom_query::Document::from(art.content.as_ref());
    let a2 = Arena::from_document(&frag);
    let ctx = body::Ctx::new(&a2);
    let mut blocks = body::segment(&ctx, a2.root());
    body::filter_blocks(&a2, &mut blocks, title);
    Some(render::render(&a2, &blocks, base))
}

pub fn candidates(
    doc: dom_query::Document,
    arena: &Arena,
    base: &Url,
    title: Option<&str>,
) -> Candidates {
    let res = body::extract_body(arena, title);
    let ours = render::render(arena, &res.blocks, base);
    let ds = run_dom_smoothie(doc, arena, base, title);
    Candidates {
        ours,
        ours_method: res.method,
        ours_blocks: res.blocks,
        ds,
    }
}

pub fn extract_body(
    doc: dom_query::Document,
    arena: &Arena,
    base: &Url,
    title: Option<&str>,
) -> BodyOut {
    let c = candidates(doc, arena, base, title);
    choose(c)
}

fn choose(c: Candidates) -> BodyOut {
    let ours_len = c.ours.text.chars().count();
    match c.ds {
        Some(ds) if ours_len < 200 && ds.text.chars().count() > ours_len => BodyOut {
            html: ds.html,
            text: ds.text,
            method: "readability".into(),
        },
        _ => BodyOut {
            html: c.ours.html,
            text: c.ours.text,
            method: c.ours_method.into(),
        },
    }
}
