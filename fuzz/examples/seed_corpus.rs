//! Writes the committed seed corpus (fuzz/corpus/<target>/): valid encoded
//! requests like the README's walk-through, a few near misses, and real
//! tokens signed by the fixture keys, so each target starts from inputs that
//! get past decoding. Rerun after changing a message or the fixture:
//!
//!     cargo run --manifest-path fuzz/Cargo.toml --example seed_corpus
//!
//! File names are the input's SHA-256, so rerunning adds nothing twice.

use std::{fs, path::Path};

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use jobsearch_fuzz::{ISSUED_AT, access_claims, auth_requests, fixture, jobs_requests};
use prost::Message;
use prost_types::{FieldMask, Timestamp};
use shared::{
    proto::jobsearch::{auth::v1 as auth, jobs::v1 as jobs},
    token::{AccessClaims, ServiceClaims},
};

const SITE: &str = "01936f5e-0000-7000-8000-000000000010";
const POSTING: &str = "01936f5e-0000-7000-8000-000000000020";

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let write = |target: &str, input: Vec<u8>| -> std::io::Result<()> {
        let dir = root.join(target);
        fs::create_dir_all(&dir)?;
        fs::write(dir.join(sha256_hex(&input)), input)
    };
    for token in tokens() {
        write("token_verify", token.into_bytes())?;
    }
    for (kind, message) in jobs_messages() {
        write(
            "jobs_requests",
            prefixed(jobs_requests::kind(kind), message),
        )?;
    }
    for (kind, message) in auth_messages() {
        write(
            "auth_requests",
            prefixed(auth_requests::kind(kind), message),
        )?;
    }
    for (size, token) in page_tokens() {
        let mut input = size.to_le_bytes().to_vec();
        input.extend_from_slice(token.as_bytes());
        write("page_token", input)?;
    }
    println!("corpus written to {}", root.display());
    Ok(())
}

fn prefixed(kind: u8, message: Vec<u8>) -> Vec<u8> {
    let mut input = vec![kind];
    input.extend(message);
    input
}

/// Signed tokens from each key, a service token, and classic forgeries.
fn tokens() -> Vec<String> {
    let fx = fixture();
    let sign = |keys: &auth_service::keys::SigningKeys| keys.sign(&access_claims()).unwrap();
    let valid = sign(&fx.current);
    let service = ServiceClaims {
        iss: jobsearch_fuzz::ISSUER.into(),
        aud: jobsearch_fuzz::ISSUER.into(),
        sub: "service:jobs".into(),
        jti: "01936f5e-0000-7000-8000-0000000000cc".into(),
        iat: ISSUED_AT,
        nbf: ISSUED_AT,
        exp: jobsearch_fuzz::EXPIRES_AT,
    };
    let mut tampered: Vec<&str> = valid.split('.').collect();
    let staff_payload = URL_SAFE_NO_PAD.encode(
        serde_json::to_vec(&AccessClaims {
            staff: true,
            ..access_claims()
        })
        .unwrap(),
    );
    tampered[1] = &staff_payload;
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"at+jwt"}"#);
    let payload = valid.split('.').nth(1).unwrap();
    vec![
        valid.clone(),
        sign(&fx.previous),
        sign(&fx.stranger),
        fx.current.sign(&service).unwrap(),
        tampered.join("."),
        format!("{none_header}.{payload}."),
        format!("{}.", &valid[..valid.rfind('.').unwrap()]),
        "not.a.token".into(),
    ]
}

fn ts(seconds: i64) -> Option<Timestamp> {
    Some(Timestamp { seconds, nanos: 0 })
}

fn mask(paths: &[&str]) -> Option<FieldMask> {
    Some(FieldMask {
        paths: paths.iter().map(|p| (*p).to_owned()).collect(),
    })
}

