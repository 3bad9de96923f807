//! The fetcher against a hostile local origin: every bad behaviour gets its
//! designed outcome, quickly, and the SSRF guard holds on every hop.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tidings_fetch::{FetchError, FetchPolicy, FetchRequest, Fetcher};
use tidings_origin::{Origin, OriginConfig};
use url::Url;

async fn origin() -> Origin {
    let corpora = tidings_testdata::news_corpora();
    tidings_origin::start(OriginConfig::new(corpora, 20, 2), 0)
        .await
        .unwrap()
}

fn policy() -> FetchPolicy {
    FetchPolicy {
        allow_private_networks: true,
        timeout: Duration::from_secs(3),
        connect_timeout: Duration::from_secs(2),
        max_body_bytes: 2 * 1024 * 1024,
        per_host_delay: Duration::ZERO,
        per_host_concurrency: 8,
        ..FetchPolicy::default()
    }
}

async fn get(f: &Fetcher, url: &str) -> Result<tidings_fetch::FetchResponse, FetchError> {
    f.get(&FetchRequest::new(Url::parse(url).unwrap())).await
}

#[tokio::test]
async fn normal_fetch_conditional_get_and_redirects() {
    let o = origin().await;
    let f = Fetcher::new(policy()).unwrap();
    let r = get(&f, &o.feed_url(0)).await.unwrap();
    assert_eq!(r.status, 200);
    assert!(r.etag.is_some());
    assert!(String::from_utf8_lossy(&r.body).contains("<rss"));

    let mut req = FetchRequest::new(Url::parse(&o.feed_url(0)).unwrap());
    req.etag = r.etag.clone();
    let r2 = f.get(&req).await.unwrap();
    assert!(r2.not_modified(), "conditional GET gives 304");
    assert!(r2.body.is_empty());

    let r = get(&f, &o.url("/hostile/chain/5")).await.unwrap();
    assert_eq!(r.redirects, 5);
    assert_eq!(r.final_url.path(), "/hostile/chain/0");
    assert!(matches!(
        get(&f, &o.url("/hostile/chain/6")).await,
        Err(FetchError::TooManyRedirects(5))
    ));
    assert!(matches!(
        get(&f, &o.url("/hostile/loop/0")).await,
        Err(FetchError::RedirectLoop(_))
    ));
}

#[tokio::test]
async fn hostile_servers_get_their_designed_outcome() {
    let o = origin().await;
    let f = Fetcher::new(policy()).unwrap();

    // Slow drip: the total timeout ends it.
    let t = Instant::now();
    assert!(matches!(
        get(&f, &o.url("/hostile/slow")).await,
        Err(FetchError::Timeout(_))
    ));
    assert!(t.elapsed() < Duration::from_secs(10));

    // Endless body and a 50 MB feed: the cap ends them while streaming.
    assert!(matches!(
        get(&f, &o.url("/hostile/endless")).await,
        Err(FetchError::TooLarge(_))
    ));
    assert!(matches!(
        get(&f, &o.url("/hostile/huge-feed.xml")).await,
        Err(FetchError::TooLarge(_))
    ));
    // Gzip bomb: decompressed bytes count against the cap.
    let bomb = get(&f, &o.url("/hostile/gzip-bomb")).await;
    assert!(matches!(bomb, Err(FetchError::TooLarge(_))), "{bomb:?}");

    // Error statuses are responses; 429 carries Retry-After.
    for code in [404, 410, 500] {
        assert_eq!(
            get(&f, &o.url(&format!("/hostile/status/{code}")))
                .await
                .unwrap()
                .status,
            code
        );
    }
    let r = get(&f, &o.url("/hostile/status/429")).await.unwrap();
    assert_eq!(r.status, 429);
    assert_eq!(r.retry_after, Some(Duration::from_secs(120)));

    // Nothing listening.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    assert!(matches!(
        get(&f, &format!("http://{closed}/")).await,
        Err(FetchError::Connect(_))
    ));
}

#[tokio::test]
async fn robots_txt_is_respected() {
    let o = origin().await;
    let f = Fetcher::new(policy()).unwrap();
    assert!(matches!(
        get(&f, &o.url("/private/secret")).await,
        Err(FetchError::RobotsDisallowed(_))
    ));
    assert_eq!(
        o.hits("/private/secret"),
        0,
        "a disallowed page is never requested"
    );
    get(&f, &o.feed_url(1)).await.unwrap();
    get(&f, &o.feed_url(0)).await.unwrap();
    assert_eq!(
        o.hits("/robots.txt"),
        1,
        "robots.txt is fetched once and cached"
    );
}

