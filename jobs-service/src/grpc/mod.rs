//! The `jobsearch.jobs.v1.JobsService` implementation. Each method is one
//! line: the per-resource modules authenticate (the interceptor already put
//! the caller in the request), convert, call the service and convert back.

mod analytics;
mod contacts;
mod interviews;
mod opportunities;
mod postings;
mod reports;
mod sites;
mod stage_events;
mod tags;

use shared::proto::jobsearch::jobs::v1::{self as pb, jobs_service_server::JobsService};
use tonic::{Request, Response, Status};

use crate::state::AppState;

/// The gRPC face of the jobs-service.
#[derive(Debug, Clone)]
pub struct JobsApi {
    state: AppState,
}

impl JobsApi {
    /// Serves calls with `state`.
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// What a handler returns.
type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl JobsService for JobsApi {
    async fn create_job_site(
        &self,
        request: Request<pb::CreateJobSiteRequest>,
    ) -> Reply<pb::JobSite> {
        sites::create(&self.state, request).await
    }

    async fn get_job_site(&self, request: Request<pb::GetJobSiteRequest>) -> Reply<pb::JobSite> {
        sites::get(&self.state, request).await
    }

    async fn list_job_sites(
        &self,
        request: Request<pb::ListJobSitesRequest>,
    ) -> Reply<pb::ListJobSitesResponse> {
        sites::list(&self.state, request).await
    }

    async fn update_job_site(
        &self,
        request: Request<pb::UpdateJobSiteRequest>,
    ) -> Reply<pb::JobSite> {
        sites::update(&self.state, request).await
    }

    async fn delete_job_site(
        &self,
        request: Request<pb::DeleteJobSiteRequest>,
    ) -> Reply<pb::DeleteJobSiteResponse> {
        sites::delete(&self.state, request).await
    }

    async fn create_job_posting(
        &self,
        request: Request<pb::CreateJobPostingRequest>,
    ) -> Reply<pb::JobPosting> {
        postings::create(&self.state, request).await
    }

    async fn get_job_posting(
        &self,
        request: Request<pb::GetJobPostingRequest>,
    ) -> Reply<pb::JobPosting> {
        postings::get(&self.state, request).await
    }

    async fn list_job_postings(
        &self,
        request: Request<pb::ListJobPostingsRequest>,
    ) -> Reply<pb::ListJobPostingsResponse> {
        postings::list(&self.state, request).await
    }

    async fn update_job_posting(
        &self,
        request: Request<pb::UpdateJobPostingRequest>,
    ) -> Reply<pb::JobPosting> {
        postings::update(&self.state, request).await
    }

    async fn delete_job_posting(
        &self,
        request: Request<pb::DeleteJobPostingRequest>,
    ) -> Reply<pb::DeleteJobPostingResponse> {
        postings::delete(&self.state, request).await
    }

    async fn create_opportunity(
        &self,
        request: Request<pb::CreateOpportunityRequest>,
    ) -> Reply<pb::Opportunity> {
        opportunities::create(&self.state, request).await
    }

    async fn get_opportunity(
        &self,
        request: Request<pb::GetOpportunityRequest>,
    ) -> Reply<pb::Opportunity> {
        opportunities::get(&self.state, request).await
    }

    async fn list_opportunities(
        &self,
        request: Request<pb::ListOpportunitiesRequest>,
    ) -> Reply<pb::ListOpportunitiesResponse> {
        opportunities::list(&self.state, request).await
    }

    async fn update_opportunity(
        &self,
        request: Request<pb::UpdateOpportunityRequest>,
    ) -> Reply<pb::Opportunity> {
        opportunities::update(&self.state, request).await
    }

    async fn delete_opportunity(
        &self,
        request: Request<pb::DeleteOpportunityRequest>,
    ) -> Reply<pb::DeleteOpportunityResponse> {
        opportunities::delete(&self.state, request).await
    }

    async fn list_stage_events(
        &self,
        request: Request<pb::ListStageEventsRequest>,
    ) -> Reply<pb::ListStageEventsResponse> {
        stage_events::list(&self.state, request).await
    }

    async fn create_stage_event(
        &self,
        request: Request<pb::CreateStageEventRequest>,
    ) -> Reply<pb::StageEvent> {
        stage_events::create(&self.state, request).await
    }

    async fn update_stage_event(
        &self,
        request: Request<pb::UpdateStageEventRequest>,
    ) -> Reply<pb::StageEvent> {
        stage_events::update(&self.state, request).await
    }

    async fn delete_stage_event(
        &self,
        request: Request<pb::DeleteStageEventRequest>,
    ) -> Reply<pb::DeleteStageEventResponse> {
        stage_events::delete(&self.state, request).await
    }

    async fn list_due(&self, request: Request<pb::ListDueRequest>) -> Reply<pb::ListDueResponse> {
        stage_events::list_due(&self.state, request).await
    }

    async fn get_report(
        &self,
        request: Request<pb::GetReportRequest>,
    ) -> Reply<pb::GetReportResponse> {
        reports::report(&self.state, request).await
    }

    async fn get_dashboard(
        &self,
        request: Request<pb::GetDashboardRequest>,
    ) -> Reply<pb::GetDashboardResponse> {
        reports::dashboard(&self.state, request).await
    }

    async fn create_interview(
        &self,
        request: Request<pb::CreateInterviewRequest>,
    ) -> Reply<pb::Interview> {
        interviews::create(&self.state, request).await
    }

    async fn get_interview(
        &self,
        request: Request<pb::GetInterviewRequest>,
    ) -> Reply<pb::Interview> {
        interviews::get(&self.state, request).await
    }

    async fn list_interviews(
        &self,
        request: Request<pb::ListInterviewsRequest>,
    ) -> Reply<pb::ListInterviewsResponse> {
        interviews::list(&self.state, request).await
    }

    async fn update_interview(
        &self,
        request: Request<pb::UpdateInterviewRequest>,
    ) -> Reply<pb::Interview> {
        interviews::update(&self.state, request).await
    }

    async fn delete_interview(
        &self,
        request: Request<pb::DeleteInterviewRequest>,
    ) -> Reply<pb::DeleteInterviewResponse> {
        interviews::delete(&self.state, request).await
    }

    async fn list_upcoming_interviews(
        &self,
        request: Request<pb::ListUpcomingInterviewsRequest>,
    ) -> Reply<pb::ListUpcomingInterviewsResponse> {
        interviews::upcoming(&self.state, request).await
    }

    async fn export_interviews(
        &self,
        request: Request<pb::ExportInterviewsRequest>,
    ) -> Reply<pb::ExportInterviewsResponse> {
        interviews::export(&self.state, request).await
    }

    async fn create_contact(
        &self,
        request: Request<pb::CreateContactRequest>,
    ) -> Reply<pb::Contact> {
        contacts::create(&self.state, request).await
    }

    async fn get_contact(&self, request: Request<pb::GetContactRequest>) -> Reply<pb::Contact> {
        contacts::get(&self.state, request).await
    }

    async fn list_contacts(
        &self,
        request: Request<pb::ListContactsRequest>,
    ) -> Reply<pb::ListContactsResponse> {
        contacts::list(&self.state, request).await
    }

    async fn update_contact(
        &self,
        request: Request<pb::UpdateContactRequest>,
    ) -> Reply<pb::Contact> {
        contacts::update(&self.state, request).await
    }

    async fn delete_contact(
        &self,
        request: Request<pb::DeleteContactRequest>,
    ) -> Reply<pb::DeleteContactResponse> {
        contacts::delete(&self.state, request).await
    }

    async fn link_contact(
        &self,
        request: Request<pb::LinkContactRequest>,
    ) -> Reply<pb::ContactLink> {
        contacts::link(&self.state, request).await
    }

    async fn unlink_contact(
        &self,
        request: Request<pb::UnlinkContactRequest>,
    ) -> Reply<pb::UnlinkContactResponse> {
        contacts::unlink(&self.state, request).await
    }

    async fn get_analytics(
        &self,
        request: Request<pb::GetAnalyticsRequest>,
    ) -> Reply<pb::GetAnalyticsResponse> {
        analytics::get(&self.state, request).await
    }

    // Tags and search

    async fn list_tags(
        &self,
        request: Request<pb::ListTagsRequest>,
    ) -> Reply<pb::ListTagsResponse> {
        tags::list(&self.state, request).await
    }

    async fn rename_tag(&self, request: Request<pb::RenameTagRequest>) -> Reply<pb::Tag> {
        tags::rename(&self.state, request).await
    }

    async fn delete_tag(
        &self,
        request: Request<pb::DeleteTagRequest>,
    ) -> Reply<pb::DeleteTagResponse> {
        tags::delete(&self.state, request).await
    }

    async fn search_job_postings(
        &self,
        request: Request<pb::SearchJobPostingsRequest>,
    ) -> Reply<pb::SearchJobPostingsResponse> {
        tags::search(&self.state, request).await
    }
}

// Round trips message -> validation -> row -> message, in a file of their own.
#[cfg(test)]
mod proptests;
