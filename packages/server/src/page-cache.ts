/**
 * First pages of threads, kept serialized for a moment: most readers open a thread at its first
 * page, so a popular article is read from the store about once a second instead of once a
 * reader. Any write through this instance's store drops every cached page at once; writes by
 * other instances (sharing PostgreSQL) show within `ttlMs`.
 */
import type { Store } from './store/store.js';

export class PageCache {
  private pages = new Map<string, { at: number; version: number; body: Uint8Array<ArrayBuffer> }>();
  private version = 0;

  constructor(private readonly ttlMs: number, private readonly maxPages = 2000) {}

  get(key: string, now: number): Uint8Array<ArrayBuffer> | undefined {
    if (this.ttlMs <= 0) return undefined;
    const p = this.pages.get(key);
    return p && p.version === this.version && now - p.at < this.ttlMs ? p.body : undefined;
  }

  set(key: string, body: Uint8Array<ArrayBuffer>, now: number) {
    if (this.ttlMs <= 0) return;
    if (this.pages.size >= this.maxPages) this.pages.clear();
    this.pages.set(key, { at: now, version: this.version, body });
  }

  invalidate() {
    this.version++;
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
  const sites = new Map<string, { at: number; site: ReturnType<Store['getSite']> }>();
  const onWrite = () => {
    pages.invalidate();
    sites.clear();
  };
  const getSite = (id: string) => {
    const now = Date.now();
    const hit = sites.get(id);
    if (hit && now - hit.at < ttlMs) return hit.site;
    if (sites.size > 1000) sites.clear();
    const site = store.getSite(id);
    sites.set(id, { at: now, site });
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
