//! Group commit for the webhook: concurrent requests hand their update to one collector, which
//! stores whatever has queued up in one statement (one transaction, one commit) and answers each
//! request once its batch has committed. An acknowledged update is therefore stored durably
//! (PostgreSQL's `synchronous_commit` stays on), while a commit — the fsync that bounds how many
//! single-row transactions a second a disk can take — is shared by every update of the batch.
//!
//! Batches form by themselves: a lone request is flushed at once (no added latency at low load);
//! while `in_flight` batches are committing, new requests queue, and the next batch takes them
//! all (up to `max_batch`).

use std::future::Future;
use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc, oneshot};
use wellness_domain::ports::StorageError;

/// How many requests may wait for a batch before a new one waits for room: bounds memory under
/// overload (the request is then slowed down, not refused).
const QUEUE: usize = 8192;

/// A request waiting for its batch.
struct Waiting<T, R> {
    item: T,
    reply: oneshot::Sender<Result<R, StorageError>>,
}

/// Hands items to the collector and waits for their outcome. Cheap to clone.
pub struct GroupCommit<T, R> {
    queue: mpsc::Sender<Waiting<T, R>>,
}

impl<T, R> Clone for GroupCommit<T, R> {
    fn clone(&self) -> Self {
        Self {
            queue: self.queue.clone(),
        }
    }
}

impl<T, R> std::fmt::Debug for GroupCommit<T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit")
            .field(
                "queued",
                &(self.queue.max_capacity() - self.queue.capacity()),
            )
            .finish()
    }
}

