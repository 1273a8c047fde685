#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine: Chromium for the
# end-to-end tests (from Debian; browsers cannot be downloaded by npm here),
# aiosmtpd for the SMTP sink of the mail tests, and the front-end packages.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# The SMTP sink the mail tests start (scripts/smtp-sink.py) needs aiosmtpd in
# `python3` or in Debian's /usr/bin/python3; the tests use whichever has it.
has_aiosmtpd() {
  for python in python3 /usr/bin/python3; do
    "$python" -c 'import aiosmtpd' >/dev/null 2>&1 && return 0
  done
  return 1
}
has_aiosmtpd || missing+=(python3-aiosmtpd)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  # Keep package scripts from starting services on install; tests start their own.
  printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
  as_root chmod +x /usr/sbin/policy-rc.d
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  as_root rm -f /usr/sbin/policy-rc.d
fi

if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  npm ci --prefix web --no-audit --no-fund
fi
