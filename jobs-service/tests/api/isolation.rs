//! The isolation matrix: every JobsService RPC × every kind of caller, with
//! the exact code each cell must answer. The owner's objects must be
//! invisible and untouchable to everyone else; bad credentials never pass.

use prost_types::FieldMask;
use shared::proto::jobsearch::jobs::v1::{self as pb, get_report_request::Report};
use tonic::{Code, Request, Status};

use crate::helpers::{TestApp, TestUser, authed, now, spawn_app};

/// The owner's objects every call targets.
struct Fixture {
    site_id: String,
    posting_id: String,
    opportunity_id: String,
    /// The posting's first stage event.
    event_id: String,
}

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Owner,
    OtherUser,
    NoToken,
    ExpiredToken,
    RefreshTokenAsBearer,
    StrangerKey,
}

const RPCS: [&str; 22] = [
    "CreateJobSite",
    "GetJobSite",
    "ListJobSites",
    "UpdateJobSite",
    "CreateJobPosting",
    "GetJobPosting",
    "ListJobPostings",
    "UpdateJobPosting",
    "CreateOpportunity",
    "GetOpportunity",
    "ListOpportunities",
    "UpdateOpportunity",
    "GetReport",
    "GetDashboard",
    "GetAnalytics",
    "ListStageEvents",
    "CreateStageEvent",
    "UpdateStageEvent",
    // Deletes last, so the owner's row deletes only after everything else ran.
    "DeleteStageEvent",
    "DeleteJobPosting",
    "DeleteOpportunity",
    "DeleteJobSite",
];

/// What a successful call let the caller see of the owner's data.
#[derive(Debug, PartialEq, Eq)]
enum Seen {
    /// The call acted on (or listed) the owner's objects.
    OwnersData,
    /// The call succeeded without exposing any of the owner's objects.
    Nothing,
}

fn site(name: &str) -> pb::JobSite {
    pb::JobSite {
        site_name: name.into(),
        ..Default::default()
    }
}

fn posting(site_id: &str) -> pb::JobPosting {
    pb::JobPosting {
        job_site_id: site_id.into(),
        company_name: "Acme".into(),
        posting_title: "Engineer".into(),
        posting_status: pb::PostingStatus::AwaitingFeedback as i32,
        applied_at: Some(crate::helpers::ts(now() - 3600)),
        ..Default::default()
    }
}

fn opportunity() -> pb::Opportunity {
    pb::Opportunity {
        job_title: "Staff Engineer".into(),
        opportunity_status: pb::OpportunityStatus::ActivelyEngaged as i32,
        ..Default::default()
    }
}

fn mask(path: &str) -> Option<FieldMask> {
    Some(FieldMask {
        paths: vec![path.into()],
    })
}

fn request<T>(message: T, token: Option<&str>) -> Request<T> {
    match token {
        Some(token) => authed(message, token),
        None => Request::new(message),
    }
}

