//! One tower layer around every call of both servers: a tracing span with the
//! method and a request id (so every log line of the call carries them), the
//! id echoed as `x-request-id`, and the call's gRPC code and latency recorded
//! in [`GrpcMetrics`].
//!
//! The code of a failed call usually arrives in the response headers (a
//! "trailers-only" response); a successful call's code arrives in the
//! trailers at the end of the body, so the body is wrapped to read them. The
//! layer sits inside tonic-web, so grpc-web calls are seen translated to
//! plain gRPC and recorded the same way.

use std::{
    pin::Pin,
    task::{Context, Poll, ready},
    time::Instant,
};

use http::{HeaderMap, HeaderValue, Request, Response};
use http_body::{Body, Frame, SizeHint};
use tonic::Code;
use tracing::{Instrument as _, Span, instrument::Instrumented};

use crate::metrics::{GrpcMetrics, Method};

/// The request id header, read from callers and echoed back.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Longest caller-supplied request id kept; longer ones are replaced.
const MAX_REQUEST_ID_LEN: usize = 128;

/// The id of the current call, also put into request extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// Adds [`Observe`] around a server's routes.
#[derive(Debug, Clone)]
pub struct ObserveLayer {
    metrics: GrpcMetrics,
}

impl ObserveLayer {
    /// A layer recording into `metrics`.
    pub fn new(metrics: GrpcMetrics) -> Self {
        Self { metrics }
    }
}

impl<S> tower::Layer<S> for ObserveLayer {
    type Service = Observe<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Observe {
            inner,
            metrics: self.metrics.clone(),
        }
    }
}

/// See the module documentation.
#[derive(Debug, Clone)]
pub struct Observe<S> {
    inner: S,
    metrics: GrpcMetrics,
}

impl<S, ReqBody, ResBody> tower::Service<Request<ReqBody>> for Observe<S>
where
    S: tower::Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<ObservedBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let method = self.metrics.method(request.uri().path()).clone();
        let request_id = request_id(request.headers());
        let span = tracing::info_span!(
            "grpc",
            method = %method.path,
            request_id = %request_id,
        );
        crate::otel::set_remote_parent(&span, request.headers());
        let echoed = HeaderValue::from_str(&request_id).ok();
        request.extensions_mut().insert(RequestId(request_id));
        let call = Call {
            metrics: self.metrics.clone(),
            method,
            started: Instant::now(),
        };
        let future = self.inner.call(request).instrument(span.clone());
        ResponseFuture {
            future,
            call: Some(call),
            span,
            echoed,
        }
    }
}

/// A sane caller-supplied id (visible ASCII, bounded), else a fresh one.
/// Anything else could forge log lines or bloat them.
fn request_id(headers: &HeaderMap) -> String {
    headers
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|id| {
            !id.is_empty()
                && id.len() <= MAX_REQUEST_ID_LEN
                && id.bytes().all(|b| b.is_ascii_graphic())
        })
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned)
}

/// What is needed to record a call once its code is known.
#[derive(Debug)]
struct Call {
    metrics: GrpcMetrics,
    method: Method,
    started: Instant,
}

impl Call {
    fn finish(self, code: Code) {
        self.metrics
            .record(&self.method, code, self.started.elapsed());
    }
}

/// The code in `grpc-status`, if present.
fn status_code(headers: &HeaderMap) -> Option<Code> {
    headers
        .get("grpc-status")
        .map(|value| Code::from_bytes(value.as_bytes()))
}

