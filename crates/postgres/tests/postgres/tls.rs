//! TLS to PostgreSQL. Each `sslmode` against the real server (which offers TLS with a certificate
//! nobody here can verify), and the verifying modes through a TLS front with certificates made
//! here: the front answers PostgreSQL's SSLRequest itself, ends TLS with the test certificate and
//! forwards the plaintext to the real server, as a TLS-terminating proxy does.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use diesel::sql_types::Bool;
use diesel::{QueryableByName, sql_query};
use diesel_async::RunQueryDsl;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt, copy_bidirectional};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivatePkcs8KeyDer};
use wellness_postgres::test_support::{TestDatabase, server_url};
use wellness_postgres::{Database, DatabaseError, PoolSettings, migrate};

#[derive(QueryableByName)]
struct Ssl {
    #[diesel(sql_type = Bool)]
    ssl: bool,
}

/// Whether the session that answers is encrypted, as the server sees it.
async fn server_sees_tls(db: &Database) -> bool {
    let mut conn = db.conn().await.unwrap();
    sql_query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .get_result::<Ssl>(&mut conn)
        .await
        .unwrap()
        .ssl
}

fn pool(url: &str) -> Database {
    Database::connect(url, PoolSettings::default()).unwrap()
}

/// The real server's `postgres` database with these URL parameters.
fn direct(params: &str) -> String {
    format!("{}/postgres?{params}", server_url())
}

/// Why a connection through this URL fails.
async fn connect_error(url: &str) -> String {
    match pool(url).conn().await {
        Ok(_) => panic!("connected, but the connection should have been refused"),
        Err(e) => e.to_string(),
    }
}

#[tokio::test]
async fn require_connects_over_tls() {
    assert!(server_sees_tls(&pool(&direct("sslmode=require"))).await);
}

#[tokio::test]
async fn disable_connects_in_plaintext() {
    assert!(!server_sees_tls(&pool(&direct("sslmode=disable"))).await);
}

#[tokio::test]
async fn prefer_and_no_sslmode_use_tls_when_the_server_offers_it() {
    assert!(server_sees_tls(&pool(&direct("sslmode=prefer"))).await);
    let without = format!("{}/postgres", server_url());
    assert!(server_sees_tls(&pool(&without)).await);
}

/// A CA and a certificate it signed for the name `localhost` only.
struct Pki {
    ca: CaFile,
    server: Arc<ServerConfig>,
}

fn pki() -> Pki {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    // A name of its own: another CA is then unknown, not a namesake with a bad signature.
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    ca.distinguished_name
        .push(DnType::CommonName, format!("wellness test CA {n}"));
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
    let mut server = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().unwrap();
    let cert = server.signed_by(&key, &*ca).unwrap();
    let config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert.der().to_vec())],
            PrivatePkcs8KeyDer::from(key.serialize_der()).into(),
        )
        .unwrap();
    Pki {
        ca: CaFile::new(&ca.as_ref().pem()),
        server: Arc::new(config),
    }
}

/// A CA certificate in a PEM file, removed when dropped.
struct CaFile(PathBuf);

impl CaFile {
    fn new(pem: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("wellness-ca-{}-{n}.pem", std::process::id()));
        std::fs::write(&path, pem).unwrap();
        Self(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for CaFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// What the front answers to the SSLRequest: `S` and TLS with this configuration, or `N`.
enum Answer {
    Tls(Arc<ServerConfig>),
    NoTls,
}

/// The 8-byte message a client sends to ask for TLS: its length, then the code 80877103.
const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];

/// A TLS front for the real server, on a port of its own for one test.
struct Front {
    addr: SocketAddr,
    tls_sessions: Arc<AtomicUsize>,
}

impl Front {
    async fn start(answer: Answer) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let tls_sessions = Arc::new(AtomicUsize::new(0));
        let (answer, sessions) = (Arc::new(answer), tls_sessions.clone());
        // Ends with the test's runtime.
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(forward(client, answer.clone(), sessions.clone()));
            }
        });
        Self { addr, tls_sessions }
    }

    /// A URL to the real server's `database` through the front, by `host` (which resolves to
    /// 127.0.0.1), with these parameters.
    fn url(&self, host: &str, database: &str, params: &str) -> String {
        let user = upstream().get_user().unwrap_or("postgres").to_owned();
        let port = self.addr.port();
        format!("postgres://{user}@{host}:{port}/{database}?{params}")
    }

    /// TLS handshakes completed so far.
    fn tls_sessions(&self) -> usize {
        AtomicUsize::load(&self.tls_sessions, Ordering::SeqCst)
    }
}

