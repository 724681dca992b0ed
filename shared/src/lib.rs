//! What both services truly share: the generated protobuf code, access-token
//! claims and their verification, telemetry set-up (logs, metrics, traces,
//! the admin port) and the shutdown signal.

#![forbid(unsafe_code)]

pub mod admin;
pub mod config;
pub mod cors;
pub mod db;
pub mod dev_secret;
pub mod health;
pub mod ids;
pub mod metrics;
pub mod observe;
pub mod otel;
pub mod server;
pub mod shutdown;
pub mod status;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod token;

/// Generated protobuf and gRPC code, one module per protobuf package.
pub mod proto {
    /// `jobsearch.*` packages.
    pub mod jobsearch {
        /// `jobsearch.auth.*` packages.
        pub mod auth {
            /// `jobsearch.auth.v1`: the auth-service contract.
            #[allow(missing_docs, clippy::all, clippy::pedantic)]
            pub mod v1 {
                tonic::include_proto!("jobsearch.auth.v1");
            }
        }

        /// `jobsearch.jobs.*` packages.
        pub mod jobs {
            /// `jobsearch.jobs.v1`: the jobs-service contract.
            #[allow(missing_docs, clippy::all, clippy::pedantic)]
            pub mod v1 {
                tonic::include_proto!("jobsearch.jobs.v1");
            }
        }
    }

    /// Encoded `FileDescriptorSet` of every contract, served by server reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/jobsearch_descriptor.bin"));
}

/// Converts Unix seconds into a protobuf timestamp.
pub fn timestamp(unix_seconds: i64) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: unix_seconds,
        nanos: 0,
    }
}
