// Starts the real shopkeep binary on a fresh data directory and a loopback port,
// and Debian's Chromium through playwright-core (browsers cannot be downloaded here).
import { execFileSync, execSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
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
 * Starts `shopkeep serve --demo` with one member of staff, `operator`, in `role`;
 * `settings` adds `SHOPKEEP__…` variables.
 */
export async function startShopkeep({ settings = {}, role = 'operator' } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'shopkeep-e2e-'));
  const env = {
    ...process.env,
    SHOPKEEP__DATA_DIR: dataDir,
    SHOPKEEP__LISTEN: '127.0.0.1:0',
    SHOPKEEP__SERVER__PRESENCE_GRACE: '0',
    RUST_LOG: process.env.TEST_LOG ? 'debug' : 'warn',
    ...settings,
  };
  execFileSync(binary, ['user', 'add', '--email', operator.email, '--name', operator.name, '--role', role, '--password-stdin'], {
    env,
    input: `${operator.password}\n`,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
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

export async function logIn(page, base) {
  await page.goto(`${base}/console/`);
  await page.getByLabel('Email').fill(operator.email);
  await page.getByLabel('Password').fill(operator.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByLabel('Status').waitFor({ timeout: WAIT });
}

export async function setStatus(page, status) {
  await page.getByLabel('Status').selectOption(status);
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
