/**
 * "N comments" for an article, e.g. next to its link on a home page, with the language's plural
 * rules. Every `<taliq-count>` on the page is counted in one request per site (50 threads a
 * request), made just after the elements are connected. Until the count arrives, and when it
 * cannot be had, the element shows what it holds (a fallback text, or nothing).
 *
 * @tag taliq-count
 *
 * @attr site - site id registered on the server (required)
 * @attr thread - thread key, as given to `<taliq-comments>`
 * @attr api - base URL of the API server; defaults to the origin that served taliq.js
 * @attr lang - `ar` (default), `fr`, `en` or a regional tag: words follow the language, digits the tag
 */
import { ApiClient } from './api-client.js';
import { apiBase, resolveLanguage } from './config.js';
import { loadCatalog } from './i18n/index.js';
import { formatNumber } from './time.js';

/** Thread keys a counts request may carry. */
export const COUNTS_MAX = 50;

/** Elements waiting for a count, by `api site`. */
let queue = new Map<string, Set<TaliqCount>>();
let timer: ReturnType<typeof setTimeout> | undefined;

function flush(): void {
  timer = undefined;
  const batch = queue;
  queue = new Map();
  for (const [key, elements] of batch) {
    const [api, site] = key.split(' ');
    const threads = [...new Set([...elements].map((el) => el.getAttribute('thread')?.trim() || ''))].filter(Boolean);
    const client = new ApiClient(api, site);
    for (let i = 0; i < threads.length; i += COUNTS_MAX)
      client.counts(threads.slice(i, i + COUNTS_MAX)).then(
        (counts) => elements.forEach((el) => el.show(counts)),
        (e) => console.warn('<taliq-count>: no counts', e),
      );
  }
}

export class TaliqCount extends HTMLElement {
  static observedAttributes = ['site', 'thread', 'api', 'lang'];
  private out?: HTMLElement;
  private asked = '';

  connectedCallback(): void {
    this.ask();
  }

  attributeChangedCallback(): void {
    if (this.isConnected) this.ask();
  }

  /** Joins the next batch, unless the count for these attributes is already asked for. */
  private ask(): void {
    const site = this.getAttribute('site')?.trim();
    const key = `${apiBase(this.getAttribute('api'), { href: location.href, scriptUrl: import.meta.url })} ${site}`;
    const asked = `${key} ${this.getAttribute('thread')} ${this.lang}`;
    if (!site || asked === this.asked) return;
    this.asked = asked;
    let set = queue.get(key);
    if (!set) queue.set(key, (set = new Set()));
    set.add(this);
    timer ??= setTimeout(flush);
  }

  /** Shows the count of this element's thread, if the answer has it. */
  async show(counts: Record<string, number>): Promise<void> {
    const n = counts[this.getAttribute('thread')?.trim() ?? ''];
    if (typeof n != 'number') return;
    const { lang, locale } = resolveLanguage(this.getAttribute('lang')?.trim() ?? '');
    const words = await loadCatalog(lang);
    if (!this.out) {
      // A shadow root hides the fallback text; <bdi> keeps Arabic words whole in a French line and back.
      this.out = document.createElement('bdi');
      this.attachShadow({ mode: 'open' }).append(this.out);
    }
    this.out.textContent = words.comments(n, formatNumber(n, locale));
  }
}
