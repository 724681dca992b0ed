//! Token claims and their verification.
//!
//! Access tokens (users) and service tokens (services calling the
//! auth-service) are JWTs signed with Ed25519 (`alg: EdDSA`), each with its
//! own `typ` (`at+jwt`, RFC 9068, and `svc+jwt`) and audience, and a `kid`
//! naming the signing key. A verifier accepts exactly one algorithm, type,
//! issuer and audience, so a token of another kind or from another issuer
//! never passes. Verifiers need only public keys; the auth-service alone
//! holds the private one.

use std::{collections::HashMap, marker::PhantomData};

use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

/// The JOSE `typ` of an access token (RFC 9068).
pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";

/// The JOSE `typ` of a service token.
pub const SERVICE_TOKEN_TYPE: &str = "svc+jwt";

/// Tokens longer than this are refused before any parsing: a real access
/// token is a few hundred bytes, and parsing attacker-sized input costs CPU.
pub const MAX_TOKEN_LEN: usize = 4096;

/// Clock skew tolerated between the issuer and a verifier, in seconds.
pub const LEEWAY_SECONDS: u64 = 30;

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Subject: the user id.
    pub sub: String,
    /// Session id: revoking the session revokes every token issued in it.
    pub sid: String,
    /// Unique token id.
    pub jti: String,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Not valid before (Unix seconds).
    pub nbf: i64,
    /// Expires at (Unix seconds).
    pub exp: i64,
    /// The user's username when the token was issued.
    pub username: String,
    /// Whether the user was staff when the token was issued.
    pub staff: bool,
}

/// The claims of a service token: a configured service client, for the
/// auth-service's own service-to-service RPCs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceClaims {
    /// Issuer.
    pub iss: String,
    /// Audience: the auth-service itself (its issuer name).
    pub aud: String,
    /// Subject: `service:<client id>`.
    pub sub: String,
    /// Unique token id.
    pub jti: String,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Not valid before (Unix seconds).
    pub nbf: i64,
    /// Expires at (Unix seconds).
    pub exp: i64,
}

/// What a verifier needs to know about a kind of token.
pub trait Claims: DeserializeOwned {
    /// The `typ` header tokens of this kind carry.
    const TYPE: &'static str;
    /// Issued-at time.
    fn issued_at(&self) -> i64;
    /// The identifiers that must not be empty.
    fn identifiers(&self) -> Vec<&str>;
}

impl Claims for AccessClaims {
    const TYPE: &'static str = ACCESS_TOKEN_TYPE;
    fn issued_at(&self) -> i64 {
        self.iat
    }
    fn identifiers(&self) -> Vec<&str> {
        vec![&self.sub, &self.sid, &self.jti]
    }
}

impl Claims for ServiceClaims {
    const TYPE: &'static str = SERVICE_TOKEN_TYPE;
    fn issued_at(&self) -> i64 {
        self.iat
    }
    fn identifiers(&self) -> Vec<&str> {
        vec![&self.sub, &self.jti]
    }
}

/// Why a token was refused. Every variant becomes the same `UNAUTHENTICATED`
/// answer for the client; the detail is for logs only.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The token is longer than [`MAX_TOKEN_LEN`].
    #[error("token too long")]
    TooLong,
    /// The header or the encoding is not a JWT.
    #[error("malformed token")]
    Malformed,
    /// The header asks for something this verifier never does (another
    /// algorithm or type, or keys fetched from a URL or embedded in the token).
    #[error("unacceptable token header")]
    Header,
    /// No published key has the token's `kid`.
    #[error("unknown signing key")]
    UnknownKey,
    /// Signature, lifetime, issuer, audience or required claims are wrong.
    #[error("invalid token: {0}")]
    Invalid(#[from] jsonwebtoken::errors::Error),
    /// The token claims to be issued in the future, or has empty identifiers.
    #[error("implausible claims")]
    Claims,
}

impl TokenError {
    /// A short, fixed name of the reason, for metrics labels (never the
    /// token or its claims).
    pub fn reason(&self) -> &'static str {
        use jsonwebtoken::errors::ErrorKind;
        match self {
            Self::TooLong | Self::Malformed => "malformed",
            Self::Header => "bad_header",
            Self::UnknownKey => "unknown_kid",
            Self::Claims => "implausible_claims",
            Self::Invalid(error) => match error.kind() {
                ErrorKind::ExpiredSignature => "expired",
                ErrorKind::InvalidSignature => "bad_signature",
                ErrorKind::ImmatureSignature => "not_yet_valid",
                ErrorKind::InvalidIssuer => "wrong_issuer",
                ErrorKind::InvalidAudience => "wrong_audience",
                ErrorKind::MissingRequiredClaim(_) => "missing_claim",
                ErrorKind::InvalidToken
                | ErrorKind::Base64(_)
                | ErrorKind::Json(_)
                | ErrorKind::Utf8(_) => "malformed",
                _ => "invalid",
            },
        }
    }
}

