/** The demo site behind `npm start`: registered for the local page, with a fresh moderator token. */
import { DEFAULT_SETTINGS } from '../../shared/src/index.js';
import { createModeratorToken } from './moderators.js';
import type { Store } from './store/store.js';

export async function ensureDemo(store: Store, port: number) {
  const origins = [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
  const site = await store.getSite('demo');
  if (!site) await store.createSite('demo', { ...DEFAULT_SETTINGS, origins, moderation: 'pre' });
  else if (origins.some((o) => !site.settings.origins.includes(o))) {
    await store.updateSiteSettings('demo', { ...site.settings, origins: [...new Set([...site.settings.origins, ...origins])] });
  }
  // One live demo token at a time: the one printed now.
  for (const t of await store.listTokens('demo')) if (t.label === 'demo' && !t.revokedAt) await store.revokeToken(t.id, Date.now());
  return createModeratorToken({ store, now: Date.now }, 'demo', 'demo');
}
