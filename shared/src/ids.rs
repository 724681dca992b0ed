//! Object ids as they travel on the wire.
//!
//! Every id the services hand out is a UUID in its canonical spelling
//! (lowercase, hyphenated), and the databases compare ids as text. `uuid`
//! also parses other spellings (`URN:UUID:…`, braces, upper case, no
//! hyphens) of the same value; accepted, they would read as "not found" and
//! sort unlike the stored ids in keyset pages. So anything but the canonical
//! spelling is refused as malformed.

/// Whether `raw` is a UUID in its canonical spelling.
pub fn is_canonical_uuid(raw: &str) -> bool {
    uuid::Uuid::try_parse(raw).is_ok_and(|parsed| {
        parsed
            .hyphenated()
            .encode_lower(&mut uuid::Uuid::encode_buffer())
            == raw
    })
}

#[cfg(test)]
mod tests {
    use super::is_canonical_uuid;

    #[test]
    fn only_the_canonical_spelling_is_an_id() {
        let id = "0190b4c2-7e1a-7c3d-9f00-1234567890ab";
        assert!(is_canonical_uuid(id));
        for other in [
            "0190B4C2-7E1A-7C3D-9F00-1234567890AB",
            "{0190b4c2-7e1a-7c3d-9f00-1234567890ab}",
            "urn:uuid:0190b4c2-7e1a-7c3d-9f00-1234567890ab",
            "0190b4c27e1a7c3d9f001234567890ab",
            "0190b4c2-7e1a-7c3d-9f00-1234567890a",
            "",
            "not-an-id",
        ] {
            assert!(!is_canonical_uuid(other), "{other:?} was accepted");
        }
    }
}
