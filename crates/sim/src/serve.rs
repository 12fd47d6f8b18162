//! What every simulator does to start: listen (port 0 picks a free port), serve its routes on
//! two actix workers that ignore signals and stop within a second, and log if the server stops
//! with an error. Each simulator builds its state between the two steps, since some need their
//! own address (the links they hand out).

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServerHandle, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Next, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use sha2::{Digest, Sha256};

/// The header that carries a simulator's control token (see [`serve`]).
pub const CONTROL_TOKEN_HEADER: &str = "x-sim-control-token";

/// The control token of one simulator, as app data for [`guard_control`].
#[derive(Clone)]
struct ControlToken(Option<Arc<str>>);

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
/// Tokio runtime. `name` is for the log ("WHOOP simulator started"). With a `control_token`,
/// the control surface (`/__sim/…`) answers 401 to a request without it in
/// [`CONTROL_TOKEN_HEADER`]: the sandbox's simulators listen on loopback, where any local
/// process could otherwise post as any user and read what the bot sent.
pub(crate) fn serve<S, F>(
    listener: TcpListener,
    name: &'static str,
    state: &Arc<S>,
    control_token: Option<&str>,
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
    let token = ControlToken(control_token.map(Arc::from));
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(token.clone())
            .wrap(from_fn(guard_control))
            .configure(routes.clone())
    })
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

/// Lets a control request through only with the simulator's token (when it has one).
async fn guard_control(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let expected = req
        .app_data::<ControlToken>()
        .and_then(|t| t.0.clone())
        // The path as the router matches it (percent-encoded unreserved characters decoded):
        // `/%5F%5Fsim/…` reaches the same routes as `/__sim/…`.
        .filter(|_| req.match_info().as_str().starts_with("/__sim/"));
    if let Some(expected) = expected {
        let given = req
            .headers()
            .get(CONTROL_TOKEN_HEADER)
            .map(|v| v.as_bytes())
            .unwrap_or_default();
        // Digests of both, compared: the time taken says nothing about the token.
        if Sha256::digest(given) != Sha256::digest(expected.as_bytes()) {
            let refused = HttpResponse::Unauthorized().json(
                serde_json::json!({"error": "the simulator's control token is missing or wrong"}),
            );
            return Ok(req.into_response(refused));
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}
