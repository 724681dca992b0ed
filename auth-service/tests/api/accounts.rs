//! Register, ListUsers and the admin commands.

use auth_service::admin;
use shared::proto::jobsearch::auth::v1 as pb;
use tonic::Code;
use tonic_types::StatusExt as _;

use crate::helpers::{PASSWORD, authed, expect_code, spawn_app, spawn_app_with};

fn registration(username: &str, email: &str, password: &str) -> pb::RegisterRequest {
    pb::RegisterRequest {
        username: username.into(),
        email: email.into(),
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        password: password.into(),
    }
}

#[tokio::test]
async fn register_returns_the_user_with_the_seed_defaults() {
    let app = spawn_app().await;
    let user = app.register("ada").await;
    assert_eq!(user.username, "ada");
    assert_eq!(user.email, "ada@example.com");
    assert_eq!(user.bio, "");
    assert_eq!(user.user_greeting, "Welcome!");
    assert_eq!(user.color_mode, "light");
    assert!(user.dashboard_first_date.is_none() && user.dashboard_second_date.is_none());
    assert!(!user.is_staff);
    assert!(user.date_joined.is_some() && user.last_login.is_none());
    assert!(uuid::Uuid::parse_str(&user.id).is_ok());
}

#[tokio::test]
async fn register_refuses_a_taken_username_or_email_in_any_letter_case() {
    let app = spawn_app().await;
    app.register("ada").await;
    let mut client = app.client.clone();
    let status = expect_code(
        client
            .register(registration("ADA", "other@example.com", PASSWORD))
            .await,
        Code::AlreadyExists,
    );
    assert!(status.message().contains("username"));
    let status = expect_code(
        client
            .register(registration("other", "Ada@Example.COM", PASSWORD))
            .await,
        Code::AlreadyExists,
    );
    assert!(status.message().contains("email"));
}

#[tokio::test]
async fn register_reports_every_invalid_field() {
    let app = spawn_app().await;
    let status = expect_code(
        app.client
            .clone()
            .register(registration("bad name", "not-an-email", "12345678"))
            .await,
        Code::InvalidArgument,
    );
    let bad_request = status.get_details_bad_request().expect("field violations");
    let fields: Vec<&str> = bad_request
        .field_violations
        .iter()
        .map(|v| v.field.as_str())
        .collect();
    assert!(fields.contains(&"username"), "{fields:?}");
    assert!(fields.contains(&"email"), "{fields:?}");
    let password_reasons: Vec<&str> = bad_request
        .field_violations
        .iter()
        .filter(|v| v.field == "password")
        .map(|v| v.description.as_str())
        .collect();
    assert!(
        password_reasons.contains(&"is too common"),
        "{password_reasons:?}"
    );
    assert!(
        password_reasons.contains(&"is entirely numeric"),
        "{password_reasons:?}"
    );
    assert!(password_reasons.len() >= 4, "{password_reasons:?}");
    assert!(!status.message().contains("12345678"));
}

#[tokio::test]
async fn the_strong_password_rule_applies_unless_switched_off() {
    let weak_but_valid = "purple-tangerine-walrus";
    let strict = spawn_app().await;
    let status = expect_code(
        strict
            .client
            .clone()
            .register(registration("ada", "ada@example.com", weak_but_valid))
            .await,
        Code::InvalidArgument,
    );
    assert!(
        status.message().contains("uppercase"),
        "{}",
        status.message()
    );

    let relaxed = spawn_app_with(&[("ENABLE_STRONG_PASSWORDS", "false")]).await;
    relaxed
        .client
        .clone()
        .register(registration("ada", "ada@example.com", weak_but_valid))
        .await
        .expect("accepted without the strong rule");
}

#[tokio::test]
async fn passwords_resembling_the_account_are_refused() {
    let app = spawn_app().await;
    let status = expect_code(
        app.client
            .clone()
            .register(registration(
                "margaretham",
                "m@example.com",
                "Margaretham1!",
            ))
            .await,
        Code::InvalidArgument,
    );
    assert!(
        status.message().contains("too similar to the username"),
        "{}",
        status.message()
    );
}

