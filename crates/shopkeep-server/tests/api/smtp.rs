//! A real SMTP server for the mail tests: `scripts/smtp-sink.py` (aiosmtpd) on
//! loopback, writing each mail it receives into a temporary directory.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::Duration;

use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::helpers::eventually;

/// A Python that can import aiosmtpd, or why there is none.
fn python() -> &'static str {
    static FOUND: OnceLock<Result<String, String>> = OnceLock::new();
    let found = FOUND.get_or_init(|| {
        let mut candidates: Vec<String> =
            std::env::var("SHOPKEEP_TEST_PYTHON").into_iter().collect();
        candidates.extend(["python3".to_owned(), "/usr/bin/python3".to_owned()]);
        candidates
            .iter()
            .find(|python| {
                std::process::Command::new(python)
                    .args(["-c", "import aiosmtpd"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|status| status.success())
            })
            .cloned()
            .ok_or_else(|| {
                format!(
                    "the mail tests need aiosmtpd, and none of {candidates:?} can import it: \
                     run scripts/install-test-deps.sh"
                )
            })
    });
    match found {
        Ok(python) => python,
        Err(why) => panic!("{why}"),
    }
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/smtp-sink.py")
}

/// A port nothing listens on (for a relay that is down), free when returned.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

pub struct SmtpSink {
    pub port: u16,
    dir: TempDir,
    /// Killed when the sink is dropped.
    child: Child,
}

/// One received mail: the message as the sink got it, and its envelope.
#[derive(Debug, Clone)]
pub struct Received {
    pub raw: String,
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
}

impl Received {
    /// The unfolded value of the first header called `name`.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.raw.split("\r\n\r\n").next().unwrap_or_default();
        let head = head.split("\n\n").next().unwrap_or_default();
        let mut found: Option<String> = None;
        for line in head.lines() {
            if line.starts_with([' ', '\t']) {
                if let Some(value) = found.as_mut() {
                    value.push_str(line.trim_start_matches([' ', '\t']));
                    continue;
                }
            } else if found.is_some() {
                break;
            }
            if let Some((key, value)) = line.split_once(':')
                && key.eq_ignore_ascii_case(name)
            {
                found = Some(value.trim().to_owned());
            }
        }
        found
    }

    /// Every header name, in order.
    pub fn header_names(&self) -> Vec<String> {
        let head = self.raw.split("\r\n\r\n").next().unwrap_or_default();
        head.lines()
            .filter(|line| !line.starts_with([' ', '\t']))
            .filter_map(|line| {
                line.split_once(':')
                    .map(|(key, _)| key.to_ascii_lowercase())
            })
            .collect()
    }
}

impl SmtpSink {
    /// A sink on a free port.
    pub async fn start() -> Self {
        Self::start_on(0).await
    }

    /// A sink on `port` (0: any free one).
    pub async fn start_on(port: u16) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(python())
            .arg(script())
            .arg(dir.path().join("mail"))
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start scripts/smtp-sink.py");
        let stdout = child.stdout.take().unwrap();
        let mut first = String::new();
        let read = tokio::time::timeout(
            Duration::from_secs(10),
            BufReader::new(stdout).read_line(&mut first),
        )
        .await;
        let port = first
            .trim()
            .strip_prefix("port ")
            .and_then(|port| port.parse().ok());
        let Some(port) = port.filter(|_| matches!(read, Ok(Ok(_)))) else {
            let _ = child.start_kill();
            let mut stderr = String::new();
            if let Some(mut err) = child.stderr.take() {
                let _ =
                    tokio::time::timeout(Duration::from_secs(2), err.read_to_string(&mut stderr))
                        .await;
            }
            panic!(
                "the SMTP sink did not start (said {first:?}): {stderr}\n\
                 if aiosmtpd is missing, run scripts/install-test-deps.sh"
            );
        };
        Self { port, dir, child }
    }

    /// Every mail received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        let dir = self.dir.path().join("mail");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        let mut stems: Vec<String> = entries
            .filter_map(|entry| entry.ok())
            .filter_map(|entry| entry.file_name().into_string().ok())
            .filter_map(|name| name.strip_suffix(".json").map(str::to_owned))
            .collect();
        stems.sort();
        stems
            .iter()
            .map(|stem| {
                let meta: serde_json::Value = serde_json::from_slice(
                    &std::fs::read(dir.join(format!("{stem}.json"))).unwrap(),
                )
                .unwrap();
                Received {
                    raw: String::from_utf8_lossy(
                        &std::fs::read(dir.join(format!("{stem}.eml"))).unwrap(),
                    )
                    .into_owned(),
                    mail_from: meta["mail_from"].as_str().unwrap_or_default().to_owned(),
                    rcpt_tos: meta["rcpt_tos"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|to| to.as_str().unwrap().to_owned())
                        .collect(),
                }
            })
            .collect()
    }

    /// Waits until at least `count` mails arrived; returns all of them.
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        eventually(&format!("{count} mail(s) at the SMTP sink"), || async {
            let received = self.received();
            (received.len() >= count).then_some(received)
        })
        .await
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}
