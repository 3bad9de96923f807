//! A client for OpenAI-compatible chat servers (`POST {base_url}/chat/completions`):
//! Ollama (`http://127.0.0.1:11434/v1`), llama.cpp server, vLLM, OpenAI.
//!
//! Failures are typed ([`AiError`]): HTTP statuses, timeouts (whole request; for streams
//! the wait for the first and each next chunk, and a total cap), oversized or malformed
//! bodies, error objects inside a 200 or inside a stream, streams that end without their
//! end marker. Nothing here panics or waits without a bound.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_core::Stream;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use crate::builtin::clean_question;
use crate::prompt::{self, Prompt};
use crate::{
    AiError, Answer, ArticleText, DeltaStream, KeyPoints, PlainText, StorySummary, Summary,
    Translation, limits,
};

/// Settings of an OpenAI-compatible provider; the binary fills them from configuration.
#[derive(Clone)]
pub struct OpenAiConfig {
    /// Up to and including the version path, e.g. `http://127.0.0.1:11434/v1`.
    pub base_url: String,
    pub model: String,
    /// Sent as `Authorization: Bearer …` when set. Never logged.
    pub api_key: Option<String>,
    pub connect_timeout: Duration,
    /// A whole non-streamed request, body included.
    pub timeout: Duration,
    /// Streams: the longest wait for the response head, the first chunk and each next one.
    pub stream_idle_timeout: Duration,
    /// Streams: the longest a whole answer may take.
    pub stream_total_timeout: Duration,
    /// `max_tokens` sent with each request.
    pub max_output_tokens: u32,
    pub temperature: f32,
    /// A non-streamed response body larger than this is refused.
    pub max_response_bytes: usize,
}

impl OpenAiConfig {
    pub fn new(base_url: impl Into<String>, model: impl Into<String>) -> OpenAiConfig {
        OpenAiConfig {
            base_url: base_url.into(),
            model: model.into(),
            api_key: None,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(90),
            stream_idle_timeout: Duration::from_secs(30),
            stream_total_timeout: Duration::from_secs(180),
            max_output_tokens: 800,
            temperature: 0.2,
            max_response_bytes: 2 * 1024 * 1024,
        }
    }
}

// The key must never reach a log line.
impl std::fmt::Debug for OpenAiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiConfig")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .field("stream_idle_timeout", &self.stream_idle_timeout)
            .finish_non_exhaustive()
    }
}

/// The provider. Cheap to clone (the HTTP client is shared).
#[derive(Clone, Debug)]
pub struct OpenAiCompatible {
    cfg: Arc<OpenAiConfig>,
    client: reqwest::Client,
    endpoint: reqwest::Url,
}

/// A complete, non-streamed reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub text: String,
    /// The model stopped at `max_tokens` (`finish_reason: "length"`).
    pub cut: bool,
}

#[derive(Serialize)]
struct ChatRequest<'a> {
    model: &'a str,
    messages: [Message<'a>; 2],
    temperature: f32,
    max_tokens: u32,
    stream: bool,
}

#[derive(Serialize)]
struct Message<'a> {
    role: &'a str,
    content: &'a str,
}

#[derive(Deserialize)]
struct ChatResponse {
    #[serde(default)]
    choices: Vec<Choice>,
    error: Option<ErrorBody>,
}

