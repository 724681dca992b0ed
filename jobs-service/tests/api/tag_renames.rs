//! Renaming a tag: every posting and opportunity carrying it shows the new
//! name; a name another tag has (ignoring case) is ALREADY_EXISTS; another
//! user's tag is NOT_FOUND.

use shared::proto::jobsearch::jobs::v1::{self as pb, Source};
use tonic::{Code, Status};

use crate::{
    helpers::{TestApp, TestUser, authed, expect_code, spawn_app},
    opportunities::violated_fields,
    tag_helpers::{add_posting, all_tags, create_opportunity, opportunity, posting, site},
};

async fn rename(app: &TestApp, user: &TestUser, id: &str, name: &str) -> Result<pb::Tag, Status> {
    let request = pb::RenameTagRequest {
        id: id.into(),
        name: name.into(),
    };
    let mut jobs = app.jobs.clone();
    Ok(jobs
        .rename_tag(authed(request, &user.access_token))
        .await?
        .into_inner())
}

#[tokio::test]
async fn a_renamed_tag_shows_its_new_name_everywhere_and_names_stay_unique() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let site = site(&app, &ada).await;
    let p = add_posting(
        &app,
        &ada,
        posting(&site, "Acme", "Engineer", &["rust", "go"]),
    )
    .await;
    let opp = create_opportunity(&app, &ada, opportunity("Dev", Source::Other, &["rust"]))
        .await
        .unwrap();
    let tags = all_tags(&app, &ada, 0).await;
    let (rust, go) = (&tags[0], &tags[1]);

    let renamed = rename(&app, &ada, &rust.id, " Rustlang ").await.unwrap();
    assert_eq!(
        (
            renamed.name.as_str(),
            renamed.job_postings,
            renamed.opportunities
        ),
        ("Rustlang", 1, 1)
    );
    assert_eq!(renamed.id, rust.id);
    // A change of case only is the same tag, not a clash with itself.
    assert_eq!(rename(&app, &ada, &go.id, "Go").await.unwrap().name, "Go");

    let mut jobs = app.jobs.clone();
    let get = pb::GetJobPostingRequest { id: p.id };
    let got = jobs.get_job_posting(authed(get, &ada.access_token)).await;
    assert_eq!(got.unwrap().into_inner().tags, ["Go", "Rustlang"]);
    let get = pb::GetOpportunityRequest { id: opp.id };
    let got = jobs.get_opportunity(authed(get, &ada.access_token)).await;
    assert_eq!(got.unwrap().into_inner().tags, ["Rustlang"]);
    let by_new_name = pb::ListJobPostingsRequest {
        tag: "rustlang".into(),
        ..Default::default()
    };
    let listed = jobs
        .list_job_postings(authed(by_new_name, &ada.access_token))
        .await;
    assert_eq!(listed.unwrap().into_inner().job_postings.len(), 1);

    let status = expect_code(
        rename(&app, &ada, &go.id, "RUSTLANG").await,
        Code::AlreadyExists,
    );
    assert_eq!(status.message(), "a tag of that name already exists");
    let names: Vec<String> = all_tags(&app, &ada, 0)
        .await
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["Rustlang", "Go"]);
}

#[tokio::test]
async fn renaming_checks_the_name_and_another_users_tag_is_not_found() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let bob = app.user("bob").await;
    let site = site(&app, &ada).await;
    add_posting(&app, &ada, posting(&site, "Acme", "Engineer", &["rust"])).await;
    let rust = all_tags(&app, &ada, 0).await.remove(0);

    expect_code(rename(&app, &bob, &rust.id, "mine").await, Code::NotFound);
    let missing = uuid::Uuid::now_v7().to_string();
    expect_code(rename(&app, &ada, &missing, "x").await, Code::NotFound);
    let status = expect_code(rename(&app, &ada, "nope", " ").await, Code::InvalidArgument);
    assert_eq!(violated_fields(&status), ["id", "name"]);
    let long = "x".repeat(51);
    let status = expect_code(
        rename(&app, &ada, &rust.id, &long).await,
        Code::InvalidArgument,
    );
    assert_eq!(violated_fields(&status), ["name"]);
    assert_eq!(all_tags(&app, &ada, 0).await[0].name, "rust");
}
