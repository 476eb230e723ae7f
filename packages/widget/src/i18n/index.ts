/**
 * The reader's languages. Arabic, the default, is in taliq.js; French and English are language
 * packs (taliq-fr.js, taliq-en.js, served next to taliq.js) fetched once, when a widget in that
 * language first needs its words. This keeps taliq.js within its size budget: each catalog
 * weighs about 1 KB gzipped, as much as a feature.
 */
import { ar, type Messages } from './ar.js';

export type { Messages };
export type Language = 'ar' | 'fr' | 'en';

export const LANGUAGES: readonly Language[] = ['ar', 'fr', 'en'];
export const isLanguage = (s: string): s is Language => LANGUAGES.includes(s as Language);

const loaded: Partial<Record<Language, Messages>> = { ar };
const loading: Partial<Record<Language, Promise<Messages>>> = { ar: Promise.resolve(ar) };

/** Where a language pack is: next to taliq.js; from the sources (tests), the catalog module itself. */
export const packUrl = (lang: Language, base = import.meta.url) =>
  new URL(base.endsWith('.ts') ? `./${lang}.ts` : `./taliq-${lang}.js`, base).href;

/** The words of a language if they are here already. */
export const catalog = (lang: Language): Messages | undefined => loaded[lang];

/** The words of a language, fetched once; Arabic when its pack cannot be had. */
export function loadCatalog(lang: Language): Promise<Messages> {
  return (loading[lang] ??= import(/* @vite-ignore */ packUrl(lang)).then(
    (pack: Record<string, Messages>) => (loaded[lang] = pack[lang]),
    (e) => {
      console.warn(`Taliq: no ${lang} language pack at ${packUrl(lang)}; showing Arabic.`, e);
      return (loaded[lang] = ar);
    },
  ));
}
