//! Runs the candidate extractors on one parse and picks/cleans the body.

use crate::arena::{self, Arena};
use crate::body;
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
    pub ds: Option<Rendered>,
}

/// Readability (dom_smoothie) on the already-parsed document. Skipped on
/// pathological trees: its recursive passes would risk the stack.
fn run_dom_smoothie(
    doc: dom_query::Document,
    arena: &Arena,
    base: &Url,
    title: Option<&str>,
    remove: Vec<dom_query::NodeId>,
    thread: bool,
    article: bool,
) -> Option<Rendered> {
    if arena.max_depth_seen > 400 || arena.nodes.len() >= arena::MAX_NODES {
        return None;
    }
    let mut cfg = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Raw,
        // We read JSON-LD ourselves.
        disable_json_ld: true,
        ..Default::default()
    };
    // Readability retries with its rules relaxed, and returns the longest of its
    // attempts, while what it found is shorter than `char_threshold` (500): on a
    // short news item that is the story's column with its rails and menus.
    if article {
        cfg.char_threshold = ARTICLE_CHAR_THRESHOLD;
    }
    // We never output embeds (videos come from metadata), and dom_smoothie 0.19
    // slices embed attributes on byte offsets that can split a UTF-8 character
    // (a panic our fuzzer found): take them out before it sees the document.
    // Found through the arena (every element is there: deep or huge trees were
    // turned away above); a CSS selection over the document cost ~2 % of our time.
    for (n, id) in arena.nodes.iter().zip(&arena.dom_ids) {
        if n.is_element() && matches!(n.tag.as_str(), "iframe" | "embed" | "object") {
            doc.tree.remove_from_parent(id);
        }
    }
    // Cookie-consent dialogs are pages of prose that Readability can take for the
    // article (our own candidate prunes them by the same words), and an article's
    // repeated cards are other stories. Removed by the nodes our pass found: a CSS
    // selector for them cost 5 % of our time.
    for id in remove {
        doc.tree.remove_from_parent(&id);
    }
    // Belt and braces: a panic inside a third-party extractor must cost us the
    // second opinion, not the page.
    let art = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let mut r =
            dom_smoothie::Readability::with_document(doc, Some(base.as_str()), Some(cfg)).ok()?;
        r.parse().ok()
    }))
    .ok()??;
    let frag = dom_query::Document::from(art.content.as_ref());
    let a2 = Arena::from_document(&frag);
    let ctx = body::Ctx::new(&a2, body::Names::Off, body::Thread::No);
    let mut blocks = body::segment(&ctx, a2.root());
    body::filter_blocks(&a2, &mut blocks, title, STRICT_DS, thread, article);
    // Readability's sibling merging brings end matter too (the rule of our body).
    body::drop_tail_outside_core(&ctx, &mut blocks, a2.root(), false);
    Some(render::render(&a2, &blocks, base))
}

const STRICT_DS: bool = false;

/// Readability's first, strict attempt is an article's answer from this many
/// characters on (two short paragraphs; dom_smoothie's default is 500).
const ARTICLE_CHAR_THRESHOLD: usize = 300;

/// Container methods precise enough that a second opinion does not pay for its time
/// (measured on WCXB: skipping Readability there changes F1 by < 0.001).
const CONFIDENT: &[&str] = &["itemprop", "cms-hint", "posts"];
const MIN_COVERAGE: f32 = 0.5;

/// The pruning context for a page. A Q&A page whose comments hold most of its text
/// (> 70 %) is a forum that calls itself QAPage, replies written as comments: judged
/// as a discussion then. (Stack Exchange pages keep 35-100 % without comments.)
fn thread_ctx(arena: &Arena, names: body::Names, thread: body::Thread) -> body::Ctx<'_> {
    let ctx = body::Ctx::new(arena, names, thread);
    if thread != body::Thread::Questions {
        return ctx;
    }
    let discussion = body::Ctx::new(arena, names, body::Thread::Discussion);
    if (ctx.good_text() as f32) < QA_MIN_KEPT * discussion.good_text() as f32 {
        discussion
    } else {
        ctx
    }
}

/// Share of a Q&A page's text that must remain once its comments are pruned.
const QA_MIN_KEPT: f32 = 0.3;

