//! TLS to PostgreSQL with rustls, following libpq's `sslmode` and `sslrootcert`.
//!
//! tokio-postgres knows only disable/prefer/require and checks no certificate itself: the URL's
//! two parameters are read and removed here, tokio-postgres is given the matching mode, and the
//! rustls verifier chosen here does the checking libpq does for the mode.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use diesel::{ConnectionError, ConnectionResult};
use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::SetupCallback;
use percent_encoding::percent_decode_str;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::db::DatabaseError;

/// libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SslMode {
    /// Plaintext only.
    Disable,
    /// TLS when the server offers it, else plaintext (libpq's default).
    Prefer,
    /// TLS or no connection.
    Require,
    /// TLS with the server's chain verified against `sslrootcert`; any host name.
    VerifyCa,
    /// TLS with the chain and the host name verified.
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Result<Self, DatabaseError> {
        match value {
            "disable" => Ok(Self::Disable),
            // `allow` (plaintext first, TLS if the server insists) accepts the same servers as
            // `prefer`, which tokio-postgres has; `prefer` only uses TLS more often.
            "allow" | "prefer" => Ok(Self::Prefer),
            "require" => Ok(Self::Require),
            "verify-ca" => Ok(Self::VerifyCa),
            "verify-full" => Ok(Self::VerifyFull),
            _ => Err(DatabaseError::BadSslMode),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Disable => "disable",
            Self::Prefer => "prefer",
            Self::Require => "require",
            Self::VerifyCa => "verify-ca",
            Self::VerifyFull => "verify-full",
        }
    }

    fn for_tokio_postgres(self) -> tokio_postgres::config::SslMode {
        use tokio_postgres::config::SslMode as Tp;
        match self {
            Self::Disable => Tp::Disable,
            Self::Prefer => Tp::Prefer,
            // The verification is the rustls verifier's job, not tokio-postgres's.
            Self::Require | Self::VerifyCa | Self::VerifyFull => Tp::Require,
        }
    }
}

/// `sslrootcert`: what the server's certificate is verified against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RootCert {
    /// Not given.
    Absent,
    /// A PEM file of CA certificates.
    File(PathBuf),
    /// `system`: the operating system's trusted roots (libpq 16).
    System,
}

/// The TLS part of a DATABASE_URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SslParams {
    pub(crate) mode: SslMode,
    pub(crate) root_cert: RootCert,
}

/// Splits `sslmode` and `sslrootcert` off the URL (tokio-postgres refuses `sslrootcert` and the
/// verify modes), checks them together as libpq does, and returns the rest of the URL.
/// The URL itself never goes into an error: it may hold a password.
pub(crate) fn split_ssl_params(url: &str) -> Result<(String, SslParams), DatabaseError> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut mode = None;
    let mut root_cert = RootCert::Absent;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode_str(value).decode_utf8_lossy();
        // Like libpq and tokio-postgres, the last occurrence wins.
        match key {
            "sslmode" => mode = Some(SslMode::parse(&value)?),
            "sslrootcert" if value == "system" => root_cert = RootCert::System,
            "sslrootcert" => root_cert = RootCert::File(PathBuf::from(value.as_ref())),
            _ => kept.push(pair),
        }
    }
    let mode = match (mode, &root_cert) {
        // libpq 16: the system's roots make verify-full the default and refuse weaker modes, as
        // anyone can get a publicly trusted certificate for a name they control.
        (None, RootCert::System) => SslMode::VerifyFull,
        (Some(mode), RootCert::System) if mode != SslMode::VerifyFull => {
            return Err(DatabaseError::SystemRootsNeedVerifyFull);
        }
        (Some(mode @ (SslMode::VerifyCa | SslMode::VerifyFull)), RootCert::Absent) => {
            return Err(DatabaseError::MissingSslRootCert(mode.name()));
        }
        (mode, _) => mode.unwrap_or(SslMode::Prefer),
    };
    let rest = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((rest, SslParams { mode, root_cert }))
}

/// Opens connections with the TLS their URL asked for. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Connector {
    mode: SslMode,
    tls: MakeRustlsConnect,
}