fn jobs_messages() -> Vec<(&'static str, Vec<u8>)> {
    let site = jobs::JobSite {
        site_name: "LinkedIn".into(),
        site_url: "https://www.linkedin.com/jobs".into(),
        site_password: "s3cret".into(),
        rating: 4,
        last_visited_at: ts(ISSUED_AT),
        description: "weekly\nchecks".into(),
        ..Default::default()
    };
    let posting = jobs::JobPosting {
        job_site_id: SITE.into(),
        company_name: "Acme".into(),
        posting_title: "Rust Engineer".into(),
        posting_status: jobs::PostingStatus::AwaitingFeedback as i32,
        posting_url_full: "https://jobs.example.com/p/1".into(),
        applied_at: ts(ISSUED_AT),
        time_spent: Some(90),
        technology_stack: vec!["Rust".into(), "gRPC".into()],
        comments: vec![jobs::Comment {
            text: "applied".into(),
            create_time: None,
        }],
        posting_application_questions: vec![jobs::ApplicationQuestion {
            question: "Why us?".into(),
            answer: "Rust".into(),
        }],
        ..Default::default()
    };
    let opportunity = jobs::Opportunity {
        job_title: "Backend engineer".into(),
        recruiter_name: "Grace".into(),
        email_received_at: ts(ISSUED_AT),
        location_city: "Berlin".into(),
        ..Default::default()
    };
    let token = URL_SAFE_NO_PAD.encode(POSTING);
    use jobs::get_report_request::Report;
    vec![
        (
            "CreateJobSite",
            enc(&jobs::CreateJobSiteRequest {
                job_site: Some(site.clone()),
            }),
        ),
        (
            "GetJobSite",
            enc(&jobs::GetJobSiteRequest { id: SITE.into() }),
        ),
        (
            "ListJobSites",
            enc(&jobs::ListJobSitesRequest {
                page_size: 2,
                page_token: token.clone(),
            }),
        ),
        (
            "UpdateJobSite",
            enc(&jobs::UpdateJobSiteRequest {
                job_site: Some(jobs::JobSite {
                    id: SITE.into(),
                    ..site
                }),
                update_mask: mask(&["rating", "site_password"]),
            }),
        ),
        (
            "UpdateJobSite",
            enc(&jobs::UpdateJobSiteRequest {
                job_site: Some(jobs::JobSite {
                    id: SITE.into(),
                    ..Default::default()
                }),
                update_mask: mask(&["nope", "id", "rating"]),
            }),
        ),
        (
            "DeleteJobSite",
            enc(&jobs::DeleteJobSiteRequest { id: SITE.into() }),
        ),
        (
            "CreateJobPosting",
            enc(&jobs::CreateJobPostingRequest {
                job_posting: Some(posting.clone()),
            }),
        ),
        (
            "GetJobPosting",
            enc(&jobs::GetJobPostingRequest { id: POSTING.into() }),
        ),
        (
            "ListJobPostings",
            enc(&jobs::ListJobPostingsRequest {
                page_size: 10,
                page_token: token.clone(),
                job_site_id: SITE.into(),
                statuses: vec![jobs::PostingStatus::Rejected as i32],
                active_only: true,
                applied_after: ts(ISSUED_AT),
                applied_before: ts(ISSUED_AT + 86_400),
            }),
        ),
        (
            "UpdateJobPosting",
            enc(&jobs::UpdateJobPostingRequest {
                job_posting: Some(jobs::JobPosting {
                    id: POSTING.into(),
                    ..posting
                }),
                update_mask: mask(&["posting_status", "posting_url_full", "comments"]),
            }),
        ),
        (
            "DeleteJobPosting",
            enc(&jobs::DeleteJobPostingRequest { id: POSTING.into() }),
        ),
        (
            "CreateOpportunity",
            enc(&jobs::CreateOpportunityRequest {
                opportunity: Some(opportunity.clone()),
            }),
        ),
        (
            "GetOpportunity",
            enc(&jobs::GetOpportunityRequest { id: POSTING.into() }),
        ),
        (
            "ListOpportunities",
            enc(&jobs::ListOpportunitiesRequest {
                page_size: 5,
                page_token: token,
                active_only: true,
            }),
        ),
        (
            "UpdateOpportunity",
            enc(&jobs::UpdateOpportunityRequest {
                opportunity: Some(jobs::Opportunity {
                    id: POSTING.into(),
                    ..opportunity
                }),
                update_mask: mask(&["location_city", "job_title"]),
            }),
        ),
        (
            "DeleteOpportunity",
            enc(&jobs::DeleteOpportunityRequest { id: POSTING.into() }),
        ),
        (
            "GetReport",
            enc(&jobs::GetReportRequest {
                report: Some(Report::ApplicationsPerWeek(
                    jobs::ApplicationsPerWeekRequest {
                        since: ts(ISSUED_AT),
                    },
                )),
            }),
        ),
        (
            "GetReport",
            enc(&jobs::GetReportRequest {
                report: Some(Report::PostingsPerSite(jobs::PostingsPerSiteRequest {})),
            }),
        ),
        (
            "GetDashboard",
            enc(&jobs::GetDashboardRequest {
                first_date: ts(ISSUED_AT),
                second_date: ts(ISSUED_AT + 604_800),
            }),
        ),
    ]
}

