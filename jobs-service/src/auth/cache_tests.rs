//! The interceptor with its cache of verified tokens: a token answered from
//! the cache is still refused once revoked, once expired, and once a new key
//! set no longer holds its key.

use auth_service::keys::{SigningKeys, generate_pem};
use shared::{
    proto::jobsearch::auth::v1::{RevocationEvent, revocation_event::Target},
    timestamp,
    token::LEEWAY_SECONDS,
};

use super::*;

const ISSUER: &str = "iss";
const AUDIENCE: &str = "aud";

fn signing_keys() -> SigningKeys {
    SigningKeys::from_pem(&generate_pem().unwrap(), &[]).unwrap()
}

fn public(signing: &SigningKeys) -> Vec<PublicKey> {
    signing
        .published()
        .iter()
        .map(|k| PublicKey::from_jwk_x(k.kid.clone(), &k.x).unwrap())
        .collect()
}

fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A token valid from `now` for `lifetime` seconds.
fn token(signing: &SigningKeys, now: i64, lifetime: i64) -> (String, AccessClaims) {
    let claims = AccessClaims {
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        sub: uuid::Uuid::now_v7().to_string(),
        sid: uuid::Uuid::now_v7().to_string(),
        jti: uuid::Uuid::now_v7().to_string(),
        iat: now,
        nbf: now,
        exp: now + lifetime,
        username: "ada".into(),
        staff: false,
    };
    (signing.sign(&claims).unwrap(), claims)
}

fn authenticator(signing: &SigningKeys) -> Authenticator {
    let keys = KeyStore::new(ISSUER, AUDIENCE);
    keys.install(public(signing));
    Authenticator {
        keys,
        revocations: RevocationSet::default(),
        verifications: Default::default(),
        cache_hits: Counter::default(),
        stale_policy: StalePolicy::Serve,
        max_staleness: Duration::from_secs(30),
    }
}

fn call(token: &str) -> Request<()> {
    let mut request = Request::new(());
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    request
}

fn cached_tokens(auth: &Authenticator) -> usize {
    auth.keys.current().unwrap().verified.len()
}

#[test]
fn a_token_is_verified_once_and_then_answered_from_the_cache() {
    let signing = signing_keys();
    let auth = authenticator(&signing);
    let now = unix_now();
    let (token, claims) = token(&signing, now, 900);
    for _ in 0..3 {
        let request = auth.intercept_at(call(&token), now).unwrap();
        let caller = request.extensions().get::<Caller>().unwrap();
        assert_eq!(caller.user_id, claims.sub);
        assert_eq!(caller.session_id, claims.sid);
    }
    assert_eq!(auth.cache_hits.get(), 2);
    assert_eq!(cached_tokens(&auth), 1);
}

#[test]
fn a_cached_token_is_refused_once_its_session_is_revoked() {
    let signing = signing_keys();
    let auth = authenticator(&signing);
    let now = unix_now();
    let (token, claims) = token(&signing, now, 900);
    auth.intercept_at(call(&token), now).unwrap();
    auth.intercept_at(call(&token), now).unwrap();
    assert_eq!(auth.cache_hits.get(), 1);

    auth.revocations.apply(&RevocationEvent {
        cursor: 1,
        target: Some(Target::SessionId(claims.sid.clone())),
        expires_at: Some(timestamp(claims.exp)),
        reason: "logout".into(),
    });
    let status = auth.intercept_at(call(&token), now).unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unauthenticated);
    assert_eq!(auth.cache_hits.get(), 2, "the refused call was a cache hit");
}

#[test]
fn a_cached_token_is_refused_once_expired_and_forgotten() {
    let signing = signing_keys();
    let auth = authenticator(&signing);
    let now = unix_now();
    let (token, claims) = token(&signing, now, 60);
    auth.intercept_at(call(&token), now).unwrap();
    let leeway = i64::try_from(LEEWAY_SECONDS).unwrap();
    // Still inside the leeway: accepted, as a full verification would be.
    auth.intercept_at(call(&token), claims.exp + leeway)
        .unwrap();
    assert_eq!(auth.cache_hits.get(), 1);

    let status = auth
        .intercept_at(call(&token), claims.exp + leeway + 1)
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unauthenticated);
    assert_eq!(auth.cache_hits.get(), 2, "the refused call was a cache hit");
    assert_eq!(cached_tokens(&auth), 0);
}

#[test]
fn a_cached_token_is_refused_after_a_rotation_withdraws_its_key() {
    let (old, new) = (signing_keys(), signing_keys());
    let auth = authenticator(&old);
    let now = unix_now();
    let (old_token, _) = token(&old, now, 900);
    auth.intercept_at(call(&old_token), now).unwrap();
    auth.intercept_at(call(&old_token), now).unwrap();
    assert_eq!(auth.cache_hits.get(), 1);

    auth.keys.install(public(&new));
    assert_eq!(cached_tokens(&auth), 0, "a new key set starts empty");
    let status = auth.intercept_at(call(&old_token), now).unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unauthenticated);
    assert_eq!(
        auth.cache_hits.get(),
        1,
        "the refusal came from verification"
    );
    let (new_token, _) = token(&new, now, 900);
    auth.intercept_at(call(&new_token), now).unwrap();
}

#[test]
fn a_rotation_that_keeps_a_key_verifies_its_tokens_afresh() {
    let (old, new) = (signing_keys(), signing_keys());
    let auth = authenticator(&old);
    let now = unix_now();
    let (token, _) = token(&old, now, 900);
    auth.intercept_at(call(&token), now).unwrap();

    let mut both = public(&new);
    both.extend(public(&old));
    auth.keys.install(both);
    auth.intercept_at(call(&token), now).unwrap();
    assert_eq!(auth.cache_hits.get(), 0);
    assert_eq!(cached_tokens(&auth), 1);
}

#[test]
fn a_token_with_a_bad_signature_is_never_cached() {
    let signing = signing_keys();
    let auth = authenticator(&signing);
    let now = unix_now();
    let (token, _) = token(&signing, now, 900);
    // Flip the signature's first character: same header and claims.
    let (input, signature) = token.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { 'B' } else { 'A' };
    let forged = format!("{input}.{flipped}{}", &signature[1..]);
    for _ in 0..2 {
        let status = auth.intercept_at(call(&forged), now).unwrap_err();
        assert_eq!(status.code(), tonic::Code::Unauthenticated);
    }
    assert_eq!(auth.cache_hits.get(), 0);
    assert_eq!(cached_tokens(&auth), 0);
}