pub fn candidates(
    doc: dom_query::Document,
    arena: &Arena,
    base: &Url,
    title: Option<&str>,
    thread: body::Thread,
    always_ds: bool,
) -> Candidates {
    let ctx = thread_ctx(arena, body::Names::Article, thread);
    candidates_in(&ctx, doc, base, title, always_ds)
}

fn candidates_in(
    ctx: &body::Ctx<'_>,
    doc: dom_query::Document,
    base: &Url,
    title: Option<&str>,
    always_ds: bool,
) -> Candidates {
    let arena = ctx.arena;
    let res = body::extract_body_in(ctx, title);
    let ours = render::render(arena, &res.blocks, base);
    // Confident: a strong hint that holds most of the page's paragraph text (a
    // "summary box" matching `article-content` is not the article).
    // A thread's posts are judged by their shared class, not by paragraph coverage
    // (posts are written with `<br>`s).
    let confident = CONFIDENT.contains(&res.method)
        && ours.text.chars().count() >= 200
        && (res.coverage >= MIN_COVERAGE || res.method == "posts");
    let ds = if always_ds || !confident {
        let outside = ctx
            .cards
            .iter()
            .copied()
            .filter(|&c| !ctx.inside_any(c, &res.containers));
        let remove = ctx
            .consent_roots()
            .chain(outside)
            .filter_map(|ix| arena.dom_ids.get(ix).copied())
            .collect();
        run_dom_smoothie(doc, arena, base, title, remove, ctx.forum, ctx.article)
    } else {
        None
    };
    Candidates {
        ours,
        ours_method: res.method,
        ds,
    }
}

/// What the body extractor knows of the page.
pub struct Page<'a> {
    /// The page's headline.
    pub title: Option<&'a str>,
    pub thread: body::Thread,
    /// JSON-LD `articleBody`.
    pub ld_body: Option<&'a str>,
    /// One article: expected by the caller or declared by the page.
    pub article: bool,
}

pub fn extract_body(
    doc: dom_query::Document,
    arena: &Arena,
    base: &Url,
    page: &Page<'_>,
) -> BodyOut {
    let title = page.title;
    let mut ctx = thread_ctx(arena, body::Names::Article, page.thread);
    if page.article {
        ctx.read_as_article();
    }
    let mut chosen = choose(candidates_in(&ctx, doc, base, title, false));
    if let Some(ld) = page.ld_body
        && let Some(better) = ld_candidate(ld, &chosen, base, title, page.article)
    {
        chosen = better;
    }
    // An article is never the whole page, however short: what surrounds a
    // two-paragraph news item (headline rails, playlists, footers) outweighs it.
    if page.article {
        return chosen;
    }
    // Pages whose content is many small blocks (listings, collections, product
    // pages, threads) defeat both container finders: they return one block of a
    // page that is mostly something else. When the whole page, under the same
    // pruning, holds more than twice the text, it is the better answer (WCXB: no
    // change on articles; all page types +0.014 dev / +0.011 test).
    // The whole page's text bounds what it could add: skip the work when it
    // cannot reach the ratio.
    let need = WHOLE_RATIO * chosen.text.chars().count() as f32;
    if (ctx.all_text() as f32) < need {
        return chosen;
    }
    // The whole page is judged with fewer class words (`card-header`, `hidden-xs`
    // name content there; WCXB all types +0.009 dev / +0.008 test, articles ±0).
    let page_ctx = ctx.page_variant();
    if (page_ctx.good_text() as f32) < need {
        return chosen;
    }
    let whole = render::render(arena, &body::extract_whole(&page_ctx, title), base);
    let n_chosen = shingles(&chosen.text).len();
    if shingles(&whole.text).len() as f32 > WHOLE_RATIO * n_chosen.max(1) as f32 {
        BodyOut {
            html: whole.html,
            text: whole.text,
            method: format!("whole>{}", chosen.method),
        }
    } else {
        chosen
    }
}

