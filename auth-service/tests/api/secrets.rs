//! Secrets never leak from the real auth-service binary: driven through
//! every RPC and the operator commands with recognisable passwords, tokens
//! and a service client secret at `RUST_LOG=trace`, none of them appears
//! in its output, in an error a client receives, or in plaintext in its
//! SQLite files (including the WAL). The jobs-service's own binary is
//! checked the same way by its suite (jobs-service/tests/api/secrets.rs):
//! each crate's tests can name only their own binary, and a sibling path
//! could be a stale build.

use std::{
    io::Write as _,
    process::{Command, Stdio},
    time::Duration,
};

use futures::StreamExt as _;
use shared::{
    proto::jobsearch::auth::v1::{self as pb, auth_service_client::AuthServiceClient},
    testing::leaks::{self, Secrets},
};
use tonic::{Status, transport::Channel};

use crate::helpers::authed;

const BINARY: &str = env!("CARGO_BIN_EXE_auth-service");

/// Runs an operator command with `stdin`; returns its stdout.
fn operator(env: &[(&str, String)], args: &[&str], stdin: &str, log: &mut Vec<u8>) -> String {
    let mut child = Command::new(BINARY)
        .args(args)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{stdin}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    log.extend_from_slice(&out.stdout);
    log.extend_from_slice(&out.stderr);
    String::from_utf8(out.stdout).unwrap()
}

