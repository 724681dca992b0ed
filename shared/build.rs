//! Compiles the protobuf contracts with `protox` (pure Rust, no system `protoc`)
//! and exports the descriptor set that server reflection serves.

use std::{env, fs, path::PathBuf};

use prost::Message;

const PROTO_ROOT: &str = "../proto";
const PROTOS: &[&str] = &[
    "jobsearch/auth/v1/auth.proto",
    "jobsearch/jobs/v1/jobs.proto",
    "jobsearch/jobs/v1/interviews.proto",
    "jobsearch/jobs/v1/contacts.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed={PROTO_ROOT}");
    let fds = protox::compile(PROTOS, [PROTO_ROOT])?;
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    fs::write(
        out_dir.join("jobsearch_descriptor.bin"),
        fds.encode_to_vec(),
    )?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(fds)?;
    Ok(())
}