/// The JSON-LD `articleBody`, when it holds the chosen body and more: both DOM
/// candidates fail mostly by missing content (split bodies, "read more" folds),
/// while a publisher's own copy is complete or cut short, rarely padded.
fn ld_candidate(
    ld: &str,
    chosen: &BodyOut,
    base: &Url,
    title: Option<&str>,
    article: bool,
) -> Option<BodyOut> {
    // Cheap bound first: a shorter copy cannot hold more.
    if ld.len() <= chosen.text.len() {
        return None;
    }
    // Plain text (entities and all) or HTML: both go through the same parse,
    // blocks and rendering as Readability's output.
    let html = if ld.contains('<') {
        ld.to_string()
    } else {
        ld.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| format!("<p>{l}</p>"))
            .collect()
    };
    let frag = dom_query::Document::from(html.as_str());
    let a2 = Arena::from_document(&frag);
    let ctx = body::Ctx::new(&a2, body::Names::Off, body::Thread::No);
    let mut blocks = body::segment(&ctx, a2.root());
    body::filter_blocks(&a2, &mut blocks, title, STRICT_DS, false, article);
    let r = render::render(&a2, &blocks, base);
    let sc = shingles(&chosen.text);
    let sl = shingles(&r.text);
    if sc.len() < 30 || sl.len() <= sc.len() {
        return None;
    }
    let inside = sc.intersection(&sl).count() as f32 / sc.len() as f32;
    (inside >= LD_CONTAINS).then(|| BodyOut {
        html: r.html,
        text: r.text,
        method: format!("json-ld>{}", chosen.method),
    })
}

/// Share of the chosen body's 4-grams the JSON-LD body must hold to replace it.
const LD_CONTAINS: f32 = 0.8;

/// The whole-page candidate alone (diagnostics).
pub fn whole_text(arena: &Arena, base: &Url, title: Option<&str>, thread: body::Thread) -> String {
    let ctx = thread_ctx(arena, body::Names::Page, thread);
    render::render(arena, &body::extract_whole(&ctx, title), base).text
}

/// How much more text the whole page must hold than the chosen body to replace it.
const WHOLE_RATIO: f32 = 2.0;

/// Word 4-gram hashes of a text, tokenised like the WCXB scorer (`\w+`).
fn shingles(text: &str) -> rustc_hash::FxHashSet<u64> {
    use std::hash::Hasher;
    // Each token is hashed once; a 4-gram's hash combines its tokens' hashes. Fx:
    // these sets are our own text, and SipHash was 2 % of all instructions.
    let toks: Vec<u64> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .map(|t| {
            let mut h = rustc_hash::FxHasher::default();
            h.write(t.as_bytes());
            h.finish()
        })
        .collect();
    let mut out = rustc_hash::FxHashSet::default();
    if toks.is_empty() {
        return out;
    }
    out.reserve(toks.len());
    for w in toks.windows(4.min(toks.len())) {
        let mut h = rustc_hash::FxHasher::default();
        for &t in w {
            h.write_u64(t);
        }
        out.insert(h.finish());
    }
    out
}

/// Page-level choice between the candidates. Both extractors fail mostly by
/// missing content, so when one candidate contains the other, the superset wins;
/// otherwise ours (it keeps structure and our boilerplate rules).
fn choose(c: Candidates) -> BodyOut {
    let ours = BodyOut {
        html: c.ours.html,
        text: c.ours.text,
        method: c.ours_method.into(),
    };
    let Some(ds) = c.ds else { return ours };
    let dso = BodyOut {
        html: ds.html,
        text: ds.text,
        method: "readability".into(),
    };
    let sa = shingles(&ours.text);
    let sb = shingles(&dso.text);
    if sa.len() < 30 {
        return if sb.len() > sa.len() { dso } else { ours };
    }
    if sb.len() < 30 {
        return ours;
    }
    let inter = sa.intersection(&sb).count() as f32;
    let a_in_b = inter / sa.len() as f32;
    let b_in_a = inter / sb.len() as f32;
    let superset_ds = a_in_b > 0.8 && b_in_a < 0.8;
    let superset_ours = b_in_a > 0.8 && a_in_b < 0.8;
    // Without a content hint our fallback is a plain paragraph-density vote;
    // Readability's scoring (class weights, sibling merging) is the better judge
    // there (WCXB articles: F1 0.875 vs 0.833 on those pages).
    let weak_ours = ours.method == "density";
    if superset_ds || (weak_ours && !superset_ours) {
        BodyOut {
            method: format!("readability>{}", ours.method),
            ..dso
        }
    } else {
        ours
    }
}
