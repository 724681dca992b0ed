//! gRPC handler for `GetAnalytics`: convert the request, call the service,
//! convert the answer.

use shared::{proto::jobsearch::jobs::v1 as pb, timestamp};
use tonic::{Request, Response};

use super::Reply;
use crate::{
    auth::caller,
    domain::analytics::{AnalyticsQuery, STAGES},
    service::analytics::{Figures, Group},
    state::AppState,
};

/// `GetAnalytics`.
pub async fn get(
    state: &AppState,
    request: Request<pb::GetAnalyticsRequest>,
) -> Reply<pb::GetAnalyticsResponse> {
    let caller = caller(&request)?;
    let query = AnalyticsQuery::parse(request.get_ref())?;
    let analytics = state.get_analytics(&caller.user_id, query).await?;
    Ok(Response::new(pb::GetAnalyticsResponse {
        overall: Some(figures(analytics.overall)),
        groups: analytics.groups.into_iter().map(group).collect(),
    }))
}

fn group(group: Group) -> pb::AnalyticsGroup {
    pb::AnalyticsGroup {
        key: group.key,
        name: group.name,
        figures: Some(figures(group.figures)),
    }
}

fn figures(figures: Figures) -> pb::AnalyticsFigures {
    let counts = figures.counts;
    let funnel = STAGES
        .iter()
        .enumerate()
        .map(|(i, stage)| pb::FunnelStep {
            stage: *stage as i32,
            applications: count(counts.reached.get(i).copied().unwrap_or_default()),
        })
        .collect();
    let applications_per_week = figures
        .weeks
        .into_iter()
        .map(|week| pb::AnalyticsWeek {
            week_start: Some(timestamp(week.week_start)),
            iso_year: week.iso.0,
            iso_week: week.iso.1,
            applications: count(week.applications),
        })
        .collect();
    pb::AnalyticsFigures {
        applied: count(counts.applied),
        funnel,
        responded: count(counts.responded),
        ghosted: count(counts.ghosted),
        waiting: count(counts.waiting),
        withdrawn: count(counts.withdrawn),
        response_rate: figures.response_rate,
        ghosting_rate: figures.ghosting_rate,
        with_next_step: count(counts.with_next_step),
        median_days_to_next_step: figures.median_days,
        p75_days_to_next_step: figures.p75_days,
        applications_per_week,
        time_spent_minutes: counts.time_spent,
    }
}

/// A database count as a `uint32`, saturating.
fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}
