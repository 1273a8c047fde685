//! A tiny run of every Shopkeep scenario against a server launched in this
//! process, so the bench keeps working as the protocol changes. It asserts
//! that each scenario ran and that everything sent arrived; never a timing.

use std::sync::Arc;
use std::time::Duration;

use shopkeep_bench::chat::{self, Chat};
use shopkeep_bench::idle::{self, Idle};
use shopkeep_bench::pageviews::{self, PageViews};
use shopkeep_bench::presence::{self, Presence};
use shopkeep_bench::shopkeep::{SHOP_ORIGIN, Target};
use shopkeep_core::staff::Role;
use shopkeep_server::ServerSettings;
use shopkeep_server::auth::password::hash_blocking;
use shopkeep_server::sites::{self, NewSite};
use shopkeep_store::sqlite::SqliteStore;
use shopkeep_store::{NewStaff, Store};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

const PASSWORD: &str = "bench smoke password";
const OPERATORS: usize = 2;

/// The limits the bench raises for the real runs, so a few loopback
/// addresses can carry every socket.
fn settings() -> ServerSettings {
    let mut settings = ServerSettings::default();
    settings.limits.sockets_per_ip = 100_000;
    settings.limits.new_visitors_per_minute = 1_000_000;
    settings.limits.frames_per_second = 100_000;
    settings.limits.visitor_messages_per_minute = 1_000_000;
    settings.limits.logins_per_minute = 1000;
    settings
}

struct Server {
    target: Target,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

async fn launch() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("shopkeep.db");
    let store = SqliteStore::open(&database).await.unwrap();
    let site = sites::create(
        &store,
        NewSite {
            slug: "bench".into(),
            name: "Bench Shop".into(),
            origins: vec![SHOP_ORIGIN.into()],
            color: "#112233".into(),
        },
    )
    .await
    .unwrap();
    let password_hash = hash_blocking(PASSWORD).unwrap();
    let mut operators = Vec::new();
    for k in 0..OPERATORS {
        let email = format!("op{k}@bench.test");
        store
            .create_staff(NewStaff {
                email: email.clone(),
                name: format!("Operator {k}"),
                role: Role::Operator,
                password_hash: password_hash.clone(),
                lang: "en".into(),
                max_chats: None,
            })
            .await
            .unwrap();
        operators.push((email, PASSWORD.to_owned()));
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let store: Arc<dyn Store> = Arc::new(store);
    let task = tokio::spawn(async move {
        shopkeep_server::launch(settings(), store, listener, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    Server {
        target: Target {
            base: format!("http://{addr}"),
            site_key: site.public_key,
            operators,
            database,
            pid: std::process::id(),
        },
        stop,
        task,
        _dir: dir,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_runs_and_delivers_everything() {
    let server = launch().await;
    let target = &server.target;

    let chat = chat::run(
        target,
        Chat {
            pairs: 4,
            operators: OPERATORS,
            rate: 80.0,
            duration: Duration::from_secs(1),
            // Readers stop once all has arrived; this only bounds a failed run.
            drain: Duration::from_secs(20),
        },
    )
    .await
    .unwrap();
    assert!(chat.get("sent") >= 40.0, "{chat:?}");
    assert_eq!(chat.get("delivered"), chat.get("sent"), "{chat:?}");
    assert_eq!(chat.get("acked"), chat.get("sent"), "{chat:?}");
    assert_eq!(chat.get("lost"), 0.0);
    assert_eq!(chat.get("errors"), 0.0);

    let mut quick = Idle::new(10, Duration::from_secs(1));
    quick.ping_every = Duration::from_millis(200);
    quick.page_every = Duration::from_millis(300);
    let idle = idle::run(target, quick, 10).await.unwrap();
    assert_eq!(idle.get("open_at_end"), 10.0, "{idle:?}");
    assert!(idle.get("pings") >= 10.0, "{idle:?}");
    assert!(idle.get("pongs") >= idle.get("pings") - 10.0, "{idle:?}");
    assert!(idle.get("pages") >= 10.0, "{idle:?}");

    let views = pageviews::run(
        target,
        PageViews {
            connections: 5,
            rate: 40.0,
            duration: Duration::from_secs(1),
        },
        5,
    )
    .await
    .unwrap();
    assert!(views.get("sent") >= 40.0, "{views:?}");
    assert_eq!(views.get("refused"), 0.0, "{views:?}");
    assert_eq!(views.get("stored"), views.get("sent"), "{views:?}");

    let presence = presence::run(
        target,
        Presence {
            consoles: OPERATORS,
            visitors: 5,
            pages_per_visitor: 2.0,
            duration: Duration::from_secs(1),
        },
        5,
    )
    .await
    .unwrap();
    assert_eq!(presence.get("pages"), 10.0, "{presence:?}");
    assert_eq!(presence.get("last_page_seen"), 1.0, "{presence:?}");
    assert!(presence.get("rows_delivered") >= 10.0, "{presence:?}");

    let _ = server.stop.send(());
    server.task.await.unwrap();
}
