//! Races and timing: what concurrent callers and patient attackers can and
//! cannot learn or break.

use std::time::{Duration, Instant};

use shared::proto::jobsearch::auth::v1 as pb;
use tonic::Code;

use crate::helpers::{PASSWORD, authed, spawn_app_with};

#[tokio::test]
async fn unknown_users_and_wrong_passwords_take_the_same_time() {
    // Throttling would change the work done after a few failures; lift it.
    let app = spawn_app_with(&[("AUTH_LOGIN_MAX_FAILURES", "1000000")]).await;
    app.register("ada").await;
    // A shared, noisy machine can skew one round; a real difference (say,
    // skipping the hash for unknown users) skews every round the same way.
    let mut ratios = Vec::new();
    for _ in 0..3 {
        let ratio = median_ratio(&app, 150).await;
        ratios.push(ratio);
        if (0.85..=1.15).contains(&ratio) {
            println!("median Login time, wrong password ÷ unknown user: {ratios:.3?}");
            return;
        }
    }
    panic!("timing reveals who exists: ratios {ratios:.3?}");
}

/// Median time of `trials` failed logins with a wrong password over that of
/// logins with an unknown username, interleaved so noise hits both alike.
async fn median_ratio(app: &crate::helpers::TestApp, trials: usize) -> f64 {
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for i in 0..trials {
        for (username, samples) in [("ada", &mut known), ("nobody", &mut unknown)] {
            let start = Instant::now();
            let status = app
                .login(username, &format!("Wrong-Password-{i}!"))
                .await
                .unwrap_err();
            samples.push(start.elapsed());
            assert_eq!(status.code(), Code::Unauthenticated);
        }
    }
    let median = |samples: &mut Vec<Duration>| {
        samples.sort();
        samples[samples.len() / 2]
    };
    median(&mut known).as_secs_f64() / median(&mut unknown).as_secs_f64()
}

#[tokio::test]
async fn a_password_change_racing_logins_leaves_one_consistent_password() {
    let app = spawn_app_with(&[("AUTH_LOGIN_MAX_FAILURES", "1000")]).await;
    let tokens = app.signed_up("ada").await;
    let new_password = "Another-Secret-Phrase-9";
    let change = {
        let mut client = app.client.clone();
        let request = pb::ChangePasswordRequest {
            current_password: PASSWORD.into(),
            new_password: new_password.into(),
        };
        let token = tokens.access_token.clone();
        tokio::spawn(async move { client.change_password(authed(request, &token)).await })
    };
    let logins = futures::future::join_all((0..16).map(|i| {
        let password = if i % 2 == 0 { PASSWORD } else { new_password };
        app.login("ada", password)
    }))
    .await;
    change.await.unwrap().unwrap();
    // Each login saw either the old or the new password, never a broken one.
    for result in &logins {
        if let Err(status) = result {
            assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
        }
    }
    // Afterwards exactly the new password works; no session opened with the
    // old password survives the change (it was ended with the caller's other
    // sessions, or refused because the password had changed meanwhile).
    app.login("ada", new_password).await.unwrap();
    assert_eq!(
        app.login("ada", PASSWORD).await.unwrap_err().code(),
        Code::Unauthenticated
    );
    for (i, result) in logins.into_iter().enumerate() {
        let Ok(tokens) = result else { continue };
        let works = app.me(&tokens.access_token).await.is_ok();
        assert_eq!(
            works,
            i % 2 == 1,
            "login {i} with the {} password",
            if i % 2 == 0 { "old" } else { "new" }
        );
    }
}

#[tokio::test]
async fn a_client_deadline_is_enforced_by_the_server() {
    // Costly hashing so that a login cannot finish within the deadline.
    let app = spawn_app_with(&[
        ("AUTH_ARGON2_MEMORY_KIB", "32768"),
        ("AUTH_ARGON2_ITERATIONS", "2"),
    ])
    .await;
    let mut request = tonic::Request::new(pb::LoginRequest {
        username: "nobody".into(),
        password: PASSWORD.into(),
    });
    // The header alone (20 ms), so that it is the server that enforces it
    // (tonic's client would otherwise cancel on its own clock).
    request
        .metadata_mut()
        .insert("grpc-timeout", "20m".parse().unwrap());
    let started = Instant::now();
    let status = app.client.clone().login(request).await.unwrap_err();
    // tonic's server reports its own deadline as CANCELLED ("Timeout
    // expired"); the spec's DEADLINE_EXCEEDED is accepted too.
    assert!(
        matches!(status.code(), Code::DeadlineExceeded | Code::Cancelled),
        "{status:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "answered after {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn concurrent_registrations_of_one_email_in_different_case_let_exactly_one_win() {
    // The username race is in accounts.rs; the e-mail has its own unique
    // key and its own race.
    let app = crate::helpers::spawn_app().await;
    let emails = [
        "grace@example.com",
        "GRACE@EXAMPLE.COM",
        "Grace@Example.com",
        "gRaCe@eXaMpLe.CoM",
        "grace@EXAMPLE.com",
        "GRACE@example.com",
        "grAce@example.com",
        "Grace@example.COM",
    ];
    let attempts = emails.iter().enumerate().map(|(i, email)| {
        let mut client = app.client.clone();
        let request = pb::RegisterRequest {
            username: format!("grace{i}"),
            email: (*email).to_owned(),
            password: PASSWORD.into(),
            ..Default::default()
        };
        async move { client.register(request).await }
    });
    let results = futures::future::join_all(attempts).await;
    let wins = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(wins, 1, "{results:?}");
    for status in results.into_iter().filter_map(Result::err) {
        assert_eq!(status.code(), Code::AlreadyExists, "{status:?}");
        assert!(status.message().contains("email"), "{status:?}");
    }
}
