//! Extracts one file and prints the Article as JSON (diagnostics).
//! usage: extract_one FILE.html [URL]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: extract_one FILE [URL]")?;
    let url = std::env::args()
        .nth(2)
        .unwrap_or_else(|| "https://example.com/".into());
    let html = std::fs::read(path)?;
    let a = tidings_extract::extract(&html, &url::Url::parse(&url)?, None);
    println!("{}", serde_json::to_string_pretty(&a)?);
    Ok(())
}
