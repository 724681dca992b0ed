//! Arbitrary bytes as each jobs-service request message, validated as the
//! handlers do; see `jobsearch_fuzz::jobs_requests`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((&kind, message)) = data.split_first() {
        jobsearch_fuzz::jobs_requests::run(kind, message);
    }
});
