//! The [`Provider`] trait, [`AnyProvider`] (the configured one, chosen at run time), and
//! the stream of answer deltas.

use std::future::Future;
use std::pin::Pin;

use futures_core::Stream;
use futures_util::StreamExt;

use crate::{
    AiError, Answer, ArticleText, Builtin, Feature, KeyPoints, OpenAiCompatible, PlainText,
    StorySummary, Summary, Translation,
};

/// Text deltas of an answer, for the web layer to forward as SSE. Each item is plain text
/// (escape it). The stream ends normally after the last delta; when it ends with an `Err`,
/// the text so far is partial: show it marked as incomplete, with the error's
/// [`AiError::reader_message`]. `'static`: it owns everything it needs.
pub type DeltaStream = Pin<Box<dyn Stream<Item = Result<PlainText, AiError>> + Send + 'static>>;

/// A collected stream: all the text received, and the error that ended it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partial {
    pub text: PlainText,
    /// `None`: the text is complete.
    pub error: Option<AiError>,
}

impl Partial {
    pub fn is_complete(&self) -> bool {
        self.error.is_none()
    }
}

/// Read a [`DeltaStream`] to its end.
pub async fn collect_stream(mut s: DeltaStream) -> Partial {
    let mut text = String::new();
    while let Some(item) = s.next().await {
        match item {
            Ok(d) => text.push_str(d.as_str()),
            Err(e) => {
                return Partial {
                    text: PlainText::new(text),
                    error: Some(e),
                };
            }
        }
    }
    Partial {
        text: PlainText::new(text),
        error: None,
    }
}

/// What every provider offers. `name()` and `model()` go into [`crate::cache_key`].
pub trait Provider: Send + Sync {
    fn name(&self) -> &str;
    fn model(&self) -> &str;
    fn summary(
        &self,
        article: &ArticleText<'_>,
    ) -> impl Future<Output = Result<Summary, AiError>> + Send;
    fn key_points(
        &self,
        article: &ArticleText<'_>,
    ) -> impl Future<Output = Result<KeyPoints, AiError>> + Send;
    fn ask(
        &self,
        article: &ArticleText<'_>,
        question: &str,
    ) -> impl Future<Output = Result<Answer, AiError>> + Send;
    /// The answer as text deltas; parse the collected text with
    /// [`crate::answer_from_model_text`] for the [`Answer`] to cache.
    fn ask_stream(
        &self,
        article: &ArticleText<'_>,
        question: &str,
    ) -> impl Future<Output = Result<DeltaStream, AiError>> + Send;
    /// Translate into `lang`, a language tag such as "de" or "pt-BR".
    fn translate(
        &self,
        article: &ArticleText<'_>,
        lang: &str,
    ) -> impl Future<Output = Result<Translation, AiError>> + Send;
    fn story_summary(
        &self,
        articles: &[ArticleText<'_>],
    ) -> impl Future<Output = Result<StorySummary, AiError>> + Send;
}

fn one_shot(text: PlainText) -> DeltaStream {
    Box::pin(futures_util::stream::iter([Ok(text)]))
}

impl Provider for Builtin {
    fn name(&self) -> &str {
        Builtin::NAME
    }
    fn model(&self) -> &str {
        Builtin::MODEL
    }
    async fn summary(&self, article: &ArticleText<'_>) -> Result<Summary, AiError> {
        self.summarize(article)
    }
    async fn key_points(&self, article: &ArticleText<'_>) -> Result<KeyPoints, AiError> {
        Builtin::key_points(self, article)
    }
    async fn ask(&self, article: &ArticleText<'_>, question: &str) -> Result<Answer, AiError> {
        self.answer(article, question)
    }
    async fn ask_stream(
        &self,
        article: &ArticleText<'_>,
        question: &str,
    ) -> Result<DeltaStream, AiError> {
        // Instant: one delta with the whole answer.
        Ok(one_shot(self.answer(article, question)?.text))
    }
    async fn translate(&self, _: &ArticleText<'_>, _: &str) -> Result<Translation, AiError> {
        Err(AiError::Unsupported {
            feature: Feature::Translate,
            provider: Builtin::NAME,
        })
    }
    async fn story_summary(&self, articles: &[ArticleText<'_>]) -> Result<StorySummary, AiError> {
        Builtin::story_summary(self, articles)
    }
}

impl Provider for OpenAiCompatible {
    fn name(&self) -> &str {
        OpenAiCompatible::NAME
    }
    fn model(&self) -> &str {
        OpenAiCompatible::model(self)
    }
    async fn summary(&self, article: &ArticleText<'_>) -> Result<Summary, AiError> {
        self.summarize(article).await
    }
    async fn key_points(&self, article: &ArticleText<'_>) -> Result<KeyPoints, AiError> {
        OpenAiCompatible::key_points(self, article).await
    }
    async fn ask(&self, article: &ArticleText<'_>, question: &str) -> Result<Answer, AiError> {
        self.answer(article, question).await
    }
    async fn ask_stream(
        &self,
        article: &ArticleText<'_>,
        question: &str,
    ) -> Result<DeltaStream, AiError> {
        self.answer_stream(article, question).await
    }
    async fn translate(
        &self,
        article: &ArticleText<'_>,
        lang: &str,
    ) -> Result<Translation, AiError> {
        OpenAiCompatible::translate(self, article, lang).await
    }
    async fn story_summary(&self, articles: &[ArticleText<'_>]) -> Result<StorySummary, AiError> {
        OpenAiCompatible::story_summary(self, articles).await
    }
}

/// The provider chosen by configuration. Cheap to clone.
#[derive(Debug, Clone)]
pub enum AnyProvider {
    Builtin(Builtin),
    OpenAi(OpenAiCompatible),
}

impl Default for AnyProvider {
    fn default() -> Self {
        AnyProvider::Builtin(Builtin::default())
    }
}

macro_rules! dispatch {
    ($self:ident, $p:ident => $e:expr) => {
        match $self {
            AnyProvider::Builtin($p) => $e,
            AnyProvider::OpenAi($p) => $e,
        }
    };
}

impl Provider for AnyProvider {
    fn name(&self) -> &str {
        dispatch!(self, p => Provider::name(p))
    }
    fn model(&self) -> &str {
        dispatch!(self, p => Provider::model(p))
    }
    async fn summary(&self, a: &ArticleText<'_>) -> Result<Summary, AiError> {
        dispatch!(self, p => Provider::summary(p, a).await)
    }
    async fn key_points(&self, a: &ArticleText<'_>) -> Result<KeyPoints, AiError> {
        dispatch!(self, p => Provider::key_points(p, a).await)
    }
    async fn ask(&self, a: &ArticleText<'_>, q: &str) -> Result<Answer, AiError> {
        dispatch!(self, p => Provider::ask(p, a, q).await)
    }
    async fn ask_stream(&self, a: &ArticleText<'_>, q: &str) -> Result<DeltaStream, AiError> {
        dispatch!(self, p => Provider::ask_stream(p, a, q).await)
    }
    async fn translate(&self, a: &ArticleText<'_>, lang: &str) -> Result<Translation, AiError> {
        dispatch!(self, p => Provider::translate(p, a, lang).await)
    }
    async fn story_summary(&self, a: &[ArticleText<'_>]) -> Result<StorySummary, AiError> {
        dispatch!(self, p => Provider::story_summary(p, a).await)
    }
}
