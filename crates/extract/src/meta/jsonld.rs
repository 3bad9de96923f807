//! JSON-LD: the article object (NewsArticle, Article, BlogPosting, … inside `@graph`,
//! arrays and `mainEntity`), the site's name, videos, thread types.

use super::*;

pub(crate) const ARTICLE_TYPES: &[&str] = &[
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "askpublicquestionarticle",
    "blogposting",
    "liveblogposting",
    "socialmediaposting",
    "techarticle",
    "scholarlyarticle",
    "report",
    "medicalwebpage",
    "posting",
];

/// Types by which a page declares itself one article (a subset of
/// [`ARTICLE_TYPES`]: reports, scholarly and medical pages are documents).
pub(crate) const DECLARED_TYPES: &[&str] = &[
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "askpublicquestionarticle",
    "blogposting",
    "liveblogposting",
];

/// More JSON-LD article objects than this on one page: a listing marking up its
/// items (one page may repeat its own object in a second script).
pub(crate) const MAX_LD_ARTICLES: usize = 2;

/// Fields gathered from one JSON-LD object of an article type.
#[derive(Default)]
pub(crate) struct Ld {
    pub(crate) headline: Option<String>,
    pub(crate) authors: Vec<String>,
    pub(crate) published: Option<String>,
    pub(crate) modified: Option<String>,
    pub(crate) publisher: Option<String>,
    pub(crate) image: Option<(String, Option<u32>, Option<u32>)>,
    pub(crate) section: Option<String>,
    pub(crate) keywords: Vec<String>,
    pub(crate) language: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) url: Option<String>,
    pub(crate) body: Option<String>,
    pub(crate) videos: Vec<(Option<String>, Option<String>, Option<String>)>,
}

/// What the page's JSON-LD says.
#[derive(Default)]
pub(crate) struct JsonLd {
    /// The article object's fields (a second article object only fills gaps; a video's
    /// or another object's author stands in for a missing one).
    pub(crate) ld: Ld,
    /// The WebSite / Organization name.
    pub(crate) site: Option<String>,
    /// Objects of a [`DECLARED_TYPES`] type.
    pub(crate) articles: usize,
    pub(crate) qa: bool,
    pub(crate) forum: bool,
}

/// Reads every ld+json script.
pub(crate) fn read(arena: &Arena, scripts: &[Ix]) -> JsonLd {
    let mut out = JsonLd::default();
    let mut ld = Ld::default();
    let mut ld_site: Option<String> = None;
    let mut ld_other_authors: Vec<String> = Vec::new();
    let mut ld_articles = 0usize;
    for &ix in scripts {
        let raw = raw_text(arena, ix);
        let Some(v) = parse_json_lenient(&raw) else {
            continue;
        };
        let mut objs = Vec::new();
        collect_objects(&v, &mut objs, 0);
        for o in objs {
            let types = types_of(o);
            if types.iter().any(|t| t == "qapage") {
                out.qa = true;
            } else if types.iter().any(|t| t == "discussionforumposting") {
                out.forum = true;
            }
            if types.iter().any(|t| DECLARED_TYPES.contains(&t.as_str())) {
                ld_articles += 1;
            }
            if types.iter().any(|t| ARTICLE_TYPES.contains(&t.as_str())) {
                if ld.headline.is_none() && ld.published.is_none() {
                    ld = read_ld(o);
                } else {
                    // A second article object (e.g. a teaser) only fills gaps.
                    let more = read_ld(o);
                    if ld.authors.is_empty() {
                        ld.authors = more.authors;
                    }
                    if ld.published.is_none() {
                        ld.published = more.published;
                    }
                }
            } else if types.iter().any(|t| t == "videoobject") {
                ld.videos.push(read_video(o));
                if ld_other_authors.is_empty() {
                    ld_other_authors = read_ld(o).authors;
                }
            } else if types
                .iter()
                .any(|t| t == "website" || t == "organization" || t == "newsmediaorganization")
                && ld_site.is_none()
            {
                ld_site = str_of(o.get("name"));
            } else if ld_other_authors.is_empty() && o.contains_key("author") {
                // WebPage, Recipe, HowTo...: their author is the page's author.
                ld_other_authors = read_ld(o).authors;
            }
        }
    }
    if ld.authors.is_empty() {
        ld.authors = std::mem::take(&mut ld_other_authors);
    }
    out.ld = ld;
    out.site = ld_site;
    out.articles = ld_articles;
    out
}

/// Raw text of a script element (not whitespace-collapsed).
pub(crate) fn raw_text(arena: &Arena, ix: Ix) -> String {
    let mut s = String::new();
    for &c in arena.children(ix) {
        if let Some(n) = arena.get(c) {
            s.push_str(&n.text);
        }
    }
    s
}

