//! SQLite on a full or read-only disk: writes answer UNAVAILABLE (never a
//! panic or INTERNAL), reads carry on, writes work again once space
//! returns, and the databases pass `PRAGMA integrity_check`.
//!
//! The disk is a small tmpfs mounted for the test, so this needs root (CI
//! runs as root); elsewhere, and in the TEST_DATABASE=postgres phase, the
//! test prints SKIPPED with the reason.

use std::{io::Write as _, path::Path, process::Command};

use shared::proto::jobsearch::{auth::v1 as auth_pb, jobs::v1 as pb};
use tonic::{Code, Status};

use crate::helpers::{Overrides, PASSWORD, TestApp, TestUser, authed, skip, spawn_app_with};

/// A tmpfs mounted on a fresh directory, unmounted on drop.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts `size` (as `mount -o size=` takes it), or says why it cannot.
    fn mount(size: &str) -> Result<Self, String> {
        let uid = Command::new("id")
            .arg("-u")
            .output()
            .map_err(|e| e.to_string())?;
        if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
            return Err("mounting a tmpfs needs root".into());
        }
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!(
                "mount failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(Self { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Remounts read-only or read-write; the kernel refuses read-only while
    /// a file is open for writing (EBUSY), so only with the services stopped.
    /// Retries for a few seconds: stopped services close their files
    /// asynchronously.
    async fn remount(&self, mode: &str) {
        let start = std::time::Instant::now();
        loop {
            let out = Command::new("mount")
                .args(["-o", &format!("remount,{mode}")])
                .arg(self.path())
                .output()
                .unwrap();
            if out.status.success() {
                return;
            }
            let error = String::from_utf8_lossy(&out.stderr).into_owned();
            assert!(start.elapsed().as_secs() < 10, "remount,{mode}: {error}");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// Writes a file until the disk is full; returns its path.
    fn fill(&self) -> std::path::PathBuf {
        let path = self.path().join("filler");
        let mut file = std::fs::File::create(&path).unwrap();
        let chunk = vec![0_u8; 64 << 10];
        while file.write_all(&chunk).is_ok() {}
        let _ = file.flush();
        path
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.path()).status();
    }
}

/// Both services with their SQLite files on `disk`.
async fn app_on(disk: &Tmpfs) -> TestApp {
    let dir = |name: &str| {
        let path = disk.path().join(name);
        std::fs::create_dir_all(&path).unwrap();
        path.display().to_string()
    };
    spawn_app_with(Overrides {
        auth: vec![("AUTH_DATA_DIR".into(), dir("auth"))],
        jobs: vec![("JOBS_DATA_DIR".into(), dir("jobs"))],
    })
    .await
}

async fn create_site(app: &TestApp, user: &TestUser) -> pb::JobSite {
    let job_site = Some(pb::JobSite {
        site_name: "Board".into(),
        site_password: "board password".into(),
        ..Default::default()
    });
    let request = authed(pb::CreateJobSiteRequest { job_site }, &user.access_token);
    app.jobs
        .clone()
        .create_job_site(request)
        .await
        .unwrap()
        .into_inner()
}

/// A posting with 20 kB of notes, so that every write needs fresh pages.
async fn big_posting(app: &TestApp, user: &TestUser, site_id: &str) -> Result<(), Status> {
    let job_posting = Some(pb::JobPosting {
        job_site_id: site_id.to_owned(),
        company_name: "Acme".into(),
        posting_title: "Engineer".into(),
        job_scan_info: "s".repeat(10_000),
        outreach_info: "o".repeat(10_000),
        ..Default::default()
    });
    let request = authed(
        pb::CreateJobPostingRequest { job_posting },
        &user.access_token,
    );
    app.jobs.clone().create_job_posting(request).await.map(drop)
}

async fn integrity(pool: &sqlx::AnyPool) -> String {
    sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(pool)
        .await
        .unwrap()
}

fn skipped(test: &str) -> Option<Tmpfs> {
    if std::env::var("TEST_DATABASE").as_deref() == Ok("postgres") {
        skip(test, "a SQLite fault; runs in the SQLite phase");
        return None;
    }
    Tmpfs::mount("16m")
        .map_err(|reason| skip(test, &reason))
        .ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_with_unavailable_and_corrupts_nothing() {
    let Some(disk) = skipped("a_full_disk_refuses_writes_with_unavailable_and_corrupts_nothing")
    else {
        return;
    };
    let app = app_on(&disk).await;
    let user = app.user("ada").await;
    let site = create_site(&app, &user).await;
    big_posting(&app, &user, &site.id).await.unwrap();

    let filler = disk.fill();
    // The first writes may still fit in pages SQLite already holds.
    let mut refused = None;
    for _ in 0..50 {
        if let Err(status) = big_posting(&app, &user, &site.id).await {
            refused = Some(status);
            break;
        }
    }
    let status = refused.expect("a write succeeded on a full disk 50 times");
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
    assert_eq!(status.message(), "service temporarily unavailable");
    let login = app
        .auth
        .clone()
        .login(auth_pb::LoginRequest {
            username: "ada".into(),
            password: PASSWORD.into(),
        })
        .await;
    let status = login.expect_err("a login writes a session");
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
    // Reads need no space.
    let request = authed(
        pb::GetJobSiteRequest {
            id: site.id.clone(),
        },
        &user.access_token,
    );
    app.jobs.clone().get_job_site(request).await.unwrap();

    std::fs::remove_file(filler).unwrap();
    big_posting(&app, &user, &site.id)
        .await
        .expect("writes work again");
    app.user("grace").await;
    assert_eq!(integrity(&app.jobs_state.db).await, "ok");
    assert_eq!(integrity(&app.auth_db()).await, "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_disk_stops_the_service_from_starting_and_corrupts_nothing() {
    let Some(disk) =
        skipped("a_read_only_disk_stops_the_service_from_starting_and_corrupts_nothing")
    else {
        return;
    };
    let app = app_on(&disk).await;
    let user = app.user("ada").await;
    let site = create_site(&app, &user).await;
    let jobs_dir = disk.path().join("jobs");
    // Mid-run the kernel refuses to remount while SQLite holds its files
    // open for writing, so the disk turns read-only between runs.
    app.jobs_state.writer.close().await;
    app.jobs_state.db.close().await;
    drop(app);
    disk.remount("ro").await;
    let config = jobs_service::config::Config::from_vars([(
        "JOBS_DATA_DIR".to_owned(),
        jobs_dir.display().to_string(),
    )])
    .unwrap();
    let error = jobs_service::state::AppState::build(config)
        .await
        .expect_err("started on a read-only disk");
    let message = format!("{error:#}");
    println!("{message}");
    assert!(
        message.contains("JOBS_DATABASE_URL: cannot connect"),
        "{message}"
    );

    disk.remount("rw").await;
    let config = jobs_service::config::Config::from_vars([(
        "JOBS_DATA_DIR".to_owned(),
        jobs_dir.display().to_string(),
    )])
    .unwrap();
    let state = jobs_service::state::AppState::build(config).await.unwrap();
    assert_eq!(integrity(&state.db).await, "ok");
    let sites: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM job_sites WHERE id = $1")
        .bind(&site.id)
        .fetch_one(&state.db)
        .await
        .unwrap();
    assert_eq!(sites, 1);
}
