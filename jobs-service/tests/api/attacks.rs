//! The token attack corpus (`shared::testing::attacks`) against the
//! jobs-service: each crafted credential is refused by the interceptor
//! itself (the shared verifier plus the revocation set) and through real
//! RPCs, with UNAUTHENTICATED and nothing else. The interceptor wraps the
//! whole JobsService, so a handful of RPCs of each kind stand for all of
//! them (the isolation matrix covers every RPC with fewer credentials).
//!
//! Not here, by design: a user deleted from the auth database by SQL. No
//! RPC deletes accounts and such a delete emits no revocation event, so
//! this service accepts the user's tokens until they expire; the operator
//! path, `disable-user`, revokes them and is tried below.

use std::time::{Duration, Instant};

use shared::{
    proto::jobsearch::{auth::v1 as auth_pb, jobs::v1 as pb},
    testing::attacks::{self, Attack, Credential, Material, Scope},
};
use tonic::{Code, Status};

use crate::helpers::{TestApp, TestUser, authed, spawn_app};

/// The RPCs tried with every credential.
const RPCS: [&str; 5] = [
    "ListJobSites",
    "GetJobSite",
    "CreateJobSite",
    "DeleteJobSite",
    "GetDashboard",
];

/// Calls `rpc` about the owner's site. Each would succeed, or at least get
/// past authentication, if the credential were accepted.
async fn call(app: &TestApp, rpc: &str, attack: &Attack, site_id: &str) -> Result<(), Status> {
    let mut jobs = app.jobs.clone();
    let id = site_id.to_owned();
    match rpc {
        "ListJobSites" => jobs
            .list_job_sites(attack.request(pb::ListJobSitesRequest::default()))
            .await
            .map(drop),
        "GetJobSite" => jobs
            .get_job_site(attack.request(pb::GetJobSiteRequest { id }))
            .await
            .map(drop),
        "CreateJobSite" => {
            let job_site = Some(pb::JobSite {
                site_name: "Planted".into(),
                ..Default::default()
            });
            jobs.create_job_site(attack.request(pb::CreateJobSiteRequest { job_site }))
                .await
                .map(drop)
        }
        "DeleteJobSite" => jobs
            .delete_job_site(attack.request(pb::DeleteJobSiteRequest { id }))
            .await
            .map(drop),
        "GetDashboard" => jobs
            .get_dashboard(attack.request(pb::GetDashboardRequest::default()))
            .await
            .map(drop),
        other => unreachable!("no such RPC {other}"),
    }
}

/// The interceptor's answer to `attack`, called directly.
fn intercept(app: &TestApp, attack: &Attack) -> Result<(), Status> {
    app.jobs_state
        .authenticator()
        .intercept(attack.request(()))
        .map(drop)
}

