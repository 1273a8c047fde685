//! `shopkeep-bench`: runs one scenario against one system it starts itself, and
//! appends the outcome to a results file; `report` turns results into
//! docs/benchmarks.md. `scripts/bench/run.sh` drives the whole comparison.
#![forbid(unsafe_code)]

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::bail;
use clap::{Parser, Subcommand, ValueEnum};
use shopkeep_bench::chat::{self, Chat};
use shopkeep_bench::idle::{self, Idle};
use shopkeep_bench::outcome::Outcome;
use shopkeep_bench::pageviews::{self, PageViews};
use shopkeep_bench::presence::{self, Presence};
use shopkeep_bench::servers::{self, Options};
use shopkeep_bench::{report, xmpp};

#[derive(Parser)]
#[command(
    name = "shopkeep-bench",
    about = "Load generator for Shopkeep and its XMPP peers, on loopback"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start a system, run one scenario against it, stop it, append the outcome.
    Run(Run),
    /// Write the report from the results.
    Report(report::Args),
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum System {
    Shopkeep,
    Prosody,
    Ejabberd,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Scenario {
    /// Idle connections with heartbeats: memory per connection, CPU.
    Idle,
    /// Messages both ways at a fixed rate: latency, throughput, loss, CPU.
    Chat,
    /// The highest chat rate with p99 ≤ 50 ms and no loss, then a run at half of it.
    ChatMax,
    /// Page-view ingest (Shopkeep only).
    Pageviews,
    /// Live visitor list fanned out to consoles (Shopkeep only).
    Presence,
}

#[derive(clap::Args)]
struct Run {
    #[arg(long, value_enum)]
    system: System,
    #[arg(long, value_enum)]
    scenario: Scenario,
    /// Round number, recorded with the outcome.
    #[arg(long, default_value_t = 1)]
    round: u32,
    /// Results file (JSON lines), appended to.
    #[arg(long, default_value = "target/bench/results.jsonl")]
    out: PathBuf,
    /// Idle connections; page-view sockets.
    #[arg(long, default_value_t = 1000)]
    connections: usize,
    /// Chat pairs (visitor and operator, or two XMPP sessions).
    #[arg(long, default_value_t = 100)]
    pairs: usize,
    /// Shopkeep consoles holding the chat conversations.
    #[arg(long, default_value_t = 4)]
    operators: usize,
    /// Messages (or page views) per second in all.
    #[arg(long, default_value_t = 1000.0)]
    rate: f64,
    /// Measured seconds (idle: held seconds).
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Seconds of each probe of chat-max.
    #[arg(long, default_value_t = 5.0)]
    probe_seconds: f64,
    /// Presence: consoles watching the visitor list, visitors, pages per visitor per second.
    #[arg(long, default_value_t = 4)]
    consoles: usize,
    #[arg(long, default_value_t = 500)]
    visitors: usize,
    #[arg(long, default_value_t = 1.0)]
    pages_per_visitor: f64,
    /// Core to pin the server to (the generator pins itself with taskset).
    #[arg(long)]
    server_cpu: Option<usize>,
    #[arg(long, default_value = "target/release/shopkeep")]
    shopkeep_bin: PathBuf,
    #[arg(long, default_value = "scripts/bench")]
    scripts: PathBuf,
    /// Peers keep a message archive (mod_mam on SQLite).
    #[arg(long)]
    peer_archive: bool,
    /// Record the server with `perf record -g` into this file while it is measured.
    #[arg(long)]
    profile: Option<PathBuf>,
    /// Connections opened at once while setting up.
    #[arg(long, default_value_t = 200)]
    concurrency: usize,
}

/// p99 limit for the chat-max search.
const MAX_P99_MS: f64 = 50.0;
/// Doublings, then halvings, of the chat-max search: at most this many probes.
const DOUBLINGS: usize = 8;
const BISECTIONS: usize = 4;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Run(run) => {
            let outcomes = run_scenario(&run).await?;
            if let Some(dir) = run.out.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&run.out)?;
            for mut outcome in outcomes {
                outcome.round = run.round;
                println!("{}", serde_json::to_string_pretty(&outcome)?);
                writeln!(file, "{}", serde_json::to_string(&outcome)?)?;
            }
            Ok(())
        }
        Command::Report(args) => report::write(&args),
    }
}