async fn connect(addr: &str) -> AuthServiceClient<Channel> {
    for _ in 0..500 {
        if let Ok(client) = AuthServiceClient::connect(format!("http://{addr}")).await {
            return client;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the binary never listened");
}

/// Records what a client sees of a failed call, for the final scan.
fn failed<T: std::fmt::Debug>(
    errors: &mut Vec<(String, Status)>,
    call: &str,
    r: Result<T, Status>,
) {
    errors.push((call.to_owned(), r.expect_err(call)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_the_logs_the_errors_or_the_database() {
    let mut s = Secrets::default();
    let dir = tempfile::tempdir().unwrap();
    let signing_pem = auth_service::keys::generate_pem().unwrap();
    // The key's base64 body (the PEM's middle line) is what would leak.
    s.add("signing key", signing_pem.lines().nth(1).unwrap());
    let client_secret = s.add("client secret", "svc-secret-Q7vJp2rX9kLm4");
    let admin_password = s.add("admin password", "Admin-Secret-Pw-8hT3q!");
    let password = s.add("password", "User-Secret-Pw-4fG7k!");
    let wrong = s.add("wrong password", "Wrong-Secret-Pw-1zX6v!");
    let new_password = s.add("new password", "Changed-Secret-Pw-9mN2b!");
    let weak = s.add("refused password", "weakweakweak");
    let addr = format!("127.0.0.1:{}", leaks::free_port());
    let mut env = vec![
        ("AUTH_LISTEN_ADDR", addr.clone()),
        // Not the default 9051, which a local run may hold.
        ("AUTH_ADMIN_LISTEN_ADDR", "127.0.0.1:0".into()),
        ("AUTH_DATA_DIR", dir.path().display().to_string()),
        ("AUTH_SIGNING_KEY", signing_pem.clone()),
        ("AUTH_ARGON2_MEMORY_KIB", "1024".into()),
        ("AUTH_ARGON2_ITERATIONS", "1".into()),
        ("RUST_LOG", "trace".into()),
    ];
    let mut log = Vec::new();
    let hash = operator(&env, &["hash-client-secret"], &client_secret, &mut log);
    env.push((
        "AUTH_SERVICE_CLIENTS",
        format!("jobs-service:{}", hash.trim()),
    ));
    let mut staff_env = env.clone();
    staff_env.push(("AUTH_ADMIN_PASSWORD", admin_password.clone()));
    let staff_args = [
        "create-staff-user",
        "--username",
        "boss",
        "--email",
        "boss@example.com",
    ];
    operator(&staff_env, &staff_args, "", &mut log);

    let log_path = dir.path().join("server.log");
    let child = leaks::spawn_logged(BINARY, &env, &log_path);
    let mut c = connect(&addr).await;
    let mut errors = Vec::new();

    let register = |username: &str, password: &str| pb::RegisterRequest {
        username: username.into(),
        email: format!("{username}@example.com"),
        password: password.into(),
        ..Default::default()
    };
    let login = |username: &str, password: &str| pb::LoginRequest {
        username: username.into(),
        password: password.into(),
    };
    c.register(register("ada", &password)).await.unwrap();
    failed(
        &mut errors,
        "Register (weak)",
        c.register(register("bob", &weak)).await,
    );
    failed(
        &mut errors,
        "Register (taken)",
        c.register(register("ada", &password)).await,
    );
    failed(
        &mut errors,
        "Login (wrong)",
        c.login(login("ada", &wrong)).await,
    );
    failed(
        &mut errors,
        "Login (unknown)",
        c.login(login("nobody", &password)).await,
    );
    let first = c.login(login("ada", &password)).await.unwrap().into_inner();
    s.add("access token", first.access_token.clone());
    s.add("refresh token", first.refresh_token.clone());
    let refresh = |token: &str| pb::RefreshTokenRequest {
        refresh_token: token.into(),
    };
    let rotated = c
        .refresh_token(refresh(&first.refresh_token))
        .await
        .unwrap()
        .into_inner();
    let access = s.add("rotated access token", rotated.access_token);
    s.add("rotated refresh token", rotated.refresh_token.clone());
    // Reuse of the spent token: refused, and the session is revoked.
    failed(
        &mut errors,
        "RefreshToken (reuse)",
        c.refresh_token(refresh(&first.refresh_token)).await,
    );
    failed(
        &mut errors,
        "GetMe (revoked)",
        c.get_me(authed(pb::GetMeRequest {}, &access)).await,
    );
    let verify = |token: &str| pb::VerifyTokenRequest {
        token: token.into(),
    };
    c.verify_token(verify(&access)).await.unwrap();

    let second = c
        .login(login("ADA@example.com", &password))
        .await
        .unwrap()
        .into_inner();
    let access = s.add("second access token", second.access_token);
    let refresh_token = s.add("second refresh token", second.refresh_token);
    c.get_me(authed(pb::GetMeRequest {}, &access))
        .await
        .unwrap();
    c.verify_token(verify(&access)).await.unwrap();
    let update = pb::UpdateMeRequest {
        user: Some(pb::User {
            bio: "Analyst".into(),
            ..Default::default()
        }),
        update_mask: Some(prost_types::FieldMask {
            paths: vec!["bio".into()],
        }),
    };
    c.update_me(authed(update, &access)).await.unwrap();
    failed(
        &mut errors,
        "ListUsers (not staff)",
        c.list_users(authed(pb::ListUsersRequest::default(), &access))
            .await,
    );
    let change = |current: &str, new: &str| pb::ChangePasswordRequest {
        current_password: current.into(),
        new_password: new.into(),
    };
    failed(
        &mut errors,
        "ChangePassword (wrong)",
        c.change_password(authed(change(&wrong, &new_password), &access))
            .await,
    );
    failed(
        &mut errors,
        "ChangePassword (weak)",
        c.change_password(authed(change(&password, &weak), &access))
            .await,
    );
    c.change_password(authed(change(&password, &new_password), &access))
        .await
        .unwrap();
    failed(
        &mut errors,
        "Login (old password)",
        c.login(login("ada", &password)).await,
    );
    c.logout(pb::LogoutRequest { refresh_token }).await.unwrap();

    let staff = c
        .login(login("boss", &admin_password))
        .await
        .unwrap()
        .into_inner();
    let staff_access = s.add("staff access token", staff.access_token);
    s.add("staff refresh token", staff.refresh_token);
    c.list_users(authed(pb::ListUsersRequest::default(), &staff_access))
        .await
        .unwrap();
    c.logout_all(authed(pb::LogoutAllRequest {}, &staff_access))
        .await
        .unwrap();
    let third = c
        .login(login("ada", &new_password))
        .await
        .unwrap()
        .into_inner();
    s.add("third access token", third.access_token);
    s.add("third refresh token", third.refresh_token);

    let issue = |secret: &str| pb::IssueServiceTokenRequest {
        client_id: "jobs-service".into(),
        client_secret: secret.into(),
    };
    failed(
        &mut errors,
        "IssueServiceToken (wrong)",
        c.issue_service_token(issue(&wrong)).await,
    );
    let service = c
        .issue_service_token(issue(&client_secret))
        .await
        .unwrap()
        .into_inner();
    let service_token = s.add("service token", service.service_token);
    let mut feed = c
        .watch_revocations(authed(
            pb::WatchRevocationsRequest { cursor: 0 },
            &service_token,
        ))
        .await
        .unwrap()
        .into_inner();
    feed.next().await.unwrap().unwrap();
    drop(feed);
    c.get_jwks(pb::GetJwksRequest {}).await.unwrap();

    // The WAL holds the recent writes while the service runs (a clean stop
    // checkpoints it into the main file and removes it): scan both states.
    let running = leaks::sqlite_files(dir.path());
    assert!(
        running
            .iter()
            .any(|(p, _)| p.to_string_lossy().ends_with("-wal"))
    );
    leaks::stop(child);
    log.extend(std::fs::read(&log_path).unwrap());
    // The scan means something only if trace logging really ran.
    assert!(log.len() > 100_000, "only {} bytes of logs", log.len());
    assert!(String::from_utf8_lossy(&log).contains("TRACE"));
    // Controls: the scans do see what requests carried that is not secret.
    let user_id = first.user.as_ref().unwrap().id.as_bytes();
    assert!(
        log.windows(user_id.len()).any(|w| w == user_id),
        "no user id in the logs"
    );
    s.assert_absent("the binary's output", &log);
    for (call, status) in &errors {
        s.assert_absent_from_status(call, status);
    }
    let mut files = running;
    files.extend(leaks::sqlite_files(dir.path()));
    let email = b"ada@example.com";
    assert!(
        files
            .iter()
            .any(|(_, b)| b.windows(email.len()).any(|w| w == email))
    );
    for (path, bytes) in &files {
        s.assert_absent(&path.display().to_string(), bytes);
    }
    println!(
        "{} secrets absent from {} bytes of logs, {} errors and {} database files",
        s.len(),
        log.len(),
        errors.len(),
        files.len()
    );
}
