import { expect } from '@open-wc/testing';
import { ERROR_CODES } from '../../packages/shared/src/errors.js';
import { ar } from '../../packages/widget/src/i18n/ar.js';
import { en } from '../../packages/widget/src/i18n/en.js';
import { fr } from '../../packages/widget/src/i18n/fr.js';
import { catalog, loadCatalog, packUrl } from '../../packages/widget/src/i18n/index.js';
import { errorWord } from '../../packages/widget/src/i18n/types.js';

const catalogs = { ar, fr, en };

describe('language packs', () => {
  it('has Arabic at once, and loads French and English once, on demand', async () => {
    expect(catalog('ar')).to.equal(ar);
    const [a, b] = await Promise.all([loadCatalog('fr'), loadCatalog('fr')]);
    expect(a).to.equal(fr);
    expect(b).to.equal(fr);
    expect(catalog('fr')).to.equal(fr);
    expect(await loadCatalog('en')).to.equal(en);
  });

  it('never fetches Arabic: it is in taliq.js', async () => {
    let done = false;
    void loadCatalog('ar').then((m) => (done = m === ar));
    await Promise.resolve();
    await Promise.resolve();
    expect(done).to.equal(true);
  });

  it('finds the packs next to taliq.js once built', () => {
    expect(packUrl('fr', 'https://comments.example.com/taliq.js')).to.equal('https://comments.example.com/taliq-fr.js');
    expect(packUrl('en', 'https://cdn.example.com/v1/taliq.js?x=1')).to.equal('https://cdn.example.com/v1/taliq-en.js');
  });
});

describe('message catalogs', () => {
  for (const [lang, messages] of Object.entries(catalogs)) {
    it(`${lang} has every key of the Arabic reference, of the same kind`, () => {
      expect(Object.keys(messages).sort()).to.deep.equal(Object.keys(ar).sort());
      for (const [key, value] of Object.entries(ar)) {
        const other = messages[key as keyof typeof ar];
        expect(typeof other, key).to.equal(typeof value);
        if (typeof value === 'string') expect(other, key).to.not.equal('');
        // Nested tables (sort orders, report reasons) have the same keys, each worded.
        if (typeof value === 'object' && key !== 'errors') {
          expect(Object.keys(other).sort(), key).to.deep.equal(Object.keys(value).sort());
          for (const v of Object.values(other)) expect(v, key).to.be.a('string').and.not.equal('');
        }
      }
    });

    it(`${lang} offers the report reasons of the API, in the same order`, () => {
      expect(Object.keys(messages.reasons)).to.deep.equal(['spam', 'abuse', 'off-topic', 'other']);
    });

    it(`${lang} has words for every error code, and for a failed connection`, () => {
      expect(Object.keys(messages.errors).sort()).to.deep.equal(Object.keys(ar.errors).sort());
      for (const m of Object.values(messages.errors)) expect(m).to.be.a('string').and.not.equal('');
      for (const code of [...ERROR_CODES, 'network']) expect(messages.errors[errorWord(code)], code).to.be.a('string').and.not.equal('');
    });

    it(`${lang} words every count from 0 to 1000`, () => {
      for (let n = 0; n <= 1000; n++)
        for (const f of [messages.comments, messages.remaining, messages.nameTooLong, messages.bodyTooLong, messages.fresh, messages.moreReplies]) {
          const s = f(n, String(n));
          expect(s, `${n}`).to.be.a('string').and.not.contain('undefined');
        }
    });
  }

  it('words alike the codes that mean the same to a reader, and unknown codes as a server error', () => {
    expect(errorWord('comment_not_found')).to.equal('not_found');
    expect(errorWord('site_not_found')).to.equal('origin_not_allowed');
    expect(errorWord('rate_limited')).to.equal('rate_limited');
    expect(ar.errors[errorWord('a_code_from_a_newer_server')]).to.equal(undefined);
  });

  it('uses the six Arabic plural forms', () => {
    expect([0, 1, 2, 3, 11, 100].map((n) => ar.comments(n))).to.deep.equal([
      'لا تعليقات',
      'تعليق واحد',
      'تعليقان',
      '3 تعليقات',
      '11 تعليقًا',
      '100 تعليق',
    ]);
    expect([0, 1, 2, 10, 99, 102].map((n) => ar.remaining(n))).to.deep.equal([
      'لم يبقَ أي حرف',
      'بقي حرف واحد',
      'بقي حرفان',
      'بقي 10 أحرف',
      'بقي 99 حرفًا',
      'بقي 102 حرف',
    ]);
  });

  it('counts new comments and folded replies with the Arabic plural forms', () => {
    expect([1, 2, 3, 11, 100].map((n) => ar.fresh(n))).to.deep.equal([
      'تعليق جديد',
      'تعليقان جديدان',
      '3 تعليقات جديدة',
      '11 تعليقًا جديدًا',
      '100 تعليق جديد',
    ]);
    expect([1, 2, 3, 11, 100].map((n) => ar.moreReplies(n))).to.deep.equal(['عرض ردّ واحد', 'عرض ردّين', 'عرض 3 ردود', 'عرض 11 ردًّا', 'عرض 100 ردّ']);
    expect([1, 2].map((n) => catalogs.fr.fresh(n))).to.deep.equal(['1 nouveau commentaire', '2 nouveaux commentaires']);
    expect([1, 5].map((n) => catalogs.en.moreReplies(n))).to.deep.equal(['Show 1 reply', 'Show 5 replies']);
  });

  it('uses the formatted number it is given', () => {
    expect(ar.comments(3, '٣')).to.equal('٣ تعليقات');
  });

  it('says French and English counts the way their readers do', () => {
    expect([0, 1, 2, 1000].map((n) => catalogs.fr.comments(n))).to.deep.equal([
      'Aucun commentaire',
      '1 commentaire',
      '2 commentaires',
      '1000 commentaires',
    ]);
    expect([0, 1, 2].map((n) => catalogs.en.comments(n))).to.deep.equal(['No comments', '1 comment', '2 comments']);
  });
});
