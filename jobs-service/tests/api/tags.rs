//! Tags and sources: set by name through create and update masks, reused
//! ignoring case, listed with counts, deleted, used as list filters together
//! with the other filters and paging.

use shared::proto::jobsearch::jobs::v1::{self as pb, PostingStatus, Source};
use tonic::Code;

use crate::{
    helpers::{TestApp, TestUser, authed, expect_code, spawn_app},
    opportunities::violated_fields,
    tag_helpers::{
        add_posting, all_tags, create_opportunity, create_posting, listed_opportunities,
        listed_postings, opportunity, posting, site, update_opportunity, update_posting,
    },
};

/// (name, postings, opportunities) of every tag of `user`'s, in order.
async fn counts(app: &TestApp, user: &TestUser) -> Vec<(String, u32, u32)> {
    all_tags(app, user, 1)
        .await
        .into_iter()
        .map(|t| (t.name, t.job_postings, t.opportunities))
        .collect()
}

async fn delete_tag(app: &TestApp, user: &TestUser, id: &str) -> Result<(), tonic::Status> {
    let request = pb::DeleteTagRequest { id: id.into() };
    let mut jobs = app.jobs.clone();
    jobs.delete_tag(authed(request, &user.access_token)).await?;
    Ok(())
}

#[tokio::test]
async fn tags_are_set_replaced_and_cleared_through_update_masks() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let site = site(&app, &ada).await;
    let created = add_posting(
        &app,
        &ada,
        posting(&site, "Acme", "Engineer", &[" Rust ", "remote", "rust"]),
    )
    .await;
    // Trimmed, repeats collapsed, sorted ignoring case.
    assert_eq!(created.tags, ["remote", "Rust"]);

    // A mask without `tags` leaves them alone.
    let other = pb::JobPosting {
        pay_range: "lots".into(),
        tags: vec!["ignored".into()],
        ..created.clone()
    };
    let updated = update_posting(&app, &ada, other, &["pay_range"])
        .await
        .unwrap();
    assert_eq!(updated.tags, ["remote", "Rust"]);

    let replaced = pb::JobPosting {
        tags: vec!["Berlin".into(), "rust".into()],
        ..created.clone()
    };
    let updated = update_posting(&app, &ada, replaced, &["tags"])
        .await
        .unwrap();
    assert_eq!(updated.tags, ["Berlin", "Rust"]);
    let seconds = |p: &pb::JobPosting| p.update_time.as_ref().map(|t| t.seconds);
    assert!(seconds(&updated) >= seconds(&created));

    let cleared = pb::JobPosting {
        tags: Vec::new(),
        ..created.clone()
    };
    let updated = update_posting(&app, &ada, cleared, &["tags"])
        .await
        .unwrap();
    assert!(updated.tags.is_empty());
    // The tags stay the user's vocabulary, now unused.
    assert_eq!(
        counts(&app, &ada).await,
        [
            ("Rust".into(), 0, 0),
            ("remote".into(), 0, 0),
            ("Berlin".into(), 0, 0)
        ]
    );

    // Opportunities take tags the same way.
    let opp = create_opportunity(
        &app,
        &ada,
        opportunity("Dev", Source::Recruiter, &["b", "A"]),
    )
    .await
    .unwrap();
    assert_eq!(opp.tags, ["A", "b"]);
    assert_eq!(opp.source, Source::Recruiter as i32);
    let retagged = pb::Opportunity {
        tags: vec!["c".into()],
        source: Source::Referral as i32,
        ..opp.clone()
    };
    let updated = update_opportunity(&app, &ada, retagged.clone(), &["tags"])
        .await
        .unwrap();
    assert_eq!(updated.tags, ["c"]);
    assert_eq!(updated.source, Source::Recruiter as i32);
    let updated = update_opportunity(&app, &ada, retagged, &["source"])
        .await
        .unwrap();
    assert_eq!((updated.tags, updated.source), (vec!["c".to_owned()], 2));
}

