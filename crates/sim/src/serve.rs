//! What every simulator does to start: listen (port 0 picks a free port), serve its routes on
//! two actix workers that ignore signals and stop within a second, and log if the server stops
//! with an error. Each simulator builds its state between the two steps, since some need their
//! own address (the links they hand out).

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpServer, web};

/// The socket could not be opened: the address asked for and why. Each simulator's `SimError`
/// converts it into its `Bind` variant.
#[derive(Debug)]
pub(crate) struct BindFailure {
    pub addr: String,
    pub source: std::io::Error,
}

/// Listens on `addr`; returns the listener and the address it got.
pub(crate) fn bind(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), BindFailure> {
    let failure = |source| BindFailure {
        addr: addr.to_string(),
        source,
    };
    let listener = TcpListener::bind(addr).map_err(failure)?;
    let local = listener.local_addr().map_err(failure)?;
    Ok((listener, local))
}

/// Serves `routes` with `state` as app data on `listener`, in the background. Must run inside a
/// Tokio runtime. `name` is for the log ("WHOOP simulator started").
pub(crate) fn serve<S, F>(
    listener: TcpListener,
    name: &'static str,
    state: &Arc<S>,
    routes: F,
) -> Result<ServerHandle, BindFailure>
where
    S: Send + Sync + 'static,
    F: Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
{
    let addr = listener
        .local_addr()
        .map_or_else(|_| "?".to_owned(), |a| a.to_string());
    let data = web::Data::from(Arc::clone(state));
    let server =
        HttpServer::new(move || App::new().app_data(data.clone()).configure(routes.clone()))
            .workers(2)
            .disable_signals()
            .shutdown_timeout(1)
            .listen(listener)
            .map_err(|source| BindFailure {
                addr: addr.clone(),
                source,
            })?
            .run();
    let handle = server.handle();
    tokio::spawn(async move {
        if let Err(error) = server.await {
            tracing::error!(%error, "{name} simulator stopped with an error");
        }
    });
    tracing::debug!(%addr, "{name} simulator started");
    Ok(handle)
}
