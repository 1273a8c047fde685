//! Runs the real `shopkeep` binary on a private data directory: one-shot
//! commands, and `serve` as a child process that is killed when its guard is
//! dropped. Every wait is bounded, so a broken server fails a test instead of
//! hanging it.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const SHOP_ORIGIN: &str = "http://shop.test";
/// Longest any single step waits: a frame, a line of output, a process exit.
pub const WAIT: Duration = Duration::from_secs(15);
const BINARY: &str = env!("CARGO_BIN_EXE_shopkeep");
const LISTENING: &str = "Shopkeep is listening on ";

/// A fresh data directory (also the working directory) and the settings every
/// command run on it gets.
pub struct DataDir {
    dir: TempDir,
    env: Vec<(String, String)>,
    servers_started: usize,
}

/// What a one-shot command did.
pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn success(self) -> Self {
        assert!(
            self.status.success(),
            "expected success, got {}\nstdout:\n{}\nstderr:\n{}",
            self.status,
            self.stdout,
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn failure(self) -> Self {
        assert!(
            !self.status.success(),
            "expected a failure\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

impl DataDir {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("a temporary directory"),
            env: Vec::new(),
            servers_started: 0,
        }
    }

    /// A setting (as `SHOPKEEP__...`) for every later command.
    pub fn with_env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The binary with only this directory's settings: inherited `SHOPKEEP*`
    /// variables are removed so the developer's environment cannot leak in.
    fn command(&self) -> std::process::Command {
        let mut command = std::process::Command::new(BINARY);
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("SHOPKEEP") {
                command.env_remove(key);
            }
        }
        command
            .current_dir(self.path())
            .env("SHOPKEEP__DATA_DIR", self.path())
            .env("SHOPKEEP__LISTEN", "127.0.0.1:0")
            .env("RUST_LOG", "info")
            .env("RUST_BACKTRACE", "0")
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }

    pub async fn run(&self, args: &[&str]) -> Run {
        self.run_with_env(args, &[], None).await
    }

    pub async fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Run {
        self.run_with_env(args, &[], Some(stdin)).await
    }

    /// Runs a one-shot command to completion (killed if it takes longer than [`WAIT`]).
    pub async fn run_with_env(
        &self,
        args: &[&str],
        env: &[(&str, &str)],
        stdin: Option<&str>,
    ) -> Run {
        let mut command = tokio::process::Command::from(self.command());
        command
            .args(args)
            .envs(env.iter().copied())
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().expect("the shopkeep binary starts");
        if let Some(input) = stdin {
            let mut pipe = child.stdin.take().expect("a stdin pipe");
            pipe.write_all(input.as_bytes())
                .await
                .expect("stdin takes the input");
            drop(pipe);
        }
        let output = tokio::time::timeout(WAIT, child.wait_with_output())
            .await
            .unwrap_or_else(|_| panic!("`shopkeep {}` did not finish in time", args.join(" ")))
            .expect("the command's output");
        Run {
            status: output.status,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// `site add shop` for [`SHOP_ORIGIN`]; returns the site's public key from `site list`.
    pub async fn add_shop_site(&self) -> String {
        self.run(&[
            "site",
            "add",
            "shop",
            "--name",
            "Shop",
            "--origin",
            SHOP_ORIGIN,
        ])
        .await
        .success();
        self.site_key("shop").await
    }

    /// The public key `site list` shows for `slug`.
    pub async fn site_key(&self, slug: &str) -> String {
        let list = self.run(&["site", "list"]).await.success();
        list.stdout
            .lines()
            .map(|line| line.split('\t').collect::<Vec<_>>())
            .find(|columns| columns[0] == slug)
            .and_then(|columns| columns.get(1).map(|key| (*key).to_owned()))
            .unwrap_or_else(|| panic!("`site list` shows no {slug}:\n{}", list.stdout))
    }

    /// Starts `shopkeep <args>` (e.g. `serve`) and waits for the address it bound.
    pub async fn serve(&mut self, args: &[&str]) -> Server {
        self.servers_started += 1;
        let log = self
            .path()
            .join(format!("server-{}.log", self.servers_started));
        let stderr = std::fs::File::create(&log).expect("a log file");
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("the shopkeep binary starts");
        let stdout = child.stdout.take().expect("a stdout pipe");
        let (lines, receiver) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            lines: receiver,
            printed: Vec::new(),
            log,
        };
        let first = server.next_line().await;
        let addr = first
            .strip_prefix(LISTENING)
            .unwrap_or_else(|| panic!("the first line names the address, got {first:?}"));
        server.addr = addr.parse().expect("a socket address");
        server
    }
}

/// A running `shopkeep serve`; SIGKILLed and reaped on drop if still running.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    lines: mpsc::UnboundedReceiver<String>,
    /// Every stdout line so far.
    pub printed: Vec<String>,
    log: PathBuf,
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    async fn next_line(&mut self) -> String {
        let line = tokio::time::timeout(WAIT, self.lines.recv())
            .await
            .expect("the server prints within the wait")
            .expect("the server's stdout is open");
        self.printed.push(line.clone());
        line
    }

    /// The first stdout line containing `needle`, waiting for it if need be.
    pub async fn line_containing(&mut self, needle: &str) -> String {
        if let Some(line) = self.printed.iter().find(|l| l.contains(needle)) {
            return line.clone();
        }
        loop {
            let line = self.next_line().await;
            if line.contains(needle) {
                return line;
            }
        }
    }

    /// Kills the process without warning (SIGKILL on Unix) and reaps it.
    pub fn kill(mut self) {
        self.child.kill().expect("the server can be killed");
        self.child.wait().expect("the killed server is reaped");
    }

    /// Asks the process to stop, as a service manager would.
    pub fn terminate(&self) {
        let status = std::process::Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .expect("kill(1) runs");
        assert!(status.success(), "kill -TERM failed: {status}");
    }

    /// Everything the process printed, once it has exited and closed stdout.
    pub async fn all_output(&mut self) -> Vec<String> {
        while let Some(line) = tokio::time::timeout(WAIT, self.lines.recv())
            .await
            .expect("stdout closes within the wait")
        {
            self.printed.push(line);
        }
        self.printed.clone()
    }

    /// Waits (bounded) for the process to exit on its own.
    pub async fn exited(&mut self) -> ExitStatus {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().expect("the server's status") {
                return status;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the server did not exit within the wait"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// A visitor socket for the site `key` from [`SHOP_ORIGIN`] that has said
    /// hello (resuming `token` if given), and the server's first answer.
    pub async fn visitor(&self, key: &str, token: Option<&str>) -> (Ws, Value) {
        let mut request = format!("ws://{}/v1/visitor?site={key}", self.addr)
            .into_client_request()
            .expect("a websocket request");
        request
            .headers_mut()
            .insert("origin", HeaderValue::from_static(SHOP_ORIGIN));
        let (stream, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(request))
            .await
            .expect("the socket opens within the wait")
            .expect("the visitor socket opens");
        let mut ws = Ws { stream };
        ws.send(json!({"type": "hello", "token": token, "lang": "en"}))
            .await;
        let first = ws.next().await;
        (ws, first)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            eprintln!(
                "--- shopkeep stdout ---\n{}\n--- shopkeep log ---\n{log}",
                self.printed.join("\n")
            );
        }
    }
}

/// A client socket speaking JSON text frames.
pub struct Ws {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Ws {
    pub async fn send(&mut self, frame: Value) {
        tokio::time::timeout(WAIT, self.stream.send(Message::text(frame.to_string())))
            .await
            .expect("the frame is sent within the wait")
            .expect("the socket takes the frame");
    }

    /// The next text frame as JSON; fails the test if none comes in time.
    pub async fn next(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(WAIT, self.stream.next())
                .await
                .expect("a frame within the wait")
                .expect("the socket is open")
                .expect("a readable frame");
            match message {
                Message::Text(text) => return serde_json::from_str(&text).expect("JSON"),
                Message::Close(frame) => panic!("socket closed: {frame:?}"),
                _ => continue,
            }
        }
    }

    /// Skips frames until one of type `kind`; an `error` frame fails the test.
    pub async fn until(&mut self, kind: &str) -> Value {
        loop {
            let frame = self.next().await;
            if frame["type"] == kind {
                return frame;
            }
            assert_ne!(frame["type"], "error", "waiting for {kind}");
        }
    }

    /// Waits for the server's close frame and returns its code (`None`: no close frame).
    pub async fn closed(&mut self) -> Option<u16> {
        loop {
            match tokio::time::timeout(WAIT, self.stream.next())
                .await
                .expect("a close within the wait")
            {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| f.code.into()),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return None,
            }
        }
    }

    /// Every event of `conversation` after `after_seq`, paging with `sync`
    /// while the answer ends below the conversation's `last_seq`.
    pub async fn sync_all(&mut self, conversation: &str, after_seq: u64) -> (Vec<Value>, u64) {
        let mut events: Vec<Value> = Vec::new();
        let mut after = after_seq;
        loop {
            self.send(json!({"type": "sync", "conversation_id": conversation, "after_seq": after}))
                .await;
            let history = self.until("history").await;
            assert_eq!(history["conversation_id"], conversation);
            let last_seq = history["last_seq"].as_u64().expect("last_seq");
            let page = history["events"].as_array().expect("events").clone();
            if let Some(last) = page.last() {
                let seq = last["seq"].as_u64().expect("seq");
                assert!(seq > after, "a page must move forward: {seq} after {after}");
                after = seq;
            }
            let empty = page.is_empty();
            events.extend(page);
            if after >= last_seq {
                return (events, last_seq);
            }
            assert!(
                !empty,
                "an empty page although {after} is below last_seq {last_seq}"
            );
        }
    }
}
