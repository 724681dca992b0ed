//! PostgreSQL goes away mid-run and comes back: both services answer
//! UNAVAILABLE within the call's deadline, report NOT_SERVING, recover on
//! their own when the database returns, and leave nothing half-written.
//!
//! The test starts its own throwaway cluster (scripts/pg-ephemeral.sh), so
//! stopping it disturbs no other test. It runs in the TEST_DATABASE=postgres
//! phase of scripts/test.sh only (where the server binaries are known to be
//! installed), and says plainly that it is skipped anywhere else.

use std::{
    path::PathBuf,
    process::Command,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use shared::proto::jobsearch::jobs::v1 as pb;
use sqlx::{Connection as _, Executor as _};
use tonic::{Code, Request, Status, transport::Channel};
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

use crate::helpers::{Overrides, PASSWORD, TestApp, skip, spawn_app_with};

/// Deadline of every call the workload makes.
const DEADLINE: Duration = Duration::from_secs(3);

/// A throwaway cluster, stopped and removed on drop.
struct Cluster {
    dir: PathBuf,
    url: String,
}

fn pg_ephemeral(args: &[&str]) -> std::process::Output {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/pg-ephemeral.sh");
    Command::new("bash")
        .arg(script)
        .args(args)
        .output()
        .unwrap()
}

impl Cluster {
    fn start() -> Self {
        // Not under a tempfile::TempDir: when run as root the server runs as
        // `postgres`, which must be able to reach the directory.
        let dir = std::env::temp_dir().join(format!("pg-fault-{}", std::process::id()));
        let out = pg_ephemeral(&["start", dir.to_str().unwrap()]);
        if !out.status.success() {
            // A failed start (initdb out of disk, say) leaves its directory.
            pg_ephemeral(&["stop", dir.to_str().unwrap()]);
            panic!("{}", String::from_utf8_lossy(&out.stderr));
        }
        let url = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        Self { dir, url }
    }

    async fn run(&self, command: &'static str) {
        let dir = self.dir.to_str().unwrap().to_owned();
        let out = tokio::task::spawn_blocking(move || pg_ephemeral(&[command, &dir]))
            .await
            .unwrap();
        assert!(
            out.status.success(),
            "{command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    async fn database(&self, name: &str) -> String {
        let mut conn = sqlx::PgConnection::connect(&self.url).await.unwrap();
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        let (base, _) = self.url.rsplit_once('/').unwrap();
        format!("{base}/{name}")
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = pg_ephemeral(&["stop", self.dir.to_str().unwrap()]);
    }
}

fn with_deadline<T>(message: T, token: &str) -> Request<T> {
    let mut request = crate::helpers::authed(message, token);
    request.set_timeout(DEADLINE);
    request
}

async fn health(addr: std::net::SocketAddr) -> HealthClient<Channel> {
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect_lazy();
    HealthClient::new(channel)
}

/// Waits (at most `bound`) until the overall health of `client` is `wanted`.
async fn wait_for(client: &HealthClient<Channel>, wanted: ServingStatus, bound: Duration) {
    let start = Instant::now();
    loop {
        let got = client
            .clone()
            .check(HealthCheckRequest::default())
            .await
            .map(|r| r.into_inner().status());
        if got.as_ref().is_ok_and(|s| *s == wanted) {
            return;
        }
        assert!(
            start.elapsed() < bound,
            "health stayed {got:?}, wanted {wanted:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What each create or delete of the workload answered, by site.
type Outcomes<T> = Arc<Mutex<Vec<(String, Result<T, Code>)>>>;

/// Every call the workload made, with how long it took.
type Log = Arc<Mutex<Vec<(&'static str, Duration, Result<(), Code>)>>>;

fn record(log: &Log, what: &'static str, started: Instant, result: &Result<impl Sized, Status>) {
    let outcome = result.as_ref().map(drop).map_err(Status::code);
    log.lock().unwrap().push((what, started.elapsed(), outcome));
}

async fn create_site(app: &TestApp, token: &str, name: &str) -> Result<pb::JobSite, Status> {
    let job_site = Some(pb::JobSite {
        site_name: name.to_owned(),
        site_password: format!("password of {name}"),
        ..Default::default()
    });
    let request = with_deadline(pb::CreateJobSiteRequest { job_site }, token);
    app.jobs
        .clone()
        .create_job_site(request)
        .await
        .map(tonic::Response::into_inner)
}

async fn create_posting(app: &TestApp, token: &str, site_id: &str) {
    let job_posting = Some(pb::JobPosting {
        job_site_id: site_id.to_owned(),
        company_name: "Acme".into(),
        posting_title: "Engineer".into(),
        ..Default::default()
    });
    let request = with_deadline(pb::CreateJobPostingRequest { job_posting }, token);
    app.jobs.clone().create_job_posting(request).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopping_mid_run_fails_calls_fast_and_both_services_recover() {
    let test = "postgres_stopping_mid_run_fails_calls_fast_and_both_services_recover";
    if std::env::var("TEST_DATABASE").as_deref() != Ok("postgres") {
        return skip(
            test,
            "runs in the TEST_DATABASE=postgres phase of scripts/test.sh",
        );
    }
    if !pg_ephemeral(&["check"]).status.success() {
        return skip(test, "PostgreSQL server binaries are not installed");
    }
    let cluster = Cluster::start();
    let var = |k: &str, v: String| (k.to_owned(), v);
    let app = spawn_app_with(Overrides {
        auth: vec![
            var("AUTH_DATABASE_URL", cluster.database("auth").await),
            var("AUTH_DATABASE_TIMEOUT_SECS", "1".into()),
        ],
        jobs: vec![
            var("JOBS_DATABASE_URL", cluster.database("jobs").await),
            var("JOBS_DATABASE_TIMEOUT_SECS", "1".into()),
        ],
    })
    .await;
    let user = app.user("ada").await;
    let token = user.access_token.as_str();
    // Sites with two postings each, which the workload deletes (one
    // transaction per site) while the database goes away.
    let mut doomed = Vec::new();
    for i in 0..12 {
        let site = create_site(&app, token, &format!("doomed {i}"))
            .await
            .unwrap();
        create_posting(&app, token, &site.id).await;
        create_posting(&app, token, &site.id).await;
        doomed.push(site.id);
    }
    let (auth_health, jobs_health) = (health(app.auth_addr).await, health(app.jobs_addr).await);

    let log: Log = Arc::default();
    let created: Outcomes<String> = Arc::default();
    let deleted: Outcomes<()> = Arc::default();
    let running = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let workload = async {
        let creates = async {
            for i in 0.. {
                if !running.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                let name = format!("site {i}");
                let started = Instant::now();
                let result = create_site(&app, token, &name).await;
                record(&log, "CreateJobSite", started, &result);
                let outcome = result.map(|s| s.id).map_err(|s| s.code());
                created.lock().unwrap().push((name, outcome));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        let deletes = async {
            for id in &doomed {
                let started = Instant::now();
                let request = with_deadline(pb::DeleteJobSiteRequest { id: id.clone() }, token);
                let result = app.jobs.clone().delete_job_site(request).await;
                record(&log, "DeleteJobSite", started, &result);
                deleted
                    .lock()
                    .unwrap()
                    .push((id.clone(), result.map(drop).map_err(|s| s.code())));
                tokio::time::sleep(Duration::from_millis(400)).await;
            }
        };
        let logins = async {
            while running.load(std::sync::atomic::Ordering::Relaxed) {
                let mut request = Request::new(shared::proto::jobsearch::auth::v1::LoginRequest {
                    username: "ada".into(),
                    password: PASSWORD.into(),
                });
                request.set_timeout(DEADLINE);
                let started = Instant::now();
                let result = app.auth.clone().login(request).await;
                record(&log, "Login", started, &result);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        futures::join!(creates, deletes, logins);
    };
    let faults = async {
        tokio::time::sleep(Duration::from_millis(600)).await;
        cluster.run("pause").await;
        wait_for(
            &auth_health,
            ServingStatus::NotServing,
            Duration::from_secs(10),
        )
        .await;
        wait_for(
            &jobs_health,
            ServingStatus::NotServing,
            Duration::from_secs(10),
        )
        .await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        cluster.run("resume").await;
        // Neither service was restarted: their pools reconnect by themselves.
        wait_for(
            &auth_health,
            ServingStatus::Serving,
            Duration::from_secs(15),
        )
        .await;
        wait_for(
            &jobs_health,
            ServingStatus::Serving,
            Duration::from_secs(15),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        running.store(false, std::sync::atomic::Ordering::Relaxed);
    };
    futures::join!(workload, faults);

    let log = log.lock().unwrap().clone();
    let failed: Vec<_> = log.iter().filter(|(_, _, r)| r.is_err()).collect();
    println!(
        "{} calls, {} failed while the database was away",
        log.len(),
        failed.len()
    );
    assert!(!failed.is_empty(), "the outage never hit a call");
    for (what, took, result) in &failed {
        assert_eq!(*result, Err(Code::Unavailable), "{what} after {took:?}");
        assert!(*took < DEADLINE, "{what} took {took:?}");
    }
    let last = |what: &str| log.iter().rev().find(|(w, _, _)| *w == what).unwrap().2;
    assert_eq!(last("CreateJobSite"), Ok(()), "creates resumed");
    assert_eq!(last("Login"), Ok(()), "logins resumed");

    let created = std::mem::take(&mut *created.lock().unwrap());
    let deleted = std::mem::take(&mut *deleted.lock().unwrap());
    check_nothing_half_written(&app, token, &created, &deleted).await;
    drop(app);
    drop(cluster);
}

/// Every create is fully there or absent (an interrupted one may have
/// committed before its answer was lost); a deleted site took its postings
/// with it; every session has its refresh token.
async fn check_nothing_half_written(
    app: &TestApp,
    token: &str,
    created: &[(String, Result<String, Code>)],
    deleted: &[(String, Result<(), Code>)],
) {
    let mut sites = Vec::new();
    let mut page_token = String::new();
    loop {
        let request = pb::ListJobSitesRequest {
            page_size: 100,
            page_token,
        };
        let page = app
            .jobs
            .clone()
            .list_job_sites(crate::helpers::authed(request, token))
            .await
            .unwrap()
            .into_inner();
        sites.extend(page.job_sites);
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = page.next_page_token;
    }
    for (name, outcome) in created {
        let found: Vec<_> = sites.iter().filter(|s| &s.site_name == name).collect();
        assert!(found.len() <= 1, "{name} stored twice");
        if outcome.is_ok() {
            assert_eq!(found.len(), 1, "{name} was acknowledged but is missing");
        }
        if let Some(site) = found.first() {
            let request = crate::helpers::authed(
                pb::GetJobSiteRequest {
                    id: site.id.clone(),
                },
                token,
            );
            let stored = app
                .jobs
                .clone()
                .get_job_site(request)
                .await
                .unwrap()
                .into_inner();
            assert_eq!(
                stored.site_password,
                format!("password of {name}"),
                "{name}"
            );
        }
    }
    for (id, outcome) in deleted {
        let postings: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM job_postings WHERE job_site_id = $1")
                .bind(id)
                .fetch_one(&app.jobs_state.db)
                .await
                .unwrap();
        let present = sites.iter().any(|s| &s.id == id);
        match (present, postings) {
            (true, 2) => assert!(outcome.is_err(), "{id} acknowledged as deleted but present"),
            (false, 0) => {}
            other => panic!("site {id} half deleted: {other:?} ({outcome:?})"),
        }
    }
    let orphans: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sessions s WHERE NOT EXISTS \
         (SELECT 1 FROM refresh_tokens r WHERE r.session_id = s.id)",
    )
    .fetch_one(&app.auth_db())
    .await
    .unwrap();
    assert_eq!(orphans, 0, "sessions without their refresh token");
}
