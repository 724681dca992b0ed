//! Forged and broken access tokens: every one is refused with
//! UNAUTHENTICATED by the real RPCs, and reported inactive by VerifyToken.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use shared::proto::jobsearch::auth::v1 as pb;
use tonic::Code;

use crate::helpers::{TestApp, spawn_app};

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The claims of `tokens`' access token, decoded without verification.
fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn kid_of(token: &str) -> String {
    jsonwebtoken::decode_header(token).unwrap().kid.unwrap()
}

fn sign(claims: &Value, header: Header, key: &EncodingKey) -> String {
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

fn eddsa_header(kid: &str, typ: Option<&str>) -> Header {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.to_owned());
    header.typ = typ.map(str::to_owned);
    header
}

async fn assert_refused(app: &TestApp, label: &str, token: &str) {
    let status = app.me(token).await.expect_err(label);
    assert_eq!(status.code(), Code::Unauthenticated, "{label}: {status:?}");
    let verified = app
        .client
        .clone()
        .verify_token(pb::VerifyTokenRequest {
            token: token.to_owned(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!verified.active, "{label}: reported active");
}

#[tokio::test]
async fn forged_and_broken_tokens_are_all_refused() {
    let app = spawn_app().await;
    let tokens = app.signed_up("ada").await;
    let genuine = tokens.access_token.clone();
    app.me(&genuine).await.expect("the genuine token works");

    let claims = claims_of(&genuine);
    let kid = kid_of(&genuine);
    let key = EncodingKey::from_ed_pem(app.signing_pem.as_bytes()).unwrap();
    let with = |field: &str, value: Value| {
        let mut c = claims.clone();
        c[field] = value;
        c
    };
    let without = |field: &str| {
        let mut c = claims.clone();
        c.as_object_mut().unwrap().remove(field);
        c
    };
    let stranger_pem = auth_service::keys::generate_pem().unwrap();
    let stranger = EncodingKey::from_ed_pem(stranger_pem.as_bytes()).unwrap();
    let jwks = app
        .client
        .clone()
        .get_jwks(pb::GetJwksRequest {})
        .await
        .unwrap()
        .into_inner();
    let public_x = URL_SAFE_NO_PAD.decode(&jwks.keys[0].x).unwrap();

    let segments: Vec<&str> = genuine.split('.').collect();
    let unsigned = |header: Value, payload: &Value| {
        format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(payload.to_string())
        )
    };
    let mut hs256 = Header::new(Algorithm::HS256);
    hs256.kid = Some(kid.clone());
    hs256.typ = Some("at+jwt".into());
    let mut tampered_claims = claims.clone();
    tampered_claims["staff"] = json!(true);
    let tampered = format!(
        "{}.{}.{}",
        segments[0],
        URL_SAFE_NO_PAD.encode(tampered_claims.to_string()),
        segments[2]
    );
    let with_jku = {
        let header = json!({"alg": "EdDSA", "typ": "at+jwt", "kid": kid, "jku": "https://evil.example/jwks"});
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            segments[1]
        );
        // Re-signing needs the real key: this checks the header rule alone.
        let signature =
            jsonwebtoken::crypto::sign(signing_input.as_bytes(), &key, Algorithm::EdDSA).unwrap();
        format!("{signing_input}.{signature}")
    };

    let cases: Vec<(&str, String)> = vec![
        (
            "alg none",
            unsigned(json!({"alg": "none", "typ": "at+jwt", "kid": kid}), &claims),
        ),
        (
            "HS256 keyed with the public key",
            sign(&claims, hs256.clone(), &EncodingKey::from_secret(&public_x)),
        ),
        (
            "HS256 keyed with the JWK x text",
            sign(
                &claims,
                hs256,
                &EncodingKey::from_secret(jwks.keys[0].x.as_bytes()),
            ),
        ),
        (
            "a stranger's key under our kid",
            sign(&claims, eddsa_header(&kid, Some("at+jwt")), &stranger),
        ),
        (
            "unknown kid",
            sign(&claims, eddsa_header("not-a-key", Some("at+jwt")), &key),
        ),
        (
            "injected kid",
            sign(
                &claims,
                eddsa_header("../../etc/passwd' OR '1'='1", Some("at+jwt")),
                &key,
            ),
        ),
        (
            "no kid",
            sign(
                &claims,
                {
                    let mut h = eddsa_header(&kid, Some("at+jwt"));
                    h.kid = None;
                    h
                },
                &key,
            ),
        ),
        ("no typ", sign(&claims, eddsa_header(&kid, None), &key)),
        (
            "typ JWT",
            sign(&claims, eddsa_header(&kid, Some("JWT")), &key),
        ),
        ("jku header", with_jku),
        (
            "wrong issuer",
            sign(
                &with("iss", json!("someone-else")),
                eddsa_header(&kid, Some("at+jwt")),
                &key,
            ),
        ),
        (
            "wrong audience",
            sign(
                &with("aud", json!("other-service")),
                eddsa_header(&kid, Some("at+jwt")),
                &key,
            ),
        ),
        (
            "expired",
            sign(
                &with("exp", json!(now() - 3600)),
                eddsa_header(&kid, Some("at+jwt")),
                &key,
            ),
        ),
        (
            "not yet valid",
            sign(
                &with("nbf", json!(now() + 3600)),
                eddsa_header(&kid, Some("at+jwt")),
                &key,
            ),
        ),
        (
            "issued in the future",
            sign(
                &with("iat", json!(now() + 3600)),
                eddsa_header(&kid, Some("at+jwt")),
                &key,
            ),
        ),
        (
            "missing exp",
            sign(&without("exp"), eddsa_header(&kid, Some("at+jwt")), &key),
        ),
        (
            "missing sub",
            sign(&without("sub"), eddsa_header(&kid, Some("at+jwt")), &key),
        ),
        (
            "missing sid",
            sign(&without("sid"), eddsa_header(&kid, Some("at+jwt")), &key),
        ),
        (
            "numeric sub",
            sign(
                &with("sub", json!(1)),
                eddsa_header(&kid, Some("at+jwt")),
                &key,
            ),
        ),
        (
            "unknown session",
            sign(
                &with("sid", json!(uuid::Uuid::now_v7().to_string())),
                eddsa_header(&kid, Some("at+jwt")),
                &key,
            ),
        ),
        (
            "someone else's sub in a valid session",
            sign(
                &with("sub", json!(uuid::Uuid::now_v7().to_string())),
                eddsa_header(&kid, Some("at+jwt")),
                &key,
            ),
        ),
        ("tampered payload", tampered),
        (
            "truncated signature",
            genuine[..genuine.len() - 4].to_owned(),
        ),
        ("padded signature", format!("{genuine}AAAA")),
        (
            "not base64url",
            format!("{}.{}.!!!", segments[0], segments[1]),
        ),
        ("two segments", format!("{}.{}", segments[0], segments[1])),
        (
            "oversized (8 KiB)",
            format!("{genuine}{}", "A".repeat(8 << 10)),
        ),
    ];
    for (label, token) in &cases {
        assert_refused(&app, label, token).await;
    }
    app.me(&genuine)
        .await
        .expect("the genuine token still works");
}
