//! The cases of the corpus, grouped as the attacks they stand for.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Value, json};

use super::{Attack, Credential, Material, Scope, public_key_pem, segment_json, sign_raw};

/// Throwaway keys of "a stranger", generated once for this corpus with
/// `openssl genpkey`; they protect nothing. Fixed files because the
/// workspace has no RSA key generator, and the attacker's Ed25519 key must
/// match the JWK it embeds.
const STRANGER_RSA_PEM: &str = include_str!("stranger-rsa.pem");
const STRANGER_ED25519_PEM: &str = include_str!("stranger-ed25519.pem");
/// The public half of `STRANGER_ED25519_PEM`, as a JWK `x`.
const STRANGER_ED25519_X: &str = "mYf8rlGM5sbYNffyPca9OLW6DumC8wiRYVzQaPVUh_0";

fn now() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is past 1970");
    i64::try_from(since.as_secs()).expect("seconds fit")
}

/// Builds cases from `material`; see [`super`] for what they are for.
struct Forge<'a> {
    m: Material<'a>,
    claims: Value,
    kid: String,
    key: EncodingKey,
    segments: Vec<&'a str>,
    out: Vec<Attack>,
}

impl Forge<'_> {
    fn push(&mut self, label: &str, token: String) {
        self.out.push(Attack::new(
            label,
            Credential::Bearer(token),
            Scope::Everywhere,
        ));
    }

    fn push_raw(&mut self, label: &str, authorization: impl Into<Vec<u8>>) {
        let credential = Credential::Authorization(authorization.into());
        self.out
            .push(Attack::new(label, credential, Scope::Everywhere));
    }

    /// The genuine header with `edit` applied, as JSON text.
    fn header(&self, edit: impl FnOnce(&mut Value)) -> String {
        let mut header = json!({"alg": "EdDSA", "typ": "at+jwt", "kid": self.kid});
        edit(&mut header);
        header.to_string()
    }

    /// The genuine claims with `edit` applied, as JSON text.
    fn payload(&self, edit: impl FnOnce(&mut Value)) -> String {
        let mut claims = self.claims.clone();
        edit(&mut claims);
        claims.to_string()
    }

    /// Signed with the real key: only the edited rule can refuse it.
    fn real(&self, header: &str, payload: &str) -> String {
        sign_raw(header, payload, &self.key, Algorithm::EdDSA)
    }

    /// Real key, genuine header, edited claims.
    fn claims_case(&mut self, label: &str, edit: impl FnOnce(&mut Value)) {
        let token = self.real(&self.header(|_| {}), &self.payload(edit));
        self.push(label, token);
    }

    /// Real key, genuine claims, edited header.
    fn header_case(&mut self, label: &str, edit: impl FnOnce(&mut Value)) {
        let token = self.real(&self.header(edit), &self.payload(|_| {}));
        self.push(label, token);
    }
}

/// Every crafted credential (over 60), each labelled with what it tries.
pub fn corpus(m: Material<'_>) -> Vec<Attack> {
    let header = segment_json(m.genuine, 0);
    let mut f = Forge {
        m,
        claims: segment_json(m.genuine, 1),
        kid: header["kid"]
            .as_str()
            .expect("tokens carry a kid")
            .to_owned(),
        key: EncodingKey::from_ed_pem(m.signing_pem.as_bytes()).expect("an Ed25519 PEM key"),
        segments: m.genuine.split('.').collect(),
        out: Vec::new(),
    };
    algorithm_confusion(&mut f);
    key_selection(&mut f);
    types_and_claims(&mut f);
    encoding(&mut f);
    transport(&mut f);
    session_only(&mut f);
    // A mutation that happens to change nothing would send the genuine
    // token and fail the suite at random.
    for attack in &f.out {
        assert_ne!(attack.token(), Some(m.genuine), "{}", attack.label);
    }
    f.out
}

