//! A fault-injecting TCP proxy between the app and one of its peers (PostgreSQL, a simulator):
//! network faults without touching the peer. Its fault can be changed at any time:
//!
//! - [`Fault::None`]: bytes pass as they come;
//! - [`Fault::Latency`]: each chunk, either way, waits that long first;
//! - [`Fault::BlackHole`]: the half-open peer. New connections are accepted and read, never
//!   answered, never closed; connections already open go silent both ways for good (what they
//!   carry is read and dropped). Healing helps new connections only, as with a real half-open
//!   connection: the client must notice and give up on the old ones itself;
//! - [`Fault::Reset`]: the request goes through, the first `after` bytes of the answer come
//!   back, then the client's connection is reset (RST: `SO_LINGER` 0);
//! - [`Fault::Down`]: open connections are dropped and new ones closed at once.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What the proxy does to the traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Pass-through.
    None,
    /// Each chunk, either way, is held this long before it is passed on.
    Latency(Duration),
    /// Accepts and reads, never answers, never closes.
    BlackHole,
    /// Passes the first `after` bytes of an answer, then resets the client's connection.
    Reset {
        /// Bytes of the answer let through.
        after: usize,
    },
    /// Refuses: connections are closed at once.
    Down,
}

#[derive(Debug)]
struct State {
    fault: Fault,
    /// A `Reset` for the next answer only: the proxy heals after one reset.
    once: bool,
    /// Connections reset so far.
    resets: u64,
}

type Shared = Arc<Mutex<State>>;

/// Forwards 127.0.0.1:`port` to `target`, through the current [`Fault`].
#[derive(Debug)]
pub struct Proxy {
    /// The port it listens on.
    pub port: u16,
    state: Shared,
    /// Bumped to drop every open connection.
    generation: watch::Sender<u64>,
    accept: JoinHandle<()>,
}

impl Proxy {
    /// Forwards to the PostgreSQL server the tests use (`WELLNESS_TEST_DATABASE_URL`).
    pub async fn to_test_server() -> Proxy {
        let server = wellness_postgres::test_support::server_url();
        let host = server
            .trim_start_matches("postgres://")
            .rsplit('@')
            .next()
            .unwrap_or_default()
            .to_owned();
        Proxy::start(&host).await
    }

    /// The URL of database `name` through this proxy (as the `postgres` user).
    pub fn database_url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// `http://127.0.0.1:<port>`: an HTTP peer through this proxy.
    pub fn http_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Starts forwarding to `target` ("127.0.0.1:5432"), without a fault.
    pub async fn start(target: &str) -> Proxy {
        Proxy::start_on(0, target).await
    }

    /// [`Proxy::start`] on a port chosen beforehand (0: any), for a peer that must know the
    /// URL it is reached by (a signed request names it).
    pub async fn start_on(port: u16, target: &str) -> Proxy {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(Mutex::new(State {
            fault: Fault::None,
            once: false,
            resets: 0,
        }));
        let (generation, _) = watch::channel(0u64);
        let accept = tokio::spawn(accept_loop(
            listener,
            target.to_owned(),
            state.clone(),
            generation.clone(),
        ));
        Proxy {
            port,
            state,
            generation,
            accept,
        }
    }

    /// Switches to `fault` (for every connection, open or new).
    pub fn set(&self, fault: Fault) {
        let mut state = self.state.lock().unwrap();
        state.fault = fault;
        state.once = false;
        drop(state);
        if fault == Fault::Down {
            self.generation.send_modify(|g| *g += 1);
        }
    }

    /// Resets the next answer after `after` bytes, then passes everything again.
    pub fn reset_next(&self, after: usize) {
        let mut state = self.state.lock().unwrap();
        state.fault = Fault::Reset { after };
        state.once = true;
    }

    /// Back to pass-through.
    pub fn heal(&self) {
        self.set(Fault::None);
    }

    /// The current fault.
    pub fn fault(&self) -> Fault {
        self.state.lock().unwrap().fault
    }

    /// How many connections it has reset.
    pub fn resets(&self) -> u64 {
        self.state.lock().unwrap().resets
    }

    /// Drops every open connection and refuses new ones.
    pub fn take_down(&self) {
        self.set(Fault::Down);
    }

    /// Accepts connections again.
    pub fn bring_back(&self) {
        self.heal();
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.generation.send_modify(|g| *g += 1);
    }
}

fn fault_of(state: &Shared) -> Fault {
    state.lock().unwrap().fault
}

