import { ar, type Messages } from './ar.js';
import { en } from './en.js';
import { fr } from './fr.js';

export type { Messages };
export type Language = 'ar' | 'fr' | 'en';

/** Every catalog the reader bundle carries, by base language. */
export const catalogs: Record<Language, Messages> = { ar, fr, en };

export const isLanguage = (s: string): s is Language => Object.hasOwn(catalogs, s);