fn auth_messages() -> Vec<(&'static str, Vec<u8>)> {
    let refresh = format!("rt_{}", URL_SAFE_NO_PAD.encode([7u8; 32]));
    let access = fixture().current.sign(&access_claims()).unwrap();
    vec![
        (
            "Register",
            enc(&auth::RegisterRequest {
                username: "ada".into(),
                email: "ada@example.com".into(),
                first_name: "Ada".into(),
                last_name: "Lovelace".into(),
                password: "Analytical-Engine-1843".into(),
            }),
        ),
        (
            "Register",
            enc(&auth::RegisterRequest {
                username: "\u{fb01}sh".into(),
                email: "a@b".into(),
                password: "password".into(),
                ..Default::default()
            }),
        ),
        (
            "Login",
            enc(&auth::LoginRequest {
                username: "ada@example.com".into(),
                password: "x".into(),
            }),
        ),
        (
            "RefreshToken",
            enc(&auth::RefreshTokenRequest {
                refresh_token: refresh.clone(),
            }),
        ),
        (
            "Logout",
            enc(&auth::LogoutRequest {
                refresh_token: refresh,
            }),
        ),
        ("LogoutAll", enc(&auth::LogoutAllRequest {})),
        ("GetMe", enc(&auth::GetMeRequest {})),
        (
            "UpdateMe",
            enc(&auth::UpdateMeRequest {
                user: Some(auth::User {
                    bio: "Analyst".into(),
                    email: "Ada@Example.com".into(),
                    dashboard_first_date: ts(ISSUED_AT),
                    ..Default::default()
                }),
                update_mask: mask(&["bio", "email", "dashboard_first_date", "is_staff"]),
            }),
        ),
        (
            "ChangePassword",
            enc(&auth::ChangePasswordRequest {
                current_password: "Analytical-Engine-1843".into(),
                new_password: "Difference-Engine-1822".into(),
            }),
        ),
        (
            "ListUsers",
            enc(&auth::ListUsersRequest {
                page_size: 20,
                page_token: URL_SAFE_NO_PAD.encode(SITE),
            }),
        ),
        (
            "VerifyToken",
            enc(&auth::VerifyTokenRequest { token: access }),
        ),
        ("GetJwks", enc(&auth::GetJwksRequest {})),
        (
            "IssueServiceToken",
            enc(&auth::IssueServiceTokenRequest {
                client_id: "jobs".into(),
                client_secret: "s".into(),
            }),
        ),
        (
            "WatchRevocations",
            enc(&auth::WatchRevocationsRequest { cursor: 42 }),
        ),
    ]
}

fn page_tokens() -> Vec<(i32, String)> {
    vec![
        (0, String::new()),
        (2, URL_SAFE_NO_PAD.encode(POSTING)),
        (100, URL_SAFE_NO_PAD.encode(SITE)),
        (101, String::new()),
        (-1, "' OR 1=1".into()),
        (5, URL_SAFE_NO_PAD.encode("not-a-uuid")),
    ]
}

fn enc(message: &impl Message) -> Vec<u8> {
    message.encode_to_vec()
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