/// `alg: none`, HMAC keyed with the public key in every form an attacker
/// finds it, and signatures by keys that are not ours.
fn algorithm_confusion(f: &mut Forge<'_>) {
    let unsigned = |f: &Forge<'_>, alg: &str| {
        let header = f.header(|h| h["alg"] = json!(alg));
        format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(f.payload(|_| {}))
        )
    };
    for alg in ["none", "None", "NONE"] {
        let token = unsigned(f, alg);
        f.push(&format!("alg {alg}, empty signature"), token);
    }
    let token = format!("{}{}", unsigned(f, "none"), f.segments[2]);
    f.push("alg none keeping the genuine signature", token);

    let raw = URL_SAFE_NO_PAD
        .decode(f.m.public_x)
        .expect("x is base64url");
    let pem = public_key_pem(&raw);
    let canonical_jwk = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#, f.m.public_x);
    let secrets: [(&str, &[u8]); 5] = [
        ("raw public key", &raw),
        ("public key PEM", pem.as_bytes()),
        ("JWK x text", f.m.public_x.as_bytes()),
        ("canonical JWK JSON", canonical_jwk.as_bytes()),
        ("published JWK set JSON", f.m.jwks_json.as_bytes()),
    ];
    for (alg, name) in [(Algorithm::HS256, "HS256"), (Algorithm::HS384, "HS384")] {
        for (form, secret) in secrets {
            let header = f.header(|h| h["alg"] = json!(name));
            let payload = f.payload(|_| {});
            let token = sign_raw(&header, &payload, &EncodingKey::from_secret(secret), alg);
            f.push(&format!("{name} keyed with the {form}"), token);
        }
    }

    let rsa = EncodingKey::from_rsa_pem(STRANGER_RSA_PEM.as_bytes()).expect("an RSA PEM key");
    let header = f.header(|h| h["alg"] = json!("RS256"));
    let token = sign_raw(&header, &f.payload(|_| {}), &rsa, Algorithm::RS256);
    f.push("RS256 by a stranger's RSA key under our kid", token);
    let stranger = EncodingKey::from_ed_pem(STRANGER_ED25519_PEM.as_bytes()).expect("Ed25519");
    let token = sign_raw(
        &f.header(|_| {}),
        &f.payload(|_| {}),
        &stranger,
        Algorithm::EdDSA,
    );
    f.push("EdDSA by a stranger's key under our kid", token);
}

/// Which key verifies: unknown and injected `kid`s, and headers asking the
/// verifier to fetch or trust a key named by the token itself.
fn key_selection(f: &mut Forge<'_>) {
    f.header_case("unknown kid", |h| h["kid"] = json!("not-a-published-key"));
    f.header_case("kid path traversal", |h| {
        h["kid"] = json!("../../../../../../dev/null");
    });
    f.header_case("kid SQL injection", |h| {
        h["kid"] = json!("x' UNION SELECT 'secret' --");
    });
    f.header_case("kid of 10 kB", |h| h["kid"] = json!("k".repeat(10_000)));
    f.header_case("kid as a number", |h| h["kid"] = json!(1));
    f.header_case("no kid", |h| {
        h.as_object_mut().expect("object").remove("kid");
    });
    f.header_case("jku header", |h| {
        h["jku"] = json!("https://evil.example/jwks.json")
    });
    f.header_case("x5u header", |h| {
        h["x5u"] = json!("https://evil.example/cert.pem")
    });
    f.header_case("x5c header", |h| h["x5c"] = json!(["MIIBszCCAVmgAwIBAgIU"]));
    f.header_case("crit header", |h| h["crit"] = json!(["exp"]));
    let ours = json!({"kty": "OKP", "crv": "Ed25519", "x": f.m.public_x});
    f.header_case("jwk header with our key", |h| h["jwk"] = ours);
    let stranger = EncodingKey::from_ed_pem(STRANGER_ED25519_PEM.as_bytes()).expect("Ed25519");
    let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": STRANGER_ED25519_X});
    for (label, keep_kid) in [
        ("jwk header carrying the attacker's key", false),
        ("jwk header carrying the attacker's key, our kid", true),
    ] {
        let header = f.header(|h| {
            h["jwk"] = jwk.clone();
            if !keep_kid {
                h.as_object_mut().expect("object").remove("kid");
            }
        });
        let token = sign_raw(&header, &f.payload(|_| {}), &stranger, Algorithm::EdDSA);
        f.push(label, token);
    }
}

