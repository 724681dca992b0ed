//! The auth-service binary: `serve` (the default) runs the gRPC server; the
//! other subcommands are for operators.

use std::io::BufRead as _;

use anyhow::Context;
use auth_service::{admin, config::Config, keys, state::AppState};
use clap::{Parser, Subcommand};
use secrecy::SecretString;

/// mimalloc instead of the libc allocator: the services allocate many small,
/// short-lived values per call (rows, strings, protobuf messages), where glibc's
/// malloc took ~30% of a list call and musl's (the container images) is slower.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    version,
    about = "Job-search tracker auth-service (the token authority)"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the gRPC server (the default).
    Serve,
    /// Create a staff user. The password is read from AUTH_ADMIN_PASSWORD or,
    /// if unset, from the first line of stdin; never from the command line.
    CreateStaffUser {
        #[arg(long)]
        username: String,
        #[arg(long)]
        email: String,
    },
    /// Delete expired sessions, refresh tokens and throttle records now.
    FlushExpired,
    /// Disable an account: no more logins, every session and token revoked.
    DisableUser {
        #[arg(long)]
        username: String,
    },
    /// Hash a service client's secret (first line of stdin) for AUTH_SERVICE_CLIENTS.
    HashClientSecret,
    /// Print a new Ed25519 private key (PKCS#8 PEM) for AUTH_SIGNING_KEY.
    GenerateSigningKey,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(Command::GenerateSigningKey) = cli.command {
        print!("{}", keys::generate_pem()?);
        return Ok(());
    }
    let config = Config::from_env()?;
    let telemetry =
        shared::telemetry::init_with_traces(config.log_format(), "info,sqlx=warn", "auth-service")?;
    let result = command(cli.command.unwrap_or(Command::Serve), config).await;
    telemetry.shutdown().await;
    result
}

async fn command(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve | Command::GenerateSigningKey => serve(config).await,
        Command::CreateStaffUser { username, email } => {
            let state = AppState::build(config).await?;
            let user =
                admin::create_staff_user(&state, &username, &email, admin_password()?).await?;
            println!("created staff user {} ({})", user.username, user.id);
            Ok(())
        }
        Command::DisableUser { username } => {
            let state = AppState::build(config).await?;
            let user_id = admin::disable_user(&state, &username).await?;
            println!("disabled {username} ({user_id}); every token issued to it is revoked");
            Ok(())
        }
        Command::HashClientSecret => {
            let state = AppState::build(config).await?;
            println!(
                "{}",
                admin::hash_client_secret(&state, read_stdin_line()?).await?
            );
            Ok(())
        }
        Command::FlushExpired => {
            let purged = admin::flush_expired(&AppState::build(config).await?).await?;
            println!("{purged:?}");
            Ok(())
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.listen_addr)
        .await
        .with_context(|| format!("AUTH_LISTEN_ADDR: cannot bind {}", config.listen_addr))?;
    let admin = match config.admin_listen_addr {
        Some(addr) => Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("AUTH_ADMIN_LISTEN_ADDR: cannot bind {addr}"))?,
        ),
        None => None,
    };
    let state = AppState::build(config).await?;
    tracing::info!(addr = %listener.local_addr()?, "auth-service listening");
    if let Some(admin) = &admin {
        tracing::info!(addr = %admin.local_addr()?, "admin (/metrics, /healthz) listening");
    }
    auth_service::run_with_admin(listener, admin, state, shared::shutdown::signal()).await
}

fn admin_password() -> anyhow::Result<SecretString> {
    if let Ok(password) = std::env::var("AUTH_ADMIN_PASSWORD") {
        return Ok(password.into());
    }
    read_stdin_line()
}

/// A secret from the first line of stdin (never from argv, which `ps` shows).
fn read_stdin_line() -> anyhow::Result<SecretString> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading a secret from stdin")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned().into())
}
