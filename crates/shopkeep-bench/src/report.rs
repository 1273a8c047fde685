//! `shopkeep-bench report`: medians over rounds, ratios Shopkeep/peer, the
//! targets, the settings and the machine, written to docs/benchmarks.md with an
//! SVG chart beside it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;

use anyhow::Context;
use serde_json::Value;

use crate::outcome::Outcome;
use crate::servers::SHOPKEEP_SETTINGS;

#[derive(clap::Args)]
pub struct Args {
    /// Results (JSON lines) of every round.
    #[arg(long, default_value = "target/bench/results.jsonl")]
    pub results: PathBuf,
    /// The widget measurement written by scripts/bench/widget.mjs.
    #[arg(long)]
    pub widget: Option<PathBuf>,
    #[arg(long, default_value = "docs/benchmarks.md")]
    pub out: PathBuf,
    /// The chart, referenced from the report by its file name.
    #[arg(long, default_value = "docs/benchmarks.svg")]
    pub chart: PathBuf,
    /// The Shopkeep binary that was measured (for its version).
    #[arg(long, default_value = "target/release/shopkeep")]
    pub shopkeep_bin: PathBuf,
    /// `perf report --stdio` of Shopkeep during a chat run, shown under Profile.
    #[arg(long)]
    pub profile: Option<PathBuf>,
    /// Runs that failed (one line each), listed in the report.
    #[arg(long)]
    pub failures: Option<PathBuf>,
    /// Why missed targets are missed (Markdown, written from the profiles),
    /// included after the targets table.
    #[arg(long)]
    pub analysis: Option<PathBuf>,
    /// Marks the report as a trial, with this explanation.
    #[arg(long)]
    pub trial: Option<String>,
    /// The command line the rounds were run with, for the record.
    #[arg(long)]
    pub command: Option<String>,
}

const SYSTEMS: [&str; 3] = ["shopkeep", "prosody", "ejabberd"];
/// The peers again with a message archive on SQLite (chat only).
const ARCHIVING: [&str; 2] = ["prosody-archive", "ejabberd-archive"];

/// Median of each metric per (scenario, system) over rounds.
struct Medians {
    by: BTreeMap<(String, String), BTreeMap<String, f64>>,
    rounds: BTreeMap<(String, String), usize>,
    params: BTreeMap<(String, String), BTreeMap<String, f64>>,
}