fn upstream() -> tokio_postgres::Config {
    server_url().parse().unwrap()
}

fn upstream_addr() -> String {
    let config = upstream();
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
        _ => "127.0.0.1".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!("{host}:{port}")
}

async fn forward(
    mut client: TcpStream,
    answer: Arc<Answer>,
    sessions: Arc<AtomicUsize>,
) -> std::io::Result<()> {
    let mut upstream = TcpStream::connect(upstream_addr()).await?;
    let mut first = [0u8; 8];
    client.read_exact(&mut first).await?;
    if first != SSL_REQUEST {
        // A plaintext client: its startup message goes on as it came.
        upstream.write_all(&first).await?;
        copy_bidirectional(&mut client, &mut upstream).await?;
        return Ok(());
    }
    match &*answer {
        Answer::NoTls => {
            client.write_all(b"N").await?;
            copy_bidirectional(&mut client, &mut upstream).await?;
        }
        Answer::Tls(config) => {
            client.write_all(b"S").await?;
            let mut tls = TlsAcceptor::from(config.clone()).accept(client).await?;
            sessions.fetch_add(1, Ordering::SeqCst);
            copy_bidirectional(&mut tls, &mut upstream).await?;
        }
    }
    Ok(())
}

/// Connects through the URL and runs a query.
async fn query_works(url: &str) {
    let mut conn = pool(url).conn().await.unwrap();
    sql_query("SELECT true AS ssl")
        .get_result::<Ssl>(&mut conn)
        .await
        .unwrap();
}

#[tokio::test]
async fn verify_full_connects_with_the_right_ca_and_name() {
    let pki = pki();
    let front = Front::start(Answer::Tls(pki.server.clone())).await;
    let params = format!("sslmode=verify-full&sslrootcert={}", pki.ca.path());
    query_works(&front.url("localhost", "postgres", &params)).await;
    assert_eq!(front.tls_sessions(), 1);
}

#[tokio::test]
async fn verify_full_refuses_a_certificate_from_another_ca() {
    let (pki, other) = (pki(), pki());
    let front = Front::start(Answer::Tls(pki.server.clone())).await;
    let params = format!("sslmode=verify-full&sslrootcert={}", other.ca.path());
    let err = connect_error(&front.url("localhost", "postgres", &params)).await;
    assert!(err.contains("UnknownIssuer"), "{err}");
    assert_eq!(front.tls_sessions(), 0);
}

#[tokio::test]
async fn verify_full_refuses_a_certificate_for_another_name() {
    let pki = pki();
    let front = Front::start(Answer::Tls(pki.server.clone())).await;
    let params = format!("sslmode=verify-full&sslrootcert={}", pki.ca.path());
    let err = connect_error(&front.url("127.0.0.1", "postgres", &params)).await;
    assert!(err.contains("not valid for name"), "{err}");
}

#[tokio::test]
async fn verify_ca_accepts_a_certificate_for_another_name_from_its_ca() {
    let pki = pki();
    let front = Front::start(Answer::Tls(pki.server.clone())).await;
    let params = format!("sslmode=verify-ca&sslrootcert={}", pki.ca.path());
    query_works(&front.url("127.0.0.1", "postgres", &params)).await;
    assert_eq!(front.tls_sessions(), 1);
}

