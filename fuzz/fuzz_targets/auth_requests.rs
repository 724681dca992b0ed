//! Arbitrary bytes as each auth-service request message, checked as the
//! service does before any database work; see `jobsearch_fuzz::auth_requests`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((&kind, message)) = data.split_first() {
        jobsearch_fuzz::auth_requests::run(kind, message);
    }
});
