// What the widget costs a shop page, in headless Chromium: main-thread task time
// (the renderer's TaskDuration from the DevTools protocol; and, from a performance
// trace, the main-thread time in the widget's own scripts) and bytes transferred
// until the page is idle and ready for a first interaction, on the demo shop with
// the loader and with the loader's request blocked. Loads alternate, the median of
// each is written as JSON.
//
//   node scripts/bench/widget.mjs --bin target/release/shopkeep --out target/bench/widget.json [--runs 7]
import { spawn, execSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(new URL('../../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const bin = arg('bin', 'target/release/shopkeep');
const out = arg('out', 'target/bench/widget.json');
const runs = Number(arg('runs', '7'));
// Quiet time after load before the page counts as ready for a first interaction.
const SETTLE_MS = 1500;

function startShopkeep() {
  const dir = mkdtempSync(join(tmpdir(), 'shopkeep-widget-'));
  const child = spawn(bin, ['serve', '--demo'], {
    env: { ...process.env, SHOPKEEP__LISTEN: '127.0.0.1:0', SHOPKEEP__DATA_DIR: dir, SHOPKEEP__LOG__LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('shopkeep did not start')), 30_000);
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const demo = text.match(/Demo shop:\s+(\S+)/);
      if (demo) {
        clearTimeout(timer);
        resolve({ demo: demo[1], stop: () => { child.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }); } });
      }
    });
    child.on('exit', (code) => reject(new Error(`shopkeep exited with ${code}`)));
  });
}

// Trace events in which the renderer runs a script: compiling, evaluating, and
// calling into it (timers, socket and DOM event handlers).
const SCRIPT_EVENTS = new Set(['EvaluateScript', 'v8.compile', 'v8.compileModule', 'v8.evaluateModule',
  'FunctionCall', 'TimerFire', 'FireAnimationFrame', 'EventDispatch']);

// Main-thread time spent in the widget's own scripts (URLs under `/widget/`),
// from a performance trace: the renderer main thread's script events, their
// intervals merged so nested events count once.
function widgetScriptMs(trace) {
  const events = JSON.parse(trace.toString()).traceEvents;
  const main = new Set(events
    .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
    .map((e) => `${e.pid}:${e.tid}`));
  const urlOf = (e) => e.args?.data?.url || e.args?.data?.scriptName || e.args?.fileName || e.args?.data?.stackTrace?.[0]?.url || '';
  const spans = events
    .filter((e) => e.ph === 'X' && SCRIPT_EVENTS.has(e.name) && main.has(`${e.pid}:${e.tid}`))
    .filter((e) => urlOf(e).includes('/widget/'))
    .map((e) => [e.ts, e.ts + (e.dur || 0)])
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  for (const [from, to] of spans) {
    if (to <= end) continue;
    total += to - Math.max(from, end);
    end = to;
  }
  return total / 1000;
}

async function load(browser, url, withWidget) {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (withWidget) {
    await browser.startTracing(page, { categories: ['devtools.timeline', 'v8', 'v8.execute', 'disabled-by-default-devtools.timeline'] });
  }
  if (!withWidget) await page.route('**/widget/loader.js', (route) => route.abort());
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Performance.enable');
  let bytes = 0;
  let loader = 0;
  const urls = new Map();
  cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, e.response.url));
  cdp.on('Network.loadingFinished', (e) => {
    bytes += e.encodedDataLength;
    if ((urls.get(e.requestId) || '').endsWith('/widget/loader.js')) loader = e.encodedDataLength;
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForTimeout(SETTLE_MS);
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name) => metrics.find((m) => m.name === name)?.value ?? NaN;
  const result = { mainThreadMs: metric('TaskDuration') * 1000, scriptMs: metric('ScriptDuration') * 1000, bytes, loader };
  if (withWidget) result.widgetScriptMs = widgetScriptMs(await browser.stopTracing());
  await context.close();
  return result;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const executablePath = execSync('command -v chromium', { shell: '/bin/sh' }).toString().trim();
const server = await startShopkeep();
const browser = await chromium.launch({
  executablePath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const withWidget = [];
  const without = [];
  // One warm-up of each, not counted: the first load pays for the browser's own start.
  await load(browser, server.demo, true);
  await load(browser, server.demo, false);
  for (let i = 0; i < runs; i++) {
    withWidget.push(await load(browser, server.demo, true));
    without.push(await load(browser, server.demo, false));
  }
  const result = {
    browser: `Chromium ${browser.version()}`,
    runs,
    main_thread_ms_with: median(withWidget.map((r) => r.mainThreadMs)),
    main_thread_ms_without: median(without.map((r) => r.mainThreadMs)),
    script_ms_with: median(withWidget.map((r) => r.scriptMs)),
    script_ms_without: median(without.map((r) => r.scriptMs)),
    widget_script_ms: median(withWidget.map((r) => r.widgetScriptMs)),
    bytes_with: median(withWidget.map((r) => r.bytes)),
    bytes_without: median(without.map((r) => r.bytes)),
    loader_bytes: median(withWidget.map((r) => r.loader)),
  };
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  server.stop();
}
