//! Integration tests of the jobs-service: a real auth-service and a real
//! jobs-service per test, on real ports, called through generated clients.

// Panicking on an unexpected value is how a test fails.
#![allow(clippy::unwrap_used)]

mod analytics;
mod analytics_columns;
mod analytics_groups;
mod attacks;
mod browsers;
mod contacts;
mod duplicates;
mod faults_auth;
mod faults_database;
mod faults_disk;
mod follow_ups;
mod follow_ups_manual;
mod helpers;
mod ics;
mod interview_helpers;
mod interviews;
mod isolation;
mod keys;
mod metrics;
mod opportunities;
mod postings;
mod races;
mod recruiters;
mod reports;
mod revocation;
mod search;
mod search_backfill;
mod secrets;
mod shutdown;
mod sites;
mod stage_backfill;
mod stage_checks;
mod stage_helpers;
mod stages;
mod tag_helpers;
mod tag_renames;
mod tags;
