// Builds the widget in three steps: the chat panel and the launcher's other languages
// first, under content-hashed names, then the loader with those names baked in, so new
// modules never meet a stale loader.
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

const entryOf = (result) => {
  const entry = [result]
    .flat()
    .flatMap((output) => output.output)
    .find((file) => file.type === 'chunk' && file.isEntry);
  if (!entry) throw new Error('a module build produced no entry chunk');
  return entry.fileName;
};

// Lower-case hex in the \uXXXX escapes matches the rest of the code: 15 bytes less gzipped.
const lowerCaseEscapes = {
  name: 'lower-case-escapes',
  generateBundle(_, bundle) {
    for (const file of Object.values(bundle)) {
      if (file.type === 'chunk') file.code = file.code.replace(/\\u[0-9A-F]{4}/g, (escape) => escape.toLowerCase());
    }
  },
};

// ASCII only: the scripts then read the same whatever charset the shop's page has, and
// \uXXXX escapes of the catalogs compress better than their UTF-8 bytes.
const minify = { codegen: { asciiOnly: true } };

const panel = entryOf(await build({ root, logLevel: 'warn' }));

// Separate from the panel's build, so that the two share no chunk.
const languages = entryOf(
  await build({
    root,
    configFile: false,
    logLevel: 'warn',
    plugins: [lowerCaseEscapes],
    build: {
      outDir: 'dist',
      emptyOutDir: false,
      target: 'es2022',
      modulePreload: false,
      rolldownOptions: {
        input: 'src/loader/languages.ts',
        preserveEntrySignatures: 'strict',
        output: { entryFileNames: 'assets/languages-[hash].js', minify },
      },
    },
  }),
);

await build({
  root,
  configFile: false,
  logLevel: 'warn',
  // The server serves dist/ at /widget/.
  define: {
    __PANEL_PATH__: JSON.stringify(`/widget/${panel}`),
    __LANGUAGES_PATH__: JSON.stringify(`/widget/${languages}`),
  },
  plugins: [lowerCaseEscapes],
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2022',
    lib: { entry: 'src/loader.ts', formats: ['iife'], name: 'Shopkeep', fileName: () => 'loader.js' },
    rolldownOptions: { output: { minify } },
  },
});

console.log(`built dist/loader.js, dist/${panel} and dist/${languages}`);
