/**
 * Dates as a reader reads them: "قبل 5 دقائق" next to the full date, both in the reader's tag.
 * Formatters are costly to build, so one per tag is kept.
 */
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86400],
  ['month', 30 * 86400],
  ['week', 7 * 86400],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
];

const cache = new Map<string, Intl.RelativeTimeFormat | Intl.DateTimeFormat | Intl.NumberFormat>();
const cached = <T extends Intl.RelativeTimeFormat | Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: () => T): T => {
  let f = cache.get(key) as T | undefined;
  if (!f) cache.set(key, (f = make()));
  return f;
};

/** How long ago `date` was, e.g. "قبل 5 دقائق", "il y a 2 heures", "yesterday"; "now" under a minute or when in the future. */
export function relativeTime(date: string | Date, locale: string, now: number = Date.now()): string {
  const seconds = Math.max(0, Math.floor((now - new Date(date).getTime()) / 1000)) || 0;
  const rtf = cached(`r${locale}`, () => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }));
  for (const [unit, size] of UNITS) if (seconds >= size) return rtf.format(-Math.floor(seconds / size), unit);
  return rtf.format(0, 'second');
}

/** The full date and time, for a tooltip. */
export function absoluteTime(date: string | Date, locale: string): string {
  const d = new Date(date);
  return isNaN(d.getTime())
    ? ''
    : cached(`d${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short' })).format(d);
}

/** A number in the reader's digits; `grouping` false gives "5000" rather than "5,000". */
export function formatNumber(n: number, locale: string, grouping = true): string {
  // Western digits without grouping are what String() writes (for the integers counted here): no
  // formatter to make, and a page's first one costs milliseconds.
  if (!grouping && locale.includes('-nu-latn')) return String(n);
  return cached(`n${grouping}${locale}`, () => new Intl.NumberFormat(locale, { useGrouping: grouping })).format(n);
}
