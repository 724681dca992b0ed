//! Browsers: CORS preflights are answered from `JOBS_CORS_ALLOWED_ORIGINS`
//! only, and a grpc-web call over HTTP/1.1 passes the token interceptor,
//! both sent as raw HTTP/1.1 like a browser would.

use std::net::SocketAddr;

use shared::{
    proto::jobsearch::jobs::v1 as pb,
    testing::http1::{self, grpc_web_decode, grpc_web_frame},
};

use crate::helpers::{ALLOWED_ORIGIN, spawn_app};

const PATH: &str = "/jobsearch.jobs.v1.JobsService/ListJobSites";

#[tokio::test]
async fn preflights_are_answered_for_the_allowed_origin_only() {
    let app = spawn_app().await;
    for (origin, allowed) in [
        (ALLOWED_ORIGIN, true),
        ("http://localhost:5174", false),
        ("http://evil.example", false),
    ] {
        let headers = [
            ("origin", origin),
            ("access-control-request-method", "POST"),
            (
                "access-control-request-headers",
                "authorization,content-type,x-grpc-web",
            ),
        ];
        let response = http1::request(app.jobs_addr, "OPTIONS", PATH, &headers, b"").await;
        assert_eq!(response.status, 200, "{response:?}");
        let echoed = response.header("access-control-allow-origin");
        assert_eq!(echoed, allowed.then_some(origin), "{origin}: {response:?}");
        if allowed {
            let headers = response.header_list("access-control-allow-headers");
            assert!(headers.iter().any(|h| h == "authorization"), "{response:?}");
        }
    }
}

/// `ListJobSites` over grpc-web from the allowed origin.
async fn list_sites(addr: SocketAddr, authorization: &str) -> http1::Response {
    let headers = [
        ("origin", ALLOWED_ORIGIN),
        ("content-type", "application/grpc-web+proto"),
        ("x-grpc-web", "1"),
        ("authorization", authorization),
    ];
    let body = grpc_web_frame(&pb::ListJobSitesRequest::default());
    http1::request(addr, "POST", PATH, &headers, &body).await
}

#[tokio::test]
async fn a_grpc_web_call_with_a_token_passes_the_interceptor() {
    let app = spawn_app().await;
    let user = app.user("ada").await;
    let bearer = format!("Bearer {}", user.access_token);
    let response = list_sites(app.jobs_addr, &bearer).await;
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some(ALLOWED_ORIGIN)
    );
    let (messages, trailers) = grpc_web_decode::<pb::ListJobSitesResponse>(&response.body);
    assert!(trailers.contains("grpc-status:0"), "{trailers}");
    assert!(messages[0].job_sites.is_empty());

    // A refusal is trailers-only: the status travels in (exposed) headers.
    let refused = list_sites(app.jobs_addr, "Bearer not-a-token").await;
    assert_eq!(refused.header("grpc-status"), Some("16"), "{refused:?}");
    let exposed = refused.header_list("access-control-expose-headers");
    assert!(exposed.iter().any(|h| h == "grpc-status"), "{refused:?}");
}
