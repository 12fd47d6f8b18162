//! Running one piece of work so that its panic or hang is its own failure, not its worker's:
//! in a task of its own, under a deadline. The inbox workers and the follow-up task worker
//! both run each unit of work this way.

use std::future::Future;
use std::time::Duration;

use tracing::{Instrument as _, Span, error};
use wellness_domain::usecases::chat::ChatError;

/// How a piece of work that did not return ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// It panicked.
    Panic,
    /// It ran past its deadline and was stopped.
    Hang,
}

impl Fault {
    /// A label for metrics.
    pub fn label(self) -> &'static str {
        match self {
            Fault::Panic => "panic",
            Fault::Hang => "hang",
        }
    }
}

/// Runs `work` in a task of its own (in the current span) for at most `deadline`: its output,
/// or the fault that ended it (a hung task is aborted). The panic's message goes to the log.
pub async fn contained<T: Send + 'static>(
    work: impl Future<Output = Result<T, ChatError>> + Send + 'static,
    deadline: Duration,
) -> Result<Result<T, ChatError>, Fault> {
    let task = tokio::spawn(work.instrument(Span::current()));
    let abort = task.abort_handle();
    match tokio::time::timeout(deadline, task).await {
        Ok(Ok(output)) => Ok(output),
        Ok(Err(joined)) if joined.is_panic() => {
            let payload = joined.into_panic();
            let said = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            error!(panic = %said, "the work panicked");
            Err(Fault::Panic)
        }
        Ok(Err(_)) => Ok(Err(ChatError::Temporary("the work was cancelled".into()))),
        Err(_) => {
            abort.abort();
            error!(
                after_secs = deadline.as_secs_f64(),
                "the work hung and was stopped"
            );
            Err(Fault::Hang)
        }
    }
}

/// A fault as the failure of an attempt, worth retrying (it may have been a passing state) but,
/// once every attempt failed so, parked as a fault rather than an outage: never re-driven.
pub fn failed_attempt(fault: Fault, deadline: Duration) -> ChatError {
    ChatError::Crashed(match fault {
        Fault::Panic => "the work panicked".to_owned(),
        Fault::Hang => format!("the work took longer than {} s", deadline.as_secs()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_answer_a_panic_and_a_hang_each_end_as_themselves() {
        let deadline = Duration::from_millis(200);
        let ok = contained(async { Ok::<_, ChatError>(7) }, deadline).await;
        assert!(matches!(ok, Ok(Ok(7))));
        let panicked = contained::<()>(async { panic!("a bug") }, deadline).await;
        assert!(matches!(panicked, Err(Fault::Panic)));
        let hung = contained(std::future::pending::<Result<(), ChatError>>(), deadline).await;
        assert!(matches!(hung, Err(Fault::Hang)));
        assert_eq!(
            failed_attempt(Fault::Hang, deadline).to_string(),
            "temporary failure: the work took longer than 0 s"
        );
    }
}
