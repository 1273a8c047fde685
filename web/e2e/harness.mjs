// Starts the real shopkeep binary on a fresh data directory and a loopback port,
// and Debian's Chromium through playwright-core (browsers cannot be downloaded here).
import { execFileSync, execSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const binary = process.env.SHOPKEEP_BIN ?? join(repo, 'target', 'debug', 'shopkeep');
export const screenshots = join(repo, 'docs', 'screenshots');
export const operator = { email: 'anna@shop.test', name: 'Anna', password: 'correct horse battery' };

/** Waits this long for anything the browser should show. */
export const WAIT = 10_000;

/** The country database the server's tests use (ip-location-db, CC0), from web/node_modules. */
export const geoipDatabase = join(
  repo,
  'web',
  'node_modules',
  '@ip-location-db',
  'geo-whois-asn-country-mmdb',
  'geo-whois-asn-country.mmdb',
);

/**
 * Starts `shopkeep serve --demo` with one member of staff, `operator`, in `role`, and
 * the `staff` given (`{email, name, role, password?}`, the password defaulting to
 * `operator.password`); `settings` adds `SHOPKEEP__…` variables.
 */
export async function startShopkeep({ settings = {}, role = 'operator', staff = [] } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'shopkeep-e2e-'));
  const env = {
    ...process.env,
    SHOPKEEP__DATA_DIR: dataDir,
    SHOPKEEP__LISTEN: '127.0.0.1:0',
    SHOPKEEP__SERVER__PRESENCE_GRACE: '0',
    RUST_LOG: process.env.TEST_LOG ? 'debug' : 'warn',
    ...settings,
  };
  for (const member of [{ ...operator, role }, ...staff]) {
    execFileSync(binary, ['user', 'add', '--email', member.email, '--name', member.name, '--role', member.role, '--password-stdin'], {
      env,
      input: `${member.password ?? operator.password}\n`,
      stdio: ['pipe', 'ignore', 'inherit'],
    });
  }
  const child = spawn(binary, ['serve', '--demo'], { env, stdio: ['ignore', 'pipe', process.env.TEST_LOG ? 'inherit' : 'ignore'] });
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('shopkeep did not start within 20 s')), 20_000);
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const bound = /listening on (\S+)/.exec(output);
      if (bound) {
        clearTimeout(timer);
        resolve(`http://${bound[1]}`);
      }
    });
    child.on('exit', (code) => reject(new Error(`shopkeep exited with ${code}: ${output}`)));
  });
  return {
    base,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchChromium() {
  const executablePath = execSync('command -v chromium', { shell: '/bin/sh' }).toString().trim();
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** Fails the test if any page opens a dialog: a sign that injected script ran. */
export function forbidDialogs(page, seen) {
  page.on('dialog', async (dialog) => {
    seen.push(`${dialog.type()}: ${dialog.message()}`);
    await dialog.dismiss();
  });
}

/** Logs `who` (by default `operator`) into the console in `page`. */
export async function logIn(page, base, who = operator) {
  await page.goto(`${base}/console/`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password ?? operator.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByLabel('Status').waitFor({ timeout: WAIT });
}

export async function setStatus(page, status) {
  await page.getByLabel('Status').selectOption(status);
}

/**
 * The staff REST API as `who`, from Node and without a console (so nobody comes
 * online): logs in once, then `api(method, path, body)` answers `{status, body}`.
 */
export async function restAs(base, who) {
  const origin = new URL(base).origin;
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin, 'x-csrf-token': 'login' },
    body: JSON.stringify({ email: who.email, password: who.password ?? operator.password }),
  });
  if (login.status !== 200) throw new Error(`${who.email} could not log in: ${login.status} ${await login.text()}`);
  const { me, csrf_token } = await login.json();
  const cookie = login.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  return {
    me,
    async api(method, path, body) {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/json', origin, cookie, 'x-csrf-token': csrf_token },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
  };
}

export function screenshotPath(name) {
  mkdirSync(screenshots, { recursive: true });
  return join(screenshots, name);
}

/** Polls `check` until it returns true or the wait runs out. */
export async function eventually(check, what, timeout = WAIT) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A Python that can import aiosmtpd, as the server's mail tests look for one. */
function sinkPython() {
  const candidates = [process.env.SHOPKEEP_TEST_PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean);
  const found = candidates.find((python) => spawnSync(python, ['-c', 'import aiosmtpd'], { stdio: 'ignore' }).status === 0);
  if (!found) {
    throw new Error(`the mail tests need aiosmtpd, and none of ${candidates.join(', ')} can import it: run scripts/install-test-deps.sh`);
  }
  return found;
}

/**
 * Starts `scripts/smtp-sink.py` on a free loopback port. `settings` points Shopkeep's
 * `[server.mail]` at it; `mails()` reads what arrived, parsed; `waitFor` waits for a match.
 */
export async function startSmtpSink() {
  const python = sinkPython();
  const dir = mkdtempSync(join(tmpdir(), 'shopkeep-e2e-mail-'));
  const mailDir = join(dir, 'mail');
  const child = spawn(python, [join(repo, 'scripts', 'smtp-sink.py'), mailDir, '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (chunk) => {
    errors += chunk;
  });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the SMTP sink did not start within 10 s: ${errors}`)), 10_000);
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const bound = /port (\d+)/.exec(output);
      if (bound) {
        clearTimeout(timer);
        resolve(Number(bound[1]));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the SMTP sink exited with ${code}: ${errors}\nif aiosmtpd is missing, run scripts/install-test-deps.sh`));
    });
  });
  const mails = () => {
    if (!existsSync(mailDir)) return [];
    return readdirSync(mailDir)
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => {
        const stem = name.slice(0, -'.json'.length);
        const envelope = JSON.parse(readFileSync(join(mailDir, name), 'utf8'));
        return { ...envelope, ...parseMail(readFileSync(join(mailDir, `${stem}.eml`), 'latin1')) };
      });
  };
  return {
    port,
    settings: {
      SHOPKEEP__SERVER__MAIL__HOST: '127.0.0.1',
      SHOPKEEP__SERVER__MAIL__PORT: String(port),
      SHOPKEEP__SERVER__MAIL__TLS: 'none',
      SHOPKEEP__SERVER__MAIL__FROM_ADDRESS: 'chat@northwind.test',
      SHOPKEEP__SERVER__MAIL__FROM_NAME: 'Northwind chat',
      // New mail is sent at once; the poll only matters for retries.
      SHOPKEEP__SERVER__MAIL__POLL_INTERVAL: '500',
    },
    mails,
    /** The first mail `match` accepts, once it has arrived. */
    async waitFor(match, what, timeout = WAIT) {
      let found;
      try {
        await eventually(() => (found = mails().find(match)) !== undefined, what, timeout);
      } catch (error) {
        const seen = mails().map((mail) => `${mail.rcpt_tos.join(', ')}: ${mail.subject}`);
        throw new Error(`${error.message}; the sink has ${seen.length ? seen.join(' | ') : 'no mail'}`);
      }
      return found;
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Headers (lower-case names, unfolded, encoded words decoded) and the body of a MIME entity. */
function parseEntity(raw) {
  const split = /\r?\n\r?\n/.exec(raw);
  const head = split ? raw.slice(0, split.index) : raw;
  const body = split ? raw.slice(split.index + split[0].length) : '';
  const headers = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 1) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers[name] ??= decodeWords(line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** RFC 2047 encoded words, as lettre writes non-ASCII subjects and names. */
function decodeWords(value) {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset, encoding, text) => {
      const bytes =
        encoding.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64')
          : Buffer.from(
              text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16))),
              'latin1',
            );
      return new TextDecoder(charset).decode(bytes);
    });
}

