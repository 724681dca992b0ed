//! Development secrets kept in the data directory: generated on first start
//! and reused afterwards, so restarts keep tokens and stored data readable.
//! Production configures its secrets instead and never reaches this code.

use std::{io::Write as _, path::Path};

/// Returns the contents of `path`, first creating it (readable by its owner
/// only) with what `generate` makes if it does not exist.
pub fn load_or_create(
    path: &Path,
    generate: impl FnOnce() -> std::io::Result<String>,
) -> std::io::Result<String> {
    if path.exists() {
        return std::fs::read_to_string(path);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let contents = generate()?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()?;
    tracing::warn!(path = %path.display(), "generated a development secret");
    Ok(contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_generated_once_and_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/secret");
        let first = load_or_create(&path, || Ok("one".into())).unwrap();
        let second = load_or_create(&path, || Ok("two".into())).unwrap();
        assert_eq!((first.as_str(), second.as_str()), ("one", "one"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
