//! A client that sends real protobuf requests but does not decode the
//! answers: it checks the gRPC status (from the trailers) and counts the
//! response bytes. Decoding a page of 50 postings costs the client about as
//! much CPU as encoding it costs the server, and on a shared machine that
//! CPU would come out of the server's share; h2load, the cross-check, does
//! not decode either. Workloads that need an answer (a refresh token, say)
//! use the generated clients instead.

use std::marker::PhantomData;

use prost::bytes::Buf as _;
use tonic::{
    Request, Status,
    codec::{BufferSettings, Codec, DecodeBuf, Decoder},
    transport::Channel,
};
use tonic_prost::ProstEncoder;

/// gRPC paths of the calls the workloads make.
pub mod path {
    pub const HEALTH_CHECK: &str = "/grpc.health.v1.Health/Check";
    pub const GET_ME: &str = "/jobsearch.auth.v1.AuthService/GetMe";
    pub const LIST_JOB_POSTINGS: &str = "/jobsearch.jobs.v1.JobsService/ListJobPostings";
    pub const GET_JOB_POSTING: &str = "/jobsearch.jobs.v1.JobsService/GetJobPosting";
    pub const GET_JOB_SITE: &str = "/jobsearch.jobs.v1.JobsService/GetJobSite";
    pub const LIST_JOB_SITES: &str = "/jobsearch.jobs.v1.JobsService/ListJobSites";
    pub const CREATE_JOB_POSTING: &str = "/jobsearch.jobs.v1.JobsService/CreateJobPosting";
    pub const UPDATE_JOB_POSTING: &str = "/jobsearch.jobs.v1.JobsService/UpdateJobPosting";
    pub const GET_ANALYTICS: &str = "/jobsearch.jobs.v1.JobsService/GetAnalytics";
    pub const LIST_DUE: &str = "/jobsearch.jobs.v1.JobsService/ListDue";
    pub const SEARCH_JOB_POSTINGS: &str = "/jobsearch.jobs.v1.JobsService/SearchJobPostings";
}

/// Encodes `T` with prost, skips the answer.
#[derive(Debug)]
struct Discard<T>(PhantomData<T>);

impl<T: prost::Message + Send + 'static> Codec for Discard<T> {
    type Encode = T;
    type Decode = usize;
    type Encoder = ProstEncoder<T>;
    type Decoder = Skip;

    fn encoder(&mut self) -> Self::Encoder {
        ProstEncoder::new(BufferSettings::default())
    }

    fn decoder(&mut self) -> Self::Decoder {
        Skip
    }
}

/// Consumes a whole response message, returning its length.
#[derive(Debug)]
struct Skip;

impl Decoder for Skip {
    type Item = usize;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<usize>, Status> {
        let length = buf.remaining();
        buf.advance(length);
        Ok(Some(length))
    }
}

/// A unary-call client over one connection.
#[derive(Debug, Clone)]
pub struct RawClient(tonic::client::Grpc<Channel>);

impl RawClient {
    pub fn new(channel: Channel) -> Self {
        Self(tonic::client::Grpc::new(channel))
    }

    /// Calls `path` with `request`; the answer's size in bytes.
    pub async fn call<T: prost::Message + Send + Sync + 'static>(
        &mut self,
        path: &'static str,
        request: Request<T>,
    ) -> Result<usize, Status> {
        self.0
            .ready()
            .await
            .map_err(|e| Status::unavailable(format!("connection not ready: {e}")))?;
        let path = http::uri::PathAndQuery::from_static(path);
        let response = self.0.unary(request, path, Discard(PhantomData)).await?;
        Ok(response.into_inner())
    }
}