impl Connector {
    /// Reads the CA file now, so a bad one fails at startup rather than at every connection.
    pub(crate) fn new(params: &SslParams) -> Result<Self, DatabaseError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let algorithms = provider.signature_verification_algorithms;
        let verifier: Arc<dyn ServerCertVerifier> = match (params.mode, &params.root_cert) {
            // disable attempts no TLS (a CA file given anyway is not read); prefer and require
            // check no certificate without a CA file, as in libpq.
            (SslMode::Disable, _) | (SslMode::Prefer | SslMode::Require, RootCert::Absent) => {
                Arc::new(AnyName {
                    roots: None,
                    algorithms,
                })
            }
            (mode, RootCert::Absent) => return Err(DatabaseError::MissingSslRootCert(mode.name())),
            (SslMode::VerifyFull, RootCert::File(path)) => {
                full_verifier(roots_from_file(path)?, &provider)?
            }
            (_, RootCert::System) => full_verifier(system_roots()?, &provider)?,
            // libpq verifies the chain whenever a CA file is given: require behaves as verify-ca.
            (_, RootCert::File(path)) => Arc::new(AnyName {
                roots: Some(Arc::new(roots_from_file(path)?)),
                algorithms,
            }),
        };
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| DatabaseError::Tls(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(Self {
            mode: params.mode,
            tls: MakeRustlsConnect::new(config),
        })
    }

    /// One connection to `url` (a URL without `sslmode` and `sslrootcert`).
    pub(crate) async fn establish(&self, url: &str) -> ConnectionResult<AsyncPgConnection> {
        // Only the top message ("invalid connection string"): the causes of a parse error may
        // quote a character of the URL, which can be one of the password's.
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e: tokio_postgres::Error| ConnectionError::BadConnection(e.to_string()))?;
        config.ssl_mode(self.mode.for_tokio_postgres());
        let (client, connection) = config
            .connect(self.tls.clone())
            .await
            .map_err(bad_connection)?;
        AsyncPgConnection::try_from_client_and_connection(client, connection).await
    }

    /// The pool's way to open a connection.
    pub(crate) fn setup_callback(self) -> SetupCallback<AsyncPgConnection> {
        Box::new(move |url| {
            let connector = self.clone();
            let url = url.to_owned();
            Box::pin(async move { connector.establish(&url).await })
        })
    }
}

/// A connection error with its causes: tokio-postgres's own message leaves out why a TLS
/// handshake failed (an unknown CA, another name), which is what the operator needs.
fn bad_connection(e: tokio_postgres::Error) -> ConnectionError {
    let mut message = e.to_string();
    let mut cause = std::error::Error::source(&e);
    while let Some(inner) = cause {
        let text = inner.to_string();
        // Some layers repeat their cause's message in their own.
        if !message.ends_with(&text) {
            message = format!("{message}: {text}");
        }
        cause = inner.source();
    }
    ConnectionError::BadConnection(message)
}

