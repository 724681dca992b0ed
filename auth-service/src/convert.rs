//! Conversions between stored rows and protobuf messages.

use shared::{proto::jobsearch::auth::v1 as pb, timestamp, token::AccessClaims};

use crate::{db::users::UserRow, keys::PublishedKey};

/// A stored user as clients see it (never the hash).
pub fn user(row: UserRow) -> pb::User {
    pb::User {
        id: row.id,
        username: row.username,
        email: row.email,
        first_name: row.first_name,
        last_name: row.last_name,
        bio: row.bio,
        user_greeting: row.user_greeting,
        color_mode: row.color_mode,
        dashboard_first_date: row.dashboard_first_date.map(timestamp),
        dashboard_second_date: row.dashboard_second_date.map(timestamp),
        is_staff: row.is_staff.0,
        date_joined: Some(timestamp(row.date_joined)),
        last_login: row.last_login.map(timestamp),
    }
}

/// Access-token claims as an introspection answer.
pub fn claims(claims: AccessClaims) -> pb::AccessTokenClaims {
    pb::AccessTokenClaims {
        issuer: claims.iss,
        audience: claims.aud,
        subject: claims.sub,
        session_id: claims.sid,
        token_id: claims.jti,
        issued_at: Some(timestamp(claims.iat)),
        not_before: Some(timestamp(claims.nbf)),
        expires_at: Some(timestamp(claims.exp)),
        username: claims.username,
        is_staff: claims.staff,
    }
}

/// A published key as a JWK message.
pub fn jwk(key: &PublishedKey) -> pb::Jwk {
    pb::Jwk {
        kty: "OKP".to_owned(),
        crv: "Ed25519".to_owned(),
        x: key.x.clone(),
        kid: key.kid.clone(),
        alg: "EdDSA".to_owned(),
        r#use: "sig".to_owned(),
    }
}
