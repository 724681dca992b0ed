//! The seeder: N users × S job sites × P postings, the same shape and value
//! spread as the baseline's `seed_data.py` (same companies, titles, cities,
//! dates from 2024-06-01, 3–6 technologies, 0–3 comments, a description of
//! 2–4 paragraphs), written through the public API so every row is exactly
//! what a client would have made. Idempotent: a user that already has its
//! sites is left alone.

use anyhow::Context as _;
use prost_types::Timestamp;
use rand::{Rng as _, SeedableRng as _, rngs::StdRng, seq::SliceRandom as _};
use shared::proto::jobsearch::{
    auth::v1::{RegisterRequest, auth_service_client::AuthServiceClient},
    jobs::v1::{
        Comment, CreateJobPostingRequest, CreateJobSiteRequest, EmploymentType, JobPosting,
        JobSite, ListJobSitesRequest, LocationType, PostingStatus,
        jobs_service_client::JobsServiceClient,
    },
};
use tokio::task::JoinSet;
use tonic::{Code, transport::Channel};

use crate::{
    fixture,
    workloads::{Bearer, Setup, authed},
};

const SITES: [(&str, &str); 6] = [
    ("LinkedIn", "https://www.linkedin.com/jobs/"),
    ("Indeed", "https://www.indeed.com/"),
    ("Wellfound", "https://wellfound.com/jobs"),
    ("Hacker News Jobs", "https://news.ycombinator.com/jobs"),
    ("Glassdoor", "https://www.glassdoor.com/Job/"),
    ("Dice", "https://www.dice.com/jobs"),
];
const COMPANIES: [&str; 14] = [
    "Acme Corp",
    "Globex",
    "Initech",
    "Umbrella Labs",
    "Hooli",
    "Stark Industries",
    "Wayne Enterprises",
    "Soylent Systems",
    "Vandelay Industries",
    "Wonka Tech",
    "Cyberdyne",
    "Tyrell Analytics",
    "Massive Dynamic",
    "Aperture Science",
];
const TITLES: [&str; 9] = [
    "Backend Engineer",
    "Senior Python Developer",
    "Full Stack Engineer",
    "Rust Systems Engineer",
    "Platform Engineer",
    "Software Engineer II",
    "Site Reliability Engineer",
    "Data Engineer",
    "API Developer",
];
/// The seed's six statuses in this contract's terms (applied = awaiting
/// feedback, interviewing = actively engaged, ghosted = no response).
const STATUSES: [PostingStatus; 6] = [
    PostingStatus::Open,
    PostingStatus::AwaitingFeedback,
    PostingStatus::ActivelyEngaged,
    PostingStatus::Rejected,
    PostingStatus::Offer,
    PostingStatus::NoResponse,
];
const LOCATIONS: [LocationType; 3] = [
    LocationType::Remote,
    LocationType::Hybrid,
    LocationType::OnSite,
];
const CITIES: [&str; 6] = [
    "Austin, TX",
    "Denver, CO",
    "Seattle, WA",
    "New York, NY",
    "Chicago, IL",
    "",
];
const EMPLOYMENT: [EmploymentType; 4] = [
    EmploymentType::FullTime,
    EmploymentType::Contract,
    EmploymentType::PartTime,
    EmploymentType::Contract,
];
const STAGES: [&str; 5] = ["", "screen", "technical", "onsite", "final"];
const TECH: [&str; 16] = [
    "Python",
    "Django",
    "DRF",
    "PostgreSQL",
    "SQLite",
    "React",
    "TypeScript",
    "Rust",
    "Tokio",
    "gRPC",
    "Docker",
    "Kubernetes",
    "AWS",
    "Redis",
    "Celery",
    "Go",
];
const LOREM: &str = "We are looking for an engineer to design, build and operate reliable services. \
    You will own features end to end, collaborate with product and design, write \
    tests, review code and improve our delivery pipeline. Experience with relational \
    databases, HTTP APIs, authentication and observability is expected. ";

/// 2024-06-01T09:00:00Z, the seed's base date.
const BASE: i64 = 1_717_232_400;
const DAY: i64 = 86_400;

fn at(seconds: i64) -> Option<Timestamp> {
    Some(shared::timestamp(seconds))
}

/// A posting shaped like the seed's, on `job_site_id`.
pub fn posting(rng: &mut StdRng, job_site_id: &str) -> JobPosting {
    let applied = BASE + rng.gen_range(0..=150) * DAY + rng.gen_range(0..=600) * 60;
    let status = *STATUSES.choose(rng).unwrap_or(&PostingStatus::Open);
    let company = *COMPANIES.choose(rng).unwrap_or(&"Acme Corp");
    let low = rng.gen_range(18..36) * 5;
    let interviewed = matches!(
        status,
        PostingStatus::ActivelyEngaged | PostingStatus::Offer | PostingStatus::Rejected
    );
    let rejected = status == PostingStatus::Rejected;
    let technologies = rng.gen_range(3..=6);
    let comments = (0..rng.gen_range(0..=3))
        .map(|k| Comment {
            text: format!("Follow-up note {}.", k + 1),
            create_time: at(applied + (k + 1) * DAY),
        })
        .collect();
    JobPosting {
        job_site_id: job_site_id.to_owned(),
        company_name: company.to_owned(),
        posting_title: (*TITLES.choose(rng).unwrap_or(&"Engineer")).to_owned(),
        posting_status: status as i32,
        posting_url_full: format!(
            "https://jobs.example.com/{}/{}",
            company.to_lowercase().replace(' ', "-"),
            rng.r#gen::<u32>()
        ),
        pay_range: format!("${low}k-${}k", low + rng.gen_range(2..12) * 5),
        location_type: *LOCATIONS.choose(rng).unwrap_or(&LocationType::Remote) as i32,
        location_city: (*CITIES.choose(rng).unwrap_or(&"")).to_owned(),
        employment_type: *EMPLOYMENT.choose(rng).unwrap_or(&EmploymentType::FullTime) as i32,
        applied_at: at(applied),
        interviewed_at: if interviewed {
            at(applied + 7 * DAY)
        } else {
            None
        },
        rejected_at: if rejected {
            at(applied + 14 * DAY)
        } else {
            None
        },
        rejected_after_stage: if rejected {
            (*STAGES.choose(rng).unwrap_or(&"")).to_owned()
        } else {
            String::new()
        },
        time_spent: Some(rng.gen_range(10..=240)),
        technology_stack: TECH
            .choose_multiple(rng, technologies)
            .map(|t| (*t).to_owned())
            .collect(),
        comments,
        job_description: LOREM.repeat(rng.gen_range(2..=4)),
        ..Default::default()
    }
}

