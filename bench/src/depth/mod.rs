//! The depth seeder (issue 9's performance target): per user, a long job
//! search — thousands of postings with their stage histories, contacts and
//! interviews — written through the public API, several calls in flight, so
//! every row (history-derived fields, follow-ups, the search index) is what
//! clients would have made. Idempotent: a user that already has postings is
//! left alone.
//!
//! The histories follow what job searches look like: most applications are
//! never answered (some still waiting, more marked NO_RESPONSE after a
//! chase), many are rejected with or without a conversation, some reach
//! interviews and a few an offer. Applications spread over the last
//! `months` months, so the windows of GetAnalytics and the follow-ups of
//! ListDue fall on real data.

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use rand::{Rng as _, SeedableRng as _, rngs::StdRng, seq::SliceRandom as _};
use shared::proto::jobsearch::{
    auth::v1::auth_service_client::AuthServiceClient,
    jobs::v1::{
        Contact, CreateContactRequest, CreateInterviewRequest, CreateJobPostingRequest,
        CreateJobSiteRequest, CreateStageEventRequest, Interview, InterviewKind, JobPosting,
        ListJobPostingsRequest, Stage, StageEvent, jobs_service_client::JobsServiceClient,
    },
};
use tokio::task::JoinSet;
use tonic::transport::Channel;

use crate::{
    seed,
    workloads::{Bearer, Setup, authed},
};

mod content;

use content::{contact, history, posting};

const DAY: i64 = 86_400;
/// Sites per user.
const SITES: usize = 6;

/// How much to seed per user.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub postings: usize,
    pub contacts: usize,
    pub interviews: usize,
    /// Applications spread over this many months before now.
    pub months: i64,
    /// Calls in flight.
    pub concurrency: usize,
    pub seed: u64,
}

/// What was created, over every user.
#[derive(Debug, Default, Clone, Copy)]
pub struct Made {
    pub users: usize,
    pub postings: usize,
    pub events: usize,
    pub contacts: usize,
    pub interviews: usize,
}

/// Runs `calls` (each one or more RPCs) `concurrency` at a time; what they
/// return, in the order they finish.
async fn in_flight<T, F>(
    concurrency: usize,
    calls: impl IntoIterator<Item = F>,
) -> anyhow::Result<Vec<T>>
where
    T: Send + 'static,
    F: Future<Output = anyhow::Result<T>> + Send + 'static,
{
    let mut tasks = JoinSet::new();
    let mut results = Vec::new();
    for call in calls {
        tasks.spawn(call);
        if tasks.len() >= concurrency.max(1)
            && let Some(done) = tasks.join_next().await
        {
            results.push(done??);
        }
    }
    while let Some(done) = tasks.join_next().await {
        results.push(done??);
    }
    Ok(results)
}

/// Seeds `setup.users` users with `shape` each.
pub async fn seed(setup: &Setup, shape: Shape) -> anyhow::Result<Made> {
    let mut auth = AuthServiceClient::new(setup.channels(&setup.auth_url).await?.get(0));
    let channels = setup.channels(&setup.jobs_url).await?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .context("the clock is before 1970")?
        .as_secs()
        .cast_signed();
    let mut rng = StdRng::seed_from_u64(shape.seed);
    let mut made = Made::default();
    for i in 1..=setup.users {
        let (new, bearer) = seed::register(&mut auth, setup, i).await?;
        made.users += usize::from(new);
        let mut jobs = JobsServiceClient::new(channels.get(i));
        let existing = jobs
            .list_job_postings(authed(
                ListJobPostingsRequest {
                    page_size: 1,
                    ..Default::default()
                },
                &bearer,
            ))
            .await
            .context("listing postings")?
            .into_inner();
        if !existing.job_postings.is_empty() {
            continue;
        }
        seed_user(
            &channels_of(&channels, setup),
            &bearer,
            shape,
            now,
            &mut rng,
            &mut made,
        )
        .await?;
    }
    Ok(made)
}

/// One client per connection, so the calls in flight spread over them.
fn channels_of(channels: &crate::workloads::Channels, setup: &Setup) -> Vec<Channel> {
    (0..setup.connections.max(1))
        .map(|c| channels.get(c))
        .collect()
}

