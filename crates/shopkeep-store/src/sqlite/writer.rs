//! The single writer. SQLite allows one writer at a time; instead of letting
//! callers contend for the lock, every write is a job sent to one task that
//! runs all queued jobs in one transaction and commits once (group commit).
//! With `synchronous=FULL` that is one fsync per group, not per message, and
//! every caller learns its result only after the commit.
//!
//! The task has a thread of its own. Most jobs are async sqlx code; the hot
//! ones (chat messages) are direct jobs that run synchronously on a rusqlite
//! connection of the writer (see `direct.rs`), without a hop to the driver's
//! thread for every statement. A group is committed in runs of one kind, each
//! run a transaction on its connection.

use std::future::Future;
use std::pin::Pin;

use std::sync::Arc;

use sqlx::{Connection, SqliteConnection};
use tokio::sync::{Notify, mpsc, oneshot};

use crate::error::{Result, StoreError};
use crate::sqlite::direct::Direct;

pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Most jobs committed together; bounds the latency a big group adds.
const MAX_GROUP: usize = 512;
/// Queued jobs before senders wait: back-pressure instead of unbounded memory.
const QUEUE: usize = 4096;

trait Job: Send {
    fn run<'c>(self: Box<Self>, conn: &'c mut SqliteConnection) -> BoxFuture<'c, Box<dyn Reply>>;
    fn fail(self: Box<Self>, error: StoreError);
}

/// A job that runs synchronously on the writer thread.
trait DirectJob: Send {
    fn run(self: Box<Self>, db: &Direct) -> Box<dyn Reply>;
    fn fail(self: Box<Self>, error: StoreError);
}

enum Queued {
    Async(Box<dyn Job>),
    Direct(Box<dyn DirectJob>),
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

impl<F, T> DirectJob for TypedJob<F, T>
where
    F: FnOnce(&Direct) -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    fn run(self: Box<Self>, db: &Direct) -> Box<dyn Reply> {
        let TypedJob { work, reply } = *self;
        let result = db.savepoint(work);
        Box::new(TypedReply { result, reply })
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
    jobs: mpsc::Sender<Queued>,
    /// Tells the task to stop taking jobs, commit what is queued and exit.
    stop: Arc<Notify>,
}

impl Writer {
    /// Starts the writer on a thread of its own with `conn`; it ends when every
    /// `Writer` clone is dropped or [`Writer::stop`] is called, after
    /// committing what was queued.
    pub(crate) fn spawn(
        conn: SqliteConnection,
        direct: Direct,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        let (jobs, queue) = mpsc::channel(QUEUE);
        let stop = Arc::new(Notify::new());
        let stopped = stop.clone();
        // Direct jobs block their thread (a group's fsync included), so the
        // writer must not share one with the sockets.
        let task =
            tokio::task::spawn_blocking(
                move || match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime.block_on(run(conn, direct, queue, stopped)),
                    Err(error) => tracing::error!(%error, "could not start the SQLite writer"),
                },
            );
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
        self.submit(Queued::Async(Box::new(TypedJob { work, reply })))
            .await?;
        answer.await.map_err(|_| StoreError::ShuttingDown)?
    }

    /// Like [`Writer::write`], for work that runs synchronously on the writer thread.
    pub(crate) async fn write_direct<T, F>(&self, work: F) -> Result<T>
    where
        F: FnOnce(&Direct) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.submit(Queued::Direct(Box::new(TypedJob { work, reply })))
            .await?;
        answer.await.map_err(|_| StoreError::ShuttingDown)?
    }

    async fn submit(&self, job: Queued) -> Result<()> {
        self.jobs
            .send(job)
            .await
            .map_err(|_| StoreError::ShuttingDown)
    }
}

async fn run(
    mut conn: SqliteConnection,
    direct: Direct,
    mut queue: mpsc::Receiver<Queued>,
    stop: Arc<Notify>,
) {
    let mut group: Vec<Queued> = Vec::with_capacity(MAX_GROUP);
    loop {
        tokio::select! {
            received = queue.recv_many(&mut group, MAX_GROUP) => {
                if received == 0 {
                    break;
                }
                // Runs of one kind, each committed on its own connection.
                let mut jobs = group.drain(..).peekable();
                while let Some(first) = jobs.next() {
                    match first {
                        Queued::Async(first) => {
                            let mut run = vec![first];
                            while let Some(Queued::Async(job)) =
                                jobs.next_if(|job| matches!(job, Queued::Async(_)))
                            {
                                run.push(job);
                            }
                            commit_async(&mut conn, run).await;
                        }
                        Queued::Direct(first) => {
                            let mut run = vec![first];
                            while let Some(Queued::Direct(job)) =
                                jobs.next_if(|job| matches!(job, Queued::Direct(_)))
                            {
                                run.push(job);
                            }
                            commit_direct(&direct, run);
                        }
                    }
                }
            }
            // Closing the queue refuses new jobs; the loop still drains queued ones.
            () = stop.notified() => queue.close(),
        }
    }
    drop(direct);
    if let Err(error) = conn.close().await {
        tracing::warn!(%error, "closing the SQLite writer connection failed");
    }
}

async fn commit_async(conn: &mut SqliteConnection, run: Vec<Box<dyn Job>>) {
    if let Err(error) = sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
        tracing::error!(%error, "could not begin a write transaction");
        let error = backend(error);
        run.into_iter().for_each(|job| job.fail(error.clone()));
        return;
    }
    let mut replies = Vec::with_capacity(run.len());
    for job in run {
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

fn commit_direct(db: &Direct, run: Vec<Box<dyn DirectJob>>) {
    if let Err(error) = db.execute("BEGIN IMMEDIATE", []) {
        tracing::error!(%error, "could not begin a write transaction");
        run.into_iter().for_each(|job| job.fail(error.clone()));
        return;
    }
    let replies: Vec<_> = run.into_iter().map(|job| job.run(db)).collect();
    let commit_error = match db.execute("COMMIT", []) {
        Ok(_) => None,
        Err(error) => {
            tracing::error!(%error, "group commit failed");
            let _ = db.execute("ROLLBACK", []);
            Some(error)
        }
    };
    for reply in replies {
        reply.send(commit_error.clone());
    }
}
