//! Refresh rotation, reuse detection, logout, introspection and keys.

use shared::{
    proto::jobsearch::auth::v1 as pb,
    token::{AccessTokenVerifier, PublicKey},
};
use tonic::Code;

use crate::helpers::{authed, expect_code, spawn_app};

#[tokio::test]
async fn authenticated_calls_need_a_bearer_token() {
    let app = spawn_app().await;
    expect_code(
        app.client.clone().get_me(pb::GetMeRequest {}).await,
        Code::Unauthenticated,
    );
    expect_code(app.me("not-a-token").await, Code::Unauthenticated);
}

#[tokio::test]
async fn refresh_rotates_both_tokens() {
    let app = spawn_app().await;
    let tokens = app.signed_up("ada").await;
    let rotated = app.refresh(&tokens.refresh_token).await.unwrap();
    assert_ne!(rotated.refresh_token, tokens.refresh_token);
    assert_ne!(rotated.access_token, tokens.access_token);
    assert_eq!(app.me(&rotated.access_token).await.unwrap().username, "ada");
    let again = app.refresh(&rotated.refresh_token).await.unwrap();
    app.me(&again.access_token).await.unwrap();
}

#[tokio::test]
async fn presenting_a_rotated_refresh_token_revokes_the_whole_session() {
    let app = spawn_app().await;
    let tokens = app.signed_up("ada").await;
    let other_session = app.login("ada", crate::helpers::PASSWORD).await.unwrap();
    let rotated = app.refresh(&tokens.refresh_token).await.unwrap();

    expect_code(
        app.refresh(&tokens.refresh_token).await,
        Code::Unauthenticated,
    );

    expect_code(
        app.refresh(&rotated.refresh_token).await,
        Code::Unauthenticated,
    );
    expect_code(app.me(&rotated.access_token).await, Code::Unauthenticated);
    expect_code(app.me(&tokens.access_token).await, Code::Unauthenticated);
    // Only that session ends.
    app.me(&other_session.access_token).await.unwrap();
}

#[tokio::test]
async fn of_32_concurrent_refreshes_with_one_token_exactly_one_succeeds() {
    let app = spawn_app().await;
    let tokens = app.signed_up("ada").await;
    let attempts = (0..32).map(|_| {
        let app = &app;
        let token = tokens.refresh_token.clone();
        async move { app.refresh(&token).await }
    });
    let results = futures::future::join_all(attempts).await;
    let successes = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(
        successes,
        1,
        "{:?}",
        results
            .iter()
            .map(|r| r.as_ref().err().map(tonic::Status::code))
            .collect::<Vec<_>>()
    );
    for status in results.into_iter().filter_map(Result::err) {
        assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
    }
}

#[tokio::test]
async fn an_unknown_or_malformed_refresh_token_is_refused() {
    let app = spawn_app().await;
    let unknown = format!("rt_{}", "A".repeat(43));
    for token in [
        unknown.as_str(),
        "",
        "rt_garbage",
        "eyJhbGciOiJub25lIn0.e30.",
    ] {
        expect_code(app.refresh(token).await, Code::Unauthenticated);
        expect_code(
            app.client
                .clone()
                .logout(pb::LogoutRequest {
                    refresh_token: token.into(),
                })
                .await,
            Code::Unauthenticated,
        );
    }
}

#[tokio::test]
async fn logout_ends_the_session_and_every_access_token_issued_in_it() {
    let app = spawn_app().await;
    let tokens = app.signed_up("ada").await;
    let refreshed = app.refresh(&tokens.refresh_token).await.unwrap();
    let other_session = app.login("ada", crate::helpers::PASSWORD).await.unwrap();

    let mut client = app.client.clone();
    client
        .logout(pb::LogoutRequest {
            refresh_token: refreshed.refresh_token.clone(),
        })
        .await
        .unwrap();

    expect_code(app.me(&tokens.access_token).await, Code::Unauthenticated);
    expect_code(app.me(&refreshed.access_token).await, Code::Unauthenticated);
    expect_code(
        app.refresh(&refreshed.refresh_token).await,
        Code::Unauthenticated,
    );
    app.me(&other_session.access_token).await.unwrap();
    // Logging out an ended session is not an error.
    client
        .logout(pb::LogoutRequest {
            refresh_token: refreshed.refresh_token,
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn logout_all_ends_every_session_of_the_caller_only() {
    let app = spawn_app().await;
    let first = app.signed_up("ada").await;
    let second = app.login("ada", crate::helpers::PASSWORD).await.unwrap();
    let bystander = app.signed_up("grace").await;

    let ended = app
        .client
        .clone()
        .logout_all(authed(pb::LogoutAllRequest {}, &second.access_token))
        .await
        .unwrap()
        .into_inner()
        .sessions_ended;
    assert_eq!(ended, 2);
    for tokens in [&first, &second] {
        expect_code(app.me(&tokens.access_token).await, Code::Unauthenticated);
        expect_code(
            app.refresh(&tokens.refresh_token).await,
            Code::Unauthenticated,
        );
    }
    app.me(&bystander.access_token).await.unwrap();
}

#[tokio::test]
async fn verify_token_reports_claims_while_active_and_inactive_after_logout() {
    let app = spawn_app().await;
    let tokens = app.signed_up("ada").await;
    let mut client = app.client.clone();
    let verify = |token: String| {
        let mut client = app.client.clone();
        async move {
            client
                .verify_token(pb::VerifyTokenRequest { token })
                .await
                .unwrap()
                .into_inner()
        }
    };
    let active = verify(tokens.access_token.clone()).await;
    assert!(active.active);
    let claims = active.claims.unwrap();
    assert_eq!(claims.subject, tokens.user.as_ref().unwrap().id);
    assert_eq!(claims.username, "ada");
    assert_eq!(claims.issuer, "jobsearch-auth");
    assert_eq!(claims.audience, "jobsearch");
    assert!(!claims.is_staff);

    client
        .logout(pb::LogoutRequest {
            refresh_token: tokens.refresh_token,
        })
        .await
        .unwrap();
    let inactive = verify(tokens.access_token).await;
    assert!(!inactive.active);
    assert!(inactive.claims.is_none());
    assert!(!verify("garbage".into()).await.active);
}

#[tokio::test]
async fn the_published_keys_verify_issued_access_tokens() {
    let app = spawn_app().await;
    let tokens = app.signed_up("ada").await;
    let jwks = app
        .client
        .clone()
        .get_jwks(pb::GetJwksRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(jwks.keys.len(), 1);
    let key = &jwks.keys[0];
    assert_eq!(
        (key.kty.as_str(), key.crv.as_str(), key.alg.as_str()),
        ("OKP", "Ed25519", "EdDSA")
    );
    let json: serde_json::Value = serde_json::from_str(&jwks.jwks_json).unwrap();
    assert_eq!(json["keys"][0]["kid"], key.kid.as_str());

    let verifier = AccessTokenVerifier::new(
        "jobsearch-auth",
        "jobsearch",
        [PublicKey::from_jwk_x(key.kid.clone(), &key.x).unwrap()],
    );
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let claims = verifier.verify(&tokens.access_token, now).unwrap();
    assert_eq!(claims.sub, tokens.user.unwrap().id);
}
