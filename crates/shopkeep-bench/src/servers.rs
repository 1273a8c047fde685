//! Starting and stopping each system as a child process on loopback, in a
//! temporary directory, optionally pinned to one core with `taskset`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

use crate::shopkeep::{SHOP_ORIGIN, Target};

/// Settings the bench changes from Shopkeep's defaults, and why: every one is
/// listed in the report. Everything else, including `synchronous=FULL` with
/// group commit (an ack means the message is on disk), is as in production.
pub const SHOPKEEP_SETTINGS: &[(&str, &str, &str)] = &[
    (
        "SHOPKEEP__LOG__LEVEL",
        "warn",
        "warnings-only logs, as for the peers",
    ),
    (
        "SHOPKEEP__SERVER__LIMITS__SOCKETS_PER_IP",
        "1000000",
        "all sockets come from a few loopback addresses",
    ),
    (
        "SHOPKEEP__SERVER__LIMITS__NEW_VISITORS_PER_MINUTE",
        "100000000",
        "thousands of visitors arrive from one address",
    ),
    (
        "SHOPKEEP__SERVER__LIMITS__FRAMES_PER_SECOND",
        "1000000",
        "a console sends for many conversations on one socket",
    ),
    (
        "SHOPKEEP__SERVER__LIMITS__VISITOR_MESSAGES_PER_MINUTE",
        "100000000",
        "a visitor sends at the test rate",
    ),
    (
        "SHOPKEEP__SERVER__LIMITS__LOGINS_PER_MINUTE",
        "100000",
        "every console logs in from one address",
    ),
];

/// Password of the bench's operators (`op{k}@bench.test`).
const OPERATOR_PASSWORD: &str = "bench-operator-password-1";

/// How long a server may take to start.
const START_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Clone, Debug)]
pub struct Options {
    pub shopkeep_bin: PathBuf,
    /// `scripts/bench`, where the peers' config templates are.
    pub scripts: PathBuf,
    /// Core the server is pinned to.
    pub cpu: Option<usize>,
    /// Peers keep a message archive (mod_mam on SQLite).
    pub peer_archive: bool,
}

/// A server the bench started; stop it with [`Running::stop`].
pub struct Running {
    child: Child,
    pub pid: u32,
    stop: Option<Vec<String>>,
    /// Holds the data until the server has stopped.
    dir: TempDir,
}

