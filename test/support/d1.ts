/**
 * Real D1 databases for tests: workerd through Miniflare, its local D1, one database per binding.
 *
 * Reached from Node in one round trip per call: the statements go to a small Worker that runs
 * them on its own D1 binding exactly as the store asked (prepare, bind, then all or batch), so
 * D1's SQL, its types and its batch atomicity are D1's own. Miniflare's getD1Database() would do
 * the same in three hops per call (prepare, bind and all are each proxied), which made the store
 * contract three times slower on this 2-core machine.
 */
import { Miniflare } from 'miniflare';
import type { D1Like, D1StatementLike } from '../../packages/server/src/store/d1.js';
import type { Row } from '../../packages/server/src/store/rows.js';

const WORKER = `export default { async fetch(req, env) {
  const { binding, op, statements } = await req.json();
  try {
    const db = env[binding];
    const prepared = statements.map((s) => db.prepare(s.sql).bind(...s.params));
    const out = op === 'all'
      ? (await prepared[0].all()).results
      : (await db.batch(prepared)).map((r) => ({ meta: { changes: r.meta.changes } }));
    return Response.json({ out });
  } catch (e) {
    return Response.json({ error: String((e && e.message) || e) });
  }
} }`;

interface Wire { sql: string; params: unknown[] }

class Statement implements D1StatementLike {
  constructor(private readonly db: TestD1, readonly wire: Wire) {}
  bind(...values: unknown[]) {
    return new Statement(this.db, { sql: this.wire.sql, params: values });
  }
  async all() {
    return { results: (await this.db.send('all', [this.wire])) as Row[] };
  }
}

class TestD1 implements D1Like {
  constructor(private readonly mf: Miniflare, private readonly binding: string) {}
  prepare(sql: string) {
    return new Statement(this, { sql, params: [] });
  }
  async batch(statements: D1StatementLike[]) {
    return (await this.send('batch', statements.map((s) => (s as Statement).wire))) as { meta: { changes: number } }[];
  }
  async send(op: 'all' | 'batch', statements: Wire[]): Promise<unknown> {
    const res = await this.mf.dispatchFetch('http://d1.test/', { method: 'POST', body: JSON.stringify({ binding: this.binding, op, statements }) });
    const { out, error } = (await res.json()) as { out?: unknown; error?: string };
    if (error !== undefined) throw new Error(error);
    return out;
  }
}

/** Fresh, empty D1 databases; `count` are declared up front (a new binding would restart workerd). */
export function d1Databases(count: number) {
  const names = Array.from({ length: count }, (_, i) => `DB${i}`);
  let mf: Miniflare | undefined;
  let used = 0;
  return {
    /** The next fresh database; after `count` of them, another workerd with `count` more. */
    async next(): Promise<D1Like> {
      if (!mf || used === count) {
        await mf?.dispose();
        mf = new Miniflare({ modules: true, script: WORKER, d1Databases: names });
        await mf.ready;
        used = 0;
      }
      return new TestD1(mf, names[used++]);
    },
    dispose: async () => {
      await mf?.dispose();
      mf = undefined;
    },
  };
}
