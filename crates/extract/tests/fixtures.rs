//! Real WCXB pages with their gold values: title, author, publish date, and the
//! gold "with" / "without" snippets (text that must / must not be in the body).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // tests may opt out

mod common;

use tidings_extract::{Article, ArticleTime, VideoKind, excerpt, extract};

fn run(id: &str) -> (Article, serde_json::Value) {
    let p = common::page(id);
    let a = extract(&p.html, &p.url(), None);
    (a, p.gold)
}

fn local_day(t: ArticleTime) -> String {
    let off = i64::from(t.offset_minutes.unwrap_or(0));
    (t.utc.to_jiff() + jiff::SignedDuration::from_secs(off * 60))
        .strftime("%Y-%m-%d")
        .to_string()
}

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The gold snippets: every "with" in the text, no "without".
fn assert_snippets(id: &str, a: &Article, gold: &serde_json::Value) {
    let text = norm(&a.text);
    for w in gold["with"].as_array().unwrap() {
        let w = norm(w.as_str().unwrap());
        assert!(text.contains(&w), "{id}: missing {w:?}");
    }
    for w in gold["without"].as_array().unwrap() {
        let w = norm(w.as_str().unwrap());
        assert!(!text.contains(&w), "{id}: boilerplate {w:?} in body");
    }
    assert!(
        !a.text.contains(a.title.as_deref().unwrap()),
        "{id}: headline repeated in body"
    );
}

#[test]
fn self_com_beauty_awards() {
    let (a, gold) = run("0144");
    assert_eq!(
        a.title.as_deref(),
        Some(
            "The 2024 SELF Healthy Beauty Awards: The Best Oral Care Products for a Healthier Smile"
        )
    );
    assert_eq!(a.authors, vec!["Sara Coughlin"]);
    assert_eq!(local_day(a.published.unwrap()), "2024-06-05");
    assert_eq!(a.site_name.as_deref(), Some("SELF"));
    assert_eq!(
        a.canonical_url.as_ref().unwrap().as_str(),
        "https://www.self.com/story/healthy-beauty-awards-oral-care-2024"
    );
    assert_eq!(a.feeds.len(), 1);
    assert_eq!(a.feeds[0].url.as_str(), "https://www.self.com/feed/rss");
    assert_eq!(a.feeds[0].kind, "rss");
    assert_snippets("0144", &a, &gold);
}

#[test]
fn creative_boom_typefaces() {
    let (a, gold) = run("0413");
    assert_eq!(
        a.title.as_deref(),
        Some("The best new typefaces for December 2025")
    );
    assert_eq!(a.authors, vec!["Tom May"]);
    assert_eq!(local_day(a.published.unwrap()), "2025-12-15");
    assert_eq!(a.feeds[0].title.as_deref(), Some("RSS 2.0"));
    assert_snippets("0413", &a, &gold);
}

#[test]
fn idiallo_blog_post() {
    let (a, gold) = run("0466");
    assert_eq!(a.title.as_deref(), Some("Poor man's productivity trick"));
    assert_eq!(a.authors, vec!["Ibrahim Diallo"]);
    assert_eq!(local_day(a.published.unwrap()), "2025-12-19");
    assert_eq!(a.language.as_deref(), Some("en"));
    assert_eq!(a.tags, vec!["productivity", "management"]);
    let feeds: Vec<&str> = a.feeds.iter().map(|f| f.url.as_str()).collect();
    assert_eq!(
        feeds,
        vec![
            "https://idiallo.com/feed.rss",
            "https://idiallo.com/javascript.rss"
        ]
    );
    assert_snippets("0466", &a, &gold);
    // Excerpts: first paragraphs, short, cut on a word.
    let e = excerpt(&a.text, 300);
    assert!(
        e.starts_with("Have you ever joined a large organization?"),
        "{e}"
    );
    assert!(e.chars().count() <= 300);
}

#[test]
fn npr_health_story() {
    let (a, gold) = run("4560");
    assert_eq!(
        a.title.as_deref(),
        Some("Daily meditation may work as well as a popular drug to calm anxiety, study finds")
    );
    assert_eq!(a.authors, vec!["April Fulton"]);
    assert_eq!(local_day(a.published.unwrap()), "2022-11-09");
    assert_eq!(a.feeds.len(), 2);
    assert_snippets("4560", &a, &gold);
    // The lead photo is kept as a figure with an absolute source.
    assert!(
        a.html.starts_with(
            "<figure><img src=\"https://media.npr.org/assets/img/2022/11/08/gettyimages-1226478153"
        ),
        "{}",
        &a.html[..200]
    );
}

