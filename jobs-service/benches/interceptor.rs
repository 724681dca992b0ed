//! What the revocation check adds to every authenticated call: the
//! interceptor's token verification alone, the whole interceptor with an
//! empty revocation set and with a full one (90,000 revoked sessions, the
//! design's sizing of 100 logouts/s over 15-minute tokens, plus 1,000
//! revoked users, none matching the token so the call succeeds and pays the
//! lookups), and the bare `is_revoked` lookup on that full set.
//!
//! The whole-interceptor variants send the same token on every call, so
//! after the first one it comes from the cache of verified tokens (a SHA-256
//! and a lookup instead of the signature check): `verify_only` is what a
//! cache miss costs on top.
//!
//! Every variant but the last builds a fresh `tonic::Request<()>` carrying
//! `authorization: Bearer <token>` per iteration, so that cost cancels out in
//! the differences. The token is a real EdDSA access token minted with the
//! auth-service's signing code.
//!
//! Run: `cargo bench -p jobs-service --bench interceptor`

#![allow(clippy::unwrap_used)]

use std::{hint::black_box, time::Duration};

use auth_service::keys::{SigningKeys, generate_pem};
use criterion::{Criterion, criterion_group, criterion_main};
use jobs_service::{
    auth::{Authenticator, KeyStore},
    config::StalePolicy,
    revocation::RevocationSet,
};
use shared::{
    proto::jobsearch::auth::v1::{RevocationEvent, UserRevocation, revocation_event::Target},
    timestamp,
    token::{AccessClaims, AccessTokenVerifier, PublicKey, bearer_token},
};
use tonic::{Request, metadata::MetadataValue};

const ISSUER: &str = "jobsearch-auth";
const AUDIENCE: &str = "jobsearch";
const REVOKED_SESSIONS: i64 = 90_000;
const REVOKED_USERS: i64 = 1_000;

fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A request as a client sends it: no body, the token in metadata.
fn request(authorization: &MetadataValue<tonic::metadata::Ascii>) -> Request<()> {
    let mut request = Request::new(());
    request
        .metadata_mut()
        .insert("authorization", authorization.clone());
    request
}

fn authenticator(keys: &KeyStore, revocations: RevocationSet) -> Authenticator {
    Authenticator {
        keys: keys.clone(),
        revocations,
        // Counted as in production: the counter is part of the per-call cost.
        verifications: Default::default(),
        cache_hits: Default::default(),
        stale_policy: StalePolicy::Serve,
        max_staleness: Duration::from_secs(30),
    }
}

/// Revokes `REVOKED_SESSIONS` other sessions and `REVOKED_USERS` other users.
fn full_set(now: i64) -> RevocationSet {
    let set = RevocationSet::default();
    let mut cursor = 0;
    for _ in 0..REVOKED_SESSIONS {
        cursor += 1;
        set.apply(&RevocationEvent {
            cursor,
            target: Some(Target::SessionId(uuid::Uuid::now_v7().to_string())),
            expires_at: Some(timestamp(now + 900)),
            reason: "logout".into(),
        });
    }
    for _ in 0..REVOKED_USERS {
        cursor += 1;
        set.apply(&RevocationEvent {
            cursor,
            target: Some(Target::User(UserRevocation {
                user_id: uuid::Uuid::now_v7().to_string(),
                issued_before: Some(timestamp(now)),
            })),
            expires_at: Some(timestamp(now + 900)),
            reason: "user_disabled".into(),
        });
    }
    set
}

fn interceptor(c: &mut Criterion) {
    let signing = SigningKeys::from_pem(&generate_pem().unwrap(), &[]).unwrap();
    let published = &signing.published()[0];
    let public = || vec![PublicKey::from_jwk_x(published.kid.clone(), &published.x).unwrap()];
    let now = unix_now();
    let claims = AccessClaims {
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        sub: uuid::Uuid::now_v7().to_string(),
        sid: uuid::Uuid::now_v7().to_string(),
        jti: uuid::Uuid::now_v7().to_string(),
        iat: now,
        nbf: now,
        exp: now + 15 * 60,
        username: "bench".into(),
        staff: false,
    };
    let token = signing.sign(&claims).unwrap();
    let authorization: MetadataValue<_> = format!("Bearer {token}").parse().unwrap();

    let verifier = AccessTokenVerifier::new(ISSUER, AUDIENCE, public());
    let keys = KeyStore::new(ISSUER, AUDIENCE);
    keys.install(public());
    let empty = authenticator(&keys, RevocationSet::default());
    let full = authenticator(&keys, full_set(now));
    assert_eq!(
        full.revocations.len(),
        (REVOKED_SESSIONS as usize, REVOKED_USERS as usize)
    );
    // Every variant must take the success path.
    assert!(empty.intercept(request(&authorization)).is_ok());
    assert!(full.intercept(request(&authorization)).is_ok());
    assert!(!full.revocations.is_revoked(&claims));

    let mut group = c.benchmark_group("interceptor");
    group.sample_size(50);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    // What the interceptor does minus the key lookup and the revocation check.
    group.bench_function("verify_only", |b| {
        b.iter(|| {
            let request = black_box(request(&authorization));
            let token = bearer_token(request.metadata()).unwrap();
            black_box(verifier.verify(token, unix_now()).unwrap());
        });
    });
    group.bench_function("intercept_empty_set", |b| {
        b.iter(|| black_box(empty.intercept(black_box(request(&authorization))).unwrap()));
    });
    group.bench_function("intercept_90k_revoked", |b| {
        b.iter(|| black_box(full.intercept(black_box(request(&authorization))).unwrap()));
    });
    group.bench_function("revocation_check_only_90k", |b| {
        b.iter(|| black_box(full.revocations.is_revoked(black_box(&claims))));
    });
    group.finish();
}

criterion_group!(benches, interceptor);
criterion_main!(benches);
