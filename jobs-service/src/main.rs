//! Placeholder binary: the jobs-service is not implemented yet.

fn main() -> std::process::ExitCode {
    eprintln!("jobs-service is not implemented yet; see README.md");
    std::process::ExitCode::FAILURE
}
