//! The rule-based assistant: the `Assistant` port without a network.

use async_trait::async_trait;
use wellness_domain::model::ProductDraft;
use wellness_domain::ports::{
    Assistant, AssistantContext, AssistantError, ContextScope, Intent, Interpretation,
    ProductReader,
};

use crate::answer;
use crate::catalogue::OfflineCatalog;
use crate::parse;

/// Understands food logs, goals, deletions and questions in Ukrainian and English by rules,
/// and answers questions by template from the context.
#[derive(Debug, Clone, Default)]
pub struct RuleAssistant {
    catalog: OfflineCatalog,
}

impl RuleAssistant {
    /// An assistant over the embedded catalogue.
    pub fn new() -> Self {
        Self::with_catalog(OfflineCatalog::new())
    }

    /// An assistant over another catalogue.
    pub fn with_catalog(catalog: OfflineCatalog) -> Self {
        Self { catalog }
    }

    /// The catalogue it recognises foods by.
    pub fn catalog(&self) -> &OfflineCatalog {
        &self.catalog
    }

    /// `Assistant::interpret`, without the future.
    pub fn read_message(&self, text: &str, context: &AssistantContext) -> Interpretation {
        let reading = parse::read(text, self.catalog.catalogue());
        let reply = match reading.intent {
            Intent::General if reading.bad_amounts => Some(answer::bad_amount(context.locale)),
            Intent::General => Some(answer::help(context.locale)),
            _ => None,
        };
        Interpretation {
            reply,
            ..reading.into()
        }
    }

    /// `Assistant::answer`, without the future.
    pub fn answer_question(&self, question: &str, context: &AssistantContext) -> String {
        answer::answer(question, context)
    }
}

#[async_trait]
impl Assistant for RuleAssistant {
    /// The rules read the words and answer in the user's language: nothing else.
    fn interpret_reads(&self) -> ContextScope {
        ContextScope::Basic
    }

    /// Templates filled from the context: every figure is the data's.
    fn writes_freely(&self) -> bool {
        false
    }

    async fn interpret(
        &self,
        text: &str,
        context: &AssistantContext,
    ) -> Result<Interpretation, AssistantError> {
        Ok(self.read_message(text, context))
    }

    async fn answer(
        &self,
        question: &str,
        context: &AssistantContext,
    ) -> Result<String, AssistantError> {
        Ok(self.answer_question(question, context))
    }
}

/// "granola 450 kcal per 100 g" is read by these rules whatever assistant is configured.
impl ProductReader for RuleAssistant {
    fn read_product(&self, text: &str) -> Option<ProductDraft> {
        crate::product::read_product(text)
    }
}
