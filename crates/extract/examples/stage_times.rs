//! Time spent per extraction stage over a directory of pages (diagnostics).
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: stage_times DIR")?;
    let mut pages = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.extension().is_some_and(|x| x == "html") {
            pages.push(std::fs::read(&p)?);
        }
    }
    let url = url::Url::parse("https://example.com/a/b")?;
    let mut sum = [0f64; 5];
    for h in &pages {
        let t = tidings_extract::debug_timings(h, &url);
        for (s, x) in sum.iter_mut().zip(t) {
            *s += x;
        }
    }
    let names = ["decode+parse", "arena", "meta", "ours", "readability"];
    for (n, s) in names.iter().zip(sum) {
        println!(
            "{n:>14}: {:7.2} s  {:6.2} ms/page",
            s,
            1000.0 * s / pages.len() as f64
        );
    }
    Ok(())
}
