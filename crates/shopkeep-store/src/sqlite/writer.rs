//! The single writer. SQLite allows one writer at a time; instead of letting
//! callers contend for the lock, every write is a job sent to one task that
//! runs all queued jobs in one transaction and commits once (group commit).
//! With `synchronous=FULL` that is one fsync per group, not per message, and
//! every caller learns its result only after the commit.

use std::future::Future;
use std::pin::Pin;

use std::sync::Arc;

use sqlx::{Connection, SqliteConnection};
use tokio::sync::{Notify, mpsc, oneshot};

use crate::error::{Result, StoreError};

pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Most jobs committed together; bounds the latency a big group adds.
const MAX_GROUP: usize = 512;
/// Queued jobs before senders wait: back-pressure instead of unbounded memory.
const QUEUE: usize = 4096;

trait Job: Send {
    fn run<'c>(self: Box<Self>, conn: &'c mut SqliteConnection) -> BoxFuture<'c, Box<dyn Reply>>;
    fn fail(self: Box<Self>, error: StoreError);
}

/// A job's result, held back until its group is committed.
trait Reply: Send {
    fn send(self: Box<Self>, commit_error: Option<StoreError>);
}

struct TypedJob<F, T> {
    work: F,
    reply: oneshot::Sender<Result<T>>,
}

struct TypedReply<T> {
    result: Result<T>,
    reply: oneshot::Sender<Result<T>>,
}

impl<T: Send + 'static> Reply for TypedReply<T> {
    fn send(self: Box<Self>, commit_error: Option<StoreError>) {
        let result = match commit_error {
            None => self.result,
            Some(error) => Err(error),
        };
        let _ = self.reply.send(result);
    }
}

impl<F, T> Job for TypedJob<F, T>
where
    F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T>> + Send + 'static,
    T: Send + 'static,
{
    fn run<'c>(self: Box<Self>, conn: &'c mut SqliteConnection) -> BoxFuture<'c, Box<dyn Reply>> {
        let TypedJob { work, reply } = *self;
        Box::pin(async move {
            // A savepoint per job: one failing job must not undo the others of its group.
            let result = match sqlx::query("SAVEPOINT job").execute(&mut *conn).await {
                Err(error) => Err(backend(error)),
                Ok(_) => {
                    let result = work(&mut *conn).await;
                    let end = if result.is_ok() {
                        "RELEASE job"
                    } else {
                        "ROLLBACK TO job; RELEASE job"
                    };
                    match sqlx::raw_sql(end).execute(&mut *conn).await {
                        Ok(_) => result,
                        Err(error) => Err(backend(error)),
                    }
                }
            };
            Box::new(TypedReply { result, reply }) as Box<dyn Reply>
        })
    }

    fn fail(self: Box<Self>, error: StoreError) {
        let _ = self.reply.send(Err(error));
    }
}

pub(crate) fn backend(error: sqlx::Error) -> StoreError {
    StoreError::Backend(error.to_string())
}

/// A statement that names one row by id: `NotFound` when it touched none.
pub(crate) fn found(result: sqlx::sqlite::SqliteQueryResult) -> Result<(), StoreError> {
    if result.rows_affected() == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

#[derive(Clone)]
pub(crate) struct Writer {
    jobs: mpsc::Sender<Box<dyn Job>>,
    /// Tells the task to stop taking jobs, commit what is queued and exit.
    stop: Arc<Notify>,
}

impl Writer {
    /// Starts the writer task on `conn`; it ends when every `Writer` clone is dropped
    /// or [`Writer::shutdown`] is called, after committing what was queued.
    pub(crate) fn spawn(conn: SqliteConnection) -> (Self, tokio::task::JoinHandle<()>) {
        let (jobs, queue) = mpsc::channel(QUEUE);
        let stop = Arc::new(Notify::new());
        let task = tokio::spawn(run(conn, queue, stop.clone()));
        (Self { jobs, stop }, task)
    }

    pub(crate) fn stop(&self) {
        self.stop.notify_one();
    }

    /// Runs `work` inside the next group transaction and returns its result once committed.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T>
    where
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Box::new(TypedJob { work, reply }))
            .await
            .map_err(|_| StoreError::ShuttingDown)?;
        answer.await.map_err(|_| StoreError::ShuttingDown)?
    }
}

async fn run(
    mut conn: SqliteConnection,
    mut queue: mpsc::Receiver<Box<dyn Job>>,
    stop: Arc<Notify>,
) {
    let mut group: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_GROUP);
    loop {
        tokio::select! {
            received = queue.recv_many(&mut group, MAX_GROUP) => {
                if received == 0 {
                    break;
                }
                commit_group(&mut conn, group.drain(..)).await;
            }
            // Closing the queue refuses new jobs; the loop still drains queued ones.
            () = stop.notified() => queue.close(),
        }
    }
    if let Err(error) = conn.close().await {
        tracing::warn!(%error, "closing the SQLite writer connection failed");
    }
}

async fn commit_group(conn: &mut SqliteConnection, group: impl Iterator<Item = Box<dyn Job>>) {
    if let Err(error) = sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
        tracing::error!(%error, "could not begin a write transaction");
        let error = backend(error);
        group.for_each(|job| job.fail(error.clone()));
        return;
    }
    let mut replies = Vec::new();
    for job in group {
        replies.push(job.run(conn).await);
    }
    let commit_error = match sqlx::query("COMMIT").execute(&mut *conn).await {
        Ok(_) => None,
        Err(error) => {
            tracing::error!(%error, "group commit failed");
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            Some(backend(error))
        }
    };
    for reply in replies {
        reply.send(commit_error.clone());
    }
}