async fn seed_user(
    channels: &[Channel],
    bearer: &Bearer,
    shape: Shape,
    now: i64,
    rng: &mut StdRng,
    made: &mut Made,
) -> anyhow::Result<()> {
    let client = |n: usize| JobsServiceClient::new(channels[n % channels.len()].clone());
    let mut site_ids = Vec::with_capacity(SITES);
    for s in 0..SITES {
        let request = CreateJobSiteRequest {
            job_site: Some(seed::site(rng, s)),
        };
        let site = client(s)
            .create_job_site(authed(request, bearer))
            .await
            .context("creating a site")?;
        site_ids.push(site.into_inner().id);
    }

    let contacts: Vec<Contact> = (0..shape.contacts).map(|k| contact(rng, k)).collect();
    let calls = contacts.into_iter().enumerate().map(|(k, contact)| {
        let (mut jobs, bearer) = (client(k), bearer.clone());
        async move {
            let request = CreateContactRequest {
                contact: Some(contact),
            };
            let created = jobs.create_contact(authed(request, &bearer)).await;
            Ok(created.context("creating a contact")?.into_inner().id)
        }
    });
    let contact_ids = in_flight(shape.concurrency, calls).await?;
    made.contacts += contact_ids.len();

    // Each posting with its history, in one task: the events must follow
    // their posting's creation.
    let span = shape.months.max(1) * 30 * DAY;
    let plans: Vec<(JobPosting, Vec<(Stage, i64)>)> = (0..shape.postings)
        .map(|j| {
            let applied = now - span + rng.gen_range(0..span);
            let later: Vec<(Stage, i64)> = history(rng)
                .into_iter()
                .map(|(stage, days)| (stage, applied + days * DAY + rng.gen_range(0..DAY / 2)))
                .filter(|&(_, at)| at < now)
                .collect();
            (posting(rng, &site_ids[j % SITES], applied), later)
        })
        .collect();
    let with_interviews: Vec<usize> = plans
        .iter()
        .enumerate()
        .filter(|(_, (_, later))| later.iter().any(|&(stage, _)| stage == Stage::Engaged))
        .map(|(j, _)| j)
        .collect();
    let calls = plans.into_iter().enumerate().map(|(j, (posting, later))| {
        let (mut jobs, bearer) = (client(j), bearer.clone());
        async move {
            let created = jobs
                .create_job_posting(authed(
                    CreateJobPostingRequest {
                        job_posting: Some(posting),
                    },
                    &bearer,
                ))
                .await
                .context("creating a posting")?
                .into_inner();
            let parent = format!("jobPostings/{}", created.id);
            for (stage, at) in &later {
                let request = CreateStageEventRequest {
                    parent: parent.clone(),
                    stage_event: Some(StageEvent {
                        stage: *stage as i32,
                        occurred_at: Some(shared::timestamp(*at)),
                        note: format!("{} logged by the seeder.", stage.as_str_name()),
                        ..Default::default()
                    }),
                };
                jobs.create_stage_event(authed(request, &bearer))
                    .await
                    .context("logging a stage")?;
            }
            // The APPLIED event of the creation, and the later ones.
            Ok::<_, anyhow::Error>((j, created.id, 1 + later.len()))
        }
    });
    let mut posting_ids = vec![String::new(); shape.postings];
    for (j, id, events) in in_flight(shape.concurrency, calls).await? {
        posting_ids[j] = id;
        made.events += events;
    }
    made.postings += shape.postings;

    // Interviews on postings that got a conversation: half behind, half in
    // the coming three weeks; one or two of the contacts interview.
    let interviews: Vec<_> = with_interviews
        .choose_multiple(rng, shape.interviews.min(with_interviews.len()))
        .enumerate()
        .map(|(n, &j)| {
            let at = now + rng.gen_range(-21..21) * DAY + rng.gen_range(9..17) * 3_600;
            let count = rng.gen_range(1..=2);
            let interviewers = contact_ids.choose_multiple(rng, count).cloned().collect();
            let request = CreateInterviewRequest {
                parent: format!("jobPostings/{}", posting_ids[j]),
                interview: Some(Interview {
                    round: rng.gen_range(1..=3),
                    kind: *[
                        InterviewKind::PhoneScreen,
                        InterviewKind::Video,
                        InterviewKind::Technical,
                    ]
                    .choose(rng)
                    .unwrap_or(&InterviewKind::Video) as i32,
                    scheduled_at: Some(shared::timestamp(at - at % 1_800)),
                    time_zone: "Europe/Berlin".to_owned(),
                    duration_minutes: 45,
                    meeting_url: format!("https://meet.example.com/{n}"),
                    prep_notes: "Review the system design notes.".to_owned(),
                    interviewer_contact_ids: interviewers,
                    ..Default::default()
                }),
            };
            let (mut jobs, bearer) = (client(n), bearer.clone());
            async move {
                jobs.create_interview(authed(request, &bearer))
                    .await
                    .context("creating an interview")?;
                Ok(())
            }
        })
        .collect();
    made.interviews += in_flight(shape.concurrency, interviews).await?.len();
    Ok(())
}
