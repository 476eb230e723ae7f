/**
 * First pages of threads, kept serialized for a moment: most readers open a thread at its first
 * page, so a popular article is read from the store about once a second instead of once a
 * reader. Any write through this instance's store drops every cached page at once; writes by
 * other instances (sharing PostgreSQL) show within `ttlMs`.
 */
import type { Store } from './store/store.js';

/** gzip with the platform's CompressionStream (Node and Workers alike). */
export async function gzip(body: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([body]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export interface CachedPage {
  body: Uint8Array<ArrayBuffer>;
  /** The body gzipped, made once on first demand and kept with the page. */
  gzipped(): Promise<Uint8Array<ArrayBuffer>>;
}

interface Entry extends CachedPage {
  at: number;
  version: number;
  bytes: number;
}

/** What an instance keeps of pages at most, by default (TALIQ_PAGE_CACHE_BYTES). */
export const DEFAULT_PAGE_CACHE_BYTES = 16 * 1024 * 1024;

export class PageCache {
  private pages = new Map<string, Entry>();
  private version = 0;
  private held = 0;

  /**
   * Bounded by bytes (bodies and their gzipped copies), not by count: a few huge pages cannot
   * take the instance's memory, nor can many threads' pages. Oldest kept first out; a page over
   * a quarter of the bound is answered but not kept.
   */
  constructor(private readonly ttlMs: number, private readonly maxBytes = DEFAULT_PAGE_CACHE_BYTES) {}

  /** Bytes held now, bodies and gzipped copies: never more than the bound. */
  get bytes(): number {
    return this.held;
  }

  get(key: string, now: number): CachedPage | undefined {
    if (this.ttlMs <= 0) return undefined;
    const p = this.pages.get(key);
    return p && p.version === this.version && now - p.at < this.ttlMs ? p : undefined;
  }

  /** Keeps the page (when caching is on) and answers it either way. */
  set(key: string | null, body: Uint8Array<ArrayBuffer>, now: number): CachedPage {
    let zipped: Promise<Uint8Array<ArrayBuffer>> | undefined;
    const entry: Entry = {
      at: now, version: this.version, body, bytes: body.byteLength,
      gzipped: () => {
        if (!zipped) {
          zipped = gzip(body);
          // The compressed copy counts towards the bound too, once it exists.
          void zipped.then((z) => {
            if (key === null || this.pages.get(key) !== entry) return;
            entry.bytes += z.byteLength;
            this.held += z.byteLength;
            this.evict(entry);
          }, () => {});
        }
        return zipped;
      },
    };
    if (key === null || this.ttlMs <= 0 || body.byteLength > this.maxBytes / 4) return entry;
    this.drop(key);
    this.pages.set(key, entry);
    this.held += entry.bytes;
    this.evict(entry);
    return entry;
  }

  invalidate() {
    this.version++;
    this.pages.clear();
    this.held = 0;
  }

  private drop(key: string) {
    const old = this.pages.get(key);
    if (!old) return;
    this.pages.delete(key);
    this.held -= old.bytes;
  }

  /** Oldest pages out until the bound holds; `keep` (just added) goes last. */
  private evict(keep: Entry) {
    for (const [key, p] of this.pages) {
      if (this.held <= this.maxBytes) return;
      if (p !== keep) this.drop(key);
    }
    for (const [key, p] of this.pages) if (p === keep && this.held > this.maxBytes) this.drop(key);
  }
}

/** Store methods that change what a thread page shows, or a site's settings. */
const WRITES = new Set<keyof Store>(['insertComment', 'updateComment', 'setStatus', 'vote', 'eraseByEmail', 'setThreadMode', 'updateSiteSettings', 'createSite']);

/**
 * The store as a busy instance reads it: a site's settings are kept for `pages`' lifetime (every
 * request reads them, often twice), and every write that can change a thread page or a site drops
 * the cached pages and sites.
 */
export function cachingStore(store: Store, pages: PageCache, ttlMs: number): Store {
  // Values, not promises: on Workers a promise made by one request must not be awaited by
  // another (its I/O belongs to the first). Two misses at once both read; the last one is kept.
  const sites = new Map<string, { at: number; site: Awaited<ReturnType<Store['getSite']>> }>();
  let epoch = 0;
  const onWrite = () => {
    pages.invalidate();
    sites.clear();
    epoch++;
  };
  const getSite = async (id: string) => {
    const hit = sites.get(id);
    if (hit && Date.now() - hit.at < ttlMs) return hit.site;
    const seen = epoch;
    const site = await store.getSite(id);
    // A write that happened while reading may have changed the site: do not keep what was read before it.
    if (seen === epoch) {
      if (sites.size > 1000) sites.clear();
      sites.set(id, { at: Date.now(), site });
    }
    return site;
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'getSite') return getSite;
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (!WRITES.has(prop as keyof Store)) return value.bind(target);
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args);
        } finally {
          onWrite();
        }
      };
    },
  });
}
