//! The reader's website and the JSON API, end to end: crawl a local origin,
//! then read every page type, feed and endpoint from the real server.

use crate::common::*;
use crate::crawl::{crawl_env, origin};
use std::collections::HashSet;

/// Crawl a small origin: site 0 shows full text, site 1 excerpts; every third
/// article is syndicated to the other site, so stories have two sources.
pub(crate) async fn crawled(i: &Install) -> tidings_origin::Origin {
    let o = origin(24, 2, 3).await;
    let out = i.run(&[
        "--allow-private-networks",
        "source",
        "add",
        &o.feed_url(0),
        "--display",
        "full",
        "--name",
        "Full Times",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = i.run(&[
        "--allow-private-networks",
        "source",
        "add",
        &o.feed_url(1),
        "--name",
        "Excerpt Herald",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut c = i.cmd();
    crawl_env(&mut c);
    let out = c
        .args(["--allow-private-networks", "crawl", "--once"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    o
}

/// `crawl --once` finishes what the crawl queued, including the related
/// articles that clustering queues at its very end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawl_once_leaves_no_runnable_work_behind() {
    let i = Install::sqlite();
    let _o = crawled(&i).await;
    let store = i.store().await;
    let now = tidings_core::Timestamp::now().0;
    assert_eq!(store.pending_jobs(now + 5_000).await.unwrap(), 0);
    let mut with_related = 0;
    for c in store.latest_articles(100, None).await.unwrap() {
        if !store.related_cards(c.id).await.unwrap().is_empty() {
            with_related += 1;
        }
    }
    assert!(
        with_related >= 10,
        "{with_related} articles have related articles"
    );
}

pub(crate) async fn get(url: String) -> (u16, String, String) {
    let r = http().get(&url).send().await.unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, ct, r.text().await.unwrap())
}

/// Every `src=`/`srcset=` in a page points at this server (no request leaves it).
fn assert_no_foreign_resources(html: &str, what: &str) {
    for attr in ["src=\"", "srcset=\"", "href=\"/static", "poster=\""] {
        for part in html.split(attr).skip(1) {
            let v = part.split('"').next().unwrap();
            for u in v.split(',') {
                let u = u.trim();
                assert!(
                    u.starts_with('/') || u.is_empty(),
                    "{what} loads a foreign resource: {u}"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_type_renders_from_real_articles() {
    let i = Install::sqlite();
    let _o = crawled(&i).await;
    let server = i.serve(&["--no-crawl"]);
    let store = i.store().await;

    // Home: top stories (covered by both sites), latest, sections.
    let (s, _, home) = get(server.url("/")).await;
    assert_eq!(s, 200);
    assert!(
        home.contains("Top stories") && home.contains("2 sources"),
        "stories covered by two sources lead"
    );
    assert!(home.contains("Latest news") && home.contains("class=\"card"));
    assert!(home.contains("Sections"));
    assert_no_foreign_resources(&home, "home");

    let cards = store.latest_articles(100, None).await.unwrap();
    // A full-text article with an image and at least three paragraphs.
    let mut full = None;
    for c in cards
        .iter()
        .filter(|c| c.source_name == "Full Times" && c.image.is_some())
    {
        let a = store.article(c.id).await.unwrap().unwrap();
        if a.text.split("\n\n").count() >= 3 {
            full = Some(c);
            break;
        }
    }
    let full = full.expect("a full-text article with an image");
    let excerpt = cards
        .iter()
        .find(|c| c.source_name == "Excerpt Herald")
        .expect("an excerpt article");

    // Article, full text: headline once, time, source, original, body, image, JSON-LD.
    let row = store.article(full.id).await.unwrap().unwrap();
    let (s, _, page) = get(server.url(&format!("/a/{}", full.id.0))).await;
    assert_eq!(s, 200);
    assert_eq!(page.matches("<h1").count(), 1);
    let body = page
        .split("<div class=\"body\">")
        .nth(1)
        .unwrap()
        .split("</div>")
        .next()
        .unwrap();
    assert!(
        !body.contains(&format!(">{}<", row.title)),
        "headline not repeated in the body"
    );
    assert!(body.matches("<p>").count() >= 3, "full text: {body}");
    assert!(!page.contains("Continue reading at"));
    assert!(
        page.contains("<time datetime=\"") && page.contains("title=\""),
        "relative time with exact time on hover"
    );
    assert!(
        page.contains(&format!("href=\"{}\"", row.original_url)),
        "links to the original"
    );
    assert!(page.contains(&format!(
        "<link rel=\"canonical\" href=\"{}\">",
        row.original_url
    )));
    assert!(page.contains("<figure class=\"lead\"><picture><source type=\"image/webp\""));
    assert!(page.contains("property=\"og:image\""));
    let ld = page
        .split("<script type=\"application/ld+json\">")
        .nth(1)
        .unwrap()
        .split("</script>")
        .next()
        .unwrap();
    let ld: serde_json::Value = serde_json::from_str(ld).unwrap();
    assert_eq!(ld["@type"], "NewsArticle");
    assert_eq!(ld["headline"], row.title);
    assert_no_foreign_resources(&page, "article");
    let img = page
        .split("<img src=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let r = http().get(server.url(img)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );

    // Apps get the same image from the API: this site's copies, never the publisher's.
    let (_, _, body) = get(server.url(&format!("/api/v1/articles/{}", full.id.0))).await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let api_img = v["image"]["url"].as_str().expect("the API names the image");
    assert!(api_img.starts_with("/media/"), "{api_img}");
    let variants = v["image"]["variants"].as_array().unwrap();
    assert!(!variants.is_empty());
    for u in [api_img, variants[0]["webp"].as_str().unwrap()] {
        let r = http().get(server.url(u)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{u}");
    }
    let (_, _, list) = get(server.url("/api/v1/articles?limit=100")).await;
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    let listed = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == full.id.0)
        .expect("listed");
    assert_eq!(listed["image"]["url"], api_img);

    // Article, excerpt: the opening only, and a way to the publisher.
    let (_, _, page) = get(server.url(&format!("/a/{}", excerpt.id.0))).await;
    let ex_row = store.article(excerpt.id).await.unwrap().unwrap();
    let body = page
        .split("<div class=\"body\">")
        .nth(1)
        .unwrap()
        .split("</div>")
        .next()
        .unwrap();
    assert!(page.contains("Continue reading at Excerpt Herald"));
    let shown = body.split_whitespace().count();
    assert!(
        shown < ex_row.word_count as usize / 2 + 40,
        "excerpt shows {shown} of {} words",
        ex_row.word_count
    );

    // "READ MORE" links inside a body point at our copy when we have the article.
    let mut rewritten = 0;
    for c in cards.iter().filter(|c| c.source_name == "Full Times") {
        let (_, _, p) = get(server.url(&format!("/a/{}", c.id.0))).await;
        if p.contains("READ MORE") {
            assert!(
                p.contains("data-local=\"1\""),
                "READ MORE link not rewritten in {}",
                c.id.0
            );
            let href = p
                .split("READ MORE")
                .nth(1)
                .unwrap()
                .split("href=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            assert!(href.starts_with("/a/"), "{href}");
            rewritten += 1;
        }
    }
    assert!(
        rewritten > 0,
        "the origin's READ MORE links were kept and pointed home"
    );

    // Slugs: a bare id redirects to the canonical address.
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = r
        .get(server.url(&format!("/a/{}", full.id.0)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 308);

    // Story page: both sources.
    let story = store
        .top_stories(0, 2, 10)
        .await
        .unwrap()
        .into_iter()
        .next()
        .expect("a two-source story");
    let (s, _, page) = get(server.url(&format!("/story/{}", story.id.0))).await;
    assert_eq!(s, 200);
    assert!(
        page.contains("Full Times") && page.contains("Excerpt Herald"),
        "full coverage lists both sources"
    );
    assert!(page.contains("Full coverage"));

    // Related stories: the stories its articles' related articles belong to,
    // never itself, at most five; the API lists the same ones in the same order.
    let mut reachable = HashSet::new();
    for c in store.story_coverage(story.id).await.unwrap() {
        for r in store.related_cards(c.article_id).await.unwrap() {
            if let Some(sid) = r.story_id.filter(|s| *s != story.id) {
                reachable.insert(sid.0);
            }
        }
    }
    assert!(
        !reachable.is_empty(),
        "the crawl computed related articles in other stories"
    );
    let section = page
        .split("id=\"related-stories-h\"")
        .nth(1)
        .expect("a related-stories section")
        .split("</section>")
        .next()
        .unwrap();
    let listed: Vec<i64> = section
        .split("href=\"/story/")
        .skip(1)
        .map(|h| h.split(['"', '-', '/']).next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(
        listed.len(),
        reachable.len().min(5),
        "{listed:?} of {reachable:?}"
    );
    assert!(listed.iter().all(|id| reachable.contains(id)), "{listed:?}");
    let detail: serde_json::Value = serde_json::from_str(
        &get(server.url(&format!("/api/v1/stories/{}", story.id.0)))
            .await
            .2,
    )
    .unwrap();
    let api_ids: Vec<i64> = detail["related"]
        .as_array()
        .expect("related in the API")
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(api_ids, listed);

    for path in [
        "/source/1",
        "/topic/world",
        "/sources",
        "/about",
        "/?before=1.1",
    ] {
        let (s, ct, p) = get(server.url(path)).await;
        assert_eq!(s, 200, "{path}");
        assert!(ct.starts_with("text/html"));
        assert_no_foreign_resources(&p, path);
    }
    for path in [
        "/a/999999",
        "/story/999999",
        "/source/999",
        "/source/abc",
        "/topic/weather",
        "/media/zz/1.jpg",
    ] {
        assert_eq!(get(server.url(path)).await.0, 404, "{path}");
    }
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_and_sitemaps_parse() {
    let i = Install::sqlite();
    let o = crawled(&i).await;
    let articles = o.state.articles.len();
    let server = i.serve(&["--no-crawl"]);
    let base = url::Url::parse(&server.base).unwrap();
    for path in [
        "/feed.xml",
        "/feed.atom",
        "/feed.json",
        "/topic/world/feed.xml",
        "/source/1/feed.atom",
        "/story/1/feed.json",
    ] {
        let (s, ct, body) = get(server.url(path)).await;
        assert_eq!(s, 200, "{path}");
        assert!(
            ct.contains("rss") || ct.contains("atom") || ct.contains("json"),
            "{path}: {ct}"
        );
        let f = tidings_fetch::feed::parse_feed(body.as_bytes(), &base)
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(!f.items.is_empty(), "{path} has items");
        for it in &f.items {
            let u = it.url.as_deref().unwrap();
            assert!(
                u.starts_with(&server.base) && u.contains("/a/"),
                "{path}: absolute links to our pages: {u}"
            );
        }
    }
    let (_, _, home_feed) = get(server.url("/feed.xml")).await;
    let f = tidings_fetch::feed::parse_feed(home_feed.as_bytes(), &base).unwrap();
    assert_eq!(f.items.len(), articles);
    let ids: HashSet<_> = f.items.iter().map(|i| i.guid.clone()).collect();
    assert_eq!(ids.len(), articles);

    // The sitemap is an index of a file of pages and files of articles by id range.
    let (_, _, sm) = get(server.url("/sitemap.xml")).await;
    let children = match tidings_fetch::sitemap::parse_sitemap(sm.as_bytes(), &base).unwrap() {
        tidings_fetch::sitemap::Sitemap::Index(c) => c,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        children.iter().map(|c| c.0.clone()).collect::<Vec<_>>(),
        vec![
            server.url("/sitemap-pages.xml"),
            server.url("/sitemap-articles-0.xml")
        ]
    );
    let mut urls = Vec::new();
    for (child, _) in &children {
        let (s, ct, body) = get(child.clone()).await;
        assert_eq!(s, 200, "{child}");
        assert!(ct.starts_with("application/xml"), "{ct}");
        match tidings_fetch::sitemap::parse_sitemap(body.as_bytes(), &base).unwrap() {
            tidings_fetch::sitemap::Sitemap::Urls(u) => urls.extend(u.into_iter().map(|u| u.loc)),
            other => panic!("{other:?}"),
        }
        // Built once, then served from memory: the same bytes again.
        assert_eq!(get(child.clone()).await.2, body);
    }
    assert_eq!(urls.iter().filter(|u| u.contains("/a/")).count(), articles);
    assert!(urls.contains(&server.url("/")) && urls.contains(&server.url("/topic/world")));
    assert_eq!(get(server.url("/sitemap-articles-9.xml")).await.0, 404);
    assert_eq!(get(server.url("/sitemap-articles-x.xml")).await.0, 404);
    let (_, _, news) = get(server.url("/news-sitemap.xml")).await;
    match tidings_fetch::sitemap::parse_sitemap(news.as_bytes(), &base).unwrap() {
        tidings_fetch::sitemap::Sitemap::Urls(u) => {
            assert_eq!(u.len(), articles, "all first seen just now");
            assert!(
                u.iter()
                    .all(|x| x.news_title.is_some() && x.news_published.is_some())
            );
        }
        other => panic!("{other:?}"),
    }
    let (_, _, robots) = get(server.url("/robots.txt")).await;
    assert!(robots.contains(&format!("Sitemap: {}/sitemap.xml", server.base)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_reads_filters_pages_and_errors() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let o = crawled(&i).await;
        // Every article of the origin is stored once (syndicated copies are linked).
        let articles = o.state.articles.len();
        let server = i.serve(&["--no-crawl"]);
        let api = |p: &str| server.url(&format!("/api/v1{p}"));
        let json = |s: String| serde_json::from_str::<serde_json::Value>(&s).unwrap();

        // Cursor pagination walks every article exactly once.
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let q = match &cursor {
                Some(c) => format!("/articles?limit=7&cursor={c}"),
                None => "/articles?limit=7".into(),
            };
            let (s, ct, body) = get(api(&q)).await;
            assert_eq!(s, 200);
            assert_eq!(ct, "application/json");
            let v = json(body);
            for it in v["items"].as_array().unwrap() {
                seen.push(it["id"].as_i64().unwrap());
                assert!(
                    it["published_at"].as_str().unwrap().ends_with('Z'),
                    "RFC 3339"
                );
            }
            match v["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        assert_eq!(seen.len(), articles);
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), articles);

        // Filters.
        let v = json(get(api("/articles?source=1&limit=100")).await.2);
        assert!(
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|a| a["source"]["id"] == 1)
        );
        let v = json(get(api("/articles?topic=world&limit=100")).await.2);
        let world = v["items"].as_array().unwrap().len();
        let topics = json(get(api("/topics")).await.2);
        let count = topics["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["slug"] == "world")
            .unwrap()["article_count"]
            .as_i64()
            .unwrap();
        assert_eq!(world as i64, count);
        let v = json(get(api("/articles?lang=en&limit=100")).await.2);
        assert_eq!(v["items"].as_array().unwrap().len(), articles);
        let v = json(get(api("/articles?since=2099-01-01T00:00:00Z")).await.2);
        assert!(v["items"].as_array().unwrap().is_empty());

        // Detail follows the display policy.
        let full = json(get(api("/articles?source=1&limit=1")).await.2)["items"][0]["id"]
            .as_i64()
            .unwrap();
        let ex = json(get(api("/articles?source=2&limit=1")).await.2)["items"][0]["id"]
            .as_i64()
            .unwrap();
        let f = json(get(api(&format!("/articles/{full}"))).await.2);
        let e = json(get(api(&format!("/articles/{ex}"))).await.2);
        assert_eq!(f["display"], "full");
        assert_eq!(e["display"], "excerpt");
        assert!(
            f["text"].as_str().unwrap().split_whitespace().count()
                >= e["text"].as_str().unwrap().split_whitespace().count()
        );
        assert!(
            e["text"].as_str().unwrap().split_whitespace().count()
                < e["word_count"].as_i64().unwrap() as usize
        );

        // Stories with coverage, sources.
        let st = json(get(api("/stories?min_sources=2")).await.2);
        let sid = st["items"][0]["id"].as_i64().unwrap();
        let d = json(get(api(&format!("/stories/{sid}"))).await.2);
        let srcs: HashSet<_> = d["coverage"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["source"]["id"].as_i64().unwrap())
            .collect();
        assert_eq!(srcs.len(), 2);
        assert_eq!(
            json(get(api("/sources")).await.2)["items"]
                .as_array()
                .unwrap()
                .len(),
            2
        );

        // Errors: problem+json with stable codes.
        for (path, status, code) in [
            ("/articles?limit=0", 400, "invalid_parameter"),
            ("/articles?limit=abc", 400, "invalid_parameter"),
            ("/articles?cursor=zzz", 400, "invalid_parameter"),
            ("/articles?topic=weather", 400, "invalid_parameter"),
            ("/articles?since=yesterday", 400, "invalid_parameter"),
            ("/articles?lang=english", 400, "invalid_parameter"),
            ("/articles?source=1&topic=world", 400, "invalid_parameter"),
            ("/articles/abc", 400, "invalid_parameter"),
            ("/articles/999999", 404, "not_found"),
            ("/stories/999999", 404, "not_found"),
            ("/sources/999999", 404, "not_found"),
            ("/no/such/thing", 404, "not_found"),
        ] {
            let (s, ct, body) = get(api(path)).await;
            assert_eq!(s, status, "{path}");
            assert_eq!(ct, "application/problem+json", "{path}");
            let p = json(body);
            assert_eq!(p["code"], code, "{path}");
            assert_eq!(p["status"], status);
            assert!(!p["detail"].as_str().unwrap().is_empty());
        }

        // ETag and If-None-Match.
        let r = http().get(api("/topics")).send().await.unwrap();
        let tag = r.headers()["etag"].to_str().unwrap().to_string();
        let r2 = http()
            .get(api("/topics"))
            .header("If-None-Match", &tag)
            .send()
            .await
            .unwrap();
        assert_eq!(r2.status(), 304);

        // The served document describes every endpoint the server answers.
        let doc = json(get(server.url("/api/openapi.json")).await.2);
        assert_eq!(doc["openapi"], "3.1.0");
        for p in [
            "/api/v1/articles",
            "/api/v1/articles/{id}",
            "/api/v1/stories",
            "/api/v1/stories/{id}",
            "/api/v1/sources",
            "/api/v1/sources/{id}",
            "/api/v1/topics",
            "/api/v1/health",
        ] {
            assert!(
                doc["paths"].get(p).is_some(),
                "{p} missing from the OpenAPI document"
            );
        }
        let (s, ct, _) = get(server.url("/api/docs/")).await;
        assert_eq!(s, 200);
        assert!(ct.starts_with("text/html"));
    }
}

/// Images inside articles are served by this site: the figure with its
/// caption, the lazy-loaded image and the `<picture>` come from `/media/…` in
/// WebP and JPEG with their size; the tracking pixel and the share icon are
/// gone; no `<img>` on the page or in the API points at the publisher.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inline_images_are_served_by_this_site() {
    let mut cfg = tidings_origin::OriginConfig::new(Vec::new(), 6, 1);
    cfg.synthetic = true;
    let o = tidings_origin::start(cfg, 0).await.unwrap();
    let i = Install::sqlite();
    let out = i.run(&[
        "--allow-private-networks",
        "source",
        "add",
        &o.feed_url(0),
        "--display",
        "full",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut c = i.cmd();
    crate::crawl::crawl_env(&mut c);
    let out = c
        .args(["--allow-private-networks", "crawl", "--once"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let server = i.serve(&["--no-crawl"]);
    let store = i.store().await;
    let cards = store.latest_articles(20, None).await.unwrap();
    assert_eq!(cards.len(), 6);
    let mut pictures = 0;
    for card in &cards {
        let a = store.article(card.id).await.unwrap().unwrap();
        assert!(
            !a.html.contains(&o.url("/img/")),
            "stored HTML names media ids, not URLs"
        );
        let (s, _, page) =
            get(server.url(&tidings_web::format::article_href(a.id.0, &a.title))).await;
        assert_eq!(s, 200);
        assert_no_foreign_resources(&page, "article");
        let body = page
            .split("<div class=\"body")
            .nth(1)
            .unwrap_or_default()
            .split("</article>")
            .next()
            .unwrap_or_default();
        assert!(
            !body.contains("pixel.gif") && !body.contains("icon.svg"),
            "{body}"
        );
        // The captioned figure: our copy, sized, with its caption.
        assert!(
            body.contains("<figure><picture><source type=\"image/webp\" srcset=\"/media/"),
            "{body}"
        );
        assert!(body.contains("<figcaption>A picture from story"), "{body}");
        assert!(body.contains("width=\"640\" height=\"360\""), "{body}");
        pictures += body.matches("<picture>").count();
        // The lazy image (real URL in data-src) and the <picture>'s image too.
        let origin_id: usize = a
            .title
            .rsplit('(')
            .next()
            .and_then(|t| t.trim_end_matches(')').parse().ok())
            .unwrap();
        match origin_id % 3 {
            0 => assert!(body.contains("alt=\"A chart for story"), "lazy: {body}"),
            1 => assert!(body.contains("alt=\"A map for story"), "picture: {body}"),
            _ => assert_eq!(body.matches("<picture>").count(), 1, "{body}"),
        }
        // The API's html follows the same rule.
        let (_, _, api) = get(server.url(&format!("/api/v1/articles/{}", a.id.0))).await;
        let v: serde_json::Value = serde_json::from_str(&api).unwrap();
        let html = v["html"].as_str().unwrap();
        assert_no_foreign_resources(html, "API html");
        assert!(html.contains("/media/"), "{html}");
    }
    // Every article has its figure; the lazy and <picture> ones add more.
    assert!(
        pictures > cards.len(),
        "{pictures} pictures in {} articles",
        cards.len()
    );
    store.close().await;
}
