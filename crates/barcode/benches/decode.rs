//! Decode time of a 1280x960 JPEG photo of an EAN-13 barcode (slightly turned, with noise),
//! the whole path a photo takes: JPEG decoding, grey, the barcode read. Prints p50, p99 and max.
//!
//! `cargo bench -p wellness-barcode --bench decode` (release build; ITERATIONS=N to change 200)

#[path = "../tests/images.rs"]
mod images;

use std::time::{Duration, Instant};

use wellness_domain::ports::Scan;

#[allow(clippy::unwrap_used)]
fn main() {
    let iterations: usize = std::env::var("ITERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let photo = images::photo_of_ean13("4823063112628");
    let mut times: Vec<Duration> = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let start = Instant::now();
        let scan = wellness_barcode::scan(&photo);
        times.push(start.elapsed());
        assert_eq!(scan, Scan::Code("4823063112628".to_owned()));
    }
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
    println!(
        "decode 1280x960 JPEG ({} bytes), {iterations} runs: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        photo.len(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        times.last().unwrap().as_secs_f64() * 1e3,
    );
}