/// A token of another kind, or one whose claims break a rule.
fn types_and_claims(f: &mut Forge<'_>) {
    f.header_case("no typ", |h| {
        h.as_object_mut().expect("object").remove("typ");
    });
    f.header_case("typ JWT", |h| h["typ"] = json!("JWT"));
    f.header_case("typ svc+jwt on access claims", |h| {
        h["typ"] = json!("svc+jwt")
    });
    // A service token as the issuer mints it: its own type and audience.
    let issuer = f.claims["iss"].clone();
    let service_claims = json!({
        "iss": issuer, "aud": issuer, "sub": "service:jobs-service",
        "jti": "0192f0c4-0000-7000-8000-000000000000",
        "iat": now(), "nbf": now(), "exp": now() + 300,
    });
    let header = f.header(|h| h["typ"] = json!("svc+jwt"));
    let token = f.real(&header, &service_claims.to_string());
    f.push("a service token (svc+jwt)", token);
    let token = f.real(&f.header(|_| {}), &service_claims.to_string());
    f.push("service claims under typ at+jwt", token);
    let refresh = f.m.refresh_token.to_owned();
    f.push("the refresh token as a bearer token", refresh);

    let now = now();
    f.claims_case("wrong iss", |c| c["iss"] = json!("someone-else"));
    f.claims_case("wrong aud", |c| c["aud"] = json!("another-service"));
    f.claims_case("aud as an array holding ours", |c| {
        let ours = c["aud"].take();
        c["aud"] = json!([ours, "another-service"]);
    });
    f.claims_case("expired an hour ago", |c| c["exp"] = json!(now - 3600));
    f.claims_case("nbf in an hour", |c| c["nbf"] = json!(now + 3600));
    f.claims_case("iat a year ahead", |c| c["iat"] = json!(now + 365 * 86_400));
    for claim in ["exp", "sub", "sid", "iat", "nbf", "jti", "iss", "aud"] {
        f.claims_case(&format!("missing {claim}"), |c| {
            c.as_object_mut().expect("object").remove(claim);
        });
    }
    f.claims_case("numeric sub", |c| c["sub"] = json!(1));
    f.claims_case("null sub", |c| c["sub"] = Value::Null);
    f.claims_case("sub as an array", |c| {
        let sub = c["sub"].take();
        c["sub"] = json!([sub]);
    });
    f.claims_case("empty sid", |c| c["sid"] = json!(""));
    f.claims_case("exp as a string", |c| {
        let exp = c["exp"].to_string();
        c["exp"] = json!(exp);
    });

    // Duplicate members: which one a parser keeps differs between parsers,
    // so a token relying on it is refused outright.
    let body = f.payload(|_| {});
    let inner = body.trim_start_matches('{');
    let header = f.header(|_| {});
    let other = r#""sub":"0192f0c4-ffff-7fff-bfff-ffffffffffff""#;
    let token = f.real(&header, &format!("{{{other},{inner}"));
    f.push("duplicate sub", token);
    let token = f.real(&header, &format!("{{\"exp\":{},{inner}", now - 3600));
    f.push("duplicate exp (one expired)", token);
    let header = format!(r#"{{"alg":"none",{}"#, header.trim_start_matches('{'));
    let token = f.real(&header, &body);
    f.push("duplicate alg in the header (none, EdDSA)", token);
}

/// Broken encodings: tampered, truncated or padded segments.
fn encoding(f: &mut Forge<'_>) {
    let [h, p, s] = [f.segments[0], f.segments[1], f.segments[2]];
    let genuine = f.m.genuine;
    let tampered = f.payload(|c| c["staff"] = json!(true));
    let token = format!("{h}.{}.{s}", URL_SAFE_NO_PAD.encode(tampered));
    f.push(
        "tampered payload (staff) with the original signature",
        token,
    );
    let tampered = f.payload(|c| c["sub"] = json!("0192f0c4-ffff-7fff-bfff-ffffffffffff"));
    let token = format!("{h}.{}.{s}", URL_SAFE_NO_PAD.encode(tampered));
    f.push("tampered payload (sub) with the original signature", token);
    f.push(
        "truncated signature",
        genuine[..genuine.len() - 4].to_owned(),
    );
    f.push("signature cut to nothing", format!("{h}.{p}."));
    f.push("padded signature", format!("{genuine}AAAA"));
    let flipped = if s.starts_with('A') { 'B' } else { 'A' };
    f.push(
        "signature with one character changed",
        format!("{h}.{p}.{flipped}{}", &s[1..]),
    );
    f.push("signature not base64url", format!("{h}.{p}.!!!"));
    f.push("header not base64url", format!("%%%.{p}.{s}"));
    f.push("padding characters", format!("{h}==.{p}.{s}"));
    // The same signature bytes in standard base64 with its `==` padding,
    // which JWS (RFC 7515) forbids: always a different text.
    let standard = {
        use base64::engine::general_purpose::STANDARD;
        STANDARD.encode(URL_SAFE_NO_PAD.decode(s).expect("base64url signature"))
    };
    f.push(
        "signature in standard padded base64",
        format!("{h}.{p}.{standard}"),
    );
    f.push("four segments", format!("{genuine}.{s}"));
    f.push("five segments (JWE shape)", format!("{h}.{p}.{s}.{s}.{s}"));
    f.push("two segments", format!("{h}.{p}"));
    f.push("one segment", h.to_owned());
    f.push("dots only", "..".to_owned());
    f.push(
        "header not JSON",
        format!("{}.{p}.{s}", URL_SAFE_NO_PAD.encode("alg=EdDSA")),
    );
    f.push(
        "oversized (8 KiB)",
        format!("{genuine}{}", "A".repeat(8 << 10)),
    );
}

/// The `authorization` entry itself: schemes, emptiness, bytes.
fn transport(f: &mut Forge<'_>) {
    let genuine = f.m.genuine;
    f.push_raw("Bearer with no token", "Bearer");
    f.push_raw("Bearer and a space, no token", "Bearer ");
    f.push_raw("empty authorization", "");
    f.push_raw("Basic scheme", format!("Basic {genuine}"));
    f.push_raw("Token scheme", format!("Token {genuine}"));
    f.push_raw("no space after Bearer", format!("Bearer{genuine}"));
    f.push_raw("the token without a scheme", genuine);
    f.push_raw(
        "trailing garbage after the token",
        format!("Bearer {genuine} extra"),
    );
    f.push_raw("two tokens", format!("Bearer {genuine}, Bearer {genuine}"));
    // Schemes are case-insensitive (RFC 7235), so `bearer` with a genuine
    // token is accepted; with a forged one it must fail like any other.
    let header = f.header(|h| h["alg"] = json!("none"));
    let forged = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(f.payload(|_| {}))
    );
    f.push_raw(
        "lowercase scheme with a forged token",
        format!("bearer {forged}"),
    );
    f.push_raw(
        "non-ASCII token (UTF-8)",
        "Bearer t\u{f6}k\u{e9}n.\u{2603}.x".as_bytes(),
    );
    let mut bytes = b"Bearer ".to_vec();
    bytes.extend((0x80..=0xff).collect::<Vec<u8>>());
    f.push_raw("high bytes (obs-text)", bytes);
    let mut bytes = format!("Bearer {genuine}").into_bytes();
    bytes.push(0xff);
    f.push_raw("genuine token plus a high byte", bytes);
    f.out.push(Attack::new(
        "only binary metadata (authorization-bin)",
        Credential::BinaryOnly(format!("Bearer {genuine}").into_bytes()),
        Scope::Everywhere,
    ));
}

/// Well-formed tokens signed with the real key whose session or subject
/// does not exist: a stateless verifier must accept them (only the issuer
/// holds the key), the auth-service refuses them from its database.
fn session_only(f: &mut Forge<'_>) {
    let cases: [(&str, &str, &str); 2] = [
        (
            "unknown session",
            "sid",
            "0192f0c4-0000-7000-8000-00000000abcd",
        ),
        (
            "someone else's sub in a live session",
            "sub",
            "0192f0c4-0000-7000-8000-00000000dcba",
        ),
    ];
    for (label, claim, value) in cases {
        let token = f.real(&f.header(|_| {}), &f.payload(|c| c[claim] = json!(value)));
        f.out.push(Attack::new(
            label,
            Credential::Bearer(token),
            Scope::SessionCheck,
        ));
    }
}