/// Calls `rpc` against the fixture with `token`.
async fn call(app: &TestApp, rpc: &str, token: Option<&str>, fx: &Fixture) -> Result<Seen, Status> {
    let mut c = app.jobs.clone();
    let owners = |found: bool| {
        if found {
            Seen::OwnersData
        } else {
            Seen::Nothing
        }
    };
    Ok(match rpc {
        "CreateJobSite" => {
            c.create_job_site(request(
                pb::CreateJobSiteRequest {
                    job_site: Some(site("Board")),
                },
                token,
            ))
            .await?;
            Seen::Nothing
        }
        "GetJobSite" => {
            c.get_job_site(request(
                pb::GetJobSiteRequest {
                    id: fx.site_id.clone(),
                },
                token,
            ))
            .await?;
            Seen::OwnersData
        }
        "ListJobSites" => {
            let list = c
                .list_job_sites(request(pb::ListJobSitesRequest::default(), token))
                .await?
                .into_inner();
            owners(list.job_sites.iter().any(|s| s.id == fx.site_id))
        }
        "UpdateJobSite" => {
            let job_site = pb::JobSite {
                id: fx.site_id.clone(),
                rating: 4,
                ..Default::default()
            };
            let req = pb::UpdateJobSiteRequest {
                job_site: Some(job_site),
                update_mask: mask("rating"),
            };
            c.update_job_site(request(req, token)).await?;
            Seen::OwnersData
        }
        "DeleteJobSite" => {
            c.delete_job_site(request(
                pb::DeleteJobSiteRequest {
                    id: fx.site_id.clone(),
                },
                token,
            ))
            .await?;
            Seen::OwnersData
        }
        "CreateJobPosting" => {
            let req = pb::CreateJobPostingRequest {
                job_posting: Some(posting(&fx.site_id)),
            };
            c.create_job_posting(request(req, token)).await?;
            Seen::OwnersData
        }
        "GetJobPosting" => {
            c.get_job_posting(request(
                pb::GetJobPostingRequest {
                    id: fx.posting_id.clone(),
                },
                token,
            ))
            .await?;
            Seen::OwnersData
        }
        "ListJobPostings" => {
            let list = c
                .list_job_postings(request(pb::ListJobPostingsRequest::default(), token))
                .await?
                .into_inner();
            owners(list.job_postings.iter().any(|p| p.id == fx.posting_id))
        }
        "UpdateJobPosting" => {
            let job_posting = pb::JobPosting {
                id: fx.posting_id.clone(),
                pay_range: "100k".into(),
                ..Default::default()
            };
            let req = pb::UpdateJobPostingRequest {
                job_posting: Some(job_posting),
                update_mask: mask("pay_range"),
            };
            c.update_job_posting(request(req, token)).await?;
            Seen::OwnersData
        }
        "DeleteJobPosting" => {
            c.delete_job_posting(request(
                pb::DeleteJobPostingRequest {
                    id: fx.posting_id.clone(),
                },
                token,
            ))
            .await?;
            Seen::OwnersData
        }
        "CreateOpportunity" => {
            // Not active, so the dashboard cell counts only the owner's fixture.
            let new = pb::Opportunity {
                opportunity_status: pb::OpportunityStatus::New as i32,
                ..opportunity()
            };
            c.create_opportunity(request(
                pb::CreateOpportunityRequest {
                    opportunity: Some(new),
                },
                token,
            ))
            .await?;
            Seen::Nothing
        }
        "GetOpportunity" => {
            c.get_opportunity(request(
                pb::GetOpportunityRequest {
                    id: fx.opportunity_id.clone(),
                },
                token,
            ))
            .await?;
            Seen::OwnersData
        }
        "ListOpportunities" => {
            let list = c
                .list_opportunities(request(pb::ListOpportunitiesRequest::default(), token))
                .await?
                .into_inner();
            owners(list.opportunities.iter().any(|o| o.id == fx.opportunity_id))
        }
        "UpdateOpportunity" => {
            let opportunity = pb::Opportunity {
                id: fx.opportunity_id.clone(),
                job_duration: "6 months".into(),
                ..Default::default()
            };
            let req = pb::UpdateOpportunityRequest {
                opportunity: Some(opportunity),
                update_mask: mask("job_duration"),
            };
            c.update_opportunity(request(req, token)).await?;
            Seen::OwnersData
        }
        "DeleteOpportunity" => {
            c.delete_opportunity(request(
                pb::DeleteOpportunityRequest {
                    id: fx.opportunity_id.clone(),
                },
                token,
            ))
            .await?;
            Seen::OwnersData
        }
        "GetReport" => {
            let req = pb::GetReportRequest {
                report: Some(Report::PostingsPerSite(pb::PostingsPerSiteRequest {})),
            };
            let report = c.get_report(request(req, token)).await?.into_inner();
            let Some(pb::get_report_response::Report::PostingsPerSite(rows)) = report.report else {
                panic!("wrong report kind");
            };
            owners(rows.rows.iter().any(|r| r.job_site_id == fx.site_id))
        }
        "GetDashboard" => {
            let dashboard = c
                .get_dashboard(request(pb::GetDashboardRequest::default(), token))
                .await?
                .into_inner();
            owners(dashboard.active_postings > 0 || dashboard.active_opportunities > 0)
        }
        "GetAnalytics" => {
            let req = pb::GetAnalyticsRequest {
                group_by: pb::AnalyticsGroupBy::Site as i32,
                ..Default::default()
            };
            let analytics = c.get_analytics(request(req, token)).await?.into_inner();
            let applied = analytics.overall.map_or(0, |o| o.applied);
            owners(applied > 0 || analytics.groups.iter().any(|g| g.key == fx.site_id))
        }
        stage_rpc => {
            let (posting, event) = (&fx.posting_id, &fx.event_id);
            crate::stage_checks::matrix_call(app, stage_rpc, token, posting, event).await?;
            Seen::OwnersData
        }
    })
}

/// The exact answer each cell must give.
fn expected(who: Who, rpc: &str) -> Result<Seen, Code> {
    match who {
        Who::Owner => Ok(match rpc {
            "CreateJobSite" | "CreateOpportunity" => Seen::Nothing,
            _ => Seen::OwnersData,
        }),
        Who::OtherUser => match rpc {
            // Their own creations succeed; lists, reports, the dashboard and
            // analytics succeed but show none of the owner's data.
            "CreateJobSite" | "CreateOpportunity" | "ListJobSites" | "ListJobPostings"
            | "ListOpportunities" | "GetReport" | "GetDashboard" | "GetAnalytics" => {
                Ok(Seen::Nothing)
            }
            // Everything naming the owner's objects is NOT_FOUND, including a
            // posting on the owner's site.
            _ => Err(Code::NotFound),
        },
        _ => Err(Code::Unauthenticated),
    }
}