#[derive(Deserialize)]
struct Choice {
    message: Option<MessageOut>,
    delta: Option<MessageOut>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct MessageOut {
    content: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    message: Option<String>,
}

/// Install the TLS crypto provider once per process: reqwest is built without one so that
/// the whole product uses one TLS stack (rustls with ring). Harmless if already installed.
pub fn ensure_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl OpenAiCompatible {
    pub const NAME: &'static str = "openai";

    pub fn new(cfg: OpenAiConfig) -> Result<OpenAiCompatible, AiError> {
        ensure_crypto_provider();
        let base = cfg.base_url.trim_end_matches('/');
        let endpoint = reqwest::Url::parse(&format!("{base}/chat/completions"))
            .map_err(|e| AiError::Config(format!("ai.base_url {:?}: {e}", cfg.base_url)))?;
        if !matches!(endpoint.scheme(), "http" | "https") {
            return Err(AiError::Config(format!(
                "ai.base_url {:?}: must be http or https",
                cfg.base_url
            )));
        }
        if cfg.model.trim().is_empty() {
            return Err(AiError::Config("ai.model is empty".into()));
        }
        let client = reqwest::Client::builder()
            .user_agent(concat!("Tidings/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(cfg.connect_timeout)
            // Model servers are configured by the operator; redirects are not expected and
            // would carry the API key elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| AiError::Config(format!("HTTP client: {e}")))?;
        Ok(OpenAiCompatible {
            cfg: Arc::new(cfg),
            client,
            endpoint,
        })
    }

    pub fn model(&self) -> &str {
        &self.cfg.model
    }

    fn request(&self, p: &Prompt, stream: bool) -> reqwest::RequestBuilder {
        let body = ChatRequest {
            model: &self.cfg.model,
            messages: [
                Message {
                    role: "system",
                    content: &p.system,
                },
                Message {
                    role: "user",
                    content: &p.user,
                },
            ],
            temperature: self.cfg.temperature,
            max_tokens: self.cfg.max_output_tokens,
            stream,
        };
        let mut rb = self.client.post(self.endpoint.clone()).json(&body);
        if let Some(key) = &self.cfg.api_key {
            rb = rb.bearer_auth(key);
        }
        if stream {
            rb = rb.header(reqwest::header::ACCEPT, "text/event-stream");
        }
        rb
    }

    /// One non-streamed chat completion.
    pub async fn complete(&self, p: &Prompt) -> Result<Reply, AiError> {
        let deadline = Instant::now() + self.cfg.timeout;
        let resp = self
            .request(p, false)
            .timeout(self.cfg.timeout)
            .send()
            .await
            .map_err(send_error)?;
        let resp = check_status(resp, &self.cfg.model).await?;
        let mut body = Vec::new();
        let mut resp = resp;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let chunk = tokio::time::timeout(left, resp.chunk())
                .await
                .map_err(|_| AiError::Timeout)?
                .map_err(|e| {
                    if e.is_timeout() {
                        AiError::Timeout
                    } else {
                        AiError::BadResponse(format!("reading the body: {e}"))
                    }
                })?;
            let Some(chunk) = chunk else { break };
            if body.len() + chunk.len() > self.cfg.max_response_bytes {
                return Err(AiError::BadResponse(format!(
                    "response larger than {} bytes",
                    self.cfg.max_response_bytes
                )));
            }
            body.extend_from_slice(&chunk);
        }
        let parsed: ChatResponse = serde_json::from_slice(&body)
            .map_err(|e| AiError::BadResponse(format!("malformed JSON: {e}")))?;
        if let Some(err) = parsed.error {
            return Err(AiError::BadResponse(format!(
                "error object: {}",
                err.message.unwrap_or_default()
            )));
        }
        let choice = parsed
            .choices
            .into_iter()
            .next()
            .ok_or_else(|| AiError::BadResponse("no choices".into()))?;
        let cut = choice.finish_reason.as_deref() == Some("length");
        let text = choice.message.and_then(|m| m.content).unwrap_or_default();
        let text = crate::text::truncate_words(&text, limits::MAX_OUTPUT_CHARS);
        if text.trim().is_empty() {
            return Err(AiError::Empty);
        }
        Ok(Reply { text, cut })
    }

    /// One streamed chat completion (`stream: true`): text deltas as they come. The
    /// stream ends after the server's `[DONE]`; if it breaks off, times out, or the model
    /// hits its output limit, the last item is the error and the text so far is partial.
    pub async fn complete_stream(&self, p: &Prompt) -> Result<DeltaStream, AiError> {
        let idle = self.cfg.stream_idle_timeout;
        let deadline = Instant::now() + self.cfg.stream_total_timeout;
        let send = self.request(p, true).send();
        let resp = tokio::time::timeout(idle.min(self.cfg.stream_total_timeout), send)
            .await
            .map_err(|_| AiError::Timeout)?
            .map_err(send_error)?;
        let resp = check_status(resp, &self.cfg.model).await?;
        let bytes = resp.bytes_stream().map(|r| r.map_err(|e| e.to_string()));
        Ok(sse_deltas(bytes, idle, deadline))
    }

    pub async fn summarize(&self, article: &ArticleText<'_>) -> Result<Summary, AiError> {
        non_empty(article)?;
        let (p, truncated) = prompt::summary(article);
        let r = self.complete(&p).await?;
        prompt::parse_summary(&r.text, r.cut, truncated)
    }

    pub async fn key_points(&self, article: &ArticleText<'_>) -> Result<KeyPoints, AiError> {
        non_empty(article)?;
        let (p, truncated) = prompt::key_points(article);
        let r = self.complete(&p).await?;
        prompt::parse_key_points(&r.text, r.cut, truncated)
    }

    /// A complete answer. If the model was cut at its output limit the answer is returned
    /// as far as it got, with its quotes: check [`Answer::text`] for the "…" mark.
    pub async fn answer(
        &self,
        article: &ArticleText<'_>,
        question: &str,
    ) -> Result<Answer, AiError> {
        non_empty(article)?;
        let q = clean_question(question)?;
        let r = self.complete(&prompt::ask(article, &q)).await?;
        let text = if r.cut {
            format!("{}\u{2026}", r.text.trim_end())
        } else {
            r.text
        };
        Ok(prompt::answer_from_model_text(article, &text))
    }

    /// The answer as a stream of text deltas for the page. Collect the text (see
    /// [`crate::collect_stream`]) and pass it to [`crate::answer_from_model_text`] for the
    /// quotes and the value to cache.
    pub async fn answer_stream(
        &self,
        article: &ArticleText<'_>,
        question: &str,
    ) -> Result<DeltaStream, AiError> {
        non_empty(article)?;
        let q = clean_question(question)?;
        self.complete_stream(&prompt::ask(article, &q)).await
    }

    pub async fn translate(
        &self,
        article: &ArticleText<'_>,
        lang: &str,
    ) -> Result<Translation, AiError> {
        non_empty(article)?;
        let (tag, name) = prompt::language_name(lang)?;
        let (p, truncated) = prompt::translate(article, &name);
        let r = self.complete(&p).await?;
        let mut t = prompt::parse_translation(&r.text, &tag, truncated)?;
        if r.cut {
            t.input_truncated = true;
            if let Some(last) = t.paragraphs.last_mut() {
                *last = PlainText::new(format!("{}\u{2026}", last.as_str().trim_end()));
            }
        }
        Ok(t)
    }

    pub async fn story_summary(
        &self,
        articles: &[ArticleText<'_>],
    ) -> Result<StorySummary, AiError> {
        let articles: Vec<ArticleText<'_>> = articles
            .iter()
            .filter(|a| !a.text.trim().is_empty())
            .take(limits::MAX_STORY_SOURCES)
            .copied()
            .collect();
        if articles.is_empty() {
            return Err(AiError::InvalidInput(
                "no article of the story has text".into(),
            ));
        }
        let r = self.complete(&prompt::story(&articles)).await?;
        prompt::parse_story(&r.text, &articles)
    }
}

fn non_empty(a: &ArticleText<'_>) -> Result<(), AiError> {
    if a.text.trim().is_empty() {
        return Err(AiError::InvalidInput("an article without text".into()));
    }
    Ok(())
}

fn send_error(e: reqwest::Error) -> AiError {
    if e.is_timeout() {
        AiError::Timeout
    } else {
        AiError::Unreachable(e.to_string())
    }
}

/// Map a non-success status to its typed error (reading a little of the body for the log).
async fn check_status(resp: reqwest::Response, model: &str) -> Result<reqwest::Response, AiError> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    let detail = read_detail(resp).await;
    let code = status.as_u16();
    Err(match code {
        401 | 403 => AiError::Unauthorized { status: code },
        404 => AiError::ModelNotFound {
            model: model.to_string(),
            detail,
        },
        429 => AiError::RateLimited { retry_after },
        _ => AiError::Server {
            status: code,
            detail,
        },
    })
}

/// At most 4 KB of an error body, as one line of at most 300 characters.
async fn read_detail(mut resp: reqwest::Response) -> String {
    let mut buf = Vec::new();
    let read = async {
        while let Ok(Some(c)) = resp.chunk().await {
            buf.extend_from_slice(&c);
            if buf.len() > 4096 {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), read).await;
    let s = String::from_utf8_lossy(buf.get(..4096).unwrap_or(&buf)).into_owned();
    let msg = serde_json::from_str::<ChatResponse>(&s)
        .ok()
        .and_then(|r| r.error)
        .and_then(|e| e.message)
        .unwrap_or(s);
    crate::text::truncate_words(&msg.split_whitespace().collect::<Vec<_>>().join(" "), 300)
}

/// Retry-After: delay-seconds or an HTTP date.
fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs.min(86_400)));
    }
    let when = jiff::fmt::rfc2822::parse(v).ok()?.timestamp();
    let now = jiff::Timestamp::now();
    let ms = when.as_millisecond().saturating_sub(now.as_millisecond());
    Some(Duration::from_millis(
        u64::try_from(ms).unwrap_or(0).min(86_400_000),
    ))
}