fn roots_from_file(path: &Path) -> Result<RootCertStore, DatabaseError> {
    let bad = |reason: String| DatabaseError::SslRootCert {
        path: path.to_owned(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&bytes) {
        let cert = cert.map_err(|e| bad(format!("not PEM: {e}")))?;
        roots.add(cert).map_err(|e| bad(e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(bad("no PEM certificate in it".to_owned()));
    }
    Ok(roots)
}

fn system_roots() -> Result<RootCertStore, DatabaseError> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    // Some unreadable system certificates are normal; none usable is not.
    let (added, _ignored) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        return Err(DatabaseError::SystemRoots);
    }
    Ok(roots)
}

fn full_verifier(
    roots: RootCertStore,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>, DatabaseError> {
    let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| DatabaseError::Tls(e.to_string()))?;
    Ok(verifier)
}

/// Verifies the server's chain against `roots` but not its name (verify-ca, and require with a
/// CA file), or nothing at all without roots (prefer and require, as in libpq). The handshake's
/// signatures are always checked.
#[derive(Debug)]
struct AnyName {
    roots: Option<Arc<RootCertStore>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Some(roots) = &self.roots {
            let cert = ParsedCertificate::try_from(end_entity)?;
            rustls::client::verify_server_cert_signed_by_trust_anchor(
                &cert,
                roots,
                intermediates,
                now,
                self.algorithms.all,
            )?;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(url: &str) -> (String, SslParams) {
        split_ssl_params(url).unwrap()
    }

    fn mode(url: &str) -> SslMode {
        params(url).1.mode
    }

    #[test]
    fn sslmode_defaults_to_prefer_like_libpq() {
        assert_eq!(mode("postgres://u@h/db"), SslMode::Prefer);
        assert_eq!(
            mode("postgres://u@h/db?application_name=x"),
            SslMode::Prefer
        );
    }

    #[test]
    fn every_libpq_sslmode_is_read() {
        for (value, expected) in [
            ("disable", SslMode::Disable),
            ("allow", SslMode::Prefer),
            ("prefer", SslMode::Prefer),
            ("require", SslMode::Require),
            ("verify-ca", SslMode::VerifyCa),
            ("verify-full", SslMode::VerifyFull),
        ] {
            let url = format!("postgres://h/db?sslmode={value}&sslrootcert=/ca.pem");
            assert_eq!(mode(&url), expected, "{value}");
        }
    }

    #[test]
    fn sslmode_and_sslrootcert_are_removed_and_the_rest_is_kept_in_order() {
        let (rest, ssl) =
            params("postgres://u:pw@h/db?a=1&sslmode=verify-full&b=2&sslrootcert=%2Fetc%2Fca.pem");
        assert_eq!(rest, "postgres://u:pw@h/db?a=1&b=2");
        assert_eq!(ssl.root_cert, RootCert::File(PathBuf::from("/etc/ca.pem")));
        let (rest, _) = params("postgres://h/db?sslmode=require");
        assert_eq!(rest, "postgres://h/db");
    }

    #[test]
    fn the_last_sslmode_wins() {
        assert_eq!(
            mode("postgres://h/db?sslmode=disable&sslmode=require"),
            SslMode::Require
        );
    }

    #[test]
    fn an_unknown_sslmode_is_refused_without_the_url_in_the_error() {
        let err = split_ssl_params("postgres://u:secret@h/db?sslmode=bogus").unwrap_err();
        assert!(matches!(err, DatabaseError::BadSslMode));
        assert!(!err.to_string().contains("secret"));
        assert!(split_ssl_params("postgres://h/db?sslmode=").is_err());
        assert!(split_ssl_params("postgres://h/db?sslmode=REQUIRE").is_err());
    }

    #[test]
    fn verify_modes_without_sslrootcert_are_refused() {
        for value in ["verify-ca", "verify-full"] {
            let err = split_ssl_params(&format!("postgres://h/db?sslmode={value}")).unwrap_err();
            assert!(matches!(err, DatabaseError::MissingSslRootCert(m) if m == value));
            assert!(err.to_string().contains("sslrootcert"));
        }
    }

    #[test]
    fn system_roots_mean_verify_full_and_refuse_weaker_modes() {
        let ssl = params("postgres://h/db?sslrootcert=system").1;
        assert_eq!(ssl.mode, SslMode::VerifyFull);
        assert_eq!(ssl.root_cert, RootCert::System);
        for value in ["disable", "prefer", "require", "verify-ca"] {
            let url = format!("postgres://h/db?sslmode={value}&sslrootcert=system");
            assert!(matches!(
                split_ssl_params(&url),
                Err(DatabaseError::SystemRootsNeedVerifyFull)
            ));
        }
    }

    #[test]
    fn the_rest_of_the_url_still_parses_for_tokio_postgres() {
        let (rest, _) =
            params("postgres://u@h:5433/db?sslmode=verify-full&sslrootcert=/x&connect_timeout=3");
        let config: tokio_postgres::Config = rest.parse().unwrap();
        assert_eq!(config.get_ports(), &[5433]);
    }

    #[test]
    fn a_missing_or_non_pem_ca_file_is_refused_with_its_path() {
        let missing = SslParams {
            mode: SslMode::VerifyFull,
            root_cert: RootCert::File(PathBuf::from("/nonexistent/ca.pem")),
        };
        let err = Connector::new(&missing).err().unwrap();
        assert!(matches!(err, DatabaseError::SslRootCert { .. }));
        assert!(err.to_string().contains("/nonexistent/ca.pem"));

        let dir = std::env::temp_dir().join(format!("wellness-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let not_pem = dir.join("not-pem.txt");
        std::fs::write(&not_pem, "just some text\n").unwrap();
        let params = SslParams {
            mode: SslMode::Require,
            root_cert: RootCert::File(not_pem),
        };
        let err = Connector::new(&params).err().unwrap();
        assert!(err.to_string().contains("no PEM certificate"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_url_tokio_postgres_cannot_parse_fails_without_quoting_it() {
        let params = SslParams {
            mode: SslMode::Prefer,
            root_cert: RootCert::Absent,
        };
        let connector = Connector::new(&params).unwrap();
        for url in [
            "postgres://u:Zq7@h:port/db",
            "postgres://u:Zq7@h/db?connect_timeout=Zq7",
            "postgres://u:Zq7@[::1/db",
        ] {
            let err = connector.establish(url).await.err().unwrap().to_string();
            assert!(!err.contains("Zq7") && !err.contains('Z'), "{err}");
        }
    }

    #[test]
    fn modes_without_a_ca_file_need_no_file() {
        for mode in [SslMode::Disable, SslMode::Prefer, SslMode::Require] {
            let params = SslParams {
                mode,
                root_cert: RootCert::Absent,
            };
            assert!(Connector::new(&params).is_ok());
        }
    }
}