async fn fixture(app: &TestApp, owner: &TestUser) -> Fixture {
    let mut c = app.jobs.clone();
    let token = owner.access_token.as_str();
    let site_id = c
        .create_job_site(authed(
            pb::CreateJobSiteRequest {
                job_site: Some(site("Owner's board")),
            },
            token,
        ))
        .await
        .unwrap()
        .into_inner()
        .id;
    let posting_id = c
        .create_job_posting(authed(
            pb::CreateJobPostingRequest {
                job_posting: Some(posting(&site_id)),
            },
            token,
        ))
        .await
        .unwrap()
        .into_inner()
        .id;
    let opportunity_id = c
        .create_opportunity(authed(
            pb::CreateOpportunityRequest {
                opportunity: Some(opportunity()),
            },
            token,
        ))
        .await
        .unwrap()
        .into_inner()
        .id;
    let parent = format!("jobPostings/{posting_id}");
    let history = crate::stage_helpers::history(app, owner, &parent)
        .await
        .unwrap();
    Fixture {
        site_id,
        posting_id,
        opportunity_id,
        event_id: history[0].id.clone(),
    }
}

#[tokio::test]
async fn every_rpc_answers_each_kind_of_caller_exactly_as_specified() {
    let app = spawn_app().await;
    let owner = app.user("owner").await;
    let other = app.user("other").await;
    let fx = fixture(&app, &owner).await;
    let stranger_pem = auth_service::keys::generate_pem().unwrap();
    let expired = app.forged_token(&owner, &app.auth_signing_pem, |claims| {
        claims["iat"] = (now() - 7200).into();
        claims["nbf"] = (now() - 7200).into();
        claims["exp"] = (now() - 3600).into();
    });
    let stranger = app.forged_token(&owner, &stranger_pem, |_| {});
    let callers: [(Who, Option<&str>); 6] = [
        (Who::OtherUser, Some(other.access_token.as_str())),
        (Who::NoToken, None),
        (Who::ExpiredToken, Some(expired.as_str())),
        (
            Who::RefreshTokenAsBearer,
            Some(owner.refresh_token.as_str()),
        ),
        (Who::StrangerKey, Some(stranger.as_str())),
        // The owner runs last: its deletes remove the fixture.
        (Who::Owner, Some(owner.access_token.as_str())),
    ];
    let mut failures = Vec::new();
    for (who, token) in callers {
        for rpc in RPCS {
            let got = call(&app, rpc, token, &fx)
                .await
                .map_err(|status| status.code());
            let want = expected(who, rpc);
            if got != want {
                failures.push(format!("{who:?} × {rpc}: expected {want:?}, got {got:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "isolation matrix failures:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn another_users_object_is_indistinguishable_from_a_missing_one() {
    let app = spawn_app().await;
    let owner = app.user("owner").await;
    let other = app.user("other").await;
    let fx = fixture(&app, &owner).await;
    let mut c = app.jobs.clone();
    let missing = uuid::Uuid::now_v7().to_string();
    let theirs = c
        .get_job_site(authed(
            pb::GetJobSiteRequest {
                id: fx.site_id.clone(),
            },
            &other.access_token,
        ))
        .await
        .unwrap_err();
    let absent = c
        .get_job_site(authed(
            pb::GetJobSiteRequest { id: missing },
            &other.access_token,
        ))
        .await
        .unwrap_err();
    assert_eq!(
        (theirs.code(), theirs.message()),
        (absent.code(), absent.message())
    );
    assert_eq!(theirs.details(), absent.details());
}

#[tokio::test]
async fn health_and_reflection_need_no_token() {
    use tonic_health::pb::{
        HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
    };
    use tonic_reflection::pb::v1alpha::{
        ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
        server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
    };
    let app = spawn_app().await;
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", app.jobs_addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let health = HealthClient::new(channel.clone())
        .check(HealthCheckRequest {
            service: "jobsearch.jobs.v1.JobsService".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(health.status(), ServingStatus::Serving);

    let mut reflection = ServerReflectionClient::new(channel);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = reflection
        .server_reflection_info(futures::stream::iter([request]))
        .await
        .unwrap()
        .into_inner();
    let Some(MessageResponse::ListServicesResponse(list)) =
        responses.message().await.unwrap().unwrap().message_response
    else {
        panic!("expected a service list");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    assert!(
        names.contains(&"jobsearch.jobs.v1.JobsService".to_owned()),
        "{names:?}"
    );
}