type ByteStream = Pin<Box<dyn Stream<Item = Result<Vec<u8>, String>> + Send>>;

/// State of one SSE stream being turned into deltas.
struct SseState {
    bytes: ByteStream,
    buf: Vec<u8>,
    data: Vec<String>,
    out: VecDeque<Result<PlainText, AiError>>,
    done: bool,
    finished: bool,
    cut: bool,
    received: usize,
    idle: Duration,
    deadline: Instant,
}

/// Parse a stream of SSE bytes from a chat server into text deltas (public for tests
/// and benchmarks of the parser alone).
pub fn sse_deltas<S, B>(bytes: S, idle: Duration, deadline: Instant) -> DeltaStream
where
    S: Stream<Item = Result<B, String>> + Send + 'static,
    B: AsRef<[u8]>,
{
    let bytes: ByteStream = Box::pin(bytes.map(|r| r.map(|b| b.as_ref().to_vec())));
    let st = SseState {
        bytes,
        buf: Vec::new(),
        data: Vec::new(),
        out: VecDeque::new(),
        done: false,
        finished: false,
        cut: false,
        received: 0,
        idle,
        deadline,
    };
    Box::pin(futures_util::stream::unfold(st, |mut st| async move {
        loop {
            if let Some(item) = st.out.pop_front() {
                if item.is_err() {
                    st.done = true;
                    st.out.clear();
                }
                return Some((item, st));
            }
            if st.done {
                return None;
            }
            let left = st.deadline.saturating_duration_since(Instant::now());
            let next = tokio::time::timeout(st.idle.min(left), st.bytes.next()).await;
            match next {
                Err(_) => st.out.push_back(Err(AiError::Timeout)),
                Ok(Some(Err(_))) => st.out.push_back(Err(AiError::StreamInterrupted {
                    received_chars: st.received,
                })),
                Ok(Some(Ok(chunk))) => {
                    st.buf.extend_from_slice(&chunk);
                    st.drain_lines();
                    if st.buf.len() > 1024 * 1024 {
                        st.out
                            .push_back(Err(AiError::BadResponse("an SSE line over 1 MiB".into())));
                    }
                }
                Ok(None) => {
                    // End of body: a last line without newline, then a last event without
                    // its blank line, are still taken.
                    if !st.buf.is_empty() {
                        st.buf.push(b'\n');
                        st.drain_lines();
                    }
                    st.dispatch();
                    if !st.done && st.out.iter().all(Result::is_ok) {
                        st.done = true;
                        if st.cut {
                            st.out.push_back(Err(AiError::OutputTruncated));
                        } else if !st.finished {
                            st.out.push_back(Err(AiError::StreamInterrupted {
                                received_chars: st.received,
                            }));
                        }
                    }
                }
            }
        }
    }))
}

