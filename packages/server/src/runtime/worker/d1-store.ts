/**
 * The isolate's store over the D1 binding, opened (and migrated) once and shared by the app and
 * the Durable Objects that run in this isolate. A failed open is not kept: the next call retries.
 */
import { openD1Store } from '../../store/d1.js';
import type { Store } from '../../store/store.js';

let opened: Store | undefined;

/** Not a shared promise: what one request started, another must not await (see app-for-env.ts). */
export async function storeFor(db: D1Database): Promise<Store> {
  if (opened) return opened;
  const store = await openD1Store(db);
  opened ??= store;
  return opened;
}
