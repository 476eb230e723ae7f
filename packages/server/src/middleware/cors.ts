/**
 * CORS for reader routes: answered only for the origins a site registered, never `*`.
 * A browser request from any other origin is refused outright (403), so a foreign page can
 * neither read a thread through a reader's browser nor post in their name.
 * Requests without an Origin header (servers, curl, same-origin GETs) pass untouched.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../errors.js';
import type { Services } from '../context.js';

const ALLOW_METHODS = 'GET, POST, PUT, PATCH, DELETE';
const ALLOW_HEADERS = 'Content-Type, Authorization, Idempotency-Key, Taliq-Reader, Taliq-Token, Taliq-Form, Taliq-Pow, Last-Event-ID';

/** Registered origins are stored as `scheme://host[:port]`; compare the same form. */
export const normalizeOrigin = (o: string) => {
  try {
    return new URL(o).origin;
  } catch {
    return o;
  }
};

export function readerCors(s: Services, siteOf: (c: Context) => Promise<string | null>): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (!origin) return next();
    c.header('Vary', 'Origin', { append: true });
    const siteId = await siteOf(c);
    const site = siteId ? await s.store.getSite(siteId) : null;
    // Unknown site or comment: let the page read the 404 so the widget can say what is wrong.
    const allowed = !site || site.settings.origins.includes(normalizeOrigin(origin));
    if (!allowed) {
      throw new ApiError(403, 'origin_not_allowed', `The origin ${origin} is not registered for site "${siteId}"`);
    }
    c.header('Access-Control-Allow-Origin', origin);
    c.header('Access-Control-Expose-Headers', 'Retry-After, Idempotent-Replayed');
    if (c.req.method === 'OPTIONS') {
      c.header('Access-Control-Allow-Methods', ALLOW_METHODS);
      c.header('Access-Control-Allow-Headers', ALLOW_HEADERS);
      c.header('Access-Control-Max-Age', '600');
      return c.body(null, 204);
    }
    return next();
  };
}

const hostOf = (o: string) => {
  try {
    return new URL(o).host;
  } catch {
    return null;
  }
};

/** Moderation routes are for the dashboard on the API's own origin and for tools without a browser. */
export function sameOriginOnly(): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin && normalizeOrigin(origin) !== new URL(c.req.url).origin && hostOf(origin) !== c.req.header('host')) {
      throw new ApiError(403, 'origin_not_allowed', 'Moderation routes do not answer other origins');
    }
    return next();
  };
}
