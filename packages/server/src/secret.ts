/**
 * The signing secret: TALIQ_SECRET when set, otherwise one generated on first start and kept in
 * the store, so receipts and edit tokens stay valid across restarts without any setup.
 */
import { randomId } from './crypto.js';
import type { Store } from './store/store.js';

export async function resolveSecret(store: Store, fromEnv: string | undefined): Promise<string> {
  if (fromEnv) {
    if (fromEnv.length < 32) throw new Error('TALIQ_SECRET must be at least 32 characters');
    return fromEnv;
  }
  return store.initMeta('secret', randomId(32));
}