#[tokio::test]
async fn a_tag_name_is_reused_ignoring_case_and_keeps_its_first_spelling() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let site = site(&app, &ada).await;
    add_posting(&app, &ada, posting(&site, "Acme", "Engineer", &["Straße"])).await;
    let second = add_posting(
        &app,
        &ada,
        posting(&site, "Globex", "Dev", &["STRASSE", "STRAẞE"]),
    )
    .await;
    // Unicode-aware folding: "STRAẞE" is "straße"; "STRASSE" is another word.
    assert_eq!(second.tags, ["STRASSE", "Straße"]);
    let opp = create_opportunity(
        &app,
        &ada,
        opportunity("Dev", Source::Unspecified, &["straße"]),
    )
    .await
    .unwrap();
    assert_eq!(opp.tags, ["Straße"]);
    assert_eq!(
        counts(&app, &ada).await,
        [("Straße".into(), 2, 1), ("STRASSE".into(), 1, 0)]
    );

    // Another user's tags are their own, even with the same name.
    let bob = app.user("bob").await;
    let bob_site = crate::tag_helpers::site(&app, &bob).await;
    let bobs = add_posting(
        &app,
        &bob,
        posting(&bob_site, "Acme", "Engineer", &["straße"]),
    )
    .await;
    assert_eq!(bobs.tags, ["straße"]);
    assert_eq!(counts(&app, &bob).await, [("straße".into(), 1, 0)]);
}

#[tokio::test]
async fn list_filters_by_tag_and_source_combine_with_the_other_filters_and_paging() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let (s1, s2) = (site(&app, &ada).await, site(&app, &ada).await);
    let mut ids = Vec::new();
    for (site, tags, source, status) in [
        (&s1, vec!["rust"], Source::JobSite, PostingStatus::Open),
        (
            &s1,
            vec!["Rust", "remote"],
            Source::Referral,
            PostingStatus::AwaitingFeedback,
        ),
        (&s2, vec!["rust"], Source::Referral, PostingStatus::Open),
        (&s1, vec!["go"], Source::Referral, PostingStatus::Open),
        (&s1, vec!["RUST"], Source::Referral, PostingStatus::Open),
    ] {
        let p = pb::JobPosting {
            source: source as i32,
            posting_status: status as i32,
            ..posting(site, "Acme", "Engineer", &tags)
        };
        ids.push(add_posting(&app, &ada, p).await.id);
    }
    let list = |tag: &str, source: Source| pb::ListJobPostingsRequest {
        page_size: 1,
        tag: tag.into(),
        source: source as i32,
        ..Default::default()
    };
    let listed = |request| listed_postings(&app, &ada, request);
    let pick = |which: &[usize]| which.iter().map(|i| ids[*i].clone()).collect::<Vec<_>>();
    assert_eq!(
        listed(list(" rust ", Source::Unspecified)).await.unwrap(),
        pick(&[0, 1, 2, 4])
    );
    assert_eq!(
        listed(list("", Source::Referral)).await.unwrap(),
        pick(&[1, 2, 3, 4])
    );
    assert_eq!(
        listed(list("RUST", Source::Referral)).await.unwrap(),
        pick(&[1, 2, 4])
    );
    let on_site = pb::ListJobPostingsRequest {
        job_site_id: s1.clone(),
        ..list("rust", Source::Referral)
    };
    assert_eq!(listed(on_site).await.unwrap(), pick(&[1, 4]));
    let active = pb::ListJobPostingsRequest {
        active_only: true,
        ..list("rust", Source::Unspecified)
    };
    assert_eq!(listed(active).await.unwrap(), pick(&[1]));
    assert!(
        listed(list("python", Source::Unspecified))
            .await
            .unwrap()
            .is_empty()
    );

    let mut opps = Vec::new();
    for (tags, source) in [
        (vec!["rust"], Source::Recruiter),
        (vec!["remote"], Source::Recruiter),
        (vec!["Rust"], Source::Network),
    ] {
        let opp = create_opportunity(&app, &ada, opportunity("Dev", source, &tags)).await;
        opps.push(opp.unwrap().id);
    }
    let list = |tag: &str, source: Source| pb::ListOpportunitiesRequest {
        page_size: 1,
        tag: tag.into(),
        source: source as i32,
        ..Default::default()
    };
    let listed = |request| listed_opportunities(&app, &ada, request);
    assert_eq!(
        listed(list("rust", Source::Unspecified)).await.unwrap(),
        [opps[0].clone(), opps[2].clone()]
    );
    assert_eq!(
        listed(list("", Source::Recruiter)).await.unwrap(),
        [opps[0].clone(), opps[1].clone()]
    );
    assert_eq!(
        listed(list("rust", Source::Network)).await.unwrap(),
        [opps[2].clone()]
    );
}

