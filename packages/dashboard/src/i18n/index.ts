import { ar, type Messages } from './ar.js';
import { en } from './en.js';
import { fr } from './fr.js';

export type { Messages };
export type Language = 'ar' | 'fr' | 'en';

/** Every catalog of the dashboard, by language, in the switcher's order. */
export const catalogs: Record<Language, Messages> = { ar, fr, en };

export const isLanguage = (s: unknown): s is Language => typeof s === 'string' && Object.hasOwn(catalogs, s);

/** The tag for numbers and dates: Western digits, as on the reader widget's default. */
export const localeOf = (lang: Language): string => `${lang}-u-nu-latn`;