#[tokio::test]
async fn verify_ca_refuses_a_certificate_from_another_ca() {
    let (pki, other) = (pki(), pki());
    let front = Front::start(Answer::Tls(pki.server.clone())).await;
    let params = format!("sslmode=verify-ca&sslrootcert={}", other.ca.path());
    let err = connect_error(&front.url("127.0.0.1", "postgres", &params)).await;
    assert!(err.contains("UnknownIssuer"), "{err}");
}

#[tokio::test]
async fn require_without_sslrootcert_accepts_any_certificate() {
    let pki = pki();
    let front = Front::start(Answer::Tls(pki.server.clone())).await;
    // Neither the CA nor the name could be verified: require does not try.
    query_works(&front.url("127.0.0.1", "postgres", "sslmode=require")).await;
    assert_eq!(front.tls_sessions(), 1);
}

#[tokio::test]
async fn require_with_sslrootcert_verifies_the_chain_like_libpq() {
    let (pki, other) = (pki(), pki());
    let front = Front::start(Answer::Tls(pki.server.clone())).await;
    let right = format!("sslmode=require&sslrootcert={}", pki.ca.path());
    query_works(&front.url("127.0.0.1", "postgres", &right)).await;
    let wrong = format!("sslmode=require&sslrootcert={}", other.ca.path());
    let err = connect_error(&front.url("127.0.0.1", "postgres", &wrong)).await;
    assert!(err.contains("UnknownIssuer"), "{err}");
}

#[tokio::test]
async fn require_fails_at_once_when_the_server_offers_no_tls() {
    let front = Front::start(Answer::NoTls).await;
    let started = Instant::now();
    let err = connect_error(&front.url("127.0.0.1", "postgres", "sslmode=require")).await;
    assert!(err.contains("TLS"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(1), "{err}");
}

#[tokio::test]
async fn prefer_falls_back_to_plaintext_when_the_server_offers_no_tls() {
    let front = Front::start(Answer::NoTls).await;
    query_works(&front.url("127.0.0.1", "postgres", "sslmode=prefer")).await;
    assert_eq!(front.tls_sessions(), 0);
}

#[tokio::test]
async fn migrations_connect_with_the_same_tls_as_the_pool() {
    let (pki, other) = (pki(), pki());
    let db = TestDatabase::empty().await.unwrap();
    let front = Front::start(Answer::Tls(pki.server.clone())).await;
    let wrong = format!("sslmode=verify-full&sslrootcert={}", other.ca.path());
    let refused = migrate(&front.url("localhost", db.name(), &wrong)).await;
    assert!(matches!(refused, Err(DatabaseError::Migration(_))));
    let right = format!("sslmode=verify-full&sslrootcert={}", pki.ca.path());
    let applied = migrate(&front.url("localhost", db.name(), &right))
        .await
        .unwrap();
    assert!(!applied.is_empty());
    assert_eq!(front.tls_sessions(), 1);
}

#[tokio::test]
async fn bad_tls_parameters_fail_connect_and_migrate_without_showing_the_password() {
    let base = "postgres://wellness:hunter2@127.0.0.1:1/db";
    let cases = [
        "sslmode=bogus",
        "sslmode=verify-full",
        "sslmode=require&sslrootcert=system",
        "sslmode=verify-ca&sslrootcert=/nonexistent/ca.pem",
    ];
    for params in cases {
        let url = format!("{base}?{params}");
        let err = Database::connect(&url, PoolSettings::default()).unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let err = migrate(&url).await.unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
    let not_pem = CaFile::new("not a certificate\n");
    let url = format!("{base}?sslmode=verify-full&sslrootcert={}", not_pem.path());
    let err = Database::connect(&url, PoolSettings::default()).unwrap_err();
    assert!(matches!(err, DatabaseError::SslRootCert { .. }), "{err}");
}