impl SseState {
    fn drain_lines(&mut self) {
        while let Some(pos) = self.buf.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.buf.drain(..=pos).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                self.dispatch();
            } else if let Some(d) = line.strip_prefix("data:") {
                self.data.push(d.strip_prefix(' ').unwrap_or(d).to_string());
            }
            // Comments (":"), "event:", "id:", "retry:" carry nothing we use.
            if self.done {
                return;
            }
        }
    }

    /// One complete SSE event.
    fn dispatch(&mut self) {
        if self.data.is_empty() || self.done {
            self.data.clear();
            return;
        }
        let payload = self.data.join("\n");
        self.data.clear();
        if payload.trim() == "[DONE]" {
            self.done = true;
            if self.cut {
                self.out.push_back(Err(AiError::OutputTruncated));
            }
            return;
        }
        let parsed: ChatResponse = match serde_json::from_str(&payload) {
            Ok(p) => p,
            Err(e) => {
                self.out.push_back(Err(AiError::BadResponse(format!(
                    "malformed JSON in the stream after {} characters: {e}",
                    self.received
                ))));
                return;
            }
        };
        if let Some(err) = parsed.error {
            self.out.push_back(Err(AiError::Server {
                status: 200,
                detail: err.message.unwrap_or_default(),
            }));
            return;
        }
        for c in parsed.choices {
            if let Some(text) = c.delta.and_then(|d| d.content).filter(|t| !t.is_empty()) {
                let room = limits::MAX_OUTPUT_CHARS.saturating_sub(self.received);
                let n = text.chars().count();
                if n > room {
                    let part: String = text.chars().take(room).collect();
                    self.received += room;
                    if !part.is_empty() {
                        self.out.push_back(Ok(PlainText::new(part)));
                    }
                    self.out.push_back(Err(AiError::OutputTruncated));
                    return;
                }
                self.received += n;
                self.out.push_back(Ok(PlainText::new(text)));
            }
            match c.finish_reason.as_deref() {
                Some("length") => self.cut = true,
                Some(_) => self.finished = true,
                None => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    async fn run(chunks: Vec<&'static str>) -> (String, Option<AiError>) {
        let s = futures_util::stream::iter(
            chunks
                .into_iter()
                .map(|c| Ok::<_, String>(c.as_bytes().to_vec())),
        );
        let st = sse_deltas(
            s,
            Duration::from_secs(5),
            Instant::now() + Duration::from_secs(5),
        );
        let p = crate::collect_stream(st).await;
        (p.text.into_string(), p.error)
    }

    #[tokio::test]
    async fn sse_split_anywhere_and_done() {
        let (t, e) = run(vec![
            "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\r\n\r\nda",
            "ta: {\"choices\":[{\"delta\":{\"content\":\"lo \\u00e9\"}}]}\n\n: keep-alive\n\n",
            "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
            "data: {\"choices\":[{\"delta\":{\"content\":\"after done\"}}]}\n\n",
        ])
        .await;
        assert_eq!(t, "Hello é");
        assert_eq!(e, None);
    }

    #[tokio::test]
    async fn truncated_and_malformed_streams_are_marked() {
        let (t, e) = run(vec![
            "data: {\"choices\":[{\"delta\":{\"content\":\"Part\"}}]}\n\n",
        ])
        .await;
        assert_eq!(t, "Part");
        assert_eq!(e, Some(AiError::StreamInterrupted { received_chars: 4 }));
        let (t, e) = run(vec![
            "data: {\"choices\":[{\"delta\":{\"content\":\"Part\"}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{\"cont\n\n",
        ])
        .await;
        assert_eq!(t, "Part");
        assert!(matches!(e, Some(AiError::BadResponse(_))), "{e:?}");
        let (_, e) = run(vec![
            "data: {\"choices\":[{\"delta\":{\"content\":\"x\"},\"finish_reason\":\"length\"}]}\n\ndata: [DONE]\n\n",
        ])
        .await;
        assert_eq!(e, Some(AiError::OutputTruncated));
        let (_, e) = run(vec!["data: {\"error\":{\"message\":\"overloaded\"}}\n\n"]).await;
        assert!(matches!(e, Some(AiError::Server { .. })), "{e:?}");
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