#[tokio::test]
async fn concurrent_registrations_of_one_name_in_different_case_let_exactly_one_win() {
    let app = spawn_app().await;
    let names = [
        "grace", "GRACE", "Grace", "gRaCe", "graCE", "GRace", "gracE", "GrAcE",
    ];
    let attempts = names.iter().enumerate().map(|(i, name)| {
        let mut client = app.client.clone();
        let request = registration(name, &format!("g{i}@example.com"), PASSWORD);
        async move { client.register(request).await }
    });
    let results = futures::future::join_all(attempts).await;
    let wins = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(wins, 1, "{results:?}");
    for result in results.into_iter().filter_map(Result::err) {
        assert_eq!(result.code(), Code::AlreadyExists, "{result:?}");
    }
}

#[tokio::test]
async fn list_users_is_for_staff_only() {
    let app = spawn_app().await;
    let tokens = app.signed_up("ada").await;
    expect_code(
        app.client
            .clone()
            .list_users(authed(
                pb::ListUsersRequest::default(),
                &tokens.access_token,
            ))
            .await,
        Code::PermissionDenied,
    );
    expect_code(
        app.client
            .clone()
            .list_users(pb::ListUsersRequest::default())
            .await,
        Code::Unauthenticated,
    );
}

#[tokio::test]
async fn list_users_pages_through_every_user_in_join_order() {
    let app = spawn_app().await;
    admin::create_staff_user(&app.state, "boss", "boss@example.com", PASSWORD.into())
        .await
        .unwrap();
    let staff = app.login("boss", PASSWORD).await.unwrap();
    for name in ["u1", "u2", "u3", "u4"] {
        app.register(name).await;
    }
    let mut seen = Vec::new();
    let mut page_token = String::new();
    loop {
        let request = pb::ListUsersRequest {
            page_size: 2,
            page_token: page_token.clone(),
        };
        let page = app
            .client
            .clone()
            .list_users(authed(request, &staff.access_token))
            .await
            .unwrap()
            .into_inner();
        assert!(page.users.len() <= 2);
        seen.extend(page.users.into_iter().map(|u| u.username));
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = page.next_page_token;
    }
    assert_eq!(seen, ["boss", "u1", "u2", "u3", "u4"]);
}

#[tokio::test]
async fn list_users_refuses_bad_page_sizes_and_tokens() {
    let app = spawn_app().await;
    admin::create_staff_user(&app.state, "boss", "boss@example.com", PASSWORD.into())
        .await
        .unwrap();
    let staff = app.login("boss", PASSWORD).await.unwrap();
    for request in [
        pb::ListUsersRequest {
            page_size: 201,
            page_token: String::new(),
        },
        pb::ListUsersRequest {
            page_size: -1,
            page_token: String::new(),
        },
        pb::ListUsersRequest {
            page_size: 10,
            page_token: "' OR 1=1 --".into(),
        },
    ] {
        expect_code(
            app.client
                .clone()
                .list_users(authed(request, &staff.access_token))
                .await,
            Code::InvalidArgument,
        );
    }
}

#[tokio::test]
async fn the_admin_command_applies_the_password_policy() {
    let app = spawn_app().await;
    let error = admin::create_staff_user(&app.state, "boss", "boss@example.com", "password".into())
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("password: is too common"),
        "{error}"
    );
}

#[tokio::test]
async fn calls_fail_with_unavailable_and_health_drops_when_the_database_is_gone() {
    use tonic_health::pb::{
        HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
    };
    let app = spawn_app().await;
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", app.addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut health = HealthClient::new(channel);
    let status = |service: &str| HealthCheckRequest {
        service: service.into(),
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let wait_for = |wanted: ServingStatus| {
        let mut health = health.clone();
        async move {
            loop {
                let got = health
                    .check(status(""))
                    .await
                    .unwrap()
                    .into_inner()
                    .status();
                if got == wanted {
                    return;
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "health stayed {got:?}"
                );
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        }
    };
    wait_for(ServingStatus::Serving).await;
    app.state.writer.close().await;
    app.state.db.close().await;
    expect_code(app.login("ada", PASSWORD).await, Code::Unavailable);
    wait_for(ServingStatus::NotServing).await;
    let named = health
        .check(status("jobsearch.auth.v1.AuthService"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(named.status(), ServingStatus::NotServing);
}
