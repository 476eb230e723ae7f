// `npm run size`: the reader bundle's raw, gzip and brotli bytes against the budget.
// Prints the figures, writes bench/reports/size.json, and exits 1 over budget.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const BUDGET_GZIP = 18 * 1024;
const files = { 'dist/taliq.js': BUDGET_GZIP };
const report = { date: new Date().toISOString(), bundles: [] };
let over = false;

for (const [file, budget] of Object.entries(files)) {
  if (!existsSync(file)) {
    console.error(`${file} is missing: run npm run build`);
    process.exit(1);
  }
  const raw = readFileSync(file);
  const gzip = gzipSync(raw, { level: 9 }).length;
  const brotli = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  const ok = gzip <= budget;
  over ||= !ok;
  report.bundles.push({ file, raw: raw.length, gzip, brotli, budgetGzip: budget, ok });
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  console.log(`${file}: raw ${kb(raw.length)}, gzip ${kb(gzip)}, brotli ${kb(brotli)} (budget ${kb(budget)} gzip) ${ok ? 'OK' : 'OVER BUDGET'}`);
}
mkdirSync('bench/reports', { recursive: true });
writeFileSync('bench/reports/size.json', JSON.stringify(report, null, 2) + '\n');
process.exit(over ? 1 : 0);
