/**
 * A thread as plain, escaped HTML with schema.org Comment JSON-LD, for search engines and for
 * readers without JavaScript. A publisher puts it inside <taliq-comments>; the widget's shadow
 * root then takes the element over. Links become anchors only for http(s) URLs.
 */
import type { ListedComment as StoredComment, Thread } from './store/store.js';
import { splitLinks } from '../../shared/src/links.js';
import { paragraphs, textDirection } from '../../shared/src/direction.js';

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => ESC[ch]);

/** Text as HTML: escaped, newlines as <br>, http(s) URLs as nofollow anchors. */
export function textToHtml(text: string): string {
  return splitLinks(text)
    .map((p) => {
      if (!p.url) return escapeHtml(p.text!);
      const url = escapeHtml(p.url);
      return `<a href="${url}" rel="nofollow ugc noopener" target="_blank">${url}</a>`;
    })
    .join('')
    .replace(/\n/g, '<br>');
}

/** ` dir="rtl"` or ` dir="ltr"` by the majority of the text's letters; nothing (the page's direction) without a majority. */
const dirAttr = (text: string, dir = textDirection(text)) => (dir ? ` dir="${dir}"` : '');

/** A comment's body as one <p> per paragraph (line), each with its own direction. */
export const bodyHtml = (body: string) => paragraphs(body).map((p) => `<p${dirAttr(p.text, p.dir)}>${textToHtml(p.text)}</p>`).join('');

/** JSON inside <script>: `<` escaped so no text can close the element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

/** Where the replies left out of the page go on: how many, and the absolute URL of their HTML page. */
export type MoreLinks = Record<string, { count: number; href: string }>;

export function renderThreadHtml(thread: Thread | null, key: string, top: StoredComment[], replies: StoredComment[], more: MoreLinks = {}): string {
  const iso = (ms: number) => new Date(ms).toISOString();
  const byRoot = new Map<string, StoredComment[]>();
  for (const r of replies) byRoot.set(r.rootId!, [...(byRoot.get(r.rootId!) ?? []), r]);
  const base = thread?.url ?? '';
  const item = (c: StoredComment) =>
    `<article id="taliq-${escapeHtml(c.id)}"><p><b><bdi${dirAttr(c.authorName)}>${escapeHtml(c.authorName)}</bdi></b> <time datetime="${iso(c.createdAt)}">${iso(c.createdAt).slice(0, 10)}</time></p>${bodyHtml(c.body)}</article>`;
  const list = top
    .map((c) => {
      const rs = byRoot.get(c.id) ?? [];
      const rest = more[c.id];
      // Arabic first, as the widget: the page has no other words of its own.
      const link = rest ? `<p><a href="${escapeHtml(rest.href)}" rel="next" lang="ar">المزيد من الردود (${rest.count})</a></p>` : '';
      return `<li>${item(c)}${rs.length ? `<ol>${rs.map((r) => `<li>${item(r)}</li>`).join('')}</ol>` : ''}${link}</li>`;
    })
    .join('');
  const ld = {
    '@context': 'https://schema.org',
    '@graph': [...top, ...replies].map((c) => ({
      '@type': 'Comment',
      '@id': `${base}#taliq-${c.id}`,
      ...(base ? { about: base } : {}),
      text: c.body,
      dateCreated: iso(c.createdAt),
      ...(c.editedAt ? { dateModified: iso(c.editedAt) } : {}),
      author: { '@type': 'Person', name: c.authorName },
      upvoteCount: c.likes,
      downvoteCount: c.dislikes,
      ...(c.parentId ? { parentItem: { '@id': `${base}#taliq-${c.parentId}` } } : {}),
    })),
  };
  return `<section class="taliq-static" data-thread="${escapeHtml(key)}"><ol>${list}</ol><script type="application/ld+json">${scriptJson(ld)}</script></section>\n`;
}