/// A public key accepted for verification.
#[derive(Clone)]
pub struct PublicKey {
    /// Key id (the `kid` header of tokens signed with it).
    pub kid: String,
    key: DecodingKey,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicKey").field("kid", &self.kid).finish()
    }
}

impl PublicKey {
    /// A key from its JWK `x` component (base64url-encoded Ed25519 public key).
    pub fn from_jwk_x(kid: impl Into<String>, x: &str) -> Result<Self, TokenError> {
        let key = DecodingKey::from_ed_components(x).map_err(|_| TokenError::Malformed)?;
        Ok(Self {
            kid: kid.into(),
            key,
        })
    }
}

/// Verifies tokens of kind `C` against a fixed set of public keys.
pub struct Verifier<C> {
    keys: HashMap<String, DecodingKey>,
    validation: Validation,
    kind: PhantomData<fn() -> C>,
}

/// Verifies users' access tokens.
pub type AccessTokenVerifier = Verifier<AccessClaims>;
/// Verifies services' tokens.
pub type ServiceTokenVerifier = Verifier<ServiceClaims>;

impl<C> Clone for Verifier<C> {
    fn clone(&self) -> Self {
        Self {
            keys: self.keys.clone(),
            validation: self.validation.clone(),
            kind: PhantomData,
        }
    }
}

impl<C> std::fmt::Debug for Verifier<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("kids", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl<C: Claims> Verifier<C> {
    /// A verifier accepting tokens from `issuer` for `audience`, signed by any of `keys`.
    pub fn new(issuer: &str, audience: &str, keys: impl IntoIterator<Item = PublicKey>) -> Self {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.algorithms = vec![Algorithm::EdDSA];
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        let keys = keys.into_iter().map(|k| (k.kid, k.key)).collect();
        Self {
            keys,
            validation,
            kind: PhantomData,
        }
    }

    /// Checks `token` completely and returns its claims.
    pub fn verify(&self, token: &str, now_unix: i64) -> Result<C, TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::TooLong);
        }
        header_has_only_known_fields(token)?;
        let header = decode_header(token).map_err(|_| TokenError::Malformed)?;
        if header.alg != Algorithm::EdDSA || header.typ.as_deref() != Some(C::TYPE) {
            return Err(TokenError::Header);
        }
        let kid = header.kid.as_deref().ok_or(TokenError::UnknownKey)?;
        let key = self.keys.get(kid).ok_or(TokenError::UnknownKey)?;
        let claims = decode::<C>(token, key, &self.validation)?.claims;
        let leeway = i64::try_from(LEEWAY_SECONDS).unwrap_or(i64::MAX);
        let plausible = claims.issued_at() <= now_unix + leeway
            && claims.identifiers().iter().all(|id| !id.is_empty());
        if !plausible {
            return Err(TokenError::Claims);
        }
        Ok(claims)
    }
}

/// The header fields this issuer writes. Anything else (`jku`, `jwk`, `x5u`,
/// `x5c`, `crit`, ...) asks the verifier to fetch or trust keys or honour
/// extensions it never supports, so such a token is refused outright.
const HEADER_FIELDS: &[&str] = &["alg", "typ", "kid"];

/// `Malformed` when there is no JSON header at all, `Header` when it has a
/// field outside [`HEADER_FIELDS`] (the distinction is for metrics only).
fn header_has_only_known_fields(token: &str) -> Result<(), TokenError> {
    use base64::Engine as _;
    let (header, _) = token.split_once('.').ok_or(TokenError::Malformed)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| TokenError::Malformed)?;
    let fields = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&bytes)
        .map_err(|_| TokenError::Malformed)?;
    if fields.keys().all(|k| HEADER_FIELDS.contains(&k.as_str())) {
        Ok(())
    } else {
        Err(TokenError::Header)
    }
}

/// Extracts the token from an `authorization: Bearer <token>` metadata entry.
pub fn bearer_token(metadata: &tonic::metadata::MetadataMap) -> Option<&str> {
    let value = metadata.get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_token_requires_the_bearer_scheme() {
        let mut md = tonic::metadata::MetadataMap::new();
        md.insert("authorization", "Basic abc".parse().unwrap());
        assert_eq!(bearer_token(&md), None);
        md.insert("authorization", "bearer abc.def".parse().unwrap());
        assert_eq!(bearer_token(&md), Some("abc.def"));
        md.insert("authorization", "Bearer ".parse().unwrap());
        assert_eq!(bearer_token(&md), None);
    }

    #[test]
    fn oversized_tokens_are_refused_before_parsing() {
        let verifier = AccessTokenVerifier::new("iss", "aud", []);
        let token = "a".repeat(MAX_TOKEN_LEN + 1);
        assert!(matches!(
            verifier.verify(&token, 0),
            Err(TokenError::TooLong)
        ));
    }
}
