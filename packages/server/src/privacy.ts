/**
 * A reader's access and erasure requests (law 09-08, GDPR), by the email they wrote with, on
 * every site: for `taliq privacy export|erase` on the local store and for the operator routes.
 */
import type { PrivacyErased, PrivacyExport } from '../../shared/src/operator.js';
import type { Store } from './store/store.js';

const iso = (ms: number) => new Date(ms).toISOString();

export async function exportByEmail(store: Store, email: string, now: number): Promise<PrivacyExport> {
  const comments = await store.commentsByEmail(email);
  return {
    email,
    exportedAt: iso(now),
    comments: comments.map((c) => ({
      site: c.siteId, thread: c.threadKey, id: c.id, name: c.authorName, email: c.authorEmail, body: c.body, status: c.status,
      createdAt: iso(c.createdAt), editedAt: c.editedAt ? iso(c.editedAt) : null,
    })),
  };
}

/** Erases, and writes one audit entry per site saying how many comments, not whose. */
export async function eraseByEmail(store: Store, email: string, actor: string, now: () => number): Promise<PrivacyErased> {
  const erased = await store.eraseByEmail(email, now());
  for (const site of new Set(erased.map((e) => e.siteId))) {
    await store.addAudit({ siteId: site, actor, action: 'privacy.erase', target: null, before: null, after: { comments: erased.filter((e) => e.siteId === site).length }, at: now() });
  }
  return { erased: erased.length };
}