async fn accept_loop(
    listener: TcpListener,
    target: String,
    state: Shared,
    generation: watch::Sender<u64>,
) {
    loop {
        let Ok((inbound, _)) = listener.accept().await else {
            continue;
        };
        let mut killed = generation.subscribe();
        match fault_of(&state) {
            Fault::Down => drop(inbound),
            Fault::BlackHole => {
                tokio::spawn(async move {
                    tokio::select! {
                        () = swallow(inbound) => {}
                        _ = killed.changed() => {}
                    }
                });
            }
            _ => {
                let target = target.clone();
                let state = state.clone();
                tokio::spawn(async move {
                    let Ok(outbound) = TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        () = forward(inbound, outbound, state) => {}
                        _ = killed.changed() => {}
                    }
                });
            }
        }
    }
}

/// Reads and drops everything; answers nothing, closes nothing (returns at the client's EOF).
async fn swallow(mut inbound: TcpStream) {
    let mut buf = vec![0u8; 16 * 1024];
    while matches!(inbound.read(&mut buf).await, Ok(n) if n > 0) {}
    // The client closed its side: stay open, as a half-open peer does, until killed.
    std::future::pending::<()>().await;
}

/// One connection, both ways, through the current fault.
async fn forward(inbound: TcpStream, outbound: TcpStream, state: Shared) {
    let (client_r, client_w) = inbound.into_split();
    let (server_r, server_w) = outbound.into_split();
    let upstream = tokio::spawn(pump_up(client_r, server_w, state.clone()));
    if pump_down(server_r, client_w, state).await {
        // The read half goes with the task: the socket closes now, with an RST.
        upstream.abort();
    }
    let _ = upstream.await;
}

/// Waits out the latency; false when the chunk must be dropped (a black hole: for good).
async fn pass(state: &Shared, silenced: &mut bool) -> bool {
    let fault = fault_of(state);
    if fault == Fault::BlackHole {
        *silenced = true;
    }
    if *silenced {
        return false;
    }
    if let Fault::Latency(delay) = fault {
        tokio::time::sleep(delay).await;
    }
    true
}

/// Client to server.
async fn pump_up(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, state: Shared) {
    let mut buf = vec![0u8; 16 * 1024];
    let mut silenced = false;
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if pass(&state, &mut silenced).await && to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    if silenced {
        // A half-open peer never closes.
        std::future::pending::<()>().await;
    }
    let _ = to.shutdown().await;
}

