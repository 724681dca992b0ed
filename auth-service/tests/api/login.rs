//! Login: credentials, generic failures and per-account throttling.

use std::time::Duration;

use tonic::Code;
use tonic_types::StatusExt as _;

use crate::helpers::{PASSWORD, expect_code, spawn_app, spawn_app_with};

#[tokio::test]
async fn login_accepts_the_username_or_the_email_in_any_case() {
    let app = spawn_app().await;
    let user = app.register("ada").await;
    for identifier in ["ada", "ADA", "ada@example.com", "Ada@Example.com"] {
        let tokens = app.login(identifier, PASSWORD).await.unwrap();
        assert_eq!(tokens.user.as_ref().unwrap().id, user.id);
        assert!(tokens.refresh_token.starts_with("rt_"));
        let access_expiry = tokens.access_token_expires_at.unwrap().seconds;
        let refresh_expiry = tokens.refresh_token_expires_at.unwrap().seconds;
        assert!(access_expiry < refresh_expiry);
        assert_eq!(app.me(&tokens.access_token).await.unwrap().id, user.id);
    }
}

#[tokio::test]
async fn login_failures_look_the_same_for_unknown_users_and_wrong_passwords() {
    let app = spawn_app().await;
    app.register("ada").await;
    let wrong_password = expect_code(
        app.login("ada", "Wrong-Password-1!").await,
        Code::Unauthenticated,
    );
    let unknown_user = expect_code(app.login("nobody", PASSWORD).await, Code::Unauthenticated);
    assert_eq!(wrong_password.message(), unknown_user.message());
    assert_eq!(wrong_password.details(), unknown_user.details());
}

#[tokio::test]
async fn login_with_empty_fields_names_them() {
    let app = spawn_app().await;
    let status = expect_code(app.login("", "").await, Code::InvalidArgument);
    let fields: Vec<String> = status
        .get_details_bad_request()
        .unwrap()
        .field_violations
        .into_iter()
        .map(|v| v.field)
        .collect();
    assert_eq!(fields, ["username", "password"]);
}

#[tokio::test]
async fn repeated_failures_throttle_the_account_with_a_retry_delay() {
    let app = spawn_app_with(&[
        ("AUTH_LOGIN_MAX_FAILURES", "3"),
        ("AUTH_LOGIN_LOCKOUT_SECS", "60"),
    ])
    .await;
    app.register("ada").await;
    for _ in 0..3 {
        expect_code(
            app.login("ada", "Wrong-Password-1!").await,
            Code::Unauthenticated,
        );
    }
    // Locked: even the right password is refused until the delay passes.
    let status = expect_code(app.login("ada", PASSWORD).await, Code::ResourceExhausted);
    let delay = status
        .get_details_retry_info()
        .unwrap()
        .retry_delay
        .unwrap();
    assert!(
        delay > Duration::from_secs(50) && delay <= Duration::from_secs(60),
        "{delay:?}"
    );
    // Other accounts are unaffected.
    app.register("grace").await;
    app.login("grace", PASSWORD).await.unwrap();
}

#[tokio::test]
async fn throttling_cannot_be_bypassed_by_switching_spellings() {
    let app = spawn_app_with(&[
        ("AUTH_LOGIN_MAX_FAILURES", "3"),
        ("AUTH_LOGIN_LOCKOUT_SECS", "60"),
    ])
    .await;
    app.register("ada").await;
    for identifier in ["ada", "ADA@example.com", "Ada"] {
        expect_code(
            app.login(identifier, "Wrong-Password-1!").await,
            Code::Unauthenticated,
        );
    }
    for identifier in ["ada", "ada@EXAMPLE.com", "aDa"] {
        expect_code(
            app.login(identifier, PASSWORD).await,
            Code::ResourceExhausted,
        );
    }
}

#[tokio::test]
async fn unknown_accounts_are_throttled_like_known_ones() {
    let app = spawn_app_with(&[("AUTH_LOGIN_MAX_FAILURES", "2")]).await;
    for _ in 0..2 {
        expect_code(app.login("ghost", PASSWORD).await, Code::Unauthenticated);
    }
    expect_code(app.login("GHOST", PASSWORD).await, Code::ResourceExhausted);
}

#[tokio::test]
async fn the_throttle_lifts_after_its_delay() {
    let app = spawn_app_with(&[
        ("AUTH_LOGIN_MAX_FAILURES", "1"),
        ("AUTH_LOGIN_LOCKOUT_SECS", "1"),
        ("AUTH_LOGIN_LOCKOUT_MAX_SECS", "1"),
    ])
    .await;
    app.register("ada").await;
    expect_code(
        app.login("ada", "Wrong-Password-1!").await,
        Code::Unauthenticated,
    );
    expect_code(app.login("ada", PASSWORD).await, Code::ResourceExhausted);
    // The lock is stored in whole seconds: wait past the next boundary.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    app.login("ada", PASSWORD)
        .await
        .expect("the owner gets back in");
}
