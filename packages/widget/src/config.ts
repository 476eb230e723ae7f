/**
 * How `<taliq-comments>` turns its attributes and the page around it into settings.
 * `readConfig()` is pure (attributes + a snapshot of the page in, settings out) so every default
 * is unit-tested; only `readEnv()` looks at globals.
 */
import { LIMITS, SORTS, type Sort } from '../../shared/src/limits.js';
import { isLanguage, type Language } from './i18n/index.js';

export type Theme = 'light' | 'dark' | 'auto';
const THEMES: readonly Theme[] = ['light', 'dark', 'auto'];

/** Attribute values as the element holds them (missing = null, undefined or ''). */
export interface Attrs {
  site?: string | null;
  thread?: string | null;
  api?: string | null;
  lang?: string | null;
  dir?: string | null;
  threadTitle?: string | null;
  threadUrl?: string | null;
  sort?: string | null;
  theme?: string | null;
  token?: string | null;
}

/** What the defaults depend on, read from the page by `readEnv()`. */
export interface Env {
  /** URL of the script that defined the element (`import.meta.url` of the bundle). */
  scriptUrl: string;
  /** `href` of `<link rel=canonical>`, as written (may be relative), or null. */
  canonical: string | null;
  /** `location.href`. */
  href: string;
  /** `document.title`. */
  title: string;
}

export interface Config {
  site: string;
  thread: string;
  /** Base URL of the API server, without a trailing slash; requests go to `${api}/api/v1/…`. */
  api: string;
  /** Language of the strings. */
  lang: Language;
  /** Language tag for numbers and dates: the given tag, with Western digits unless it names a numbering system. */
  locale: string;
  dir: 'rtl' | 'ltr';
  /** Sent with a comment so moderators see which article it is about; only when usable by the server. */
  threadTitle?: string;
  threadUrl?: string;
  sort: Sort;
  theme: Theme;
  token?: string;
  /** The `name` claim of the token: the signed-in reader's name, which the form then shows locked. */
  signedInAs?: string;
}

const given = (v: string | null | undefined) => (v == null ? '' : v.trim());
const tryUrl = (s: string, base?: string) => {
  try {
    return new URL(s, base);
  } catch {
    return null;
  }
};
const httpUrl = (u: URL | null) => (u && /^https?:$/.test(u.protocol) ? u : null);

/**
 * `ar-MA` → strings in `ar`, numbers and dates in `ar-MA-u-nu-latn`. Unknown or malformed tags fall
 * back to `ar`. Read with a pattern, not `Intl.Locale`: the first canonicalization of a page costs
 * 15–30 ms of ICU set-up, a long task on a phone.
 */
export function resolveLanguage(tag: string): { lang: Language; locale: string } {
  const lang = tag.split('-')[0].toLowerCase();
  if (!/^[a-z]{2,3}(-[a-z\d]{1,8})*$/i.test(tag) || !isLanguage(lang)) return { lang: 'ar', locale: 'ar-u-nu-latn' };
  return { lang, locale: /-u(-\w+)*-nu-/i.test(tag) ? tag : tag.includes('-u-') ? tag.replace('-u-', '-u-nu-latn-') : `${tag}-u-nu-latn` };
}

/**
 * The claims of a JWT, read without checking its signature (the server checks it; the widget
 * only shows the name). Null for anything that is not a JWT with a JSON object as payload.
 */
export function jwtClaims(jwt: string): Record<string, unknown> | null {
  try {
    const b64 = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0))));
    return claims && typeof claims == 'object' ? claims : null;
  } catch {
    return null;
  }
}

/** The API's base URL: the `api` attribute resolved against the page, else the origin that served the script. */
export function apiBase(attr: string | null | undefined, env: Pick<Env, 'href' | 'scriptUrl'>): string {
  const apiUrl = given(attr) ? tryUrl(given(attr), env.href) : null;
  return apiUrl ? apiUrl.href.replace(/\/+$/, '') : (tryUrl(env.scriptUrl)?.origin ?? '');
}

export function readConfig(a: Attrs, env: Env): Config {
  const page = tryUrl(env.href);
  const canonical = env.canonical ? tryUrl(env.canonical, env.href) : null;

  const { lang, locale } = resolveLanguage(given(a.lang));
  const dirAttr = given(a.dir).toLowerCase();
  const dir = dirAttr === 'rtl' || dirAttr === 'ltr' ? dirAttr : lang === 'ar' ? 'rtl' : 'ltr';

  const sort = given(a.sort) as Sort;
  const theme = given(a.theme) as Theme;

  const title = (given(a.threadTitle) || env.title.trim()).slice(0, LIMITS.threadTitleMax);
  const urlGiven = given(a.threadUrl);
  const url = httpUrl(urlGiven ? tryUrl(urlGiven, env.href) : canonical ?? page);
  if (url && !urlGiven) url.hash = '';
  const threadUrl = url && url.href.length <= LIMITS.urlMax ? url.href : undefined;

  const token = given(a.token) || undefined;
  const name = token && jwtClaims(token)?.name;

  return {
    site: given(a.site),
    thread: given(a.thread) || canonical?.pathname || page?.pathname || '/',
    api: apiBase(a.api, env),
    lang,
    locale,
    dir,
    threadTitle: title || undefined,
    threadUrl,
    sort: SORTS.includes(sort) ? sort : 'newest',
    theme: THEMES.includes(theme) ? theme : 'auto',
    token,
    signedInAs: typeof name == 'string' && name.trim() ? name.trim().slice(0, LIMITS.nameMax) : undefined,
  };
}

/** The only place that reads the page: a snapshot for `readConfig()`. */
export function readEnv(doc: Document = document, scriptUrl: string = import.meta.url): Env {
  return {
    scriptUrl,
    canonical: doc.querySelector<HTMLLinkElement>('link[rel~="canonical" i]')?.getAttribute('href') ?? null,
    href: doc.location?.href ?? '',
    title: doc.title,
  };
}