/// JSON-LD on real pages is often wrapped in comments/CDATA or has trailing junk.
pub(crate) fn parse_json_lenient(raw: &str) -> Option<Value> {
    let t = raw
        .trim()
        .trim_start_matches("<!--")
        .trim_end_matches("-->")
        .trim()
        .trim_start_matches("//<![CDATA[")
        .trim_end_matches("//]]>")
        .trim();
    if t.is_empty() || t.len() > 4 * 1024 * 1024 {
        return None;
    }
    if let Ok(v) = serde_json::from_str::<Value>(t) {
        return Some(v);
    }
    // Raw control characters inside strings are the most common breakage.
    let fixed: String = t
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if let Ok(v) = serde_json::from_str::<Value>(&fixed) {
        return Some(v);
    }
    // Trailing garbage: parse the first complete value.
    let mut de = serde_json::Deserializer::from_str(&fixed).into_iter::<Value>();
    de.next().and_then(Result::ok)
}

/// Flattens arrays and `@graph` into a list of objects (bounded depth).
pub(crate) fn collect_objects<'a>(
    v: &'a Value,
    out: &mut Vec<&'a serde_json::Map<String, Value>>,
    depth: usize,
) {
    if depth > 6 || out.len() > 200 {
        return;
    }
    match v {
        Value::Array(a) => {
            for x in a {
                collect_objects(x, out, depth + 1);
            }
        }
        Value::Object(o) => {
            out.push(o);
            if let Some(g) = o.get("@graph") {
                collect_objects(g, out, depth + 1);
            }
            // Articles nested as mainEntity of a WebPage.
            if let Some(me) = o.get("mainEntity") {
                collect_objects(me, out, depth + 1);
            }
        }
        _ => {}
    }
}

pub(crate) fn types_of(o: &serde_json::Map<String, Value>) -> Vec<String> {
    match o.get("@type") {
        Some(Value::String(s)) => vec![s.to_ascii_lowercase()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_ascii_lowercase))
            .collect(),
        _ => Vec::new(),
    }
}

pub(crate) fn str_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Array(a) => a.iter().find_map(|x| str_of(Some(x))),
        Value::Object(o) => str_of(o.get("name")).or(str_of(o.get("@value"))),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(crate) fn read_ld(o: &serde_json::Map<String, Value>) -> Ld {
    let mut ld = Ld {
        headline: str_of(o.get("headline")).or(str_of(o.get("name"))),
        published: str_of(o.get("datePublished")).or(str_of(o.get("dateCreated"))),
        modified: str_of(o.get("dateModified")),
        section: str_of(o.get("articleSection")),
        language: str_of(o.get("inLanguage")),
        description: str_of(o.get("description")),
        body: str_of(o.get("articleBody")),
        ..Ld::default()
    };
    ld.url = match o.get("mainEntityOfPage") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Object(m)) => str_of(m.get("@id")).or(str_of(m.get("url"))),
        _ => None,
    }
    .or(str_of(o.get("url")));
    if let Some(p) = o.get("publisher") {
        ld.publisher = match p {
            Value::Object(po) => str_of(po.get("name")),
            Value::Array(a) => a
                .iter()
                .find_map(|x| x.as_object().and_then(|po| str_of(po.get("name")))),
            Value::String(s) => Some(s.clone()),
            _ => None,
        };
    }
    let mut authors = Vec::new();
    let mut push_author = |v: &Value| match v {
        Value::String(s) => authors.push(s.clone()),
        Value::Object(a) => {
            if let Some(n) = str_of(a.get("name")) {
                authors.push(n);
            }
        }
        _ => {}
    };
    for key in ["author", "creator"] {
        match o.get(key) {
            Some(Value::Array(a)) => a.iter().for_each(&mut push_author),
            Some(v) => push_author(v),
            None => {}
        }
    }
    ld.authors = authors;
    ld.image = image_of(o.get("image")).or(image_of(o.get("thumbnailUrl")));
    ld.keywords = match o.get("keywords") {
        Some(Value::String(s)) => s.split(',').map(str::to_string).collect(),
        Some(Value::Array(a)) => a.iter().filter_map(|x| str_of(Some(x))).collect(),
        _ => Vec::new(),
    };
    if let Some(v) = o.get("video") {
        let mut objs = Vec::new();
        collect_objects(v, &mut objs, 0);
        for vo in objs {
            ld.videos.push(read_video(vo));
        }
    }
    ld
}

pub(crate) fn image_of(v: Option<&Value>) -> Option<(String, Option<u32>, Option<u32>)> {
    match v? {
        Value::String(s) => Some((s.clone(), None, None)),
        Value::Array(a) => a.iter().find_map(|x| image_of(Some(x))),
        Value::Object(o) => {
            let url = str_of(o.get("url")).or(str_of(o.get("contentUrl")))?;
            let dim = |k: &str| match o.get(k) {
                Some(Value::Number(n)) => n.as_u64().and_then(|x| u32::try_from(x).ok()),
                Some(Value::String(s)) => s.trim().trim_end_matches("px").parse().ok(),
                _ => None,
            };
            Some((url, dim("width"), dim("height")))
        }
        _ => None,
    }
}

pub(crate) fn read_video(
    o: &serde_json::Map<String, Value>,
) -> (Option<String>, Option<String>, Option<String>) {
    (
        str_of(o.get("contentUrl")),
        str_of(o.get("embedUrl")),
        image_of(o.get("thumbnailUrl")).map(|t| t.0),
    )
}
