//! Browsers: CORS preflights are answered from `AUTH_CORS_ALLOWED_ORIGINS`
//! only, and grpc-web works over HTTP/1.1 (what `fetch` speaks to a
//! plaintext server), both sent as raw HTTP/1.1 like a browser would.

use shared::{
    proto::jobsearch::auth::v1 as pb,
    testing::http1::{self, grpc_web_decode, grpc_web_frame},
};

use crate::helpers::{TestApp, spawn_app_with};

const ALLOWED: &str = "http://localhost:5173";

async fn app() -> TestApp {
    spawn_app_with(&[("AUTH_CORS_ALLOWED_ORIGINS", ALLOWED)]).await
}

/// The preflight Chromium sends before a grpc-web call with a token.
async fn preflight(app: &TestApp, origin: &str) -> http1::Response {
    let headers = [
        ("origin", origin),
        ("access-control-request-method", "POST"),
        (
            "access-control-request-headers",
            "authorization,content-type,x-grpc-web",
        ),
    ];
    http1::request(
        app.addr,
        "OPTIONS",
        "/jobsearch.auth.v1.AuthService/GetMe",
        &headers,
        b"",
    )
    .await
}

#[tokio::test]
async fn a_preflight_from_an_allowed_origin_is_answered() {
    let app = app().await;
    let response = preflight(&app, ALLOWED).await;
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some(ALLOWED)
    );
    assert_eq!(
        response.header_list("access-control-allow-methods"),
        ["post"]
    );
    let allowed = response.header_list("access-control-allow-headers");
    for header in ["authorization", "content-type", "x-grpc-web"] {
        assert!(
            allowed.iter().any(|h| h == header),
            "{header}: {response:?}"
        );
    }
    assert!(response.header("access-control-max-age").is_some());
    // Bearer tokens need no credentials mode, so it is off by default.
    assert_eq!(response.header("access-control-allow-credentials"), None);
}

#[tokio::test]
async fn a_preflight_from_another_origin_is_not_allowed() {
    let app = app().await;
    for origin in [
        "http://localhost:5174",
        "https://localhost:5173",
        "http://evil.example",
    ] {
        let response = preflight(&app, origin).await;
        // Answered by the CORS layer (tonic-web would say 400), but without
        // the header a browser needs to let the call through.
        assert_eq!(response.status, 200, "{response:?}");
        assert_eq!(
            response.header("access-control-allow-origin"),
            None,
            "{origin}: {response:?}"
        );
    }
}

#[tokio::test]
async fn a_grpc_web_call_over_http1_succeeds() {
    let app = app().await;
    let headers = [
        ("origin", ALLOWED),
        ("content-type", "application/grpc-web+proto"),
        ("x-grpc-web", "1"),
    ];
    let body = grpc_web_frame(&pb::GetJwksRequest {});
    let response = http1::request(
        app.addr,
        "POST",
        "/jobsearch.auth.v1.AuthService/GetJwks",
        &headers,
        &body,
    )
    .await;
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(
        response.header("content-type"),
        Some("application/grpc-web+proto")
    );
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some(ALLOWED)
    );
    // Without this a page cannot read a trailers-only error's status.
    let exposed = response.header_list("access-control-expose-headers");
    assert!(exposed.iter().any(|h| h == "grpc-status"), "{response:?}");
    let (messages, trailers) = grpc_web_decode::<pb::GetJwksResponse>(&response.body);
    assert!(trailers.contains("grpc-status:0"), "{trailers}");
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].keys[0].alg, "EdDSA");
}