impl<T: Send + 'static, R: Send + 'static> GroupCommit<T, R> {
    /// Starts the collector on the current runtime. `flush` stores a batch and answers one
    /// outcome per item, in order; at most `in_flight` flushes run at once, each of at most
    /// `max_batch` items. The collector stops when every `GroupCommit` is dropped.
    pub fn start<F, Fut>(flush: F, max_batch: usize, in_flight: usize) -> Self
    where
        F: Fn(Vec<T>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Vec<Result<R, StorageError>>> + Send + 'static,
    {
        let (queue, waiting) = mpsc::channel(QUEUE);
        tokio::spawn(collect(waiting, flush, max_batch.max(1), in_flight.max(1)));
        Self { queue }
    }

    /// Queues `item` and waits until its batch is stored (or failed).
    pub async fn submit(&self, item: T) -> Result<R, StorageError> {
        let (reply, outcome) = oneshot::channel();
        self.queue
            .send(Waiting { item, reply })
            .await
            .map_err(|_| StorageError::Unavailable("the update writer has stopped".into()))?;
        outcome
            .await
            .map_err(|_| StorageError::Unavailable("the update batch was abandoned".into()))?
    }
}

async fn collect<T, R, F, Fut>(
    mut waiting: mpsc::Receiver<Waiting<T, R>>,
    flush: F,
    max_batch: usize,
    in_flight: usize,
) where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(Vec<T>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Vec<Result<R, StorageError>>> + Send + 'static,
{
    let slots = Arc::new(Semaphore::new(in_flight));
    loop {
        // Wait for a free slot first: while every slot is busy, requests pile up in the queue
        // and the next batch takes them all.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let Some(first) = waiting.recv().await else {
            return;
        };
        let mut batch = Vec::with_capacity(max_batch.min(256));
        batch.push(first);
        while batch.len() < max_batch {
            match waiting.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let (items, replies): (Vec<T>, Vec<_>) =
            batch.into_iter().map(|w| (w.item, w.reply)).unzip();
        let stored = flush(items);
        tokio::spawn(async move {
            let mut outcomes = stored.await.into_iter();
            for reply in replies {
                // A flush that answered too few outcomes leaves the rest unanswered: failed.
                let outcome = outcomes.next().unwrap_or_else(|| {
                    Err(StorageError::Unavailable(
                        "no outcome for this update".into(),
                    ))
                });
                // The request may have gone (client disconnected): nothing to tell.
                let _ = reply.send(outcome);
            }
            drop(slot);
        });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::time::Duration;

    use super::*;

    /// What a test flush answers.
    type Flushed = std::pin::Pin<Box<dyn Future<Output = Vec<Result<u32, StorageError>>> + Send>>;
    /// The batches a test flush was given.
    type Batches = Arc<Mutex<Vec<Vec<u32>>>>;

    /// A flush that records its batches and holds each for `hold`.
    fn recording(
        hold: Duration,
    ) -> (
        Batches,
        impl Fn(Vec<u32>) -> Flushed + Send + Sync + 'static,
    ) {
        let batches = Arc::new(Mutex::new(Vec::new()));
        let seen = batches.clone();
        let flush = move |items: Vec<u32>| {
            seen.lock().unwrap().push(items.clone());
            Box::pin(async move {
                tokio::time::sleep(hold).await;
                items.into_iter().map(|i| Ok(i * 10)).collect()
            }) as Flushed
        };
        (batches, flush)
    }

    #[tokio::test]
    async fn concurrent_requests_share_a_batch_and_each_gets_its_own_outcome() {
        let (batches, flush) = recording(Duration::from_millis(50));
        let group = GroupCommit::start(flush, 100, 1);
        let answers = futures_util::future::join_all((0..50u32).map(|i| {
            let group = group.clone();
            async move { group.submit(i).await }
        }))
        .await;
        for (i, answer) in answers.into_iter().enumerate() {
            assert_eq!(
                answer.unwrap(),
                i as u32 * 10,
                "request {i} got another's outcome"
            );
        }
        let batches = batches.lock().unwrap();
        let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
        assert_eq!(sizes.iter().sum::<usize>(), 50);
        assert!(
            batches.len() <= 3,
            "50 concurrent requests behind one slow flush should take a few batches, not {sizes:?}"
        );
    }

    #[tokio::test]
    async fn a_lone_request_is_flushed_at_once() {
        let (batches, flush) = recording(Duration::ZERO);
        let group = GroupCommit::start(flush, 100, 1);
        let started = std::time::Instant::now();
        assert_eq!(group.submit(7).await.unwrap(), 70);
        assert!(started.elapsed() < Duration::from_millis(50));
        assert_eq!(*batches.lock().unwrap(), vec![vec![7]]);
    }

    #[tokio::test]
    async fn batches_are_no_larger_than_the_limit() {
        let (batches, flush) = recording(Duration::from_millis(20));
        let group = GroupCommit::start(flush, 8, 2);
        futures_util::future::join_all((0..40u32).map(|i| {
            let group = group.clone();
            async move { group.submit(i).await.unwrap() }
        }))
        .await;
        let batches = batches.lock().unwrap();
        assert!(batches.iter().all(|b| b.len() <= 8), "{batches:?}");
        assert_eq!(batches.iter().map(Vec::len).sum::<usize>(), 40);
    }

    #[tokio::test]
    async fn a_failed_batch_fails_every_request_in_it() {
        let flush = |items: Vec<u32>| async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            items
                .iter()
                .map(|_| Err::<u32, _>(StorageError::Unavailable("database down".into())))
                .collect::<Vec<_>>()
        };
        let group = GroupCommit::start(flush, 100, 1);
        let answers = futures_util::future::join_all((0..20u32).map(|i| {
            let group = group.clone();
            async move { group.submit(i).await }
        }))
        .await;
        assert!(
            answers
                .iter()
                .all(|a| matches!(a, Err(StorageError::Unavailable(m)) if m == "database down")),
            "{answers:?}"
        );
    }

    #[tokio::test]
    async fn a_flush_that_answers_too_few_outcomes_fails_the_unanswered() {
        let flush = |items: Vec<u32>| async move {
            tokio::time::sleep(Duration::from_millis(30)).await;
            items
                .iter()
                .take(1)
                .map(|i| Ok::<u32, StorageError>(*i))
                .collect::<Vec<_>>()
        };
        let group = GroupCommit::start(flush, 100, 1);
        // The first request holds the only slot, so the next three form one batch.
        let lone = tokio::spawn({
            let group = group.clone();
            async move { group.submit(0).await }
        });
        tokio::time::sleep(Duration::from_millis(5)).await;
        let answers = futures_util::future::join_all((1..4u32).map(|i| {
            let group = group.clone();
            async move { group.submit(i).await }
        }))
        .await;
        assert_eq!(lone.await.unwrap().unwrap(), 0);
        assert_eq!(answers[0].as_ref().unwrap(), &1);
        assert!(answers[1].is_err() && answers[2].is_err(), "{answers:?}");
    }
}
