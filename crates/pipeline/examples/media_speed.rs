//! How long one lead image takes to become its page variants (decode,
//! resize, JPEG and WebP for each width). Figures in BENCHMARKS.md.
//! `cargo run --release -p tidings-pipeline --example media_speed [N]`
//! (images drawn like the benchmark origin's 800x450 PNGs).
#![allow(clippy::unwrap_used)] // a measurement tool: a broken image should stop it loudly
use std::time::Instant;

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let pngs: Vec<Vec<u8>> = (0..n)
        .map(|i| tidings_origin::make_png(800, 450, i))
        .collect();
    let t = Instant::now();
    let mut bytes = 0;
    for p in &pngs {
        let (_, _, v) = tidings_pipeline::media::render_variants(p).unwrap();
        bytes += v.iter().map(|v| v.jpeg.len() + v.webp.len()).sum::<usize>();
    }
    let per = t.elapsed().as_secs_f64() * 1000.0 / f64::from(n);
    println!(
        "{n} images 800x450: {per:.2} ms each (one thread), {} bytes of variants each",
        bytes / n as usize
    );
}