#[test]
fn substack_post_relative_feed_link_is_absolute() {
    let (a, gold) = run("5542");
    assert_eq!(
        a.title.as_deref(),
        Some("Economics-Based vs Conventional Financial Planning")
    );
    assert_eq!(a.authors, vec!["Larry Kotlikoff"]);
    assert_eq!(local_day(a.published.unwrap()), "2023-07-04");
    assert_eq!(
        a.feeds[0].url.as_str(),
        "https://larrykotlikoff.substack.com/feed"
    );
    assert_snippets("5542", &a, &gold);
}

#[test]
fn html_is_sanitized_with_absolute_links() {
    for id in ["0144", "0413", "0466", "4560", "5542"] {
        let (a, _) = run(id);
        assert!(!a.html.is_empty(), "{id}");
        for bad in [
            "<script",
            "<style",
            "<iframe",
            "<form",
            " on",
            "javascript:",
            "class=",
            "style=",
        ] {
            if bad == " on" {
                assert!(
                    !a.html.contains(" onclick") && !a.html.contains(" onload"),
                    "{id}"
                );
                continue;
            }
            assert!(!a.html.contains(bad), "{id}: {bad} in html");
        }
        let mut rest = a.html.as_str();
        while let Some(i) = rest.find("src=\"") {
            rest = &rest[i + 5..];
            assert!(
                rest.starts_with("http://") || rest.starts_with("https://"),
                "{id}: relative src"
            );
        }
        let mut rest = a.html.as_str();
        while let Some(i) = rest.find("href=\"") {
            rest = &rest[i + 6..];
            assert!(
                rest.starts_with("http://")
                    || rest.starts_with("https://")
                    || rest.starts_with("mailto:"),
                "{id}: relative link {}",
                &rest[..rest.len().min(40)]
            );
        }
    }
}

#[test]
fn metadata_from_a_small_news_page() {
    let html = r#"<!doctype html><html lang="de-DE"><head>
        <meta charset="utf-8"><title>Neue Br&uuml;cke er&ouml;ffnet | Stadtanzeiger</title>
        <meta property="og:site_name" content="Stadtanzeiger">
        <meta property="og:image" content="/img/bruecke.jpg"><meta property="og:image:alt" content="Die Br&uuml;cke">
        <meta property="og:image:width" content="1200"><meta property="og:image:height" content="630">
        <meta property="article:section" content="Lokales"><meta property="article:tag" content="Verkehr">
        <meta property="article:tag" content="Spree"><meta name="description" content="Nach drei Jahren Bauzeit.">
        <meta property="og:video" content="https://www.youtube.com/watch?v=dQw4w9WgXcQ">
        <link rel="alternate" type="application/atom+xml" title="Alles" href="/feed.atom">
        <link rel="alternate" type="application/feed+json" href="https://stadt.example/feed.json">
        <link rel="alternate" type="application/json" href="/wp-json/wp/v2/posts/1">
        <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
          {"@type":"WebSite","name":"Stadtanzeiger"},
          {"@type":"NewsArticle","headline":"Neue Brücke eröffnet","datePublished":"2025-03-04T09:30:00+01:00",
           "dateModified":"2025-03-04T12:00:00+01:00","author":[{"@type":"Person","name":"Anna Schmidt"},{"@type":"Person","name":"Ben Müller"}]}]}
        </script></head><body><header><nav><a href="/">Start</a></nav></header>
        <article><h1>Neue Brücke eröffnet</h1><p class="byline">Von Anna Schmidt</p>
        <p>Der Bürgermeister eröffnete am Dienstag die neue Brücke über die Spree, die nach drei Jahren Bauzeit fertig wurde.</p>
        <iframe src="https://player.vimeo.com/video/76979871"></iframe>
        <p>Rund 2.000 Menschen kamen zur Feier. Die Brücke verbindet zwei Stadtteile, die bisher nur über Umwege erreichbar waren.</p>
        <ul><li><a href="/a">Mehr Lokales</a></li><li><a href="/b">Verkehr</a></li></ul>
        </article><footer>© Stadtanzeiger</footer></body></html>"#;
    let url = url::Url::parse("https://stadt.example/lokales/bruecke").unwrap();
    let a = extract(html.as_bytes(), &url, None);
    assert_eq!(a.title.as_deref(), Some("Neue Brücke eröffnet"));
    assert_eq!(a.authors, vec!["Anna Schmidt", "Ben Müller"]);
    let p = a.published.unwrap();
    assert_eq!(p.offset_minutes, Some(60));
    assert_eq!(p.utc.to_rfc3339(), "2025-03-04T08:30:00Z");
    assert_eq!(a.modified.unwrap().utc.to_rfc3339(), "2025-03-04T11:00:00Z");
    assert_eq!(a.site_name.as_deref(), Some("Stadtanzeiger"));
    assert_eq!(a.language.as_deref(), Some("de-DE"));
    assert_eq!(a.section.as_deref(), Some("Lokales"));
    assert_eq!(a.tags, vec!["Verkehr", "Spree"]);
    assert_eq!(a.description.as_deref(), Some("Nach drei Jahren Bauzeit."));
    let img = a.image.unwrap();
    assert_eq!(img.url.as_str(), "https://stadt.example/img/bruecke.jpg");
    assert_eq!(
        (img.alt.as_deref(), img.width, img.height),
        (Some("Die Brücke"), Some(1200), Some(630))
    );
    let kinds: Vec<(VideoKind, &str)> = a.videos.iter().map(|v| (v.kind, v.url.as_str())).collect();
    assert_eq!(
        kinds,
        vec![
            (
                VideoKind::YouTube,
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
            ),
            (VideoKind::Vimeo, "https://vimeo.com/76979871"),
        ]
    );
    let feeds: Vec<(&str, &str)> = a
        .feeds
        .iter()
        .map(|f| (f.kind.as_str(), f.url.as_str()))
        .collect();
    assert_eq!(
        feeds,
        vec![
            ("atom", "https://stadt.example/feed.atom"),
            ("json", "https://stadt.example/feed.json")
        ]
    );
    assert_eq!(a.feeds[0].title.as_deref(), Some("Alles"));
    assert!(
        a.text.starts_with("Der Bürgermeister eröffnete"),
        "{}",
        a.text
    );
    assert!(a.text.contains("\n\nRund 2.000 Menschen"), "{}", a.text);
    assert!(
        !a.text.contains("Mehr Lokales") && !a.text.contains("Start") && !a.text.contains('©'),
        "{}",
        a.text
    );
    assert!(a.html.starts_with("<p>Der Bürgermeister"), "{}", a.html);
}

