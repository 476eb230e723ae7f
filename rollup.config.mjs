// Two builds from one config:
// - the reader bundle dist/taliq.js: one minified ES module with Lit inside, served at /taliq.js;
// - the server (Node runtime entry and CLI) as plain ES modules under dist/server, dependencies
//   left external (they are installed next to it).
import typescript from '@rollup/plugin-typescript';
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { readFileSync } from 'node:fs';

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
    terser({ ecma: 2022, module: true, format: { comments: false } }),
  ],
});

export default [
  browserBundle('packages/widget/src/index.ts', 'dist/taliq.js'),
  // French and English words, fetched by the widget only when a page asks for that language.
  browserBundle('packages/widget/src/i18n/fr.ts', 'dist/taliq-fr.js'),
  browserBundle('packages/widget/src/i18n/en.ts', 'dist/taliq-en.js'),
  // <taliq-count>, fetched by taliq.js only on pages that show counts; and the proof-of-work solver.
  browserBundle('packages/widget/src/count.ts', 'dist/taliq-count.js'),
  browserBundle('packages/widget/src/pow.ts', 'dist/taliq-pow.js'),
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
];
