//! Interviews: scheduled under a posting or an opportunity, read, edited,
//! listed per parent and across parents, deleted with their parent; bad
//! input names each field, another user's interviews are NOT_FOUND.

use shared::proto::jobsearch::jobs::v1::{self as pb, InterviewKind, InterviewOutcome};
use tonic::{Code, Status};
use tonic_types::StatusExt as _;

use crate::{
    helpers::{now, spawn_app, ts},
    interview_helpers::{at, call, get_interview, interviews_of, mask, new_opportunity, schedule},
    stage_helpers::{DAY, history, new_posting, posting_parent},
};

fn violated_fields(status: &Status) -> Vec<String> {
    status
        .get_details_bad_request()
        .expect("field violations")
        .field_violations
        .into_iter()
        .map(|v| v.field)
        .collect()
}

#[tokio::test]
async fn an_interview_is_scheduled_read_edited_and_deleted() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let posting = new_posting(&app, &ada, pb::JobPosting::default()).await;
    let parent = posting_parent(&posting.id);
    let start = now() + 3 * DAY;
    let wanted = pb::Interview {
        round: 2,
        kind: InterviewKind::Technical as i32,
        time_zone: "europe/paris".into(),
        duration_minutes: 90,
        location: "  Remote ".into(),
        meeting_url: "https://meet.example.com/abc".into(),
        prep_notes: "system design\nbring questions".into(),
        ..at(start)
    };
    let created = schedule(&app, &ada, &parent, wanted).await.unwrap();
    assert_eq!(created.parent, parent);
    assert!(uuid::Uuid::parse_str(&created.id).is_ok());
    assert_eq!(
        (created.round, created.kind(), created.duration_minutes),
        (2, InterviewKind::Technical, 90)
    );
    // The zone is stored as the tz database spells it; text is trimmed.
    assert_eq!(created.time_zone, "Europe/Paris");
    assert_eq!(created.location, "Remote");
    assert_eq!(created.outcome(), InterviewOutcome::Pending);
    assert_eq!(created.scheduled_at, Some(ts(start)));
    assert!(created.interviewer_contact_ids.is_empty());
    assert_eq!(
        get_interview(&app, &ada, &created.id).await.unwrap(),
        created
    );
    // Scheduling is not history: the stage events stay the user's own.
    assert!(history(&app, &ada, &parent).await.unwrap().is_empty());

    let defaults = schedule(&app, &ada, &parent, at(start + DAY))
        .await
        .unwrap();
    assert_eq!(
        (defaults.round, defaults.kind(), defaults.duration_minutes),
        (1, InterviewKind::Other, 60)
    );
    assert_eq!(defaults.time_zone, "UTC");

    let passed = pb::Interview {
        id: created.id.clone(),
        outcome: InterviewOutcome::Passed as i32,
        time_zone: "America/New_York".into(),
        round: 49, // not in the mask: ignored
        ..Default::default()
    };
    let request = pb::UpdateInterviewRequest {
        interview: Some(passed),
        update_mask: mask(&["outcome", "time_zone"]),
    };
    let updated = call!(app, ada, update_interview, request).unwrap();
    assert_eq!(updated.outcome(), InterviewOutcome::Passed);
    assert_eq!(
        (updated.time_zone.as_str(), updated.round),
        ("America/New_York", 2)
    );
    assert_eq!(updated.create_time, created.create_time);
    let listed = interviews_of(&app, &ada, &parent).await.unwrap();
    assert_eq!(listed, [updated, defaults]);

    let request = pb::DeleteInterviewRequest {
        id: created.id.clone(),
    };
    call!(app, ada, delete_interview, request.clone()).unwrap();
    let status = get_interview(&app, &ada, &created.id).await.unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    let again = call!(app, ada, delete_interview, request).unwrap_err();
    assert_eq!(again.code(), Code::NotFound);
}

