//! The admin HTTP server, on its own port away from the gRPC API: Prometheus
//! `/metrics` and a liveness `/healthz`. Kept off the public listener so
//! that load balancers never expose it to clients.

use std::sync::Arc;

use axum::{Router, http::header, routing::get};
use tokio::{net::TcpListener, sync::watch};

/// Renders the current metrics (OpenMetrics text).
pub type Render = Arc<dyn Fn() -> String + Send + Sync>;

/// Serves `/metrics` and `/healthz` on `listener` until `stop` turns true.
pub async fn serve(
    listener: TcpListener,
    render: Render,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let app = Router::new()
        .route(
            "/metrics",
            get(move || {
                let render = render.clone();
                async move {
                    (
                        [(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
                        render(),
                    )
                }
            }),
        )
        .route("/healthz", get(|| async { "ok\n" }));
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        })
        .await
}

/// A running admin server (or none, when disabled).
#[derive(Debug)]
pub struct Admin {
    task: Option<(
        watch::Sender<bool>,
        tokio::task::JoinHandle<std::io::Result<()>>,
    )>,
}

impl Admin {
    /// Starts serving on `listener`, if any. It keeps serving while the gRPC
    /// server drains, so the drain itself can be watched.
    pub fn start(listener: Option<TcpListener>, render: Render) -> Self {
        let task = listener.map(|listener| {
            let (stop, stopped) = watch::channel(false);
            (stop, tokio::spawn(serve(listener, render, stopped)))
        });
        Self { task }
    }

    /// Stops serving, giving open scrapes a moment to finish.
    pub async fn stop(self) {
        if let Some((stop, mut task)) = self.task {
            let _ = stop.send(true);
            let finished = tokio::time::timeout(std::time::Duration::from_secs(2), &mut task).await;
            match finished {
                Ok(Ok(Err(error))) => tracing::warn!(%error, "admin server failed"),
                Ok(_) => {}
                Err(_) => task.abort(),
            }
        }
    }
}
