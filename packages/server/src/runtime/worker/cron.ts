/**
 * The cron trigger's work (wrangler.jsonc: every five minutes): drain the webhook outbox, and
 * once a day, on the run at 00:00 UTC, forget IP hashes older than 30 days as Node does.
 */
import { purgeOldIpHashes } from '../../maintenance.js';
import type { Env } from './env.js';
import { appFor } from './app-for-env.js';

const DAY_MS = 24 * 3600 * 1000;
/** The cron's period: the one run that falls in the first period of a UTC day purges. */
const PERIOD_MS = 5 * 60 * 1000;

export const isDailyRun = (scheduledTime: number) => scheduledTime % DAY_MS < PERIOD_MS;

export async function runScheduled(env: Env, scheduledTime: number) {
  const { store } = await appFor(env);
  if (isDailyRun(scheduledTime)) {
    const purged = await purgeOldIpHashes(store, scheduledTime);
    console.log(`taliq: forgot the IP hashes of ${purged} comments older than 30 days`);
  }
  // OUTBOX (lead, main): `await drainOutbox(services)` from ../../webhook.js, with
  // `const { store, services } = await appFor(env)` above, once main exports it.
}
