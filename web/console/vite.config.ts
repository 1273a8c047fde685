import { loadEnv } from 'vite';
import { defineConfig } from 'vitest/config';

export default defineConfig(({ mode }) => {
  // `npm run dev` proxies the API and the agent socket to a running `shopkeep serve`.
  // The server accepts only its own Origin on mutations and on the socket upgrade,
  // so the proxy presents that origin instead of the dev server's.
  const server = loadEnv(mode, '.', 'SHOPKEEP_').SHOPKEEP_URL ?? 'http://127.0.0.1:8080';
  const proxied = { target: server, changeOrigin: true, headers: { origin: server } };

  const base = '/console/';
  return {
    base,
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
    server: {
      proxy: {
        '/api': proxied,
        '/v1/agent': { ...proxied, ws: true },
      },
    },
    test: {
      environment: 'happy-dom',
      include: ['src/**/*.test.{ts,tsx}'],
      restoreMocks: true,
      // Vitest serves from `/`; the app's routes are relative to the base it is built for.
      env: { BASE_URL: base },
    },
  };
});
