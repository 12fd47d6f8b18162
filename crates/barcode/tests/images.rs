//! Test images: a barcode drawn by rxing's writer, scaled, rotated, put on a photo-sized grey
//! background with noise, encoded as JPEG or PNG. Shared by the tests and the benchmark.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;

use image::{DynamicImage, GrayImage, ImageFormat, Luma};
use rand::{Rng, SeedableRng, rngs::StdRng};
use rxing::{BarcodeFormat, MultiFormatWriter, Writer};

/// The bars of `code` in `format`, `module` pixels per bar module, `bar_height` tall, with the
/// writer's quiet zone.
pub fn barcode(code: &str, format: BarcodeFormat, module: u32, bar_height: u32) -> GrayImage {
    let matrix = MultiFormatWriter
        .encode(code, &format, 0, 1)
        .expect("the code encodes");
    let (w, margin) = (matrix.width(), 10 * module);
    GrayImage::from_fn(w * module + 2 * margin, bar_height + 2 * margin, |x, y| {
        let inside =
            x >= margin && x < margin + w * module && y >= margin && y < margin + bar_height;
        let dark = inside && matrix.get((x - margin) / module, 0);
        Luma([if dark { 20 } else { 235 }])
    })
}

/// `image` turned by `degrees` about its centre (nearest neighbour), the corners light grey.
pub fn rotated(image: &GrayImage, degrees: f64) -> GrayImage {
    let (w, h) = image.dimensions();
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (cx, cy) = (f64::from(w) / 2.0, f64::from(h) / 2.0);
    let nw = (f64::from(w) * cos.abs() + f64::from(h) * sin.abs()).ceil() as u32;
    let nh = (f64::from(w) * sin.abs() + f64::from(h) * cos.abs()).ceil() as u32;
    let (ncx, ncy) = (f64::from(nw) / 2.0, f64::from(nh) / 2.0);
    GrayImage::from_fn(nw, nh, |x, y| {
        let (dx, dy) = (f64::from(x) - ncx, f64::from(y) - ncy);
        let sx = cos * dx + sin * dy + cx;
        let sy = -sin * dx + cos * dy + cy;
        if sx >= 0.0 && sy >= 0.0 && (sx as u32) < w && (sy as u32) < h {
            *image.get_pixel(sx as u32, sy as u32)
        } else {
            Luma([200])
        }
    })
}

/// `image` with uniform noise of up to `amount` added to each pixel (seeded: the same every run).
pub fn noisy(image: &GrayImage, amount: i16, seed: u64) -> GrayImage {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = image.clone();
    for p in out.pixels_mut() {
        let v = i16::from(p.0[0]) + rng.random_range(-amount..=amount);
        p.0[0] = v.clamp(0, 255) as u8;
    }
    out
}

/// A `width` x `height` "photo": a shaded background with `subject` in the middle.
pub fn photo(subject: &GrayImage, width: u32, height: u32) -> GrayImage {
    let mut canvas = GrayImage::from_fn(width, height, |x, y| {
        Luma([(90 + (x + y) * 80 / (width + height)) as u8])
    });
    let ox = (width.saturating_sub(subject.width())) / 2;
    let oy = (height.saturating_sub(subject.height())) / 2;
    image::imageops::overlay(&mut canvas, subject, i64::from(ox), i64::from(oy));
    canvas
}

/// Encoded as `format` (JPEG at the encoder's default quality).
pub fn encoded(image: &GrayImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::new());
    DynamicImage::ImageLuma8(image.clone())
        .write_to(&mut bytes, format)
        .unwrap();
    bytes.into_inner()
}

/// A 1280x960 JPEG photo of `code` (EAN-13), slightly turned, with noise.
pub fn photo_of_ean13(code: &str) -> Vec<u8> {
    let bars = noisy(
        &rotated(&barcode(code, BarcodeFormat::EAN_13, 4, 200), 8.0),
        25,
        7,
    );
    encoded(&photo(&bars, 1280, 960), ImageFormat::Jpeg)
}
