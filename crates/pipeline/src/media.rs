//! Lead images: fetched once through the safe fetcher, decoded with limits,
//! resized to the widths pages use, encoded as WebP (for browsers that take
//! it) and JPEG, and written to the data dir, where the web layer serves them.

use crate::{JOB_MEDIA, Pipeline};
use anyhow::{Context, Result, bail};
use image::{DynamicImage, ImageDecoder, ImageReader};
use serde::{Deserialize, Serialize};
use std::io::Cursor;
use std::path::{Path, PathBuf};
use tidings_fetch::FetchRequest;
use tidings_store::NewJob;

/// Images larger than this are refused: a lead image is never 8 MB.
const MAX_IMAGE_BYTES: usize = 8 * 1024 * 1024;
/// Decoding limits: huge dimensions are a decompression bomb, not a photo.
const MAX_PIXELS: u64 = 40_000_000;
/// And the decoded image at most this big: a 32 MP photo in 8-bit RGB, a
/// 24 MP one with alpha; a 16-bit RGBA image is refused past 12 MP.
const MAX_DECODED_BYTES: u64 = 96 * 1024 * 1024;
/// Images with a side under this many pixels are not kept (icons, pixels).
const MIN_SIDE: u32 = 50;
const JPEG_QUALITY: u8 = 80;
const WEBP_QUALITY: f32 = 75.0;
const WEBP_METHOD: i32 = 2;

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct MediaPayload {
    pub url: String,
}

/// One resized copy.
#[derive(Debug)]
pub struct Variant {
    pub width: u32,
    pub height: u32,
    pub jpeg: Vec<u8>,
    pub webp: Vec<u8>,
}

/// Decode `bytes` and produce every variant no wider than the original
/// (at least one). Pure: no IO.
///
/// Memory is bounded by bytes, not only pixels: a 16-bit RGBA image decodes to
/// 8 bytes a pixel, so a small file can ask for hundreds of megabytes. The
/// header is read first and the decode refused past [`MAX_DECODED_BYTES`]; the
/// decoded image becomes 8-bit RGB once (free when it already is) and every
/// variant is made from that one buffer.
pub fn render_variants(bytes: &[u8]) -> Result<(u32, u32, Vec<Variant>)> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .context("unreadable image")?;
    let mut limits = image::Limits::default();
    // Decoders allocate a little beside the image (palettes, rows).
    limits.max_alloc = Some(MAX_DECODED_BYTES + 16 * 1024 * 1024);
    reader.limits(limits);
    let decoder = reader.into_decoder().context("unreadable image header")?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS || w == 0 || h == 0 {
        bail!("image of {w}x{h} pixels refused");
    }
    let decoded = decoder.total_bytes();
    if decoded > MAX_DECODED_BYTES {
        bail!(
            "image of {w}x{h} pixels ({:?}) would take {} MB to decode; refused (limit {} MB)",
            decoder.color_type(),
            decoded / 1_000_000,
            MAX_DECODED_BYTES / 1_000_000
        );
    }
    let img = DynamicImage::from_decoder(decoder).context("cannot decode image")?;
    let rgb = img.into_rgb8();
    let mut resizer = fast_image_resize::Resizer::new();
    let mut out = Vec::new();
    for tw in tidings_core::media_variant_widths(w) {
        let th = ((u64::from(h) * u64::from(tw)) / u64::from(w)).max(1) as u32;
        let resized;
        let small: &[u8] = if tw == w {
            rgb.as_raw()
        } else {
            let mut dst =
                fast_image_resize::images::Image::new(tw, th, fast_image_resize::PixelType::U8x3);
            resizer
                .resize(&rgb, &mut dst, None)
                .context("cannot resize image")?;
            resized = dst.into_vec();
            &resized
        };
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY)
            .encode(small, tw, th, image::ExtendedColorType::Rgb8)
            .context("cannot encode JPEG")?;
        let webp = webp::Encoder::from_rgb(small, tw, th)
            .encode_advanced(&webp_config()?)
            .map_err(|e| anyhow::anyhow!("cannot encode WebP: {e:?}"))?
            .to_vec();
        out.push(Variant {
            width: tw,
            height: th,
            jpeg,
            webp,
        });
    }
    Ok((w, h, out))
}

/// Lossy WebP at [`WEBP_QUALITY`], effort 2 of 6: about half the time of
/// the default effort 4 for files a few percent larger (examples/media_speed.rs).
fn webp_config() -> Result<webp::WebPConfig> {
    let mut c = webp::WebPConfig::new().map_err(|()| anyhow::anyhow!("libwebp config"))?;
    c.quality = WEBP_QUALITY;
    c.method = WEBP_METHOD;
    Ok(c)
}

/// Where a variant lives: `<media dir>/<id>/<width>.<ext>`.
pub fn variant_path(media_dir: &Path, id: &str, width: u32, ext: &str) -> PathBuf {
    media_dir.join(id).join(format!("{width}.{ext}"))
}

/// An image to cache: its media id, its URL and the job that fetches it.
pub(crate) fn media_request(url: &str) -> (String, String, NewJob) {
    let id = tidings_core::media_id(url);
    let job = NewJob::new(
        JOB_MEDIA,
        serde_json::json!(MediaPayload {
            url: url.to_string()
        }),
    )
    .key(format!("media:{id}"))
    .priority(-5)
    .max_attempts(3);
    (id, url.to_string(), job)
}