/// One running system, whatever it is.
enum Started {
    Shopkeep(shopkeep_bench::shopkeep::Target),
    Peer {
        name: &'static str,
        url: String,
        pid: u32,
    },
}

async fn run_scenario(run: &Run) -> anyhow::Result<Vec<Outcome>> {
    let options = Options {
        shopkeep_bin: run.shopkeep_bin.clone(),
        scripts: run.scripts.clone(),
        cpu: run.server_cpu,
        peer_archive: run.peer_archive,
    };
    let (server, started) = match run.system {
        System::Shopkeep => {
            let (server, target) =
                servers::start_shopkeep(&options, run.operators.max(run.consoles)).await?;
            (server, Started::Shopkeep(target))
        }
        System::Prosody => {
            let (server, url) = servers::start_prosody(&options).await?;
            let pid = server.pid;
            (
                server,
                Started::Peer {
                    name: "prosody",
                    url,
                    pid,
                },
            )
        }
        System::Ejabberd => {
            let (server, url) = servers::start_ejabberd(&options).await?;
            let pid = server.pid;
            (
                server,
                Started::Peer {
                    name: "ejabberd",
                    url,
                    pid,
                },
            )
        }
    };
    let profiler = match &run.profile {
        Some(path) => Some(start_profiler(path, server.pid).await?),
        None => None,
    };
    let result = measure(run, &started).await;
    if let Some(profiler) = profiler {
        stop_profiler(profiler).await?;
    }
    server.stop().await?;
    let mut outcomes = result?;
    // The archive variant is a system of its own in the report.
    for outcome in &mut outcomes {
        if run.peer_archive && !matches!(started, Started::Shopkeep(_)) {
            outcome.system = format!("{}-archive", outcome.system);
        }
    }
    Ok(outcomes)
}

