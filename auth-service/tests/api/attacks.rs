//! The token attack corpus (`shared::testing::attacks`) against the
//! auth-service: each crafted credential is refused by its verification
//! path (the shared verifier, then the session in the database) and by every
//! RPC that takes a bearer token, with UNAUTHENTICATED and nothing else;
//! `VerifyToken` reports each one inactive.

use shared::{
    proto::jobsearch::auth::v1 as pb,
    testing::attacks::{self, Attack, Credential, Material, Scope},
};
use tonic::{Code, Status};

use crate::helpers::{PASSWORD, TestApp, spawn_app};

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The RPCs that take an access token.
const BEARER_RPCS: [&str; 5] = [
    "GetMe",
    "UpdateMe",
    "ChangePassword",
    "LogoutAll",
    "ListUsers",
];

/// Calls `rpc` with the attack's credential. Each request would succeed or
/// change something if the credential were accepted (a non-staff caller of
/// `ListUsers` would get PERMISSION_DENIED), so only a refusal at the
/// authentication step answers UNAUTHENTICATED.
async fn call(app: &TestApp, rpc: &str, attack: &Attack) -> Result<(), Status> {
    let mut client = app.client.clone();
    match rpc {
        "GetMe" => client
            .get_me(attack.request(pb::GetMeRequest {}))
            .await
            .map(drop),
        "UpdateMe" => {
            let request = pb::UpdateMeRequest {
                user: Some(pb::User {
                    first_name: "Mallory".into(),
                    ..Default::default()
                }),
                update_mask: Some(prost_types::FieldMask {
                    paths: vec!["first_name".into()],
                }),
            };
            client.update_me(attack.request(request)).await.map(drop)
        }
        "ChangePassword" => {
            let request = pb::ChangePasswordRequest {
                current_password: PASSWORD.into(),
                new_password: "Mallory-Owns-This-1!".into(),
            };
            client
                .change_password(attack.request(request))
                .await
                .map(drop)
        }
        "LogoutAll" => client
            .logout_all(attack.request(pb::LogoutAllRequest {}))
            .await
            .map(drop),
        "ListUsers" => client
            .list_users(attack.request(pb::ListUsersRequest::default()))
            .await
            .map(drop),
        other => unreachable!("no such RPC {other}"),
    }
}

/// Asserts every way in refuses `attack`.
async fn assert_refused_everywhere(app: &TestApp, attack: &Attack) {
    let label = &attack.label;
    let direct = app.state.authenticate(&attack.metadata()).await;
    assert!(
        matches!(direct, Err(auth_service::error::Error::BadToken)),
        "{label}: authenticate gave {direct:?}"
    );
    if let Some(token) = attack.token() {
        if attack.scope == Scope::Everywhere {
            let verified = app.state.verifier.verify(token, now());
            assert!(
                verified.is_err(),
                "{label}: the shared verifier accepted it"
            );
        }
        let introspected = app.state.introspect(token).await.unwrap();
        assert!(introspected.is_none(), "{label}: introspection accepted it");
        let verify = app
            .client
            .clone()
            .verify_token(pb::VerifyTokenRequest {
                token: token.to_owned(),
            })
            .await
            .unwrap_or_else(|status| panic!("{label}: VerifyToken failed: {status:?}"))
            .into_inner();
        assert!(
            !verify.active && verify.claims.is_none(),
            "{label}: reported active"
        );
    }
    for rpc in BEARER_RPCS {
        let status = call(app, rpc, attack).await.expect_err(label);
        assert_eq!(
            status.code(),
            Code::Unauthenticated,
            "{label} → {rpc}: {status:?}"
        );
        assert_eq!(
            status.message(),
            "invalid or expired token",
            "{label} → {rpc}"
        );
    }
}

/// A user with a genuine session and the corpus made from it.
async fn corpus(app: &TestApp) -> (pb::LoginResponse, Vec<Attack>) {
    let tokens = app.signed_up("ada").await;
    let jwks = app
        .client
        .clone()
        .get_jwks(pb::GetJwksRequest {})
        .await
        .unwrap()
        .into_inner();
    let corpus = attacks::corpus(Material {
        signing_pem: &app.signing_pem,
        genuine: &tokens.access_token,
        refresh_token: &tokens.refresh_token,
        public_x: &jwks.keys[0].x,
        jwks_json: &jwks.jwks_json,
    });
    (tokens, corpus)
}

