-- Prosody for the side-by-side benchmark: loopback only, anonymous logins, XMPP
-- over WebSocket (RFC 7395), no rate limits, warnings-only logs. The bench fills
-- in the {{…}} fields and starts it in the foreground in a temporary directory.
daemonize = false
pidfile = "{{DIR}}/prosody.pid"
data_path = "{{DIR}}/data"
run_as_root = {{RUN_AS_ROOT}}
interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
http_interfaces = { "127.0.0.1" }
http_ports = { {{HTTP_PORT}} }
https_ports = { }
c2s_ports = { {{C2S_PORT}} }
c2s_direct_tls_ports = { }
s2s_ports = { }
component_ports = { }
c2s_require_encryption = false
allow_unencrypted_plain_auth = false
consider_websocket_secure = true
cross_domain_websocket = true
-- Pending connections, as Shopkeep's listener.
network_settings = { tcp_backlog = 1024 }
log = { warn = "{{DIR}}/prosody.log" }
-- The default `limits` throttle each client to 10 kb/s: none here.
limits = { }
modules_enabled = {
  "saslauth"; "disco"; "ping"; "websocket"; "http";
{{MAM_MODULE}}
}
modules_disabled = { "s2s"; "offline"; "limits"; "register"; "posix" }
storage = "{{STORAGE}}"
sql = { driver = "SQLite3", database = "{{DIR}}/prosody.sqlite" }
archive_expires_after = "1d"
default_archive_policy = true

VirtualHost "localhost"
  authentication = "anonymous"
  -- Anonymous sessions store nothing unless allowed (the archive variant).
  allow_anonymous_storage = {{ARCHIVE}}
  allow_anonymous_s2s = false
