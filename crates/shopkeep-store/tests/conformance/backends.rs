//! One fresh, empty store per test, for each backend.

use std::sync::Arc;

use async_trait::async_trait;
use shopkeep_store::Store;
use shopkeep_store::sqlite::SqliteStore;
use tempfile::TempDir;

/// `Send` on purpose: opening a store must work inside `tokio::spawn`, and
/// implementing this trait checks that at compile time.
#[async_trait]
pub trait Backend: Send {
    /// A new store on an empty database that no other test uses.
    async fn fresh() -> Self
    where
        Self: Sized;

    fn store(&self) -> Arc<dyn Store>;

    /// Closes the current store and opens a new one on the same database,
    /// as a restart of the server would.
    async fn reopen(&mut self);
}

/// A database file in its own temporary directory, removed when the test ends.
pub struct Sqlite {
    store: Arc<dyn Store>,
    path: std::path::PathBuf,
    /// Kept so the directory outlives the store.
    _dir: TempDir,
}

#[async_trait]
impl Backend for Sqlite {
    async fn fresh() -> Self {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        let path = dir.path().join("shopkeep.db");
        let store = SqliteStore::open(&path)
            .await
            .expect("open a fresh SQLite store");
        Self {
            store: Arc::new(store),
            path,
            _dir: dir,
        }
    }

    fn store(&self) -> Arc<dyn Store> {
        Arc::clone(&self.store)
    }

    async fn reopen(&mut self) {
        self.store.close().await;
        let store = SqliteStore::open(&self.path)
            .await
            .expect("reopen the SQLite store");
        self.store = Arc::new(store);
    }
}