/// Server to client: where a reset happens (then it returns true).
async fn pump_down(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, state: Shared) -> bool {
    let mut buf = vec![0u8; 16 * 1024];
    let mut silenced = false;
    // Bytes of the answer still let through before the reset, once one is due.
    let mut budget: Option<usize> = None;
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if let Fault::Reset { after } = fault_of(&state) {
            budget.get_or_insert(after);
        }
        if let Some(left) = budget {
            let _ = to.write_all(&buf[..left.min(n)]).await;
            if left <= n {
                reset(to, &state);
                return true;
            }
            budget = Some(left - n);
            continue;
        }
        if !pass(&state, &mut silenced).await {
            continue;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    if silenced {
        std::future::pending::<()>().await;
    }
    let _ = to.shutdown().await;
    false
}

/// Resets the client's connection: `SO_LINGER` 0, then closed without a FIN.
fn reset(to: OwnedWriteHalf, state: &Shared) {
    let _ = to.as_ref().set_zero_linger();
    // No shutdown: the socket closes when the read half goes too (the caller's task ends and
    // the upstream pump is dropped with it), and the zero linger makes that close an RST.
    to.forget();
    let mut state = state.lock().unwrap();
    state.resets += 1;
    if state.once {
        state.fault = Fault::None;
        state.once = false;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    /// A server that answers every chunk with the same bytes.
    async fn echo_server() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 4096];
                    while let Ok(n) = socket.read(&mut buf).await {
                        if n == 0 || socket.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        addr
    }

    async fn connect(proxy: &Proxy) -> TcpStream {
        TcpStream::connect(("127.0.0.1", proxy.port)).await.unwrap()
    }

    /// Sends `bytes` and reads back as many, or what came before an error or EOF.
    async fn round_trip(socket: &mut TcpStream, bytes: &[u8]) -> Result<Vec<u8>, std::io::Error> {
        socket.write_all(bytes).await?;
        let mut got = Vec::new();
        let mut buf = vec![0u8; 4096];
        while got.len() < bytes.len() {
            match socket.read(&mut buf).await? {
                0 => break,
                n => got.extend_from_slice(&buf[..n]),
            }
        }
        Ok(got)
    }

    /// Whether anything (bytes or EOF) comes within `wait`.
    async fn silent_for(socket: &mut TcpStream, wait: Duration) -> bool {
        let mut buf = [0u8; 64];
        tokio::time::timeout(wait, socket.read(&mut buf))
            .await
            .is_err()
    }

    #[tokio::test]
    async fn passes_bytes_both_ways_and_delays_each_chunk_under_latency() {
        let proxy = Proxy::start(&echo_server().await).await;
        let mut socket = connect(&proxy).await;
        assert_eq!(round_trip(&mut socket, b"hello").await.unwrap(), b"hello");
        proxy.set(Fault::Latency(Duration::from_millis(150)));
        let started = Instant::now();
        assert_eq!(round_trip(&mut socket, b"slow").await.unwrap(), b"slow");
        // Once on the way there, once on the way back.
        assert!(
            started.elapsed() >= Duration::from_millis(300),
            "{:?}",
            started.elapsed()
        );
        proxy.heal();
        let started = Instant::now();
        assert_eq!(round_trip(&mut socket, b"fast").await.unwrap(), b"fast");
        assert!(
            started.elapsed() < Duration::from_millis(150),
            "{:?}",
            started.elapsed()
        );
    }

    #[tokio::test]
    async fn a_black_hole_accepts_and_never_answers_nor_closes_until_healed_for_new_connections() {
        let proxy = Proxy::start(&echo_server().await).await;
        let mut open = connect(&proxy).await;
        assert_eq!(round_trip(&mut open, b"before").await.unwrap(), b"before");
        proxy.set(Fault::BlackHole);
        let mut new = connect(&proxy).await;
        new.write_all(b"anyone?").await.unwrap();
        assert!(silent_for(&mut new, Duration::from_millis(300)).await);
        open.write_all(b"still there?").await.unwrap();
        assert!(silent_for(&mut open, Duration::from_millis(300)).await);
        proxy.heal();
        // The silenced connections stay silent: a half-open peer does not come back.
        open.write_all(b"now?").await.unwrap();
        assert!(silent_for(&mut open, Duration::from_millis(300)).await);
        assert!(silent_for(&mut new, Duration::from_millis(100)).await);
        let mut fresh = connect(&proxy).await;
        assert_eq!(round_trip(&mut fresh, b"after").await.unwrap(), b"after");
    }

    #[tokio::test]
    async fn a_reset_passes_the_request_and_the_first_bytes_of_the_answer_then_an_rst() {
        let proxy = Proxy::start(&echo_server().await).await;
        proxy.reset_next(10);
        let mut socket = connect(&proxy).await;
        socket.write_all(&[7u8; 100]).await.unwrap();
        let mut got = Vec::new();
        let mut buf = vec![0u8; 4096];
        let error = loop {
            match socket.read(&mut buf).await {
                Ok(0) => panic!("closed cleanly after {} bytes, not reset", got.len()),
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) => break e,
            }
        };
        assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset);
        assert!(got.len() <= 10 && got.iter().all(|b| *b == 7), "{got:?}");
        assert_eq!(proxy.resets(), 1);
        // One reset only: the next connection passes.
        assert_eq!(proxy.fault(), Fault::None);
        let mut next = connect(&proxy).await;
        assert_eq!(round_trip(&mut next, b"whole").await.unwrap(), b"whole");
    }

    #[tokio::test]
    async fn a_standing_reset_resets_every_answer_until_healed() {
        let proxy = Proxy::start(&echo_server().await).await;
        proxy.set(Fault::Reset { after: 0 });
        for _ in 0..2 {
            let mut socket = connect(&proxy).await;
            let answer = round_trip(&mut socket, b"ping").await;
            assert!(
                matches!(&answer, Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset),
                "{answer:?}"
            );
        }
        assert_eq!(proxy.resets(), 2);
        proxy.heal();
        let mut socket = connect(&proxy).await;
        assert_eq!(round_trip(&mut socket, b"ping").await.unwrap(), b"ping");
    }

    #[tokio::test]
    async fn down_drops_open_connections_and_closes_new_ones_until_brought_back() {
        let proxy = Proxy::start(&echo_server().await).await;
        let mut open = connect(&proxy).await;
        assert_eq!(round_trip(&mut open, b"hi").await.unwrap(), b"hi");
        proxy.take_down();
        let dropped = round_trip(&mut open, b"hi").await;
        assert!(!matches!(&dropped, Ok(b) if b == b"hi"), "{dropped:?}");
        let mut refused = connect(&proxy).await;
        let closed = round_trip(&mut refused, b"hi").await;
        assert!(!matches!(&closed, Ok(b) if b == b"hi"), "{closed:?}");
        proxy.bring_back();
        let mut back = connect(&proxy).await;
        assert_eq!(round_trip(&mut back, b"hi").await.unwrap(), b"hi");
    }
}
