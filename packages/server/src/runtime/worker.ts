/**
 * The Cloudflare Workers entry: the same app as on Node, with D1 as the store, Durable Objects for
 * rate limits (RateLimits) and live updates (ThreadEvents), the bundles embedded, and a cron
 * trigger for maintenance. Built to dist/worker/index.js (rollup.config.mjs); see
 * docs/deploy-workers.md.
 */
import { appFor } from './worker/app-for-env.js';
import { runScheduled } from './worker/cron.js';
import type { Env } from './worker/env.js';

export { RateLimits } from './worker/rate-limits.js';
export { ThreadEvents } from './worker/thread-events.js';

export default {
  async fetch(request, env, ctx) {
    let built;
    try {
      built = await appFor(env);
    } catch (e) {
      // A bad TALIQ_SECRET or an unreachable D1: say so in the logs, answer the error envelope.
      console.error('taliq: the Worker could not start', e);
      return Response.json({ error: { code: 'internal', message: 'The server could not start; its logs say why' } }, { status: 500 });
    }
    return built.app.fetch(request, env, ctx);
  },

  scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
