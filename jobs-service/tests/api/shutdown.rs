//! Graceful shutdown of the real jobs-service binary under load: SIGTERM
//! lets every call already in the server finish, the process exits 0, and
//! every posting a client was told about is stored (and no other).

use std::{
    process::{Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use shared::{
    proto::jobsearch::jobs::v1::{self as pb, jobs_service_client::JobsServiceClient},
    testing::sigterm::{self, CallLog},
};
use tonic::transport::{Channel, Endpoint};

use crate::helpers::{authed, spawn_app, wait_until_serving};

type Client = JobsServiceClient<Channel>;

#[tokio::test]
async fn sigterm_under_load_fails_no_call_already_in_flight_and_exits_zero() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let dir = tempfile::tempdir().unwrap();
    let addr = sigterm::free_local_addr();
    let mut vars = app.jobs_binary_vars();
    vars.push(("JOBS_LISTEN_ADDR".into(), addr.clone()));
    vars.push(("JOBS_DATA_DIR".into(), dir.path().display().to_string()));
    // One database connection: calls queue for it, so many are in flight
    // when the signal arrives.
    vars.push(("JOBS_DATABASE_MAX_CONNECTIONS".into(), "1".into()));
    vars.push(("JOBS_SHUTDOWN_GRACE_SECS".into(), "20".into()));
    if let Some(url) = shared::testing::database_url("jobs_shutdown").await {
        vars.push(("JOBS_DATABASE_URL".into(), url));
    }
    let child = Command::new(env!("CARGO_BIN_EXE_jobs-service"))
        .envs(vars.iter().cloned())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let channel = connect(&addr).await;
    wait_until_serving(&channel, "jobsearch.jobs.v1.JobsService").await;
    let client = JobsServiceClient::new(channel);
    let site_id = create_site(client.clone(), &ada.access_token).await;

    let calls = Arc::new(CallLog::default());
    let load: Vec<_> = (0..32)
        .map(|i| {
            let (client, calls) = (client.clone(), calls.clone());
            let (token, site_id) = (ada.access_token.clone(), site_id.clone());
            tokio::spawn(async move {
                call_until_refused(client, &token, &site_id, i % 2 == 0, &calls).await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sigterm_at = sigterm::sigterm(&child);
    let mut created = 0;
    for task in load {
        created += task.await.unwrap();
    }
    let status = sigterm::exit_status(child).await;
    let exited_in = sigterm_at.elapsed();

    let verdict = calls.verdict(sigterm_at);
    println!("{verdict:?}, exit {:?} after {exited_in:?}", status.code());
    assert!(
        verdict.failed.is_empty(),
        "in-flight calls failed: {verdict:?}"
    );
    // The test means something only if calls were running across the signal.
    assert!(
        verdict.across_signal > 0,
        "no call was in flight at the signal"
    );
    assert_eq!(status.code(), Some(0), "exit status {status:?}");
    assert!(
        exited_in < Duration::from_secs(20),
        "took {exited_in:?} to stop"
    );

    // Nothing half-written: exactly the creations that were answered OK.
    let config = jobs_service::config::Config::from_vars(vars).unwrap();
    let state = jobs_service::state::AppState::build(config).await.unwrap();
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM job_postings WHERE user_id = $1")
        .bind(&ada.id)
        .fetch_one(&state.db)
        .await
        .unwrap();
    assert_eq!(stored, created, "stored postings vs creations answered OK");
}

/// Creates postings (or lists them) until the server refuses; records every
/// call and returns how many postings it was told were created.
async fn call_until_refused(
    mut client: Client,
    token: &str,
    site_id: &str,
    creates: bool,
    calls: &CallLog,
) -> i64 {
    let mut created = 0;
    loop {
        let start = Instant::now();
        let result = if creates {
            let posting = pb::JobPosting {
                job_site_id: site_id.into(),
                company_name: "Acme".into(),
                posting_title: "Engineer".into(),
                ..Default::default()
            };
            let request = pb::CreateJobPostingRequest {
                job_posting: Some(posting),
            };
            client
                .create_job_posting(authed(request, token))
                .await
                .map(|_| 1)
        } else {
            let request = pb::ListJobPostingsRequest::default();
            client
                .list_job_postings(authed(request, token))
                .await
                .map(|_| 0)
        };
        let result = result.map_err(|status| status.code());
        created += result.unwrap_or(0);
        let refused = result.is_err();
        calls.record(start, result.map(|_| ()));
        if refused {
            return created;
        }
    }
}

async fn create_site(mut client: Client, token: &str) -> String {
    let request = pb::CreateJobSiteRequest {
        job_site: Some(pb::JobSite {
            site_name: "Board".into(),
            ..Default::default()
        }),
    };
    let site = client
        .create_job_site(authed(request, token))
        .await
        .unwrap();
    site.into_inner().id
}

async fn connect(addr: &str) -> Channel {
    let endpoint = Endpoint::from_shared(format!("http://{addr}")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match endpoint.connect().await {
            Ok(channel) => return channel,
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(error) => panic!("the binary never listened: {error}"),
        }
    }
}