#[tokio::test]
async fn bad_tags_and_sources_name_the_field() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let site = site(&app, &ada).await;
    let too_many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
    let long = "x".repeat(51);
    for (tags, source, fields) in [
        (too_many.clone(), 0, vec!["job_posting.tags"]),
        (
            vec!["ok".into(), "  ".into(), long.clone()],
            0,
            vec!["job_posting.tags[1]", "job_posting.tags[2]"],
        ),
        (vec![], 99, vec!["job_posting.source"]),
    ] {
        let p = pb::JobPosting {
            tags,
            source,
            ..posting(&site, "Acme", "Engineer", &[])
        };
        let status = expect_code(create_posting(&app, &ada, p).await, Code::InvalidArgument);
        assert_eq!(violated_fields(&status), fields);
    }
    let opp = pb::Opportunity {
        tags: vec!["a\u{7}".into()],
        ..opportunity("Dev", Source::Other, &[])
    };
    let status = expect_code(
        create_opportunity(&app, &ada, opp).await,
        Code::InvalidArgument,
    );
    assert_eq!(violated_fields(&status), ["opportunity.tags[0]"]);
    let bad = pb::ListJobPostingsRequest {
        tag: long.clone(),
        source: 42,
        ..Default::default()
    };
    let status = expect_code(
        listed_postings(&app, &ada, bad).await,
        Code::InvalidArgument,
    );
    assert_eq!(violated_fields(&status), ["tag", "source"]);
    let bad = pb::ListOpportunitiesRequest {
        tag: long,
        ..Default::default()
    };
    let status = expect_code(
        listed_opportunities(&app, &ada, bad).await,
        Code::InvalidArgument,
    );
    assert_eq!(violated_fields(&status), ["tag"]);
    // Nothing was stored by the refused calls.
    assert!(all_tags(&app, &ada, 0).await.is_empty());
}

#[tokio::test]
async fn deleting_a_tag_unlinks_it_and_another_users_tag_is_not_found() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let bob = app.user("bob").await;
    let site = site(&app, &ada).await;
    let p = add_posting(
        &app,
        &ada,
        posting(&site, "Acme", "Engineer", &["rust", "remote"]),
    )
    .await;
    let opp = create_opportunity(&app, &ada, opportunity("Dev", Source::Other, &["rust"]))
        .await
        .unwrap();
    let rust = all_tags(&app, &ada, 0).await.remove(0);
    assert_eq!(rust.name, "rust");

    // Bob can neither see, filter by, nor delete Ada's tag.
    assert!(all_tags(&app, &bob, 0).await.is_empty());
    let by_tag = pb::ListJobPostingsRequest {
        tag: "rust".into(),
        ..Default::default()
    };
    assert!(
        listed_postings(&app, &bob, by_tag.clone())
            .await
            .unwrap()
            .is_empty()
    );
    expect_code(delete_tag(&app, &bob, &rust.id).await, Code::NotFound);
    expect_code(
        delete_tag(&app, &ada, &uuid::Uuid::now_v7().to_string()).await,
        Code::NotFound,
    );
    expect_code(
        delete_tag(&app, &ada, "not-an-id").await,
        Code::InvalidArgument,
    );

    delete_tag(&app, &ada, &rust.id).await.unwrap();
    let mut jobs = app.jobs.clone();
    let get = pb::GetJobPostingRequest { id: p.id.clone() };
    let after = jobs
        .get_job_posting(authed(get, &ada.access_token))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(after.tags, ["remote"]);
    let get = pb::GetOpportunityRequest { id: opp.id };
    let after = jobs
        .get_opportunity(authed(get, &ada.access_token))
        .await
        .unwrap()
        .into_inner();
    assert!(after.tags.is_empty());
    assert!(
        listed_postings(&app, &ada, by_tag)
            .await
            .unwrap()
            .is_empty()
    );

    // Deleting the posting takes its links with it; the tag stays.
    let delete = pb::DeleteJobPostingRequest { id: p.id };
    jobs.delete_job_posting(authed(delete, &ada.access_token))
        .await
        .unwrap();
    assert_eq!(counts(&app, &ada).await, [("remote".into(), 0, 0)]);
}
