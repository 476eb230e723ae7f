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

export class PageCache {
  private pages = new Map<string, Entry>();
  private version = 0;
  private bytes = 0;

  /** Bounded by bytes, not by count: a few huge pages cannot take the instance's memory. */
  constructor(private readonly ttlMs: number, private readonly maxBytes = 16 * 1024 * 1024) {}

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
          void zipped.then((z) => { if (this.pages.get(key ?? '') === entry) { entry.bytes += z.byteLength; this.bytes += z.byteLength; } }, () => {});
        }
        return zipped;
      },
    };
    if (key === null || this.ttlMs <= 0 || body.byteLength > this.maxBytes / 4) return entry;
    const old = this.pages.get(key);
    if (old) this.bytes -= old.bytes;
    if (this.bytes + body.byteLength > this.maxBytes) {
      this.pages.clear();
      this.bytes = 0;
    }
    this.pages.set(key, entry);
    this.bytes += body.byteLength;
    return entry;
  }

  invalidate() {
    this.version++;
    this.pages.clear();
    this.bytes = 0;
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
