//! A console's messages in flight. An operator answering several chats should
//! not wait for one message's commit before the next one is even read, so
//! sends to different conversations overlap; replies still leave in the order
//! the frames came, and a conversation has at most one send in flight, so its
//! messages keep the order they were typed in.

use std::collections::HashSet;
use std::hash::Hash;

use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use futures_util::stream::FuturesOrdered;

/// Most sends one socket may have in flight; the next one waits for the oldest.
pub const MAX_IN_FLIGHT: usize = 64;

pub struct Pipeline<'a, K, T> {
    running: FuturesOrdered<BoxFuture<'a, (K, T)>>,
    keys: HashSet<K>,
}

impl<'a, K: Eq + Hash + Copy + Send + 'a, T: Send + 'a> Pipeline<'a, K, T> {
    pub fn new() -> Self {
        Self {
            running: FuturesOrdered::new(),
            keys: HashSet::new(),
        }
    }

    /// Whether work for `key` may start now without overtaking earlier work
    /// for the same key and without going past the bound.
    pub fn admits(&self, key: K) -> bool {
        self.running.len() < MAX_IN_FLIGHT && !self.keys.contains(&key)
    }

    /// Starts `work` for `key`; the caller has checked [`Pipeline::admits`].
    pub fn start(&mut self, key: K, work: impl Future<Output = T> + Send + 'a) {
        debug_assert!(self.admits(key));
        self.keys.insert(key);
        self.running
            .push_back(Box::pin(async move { (key, work.await) }));
    }

    pub fn is_empty(&self) -> bool {
        self.running.is_empty()
    }

    /// The oldest work's result, once it and all before it are done; pending
    /// for ever when nothing runs (guard it with [`Pipeline::is_empty`]).
    pub async fn next(&mut self) -> T {
        match self.running.next().await {
            Some((key, result)) => {
                self.keys.remove(&key);
                result
            }
            None => std::future::pending().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn results_come_in_start_order_though_later_work_finishes_first() {
        let mut pipeline = Pipeline::new();
        for (key, delay) in [(1, 30), (2, 1), (3, 10)] {
            pipeline.start(key, async move {
                tokio::time::sleep(Duration::from_millis(delay)).await;
                key
            });
        }
        let mut order = Vec::new();
        while !pipeline.is_empty() {
            order.push(pipeline.next().await);
        }
        assert_eq!(order, [1, 2, 3]);
    }

    #[tokio::test]
    async fn a_key_in_flight_is_not_admitted_again_until_its_result_is_taken() {
        let mut pipeline = Pipeline::new();
        pipeline.start(7, async { "first" });
        assert!(!pipeline.admits(7));
        assert!(pipeline.admits(8));
        assert_eq!(pipeline.next().await, "first");
        assert!(pipeline.admits(7));
    }

    #[tokio::test]
    async fn nothing_is_admitted_past_the_bound() {
        let mut pipeline = Pipeline::new();
        for key in 0..MAX_IN_FLIGHT {
            pipeline.start(key, std::future::ready(()));
        }
        assert!(!pipeline.admits(MAX_IN_FLIGHT));
        pipeline.next().await;
        assert!(pipeline.admits(MAX_IN_FLIGHT));
    }
}
