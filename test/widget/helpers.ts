/**
 * Browser-side helpers for the widget tests. They talk to the real API that
 * web-test-runner.config.mjs mounts on the test page's origin (see test/support/wtr-server.ts).
 */
import { fixture, html, waitUntil } from '@open-wc/testing';
import '../../packages/widget/src/index.js';
import type { TaliqComments } from '../../packages/widget/src/taliq-comments.js';

async function helper<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(`/__test/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`/__test/${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A fresh site whose registered origin is this page's, with the settings given. */
export const newSite = async (moderation: 'pre' | 'post' = 'pre', settings: Record<string, unknown> = {}) =>
  (await helper<{ site: string }>('sites', { moderation, settings })).site;

/** `n` approved top-level comments "تعليق رقم 1…n" (1 the oldest), each with `replies` approved replies. */
export const seed = async (site: string, thread: string, n: number, more: { replies?: number; body?: string; name?: string } = {}) =>
  (await helper<{ ids: string[] }>('seed', { site, thread, n, ...more })).ids;

export const approve = (...ids: string[]) => helper('approve', { ids });
/** Sets the status of comments as a moderator would (`rejected` takes an approved comment away). */
export const setStatus = (status: string, ...ids: string[]) => helper('status', { ids, status });
/** A publisher's sign-in token for a reader of `site`. */
export const ssoToken = async (site: string, name: string) => (await helper<{ token: string }>('sso-token', { site, name })).token;
/** Open live-update streams of a thread; `cut` cuts them, `refuse` refuses the next ones. */
export const streams = async (thread: string, o: { cut?: boolean; refuse?: number; status?: number; retryAfter?: number } = {}) =>
  (await helper<{ open: number }>('streams', { thread, ...o })).open;
/** Every live-update request made for a thread, as the server saw them (path and query). */
export const streamLog = (thread: string) => helper<{ open: number; urls: string[]; refusedAt: number[]; pageRequests: number }>('streams', { thread });
/** Waits until the element follows its thread's live updates. */
export const following = (thread: string) =>
  waitUntil(async () => (await streams(thread)) > 0, 'the live-update stream did not open', { timeout: 5000 });
/** Requests for counts the server had for a site. */
export const countRequests = async (site: string) => (await helper<{ requests: number }>('count-requests', { site })).requests;

/** Posts a comment through the API as another reader (no Origin: the thread must exist). */
export async function postAs(site: string, thread: string, name: string, body: string, parentId?: string) {
  const res = await fetch(`/api/v1/sites/${site}/threads/${encodeURIComponent(thread)}/comments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'taliq-reader': `other-reader-${Math.random().toString(36).slice(2, 12)}` },
    body: JSON.stringify({ author: { name }, body, ...(parentId ? { parentId } : {}) }),
  });
  if (res.status !== 201) throw new Error(`post: ${res.status} ${await res.text()}`);
  return (await res.json()) as { comment: { id: string; status: string }; editToken: string };
}

export interface MountOptions {
  thread?: string;
  lang?: string;
  api?: string;
  theme?: string;
  sort?: string;
  token?: string;
}

let threads = 0;
/** A thread key no other test uses. */
export const newThread = () => `article-${Date.now().toString(36)}-${++threads}`;

/** Puts a `<taliq-comments>` on the page and waits until its first page (or its error) is shown. */
export async function mount(site: string, o: MountOptions = {}): Promise<TaliqComments> {
  const el = await fixture<TaliqComments>(
    html`<taliq-comments
      site=${site}
      thread=${o.thread ?? 'article-1'}
      lang=${o.lang ?? 'ar'}
      api=${o.api ?? ''}
      theme=${o.theme ?? 'light'}
      sort=${o.sort ?? 'newest'}
      token=${o.token ?? ''}
    ></taliq-comments>`,
  );
  await settled(el);
  return el;
}

/** Waits until the list is loaded (or failed). */
export const settled = (el: TaliqComments) =>
  waitUntil(() => $(el, 'ol[part=list][aria-busy=false], [part=empty], [part~=retry]'), 'the list did not load', { timeout: 5000 });

export const $ = <T extends Element = HTMLElement>(el: TaliqComments, sel: string) => el.shadowRoot!.querySelector<T & Element>(sel) as T | null;
export const $$ = <T extends Element = HTMLElement>(el: TaliqComments, sel: string) => [...el.shadowRoot!.querySelectorAll<T & Element>(sel)] as T[];
/** An element's text on one line; a comment body's paragraphs (one <p> per line) are read as lines. */
export const text = (el: Element | null | undefined) =>
  (el?.querySelector(':scope > p') ? [...el.querySelectorAll(':scope > p')].map((p) => p.textContent).join('\n') : el?.textContent ?? '').replace(/\s+/g, ' ').trim();

/** Top-level comments' bodies, in the order shown. */
export const bodies = (el: TaliqComments) => $$(el, 'ol[part=list] > li > [part~=comment] [part=body]').map(text);

/** Types into a field the way a reader does: value, then an input event. */
export async function type(el: TaliqComments, sel: string, value: string) {
  const field = $<HTMLInputElement | HTMLTextAreaElement>(el, sel)!;
  field.value = value;
  field.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
  await el.updateComplete;
}

/** Fills the form and presses the send button. */
export async function send(el: TaliqComments, name: string, body: string) {
  await type(el, '#name', name);
  await type(el, '#body', body);
  await press(el);
}

/** Presses the send button and waits for the form to show it is on its way (or what is wrong). */
export async function press(el: TaliqComments) {
  $<HTMLButtonElement>(el, 'button[part~=send]')!.click();
  await el.updateComplete;
}

export const sending = (el: TaliqComments) => $(el, 'button[part~=send]')?.getAttribute('aria-disabled') === 'true';
