/**
 * Direction by paragraph and by the majority of strong letters (shared/src/direction.ts), the
 * rule the widget, the dashboard and comments.html use for what readers write.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paragraphs, textDirection } from '../../packages/shared/src/direction.js';
import { api, SITE, testApp } from '../support/app.js';

test('a paragraph reads the way most of its letters do, not the way its first letter does', () => {
  assert.equal(textDirection('Apple أفضل شركة في المغرب'), 'rtl');
  assert.equal(textDirection('Le gouvernement doit répondre, الحكومة'), 'ltr');
  assert.equal(textDirection('شكرا على المقال'), 'rtl');
  assert.equal(textDirection('Merci pour l’article'), 'ltr');
  // Darija in Latin letters is Latin; in Arabic letters, Arabic.
  assert.equal(textDirection('bghit nqoul chi haja'), 'ltr');
  assert.equal(textDirection('بغيت نقول شي حاجة OK'), 'rtl');
  // A long link does not outvote the sentence around it.
  assert.equal(textDirection('شاهد المقال هنا https://www.example.com/politique/gouvernement-article-12345'), 'rtl');
  // Digits, punctuation and emoji are not letters: nothing decides, the element inherits.
  assert.equal(textDirection('2026 !!! 👍 100%'), undefined);
  assert.equal(textDirection(''), undefined);
  // A tie is no majority: the text takes the direction around it.
  assert.equal(textDirection('ab جد'), undefined);
  // Arabic presentation forms and harakat (marks, not letters) count as Arabic / nothing.
  assert.equal(textDirection('ﻣﺮﺣﺒﺎ ok'), 'rtl');
  assert.equal(textDirection('مَرْحَبًا abcd'), 'rtl');
});

test('each line of a comment is its own paragraph with its own direction; blank lines mark a gap', () => {
  assert.deepEqual(paragraphs('Je suis d’accord avec cet article.\nأنا متفق مع هذا المقال\n\n\nMerci'), [
    { text: 'Je suis d’accord avec cet article.', dir: 'ltr', gap: false },
    { text: 'أنا متفق مع هذا المقال', dir: 'rtl', gap: false },
    { text: 'Merci', dir: 'ltr', gap: true },
  ]);
  assert.deepEqual(paragraphs('\n\nسلام\n'), [{ text: 'سلام', dir: 'rtl', gap: false }]);
  assert.deepEqual(paragraphs(''), []);
});

test('comments.html gives each paragraph of a comment, and each name, the direction of its letters', async () => {
  const t = await testApp({ moderation: 'post' });
  try {
    const a = api(t);
    const body = 'Je suis d’accord avec l’article.\nApple أفضل شركة في المغرب\n\n👍';
    assert.equal((await a.post('t', { author: { name: 'Karim الفاسي ديال فاس' }, body })).status, 201);
    const html = await (await t.app.request(`/api/v1/sites/${SITE}/threads/t/comments.html`)).text();
    assert.match(html, /<bdi dir="rtl">Karim الفاسي ديال فاس<\/bdi>/);
    assert.match(html, /<p dir="ltr">Je suis d’accord avec l’article\.<\/p><p dir="rtl">Apple أفضل شركة في المغرب<\/p><p>👍<\/p><\/article>/);
  } finally {
    await t.close();
  }
});