fn median(mut values: Vec<f64>) -> f64 {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

impl Medians {
    fn of(outcomes: &[Outcome]) -> Self {
        let mut grouped: BTreeMap<(String, String), Vec<&Outcome>> = BTreeMap::new();
        for outcome in outcomes {
            grouped
                .entry((outcome.scenario.clone(), outcome.system.clone()))
                .or_default()
                .push(outcome);
        }
        let mut by = BTreeMap::new();
        let mut rounds = BTreeMap::new();
        let mut params = BTreeMap::new();
        for (key, runs) in grouped {
            let mut metrics = BTreeMap::new();
            let names: std::collections::BTreeSet<&String> =
                runs.iter().flat_map(|r| r.metrics.keys()).collect();
            for name in names {
                metrics.insert(
                    name.clone(),
                    median(runs.iter().map(|r| r.get(name)).collect()),
                );
            }
            rounds.insert(key.clone(), runs.len());
            params.insert(key.clone(), runs[0].params.clone());
            by.insert(key, metrics);
        }
        Self { by, rounds, params }
    }

    fn get(&self, scenario: &str, system: &str, metric: &str) -> f64 {
        self.by
            .get(&(scenario.to_owned(), system.to_owned()))
            .and_then(|m| m.get(metric))
            .copied()
            .unwrap_or(f64::NAN)
    }

    fn has(&self, scenario: &str, system: &str) -> bool {
        self.by
            .contains_key(&(scenario.to_owned(), system.to_owned()))
    }

    fn param(&self, scenario: &str, system: &str, name: &str) -> f64 {
        self.params
            .get(&(scenario.to_owned(), system.to_owned()))
            .and_then(|p| p.get(name))
            .copied()
            .unwrap_or(f64::NAN)
    }
}

fn num(value: f64, decimals: usize) -> String {
    if value.is_finite() {
        format!("{value:.decimals$}")
    } else {
        "–".into()
    }
}

fn ratio(a: f64, b: f64) -> String {
    if a.is_finite() && b.is_finite() && b != 0.0 {
        format!("{:.2}×", a / b)
    } else {
        "–".into()
    }
}

fn shell(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".into())
}

fn machine(args: &Args) -> String {
    let lscpu = shell("lscpu", &[]);
    let pick = |key: &str| {
        lscpu
            .lines()
            .find(|l| l.trim_start().starts_with(key))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_else(|| "unknown".into())
    };
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_owned())
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or("unknown".into(), |kb| {
            format!("{:.0} GiB", kb / 1024.0 / 1024.0)
        });
    let version = |package: &str| shell("dpkg-query", &["-W", "-f=${Version}", package]);
    let mut text = String::new();
    let _ = writeln!(text, "| | |\n|---|---|");
    let _ = writeln!(
        text,
        "| CPU | {} ({} CPUs) |",
        pick("Model name"),
        pick("CPU(s)")
    );
    let _ = writeln!(text, "| memory | {memory} |");
    let _ = writeln!(text, "| kernel | {} |", shell("uname", &["-sr"]));
    let _ = writeln!(
        text,
        "| open files per process | {} |",
        shell("sh", &["-c", "ulimit -n"])
    );
    let _ = writeln!(
        text,
        "| Shopkeep | {} (`{}`) |",
        shell(&args.shopkeep_bin.to_string_lossy(), &["--version"]),
        args.shopkeep_bin.display()
    );
    let _ = writeln!(text, "| Prosody | {} (Debian) |", version("prosody"));
    let _ = writeln!(
        text,
        "| ejabberd | {} (Debian), Erlang/OTP {} |",
        version("ejabberd"),
        version("erlang-base")
    );
    let _ = writeln!(text, "| rustc | {} |", shell("rustc", &["--version"]));
    text
}

/// Bars of one metric per system, one group per metric.
fn chart(medians: &Medians, trial: bool) -> String {
    let groups: [(&str, &str, &str, f64); 3] = [
        (
            "chat",
            "msgs_per_cpu_s",
            "chat: delivered messages per server CPU-second (higher is better)",
            1.0,
        ),
        (
            "chat-max",
            "max_rate",
            "chat: highest rate with p99 ≤ 50 ms and no loss, msgs/s (higher is better)",
            1.0,
        ),
        (
            "idle",
            "rss_per_conn_bytes",
            "idle: server RSS per connection, KB (lower is better)",
            1.0 / 1024.0,
        ),
    ];
    let colors = ["#0b6e4f", "#8a5a00", "#4a4a9a"];
    let (width, bar, gap, label) = (720.0, 18.0, 4.0, 90.0);
    let mut y = 10.0;
    let mut body = String::new();
    if trial {
        let _ = writeln!(
            body,
            r##"<text x="0" y="22" font-size="14" font-weight="bold" fill="#b00020">Trial run: not results (see docs/benchmarks.md)</text>"##
        );
        y += 24.0;
    }
    for (scenario, metric, title, scale) in groups {
        let values: Vec<(usize, f64)> = SYSTEMS
            .iter()
            .enumerate()
            .map(|(i, s)| (i, medians.get(scenario, s, metric) * scale))
            .filter(|(_, v)| v.is_finite())
            .collect();
        if values.is_empty() {
            continue;
        }
        let max = values
            .iter()
            .map(|(_, v)| *v)
            .fold(0.0, f64::max)
            .max(f64::MIN_POSITIVE);
        let _ = writeln!(
            body,
            r#"<text x="0" y="{:.0}" font-size="13" font-weight="bold">{title}</text>"#,
            y + 12.0
        );
        y += 20.0;
        for (i, value) in values {
            let w = (width - label - 80.0) * value / max;
            let _ = writeln!(
                body,
                r#"<text x="0" y="{:.0}" font-size="12">{}</text><rect x="{label}" y="{y:.0}" width="{w:.1}" height="{bar}" fill="{}"/><text x="{:.1}" y="{:.0}" font-size="12">{}</text>"#,
                y + 13.0,
                SYSTEMS[i],
                colors[i],
                label + w + 4.0,
                y + 13.0,
                num(value, if value < 100.0 { 1 } else { 0 })
            );
            y += bar + gap;
        }
        y += 14.0;
    }
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{:.0}" font-family="sans-serif" role="img" aria-label="Shopkeep, Prosody and ejabberd side by side">
<rect width="100%" height="100%" fill="white"/>
{body}</svg>
"#,
        y
    )
}

