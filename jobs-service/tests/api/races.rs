//! Concurrent masked updates of one posting: each changes only its own
//! field, so none is lost.

use prost_types::FieldMask;
use shared::proto::jobsearch::jobs::v1 as pb;

use crate::helpers::{authed, spawn_app};

/// Writes one field of a posting.
type SetField = fn(&mut pb::JobPosting, String);

#[tokio::test]
async fn concurrent_masked_updates_of_one_posting_lose_no_field() {
    let app = spawn_app().await;
    let user = app.user("ada").await;
    let mut jobs = app.jobs.clone();
    let token = user.access_token.as_str();
    let site = jobs
        .create_job_site(authed(
            pb::CreateJobSiteRequest {
                job_site: Some(pb::JobSite {
                    site_name: "Board".into(),
                    ..Default::default()
                }),
            },
            token,
        ))
        .await
        .unwrap()
        .into_inner();
    let posting = jobs
        .create_job_posting(authed(
            pb::CreateJobPostingRequest {
                job_posting: Some(pb::JobPosting {
                    job_site_id: site.id,
                    company_name: "Acme".into(),
                    posting_title: "Engineer".into(),
                    ..Default::default()
                }),
            },
            token,
        ))
        .await
        .unwrap()
        .into_inner();
    // Eight writers, each owning one field, each writing it five times.
    let fields: [(&str, SetField); 8] = [
        ("pay_range", |p, v| p.pay_range = v),
        ("location_city", |p, v| p.location_city = v),
        ("rejected_after_stage", |p, v| p.rejected_after_stage = v),
        ("job_scan_info", |p, v| p.job_scan_info = v),
        ("outreach_info", |p, v| p.outreach_info = v),
        ("technology_string", |p, v| p.technology_string = v),
        ("job_description", |p, v| p.job_description = v),
        ("posting_title", |p, v| p.posting_title = v),
    ];
    let writers = fields.iter().map(|(path, set)| {
        let (mut jobs, id, token) = (app.jobs.clone(), posting.id.clone(), token.to_owned());
        async move {
            for round in 0..5 {
                let mut change = pb::JobPosting {
                    id: id.clone(),
                    ..Default::default()
                };
                set(&mut change, format!("{path} {round}"));
                let request = pb::UpdateJobPostingRequest {
                    job_posting: Some(change),
                    update_mask: Some(FieldMask {
                        paths: vec![(*path).to_owned()],
                    }),
                };
                jobs.update_job_posting(authed(request, &token))
                    .await
                    .unwrap();
            }
        }
    });
    futures::future::join_all(writers).await;
    let stored = jobs
        .get_job_posting(authed(pb::GetJobPostingRequest { id: posting.id }, token))
        .await
        .unwrap()
        .into_inner();
    let got = [
        &stored.pay_range,
        &stored.location_city,
        &stored.rejected_after_stage,
        &stored.job_scan_info,
        &stored.outreach_info,
        &stored.technology_string,
        &stored.job_description,
        &stored.posting_title,
    ];
    for ((path, _), value) in fields.iter().zip(got) {
        assert_eq!(value, &format!("{path} 4"), "{path} lost its last write");
    }
    assert_eq!(stored.company_name, "Acme");
}
