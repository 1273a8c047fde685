// Builds the chat panel (the loader's build is the second step in scripts/build.mjs)
// and configures the unit tests.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    // Public class fields and friends, as written; every browser with Shadow DOM and
    // dynamic import across origins has them.
    target: 'es2022',
    // One self-contained module: nothing to preload, nothing else to fetch cross-origin.
    modulePreload: false,
    rolldownOptions: {
      input: 'src/panel/index.tsx',
      // Keep `mount` exported: the loader imports it.
      preserveEntrySignatures: 'strict',
      output: { entryFileNames: 'assets/panel-[hash].js' },
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['test/**/*.test.{ts,tsx}'],
    setupFiles: ['test/setup.ts'],
    restoreMocks: true,
    unstubGlobals: true,
  },
});