#[test]
fn hidden_tab_panels_are_content_other_hidden_blocks_are_not() {
    let para = |s: &str| {
        format!(
            "<p>{s} {}</p>",
            "The steps take a few minutes and need no account. ".repeat(3)
        )
    };
    let html = format!(
        r##"<html><body><article><h1>Install the tools</h1>
        <div class="entry-content">{}
        <div role="tablist"><a role="tab" href="#win">Windows</a><a role="tab" href="#mac">macOS</a></div>
        <section id="win" role="tabpanel">{}</section>
        <section id="mac" role="tabpanel" hidden="hidden">{}</section>
        <div hidden>{}</div>
        <div style="display: none">{}</div>
        {}</div></article></body></html>"##,
        para("Choose your system below."),
        para("On Windows run the installer."),
        para("On macOS use Homebrew to install."),
        para("Subscribe to our hidden newsletter."),
        para("Hidden popup offer."),
        para("Then open a terminal."),
    );
    let url = url::Url::parse("https://docs.example/install").unwrap();
    let a = extract(html.as_bytes(), &url, None);
    for want in [
        "On Windows run",
        "On macOS use Homebrew",
        "Then open a terminal",
    ] {
        assert!(a.text.contains(want), "{want} missing: {}", a.text);
    }
    for not in ["newsletter", "popup", "Windows\nmacOS"] {
        assert!(!a.text.contains(not), "{not} kept: {}", a.text);
    }
}

