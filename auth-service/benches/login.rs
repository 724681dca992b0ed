//! Where login time goes: one argon2id verification with the production
//! parameters, beside a full `Login` RPC (hashing + database + signing +
//! gRPC over loopback) and a do-nothing RPC, on the same machine in the
//! same run.
//!
//! Run: `cargo bench -p auth-service --bench login`

#![allow(clippy::unwrap_used)]

use auth_service::{config::Config, keys, state::AppState};
use criterion::{Criterion, criterion_group, criterion_main};
use shared::proto::jobsearch::auth::v1::{
    GetJwksRequest, LoginRequest, RegisterRequest, auth_service_client::AuthServiceClient,
};

const PASSWORD: &str = "Corr3ct-Horse-Battery!";

fn login(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Production hashing parameters (the defaults), SQLite in a temp dir.
    let config = Config::from_vars([
        ("AUTH_DATA_DIR".to_owned(), dir.path().display().to_string()),
        ("AUTH_SIGNING_KEY".to_owned(), keys::generate_pem().unwrap()),
    ])
    .unwrap();
    let (state, client) = runtime.block_on(async {
        let state = AppState::build(config).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(auth_service::run(
            listener,
            state.clone(),
            std::future::pending(),
        ));
        let mut client = AuthServiceClient::connect(format!("http://{addr}"))
            .await
            .unwrap();
        client
            .register(RegisterRequest {
                username: "bench".into(),
                email: "bench@example.com".into(),
                password: PASSWORD.into(),
                ..Default::default()
            })
            .await
            .unwrap();
        (state, client)
    });
    let hash = runtime
        .block_on(state.hasher.hash(PASSWORD.into()))
        .unwrap();

    let mut group = c.benchmark_group("login");
    group.sample_size(30);
    group.bench_function("argon2id_verify", |b| {
        b.to_async(&runtime).iter(|| {
            let hasher = state.hasher.clone();
            let hash = hash.clone();
            async move { assert!(hasher.verify(PASSWORD.into(), Some(hash)).await.unwrap()) }
        });
    });
    group.bench_function("login_rpc", |b| {
        b.to_async(&runtime).iter(|| {
            let mut client = client.clone();
            async move {
                client
                    .login(LoginRequest {
                        username: "bench".into(),
                        password: PASSWORD.into(),
                    })
                    .await
                    .unwrap()
            }
        });
    });
    // The floor: a gRPC round trip over loopback that does no work.
    group.bench_function("get_jwks_rpc", |b| {
        b.to_async(&runtime).iter(|| {
            let mut client = client.clone();
            async move { client.get_jwks(GetJwksRequest {}).await.unwrap() }
        });
    });
    group.finish();
}

criterion_group!(benches, login);
criterion_main!(benches);
