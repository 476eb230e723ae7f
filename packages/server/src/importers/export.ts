/**
 * `taliq export`: a site's threads and comments as one JSON document, every status, with the
 * authors' emails (a moderator's view), for backups and migrations. Reader ids and IP hashes are
 * left out: they are keyed with this server's secret and mean nothing elsewhere. Comments come
 * oldest first, every parent before its replies.
 */
import type { Store } from '../store/store.js';

const iso = (ms: number | null) => (ms == null ? null : new Date(ms).toISOString());

export async function exportSite(store: Store, siteId: string, now = Date.now()) {
  const { threads, comments } = await store.exportSite(siteId);
  const keys = new Map(threads.map((t) => [t.id, t.key]));
  const byId = new Map(comments.map((c) => [c.id, c]));
  const ordered: typeof comments = [];
  const placed = new Set<string>();
  const place = (c: (typeof comments)[number], depth = 0) => {
    if (placed.has(c.id)) return;
    placed.add(c.id);
    const parent = c.parentId ? byId.get(c.parentId) : undefined;
    if (parent && depth < 1000) place(parent, depth + 1);
    ordered.push(c);
  };
  for (const c of comments) place(c);
  return {
    format: 'taliq-export',
    version: 1,
    site: siteId,
    exportedAt: iso(now),
    threads: threads.map((t) => ({ key: t.key, title: t.title, url: t.url, mode: t.mode, createdAt: iso(t.createdAt) })),
    comments: ordered.map((c) => ({
      id: c.id,
      thread: keys.get(c.threadId) ?? null,
      parentId: c.parentId,
      rootId: c.rootId,
      author: { name: c.authorName, email: c.authorEmail, verified: c.verified },
      body: c.body,
      status: c.status,
      reasons: c.reasons,
      flagged: c.flagged,
      createdAt: iso(c.createdAt),
      editedAt: iso(c.editedAt),
      likes: c.likes,
      dislikes: c.dislikes,
      reports: c.reports,
    })),
  };
}
