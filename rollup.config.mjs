// Three kinds of build from one config:
// - the browser bundles (dist/taliq.js and the modules it fetches, the dashboard): minified ES
//   modules with Lit inside, served at /taliq.js and so on;
// - the server (Node runtime entry and CLI) as plain ES modules under dist/server, dependencies
//   left external (they are installed next to it);
// - the Cloudflare Worker dist/worker/index.js: one ES module for workerd with every dependency
//   and the browser bundles inside (decision 0008). It comes last: rollup builds the list in
//   order, so the bundles it embeds are fresh.
import typescript from '@rollup/plugin-typescript';
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const external = [...Object.keys(pkg.dependencies ?? {})];
const ts = () =>
  typescript({
    tsconfig: './tsconfig.json',
    include: ['packages/**/*.ts'],
    compilerOptions: { noEmit: false, declaration: false, sourceMap: false },
    noEmitOnError: true,
  });

/** A browser bundle: everything inlined, minified, modern syntax only. */
const browserBundle = (input, file) => ({
  input,
  output: { file, format: 'es', sourcemap: false },
  plugins: [
    resolve({ browser: true, exportConditions: ['production'] }),
    ts(),
    terser({ ecma: 2022, module: true, compress: { passes: 3 }, format: { comments: false } }),
  ],
});

/** Workers have no Node builtins here (no nodejs_compat): any import of one fails the build. */
const noNodeBuiltins = () => ({
  name: 'no-node-builtins',
  resolveId(id, importer) {
    if (id.startsWith('cloudflare:')) return { id, external: true };
    if (id.startsWith('node:') || builtinModules.includes(id)) {
      this.error(`${id}, imported by ${importer}, is a Node builtin: the Worker bundle cannot use it (keep node: imports out of the app code)`);
    }
    return null;
  },
});

// The files the Worker serves, as static-routes.ts names them (STATIC_SOURCES there).
const STATIC_FILES = {
  'taliq.js': ['dist/taliq.js', 'text/javascript; charset=utf-8'],
  'taliq-fr.js': ['dist/taliq-fr.js', 'text/javascript; charset=utf-8'],
  'taliq-en.js': ['dist/taliq-en.js', 'text/javascript; charset=utf-8'],
  'taliq-count.js': ['dist/taliq-count.js', 'text/javascript; charset=utf-8'],
  'taliq-pow.js': ['dist/taliq-pow.js', 'text/javascript; charset=utf-8'],
  'taliq-live.js': ['dist/taliq-live.js', 'text/javascript; charset=utf-8'],
  'taliq-moderation.js': ['dist/taliq-moderation.js', 'text/javascript; charset=utf-8'],
  'admin.html': ['packages/dashboard/index.html', 'text/html; charset=utf-8'],
  'demo.html': ['examples/news-article/index.html', 'text/html; charset=utf-8'],
  'article.css': ['examples/news-article/article.css', 'text/css; charset=utf-8'],
};

/** `import files from 'taliq:static-files'`: each file's bytes (base64) and type, read at build time. */
const embedStaticFiles = () => ({
  name: 'embed-static-files',
  resolveId: (id) => (id === 'taliq:static-files' ? '\0taliq:static-files' : null),
  load(id) {
    if (id !== '\0taliq:static-files') return null;
    const files = {};
    for (const [name, [path, type]] of Object.entries(STATIC_FILES)) {
      if (!existsSync(path)) this.error(`${path} is missing: the browser bundles are built before the Worker`);
      this.addWatchFile(path);
      files[name] = { base64: readFileSync(path).toString('base64'), type };
    }
    return `export default ${JSON.stringify(files)};`;
  },
});

export default [
  browserBundle('packages/widget/src/index.ts', 'dist/taliq.js'),
  // French and English words, fetched by the widget only when a page asks for that language.
  browserBundle('packages/widget/src/i18n/fr.ts', 'dist/taliq-fr.js'),
  browserBundle('packages/widget/src/i18n/en.ts', 'dist/taliq-en.js'),
  // <taliq-count>, fetched by taliq.js only on pages that show counts; and the proof-of-work solver.
  browserBundle('packages/widget/src/count.ts', 'dist/taliq-count.js'),
  browserBundle('packages/widget/src/pow.ts', 'dist/taliq-pow.js'),
  // Live updates, fetched by taliq.js once a thread is shown.
  browserBundle('packages/widget/src/taliq-live.ts', 'dist/taliq-live.js'),
  // The moderation dashboard is its own bundle: readers never download it.
  browserBundle('packages/dashboard/src/index.ts', 'dist/taliq-moderation.js'),
  {
    input: {
      cli: 'packages/server/src/cli.ts',
    },
    output: { dir: 'dist/server', format: 'es', sourcemap: false, chunkFileNames: '[name].js' },
    external: (id) => id.startsWith('node:') || external.some((d) => id === d || id.startsWith(d + '/')),
    plugins: [resolve({ preferBuiltins: true }), ts()],
  },
  {
    input: 'packages/server/src/runtime/worker.ts',
    output: { file: 'dist/worker/index.js', format: 'es', sourcemap: false, inlineDynamicImports: true },
    plugins: [
      noNodeBuiltins(),
      embedStaticFiles(),
      resolve({ exportConditions: ['workerd', 'worker'], preferBuiltins: false }),
      typescript({
        tsconfig: './tsconfig.worker.json',
        include: ['packages/**/*.ts'],
        compilerOptions: { noEmit: false, declaration: false, sourceMap: false },
        noEmitOnError: true,
      }),
    ],
  },
];