/// One line of the targets table: what was measured and by how much it missed.
fn target(
    text: &mut String,
    what: &str,
    measured: f64,
    goal: f64,
    higher_is_better: bool,
    unit: &str,
) {
    let verdict = if !measured.is_finite() {
        "not measured".to_owned()
    } else if (higher_is_better && measured >= goal) || (!higher_is_better && measured <= goal) {
        "met".to_owned()
    } else if higher_is_better {
        format!(
            "missed by {:.0} % ({} short)",
            100.0 * (goal - measured) / goal,
            num(goal - measured, 1)
        )
    } else {
        format!(
            "missed by {:.0} % ({} over)",
            100.0 * (measured - goal) / goal,
            num(measured - goal, 1)
        )
    };
    let _ = writeln!(
        text,
        "| {what} | {} {unit} | {} {unit} | {verdict} |",
        num(measured, 1),
        num(goal, 1)
    );
}

pub fn write(args: &Args) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.results)
        .with_context(|| format!("cannot read {}", args.results.display()))?;
    let outcomes: Vec<Outcome> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let m = Medians::of(&outcomes);
    let widget: Option<Value> = match &args.widget {
        Some(path) => Some(serde_json::from_str(&std::fs::read_to_string(path)?)?),
        None => None,
    };
    let rounds = m.rounds.values().copied().max().unwrap_or(0);
    let mut doc = String::new();
    let w = &mut doc;
    let _ = writeln!(w, "# Benchmarks\n");
    let _ = writeln!(
        w,
        "<!-- Written by `shopkeep-bench report` (scripts/bench/run.sh); edit the generator, not this file. -->\n"
    );
    if let Some(why) = &args.trial {
        let _ = writeln!(
            w,
            "> **Trial run — these numbers are not results.** {why}\n"
        );
    }
    let _ = writeln!(
        w,
        "Shopkeep side by side with two XMPP servers from Debian, Prosody and ejabberd, both over \
         WebSocket (RFC 7395), in one run on one machine: the server pinned to core 0, the load \
         generator (`shopkeep-bench`) to core 1, loopback only, the systems in alternating rounds \
         ({rounds} round(s) here). Tables show the median over rounds.\n"
    );
    let _ = writeln!(
        w,
        "**Shopkeep's acks mean durable.** As in production, Shopkeep acknowledges a message only \
         after it is committed to SQLite with `synchronous=FULL` (WAL, group commit: one fsync per \
         group of writes); every chat message below is on disk before the sender hears `ack`. The \
         peers run without a message archive (messages only in memory); rows marked `-archive` \
         run them again with `mod_mam` on SQLite (Prosody `storage = \"sql\"`, ejabberd \
         `db_type: sql`), which stores every message but acknowledges nothing to the sender.\n"
    );
    let _ = writeln!(
        w,
        "![Shopkeep, Prosody and ejabberd side by side]({})\n",
        args.chart
            .file_name()
            .map_or("benchmarks.svg".into(), |n| n.to_string_lossy())
    );
    let _ = writeln!(w, "How to run it: see [Running](#running) at the end.\n");
    if let Some(failed) = args
        .failures
        .as_ref()
        .and_then(|p| std::fs::read_to_string(p).ok())
    {
        let _ = writeln!(w, "**Runs that failed** (left out of the medians):\n\n```");
        let _ = writeln!(w, "{}", failed.trim_end());
        let _ = writeln!(w, "```\n");
    }

    // Idle.
    let _ = writeln!(w, "## Idle connections\n");
    let _ = writeln!(
        w,
        "Visitors on the shop's pages: each connection says hello, reports a page, pings every 25 s and reports a page every 30 s (XMPP: anonymous login, bind, presence, XEP-0199 ping, a presence update in place of the page view). Memory is the server's growth from empty to loaded (`/proc/PID/smaps_rollup`, the whole process tree); CPU is over the held period.\n"
    );
    let _ = writeln!(
        w,
        "| system | connections | held s | RSS / conn | PSS / conn | server CPU (% of a core) | open at end |\n|---|---|---|---|---|---|---|"
    );
    for s in SYSTEMS.iter().filter(|s| m.has("idle", s)) {
        let _ = writeln!(
            w,
            "| {s} | {} | {} | {} KB | {} KB | {} | {} |",
            num(m.param("idle", s, "connections"), 0),
            num(m.param("idle", s, "seconds"), 0),
            num(m.get("idle", s, "rss_per_conn_bytes") / 1024.0, 1),
            num(m.get("idle", s, "pss_per_conn_bytes") / 1024.0, 1),
            num(m.get("idle", s, "server_cpu_pct"), 2),
            num(m.get("idle", s, "open_at_end"), 0),
        );
    }

    // Chat.
    let _ = writeln!(w, "\n## Chat\n");
    let _ = writeln!(
        w,
        "Messages both ways at a fixed arrival rate (open loop: each message carries its *intended* send time, so a stalled server is charged for the wait — no coordinated omission). Shopkeep: visitors, each in a conversation taken by one of a few operator consoles; a message is delivered when the other side's socket has its `event`, and every console also receives the events of the whole shared inbox. XMPP: pairs of anonymous sessions sending `<message type='chat'>` to each other's full JID. Latency from an HDR histogram. *Lost*: not delivered within 2 s after the last send, or never sent because the server had closed the socket (Shopkeep closes a console that falls 4096 frames behind the staff feed; a real console reconnects and resyncs, the generator does not).\n"
    );
    let _ = writeln!(
        w,
        "| system | pairs | rate /s | delivered /s | p50 ms | p99 ms | p99.9 ms | lost | server CPU % | msgs / CPU-s |\n|---|---|---|---|---|---|---|---|---|---|"
    );
    for scenario in ["chat", "chat-half"] {
        for s in SYSTEMS
            .iter()
            .chain(&ARCHIVING)
            .filter(|s| m.has(scenario, s))
        {
            let label = if scenario == "chat-half" {
                format!("{s} (½ max)")
            } else {
                (*s).to_owned()
            };
            let _ = writeln!(
                w,
                "| {label} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                num(m.param(scenario, s, "pairs"), 0),
                num(m.param(scenario, s, "rate"), 0),
                num(m.get(scenario, s, "delivered_per_s"), 0),
                num(m.get(scenario, s, "latency_p50_ms"), 2),
                num(m.get(scenario, s, "latency_p99_ms"), 2),
                num(m.get(scenario, s, "latency_p999_ms"), 2),
                num(m.get(scenario, s, "lost"), 0),
                num(m.get(scenario, s, "server_cpu_pct"), 1),
                num(m.get(scenario, s, "msgs_per_cpu_s"), 0),
            );
        }
    }
    for s in SYSTEMS.iter().filter(|s| m.has("chat", s)) {
        let closed = m.get("chat", s, "sockets_closed_by_server");
        if closed > 0.0 {
            let _ = writeln!(
                w,
                "\n{s}: the server closed {} socket(s) during the fixed-rate run (median over rounds).",
                num(closed, 0)
            );
        }
    }
    if SYSTEMS.iter().any(|s| m.has("chat-max", s)) {
        let _ = writeln!(
            w,
            "\nHighest rate with p99 ≤ 50 ms and no loss (rate doubled until a probe failed, then bisected):\n"
        );
        let _ = writeln!(w, "| system | max rate /s | p99 at max ms |\n|---|---|---|");
        for s in SYSTEMS
            .iter()
            .chain(&ARCHIVING)
            .filter(|s| m.has("chat-max", s))
        {
            let _ = writeln!(
                w,
                "| {s} | {} | {} |",
                num(m.get("chat-max", s, "max_rate"), 0),
                num(m.get("chat-max", s, "latency_p99_ms"), 2)
            );
        }
    }

    // Ratios.
    let _ = writeln!(w, "\n## Shopkeep / peer\n");
    let _ = writeln!(
        w,
        "| measure | / Prosody | / ejabberd | / Prosody, archive | / ejabberd, archive | better when |\n|---|---|---|---|---|---|"
    );
    for (label, scenario, metric, better) in [
        (
            "messages per server CPU-second (chat)",
            "chat",
            "msgs_per_cpu_s",
            "higher",
        ),
        (
            "highest rate within p99 ≤ 50 ms",
            "chat-max",
            "max_rate",
            "higher",
        ),
        ("p99 latency (chat)", "chat", "latency_p99_ms", "lower"),
        (
            "RSS per idle connection",
            "idle",
            "rss_per_conn_bytes",
            "lower",
        ),
        ("server CPU while idle", "idle", "server_cpu_pct", "lower"),
    ] {
        let ours = m.get(scenario, "shopkeep", metric);
        let _ = writeln!(
            w,
            "| {label} | {} | {} | {} | {} | {better} |",
            ratio(ours, m.get(scenario, "prosody", metric)),
            ratio(ours, m.get(scenario, "ejabberd", metric)),
            ratio(ours, m.get(scenario, "prosody-archive", metric)),
            ratio(ours, m.get(scenario, "ejabberd-archive", metric)),
        );
    }

    // Shopkeep only.
    let _ = writeln!(w, "\n## Shopkeep only\n");
    if m.has("pageviews", "shopkeep") {
        let _ = writeln!(
            w,
            "**Page views**: widgets report pages at a fixed rate (at most 9 a second per socket, under the server's limit of 10); ingested means written to the database, counted there after the tracker's last flush.\n"
        );
        let _ = writeln!(
            w,
            "| sockets | offered /s | stored /s | lost | refused | server CPU % | views / CPU-s |\n|---|---|---|---|---|---|---|"
        );
        let p = |k: &str| m.get("pageviews", "shopkeep", k);
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            num(m.param("pageviews", "shopkeep", "connections"), 0),
            num(m.param("pageviews", "shopkeep", "rate"), 0),
            num(p("stored_per_s"), 0),
            num(p("lost"), 0),
            num(p("refused"), 0),
            num(p("server_cpu_pct"), 1),
            num(p("views_per_cpu_s"), 0),
        );
    }
    if m.has("presence", "shopkeep") {
        let _ = writeln!(
            w,
            "**Presence**: consoles watch the live visitor list while visitors move from page to page; an update has arrived when a console's `visitors_changed` shows the page. The tracker batches changes every 250 ms (`flush_interval`), so latency includes up to one batch.\n"
        );
        let _ = writeln!(
            w,
            "| consoles | visitors | pages /s per visitor | rows delivered /s | update p50 ms | p99 ms | last page seen | server CPU % |\n|---|---|---|---|---|---|---|---|"
        );
        let p = |k: &str| m.get("presence", "shopkeep", k);
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} % | {} |\n",
            num(m.param("presence", "shopkeep", "consoles"), 0),
            num(m.param("presence", "shopkeep", "visitors"), 0),
            num(m.param("presence", "shopkeep", "pages_per_visitor_s"), 1),
            num(p("rows_per_s"), 0),
            num(p("update_p50_ms"), 1),
            num(p("update_p99_ms"), 1),
            num(100.0 * p("last_page_seen"), 0),
            num(p("server_cpu_pct"), 1),
        );
    }

    // Widget.
    let _ = writeln!(w, "## Widget weight\n");
    let _ = writeln!(
        w,
        "CI fails when the loader exceeds 3 KB gzipped or the lazily loaded chat panel 35 KB (`npm run size -w widget`, run by `make e2e`: web/widget/scripts/check-size.mjs).\n"
    );
    match &widget {
        Some(widget) => {
            let get = |k: &str| widget.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN);
            let _ = writeln!(
                w,
                "Measured in headless Chromium ({}) on the demo shop page, median of {} loads each:\n",
                widget.get("browser").and_then(Value::as_str).unwrap_or("?"),
                num(get("runs"), 0)
            );
            let _ = writeln!(
                w,
                "| | without the widget | with the widget | cost |\n|---|---|---|---|"
            );
            let _ = writeln!(
                w,
                "| renderer main-thread task time, load + 1.5 s (DevTools `Performance.getMetrics` TaskDuration) | {} ms | {} ms | {} ms |",
                num(get("main_thread_ms_without"), 1),
                num(get("main_thread_ms_with"), 1),
                num(
                    get("main_thread_ms_with") - get("main_thread_ms_without"),
                    1
                )
            );
            let _ = writeln!(
                w,
                "| main-thread time in the widget's own scripts (performance trace: compile, evaluate, calls into `/widget/` scripts) | | | {} ms |",
                num(get("widget_script_ms"), 1)
            );
            let _ = writeln!(
                w,
                "| bytes transferred before first interaction | {} KB | {} KB | {} KB |",
                num(get("bytes_without") / 1024.0, 1),
                num(get("bytes_with") / 1024.0, 1),
                num((get("bytes_with") - get("bytes_without")) / 1024.0, 1)
            );
            let _ = writeln!(
                w,
                "| loader script, transferred | | {} B | |",
                num(get("loader_bytes"), 0)
            );
            let _ = writeln!(w);
        }
        None => {
            let _ = writeln!(
                w,
                "_Browser measurement not run (scripts/bench/widget.mjs)._\n"
            );
        }
    }

    // Targets.
    let _ = writeln!(w, "## Targets\n");
    let _ = writeln!(w, "| target | measured | goal | |\n|---|---|---|---|");
    let idle_cpu_19k = m.get("idle", "shopkeep", "server_cpu_pct") * 19_000.0
        / m.param("idle", "shopkeep", "connections");
    target(
        w,
        "idle connection, user-space RSS",
        m.get("idle", "shopkeep", "rss_per_conn_bytes") / 1024.0,
        8.0,
        false,
        "KB",
    );
    target(
        w,
        "19k idle connections, CPU (scaled from the run's count)",
        idle_cpu_19k,
        5.0,
        false,
        "% of a core",
    );
    target(
        w,
        "chat, durably persisted messages/s on 2 cores (highest rate)",
        m.get("chat-max", "shopkeep", "max_rate"),
        20_000.0,
        true,
        "msgs/s",
    );
    target(
        w,
        "chat p99 at that rate",
        m.get("chat-max", "shopkeep", "latency_p99_ms"),
        25.0,
        false,
        "ms",
    );
    target(
        w,
        "messages per CPU-second vs Prosody",
        m.get("chat", "shopkeep", "msgs_per_cpu_s") / m.get("chat", "prosody", "msgs_per_cpu_s"),
        5.0,
        true,
        "×",
    );
    target(
        w,
        "messages per CPU-second vs ejabberd",
        m.get("chat", "shopkeep", "msgs_per_cpu_s") / m.get("chat", "ejabberd", "msgs_per_cpu_s"),
        3.0,
        true,
        "×",
    );
    target(
        w,
        "p50 at half the maximum rate",
        m.get("chat-half", "shopkeep", "latency_p50_ms"),
        1.0,
        false,
        "ms",
    );
    target(
        w,
        "p99 at half the maximum rate",
        m.get("chat-half", "shopkeep", "latency_p99_ms"),
        10.0,
        false,
        "ms",
    );
    target(
        w,
        "page views per core-second",
        m.get("pageviews", "shopkeep", "views_per_cpu_s"),
        30_000.0,
        true,
        "views/s",
    );
    // The trace's attribution when there is one; the difference of two whole
    // page totals also carries the noise of everything else on the page.
    let loader_ms = widget.as_ref().and_then(|v| {
        v.get("widget_script_ms")
            .and_then(Value::as_f64)
            .or_else(|| {
                Some(
                    v.get("main_thread_ms_with")?.as_f64()?
                        - v.get("main_thread_ms_without")?.as_f64()?,
                )
            })
    });
    target(
        w,
        "widget loader, main-thread time (script, from the trace)",
        loader_ms.unwrap_or(f64::NAN),
        20.0,
        false,
        "ms",
    );
    match args
        .analysis
        .as_ref()
        .and_then(|p| std::fs::read_to_string(p).ok())
    {
        Some(analysis) => {
            let _ = writeln!(w, "\n## Why targets are missed\n");
            let _ = writeln!(w, "{}\n", analysis.trim_end());
        }
        None => {
            let _ = writeln!(
                w,
                "\nWhere a target is missed, the profile below says why.\n"
            );
        }
    }
    let _ = writeln!(w, "## Profile\n");
    match args
        .profile
        .as_ref()
        .and_then(|p| std::fs::read_to_string(p).ok())
    {
        Some(profile) => {
            let _ = writeln!(
                w,
                "Where Shopkeep's server spends its CPU during a chat run at a rate it sustains (2500 messages/s at full size; `perf record -F 499 -g`, self time: first by thread and library, then by symbol):\n\n```"
            );
            for line in profile
                .lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .take(45)
            {
                // perf pads its columns to the terminal width.
                let _ = writeln!(
                    w,
                    "{}",
                    line.split_whitespace().collect::<Vec<_>>().join("  ")
                );
            }
            let _ = writeln!(w, "```\n");
        }
        None => {
            let _ = writeln!(
                w,
                "_No profile in this run (`perf` not available, or not requested)._\n"
            );
        }
    }

    // Settings.
    let _ = writeln!(w, "## Settings\n");
    let _ = writeln!(
        w,
        "Shopkeep runs `{}` with production defaults except these (environment, as listed in `crates/shopkeep-bench/src/servers.rs`):\n",
        args.shopkeep_bin.display()
    );
    let _ = writeln!(w, "| setting | value | why |\n|---|---|---|");
    for (name, value, why) in SHOPKEEP_SETTINGS {
        let _ = writeln!(w, "| `{name}` | {value} | {why} |");
    }
    let _ = writeln!(
        w,
        "\nUnchanged and worth naming: SQLite `synchronous=FULL` with WAL and group commit; the per-socket page-view limit (10/s); the per-socket send queue (256 frames); the staff feed (4096 frames). Each console receives every event of the shared inbox (no departments).\n"
    );
    let _ = writeln!(
        w,
        "Prosody (`scripts/bench/prosody.cfg.lua`): `mod_websocket` on 127.0.0.1, anonymous authentication, `limits` removed (the default throttles clients to 10 kb/s), no TLS required (`consider_websocket_secure`), warnings-only log, s2s and offline storage off, single-threaded by design. ejabberd (`scripts/bench/ejabberd.yml`, `ejabberdctl.cfg`): `ejabberd_http_ws` on 127.0.0.1 without TLS, SASL ANONYMOUS, no shaper (the default is 3000 B/s), warnings-only log, offline, MUC, pubsub and push modules absent, one scheduler (`+S 1:1`) that does not busy-wait (`+sbwt none`).\n"
    );
    let _ = writeln!(
        w,
        "Connections come from 127.0.0.10–25 (16 source addresses). CPU is utime + stime of the server's process tree from `/proc/PID/stat`; memory is Rss and Pss from `/proc/PID/smaps_rollup`.\n"
    );

    // Machine.
    let _ = writeln!(w, "## Machine\n");
    let _ = writeln!(w, "{}", machine(args));

    // Raw.
    let _ = writeln!(w, "## Running\n");
    let _ = writeln!(
        w,
        "```sh\nmake bench            # installs the peers if missing, 3 alternating rounds, writes this file\nBENCH_ROUNDS=1 BENCH_SCALE=small scripts/bench/run.sh   # a short trial\n```\n"
    );
    if let Some(command) = &args.command {
        let _ = writeln!(w, "This report: `{command}`.\n");
    }
    let _ = writeln!(
        w,
        "Every run is one line in the results file (`target/bench/results.jsonl`), with all its metrics."
    );
    std::fs::write(&args.out, doc)?;
    std::fs::write(&args.chart, chart(&m, args.trial.is_some()))?;
    println!("wrote {} and {}", args.out.display(), args.chart.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(vec![f64::NAN]).is_nan());
    }
}
