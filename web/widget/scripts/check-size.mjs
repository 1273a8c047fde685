// Size budget of the widget, checked after `npm run build`: the loader is on every page
// of every shop, the launcher's other languages with it for visitors who read them, the
// panel on every first open. Sizes are gzip -9, as the server sends them.
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url);
const gz = (url) => gzipSync(readFileSync(url), { level: 9 }).length;
const assets = (pattern) =>
  readdirSync(new URL('assets/', dist))
    .filter((file) => pattern.test(file))
    .map((file) => `assets/${file}`);

const budgets = [
  { name: 'loader', limit: 3 * 1024, files: ['loader.js'] },
  { name: 'languages', limit: 512, files: assets(/^languages-.*\.js$/) },
  { name: 'panel', limit: 35 * 1024, files: assets(/^(?!languages-).*\.(js|css)$/) },
];

let failed = false;
for (const { name, limit, files } of budgets) {
  if (files.length === 0) throw new Error(`no ${name} files in dist/: run the build first`);
  const size = files.reduce((sum, file) => sum + gz(new URL(file, dist)), 0);
  const over = size > limit;
  failed ||= over;
  console.log(`${over ? 'FAIL' : 'ok  '} ${name.padEnd(9)} ${String(size).padStart(6)} B gz / ${limit} B  (${files.join(', ')})`);
}
process.exitCode = failed ? 1 : 0;