#[tokio::test]
async fn a_parents_interviews_list_soonest_first_and_page() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let opportunity = new_opportunity(&app, &ada, pb::Opportunity::default())
        .await
        .unwrap();
    let parent = format!("opportunities/{}", opportunity.id);
    let t = now() + DAY;
    let mut made = Vec::new();
    for offset in [3, 1, 2] {
        made.push(
            schedule(&app, &ada, &parent, at(t + offset * DAY))
                .await
                .unwrap(),
        );
    }
    assert_eq!(made[0].parent, parent);
    let first = pb::ListInterviewsRequest {
        parent: parent.clone(),
        page_size: 2,
        page_token: String::new(),
    };
    let page = call!(app, ada, list_interviews, first.clone()).unwrap();
    assert_eq!(page.interviews, [made[1].clone(), made[2].clone()]);
    let rest = pb::ListInterviewsRequest {
        page_token: page.next_page_token,
        ..first
    };
    let page = call!(app, ada, list_interviews, rest).unwrap();
    assert_eq!(page.interviews, [made[0].clone()]);
    assert!(page.next_page_token.is_empty());
}

#[tokio::test]
async fn bad_interviews_are_refused_naming_each_field() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let posting = new_posting(&app, &ada, pb::JobPosting::default()).await;
    let parent = posting_parent(&posting.id);
    let bad = pb::Interview {
        round: 51,
        kind: 99,
        time_zone: "Mars/Olympus_Mons".into(),
        duration_minutes: 1441,
        meeting_url: "javascript:alert(1)".into(),
        prep_notes: "x".repeat(10_001),
        ..Default::default()
    };
    let status = schedule(&app, &ada, "jobSites/1", bad).await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(
        violated_fields(&status),
        [
            "parent",
            "interview.round",
            "interview.kind",
            "interview.scheduled_at",
            "interview.time_zone",
            "interview.duration_minutes",
            "interview.meeting_url",
            "interview.prep_notes"
        ]
    );
    let created = schedule(&app, &ada, &parent, at(now())).await.unwrap();
    let zeroed = pb::Interview {
        id: created.id.clone(),
        ..Default::default()
    };
    let request = pb::UpdateInterviewRequest {
        interview: Some(zeroed),
        update_mask: mask(&[
            "outcome",
            "scheduled_at",
            "interviewer_contact_ids",
            "colour",
        ]),
    };
    let status = call!(app, ada, update_interview, request).unwrap_err();
    assert_eq!(
        violated_fields(&status),
        [
            "interview.outcome",
            "interview.scheduled_at",
            "interview.interviewer_contact_ids",
            "interview.colour"
        ]
    );
    let until_first = pb::ListUpcomingInterviewsRequest {
        from: Some(ts(100)),
        until: Some(ts(50)),
        page_token: "garbage".into(),
        ..Default::default()
    };
    let status = call!(app, ada, list_upcoming_interviews, until_first).unwrap_err();
    assert_eq!(violated_fields(&status), ["until", "page_token"]);
    // Nothing was written by the refused calls.
    assert_eq!(interviews_of(&app, &ada, &parent).await.unwrap(), [created]);
}

#[tokio::test]
async fn another_users_interviews_and_parents_are_not_found() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let bob = app.user("bob").await;
    let posting = new_posting(&app, &ada, pb::JobPosting::default()).await;
    let parent = posting_parent(&posting.id);
    let interview = schedule(&app, &ada, &parent, at(now() + DAY))
        .await
        .unwrap();

    let not_found = |result: Result<(), Status>| {
        let status = result.unwrap_err();
        assert_eq!(status.code(), Code::NotFound, "{status:?}");
    };
    not_found(schedule(&app, &bob, &parent, at(now())).await.map(drop));
    not_found(interviews_of(&app, &bob, &parent).await.map(drop));
    not_found(get_interview(&app, &bob, &interview.id).await.map(drop));
    let request = pb::UpdateInterviewRequest {
        interview: Some(pb::Interview {
            id: interview.id.clone(),
            outcome: InterviewOutcome::Failed as i32,
            ..Default::default()
        }),
        update_mask: mask(&["outcome"]),
    };
    not_found(call!(app, bob, update_interview, request).map(drop));
    let request = pb::DeleteInterviewRequest {
        id: interview.id.clone(),
    };
    not_found(call!(app, bob, delete_interview, request).map(drop));
    let upcoming = call!(
        app,
        bob,
        list_upcoming_interviews,
        pb::ListUpcomingInterviewsRequest::default()
    )
    .unwrap();
    assert!(upcoming.interviews.is_empty());
    // Ada's interview is untouched.
    assert_eq!(
        get_interview(&app, &ada, &interview.id).await.unwrap(),
        interview
    );
}

