//! A closed-loop HTTP/1.1 load generator that costs as little as possible: each connection is a
//! task on one keep-alive TCP stream writing a pre-built request and reading the answer with a
//! hand-rolled parser (status line and Content-Length only). No client library, no per-request
//! allocation beyond the request bytes, so the server, not the generator, is what saturates.
//! [`trivial_responder`] is the other end for measuring the generator's own ceiling.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Builds request `n` (a complete HTTP/1.1 request with Content-Length).
pub type MakeRequest = Arc<dyn Fn(u64) -> Vec<u8> + Send + Sync>;

/// What a run measured.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Answers with status 200 over the whole run (warm-up included).
    pub ok_total: u64,
    /// Answers with another status over the whole run.
    pub not_ok_total: u64,
    /// Connection errors.
    pub errors: u64,
    /// Answers completed inside the measured window.
    pub measured: u64,
    /// The measured window.
    pub window: Duration,
    /// Latencies (µs) of the answers in the window, sorted.
    pub latencies_us: Vec<u32>,
}

impl Outcome {
    /// Answers per second in the measured window.
    pub fn throughput(&self) -> f64 {
        self.measured as f64 / self.window.as_secs_f64()
    }

    /// A latency percentile in milliseconds.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let idx = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        f64::from(self.latencies_us[idx.min(self.latencies_us.len() - 1)]) / 1000.0
    }
}

/// A request: method line, headers and a body.
pub fn post(path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 256);
    out.extend_from_slice(format!("POST {path} HTTP/1.1\r\nhost: bench\r\n").as_bytes());
    for (k, v) in headers {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "content-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(body);
    out
}

/// Runs `connections` closed loops against `addr` for `warmup + measure`; only answers that
/// complete after the warm-up count toward throughput and latency.
pub async fn saturate(
    addr: SocketAddr,
    connections: usize,
    warmup: Duration,
    measure: Duration,
    make: MakeRequest,
) -> Outcome {
    let counter = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let begin = Instant::now();
    let window_start = begin + warmup;
    let mut tasks = Vec::with_capacity(connections);
    for _ in 0..connections {
        let (counter, stop, make) = (counter.clone(), stop.clone(), make.clone());
        tasks.push(tokio::spawn(async move {
            connection_loop(addr, counter, stop, make, window_start).await
        }));
    }
    tokio::time::sleep(warmup + measure).await;
    stop.store(true, Ordering::Relaxed);
    let window_end = Instant::now();
    let mut out = Outcome::default();
    for task in tasks {
        let Ok(stats) = task.await else {
            out.errors += 1;
            continue;
        };
        out.ok_total += stats.ok;
        out.not_ok_total += stats.not_ok;
        out.errors += stats.errors;
        for (done, latency) in stats.samples {
            if done <= window_end {
                out.latencies_us.push(latency);
            }
        }
    }
    out.window = window_end - window_start;
    out.measured = out.latencies_us.len() as u64;
    out.latencies_us.sort_unstable();
    out
}

#[derive(Default)]
struct ConnStats {
    ok: u64,
    not_ok: u64,
    errors: u64,
    samples: Vec<(Instant, u32)>,
}

async fn connection_loop(
    addr: SocketAddr,
    counter: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    make: MakeRequest,
    window_start: Instant,
) -> ConnStats {
    let mut stats = ConnStats::default();
    let mut buf = vec![0u8; 16 * 1024];
    'reconnect: while !stop.load(Ordering::Relaxed) {
        let Ok(mut stream) = TcpStream::connect(addr).await else {
            stats.errors += 1;
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        while !stop.load(Ordering::Relaxed) {
            let request = make(counter.fetch_add(1, Ordering::Relaxed));
            let started = Instant::now();
            if stream.write_all(&request).await.is_err() {
                stats.errors += 1;
                continue 'reconnect;
            }
            match read_response(&mut stream, &mut buf).await {
                Some(status) => {
                    let done = Instant::now();
                    if status == 200 {
                        stats.ok += 1;
                    } else {
                        stats.not_ok += 1;
                    }
                    if done >= window_start {
                        let us = u32::try_from((done - started).as_micros()).unwrap_or(u32::MAX);
                        stats.samples.push((done, us));
                    }
                }
                None => {
                    stats.errors += 1;
                    continue 'reconnect;
                }
            }
        }
    }
    stats
}

/// Reads one message (headers and a Content-Length body); the status code of a response, or 0
/// for a request. `None` when the stream ended or is not HTTP.
async fn read_message(stream: &mut TcpStream, buf: &mut [u8]) -> Option<(u16, usize)> {
    let mut filled = 0;
    let header_end = loop {
        if filled == buf.len() {
            return None;
        }
        let n = stream.read(&mut buf[filled..]).await.ok()?;
        if n == 0 {
            return None;
        }
        filled += n;
        if let Some(pos) = find(&buf[..filled], b"\r\n\r\n") {
            break pos + 4;
        }
    };
    let head = std::str::from_utf8(&buf[..header_end]).ok()?;
    let status = head
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body_read = filled - header_end;
    while body_read < length {
        let want = (length - body_read).min(buf.len());
        let n = stream.read(&mut buf[..want]).await.ok()?;
        if n == 0 {
            return None;
        }
        body_read += n;
    }
    Some((status, length))
}

async fn read_response(stream: &mut TcpStream, buf: &mut [u8]) -> Option<u16> {
    read_message(stream, buf).await.map(|(status, _)| status)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// An HTTP/1.1 server that answers every request 200 with an empty body at once, on a thread
/// and runtime of its own: the cheapest possible other end, to measure the generator's ceiling.
pub fn trivial_responder() -> SocketAddr {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    std_listener.set_nonblocking(true).unwrap();
    let addr = std_listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = TcpListener::from_std(std_listener).unwrap();
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 16 * 1024];
                    while read_message(&mut stream, &mut buf).await.is_some() {
                        if stream
                            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                            .await
                            .is_err()
                        {
                            return;
                        }
                    }
                });
            }
        });
    });
    addr
}
