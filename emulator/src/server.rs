//! The emulator's HTTP server: the routes of every API merged in one
//! place, the guard every request passes (latency, rate limit,
//! authentication, injected errors), the connection loop that can drop a
//! connection on purpose, and the emulator's own control routes.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State as AxState};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tokio::time::Instant;

use crate::{Fault, Shared, auth, confluent, faults, http, instaclustr, instaclustr_v2, oauth};

/// The routes of every API and of the emulator's own control, merged in
/// one place, behind the guard and the vendors' error shapes.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .merge(confluent::routes())
        .merge(instaclustr::routes())
        .merge(instaclustr_v2::routes())
        .merge(control_routes())
        .fallback(http::not_found)
        .layer(axum::middleware::from_fn_with_state(shared.clone(), guard))
        .layer(axum::middleware::from_fn(http::vendor_errors))
        .with_state(shared)
}

/// The emulator's own routes: outages, and the OAuth token endpoint.
fn control_routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/emulator/v1/clusters/{cluster}/outage",
            post(outage_start).delete(outage_end),
        )
        .route(oauth::TOKEN_PATH, post(oauth::token))
}

/// Accepts connections and serves each with hyper, closing the connection
/// instead of answering when the connection-reset fault picks a request.
pub(crate) async fn serve(listener: tokio::net::TcpListener, app: Router, shared: Arc<Shared>) {
    use tower::ServiceExt;
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let (app, shared) = (app.clone(), shared.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(
                move |request: hyper::Request<hyper::body::Incoming>| {
                    let arrival = shared
                        .faults
                        .on_arrival(request.method(), request.uri().path());
                    let path = request.uri().path().to_string();
                    let mut request = request.map(axum::body::Body::new);
                    if let Some(refused) = arrival.refused {
                        request.extensions_mut().insert(refused);
                    }
                    if arrival.fault.is_some() {
                        request.extensions_mut().insert(faults::Injected);
                    }
                    let app = app.clone();
                    async move {
                        match arrival.fault {
                            Some(Fault::ResetBeforeApplying) => {
                                return Err(faults::dropped(Fault::ResetBeforeApplying));
                            }
                            Some(f) if f != Fault::LoseAnswer => {
                                if let Some(answer) = faults::answer(f, &path) {
                                    return Ok(answer);
                                }
                            }
                            _ => {}
                        }
                        let response = match app.oneshot(request).await {
                            Ok(response) => response,
                            Err(never) => match never {},
                        };
                        // The handler has run and changed the state; only
                        // the answer goes missing.
                        if arrival.fault == Some(Fault::LoseAnswer) {
                            return Err(faults::dropped(Fault::LoseAnswer));
                        }
                        Ok(response)
                    }
                },
            );
            let _ =
                hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new())
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
        });
    }
}

/// `POST /emulator/v1/clusters/{cluster}/outage`: see [`Emulator::outage`].
async fn outage_start(
    AxState(s): AxState<Arc<Shared>>,
    axum::extract::Path(cluster): axum::extract::Path<String>,
) -> Response {
    let mut state = s.state.lock().unwrap_or_else(|p| p.into_inner());
    state.outage(&cluster, Instant::now(), s.behaviour.lag_drain_per_second);
    StatusCode::NO_CONTENT.into_response()
}

/// `DELETE /emulator/v1/clusters/{cluster}/outage`: see [`Emulator::recover`].
async fn outage_end(
    AxState(s): AxState<Arc<Shared>>,
    axum::extract::Path(cluster): axum::extract::Path<String>,
) -> Response {
    let mut state = s.state.lock().unwrap_or_else(|p| p.into_inner());
    if state.recover(&cluster, Instant::now()) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        confluent::error(
            StatusCode::NOT_FOUND,
            404,
            format!("Cluster '{cluster}' is not in an outage."),
        )
    }
}

/// Latency, rate limit, authentication and injected errors, before any handler.
async fn guard(AxState(s): AxState<Arc<Shared>>, request: Request, next: Next) -> Response {
    // The emulator's own control routes take no credentials and no faults.
    if request.uri().path().starts_with("/emulator/") {
        return next.run(request).await;
    }
    s.requests
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let confluent = request.uri().path().starts_with("/kafka/");
    let latency = s.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    // One fault per request: one that took it on arrival (an answer to be
    // lost after applying) is not also refused here.
    let taken = request.extensions().get::<faults::Injected>().is_some();
    if !taken
        && s.faults.over_rate_limit()
        && let Some(answer) = faults::answer(Fault::RateLimited, request.uri().path())
    {
        return answer;
    }
    if let Err(refused) = auth::authenticate(&s, &request, confluent) {
        return refused;
    }
    if !taken
        && s.faults.retriable_error()
        && let Some(answer) = faults::answer(Fault::RetriableError, request.uri().path())
    {
        return answer;
    }
    next.run(request).await
}
