//! The storage conformance suite: every behaviour the rest of Shopkeep relies
//! on from a [`Store`](shopkeep_store::Store), run against every backend.
//!
//! # Layout
//! - [`backends`]: how each backend gets a fresh, empty store (and reopens it).
//! - [`helpers`]: fixtures (sites, staff, visitors) and parsed-text shorthands.
//! - one module per area; each test body is an `async fn` over `&dyn Store`
//!   (or `Arc<dyn Store>` when it spawns tasks, or `&mut dyn Backend` when it
//!   reopens), and `conformance!` turns it into one `#[tokio::test]` per backend.
//!
//! Adding a backend means implementing [`backends::Backend`] and adding one
//! line to `for_each_backend!`.

mod backends;
mod helpers;

/// Expands the test bodies of a module into one test module per backend.
///
/// ```ignore
/// conformance! {
///     store: [first_message_opens_a_conversation],   // async fn(&dyn Store)
///     shared: [concurrent_posts_get_unique_seqs],     // async fn(Arc<dyn Store>)
///     backend: [data_survives_reopen],                // async fn(&mut dyn Backend)
/// }
/// ```
macro_rules! conformance {
    ($($kind:ident: [$($test:ident),* $(,)?]),* $(,)?) => {
        for_each_backend!(conformance_for; $($kind: [$($test),*]),*);
    };
}

/// The backends every conformance test runs against: `module => type`.
macro_rules! for_each_backend {
    ($then:ident; $($args:tt)*) => {
        $then!(sqlite => $crate::backends::Sqlite; $($args)*);
    };
}

macro_rules! conformance_for {
    ($module:ident => $backend:ty; $($kind:ident: [$($test:ident),*]),*) => {
        mod $module {
            use $crate::backends::Backend as _;
            $($(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    #[allow(unused_mut)]
                    let mut backend = <$backend as $crate::backends::Backend>::fresh().await;
                    run_body!($kind, backend, super::$test);
                    backend.store().close().await;
                }
            )*)*
        }
    };
}

macro_rules! run_body {
    (store, $backend:ident, $body:path) => {
        $body(&*$backend.store()).await
    };
    (shared, $backend:ident, $body:path) => {
        $body($backend.store()).await
    };
    (backend, $backend:ident, $body:path) => {
        $body(&mut $backend).await
    };
}

mod audit;
mod canned;
mod concurrency;
mod conversations;
mod departments;
mod durability;
mod history;
mod internal;
mod offline;
mod outbox;
mod receipts;
mod sessions;
mod sites;
mod staff;
mod staff_only;
mod supervision;
mod text;
mod tracking;
mod visitors;
