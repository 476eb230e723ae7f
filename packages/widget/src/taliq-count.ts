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
import { formatNumber } from '../../ui/src/time.js';

/** Thread keys a counts request may carry. */
export const COUNTS_MAX = 50;

/** Elements waiting for a count, by `api site`. */
let queue = new Map<string, Set<TaliqCount>>();

function flush(): void {
  for (const [key, elements] of queue) {
    const [api, site] = key.split(' ');
    const threads = [...new Set([...elements].map((el) => el.key))];
    for (let i = 0; i < threads.length; i += COUNTS_MAX)
      new ApiClient(api, site).counts(threads.slice(i, i + COUNTS_MAX)).then(
        (counts) => elements.forEach((el) => el.show(counts)),
        (e) => console.warn('Taliq: counts', e),
      );
  }
  queue = new Map();
}

export class TaliqCount extends HTMLElement {
  static observedAttributes = ['site', 'thread', 'api', 'lang'];
  #asked = '';

  /** The thread key. */
  get key(): string {
    return this.getAttribute('thread')?.trim() ?? '';
  }

  connectedCallback(): void {
    this.attributeChangedCallback();
  }

  /** Joins the next batch, unless the count for these attributes is asked for already. */
  attributeChangedCallback(): void {
    const site = this.getAttribute('site')?.trim();
    const batch = `${apiBase(this.getAttribute('api'), { href: location.href, scriptUrl: import.meta.url })} ${site}`;
    const asked = `${batch} ${this.key} ${this.lang}`;
    if (!this.isConnected || !site || !this.key || asked === this.#asked) return;
    this.#asked = asked;
    if (!queue.size) setTimeout(flush);
    queue.set(batch, (queue.get(batch) ?? new Set()).add(this));
  }

  /** Shows the count of this element's thread, if the answer has it. */
  async show(counts: Record<string, number>): Promise<void> {
    const n = counts[this.key];
    if (typeof n != 'number') return;
    const { lang, locale } = resolveLanguage(this.lang);
    const words = (await loadCatalog(lang)).comments(n, formatNumber(n, locale));
    // A shadow root hides the fallback text; <bdi> keeps Arabic words whole in a French line and back.
    const bdi = document.createElement('bdi');
    bdi.textContent = words;
    (this.shadowRoot ?? this.attachShadow({ mode: 'open' })).replaceChildren(bdi);
  }
}
