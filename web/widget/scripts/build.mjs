// Builds the widget in two steps: the chat panel first, under a content-hashed name,
// then the loader with that name baked in, so a new panel never meets a stale loader.
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

const panel = await build({ root, logLevel: 'warn' });
const entry = [panel]
  .flat()
  .flatMap((result) => result.output)
  .find((file) => file.type === 'chunk' && file.isEntry);
if (!entry) throw new Error('the panel build produced no entry chunk');

await build({
  root,
  configFile: false,
  logLevel: 'warn',
  // The server serves dist/ at /widget/.
  define: { __PANEL_PATH__: JSON.stringify(`/widget/${entry.fileName}`) },
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2020',
    lib: { entry: 'src/loader.ts', formats: ['iife'], name: 'Shopkeep', fileName: () => 'loader.js' },
  },
});

console.log(`built dist/loader.js and dist/${entry.fileName}`);
