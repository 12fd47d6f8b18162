//! Barcodes read from generated images: every format we accept, scaled, turned, with noise, as
//! JPEG and PNG; an image without a barcode; bytes that are no image.

// Test helpers outside #[test] functions: a panic is a test failure, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod images;

use image::ImageFormat;
use images::{barcode, encoded, noisy, photo, photo_of_ean13, rotated};
use rxing::BarcodeFormat;
use wellness_barcode::{RxingReader, scan};
use wellness_domain::ports::{BarcodeReader, Scan};

const EAN13: &str = "4823063112628";

fn code(s: &str) -> Scan {
    Scan::Code(s.to_owned())
}

#[test]
fn ean13_ean8_and_upca_are_read_as_their_digits() {
    let cases = [
        (EAN13, BarcodeFormat::EAN_13),
        ("96385074", BarcodeFormat::EAN_8),
        ("036000291452", BarcodeFormat::UPC_A),
    ];
    for (digits, format) in cases {
        let png = encoded(&barcode(digits, format, 3, 120), ImageFormat::Png);
        assert_eq!(scan(&png), code(digits), "{format:?}");
    }
}

#[test]
fn scaled_turned_and_noisy_barcodes_are_read() {
    for module in [2, 3, 6] {
        let png = encoded(
            &barcode(EAN13, BarcodeFormat::EAN_13, module, 100),
            ImageFormat::Png,
        );
        assert_eq!(scan(&png), code(EAN13), "{module} px per module");
    }
    for degrees in [5.0, -10.0, 90.0, 180.0] {
        let turned = rotated(&barcode(EAN13, BarcodeFormat::EAN_13, 4, 160), degrees);
        let jpeg = encoded(&photo(&turned, 1280, 960), ImageFormat::Jpeg);
        assert_eq!(scan(&jpeg), code(EAN13), "turned {degrees}°");
    }
    assert_eq!(
        scan(&photo_of_ean13(EAN13)),
        code(EAN13),
        "a 1280x960 JPEG photo, turned 8°, noise ±25 on the bars"
    );
}

#[test]
fn a_large_photo_is_scaled_down_and_still_read() {
    let bars = barcode(EAN13, BarcodeFormat::EAN_13, 8, 500);
    let jpeg = encoded(&photo(&bars, 4000, 3000), ImageFormat::Jpeg);
    assert_eq!(scan(&jpeg), code(EAN13));
}

#[test]
fn an_image_without_a_barcode_and_bytes_that_are_no_image() {
    let plain = noisy(&photo(&image::GrayImage::new(1, 1), 640, 480), 30, 3);
    assert_eq!(scan(&encoded(&plain, ImageFormat::Jpeg)), Scan::NoBarcode);
    assert_eq!(scan(b"not an image at all"), Scan::Unreadable);
    let png = encoded(
        &barcode(EAN13, BarcodeFormat::EAN_13, 3, 100),
        ImageFormat::Png,
    );
    assert_eq!(scan(&png[..png.len() / 2]), Scan::Unreadable, "a cut file");
}

#[tokio::test]
async fn the_reader_runs_off_the_async_runtime() {
    let reader = RxingReader;
    assert_eq!(reader.read(photo_of_ean13(EAN13)).await, code(EAN13));
}