#[tokio::test]
async fn hostile_robots_txt_is_read_up_to_its_cap() {
    // 3 MiB of `Disallow: /pN*q$` after one ordinary rule: more than the
    // body cap (2 MiB here), which used to mean "no rules". Now the first
    // 512 KiB are read and obeyed.
    let mut cfg = OriginConfig::new(tidings_testdata::news_corpora(), 20, 2);
    let mut robots = String::from("User-agent: *\nDisallow: /private/\n");
    let mut n = 0;
    while robots.len() < 3 * 1024 * 1024 {
        robots.push_str(&format!("Disallow: /p{n}*q$\n"));
        n += 1;
    }
    cfg.robots_txt = robots;
    let o = tidings_origin::start(cfg, 0).await.unwrap();
    let f = Fetcher::new(policy()).unwrap();
    for path in ["/private/secret", "/p12/q"] {
        assert!(
            matches!(
                get(&f, &o.url(path)).await,
                Err(FetchError::RobotsDisallowed(_))
            ),
            "{path}"
        );
        assert_eq!(o.hits(path), 0);
    }
    assert_eq!(get(&f, &o.feed_url(0)).await.unwrap().status, 200);
    assert_eq!(o.hits("/robots.txt"), 1);
}

#[tokio::test]
async fn ssrf_probe_set_is_refused_without_the_flag() {
    let o = origin().await;
    let strict = Fetcher::new(FetchPolicy {
        allow_private_networks: false,
        dns_overrides: vec![
            ("news.example.com".into(), "127.0.0.1".parse().unwrap()),
            (
                "metadata.example.net".into(),
                "169.254.169.254".parse().unwrap(),
            ),
        ],
        ..policy()
    })
    .unwrap();
    let port = o.addr.port();
    for u in [
        format!("http://127.0.0.1:{port}/s0/feed.xml"),
        format!("http://[::1]:{port}/"),
        "http://10.1.2.3/".into(),
        "http://169.254.169.254/latest/meta-data/".into(),
        format!("http://[::ffff:127.0.0.1]:{port}/"),
        format!("http://2130706433:{port}/"),
        format!("http://0x7f000001:{port}/"),
        format!("http://017700000001:{port}/"),
        format!("http://localhost:{port}/"),
        // A public-looking name that resolves to loopback / link-local.
        format!("http://news.example.com:{port}/s0/feed.xml"),
        "http://metadata.example.net/".into(),
        "file:///etc/passwd".into(),
    ] {
        let r = get(&strict, &u).await;
        assert!(
            matches!(
                r,
                Err(FetchError::Refused(_) | FetchError::ResolvedPrivate { .. })
            ),
            "{u} must be refused, got {r:?}"
        );
    }
    assert!(
        o.all_hits().is_empty(),
        "nothing reached the origin: {:?}",
        o.all_hits()
    );

    // A redirect to a private address is refused at the hop, even when the
    // first host is explicitly allowed.
    let allow_origin_only = Fetcher::new(FetchPolicy {
        allow_private_networks: false,
        allowed_private: vec![o.addr],
        ..policy()
    })
    .unwrap();
    let ok = get(&allow_origin_only, &o.feed_url(0)).await.unwrap();
    assert_eq!(ok.status, 200);
    let other: SocketAddr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    for target in [
        format!("http://{other}/"),
        "http://169.254.169.254/".into(),
        "http://[::1]/".into(),
    ] {
        let u = o.url(&format!("/hostile/redirect?url={target}"));
        let r = get(&allow_origin_only, &u).await;
        assert!(
            matches!(r, Err(FetchError::Refused(_))),
            "redirect to {target}: {r:?}"
        );
    }
}

#[tokio::test]
async fn per_host_delay_spaces_requests() {
    let o = origin().await;
    let f = Fetcher::new(FetchPolicy {
        per_host_delay: Duration::from_millis(300),
        ..policy()
    })
    .unwrap();
    let t = Instant::now();
    let mut tasks = vec![];
    for site in 0..2 {
        for _ in 0..2 {
            let f = f.clone();
            let u = o.feed_url(site);
            tasks.push(tokio::spawn(
                async move { get(&f, &u).await.unwrap().status },
            ));
        }
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    // robots.txt + 4 requests to one host, 300 ms apart: at least 4 gaps.
    assert!(
        t.elapsed() >= Duration::from_millis(1200),
        "{:?}",
        t.elapsed()
    );
}
