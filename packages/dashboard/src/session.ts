/**
 * What the dashboard keeps in the browser:
 * - the moderator token in sessionStorage (`taliq:admin:token`): it lives as long as the tab,
 *   never reaches other tabs or the disk's long-term storage, and "sign out" removes it;
 * - the chosen site, also per tab (`taliq:admin:site`);
 * - the interface language in localStorage (`taliq:admin:lang`): a preference, not a secret.
 * Storage may be missing or forbidden: every call then quietly does nothing.
 */
const get = (area: () => Storage, key: string): string | null => {
  try {
    return area().getItem(key);
  } catch {
    return null;
  }
};
const set = (area: () => Storage, key: string, value: string | null): void => {
  try {
    if (value == null) area().removeItem(key);
    else area().setItem(key, value);
  } catch {
    /* forbidden or full: works for this page view only */
  }
};
const session = () => sessionStorage;
const local = () => localStorage;

export const loadToken = () => get(session, 'taliq:admin:token');
export const saveToken = (token: string | null) => set(session, 'taliq:admin:token', token);
export const loadSite = () => get(session, 'taliq:admin:site');
export const saveSite = (site: string | null) => set(session, 'taliq:admin:site', site);
export const loadLang = () => get(local, 'taliq:admin:lang');
export const saveLang = (lang: string) => set(local, 'taliq:admin:lang', lang);
