//! The jobs-service binary: loads configuration, starts logging, binds and
//! serves until SIGTERM or Ctrl-C.

use anyhow::Context;
use jobs_service::{config::Config, state::AppState};

/// mimalloc instead of the libc allocator: the services allocate many small,
/// short-lived values per call (rows, strings, protobuf messages), where glibc's
/// malloc took ~30% of a list call and musl's (the container images) is slower.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::args().nth(1).as_deref() == Some("generate-encryption-key") {
        println!("{}", jobs_service::crypto::generate_key());
        return Ok(());
    }
    let config = Config::from_env()?;
    let telemetry =
        shared::telemetry::init_with_traces(config.log_format(), "info,sqlx=warn", "jobs-service")?;
    let result = serve(config).await;
    telemetry.shutdown().await;
    result
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.listen_addr)
        .await
        .with_context(|| format!("JOBS_LISTEN_ADDR: cannot bind {}", config.listen_addr))?;
    let admin = match config.admin_listen_addr {
        Some(addr) => Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("JOBS_ADMIN_LISTEN_ADDR: cannot bind {addr}"))?,
        ),
        None => None,
    };
    let state = AppState::build(config).await?;
    tracing::info!(addr = %listener.local_addr()?, "jobs-service listening");
    if let Some(admin) = &admin {
        tracing::info!(addr = %admin.local_addr()?, "admin (/metrics, /healthz) listening");
    }
    jobs_service::run_with_admin(listener, admin, state, shared::shutdown::signal()).await
}