#[tokio::test]
async fn every_crafted_token_is_refused_by_the_verifier_and_every_bearer_rpc() {
    let app = spawn_app().await;
    let (tokens, corpus) = corpus(&app).await;
    assert!(corpus.len() >= 30, "only {} cases", corpus.len());
    app.me(&tokens.access_token)
        .await
        .expect("the genuine token works");
    for attack in &corpus {
        assert_refused_everywhere(&app, attack).await;
    }
    println!(
        "auth-service refused {} crafted credentials × (authenticate + {} RPCs)",
        corpus.len(),
        BEARER_RPCS.len()
    );
    // Nothing the corpus sent changed the account or ended the session.
    let me = app
        .me(&tokens.access_token)
        .await
        .expect("the genuine token still works");
    assert_eq!(me.first_name, "Test");
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive_for_a_genuine_token() {
    // The one deliberate acceptance beside `Bearer`: RFC 7235 makes the
    // scheme case-insensitive, and the corpus's lowercase case carries a
    // forged token, which is refused.
    let app = spawn_app().await;
    let tokens = app.signed_up("ada").await;
    let attack = Attack {
        label: "lowercase scheme, genuine token".into(),
        credential: Credential::Authorization(format!("bearer {}", tokens.access_token).into()),
        scope: Scope::Everywhere,
    };
    let me = app
        .client
        .clone()
        .get_me(attack.request(pb::GetMeRequest {}))
        .await;
    assert!(me.is_ok(), "{me:?}");
}

#[tokio::test]
async fn tokens_of_ended_sessions_and_of_disabled_or_deleted_users_are_refused() {
    let app = spawn_app().await;
    let logged_out = app.signed_up("ada").await;
    app.client
        .clone()
        .logout(pb::LogoutRequest {
            refresh_token: logged_out.refresh_token.clone(),
        })
        .await
        .unwrap();
    let disabled = app.signed_up("bob").await;
    auth_service::admin::disable_user(&app.state, "bob")
        .await
        .unwrap();
    // No RPC deletes an account; an operator deleting the row is the case.
    let deleted = app.signed_up("eve").await;
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(&deleted.user.as_ref().unwrap().id)
        .execute(&app.state.db)
        .await
        .unwrap();
    for (label, tokens) in [
        ("a logged-out session", &logged_out),
        ("a disabled user", &disabled),
        ("a deleted user", &deleted),
    ] {
        // Genuine signatures: the shared verifier alone accepts them, the
        // session lookup refuses them.
        assert!(
            app.state
                .verifier
                .verify(&tokens.access_token, now())
                .is_ok()
        );
        let attack = Attack {
            label: label.into(),
            credential: Credential::Bearer(tokens.access_token.clone()),
            scope: Scope::SessionCheck,
        };
        assert_refused_everywhere(&app, &attack).await;
    }
}

#[tokio::test]
async fn tokens_over_the_header_limit_are_refused_by_the_transport_and_the_server_carries_on() {
    let app = spawn_app().await;
    let tokens = app.signed_up("ada").await;
    let [large, huge] = attacks::over_header_limit(&tokens.access_token);
    // Past HTTP/2's header limit the transport answers before any gRPC code
    // runs, so UNAUTHENTICATED is impossible; raising the limit to reach the
    // verifier would only let every client pin megabytes per call. What is
    // right is a clean refusal that ends no other call: HTTP 431, which
    // gRPC clients map to UNKNOWN, and for a megabyte of CONTINUATION
    // frames GOAWAY ENHANCE_YOUR_CALM, i.e. RESOURCE_EXHAUSTED.
    for (attack, code) in [(&large, Code::Unknown), (&huge, Code::ResourceExhausted)] {
        let direct = app.state.authenticate(&attack.metadata()).await;
        assert!(
            matches!(direct, Err(auth_service::error::Error::BadToken)),
            "{direct:?}"
        );
        let status = app
            .client
            .clone()
            .get_me(attack.request(pb::GetMeRequest {}))
            .await
            .unwrap_err();
        assert_eq!(status.code(), code, "{}: {status:?}", attack.label);
        if code == Code::Unknown {
            assert!(status.message().contains("431"), "{status:?}");
        }
        app.me(&tokens.access_token)
            .await
            .expect("the server still serves");
    }
}
