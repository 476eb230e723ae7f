/**
 * The cron trigger's work (wrangler.jsonc: every five minutes): send the webhook deliveries that
 * are due, and once a day, on the run at 00:00 UTC, forget IP hashes past their 30 days as Node
 * does on its daily timer.
 */
import type { Env } from './env.js';
import { appFor } from './app-for-env.js';

const DAY_MS = 24 * 3600 * 1000;
/** The cron's period: of the runs of a UTC day, only the one in its first period purges. */
const PERIOD_MS = 5 * 60 * 1000;

export const isDailyRun = (scheduledTime: number) => scheduledTime % DAY_MS < PERIOD_MS;

export async function runScheduled(env: Env, scheduledTime: number) {
  const { app } = await appFor(env);
  // Both run even when one fails; a failure fails the invocation, so it shows in the logs.
  const results = await Promise.allSettled([
    app.work.drainWebhooks(),
    isDailyRun(scheduledTime) ? app.work.purgeIpHashes() : Promise.resolve(0),
  ]);
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length) throw new AggregateError(failed.map((r) => r.reason), 'taliq: scheduled work failed');
}
