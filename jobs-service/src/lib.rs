//! The jobs-service: the job-search tracker behind a token-validating
//! interceptor. Job sites, job postings, recruiter opportunities, reports and
//! a dashboard, each strictly per user.
//!
//! [`run`] serves the gRPC API (plus health, reflection and grpc-web) on a
//! bound listener until the shutdown future resolves; the binary and the
//! integration tests both call it.

#![forbid(unsafe_code)]

pub mod auth;
pub mod config;
pub mod crypto;
pub mod db;
pub mod domain;
pub mod error;
pub mod feed;
pub mod grpc;
pub mod metrics;
pub mod paging;
pub mod revocation;
mod server;
pub mod service;
pub mod state;
pub mod token_cache;

pub use server::{run, run_with_admin};
