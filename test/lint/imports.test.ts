/**
 * Lint step for the direction of imports between the browser packages (decision 0015): the widget
 * and the dashboard share code only through packages/ui (and packages/shared), never by reaching
 * into each other's sources, and ui imports neither of them. Each finding is file: specifier.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGES = join(ROOT, 'packages');

/** Which packages each one may not import from. */
const FORBIDDEN: Record<string, string[]> = {
  widget: ['dashboard', 'server'],
  dashboard: ['widget', 'server'],
  ui: ['widget', 'dashboard', 'server'],
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : /\.ts$/.test(name) ? [path] : [];
  });
}

/** The relative specifiers a file imports, re-exports or imports on demand. */
export function specifiers(source: string): string[] {
  return [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm)].map((m) => m[2]);
}

/** Imports from `pkg`'s sources into a package it must not depend on, as "file: specifier". */
export function crossings(pkg: string): string[] {
  const out: string[] = [];
  for (const file of walk(join(PACKAGES, pkg, 'src'))) {
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      const target = relative(PACKAGES, resolve(dirname(file), spec)).split(sep)[0];
      if (FORBIDDEN[pkg].includes(target)) out.push(`${relative(ROOT, file)}: ${spec}`);
    }
  }
  return out;
}

for (const pkg of Object.keys(FORBIDDEN)) {
  test(`packages/${pkg} imports nothing from ${FORBIDDEN[pkg].join(', ')}`, () => {
    assert.deepEqual(crossings(pkg), []);
  });
}

test('the import reader sees static, re-exported and on-demand imports', () => {
  const source = [
    `import { define } from '../../widget/src/define.js';`,
    `import type { Me } from "./api-client.js";`,
    `export { ApiError } from '../../ui/src/api-error.js';`,
    `const pow = await import('./pow.js');`,
    `import './side-effect.js';`,
    `import { css } from 'lit';`,
  ].join('\n');
  assert.deepEqual(specifiers(source), ['../../widget/src/define.js', './api-client.js', '../../ui/src/api-error.js', './pow.js', './side-effect.js']);
});