async fn assert_refused_everywhere(app: &TestApp, attack: &Attack, site_id: &str) {
    let label = &attack.label;
    let status = intercept(app, attack).expect_err(label);
    assert_eq!(status.code(), Code::Unauthenticated, "{label}: {status:?}");
    for rpc in RPCS {
        let status = call(app, rpc, attack, site_id).await.expect_err(label);
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

/// A user with one job site, and the corpus made from the user's tokens.
async fn setup(app: &TestApp) -> (TestUser, String, Vec<Attack>) {
    let user = app.user("ada").await;
    let site = app
        .jobs
        .clone()
        .create_job_site(authed(
            pb::CreateJobSiteRequest {
                job_site: Some(pb::JobSite {
                    site_name: "Board".into(),
                    ..Default::default()
                }),
            },
            &user.access_token,
        ))
        .await
        .unwrap()
        .into_inner();
    let jwks = app
        .auth
        .clone()
        .get_jwks(auth_pb::GetJwksRequest {})
        .await
        .unwrap()
        .into_inner();
    let corpus = attacks::corpus(Material {
        signing_pem: &app.auth_signing_pem,
        genuine: &user.access_token,
        refresh_token: &user.refresh_token,
        public_x: &jwks.keys[0].x,
        jwks_json: &jwks.jwks_json,
    });
    (user, site.id, corpus)
}

async fn site_names(app: &TestApp, user: &TestUser) -> Vec<String> {
    let sites = app
        .jobs
        .clone()
        .list_job_sites(authed(
            pb::ListJobSitesRequest::default(),
            &user.access_token,
        ))
        .await
        .expect("the genuine token works")
        .into_inner();
    sites.job_sites.into_iter().map(|s| s.site_name).collect()
}

#[tokio::test]
async fn every_crafted_token_is_refused_by_the_interceptor_and_the_rpcs() {
    let app = spawn_app().await;
    let (user, site_id, corpus) = setup(&app).await;
    // Tokens signed with the real key for a made-up session or subject are
    // genuine to a stateless verifier: only the auth-service refuses them.
    let stateless: Vec<&Attack> = corpus
        .iter()
        .filter(|a| a.scope == Scope::Everywhere)
        .collect();
    assert!(stateless.len() >= 30, "only {} cases", stateless.len());
    for attack in &stateless {
        assert_refused_everywhere(&app, attack, &site_id).await;
    }
    println!(
        "jobs-service refused {} crafted credentials × (interceptor + {} RPCs)",
        stateless.len(),
        RPCS.len()
    );
    // Nothing was planted or deleted, and the genuine token still works.
    assert_eq!(site_names(&app, &user).await, ["Board"]);
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive_for_a_genuine_token() {
    // The one deliberate acceptance beside `Bearer` (RFC 7235); the corpus
    // sends the lowercase scheme with a forged token, which is refused.
    let app = spawn_app().await;
    let user = app.user("ada").await;
    let attack = Attack {
        label: "lowercase scheme, genuine token".into(),
        credential: Credential::Authorization(format!("bearer {}", user.access_token).into()),
        scope: Scope::Everywhere,
    };
    intercept(&app, &attack).expect("accepted");
}

/// Waits (bounded) for the revocation feed to deliver, then asserts.
async fn assert_refused_once_revoked(app: &TestApp, attack: &Attack, site_id: &str) {
    let start = Instant::now();
    while intercept(app, attack).is_ok() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{}: never revoked",
            attack.label
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_refused_everywhere(app, attack, site_id).await;
}

#[tokio::test]
async fn tokens_of_a_logged_out_session_and_of_a_disabled_user_are_refused() {
    let app = spawn_app().await;
    let (_, site_id, _) = setup(&app).await;
    let logged_out = app.user("bob").await;
    app.auth
        .clone()
        .logout(auth_pb::LogoutRequest {
            refresh_token: logged_out.refresh_token.clone(),
        })
        .await
        .unwrap();
    let disabled = app.user("eve").await;
    app.disable_user("eve").await;
    for (label, user) in [
        ("a logged-out session", &logged_out),
        ("a disabled user", &disabled),
    ] {
        let attack = Attack {
            label: label.into(),
            credential: Credential::Bearer(user.access_token.clone()),
            scope: Scope::Everywhere,
        };
        assert_refused_once_revoked(&app, &attack, &site_id).await;
    }
}

#[tokio::test]
async fn tokens_over_the_header_limit_are_refused_by_the_transport_and_the_server_carries_on() {
    let app = spawn_app().await;
    let (user, _, _) = setup(&app).await;
    // As for the auth-service (see its attacks.rs): HTTP 431 → UNKNOWN, a
    // megabyte of CONTINUATION frames → GOAWAY ENHANCE_YOUR_CALM.
    let [large, huge] = attacks::over_header_limit(&user.access_token);
    for (attack, code) in [(&large, Code::Unknown), (&huge, Code::ResourceExhausted)] {
        let status = intercept(&app, attack).expect_err(&attack.label);
        assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
        let status = call(&app, "ListJobSites", attack, "").await.unwrap_err();
        assert_eq!(status.code(), code, "{}: {status:?}", attack.label);
        if code == Code::Unknown {
            assert!(status.message().contains("431"), "{status:?}");
        }
        assert_eq!(site_names(&app, &user).await, ["Board"]);
    }
}
