//! Reads a retail barcode (EAN-13, EAN-8, UPC-A) in a photo with `rxing` (the ZXing port), as
//! the domain's [`BarcodeReader`]. The image is decoded by `image` (JPEG and PNG only), turned
//! to grey, scaled down to at most [`MAX_SIDE`] pixels on its long side (a barcode in a phone
//! photo stays many pixels per bar; decoding time stays bounded), and read trying harder
//! (rotations included). Decoding is CPU work: [`RxingReader`] runs it on Tokio's blocking
//! pool, never on the async workers. The check digit and in-store codes are the domain's
//! business ([`wellness_domain::model::Barcode`]).

use std::collections::HashSet;

use async_trait::async_trait;
use image::imageops::FilterType;
use image::{DynamicImage, GrayImage, ImageReader};
use rxing::common::HybridBinarizer;
use rxing::{
    BarcodeFormat, BinaryBitmap, DecodeHints, Luma8LuminanceSource, MultiFormatReader, Reader,
};
use wellness_domain::ports::{BarcodeReader, Scan};

/// Longest side an image is read at, in pixels.
pub const MAX_SIDE: u32 = 1280;

/// Largest image accepted, in pixels (a bigger one is refused before it is decoded in full).
const MAX_PIXELS: u64 = 50_000_000;

/// Reads the barcode of a JPEG or PNG image, synchronously (CPU work: call it off the async
/// runtime, or use [`RxingReader`]).
pub fn scan(image: &[u8]) -> Scan {
    let Some(grey) = open(image) else {
        return Scan::Unreadable;
    };
    match read_grey(&grey) {
        Some(code) => Scan::Code(code),
        None => Scan::NoBarcode,
    }
}

fn open(bytes: &[u8]) -> Option<GrayImage> {
    let reader = ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    let (w, h) = reader.into_dimensions().ok()?;
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return None;
    }
    let image = ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?
        .decode()
        .ok()?;
    Some(shrunk(image).into_luma8())
}

fn shrunk(image: DynamicImage) -> DynamicImage {
    if image.width().max(image.height()) <= MAX_SIDE {
        image
    } else {
        image.resize(MAX_SIDE, MAX_SIDE, FilterType::Triangle)
    }
}

/// The digits of the retail barcode in a grey image.
pub fn read_grey(grey: &GrayImage) -> Option<String> {
    let (width, height) = grey.dimensions();
    let source = Luma8LuminanceSource::new(grey.as_raw().clone(), width, height).ok()?;
    let mut bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
    let hints = DecodeHints {
        PossibleFormats: Some(HashSet::from([
            BarcodeFormat::EAN_13,
            BarcodeFormat::EAN_8,
            BarcodeFormat::UPC_A,
        ])),
        TryHarder: Some(true),
        ..DecodeHints::default()
    };
    let result = MultiFormatReader::default()
        .decode_with_hints(&mut bitmap, &hints)
        .ok()?;
    let text = result.getText();
    text.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| text.to_owned())
}

/// [`scan`] on Tokio's blocking pool.
#[derive(Debug, Clone, Copy, Default)]
pub struct RxingReader;

#[async_trait]
impl BarcodeReader for RxingReader {
    async fn read(&self, image: Vec<u8>) -> Scan {
        tokio::task::spawn_blocking(move || scan(&image))
            .await
            .unwrap_or(Scan::Unreadable)
    }
}