/// A Q&A page (microdata QAPage, no forum word in the URL): the question and every
/// answer, found by their shared body class in separate subtrees; not the comments.
#[test]
fn qa_page_keeps_question_and_answers_not_comments() {
    let post = |who: &str, text: &str| {
        format!(
            r#"<div class="post-layout"><div class="postcell"><div class="cell-body">
            <div class="s-prose js-post-body" itemprop="text"><p>{text} {}</p></div>
            <div class="user-info">asked by {who}</div></div></div></div>"#,
            "It needs a few sentences to count as a real post in this thread. ".repeat(2)
        )
    };
    let comment = |text: &str| {
        format!(
            r#"<li class="comment"><span class="comment-copy">{text}</span> <a class="comment-user">bob</a></li>"#
        )
    };
    let html = format!(
        r#"<html itemscope itemtype="https://schema.org/QAPage"><body><div class="container">
        <div id="mainbar"><div id="question" class="question">{}<ul class="comments-list">{}</ul></div>
        <div id="answers"><h2>2 Answers</h2>
        <div class="answer" itemtype="https://schema.org/Answer">{}<ul class="comments-list">{}</ul></div>
        <div class="answer" itemtype="https://schema.org/Answer">{}</div></div>
        </div></div></body></html>"#,
        post("ann", "How do I simplify a recipe without ruining it?"),
        comment("Which recipe do you mean, exactly? Please say more about it."),
        post(
            "cy",
            "Know why each ingredient is in the recipe before you drop it."
        ),
        comment("Nice answer, this helped me a lot with my banana ice cream."),
        post(
            "di",
            "Leave spices out rather than substitute them blindly."
        ),
    );
    let url = url::Url::parse("https://cooking.example/q/92884/simplify").unwrap();
    let a = extract(html.as_bytes(), &url, None);
    // Found as the thread's posts, not by a fallback that happened to hold them.
    assert_eq!(a.body_method, "posts");
    for want in [
        "How do I simplify",
        "Know why each ingredient",
        "Leave spices out",
    ] {
        assert!(a.text.contains(want), "{want} missing: {}", a.text);
    }
    for not in ["Which recipe do you mean", "banana ice cream"] {
        assert!(!a.text.contains(not), "comment kept: {}", a.text);
    }

    // The same markup where the replies are comments holding most of the text: a
    // forum calling itself QAPage keeps them.
    let long =
        "I moved from banking to consulting and the hours are better, weekends free. ".repeat(4);
    let html = format!(
        r#"<html itemscope itemtype="https://schema.org/QAPage"><body>
        <div id="question" class="question">{}</div>
        <ul class="comments-list">{}{}{}</ul></body></html>"#,
        post("ann", "Is consulting worth it?"),
        comment(&long),
        comment(&long.replace("banking", "audit")),
        comment(&long.replace("banking", "law")),
    );
    let a = extract(html.as_bytes(), &url, None);
    assert!(a.text.contains("Is consulting worth it"), "{}", a.text);
    assert!(a.text.contains("from audit to consulting"), "{}", a.text);
}

/// A forum thread (Vanilla): the replies follow a "Comments" heading, which on an
/// article would head the comment section; here it heads the content.
#[test]
fn forum_replies_under_a_comments_heading_are_kept() {
    let reply = |who: &str, text: &str| {
        format!(
            r#"<li class="Item ItemComment"><div class="Author">{who}</div>
            <div class="Message userContent">{text} {}</div></li>"#,
            "I have run this setup for a year and the sound is balanced and clear. ".repeat(2)
        )
    };
    let html = format!(
        r#"<html><body><main><section class="MainContent">
        <h1>Advice on home theater speaker setup</h1>
        <div class="Discussion"><div class="Message userContent"><p>We are building a small home theater in a 14x11 room and want advice on speakers.</p>
        <p>Here is what I am considering for the front, center and surround channels.</p></div></div>
        <h2 class="CommentHeading">Comments</h2>
        <ul class="MessageList DataList Comments">{}{}</ul>
        </section></main></body></html>"#,
        reply("dskip", "Get floor standing speakers for the front pair."),
        reply(
            "mdm",
            "The front left side is a doorway, so mounting high is the only way."
        ),
    );
    let url = url::Url::parse("https://forum.example/discussion/181290/advice").unwrap();
    let a = extract(html.as_bytes(), &url, None);
    for want in [
        "small home theater",
        "floor standing speakers",
        "front left side is a doorway",
    ] {
        assert!(a.text.contains(want), "{want} missing: {}", a.text);
    }
    // The same heading on a news article still ends the story.
    let news = html
        .replace("discussion", "news")
        .replace("MessageList DataList Comments", "comment-list");
    let url = url::Url::parse("https://news.example/2025/03/advice").unwrap();
    let a = extract(news.as_bytes(), &url, None);
    assert!(a.text.contains("small home theater"), "{}", a.text);
    assert!(!a.text.contains("floor standing speakers"), "{}", a.text);
}

