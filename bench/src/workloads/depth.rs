//! The reads of issue 9's performance target, over a user seeded by
//! `bench seed-depth`: analytics, what is due, and search. Each reports its
//! variants as separate operations, so a miss names its query shape.

use std::time::{SystemTime, UNIX_EPOCH};

use shared::proto::jobsearch::jobs::v1::{
    AnalyticsGroupBy, DueWindow, GetAnalyticsRequest, ListDueRequest, SearchJobPostingsRequest,
};

use super::{
    Bearer, Channels, Outcome, Setup, Worker, Workload, authed,
    jobs::client_for,
    raw::{RawClient, path},
};
use crate::fixture::Sessions;

const DAY: i64 = 86_400;

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs().cast_signed())
}

/// `GetAnalytics`, cycling through no window, the last 90 days and the last
/// 30 days, each without grouping (operation 0) and by site (operation 1).
#[derive(Debug)]
pub struct AnalyticsWorker {
    client: RawClient,
    bearer: Bearer,
    now: i64,
    next: usize,
}

jobs_workload!(
    Analytics,
    "analytics",
    ["analytics-none", "analytics-site"],
    AnalyticsWorker,
    |client, bearer, _, index| AnalyticsWorker {
        client,
        bearer,
        now: now(),
        next: index,
    }
);

impl Worker for AnalyticsWorker {
    async fn call(&mut self) -> Outcome {
        self.next = (self.next + 1) % 6;
        let by_site = self.next % 2 == 1;
        let days = [None, Some(90), Some(30)][self.next / 2];
        let request = GetAnalyticsRequest {
            start: days.map(|days| shared::timestamp(self.now - days * DAY)),
            end: None,
            group_by: if by_site {
                AnalyticsGroupBy::Site
            } else {
                AnalyticsGroupBy::None
            } as i32,
        };
        let result = self
            .client
            .call(path::GET_ANALYTICS, authed(request, &self.bearer))
            .await;
        Outcome::of(usize::from(by_site), &result)
    }
}

/// `ListDue` THIS_WEEK, first page of 50, alternating two time zones.
#[derive(Debug)]
pub struct ListDueWorker {
    client: RawClient,
    bearer: Bearer,
    next: usize,
}

jobs_workload!(
    ListDue,
    "list-due",
    ListDueWorker,
    |client, bearer, _, index| ListDueWorker {
        client,
        bearer,
        next: index,
    }
);

impl Worker for ListDueWorker {
    async fn call(&mut self) -> Outcome {
        self.next = self.next.wrapping_add(1);
        let request = ListDueRequest {
            window: DueWindow::ThisWeek as i32,
            page_size: 50,
            page_token: String::new(),
            time_zone: ["Europe/Berlin", "America/New_York"][self.next % 2].to_owned(),
        };
        let result = self
            .client
            .call(path::LIST_DUE, authed(request, &self.bearer))
            .await;
        Outcome::of(0, &result)
    }
}

/// Queries of the search workload, (words, rare?). Against the depth seed:
/// "engineer" is in every posting, "rust" or "python postgresql" in about a
/// third or a sixth, a company word in one in 20, a mascot in one in 60, and
/// "xylophone" in none.
const QUERIES: [(&str, bool); 10] = [
    ("engineer", false),
    ("rust", false),
    ("python postgresql", false),
    ("platform engineer", false),
    ("kubernetes", false),
    ("zephyr", true),
    ("quokka", true),
    ("nimbus labs", true),
    ("narwhal kubernetes", true),
    ("xylophone", true),
];

/// `SearchJobPostings`, first page of 50, cycling through [`QUERIES`]:
/// common words (operation 0) and rare ones (operation 1).
#[derive(Debug)]
pub struct SearchWorker {
    client: RawClient,
    bearer: Bearer,
    next: usize,
}

jobs_workload!(
    Search,
    "search",
    ["search-common", "search-rare"],
    SearchWorker,
    |client, bearer, _, index| SearchWorker {
        client,
        bearer,
        next: index,
    }
);

impl Worker for SearchWorker {
    async fn call(&mut self) -> Outcome {
        self.next = (self.next + 1) % QUERIES.len();
        let (query, rare) = QUERIES[self.next];
        let request = SearchJobPostingsRequest {
            query: query.to_owned(),
            page_size: 50,
            ..Default::default()
        };
        let result = self
            .client
            .call(path::SEARCH_JOB_POSTINGS, authed(request, &self.bearer))
            .await;
        Outcome::of(usize::from(rare), &result)
    }
}
