//! The auth-service: the token authority of the job-search tracker.
//!
//! [`run`] serves the gRPC API (plus health, reflection and grpc-web) on a
//! bound listener until the shutdown future resolves; the binary and the
//! integration tests both call it.

#![forbid(unsafe_code)]

pub mod admin;
pub mod config;
mod convert;
pub mod db;
pub mod domain;
pub mod error;
pub mod feed;
pub mod grpc;
pub mod keys;
pub mod metrics;
pub mod password;
mod server;
pub mod service;
pub mod state;

pub use server::{run, run_with_admin};