impl Pipeline {
    /// Fetch, resize and store one image. Broken, huge or non-image answers mark
    /// the media as failed: pages then show no image, and nothing retries it.
    pub(crate) async fn fetch_media(&self, p: &MediaPayload) -> Result<()> {
        let Some(dir) = self.cfg.media_dir.clone() else {
            return Ok(());
        };
        let id = tidings_core::media_id(&p.url);
        let url = match url::Url::parse(&p.url) {
            Ok(u) => u,
            Err(e) => {
                return Ok(self
                    .store
                    .media_failed(&id, &format!("bad URL: {e}"))
                    .await?);
            }
        };
        let req = FetchRequest {
            accept: "image/avif,image/webp,image/*;q=0.8",
            ..FetchRequest::new(url)
        };
        let r = match self.fetcher.get(&req).await {
            Ok(r) => r,
            Err(e) if e.is_transient() => bail!("{e}"),
            Err(e) => return Ok(self.store.media_failed(&id, &e.to_string()).await?),
        };
        if r.status == 429 || r.status >= 500 {
            bail!("HTTP {}", r.status);
        }
        if !r.is_success() {
            return Ok(self
                .store
                .media_failed(&id, &format!("HTTP {}", r.status))
                .await?);
        }
        if r.body.len() > MAX_IMAGE_BYTES {
            return Ok(self
                .store
                .media_failed(&id, "image larger than 8 MB")
                .await?);
        }
        let body = r.body;
        // Over budget or not, a bad image is the image's failure, not the job's.
        let rendered = self
            .on_cpu("decoding the image", move || render_variants(&body))
            .await
            .and_then(|r| r);
        let (w, h, variants) = match rendered {
            Ok(v) => v,
            Err(e) => return Ok(self.store.media_failed(&id, &format!("{e:#}")).await?),
        };
        // Share buttons, icons and tracking pixels are not pictures of the story.
        if w < MIN_SIDE || h < MIN_SIDE {
            let why = format!("{w}x{h} pixels: an icon or a pixel, not a picture");
            return Ok(self.store.media_failed(&id, &why).await?);
        }
        let mut bytes = 0;
        let mut files = Vec::new();
        for v in variants {
            for (ext, data) in [("jpg", v.jpeg), ("webp", v.webp)] {
                let path = variant_path(&dir, &id, v.width, ext);
                tidings_core::write_media_file(&path, &data)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                bytes += data.len();
                files.push((format!("{}.{ext}", v.width), data));
            }
        }
        // Web nodes elsewhere have their own media folders: they read the
        // files from the database (before the image is marked ready).
        if self.store.shares_media_files() {
            self.store.put_media_files(&id, &files).await?;
        }
        self.store
            .media_done(
                &id,
                "image/jpeg",
                i64::from(w),
                i64::from(h),
                i64::try_from(bytes).unwrap_or(0),
            )
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn variants_keep_aspect_and_never_upscale() {
        let (w, h, v) = render_variants(&png(1600, 900)).unwrap();
        assert_eq!((w, h), (1600, 900));
        assert_eq!(
            v.iter().map(|v| (v.width, v.height)).collect::<Vec<_>>(),
            vec![(320, 180), (640, 360), (1200, 675)]
        );
        for x in &v {
            assert!(x.jpeg.starts_with(&[0xFF, 0xD8]), "JPEG");
            assert!(
                x.webp.starts_with(b"RIFF") && &x.webp[8..12] == b"WEBP",
                "WebP"
            );
            assert!(x.webp.len() < x.jpeg.len() * 2);
        }
        let (_, _, small) = render_variants(&png(200, 100)).unwrap();
        assert_eq!(
            small.iter().map(|v| v.width).collect::<Vec<_>>(),
            vec![200],
            "small images are not enlarged"
        );
    }

    /// CRC-32 (PNG's chunk checksum), so a test can change a header honestly.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for b in bytes {
            c ^= u32::from(*b);
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }

    /// A valid PNG header (IHDR with its checksum) claiming `w` x `h` pixels of
    /// `depth` bits and PNG colour type `colour`, with one empty data chunk.
    fn png_header(w: u32, h: u32, depth: u8, colour: u8) -> Vec<u8> {
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend_from_slice(&w.to_be_bytes());
        ihdr.extend_from_slice(&h.to_be_bytes());
        ihdr.extend_from_slice(&[depth, colour, 0, 0, 0]);
        out.extend_from_slice(&13u32.to_be_bytes());
        out.extend_from_slice(&ihdr);
        out.extend_from_slice(&crc32(&ihdr).to_be_bytes());
        out.extend_from_slice(&0u32.to_be_bytes());
        out.extend_from_slice(b"IDAT");
        out.extend_from_slice(&crc32(b"IDAT").to_be_bytes());
        out
    }

    #[test]
    fn broken_and_bomb_images_are_errors() {
        assert!(render_variants(b"not an image").is_err());
        assert!(render_variants(&png(100, 100)[..50]).is_err(), "truncated");
        // 100,000 x 100,000 pixels: refused by the pixel cap before decoding.
        let e = format!(
            "{:#}",
            render_variants(&png_header(100_000, 100_000, 8, 2)).unwrap_err()
        );
        assert!(e.contains("100000x100000 pixels refused"), "{e}");
    }

    #[test]
    fn decoded_size_is_capped_in_bytes_not_only_pixels() {
        // 5000 x 5000 is within the pixel cap, but 16-bit RGBA takes 200 MB decoded.
        let e = format!(
            "{:#}",
            render_variants(&png_header(5000, 5000, 16, 6)).unwrap_err()
        );
        assert!(e.contains("would take 200 MB to decode; refused"), "{e}");
        // The same size in 8-bit RGB (75 MB) passes the header checks; this file
        // then fails only because its pixel data is missing.
        let e = format!(
            "{:#}",
            render_variants(&png_header(5000, 5000, 8, 2)).unwrap_err()
        );
        assert!(!e.contains("refused"), "{e}");
        assert!(e.contains("cannot decode image"), "{e}");
    }
}