/// A thread whose posts are `<br>`-separated text in same-class bodies (XenForo's
/// `bbWrapper`, phpBB script URL): every post, not the author cards around them.
#[test]
fn thread_posts_without_paragraphs_are_found_by_their_shared_class() {
    let post = |who: &str, text: &str| {
        format!(
            r#"<article class="message message--post"><div class="message-inner">
            <div class="message-cell message-cell--user"><h4 class="message-name">{who}</h4>
            <h5 class="userTitle">Trail Newbie</h5><dl><dt>Joined</dt><dd>Dec 2, 2024</dd></dl>
            <dl><dt>Messages</dt><dd>260</dd></dl></div>
            <div class="message-cell message-cell--main"><div class="message-content">
            <div class="bbWrapper">{text}<br>{}</div></div></div></div></article>"#,
            "We hiked it twice and both times the views at the top were worth the climb. "
                .repeat(3)
        )
    };
    let html = format!(
        r#"<html><body><div class="p-body"><h1>Trail recommendations near San Diego</h1>
        <div class="block-body">{}{}{}</div></div></body></html>"#,
        post(
            "klaudia",
            "I am planning a trip to California next year and want easy scenic walks."
        ),
        post(
            "krJoest",
            "I have never hiked in California but Mt. Whitney looks amazing."
        ),
        post(
            "neid",
            "Try Cowles Mountain at sunrise, then Torrey Pines in the afternoon."
        ),
    );
    let url = url::Url::parse("https://forum.example/viewtopic.php?t=5550").unwrap();
    let a = extract(html.as_bytes(), &url, None);
    assert_eq!(a.body_method, "posts", "{}", a.text);
    for want in [
        "planning a trip",
        "Mt. Whitney looks amazing",
        "Cowles Mountain",
    ] {
        assert!(a.text.contains(want), "{want} missing: {}", a.text);
    }
    for not in ["Trail Newbie", "Joined", "Messages"] {
        assert!(!a.text.contains(not), "{not} kept: {}", a.text);
    }
}

/// A listing's items repeat short fields ("For monitors: 5-22 lbs"): each item keeps
/// its own, while a repeated long block (a mobile copy of a paragraph) still goes.
#[test]
fn listing_items_keep_their_repeated_fields() {
    let card = |i: usize| {
        format!(
            r#"<div class="card"><h3>Monitor arm M{i} Pro</h3><p>For monitors: 5-22 lbs</p>
            <p>Starting at ${}</p></div>"#,
            400 + i
        )
    };
    let cards: String = (1..=8).map(card).collect();
    let blurb = "Our arms move with you, so the screen is always where your eyes want it to be.";
    let html = format!(
        r#"<html><body><h1>Monitor arms</h1><div class="grid">{cards}</div>
        <div class="promo-copy">{blurb}</div><div class="promo-copy-mobile">{blurb}</div></body></html>"#
    );
    let url = url::Url::parse("https://shop.example/monitor-arms").unwrap();
    let a = extract(html.as_bytes(), &url, None);
    assert_eq!(
        a.text.matches("For monitors: 5-22 lbs").count(),
        8,
        "{}",
        a.text
    );
    assert_eq!(a.text.matches(blurb).count(), 1, "{}", a.text);
}

/// A two-paragraph news item on a page that is mostly other headlines: the
/// whole page would hold far more text than the story, but an article (declared by
/// the page, or expected by the caller) is never the whole page.
#[test]
fn short_article_is_not_the_whole_page() {
    use tidings_extract::{Expect, Options, extract_with};
    let rail: String = (1..=30)
        .map(|i| {
            format!(
                r#"<li><a href="/news/{i}">Council approves budget item number {i} after a long debate</a>
                <span class="time">11/20/2019 01:{i:02} PM</span></li>"#
            )
        })
        .collect();
    let page = |head: &str| {
        format!(
            r#"<html><head>{head}</head><body><div class="wrap"><h1>Bridge closed after barge strike</h1>
            <div class="article-body"><p>The river bridge was closed on Monday after a barge struck one of its piers, the harbour office said.</p>
            <p>Engineers were inspecting the damage and the crossing would stay shut at least until Wednesday, officials added.</p></div>
            <ul class="latest">{rail}</ul></div></body></html>"#
        )
    };
    let url = url::Url::parse("https://news.example/2026/03/02/bridge-closed").unwrap();
    let declared = page(r#"<meta property="og:type" content="article">"#);
    let plain = page("");
    let story = "harbour office said";
    for (html, opts, whole) in [
        (&declared, Options::default(), false),
        (&plain, Options::expecting(Expect::Article), false),
        // Nothing declared, nothing expected: the page may be a listing.
        (&plain, Options::default(), true),
    ] {
        let a = extract_with(html.as_bytes(), &url, None, &opts);
        assert!(a.text.contains(story), "{}", a.text);
        assert_eq!(
            a.text.contains("item number 7"),
            whole,
            "{:?} {}: {}",
            opts.expect,
            a.body_method,
            a.text
        );
    }
}
