/**
 * The removal register as CSV: one row per rejection, spam decision or author deletion, with the
 * text as it was. UTF-8 with a BOM so spreadsheet programs read Arabic right; cells that a
 * spreadsheet would run as a formula are prefixed with a quote.
 */
import type { Removal } from './store/store.js';

const HEADER = ['removed_at', 'status', 'reason_codes', 'reason', 'moderator', 'comment_id', 'created_at', 'thread_key', 'thread_title', 'thread_url', 'author_name', 'reader_id', 'body'];

export function csvCell(value: string | null): string {
  let v = value ?? '';
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function removalsCsv(rows: Removal[]): string {
  const iso = (ms: number) => new Date(ms).toISOString();
  const lines = rows.map((r) =>
    [iso(r.at), r.status, r.codes.join(' '), r.reason, r.moderator, r.commentId, iso(r.createdAt), r.threadKey, r.threadTitle, r.threadUrl, r.authorName, r.readerId, r.body]
      .map(csvCell)
      .join(','),
  );
  return '\uFEFF' + [HEADER.join(','), ...lines].join('\r\n') + '\r\n';
}
