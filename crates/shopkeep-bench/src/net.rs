//! Client sockets on loopback, the shared clock, open-loop pacing and the
//! latency histogram.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::OnceLock;
use std::time::Duration;

use anyhow::Context;
use hdrhistogram::Histogram;
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderName, HeaderValue};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

pub type Socket = WebSocketStream<TcpStream>;

/// Longest any single connect or handshake step may take.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(10);

/// Sockets are spread over this many loopback source addresses, so one
/// address never runs out of its ≈28k ephemeral ports.
const SOURCE_ADDRESSES: usize = 16;

/// The loopback source address for the `i`-th connection: 127.0.0.10 and up.
pub fn source(i: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, 10 + (i % SOURCE_ADDRESSES) as u8))
}

/// Opens a WebSocket from `source` to a loopback `url`, with `headers` on the
/// upgrade. Buffers are kept small: the generator holds thousands of sockets.
pub async fn connect(
    url: &str,
    source: IpAddr,
    headers: &[(&str, &str)],
) -> anyhow::Result<Socket> {
    let mut request = url.into_client_request()?;
    for (name, value) in headers {
        request.headers_mut().insert(
            HeaderName::from_bytes(name.as_bytes())?,
            HeaderValue::from_str(value)?,
        );
    }
    let uri = request.uri();
    let host = uri.host().context("url without host")?;
    let port = uri.port_u16().unwrap_or(80);
    let server: SocketAddr = format!("{host}:{port}")
        .parse()
        .context("the bench only speaks to IP addresses")?;
    anyhow::ensure!(
        server.ip().is_loopback(),
        "the bench only connects to loopback, not {server}"
    );
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(source, 0))?;
    let stream = tokio::time::timeout(STEP_TIMEOUT, socket.connect(server))
        .await
        .context("connect timed out")??;
    stream.set_nodelay(true)?;
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0)
        .max_message_size(Some(4 << 20));
    let (socket, _) = tokio::time::timeout(
        STEP_TIMEOUT,
        tokio_tungstenite::client_async_with_config(request, stream, Some(config)),
    )
    .await
    .context("WebSocket upgrade timed out")??;
    Ok(socket)
}

/// Microseconds since the generator started: the send time carried in messages.
pub fn now_us() -> u64 {
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_micros() as u64
}

/// A latency histogram in microseconds, 1 µs to 10 minutes, 3 significant digits.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid histogram bounds")
}

/// An open-loop schedule: `count` sends, one every `interval`, starting at
/// `start`. Each send carries its *intended* time, so a late send still counts
/// the wait it suffered (no coordinated omission).
#[derive(Clone, Copy, Debug)]
pub struct Schedule {
    pub start: Instant,
    pub interval: Duration,
    pub count: u64,
}

impl Schedule {
    pub fn at(&self, n: u64) -> Instant {
        self.start + self.interval.mul_f64(n as f64)
    }

    /// `at(n)` on the clock of [`now_us`].
    pub fn at_us(&self, n: u64) -> u64 {
        let ahead = self.at(n).saturating_duration_since(Instant::now());
        let behind = Instant::now().saturating_duration_since(self.at(n));
        (now_us() + ahead.as_micros() as u64).saturating_sub(behind.as_micros() as u64)
    }

    pub fn end(&self) -> Instant {
        self.at(self.count)
    }
}

/// A small deterministic spread in [0, 1) for phases, from an index.
pub fn spread(i: usize) -> f64 {
    // Golden-ratio sequence: evenly spread, no random generator needed.
    (i as f64 * 0.618_033_988_749_895).fract()
}
