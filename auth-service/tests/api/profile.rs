//! GetMe, UpdateMe and ChangePassword.

use prost_types::{FieldMask, Timestamp};
use shared::proto::jobsearch::auth::v1 as pb;
use tonic::Code;
use tonic_types::StatusExt as _;

use crate::helpers::{PASSWORD, TestApp, authed, expect_code, spawn_app};

async fn update(
    app: &TestApp,
    token: &str,
    user: pb::User,
    paths: &[&str],
) -> Result<pb::User, tonic::Status> {
    let request = pb::UpdateMeRequest {
        user: Some(user),
        update_mask: Some(FieldMask {
            paths: paths.iter().map(|p| (*p).to_owned()).collect(),
        }),
    };
    app.client
        .clone()
        .update_me(authed(request, token))
        .await
        .map(|r| r.into_inner().user.unwrap())
}

#[tokio::test]
async fn update_me_changes_only_the_masked_fields() {
    let app = spawn_app().await;
    let tokens = app.signed_up("ada").await;
    let patch = pb::User {
        bio: "Analyst".into(),
        color_mode: "dark".into(),
        first_name: "ignored because unmasked".into(),
        dashboard_first_date: Some(Timestamp {
            seconds: 1_767_225_600,
            nanos: 0,
        }),
        ..Default::default()
    };
    let updated = update(
        &app,
        &tokens.access_token,
        patch,
        &["bio", "color_mode", "dashboard_first_date"],
    )
    .await
    .unwrap();
    assert_eq!(updated.bio, "Analyst");
    assert_eq!(updated.color_mode, "dark");
    assert_eq!(updated.first_name, "Test");
    assert_eq!(updated.user_greeting, "Welcome!");
    assert_eq!(updated.dashboard_first_date.unwrap().seconds, 1_767_225_600);
    assert_eq!(app.me(&tokens.access_token).await.unwrap(), updated);

    // Naming an unset timestamp clears it.
    let cleared = update(
        &app,
        &tokens.access_token,
        pb::User::default(),
        &["dashboard_first_date"],
    )
    .await
    .unwrap();
    assert!(cleared.dashboard_first_date.is_none());
    assert_eq!(cleared.bio, "Analyst");
}

#[tokio::test]
async fn update_me_keeps_usernames_and_emails_unique() {
    let app = spawn_app().await;
    app.register("grace").await;
    let tokens = app.signed_up("ada").await;
    let taken_name = pb::User {
        username: "GRACE".into(),
        ..Default::default()
    };
    expect_code(
        update(&app, &tokens.access_token, taken_name, &["username"]).await,
        Code::AlreadyExists,
    );
    let taken_email = pb::User {
        email: "grace@EXAMPLE.com".into(),
        ..Default::default()
    };
    expect_code(
        update(&app, &tokens.access_token, taken_email, &["email"]).await,
        Code::AlreadyExists,
    );

    let renamed = pb::User {
        username: "ada.l".into(),
        ..Default::default()
    };
    let user = update(&app, &tokens.access_token, renamed, &["username"])
        .await
        .unwrap();
    assert_eq!(user.username, "ada.l");
    app.login("ada.l", PASSWORD).await.unwrap();
}

#[tokio::test]
async fn update_me_names_unknown_read_only_and_invalid_fields() {
    let app = spawn_app().await;
    let tokens = app.signed_up("ada").await;
    let patch = pb::User {
        user_greeting: "x".repeat(25),
        ..Default::default()
    };
    let status = expect_code(
        update(
            &app,
            &tokens.access_token,
            patch,
            &["is_staff", "password_hash", "user_greeting"],
        )
        .await,
        Code::InvalidArgument,
    );
    let fields: Vec<String> = status
        .get_details_bad_request()
        .unwrap()
        .field_violations
        .into_iter()
        .map(|v| v.field)
        .collect();
    assert_eq!(
        fields,
        ["user.is_staff", "user.password_hash", "user.user_greeting"]
    );
    expect_code(
        update(&app, &tokens.access_token, pb::User::default(), &[]).await,
        Code::InvalidArgument,
    );
    assert!(!app.me(&tokens.access_token).await.unwrap().is_staff);
}

async fn change_password(
    app: &TestApp,
    token: &str,
    current: &str,
    new: &str,
) -> Result<u32, tonic::Status> {
    let request = pb::ChangePasswordRequest {
        current_password: current.into(),
        new_password: new.into(),
    };
    app.client
        .clone()
        .change_password(authed(request, token))
        .await
        .map(|r| r.into_inner().sessions_ended)
}

#[tokio::test]
async fn change_password_ends_every_other_session() {
    let app = spawn_app().await;
    let current = app.signed_up("ada").await;
    let other = app.login("ada", PASSWORD).await.unwrap();
    let new_password = "Another-Secret-Phrase-9";
    let ended = change_password(&app, &current.access_token, PASSWORD, new_password)
        .await
        .unwrap();
    assert_eq!(ended, 1);
    expect_code(app.me(&other.access_token).await, Code::Unauthenticated);
    expect_code(
        app.refresh(&other.refresh_token).await,
        Code::Unauthenticated,
    );
    app.me(&current.access_token).await.unwrap();
    expect_code(app.login("ada", PASSWORD).await, Code::Unauthenticated);
    app.login("ada", new_password).await.unwrap();
}

#[tokio::test]
async fn change_password_checks_the_current_password_and_the_policy() {
    let app = spawn_app().await;
    let tokens = app.signed_up("ada").await;
    let status = expect_code(
        change_password(
            &app,
            &tokens.access_token,
            "Wrong-Password-1!",
            "Another-Secret-Phrase-9",
        )
        .await,
        Code::InvalidArgument,
    );
    assert!(status.message().contains("current_password"));
    let status = expect_code(
        change_password(&app, &tokens.access_token, PASSWORD, "password").await,
        Code::InvalidArgument,
    );
    assert!(
        status.message().contains("new_password: is too common"),
        "{}",
        status.message()
    );
    app.login("ada", PASSWORD)
        .await
        .expect("password unchanged");
}
