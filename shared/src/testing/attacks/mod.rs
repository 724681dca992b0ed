//! The token attack corpus both services' tests try (feature `testing`):
//! crafted bearer credentials, each of which every verifier must refuse.
//!
//! The corpus is generated from what an attacker could hold (the published
//! public key, a genuine token to mutate, a refresh token) plus the issuer's
//! real private key, which some cases need so that exactly one rule of the
//! verifier is under test (a wrong `typ`, an expired token, ...) rather than
//! the signature. One corpus, so that both services are held to the same list.

mod cases;

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey};
use tonic::{Request, metadata::MetadataMap};

pub use cases::corpus;

/// What the corpus is generated from.
#[derive(Debug, Clone, Copy)]
pub struct Material<'a> {
    /// The issuer's Ed25519 private key (PKCS#8 PEM).
    pub signing_pem: &'a str,
    /// A genuine, currently valid access token.
    pub genuine: &'a str,
    /// A genuine refresh token.
    pub refresh_token: &'a str,
    /// The published public key: the JWK `x` (base64url of the raw key).
    pub public_x: &'a str,
    /// The published JWK set exactly as `GetJwks` returns it (`jwks_json`).
    pub jwks_json: &'a str,
}

/// How an attack reaches the server.
#[derive(Debug, Clone)]
pub enum Credential {
    /// `authorization: Bearer <token>`.
    Bearer(String),
    /// The whole `authorization` value, as raw bytes (any scheme, any bytes
    /// the HTTP/2 transport carries, including non-ASCII).
    Authorization(Vec<u8>),
    /// No `authorization` entry; the token only as `authorization-bin`
    /// (binary metadata), which no verifier reads.
    BinaryOnly(Vec<u8>),
}

/// Which verifiers can refuse an attack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every verifier, from the token and the public keys alone.
    Everywhere,
    /// Signed with the real key and well-formed: only a verifier that looks
    /// the session up in the issuer's database (the auth-service) can
    /// refuse it. The jobs-service trusts what the key signs, by design.
    SessionCheck,
}

/// One crafted credential.
#[derive(Debug, Clone)]
pub struct Attack {
    /// What it tries, for failure messages.
    pub label: String,
    /// What is sent.
    pub credential: Credential,
    /// Who can refuse it.
    pub scope: Scope,
}

impl Attack {
    fn new(label: impl Into<String>, credential: Credential, scope: Scope) -> Self {
        Self {
            label: label.into(),
            credential,
            scope,
        }
    }

    /// The token itself, for cases sent as `Bearer <token>`.
    pub fn token(&self) -> Option<&str> {
        match &self.credential {
            Credential::Bearer(token) => Some(token),
            _ => None,
        }
    }

    /// The request metadata carrying the credential. Built on a raw header
    /// map because tonic's own constructors refuse the non-ASCII values the
    /// corpus deliberately sends.
    pub fn metadata(&self) -> MetadataMap {
        let mut headers = http::HeaderMap::new();
        let (name, bytes) = match &self.credential {
            Credential::Bearer(token) => ("authorization", format!("Bearer {token}").into_bytes()),
            Credential::Authorization(bytes) => ("authorization", bytes.clone()),
            Credential::BinaryOnly(bytes) => (
                "authorization-bin",
                URL_SAFE_NO_PAD.encode(bytes).into_bytes(),
            ),
        };
        let value = http::HeaderValue::from_bytes(&bytes).expect("the transport can carry it");
        headers.insert(name, value);
        MetadataMap::from_headers(headers)
    }

    /// `message` in a request carrying the credential.
    pub fn request<T>(&self, message: T) -> Request<T> {
        let mut request = Request::new(message);
        *request.metadata_mut() = self.metadata();
        request
    }
}

/// Credentials over the HTTP/2 header-list limit (hyper's 16 KiB), which the
/// transport refuses before any application code runs, so tests assert
/// them apart from the corpus: 32 KiB (one header block past the limit,
/// answered with HTTP 431) and 1 MiB (a flood of CONTINUATION frames,
/// answered with GOAWAY `ENHANCE_YOUR_CALM`).
pub fn over_header_limit(genuine: &str) -> [Attack; 2] {
    [(32 << 10, "32 KiB token"), (1 << 20, "1 MiB token")].map(|(size, label)| {
        let filler = "A".repeat(size - genuine.len());
        Attack::new(
            label,
            Credential::Bearer(format!("{genuine}{filler}")),
            Scope::Everywhere,
        )
    })
}

/// `header.payload.signature`, signing the exact JSON texts given (so that
/// duplicate members and odd headers survive, which serialising a struct
/// would drop).
fn sign_raw(header: &str, payload: &str, key: &EncodingKey, alg: Algorithm) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let signature =
        jsonwebtoken::crypto::sign(input.as_bytes(), key, alg).expect("the corpus keys sign");
    format!("{input}.{signature}")
}

/// The decoded JSON of one segment of `token`.
fn segment_json(token: &str, index: usize) -> serde_json::Value {
    let segment = token
        .split('.')
        .nth(index)
        .expect("a JWT has three segments");
    let bytes = URL_SAFE_NO_PAD.decode(segment).expect("base64url segment");
    serde_json::from_slice(&bytes).expect("JSON segment")
}

/// The public key as an SPKI PEM block, the form attackers feed to HMAC in
/// the classic algorithm-confusion attack.
fn public_key_pem(raw: &[u8]) -> String {
    use base64::engine::general_purpose::STANDARD;
    // RFC 8410: SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING key }.
    const SPKI_PREFIX: [u8; 12] = [
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    let der = [&SPKI_PREFIX[..], raw].concat();
    format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        STANDARD.encode(der)
    )
}