/// Job site number `s` of a user, shaped like the seed's.
pub fn site(rng: &mut StdRng, s: usize) -> JobSite {
    let (name, url) = SITES[s % SITES.len()];
    JobSite {
        site_name: if s < SITES.len() {
            name.to_owned()
        } else {
            format!("{name} {s}")
        },
        site_url: url.to_owned(),
        site_password: format!("site-pass-{s}"),
        rating: rng.gen_range(1..=5),
        resume_format: (*["pdf", "docx", "txt"].choose(rng).unwrap_or(&"pdf")).to_owned(),
        github_field: rng.gen_bool(0.5),
        project_site_field: rng.gen_bool(0.5),
        last_visited_at: at(BASE + rng.gen_range(0..=120) * DAY),
        resume_updated_at: at(BASE + rng.gen_range(0..=120) * DAY),
        headline: "Backend engineer | Python, Rust, APIs".to_owned(),
        description: format!("My profile on {name}."),
        ..Default::default()
    }
}

/// Registers user `{prefix}{i}` unless it exists and logs it in: whether
/// it was new, and its token.
pub async fn register(
    auth: &mut AuthServiceClient<Channel>,
    setup: &Setup,
    i: usize,
) -> anyhow::Result<(bool, Bearer)> {
    let username = format!("{}{i}", setup.prefix);
    let registered = auth
        .register(RegisterRequest {
            username: username.clone(),
            email: format!("{username}@example.com"),
            first_name: "Bench".to_owned(),
            last_name: format!("User{i}"),
            password: setup.password.clone(),
        })
        .await;
    let new = match registered {
        Ok(_) => true,
        Err(status) if status.code() == Code::AlreadyExists => false,
        Err(status) => return Err(status).with_context(|| format!("registering {username}")),
    };
    let tokens = fixture::login(auth, &username, &setup.password).await?;
    Ok((new, fixture::bearer(&tokens.access_token)?))
}

/// How much to seed.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub sites: usize,
    pub postings: usize,
    pub seed: u64,
}

/// Seeds `setup.users` users; returns (users created, postings created).
pub async fn seed(setup: &Setup, shape: Shape) -> anyhow::Result<(usize, usize)> {
    anyhow::ensure!(shape.sites > 0, "--sites must be at least 1");
    let mut auth = AuthServiceClient::new(setup.channels(&setup.auth_url).await?.get(0));
    let jobs_channels = setup.channels(&setup.jobs_url).await?;
    let mut rng = StdRng::seed_from_u64(shape.seed);
    let (mut created_users, mut created_postings) = (0, 0);
    for i in 1..=setup.users {
        let username = format!("{}{i}", setup.prefix);
        let (new, bearer) = register(&mut auth, setup, i).await?;
        created_users += usize::from(new);
        let mut jobs = JobsServiceClient::new(jobs_channels.get(i));
        let existing = jobs
            .list_job_sites(authed(ListJobSitesRequest::default(), &bearer))
            .await
            .context("listing sites")?
            .into_inner()
            .job_sites;
        if existing.len() >= shape.sites {
            continue;
        }
        let mut site_ids = Vec::with_capacity(shape.sites);
        for s in 0..shape.sites {
            let request = CreateJobSiteRequest {
                job_site: Some(site(&mut rng, s)),
            };
            let created = jobs
                .create_job_site(authed(request, &bearer))
                .await
                .with_context(|| format!("creating a site for {username}"))?;
            site_ids.push(created.into_inner().id);
        }
        // Round-robin over the user's sites, like the seed; a few in flight.
        let mut tasks = JoinSet::new();
        for j in 0..shape.postings {
            let request = CreateJobPostingRequest {
                job_posting: Some(posting(&mut rng, &site_ids[j % site_ids.len()])),
            };
            let (mut client, bearer) = (jobs.clone(), bearer.clone());
            tasks.spawn(async move { client.create_job_posting(authed(request, &bearer)).await });
            if tasks.len() >= 8
                && let Some(done) = tasks.join_next().await
            {
                done?.context("creating a posting")?;
            }
        }
        while let Some(done) = tasks.join_next().await {
            done?.context("creating a posting")?;
        }
        created_postings += shape.postings;
    }
    Ok((created_users, created_postings))
}
