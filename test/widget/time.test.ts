import { expect } from '@open-wc/testing';
import { absoluteTime, formatNumber, relativeTime } from '../../packages/ui/src/time.js';

const now = Date.parse('2026-03-10T12:00:00Z');
const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();

describe('relativeTime', () => {
  it('speaks Arabic', () => {
    const ar = 'ar-u-nu-latn';
    expect(relativeTime(ago(10), ar, now)).to.equal('الآن');
    expect(relativeTime(ago(5 * 60), ar, now)).to.equal('قبل 5 دقائق');
    expect(relativeTime(ago(3 * 3600), ar, now)).to.equal('قبل 3 ساعات');
    expect(relativeTime(ago(86400), ar, now)).to.equal('أمس');
    expect(relativeTime(ago(14 * 86400), ar, now)).to.equal('قبل أسبوعين');
    expect(relativeTime(ago(400 * 86400), ar, now)).to.equal('السنة الماضية');
  });

  it('follows the digits of the tag', () => {
    expect(relativeTime(ago(5 * 60), 'ar-u-nu-arab', now)).to.equal('قبل ٥ دقائق');
  });

  it('speaks French and English', () => {
    expect(relativeTime(ago(5 * 60), 'fr-u-nu-latn', now)).to.equal('il y a 5 minutes');
    expect(relativeTime(ago(2 * 86400), 'fr-u-nu-latn', now)).to.equal('avant-hier');
    expect(relativeTime(ago(5 * 60), 'en-u-nu-latn', now)).to.equal('5 minutes ago');
    expect(relativeTime(ago(3 * 30 * 86400), 'en-u-nu-latn', now)).to.equal('3 months ago');
  });

  it('says "now" for a date slightly in the future (clock skew) or unreadable', () => {
    expect(relativeTime(ago(-120), 'en', now)).to.equal('now');
    expect(relativeTime('not a date', 'en', now)).to.equal('now');
  });
});

describe('absoluteTime and formatNumber', () => {
  it('gives the full date in the reader\'s tag', () => {
    expect(absoluteTime('2026-03-10T12:00:00Z', 'fr-u-nu-latn')).to.contain('2026').and.contain('mars');
    expect(absoluteTime('2026-03-10T12:00:00Z', 'ar-u-nu-latn')).to.contain('2026').and.contain('مارس');
    expect(absoluteTime('nope', 'en')).to.equal('');
  });

  it('writes counts in the digits of the tag', () => {
    expect(formatNumber(5000, 'ar-u-nu-latn', false)).to.equal('5000');
    expect(formatNumber(12, 'ar-u-nu-arab')).to.equal('١٢');
  });
});
