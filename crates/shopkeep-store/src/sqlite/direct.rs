//! Direct statements: the writer thread runs the hot write jobs (chat
//! messages) synchronously with rusqlite, on a connection of its own. Each
//! statement is then a call, not a round trip to sqlx's worker thread, and
//! prepared statements stay cached. Both connections belong to the writer,
//! which uses one at a time, so they never wait for each other's lock.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{OpenFlags, OptionalExtension, Params, Row};

use crate::error::{Result, StoreError};

/// Prepared statements kept; the hot path uses about a dozen.
const CACHED_STATEMENTS: usize = 64;

pub(crate) fn backend(error: rusqlite::Error) -> StoreError {
    StoreError::Backend(error.to_string())
}

pub(crate) struct Direct {
    db: rusqlite::Connection,
}

impl Direct {
    /// Opens the database the store opened, with its settings: an
    /// acknowledged write is on disk (`synchronous=FULL`).
    pub(crate) fn open(path: &Path) -> Result<Self> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let db = rusqlite::Connection::open_with_flags(path, flags).map_err(backend)?;
        db.busy_timeout(Duration::from_secs(10)).map_err(backend)?;
        db.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
        )
        .map_err(backend)?;
        db.set_prepared_statement_cache_capacity(CACHED_STATEMENTS);
        Ok(Self { db })
    }

    /// A read-only connection to the same database, for [`PointReads`].
    fn open_reader(path: &Path) -> Result<Self> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let db = rusqlite::Connection::open_with_flags(path, flags).map_err(backend)?;
        db.busy_timeout(Duration::from_secs(10)).map_err(backend)?;
        db.set_prepared_statement_cache_capacity(CACHED_STATEMENTS);
        Ok(Self { db })
    }

    /// Runs `work` under a savepoint: a failing job must not undo the others of its group.
    pub(crate) fn savepoint<T>(&self, work: impl FnOnce(&Direct) -> Result<T>) -> Result<T> {
        self.execute("SAVEPOINT job", [])?;
        let result = work(self);
        let end = if result.is_ok() {
            self.execute("RELEASE job", [])
        } else {
            self.execute("ROLLBACK TO job", [])
                .and_then(|_| self.execute("RELEASE job", []))
        };
        end.and(result)
    }

    /// Rows changed by one statement.
    pub(crate) fn execute(&self, sql: &str, params: impl Params) -> Result<usize> {
        self.db
            .prepare_cached(sql)
            .and_then(|mut statement| statement.execute(params))
            .map_err(backend)
    }

    /// The first row of a query, decoded by `decode`, if there is one.
    pub(crate) fn row<T>(
        &self,
        sql: &str,
        params: impl Params,
        decode: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut statement = self.db.prepare_cached(sql).map_err(backend)?;
        let mut rows = statement.query(params).map_err(backend)?;
        match rows.next().map_err(backend)? {
            Some(row) => decode(row).map(Some),
            None => Ok(None),
        }
    }

    /// A single value of the first row, if there is one.
    pub(crate) fn value<T: rusqlite::types::FromSql>(
        &self,
        sql: &str,
        params: impl Params,
    ) -> Result<Option<T>> {
        self.db
            .prepare_cached(sql)
            .and_then(|mut statement| statement.query_row(params, |row| row.get(0)).optional())
            .map_err(backend)
    }
}

/// Lookups of one row by key (e.g. a conversation for each operator message's
/// access check), run inline on the calling thread. Such a read takes
/// microseconds, less than handing it to a pool's worker thread and waking the
/// caller again. A thread takes a connection for the length of one read, so
/// there are never more connections than threads reading at once.
pub(crate) struct PointReads {
    path: PathBuf,
    idle: Mutex<Vec<Direct>>,
}

impl PointReads {
    pub(crate) fn new(path: &Path) -> Self {
        Self {
            path: path.to_owned(),
            idle: Mutex::default(),
        }
    }

    pub(crate) fn read<T>(&self, work: impl FnOnce(&Direct) -> Result<T>) -> Result<T> {
        let reader = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let reader = match reader {
            Some(reader) => reader,
            None => Direct::open_reader(&self.path)?,
        };
        let result = work(&reader);
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(reader);
        result
    }
}