/** A part's body decoded from its transfer encoding and charset. */
function decodeBody(headers, body) {
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  let bytes;
  if (encoding === 'base64') bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  else if (encoding === 'quoted-printable') {
    bytes = Buffer.from(
      body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16))),
      'latin1',
    );
  } else bytes = Buffer.from(body, 'latin1');
  const charset = /charset="?([^";\s]+)"?/i.exec(headers['content-type'] ?? '')?.[1] ?? 'utf-8';
  return new TextDecoder(charset).decode(bytes);
}

/** The leaf parts of a MIME entity, each `{type, text}`. */
function leafParts(raw) {
  const { headers, body } = parseEntity(raw);
  const type = (headers['content-type'] ?? 'text/plain').split(';')[0].trim().toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'])[1];
    const escaped = boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pieces = body.split(new RegExp(`\\r?\\n?--${escaped}(?:--)?[ \\t]*(?:\\r?\\n|$)`));
    return pieces.slice(1, -1).flatMap(leafParts);
  }
  return [{ type, text: decodeBody(headers, body) }];
}

/** A received message: its headers, subject, and decoded text and HTML parts. */
export function parseMail(raw) {
  const { headers } = parseEntity(raw);
  const parts = leafParts(raw);
  return {
    raw,
    headers,
    subject: headers.subject ?? '',
    text: parts.find((part) => part.type === 'text/plain')?.text ?? '',
    html: parts.find((part) => part.type === 'text/html')?.text ?? '',
  };
}
