//! A TCP proxy a test can take down and bring back: a database outage without touching the
//! shared PostgreSQL server.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// Forwards 127.0.0.1:`port` to `target` while up.
#[derive(Debug)]
pub struct Proxy {
    /// The port it listens on.
    pub port: u16,
    up: Arc<AtomicBool>,
    generation: watch::Sender<u64>,
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

    /// Starts forwarding to `target` ("127.0.0.1:5432").
    pub async fn start(target: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let up = Arc::new(AtomicBool::new(true));
        let (generation, _) = watch::channel(0u64);
        let target = target.to_owned();
        let flag = up.clone();
        let gen_tx = generation.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    continue;
                };
                if !flag.load(Ordering::SeqCst) {
                    drop(inbound); // refused while down
                    continue;
                }
                let target = target.clone();
                let mut killed = gen_tx.subscribe();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = killed.changed() => {}
                    }
                });
            }
        });
        Proxy {
            port,
            up,
            generation,
        }
    }

    /// Drops every open connection and refuses new ones.
    pub fn take_down(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    /// Accepts connections again.
    pub fn bring_back(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}
