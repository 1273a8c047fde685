#!/usr/bin/env bash
# Installs the benchmark's peers from Debian if they are missing: Prosody 0.12 and
# ejabberd 23.01, with the SQLite drivers their message archives need. Package scripts are
# kept from starting the system services: the bench starts its own instances on
# loopback ports and stops them after. Safe to run again.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v prosody >/dev/null 2>&1 || missing+=(prosody)
dpkg -s lua-dbi-sqlite3 >/dev/null 2>&1 || missing+=(lua-dbi-sqlite3)
command -v ejabberdctl >/dev/null 2>&1 || missing+=(ejabberd)
dpkg -s erlang-p1-sqlite3 >/dev/null 2>&1 || missing+=(erlang-p1-sqlite3)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
  as_root chmod +x /usr/sbin/policy-rc.d
  trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Installed services may still have been started by other means: stop them so they
# do not hold the ports or share the cores with the measured instances.
for service in prosody ejabberd; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$service" 2>/dev/null; then
    as_root systemctl stop "$service" || true
  fi
done
