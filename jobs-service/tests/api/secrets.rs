//! Secrets never leak from the real jobs-service binary: driven through
//! all 17 RPCs with recognisable site and posting passwords and tokens at
//! `RUST_LOG=trace`, following an auth-service with its service client
//! secret, none of them appears in its output, in an error a client
//! receives, or in plaintext in its SQLite files (including the WAL). The
//! auth-service here runs in-process; its own binary has the twin test in
//! auth-service/tests/api/secrets.rs.

use prost_types::FieldMask;
use shared::{
    proto::jobsearch::jobs::v1::{
        self as pb, get_report_request::Report, jobs_service_client::JobsServiceClient,
    },
    testing::leaks::{self, Secrets},
};
use tonic::{Request, Status, transport::Endpoint};

use crate::helpers::{CLIENT_ID, CLIENT_SECRET, authed, spawn_app, wait_until_serving};

const BINARY: &str = env!("CARGO_BIN_EXE_jobs-service");

fn failed<T: std::fmt::Debug>(
    errors: &mut Vec<(String, Status)>,
    call: &str,
    r: Result<T, Status>,
) {
    errors.push((call.to_owned(), r.expect_err(call)));
}

fn mask(path: &str) -> Option<FieldMask> {
    Some(FieldMask {
        paths: vec![path.into()],
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_the_logs_the_errors_or_the_database() {
    let app = spawn_app().await;
    let user = app.user("ada").await;
    let mut s = Secrets::default();
    let token = s.add("access token", user.access_token.clone());
    s.add("refresh token", user.refresh_token.clone());
    s.add("client secret", CLIENT_SECRET);
    let key = s.add(
        "encryption key",
        "q3Vx0sFh8mJ2cLrT9wYbN4kP7eA1dG6zU5iO0nQ2Z8M=",
    );
    let site_password = s.add("site password", "Site-Secret-8Jk2Lm");
    let new_site_password = s.add("new site password", "Site-Secret-Changed-3Rt6");
    let posting_password = s.add("posting password", "Posting-Secret-5Wq9Xe");
    let new_posting_password = s.add("new posting password", "Posting-Secret-Changed-7Yu1");
    // Refused for its length: its text must not come back in the error.
    let too_long = s.add(
        "over-long password",
        format!("Too-Long-Secret-{}", "x".repeat(300)),
    );

    let dir = tempfile::tempdir().unwrap();
    let addr = format!("127.0.0.1:{}", leaks::free_port());
    let env = [
        ("JOBS_LISTEN_ADDR", addr.clone()),
        // Not the default 9052, which another test's binary may hold.
        ("JOBS_ADMIN_LISTEN_ADDR", "127.0.0.1:0".into()),
        ("JOBS_DATA_DIR", dir.path().display().to_string()),
        ("JOBS_AUTH_URL", format!("http://{}", app.auth_addr)),
        ("JOBS_SERVICE_CLIENT_ID", CLIENT_ID.into()),
        ("JOBS_SERVICE_CLIENT_SECRET", CLIENT_SECRET.into()),
        ("JOBS_ENCRYPTION_KEY", key),
        ("RUST_LOG", "trace".into()),
    ];
    let log_path = dir.path().join("server.log");
    let child = leaks::spawn_logged(BINARY, &env, &log_path);
    let channel = Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect_lazy();
    wait_until_serving(&channel, "jobsearch.jobs.v1.JobsService").await;
    wait_until_serving(&channel, "jobsearch.jobs.v1.RevocationFeed").await;
    let mut c = JobsServiceClient::new(channel);
    let mut errors = Vec::new();

    let site = |name: &str, password: &str| pb::JobSite {
        site_name: name.into(),
        site_password: password.into(),
        ..Default::default()
    };
    let create_site = |job_site| pb::CreateJobSiteRequest {
        job_site: Some(job_site),
    };
    let created = c
        .create_job_site(authed(create_site(site("Board", &site_password)), &token))
        .await;
    let site_id = created.unwrap().into_inner().id;
    let result = c
        .create_job_site(authed(create_site(site("Long", &too_long)), &token))
        .await;
    failed(&mut errors, "CreateJobSite (long password)", result);
    c.get_job_site(authed(
        pb::GetJobSiteRequest {
            id: site_id.clone(),
        },
        &token,
    ))
    .await
    .unwrap();
    c.list_job_sites(authed(pb::ListJobSitesRequest::default(), &token))
        .await
        .unwrap();
    let mut change = site("", &new_site_password);
    change.id.clone_from(&site_id);
    let update = pb::UpdateJobSiteRequest {
        job_site: Some(change.clone()),
        update_mask: mask("site_password"),
    };
    c.update_job_site(authed(update, &token)).await.unwrap();
    change.site_password.clone_from(&too_long);
    let update = pb::UpdateJobSiteRequest {
        job_site: Some(change),
        update_mask: mask("site_password"),
    };
    failed(
        &mut errors,
        "UpdateJobSite (long password)",
        c.update_job_site(authed(update, &token)).await,
    );

    let posting = |password: &str| pb::JobPosting {
        job_site_id: site_id.clone(),
        company_name: "Acme".into(),
        posting_title: "Engineer".into(),
        posting_password: password.into(),
        ..Default::default()
    };
    let create_posting = |job_posting| pb::CreateJobPostingRequest {
        job_posting: Some(job_posting),
    };
    let created = c
        .create_job_posting(authed(create_posting(posting(&posting_password)), &token))
        .await;
    let posting_id = created.unwrap().into_inner().id;
    let result = c
        .create_job_posting(authed(create_posting(posting(&too_long)), &token))
        .await;
    failed(&mut errors, "CreateJobPosting (long password)", result);
    let get = pb::GetJobPostingRequest {
        id: posting_id.clone(),
    };
    c.get_job_posting(authed(get, &token)).await.unwrap();
    c.list_job_postings(authed(pb::ListJobPostingsRequest::default(), &token))
        .await
        .unwrap();
    let mut change = posting(&new_posting_password);
    change.id.clone_from(&posting_id);
    let update = pb::UpdateJobPostingRequest {
        job_posting: Some(change),
        update_mask: mask("posting_password"),
    };
    c.update_job_posting(authed(update, &token)).await.unwrap();

    let opportunity = pb::Opportunity {
        job_title: "Staff Engineer".into(),
        ..Default::default()
    };
    let created = c
        .create_opportunity(authed(
            pb::CreateOpportunityRequest {
                opportunity: Some(opportunity),
            },
            &token,
        ))
        .await;
    let opportunity_id = created.unwrap().into_inner().id;
    let get = pb::GetOpportunityRequest {
        id: opportunity_id.clone(),
    };
    c.get_opportunity(authed(get, &token)).await.unwrap();
    c.list_opportunities(authed(pb::ListOpportunitiesRequest::default(), &token))
        .await
        .unwrap();
    let update = pb::UpdateOpportunityRequest {
        opportunity: Some(pb::Opportunity {
            id: opportunity_id.clone(),
            recruiter_name: "Grace".into(),
            ..Default::default()
        }),
        update_mask: mask("recruiter_name"),
    };
    c.update_opportunity(authed(update, &token)).await.unwrap();
    let report = pb::GetReportRequest {
        report: Some(Report::PostingsPerSite(pb::PostingsPerSiteRequest {})),
    };
    c.get_report(authed(report, &token)).await.unwrap();
    c.get_dashboard(authed(pb::GetDashboardRequest::default(), &token))
        .await
        .unwrap();
    let missing = "0192f0c4-0000-7000-8000-000000000000".to_owned();
    let get = pb::GetJobSiteRequest { id: missing };
    failed(
        &mut errors,
        "GetJobSite (missing)",
        c.get_job_site(authed(get, &token)).await,
    );
    let mut forged = Request::new(pb::ListJobSitesRequest::default());
    let value = format!("Bearer {token}x").parse().unwrap();
    forged.metadata_mut().insert("authorization", value);
    failed(
        &mut errors,
        "ListJobSites (bad token)",
        c.list_job_sites(forged).await,
    );

    // The WAL holds the recent writes while the service runs (a clean stop
    // checkpoints it into the main file and removes it): scan both states.
    let running = leaks::sqlite_files(dir.path());
    assert!(
        running
            .iter()
            .any(|(p, _)| p.to_string_lossy().ends_with("-wal"))
    );
    c.delete_opportunity(authed(
        pb::DeleteOpportunityRequest { id: opportunity_id },
        &token,
    ))
    .await
    .unwrap();
    c.delete_job_posting(authed(
        pb::DeleteJobPostingRequest { id: posting_id },
        &token,
    ))
    .await
    .unwrap();
    c.delete_job_site(authed(pb::DeleteJobSiteRequest { id: site_id }, &token))
        .await
        .unwrap();
    leaks::stop(child);

    let log = std::fs::read(&log_path).unwrap();
    assert!(log.len() > 100_000, "only {} bytes of logs", log.len());
    assert!(String::from_utf8_lossy(&log).contains("TRACE"));
    // Control: the scan sees request data that is not secret.
    let user_id = user.id.as_bytes();
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
    // Control: the scan sees what was stored in plaintext.
    let title = b"Staff Engineer";
    assert!(
        files
            .iter()
            .any(|(_, b)| b.windows(title.len()).any(|w| w == title))
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
