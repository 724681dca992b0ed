//! The jobs-service: the job-search tracker behind a token-validating
//! interceptor. Not built yet: this crate is a placeholder in the workspace
//! until its own issue lands, so that the layout and CI are in place.

#![forbid(unsafe_code)]