pin_project_lite::pin_project! {
    /// The response future of [`Observe`].
    #[derive(Debug)]
    pub struct ResponseFuture<F> {
        #[pin]
        future: Instrumented<F>,
        call: Option<Call>,
        span: Span,
        echoed: Option<HeaderValue>,
    }

    impl<F> PinnedDrop for ResponseFuture<F> {
        fn drop(this: Pin<&mut Self>) {
            if let Some(call) = this.project().call.take() {
                // Dropped before an answer: the client reset the stream, or
                // tonic's deadline (which wraps this layer) expired.
                call.finish(Code::Cancelled);
            }
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<ObservedBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = ready!(this.future.poll(cx));
        let call = this.call.take();
        let mut response = match result {
            Ok(response) => response,
            Err(error) => {
                if let Some(call) = call {
                    call.finish(Code::Unknown);
                }
                return Poll::Ready(Err(error));
            }
        };
        if let Some(id) = this.echoed.take() {
            response.headers_mut().insert(REQUEST_ID_HEADER, id);
        }
        // Trailers-only (every error tonic returns): the code is here and
        // the body is empty.
        let call = match (status_code(response.headers()), call) {
            (Some(code), Some(call)) => {
                call.finish(code);
                None
            }
            (_, call) => call,
        };
        let span = this.span.clone();
        Poll::Ready(Ok(response.map(|inner| ObservedBody { inner, call, span })))
    }
}

pin_project_lite::pin_project! {
    /// A response body that records the call when its trailers pass (or
    /// when it ends or is dropped without them: a cancelled call).
    #[derive(Debug)]
    pub struct ObservedBody<B> {
        #[pin]
        inner: B,
        call: Option<Call>,
        span: Span,
    }

    impl<B> PinnedDrop for ObservedBody<B> {
        fn drop(this: Pin<&mut Self>) {
            if let Some(call) = this.project().call.take() {
                // The client went away before the end of the call.
                call.finish(Code::Cancelled);
            }
        }
    }
}

impl<B: Body> Body for ObservedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        // Streams produce their messages (and log) while the body is polled.
        let _entered = this.span.enter();
        let frame = ready!(this.inner.poll_frame(cx));
        let code = match &frame {
            Some(Ok(frame)) => frame
                .trailers_ref()
                .map(|trailers| status_code(trailers).unwrap_or(Code::Unknown)),
            // An error, or a body that ends without trailers: no status came.
            Some(Err(_)) | None => Some(Code::Unknown),
        };
        if let Some(code) = code
            && let Some(call) = this.call.take()
        {
            call.finish(code);
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use bytes::Bytes;
    use tower::{Layer as _, Service as _};

    use super::*;
    use crate::metrics::{Registry, render};

    /// A response body of fixed frames.
    struct Frames(VecDeque<Frame<Bytes>>);

    impl Body for Frames {
        type Data = Bytes;
        type Error = std::convert::Infallible;
        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            Poll::Ready(self.0.pop_front().map(Ok))
        }
    }

    fn trailers(code: &str) -> Frame<Bytes> {
        let mut trailers = HeaderMap::new();
        trailers.insert("grpc-status", HeaderValue::from_str(code).unwrap());
        Frame::trailers(trailers)
    }

    const LOGIN: &str = "/jobsearch.auth.v1.AuthService/Login";

    fn metric(text: &str, series: &str) -> Option<f64> {
        text.lines()
            .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
            .and_then(|value| value.trim().parse().ok())
    }

    fn count(registry: &Registry, code: &str) -> Option<f64> {
        metric(
            &render(registry),
            &format!(
                r#"grpc_server_handled_total{{grpc_service="jobsearch.auth.v1.AuthService",grpc_method="Login",grpc_code="{code}"}}"#
            ),
        )
    }

    /// Runs one call through the layer with `respond` as the routes.
    async fn call<F, Fut>(
        registry: &mut Registry,
        respond: F,
    ) -> Option<Response<ObservedBody<Frames>>>
    where
        F: FnMut(Request<()>) -> Fut,
        Fut: Future<Output = Result<Response<Frames>, std::convert::Infallible>>,
    {
        let metrics = GrpcMetrics::register(registry);
        let mut service = ObserveLayer::new(metrics).layer(tower::service_fn(respond));
        let request = Request::builder().uri(LOGIN).body(()).unwrap();
        let future = service.call(request);
        tokio::time::timeout(std::time::Duration::from_millis(50), future)
            .await
            .ok()
            .map(Result::unwrap)
    }

    #[tokio::test]
    async fn a_trailers_only_error_is_recorded_from_its_headers() {
        let mut registry = Registry::default();
        let response = call(&mut registry, |_| async {
            let mut response = Response::new(Frames(VecDeque::new()));
            response
                .headers_mut()
                .insert("grpc-status", HeaderValue::from_static("16"));
            Ok(response)
        })
        .await
        .unwrap();
        assert_eq!(count(&registry, "Unauthenticated"), Some(1.0));
        assert_eq!(response.headers()[REQUEST_ID_HEADER].len(), 36);
    }

    #[tokio::test]
    async fn a_success_is_recorded_when_its_trailers_pass() {
        let mut registry = Registry::default();
        let response = call(&mut registry, |_| async {
            let frames = [Frame::data(Bytes::from_static(b"x")), trailers("0")];
            Ok(Response::new(Frames(frames.into())))
        })
        .await
        .unwrap();
        assert_eq!(count(&registry, "OK"), None);
        let mut body = std::pin::pin!(response.into_body());
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        while let Poll::Ready(Some(_)) = body.as_mut().poll_frame(&mut cx) {}
        assert_eq!(count(&registry, "OK"), Some(1.0));
    }

    #[tokio::test]
    async fn a_call_abandoned_before_its_answer_counts_as_cancelled() {
        let mut registry = Registry::default();
        let response = call(&mut registry, |_| std::future::pending()).await;
        assert!(response.is_none());
        assert_eq!(count(&registry, "Canceled"), Some(1.0));
    }

    fn headers(id: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_ID_HEADER, HeaderValue::from_str(id).unwrap());
        headers
    }

    #[test]
    fn a_sane_request_id_is_kept_and_anything_else_replaced() {
        assert_eq!(request_id(&headers("abc-123_X.y")), "abc-123_X.y");
        for bad in ["", "has space", &"x".repeat(MAX_REQUEST_ID_LEN + 1)] {
            let id = request_id(&headers(bad));
            assert_ne!(id, bad);
            assert_eq!(id.len(), 36, "{id}");
        }
        assert_eq!(request_id(&HeaderMap::new()).len(), 36);
    }
}
