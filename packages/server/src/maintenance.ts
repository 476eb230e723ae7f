/** Periodic work every runtime schedules: Node on a timer, Workers from a cron trigger. */
import type { Store } from './store/store.js';

/** IP hashes are kept on comments for 30 days, long enough to ban from a fresh comment. */
export const IP_HASH_RETENTION_MS = 30 * 24 * 3600 * 1000;

export const purgeOldIpHashes = (store: Store, now: number) => store.purgeIpHashes(now - IP_HASH_RETENTION_MS);