#[tokio::test]
async fn deleting_a_posting_takes_its_interviews() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let posting = new_posting(&app, &ada, pb::JobPosting::default()).await;
    let parent = posting_parent(&posting.id);
    let interview = schedule(&app, &ada, &parent, at(now() + DAY))
        .await
        .unwrap();
    let request = pb::DeleteJobPostingRequest {
        id: posting.id.clone(),
    };
    call!(app, ada, delete_job_posting, request).unwrap();
    let status = get_interview(&app, &ada, &interview.id).await.unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    let status = interviews_of(&app, &ada, &parent).await.unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
}

#[tokio::test]
async fn upcoming_interviews_span_parents_soonest_first_in_pages() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let posting = new_posting(&app, &ada, pb::JobPosting::default()).await;
    let opportunity = pb::Opportunity {
        recruiter_company: "Initech".into(),
        ..Default::default()
    };
    let opportunity = new_opportunity(&app, &ada, opportunity).await.unwrap();
    let posting_parent = posting_parent(&posting.id);
    let opportunity_parent = format!("opportunities/{}", opportunity.id);
    let t = now();
    schedule(&app, &ada, &posting_parent, at(t - DAY))
        .await
        .unwrap();
    let in_two = schedule(&app, &ada, &opportunity_parent, at(t + 2 * DAY)).await;
    let in_one = schedule(&app, &ada, &posting_parent, at(t + DAY)).await;
    let in_three = schedule(&app, &ada, &posting_parent, at(t + 3 * DAY)).await;
    let far = schedule(&app, &ada, &opportunity_parent, at(t + 30 * DAY)).await;
    let (in_one, in_two, in_three) = (in_one.unwrap(), in_two.unwrap(), in_three.unwrap());
    far.unwrap();

    // From now (the default) until ten days ahead, two per page.
    let first = pb::ListUpcomingInterviewsRequest {
        until: Some(ts(t + 10 * DAY)),
        page_size: 2,
        ..Default::default()
    };
    let page = call!(app, ada, list_upcoming_interviews, first.clone()).unwrap();
    let interviews: Vec<_> = page
        .interviews
        .iter()
        .map(|s| s.interview.clone())
        .collect();
    assert_eq!(interviews, [Some(in_one), Some(in_two)]);
    let labels: Vec<_> = page
        .interviews
        .iter()
        .map(|s| (s.company.as_str(), s.title.as_str()))
        .collect();
    assert_eq!(
        labels,
        [("Acme", "Engineer"), ("Initech", "Platform engineer")]
    );
    let rest = pb::ListUpcomingInterviewsRequest {
        page_token: page.next_page_token,
        ..first
    };
    let page = call!(app, ada, list_upcoming_interviews, rest).unwrap();
    assert_eq!(page.interviews.len(), 1);
    assert_eq!(page.interviews[0].interview, Some(in_three));
    assert!(page.next_page_token.is_empty());
}

#[tokio::test]
async fn a_parent_holds_at_most_100_interviews() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let posting = new_posting(&app, &ada, pb::JobPosting::default()).await;
    let parent = posting_parent(&posting.id);
    for i in 0..100 {
        schedule(&app, &ada, &parent, at(now() + i)).await.unwrap();
    }
    let status = schedule(&app, &ada, &parent, at(now())).await.unwrap_err();
    assert_eq!(violated_fields(&status), ["parent"]);
    let request = pb::ListInterviewsRequest {
        parent,
        page_size: 100,
        page_token: String::new(),
    };
    let page = call!(app, ada, list_interviews, request).unwrap();
    assert_eq!(page.interviews.len(), 100);
    assert!(page.next_page_token.is_empty());
}