/// `perf record` on the server's process, with call graphs, at a rate low
/// enough not to disturb it much.
async fn start_profiler(path: &std::path::Path, pid: u32) -> anyhow::Result<tokio::process::Child> {
    let child = tokio::process::Command::new("perf")
        .args(["record", "-F", "499", "-g", "-o"])
        .arg(path)
        .arg("-p")
        .arg(pid.to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    Ok(child)
}

/// perf writes its file when interrupted.
async fn stop_profiler(mut child: tokio::process::Child) -> anyhow::Result<()> {
    if let Some(pid) = child.id() {
        let _ = tokio::process::Command::new("kill")
            .arg("-INT")
            .arg(pid.to_string())
            .status()
            .await;
    }
    if tokio::time::timeout(Duration::from_secs(60), child.wait())
        .await
        .is_err()
    {
        child.kill().await?;
    }
    Ok(())
}

async fn measure(run: &Run, started: &Started) -> anyhow::Result<Vec<Outcome>> {
    let seconds = Duration::from_secs_f64(run.seconds);
    let drain = Duration::from_secs(2);
    match (run.scenario, started) {
        (Scenario::Idle, Started::Shopkeep(target)) => Ok(vec![
            idle::run(target, Idle::new(run.connections, seconds), run.concurrency).await?,
        ]),
        (Scenario::Idle, Started::Peer { name, url, pid }) => Ok(vec![
            xmpp::idle(
                name,
                url,
                *pid,
                Idle::new(run.connections, seconds),
                run.concurrency,
            )
            .await?,
        ]),
        (Scenario::Chat, _) => Ok(vec![chat_at(run, started, run.rate, seconds, drain).await?]),
        (Scenario::ChatMax, _) => chat_max(run, started).await,
        (Scenario::Pageviews, Started::Shopkeep(target)) => {
            let views = PageViews {
                connections: run.connections,
                rate: run.rate,
                duration: seconds,
            };
            Ok(vec![pageviews::run(target, views, run.concurrency).await?])
        }
        (Scenario::Presence, Started::Shopkeep(target)) => {
            let presence = Presence {
                consoles: run.consoles,
                visitors: run.visitors,
                pages_per_visitor: run.pages_per_visitor,
                duration: seconds,
            };
            Ok(vec![
                presence::run(target, presence, run.concurrency).await?,
            ])
        }
        (Scenario::Pageviews | Scenario::Presence, Started::Peer { .. }) => {
            bail!("page views and presence have no XMPP counterpart; run them against shopkeep")
        }
    }
}

async fn chat_at(
    run: &Run,
    started: &Started,
    rate: f64,
    duration: Duration,
    drain: Duration,
) -> anyhow::Result<Outcome> {
    match started {
        Started::Shopkeep(target) => {
            let params = Chat {
                pairs: run.pairs,
                operators: run.operators,
                rate,
                duration,
                drain,
            };
            chat::run(target, params).await
        }
        Started::Peer { name, url, pid } => {
            xmpp::chat(name, url, *pid, run.pairs, rate, duration, drain).await
        }
    }
}

fn passes(outcome: &Outcome) -> bool {
    outcome.get("lost") == 0.0 && outcome.get("latency_p99_ms") <= MAX_P99_MS
}

/// One probe of the search; a probe that cannot even set up (the server is
/// still busy with the last one) fails, it does not end the search.
async fn probe(run: &Run, started: &Started, rate: f64, seconds: Duration) -> Option<Outcome> {
    match chat_at(run, started, rate, seconds, Duration::from_secs(2)).await {
        Ok(outcome) => {
            eprintln!(
                "probe {rate:.0}/s: p99 {:.1} ms, lost {}",
                outcome.get("latency_p99_ms"),
                outcome.get("lost")
            );
            passes(&outcome).then_some(outcome)
        }
        Err(error) => {
            eprintln!("probe {rate:.0}/s failed: {error:#}");
            None
        }
    }
}

/// Doubles the rate from `--rate` until a probe fails, then bisects; then runs
/// the full duration at half the highest passing rate.
async fn chat_max(run: &Run, started: &Started) -> anyhow::Result<Vec<Outcome>> {
    let seconds = Duration::from_secs_f64(run.probe_seconds);
    let mut good = 0.0;
    let mut bad = f64::INFINITY;
    let mut rate = run.rate;
    let mut best: Option<Outcome> = None;
    for _ in 0..DOUBLINGS {
        match probe(run, started, rate, seconds).await {
            Some(outcome) => {
                good = rate;
                best = Some(outcome);
                rate *= 2.0;
            }
            None => {
                bad = rate;
                break;
            }
        }
    }
    if bad.is_finite() {
        for _ in 0..BISECTIONS {
            rate = (good + bad) / 2.0;
            match probe(run, started, rate, seconds).await {
                Some(outcome) => {
                    good = rate;
                    best = Some(outcome);
                }
                None => bad = rate,
            }
        }
    }
    let system = match started {
        Started::Shopkeep(_) => "shopkeep",
        Started::Peer { name, .. } => name,
    };
    let mut max = best.unwrap_or_else(|| Outcome::new(system, "chat-max"));
    max.scenario = "chat-max".into();
    max.metric("max_rate", good);
    let mut outcomes = vec![max];
    if good > 0.0 {
        let seconds = Duration::from_secs_f64(run.seconds);
        let mut half = chat_at(run, started, good / 2.0, seconds, Duration::from_secs(2)).await?;
        half.scenario = "chat-half".into();
        outcomes.push(half);
    }
    Ok(outcomes)
}
