//! Purging what can no longer matter.

use auth_service::admin;

use crate::helpers::spawn_app;

async fn count(app: &crate::helpers::TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn flush_expired_deletes_only_expired_sessions_tokens_and_throttle_records() {
    let app = spawn_app().await;
    let live = app.signed_up("ada").await;
    let user_id = live.user.as_ref().unwrap().id.clone();
    // A session that ended long ago, with its refresh token, and a stale
    // throttle record, written as if from the past.
    sqlx::query(
        "INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES ($1, $2, 1, 10)",
    )
    .bind("old-session")
    .bind(&user_id)
    .execute(&app.state.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at) \
         VALUES ('old-hash', 'old-session', 1, 10)",
    )
    .execute(&app.state.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO login_throttle (account_key, failures, last_failure_at, locked_until) \
         VALUES ('name:old', 3, 1, 10)",
    )
    .execute(&app.state.db)
    .await
    .unwrap();

    // A revocation event whose tokens have all expired, and a live one (from
    // logging out a second session now).
    sqlx::query(
        "INSERT INTO revocation_events (seq, session_id, user_id, reason, created_at, expires_at) \
         VALUES (-1, 'old-session', $1, 'logout', 1, 10)",
    )
    .bind(&user_id)
    .execute(&app.state.db)
    .await
    .unwrap();
    let other = app.login("ada", crate::helpers::PASSWORD).await.unwrap();
    app.client
        .clone()
        .logout(shared::proto::jobsearch::auth::v1::LogoutRequest {
            refresh_token: other.refresh_token,
        })
        .await
        .unwrap();

    let purged = admin::flush_expired(&app.state).await.unwrap();
    assert_eq!(purged.revocation_events, 1, "{purged:?}");
    assert_eq!(count(&app, "revocation_events").await, 1);
    assert_eq!(purged.sessions, 1, "{purged:?}");
    assert_eq!(purged.refresh_tokens, 1, "{purged:?}");
    assert_eq!(purged.throttle_records, 1, "{purged:?}");
    // The live session and the just-ended one (kept while its tokens live).
    assert_eq!(count(&app, "sessions").await, 2);
    assert_eq!(count(&app, "refresh_tokens").await, 2);
    // The live session is untouched.
    app.me(&live.access_token).await.unwrap();
    app.refresh(&live.refresh_token).await.unwrap();
}
