//! Arbitrary bytes as a token, through the access-token verifier (both
//! services), the service-token verifier (auth-service) and the jobs-service
//! interceptor (as `authorization: Bearer <token>` metadata). Nothing may
//! panic, and a token passes only if it carries a correct Ed25519 signature
//! by a published key (checked independently of jsonwebtoken) and the
//! configured type, issuer and audience.
#![no_main]

use jobsearch_fuzz::{AUDIENCE, ISSUER, NOW, fixture};
use libfuzzer_sys::fuzz_target;
use tonic::{Request, metadata::MetadataValue};

fuzz_target!(|data: &[u8]| {
    let fx = fixture();
    let token = String::from_utf8_lossy(data);
    if let Ok(claims) = fx.access.verify(&token, NOW) {
        assert!(
            fx.correctly_signed(&token),
            "unsigned access token verified"
        );
        assert_eq!(
            (claims.iss.as_str(), claims.aud.as_str()),
            (ISSUER, AUDIENCE)
        );
    }
    if let Ok(claims) = fx.service.verify(&token, NOW) {
        assert!(
            fx.correctly_signed(&token),
            "unsigned service token verified"
        );
        assert_eq!((claims.iss.as_str(), claims.aud.as_str()), (ISSUER, ISSUER));
    }
    // Metadata values are visible ASCII; anything else never reaches the
    // interceptor (hyper refuses it first).
    if let Ok(value) = MetadataValue::try_from(format!("Bearer {token}")) {
        let mut request = Request::new(());
        request.metadata_mut().insert("authorization", value);
        if fx.interceptor.intercept(request).is_ok() {
            assert!(
                fx.correctly_signed(token.trim()),
                "interceptor let an unsigned token in"
            );
        }
    }
});