fn pinned(cpu: Option<usize>, program: &str) -> Command {
    match cpu {
        Some(cpu) => {
            let mut command = Command::new("taskset");
            command.arg("-c").arg(cpu.to_string()).arg(program);
            command
        }
        None => Command::new(program),
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

async fn wait_for_port(port: u16) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + START_TIMEOUT;
    while tokio::time::Instant::now() < deadline {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("nothing listens on 127.0.0.1:{port} after {START_TIMEOUT:?}")
}

/// Runs a setup command of the Shopkeep CLI against the data directory.
async fn shopkeep_cli(
    bin: &Path,
    dir: &Path,
    args: &[&str],
    stdin: Option<&str>,
) -> anyhow::Result<String> {
    let mut command = Command::new(bin);
    command
        .args(args)
        .env("SHOPKEEP__DATA_DIR", dir)
        .env("SHOPKEEP__LOG__LEVEL", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .with_context(|| format!("cannot run {}", bin.display()))?;
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .context("stdin")?
            .write_all(input.as_bytes())
            .await?;
    }
    drop(child.stdin.take());
    let output = tokio::time::timeout(START_TIMEOUT, child.wait_with_output()).await??;
    anyhow::ensure!(
        output.status.success(),
        "shopkeep {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Starts `shopkeep serve` on a fresh data directory with a bench site for
/// [`SHOP_ORIGIN`] and `operators` staff accounts.
pub async fn start_shopkeep(
    options: &Options,
    operators: usize,
) -> anyhow::Result<(Running, Target)> {
    let dir = tempfile::Builder::new()
        .prefix("shopkeep-bench-")
        .tempdir()?;
    let bin = &options.shopkeep_bin;
    let added = shopkeep_cli(
        bin,
        dir.path(),
        &[
            "site",
            "add",
            "bench",
            "--name",
            "Bench Shop",
            "--origin",
            SHOP_ORIGIN,
        ],
        None,
    )
    .await?;
    let site_key = added
        .split("public key ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .context("`site add` printed no public key")?
        .to_owned();
    let mut logins = Vec::new();
    for k in 0..operators.max(1) {
        let email = format!("op{k}@bench.test");
        let name = format!("Operator {k}");
        shopkeep_cli(
            bin,
            dir.path(),
            &[
                "user",
                "add",
                "--email",
                &email,
                "--name",
                &name,
                "--password-stdin",
            ],
            Some(&format!("{OPERATOR_PASSWORD}\n")),
        )
        .await?;
        logins.push((email, OPERATOR_PASSWORD.to_owned()));
    }
    let mut command = pinned(options.cpu, &bin.to_string_lossy());
    command
        .arg("serve")
        .env("SHOPKEEP__LISTEN", "127.0.0.1:0")
        .env("SHOPKEEP__DATA_DIR", dir.path());
    for (name, value, _) in SHOPKEEP_SETTINGS {
        command.env(name, value);
    }
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    let mut child = command.spawn()?;
    let pid = child.id().context("no pid")?;
    let mut lines = BufReader::new(child.stdout.take().context("stdout")?).lines();
    let bound = tokio::time::timeout(START_TIMEOUT, async {
        while let Some(line) = lines.next_line().await? {
            if let Some(addr) = line.strip_prefix("Shopkeep is listening on ") {
                return Ok(addr.trim().to_owned());
            }
        }
        bail!("shopkeep exited before listening")
    })
    .await??;
    // Keep draining stdout so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let target = Target {
        base: format!("http://{bound}"),
        site_key,
        operators: logins,
        database: dir.path().join("shopkeep.db"),
        pid,
    };
    Ok((
        Running {
            child,
            pid,
            stop: None,
            dir,
        },
        target,
    ))
}

fn fill(template: &str, fields: &[(&str, String)]) -> String {
    fields
        .iter()
        .fold(template.to_owned(), |text, (name, value)| {
            text.replace(&format!("{{{{{name}}}}}"), value)
        })
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// Starts Prosody; returns it and its WebSocket URL.
pub async fn start_prosody(options: &Options) -> anyhow::Result<(Running, String)> {
    let dir = tempfile::Builder::new()
        .prefix("prosody-bench-")
        .tempdir()?;
    std::fs::create_dir_all(dir.path().join("data"))?;
    let http = free_port()?;
    let template = std::fs::read_to_string(options.scripts.join("prosody.cfg.lua"))?;
    let config = fill(
        &template,
        &[
            ("DIR", dir.path().display().to_string()),
            ("RUN_AS_ROOT", is_root().to_string()),
            ("HTTP_PORT", http.to_string()),
            ("C2S_PORT", free_port()?.to_string()),
            (
                "MAM_MODULE",
                if options.peer_archive {
                    "  \"mam\";".into()
                } else {
                    String::new()
                },
            ),
            (
                "STORAGE",
                if options.peer_archive {
                    "sql".into()
                } else {
                    "internal".into()
                },
            ),
            ("ARCHIVE", options.peer_archive.to_string()),
        ],
    );
    let path = dir.path().join("prosody.cfg.lua");
    std::fs::write(&path, config)?;
    let mut command = pinned(options.cpu, "prosody");
    command
        .arg("-F")
        .arg("--config")
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    let child = command
        .spawn()
        .context("cannot start prosody (run scripts/bench/install-peers.sh)")?;
    let pid = child.id().context("no pid")?;
    wait_for_port(http).await?;
    Ok((
        Running {
            child,
            pid,
            stop: None,
            dir,
        },
        format!("ws://127.0.0.1:{http}/xmpp-websocket"),
    ))
}

/// Starts ejabberd as the invoking user, like Prosody (`ejabberdctl.cfg` says
/// why); returns it and its WebSocket URL.
pub async fn start_ejabberd(options: &Options) -> anyhow::Result<(Running, String)> {
    let dir = tempfile::Builder::new()
        .prefix("ejabberd-bench-")
        .tempdir()?;
    let http = free_port()?;
    let (mam_db, mam) = if options.peer_archive {
        (
            format!(
                "sql_type: sqlite\nsql_database: \"{}/ejabberd.sqlite\"\nnew_sql_schema: true",
                dir.path().display()
            ),
            "  mod_mam:\n    db_type: sql\n    default: always".to_owned(),
        )
    } else {
        (String::new(), String::new())
    };
    let template = std::fs::read_to_string(options.scripts.join("ejabberd.yml"))?;
    let config = fill(
        &template,
        &[
            ("HTTP_PORT", http.to_string()),
            ("MAM_DEFAULT_DB", mam_db),
            ("MAM_MODULE", mam),
        ],
    );
    std::fs::write(dir.path().join("ejabberd.yml"), config)?;
    std::fs::copy(
        options.scripts.join("ejabberdctl.cfg"),
        dir.path().join("ejabberdctl.cfg"),
    )?;
    std::fs::copy("/etc/ejabberd/inetrc", dir.path().join("inetrc")).ok();
    for sub in ["db", "log"] {
        std::fs::create_dir_all(dir.path().join(sub))?;
    }
    let d = dir.path().display().to_string();
    let args = vec![
        "--config-dir".to_owned(),
        d.clone(),
        "--config".into(),
        format!("{d}/ejabberd.yml"),
        "--ctl-config".into(),
        format!("{d}/ejabberdctl.cfg"),
        "--logs".into(),
        format!("{d}/log"),
        "--spool".into(),
        format!("{d}/db"),
    ];
    let mut command = pinned(options.cpu, "ejabberdctl");
    command
        .args(&args)
        .arg("foreground")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    let child = command
        .spawn()
        .context("cannot start ejabberd (run scripts/bench/install-peers.sh)")?;
    let pid = child.id().context("no pid")?;
    wait_for_port(http).await?;
    let mut stop = vec!["ejabberdctl".to_owned()];
    stop.extend(args);
    stop.push("stop".into());
    Ok((
        Running {
            child,
            pid,
            stop: Some(stop),
            dir,
        },
        format!("ws://127.0.0.1:{http}/ws"),
    ))
}

impl Running {
    /// Stops the server gracefully (its stop command, or SIGTERM), then kills it
    /// if it has not exited within a few seconds. ejabberd's epmd is stopped too.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let ejabberd = self.stop.is_some();
        match &self.stop {
            Some(stop) => {
                let _ = tokio::time::timeout(
                    Duration::from_secs(30),
                    Command::new(&stop[0])
                        .args(&stop[1..])
                        .stdout(Stdio::null())
                        .status(),
                )
                .await;
            }
            None => {
                let _ = Command::new("kill")
                    .arg("-TERM")
                    .arg(self.pid.to_string())
                    .status()
                    .await;
            }
        }
        if tokio::time::timeout(Duration::from_secs(15), self.child.wait())
            .await
            .is_err()
        {
            self.child.kill().await?;
        }
        if ejabberd {
            let _ = Command::new("epmd")
                .arg("-kill")
                .stdout(Stdio::null())
                .status()
                .await;
        }
        // To look at what a server stored and logged after its run.
        if std::env::var_os("BENCH_KEEP_DIRS").is_some() {
            eprintln!("kept {}", self.dir.keep().display());
        }
        Ok(())
    }
}
