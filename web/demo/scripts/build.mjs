// Builds the demo shop into dist/, which the Shopkeep server embeds and
// serves under /demo/. The pages are plain static HTML; the server replaces
// the snippet marker in each page with the demo site's embed snippet.

import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SNIPPET_MARKER = '<!--shopkeep-snippet-->';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = path.join(root, 'src');
const distDir = path.join(root, 'dist');
const require = createRequire(import.meta.url);
const bootstrapCss = require.resolve('bootstrap/dist/css/bootstrap.min.css');

const problems = [];

/** Checks the rules every demo page must follow; collects problems. */
function checkPage(name, html) {
  const markers = html.split(SNIPPET_MARKER).length - 1;
  if (markers !== 1) problems.push(`${name}: expected exactly one ${SNIPPET_MARKER}, found ${markers}`);
  else if (!new RegExp(`${SNIPPET_MARKER}\\s*</body>`).test(html)) {
    problems.push(`${name}: ${SNIPPET_MARKER} must come just before </body>`);
  }
  if (!/<html lang="[a-z]{2}(-[A-Za-z]{2})?">/.test(html)) problems.push(`${name}: <html> needs a lang attribute`);
  // The signed-in customer is identified on every page, before the page's own scripts run.
  const session = html.indexOf('<script src="demo.js"></script>');
  if (session < 0 || session > html.indexOf('</head>')) problems.push(`${name}: load demo.js in <head>`);
  checkNoThirdParty(name, html);
}

/** Nothing on the demo pages may load from another host. */
function checkNoThirdParty(name, text) {
  const external = /(?:\b(?:src|href|action)\s*=\s*["']?|url\(\s*["']?|@import\s+["'])(?:[a-z][a-z0-9+.-]*:)?\/\//gi;
  for (const match of text.matchAll(external)) {
    const line = text.slice(0, match.index).split('\n').length;
    problems.push(`${name}:${line}: external URL (${match[0]}…)`);
  }
}

await rm(distDir, { recursive: true, force: true });
await mkdir(distDir, { recursive: true });

const written = [];
for (const entry of await readdir(srcDir, { withFileTypes: true })) {
  if (!entry.isFile()) continue;
  const from = path.join(srcDir, entry.name);
  const to = path.join(distDir, entry.name);
  if (entry.name.endsWith('.html')) {
    const html = await readFile(from, 'utf8');
    checkPage(entry.name, html);
    await writeFile(to, html);
  } else {
    if (/\.(css|js)$/.test(entry.name)) checkNoThirdParty(entry.name, await readFile(from, 'utf8'));
    await copyFile(from, to);
  }
  written.push(entry.name);
}

// Bootstrap's stylesheet, minus the source-map comment (the map isn't shipped).
const bootstrap = (await readFile(bootstrapCss, 'utf8')).replace(/\n?\/\*# sourceMappingURL=[^*]*\*\/\s*$/, '\n');
await writeFile(path.join(distDir, 'bootstrap.min.css'), bootstrap);
written.push('bootstrap.min.css');

for (const page of ['index.html', 'cart.html', 'ru.html', 'account.html', 'app.html', 'demo.js']) {
  if (!written.includes(page)) problems.push(`src/${page} is missing`);
}

if (problems.length > 0) {
  console.error(`demo build failed:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`demo: wrote ${written.sort().join(', ')} to ${path.relative(process.cwd(), distDir) || '.'}`);
