//! What the service does, one async function per use case, as methods on
//! [`AppState`](crate::state::AppState). Every function takes the caller's
//! user id and every query it runs is filtered by it.

pub mod analytics;
pub mod contacts;
pub mod dashboard;
pub mod due;
pub mod interviews;
pub mod job_postings;
pub mod job_sites;
pub mod opportunities;
pub mod reports;
pub mod stage_events;
pub mod tags;
