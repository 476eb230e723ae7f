/**
 * <taliq-comments> as a reader meets it, against the real API and a real SQLite file.
 */
import { expect, fixtureCleanup, oneEvent, waitUntil } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import type { CSSResult } from 'lit';
import type { OwnComment } from '../../packages/shared/src/schemas.js';
import { TaliqComments } from '../../packages/widget/src/taliq-comments.js';
import { $, $$, approve, bodies, mount, newSite, newThread, press, seed, send, sending, settled, text, type } from './helpers.js';

const pendingBadges = (el: TaliqComments) => $$(el, '[part=badge]').map(text);
const draftOf = (site: string, thread: string) =>
  JSON.parse(localStorage.getItem(`taliq:draft:${site}:${encodeURIComponent(thread)}`) ?? 'null');
const receiptsOf = (site: string, thread: string) =>
  JSON.parse(localStorage.getItem(`taliq:receipts:${site}:${encodeURIComponent(thread)}`) ?? '[]');

describe('<taliq-comments>', () => {
  let site: string;
  let thread: string;

  beforeEach(async () => {
    localStorage.clear();
    site = await newSite();
    thread = newThread();
  });
  afterEach(() => fixtureCleanup());

  describe('direction and accessibility', () => {
    it('is accessible and right-to-left in Arabic', async () => {
      await seed(site, thread, 2, { replies: 1 });
      const el = await mount(site, { thread });
      await expect(el).to.be.accessible();
      expect(getComputedStyle($(el, 'form')!).direction).to.equal('rtl');
      expect(text($(el, 'label[for=body]'))).to.equal('تعليقك');
      expect(text($(el, 'button[part~=send]'))).to.equal('نشر التعليق');
    });

    for (const [lang, label] of [
      ['fr', 'Votre commentaire'],
      ['en', 'Your comment'],
    ]) {
      it(`is accessible and left-to-right in ${lang}`, async () => {
        await seed(site, thread, 2, { replies: 1 });
        const el = await mount(site, { thread, lang });
        await expect(el).to.be.accessible();
        expect(getComputedStyle($(el, 'form')!).direction).to.equal('ltr');
        expect(text($(el, 'label[for=body]'))).to.equal(label);
      });
    }

    it('is accessible with errors showing and in the dark theme', async () => {
      const el = await mount(site, { thread, theme: 'dark' });
      await send(el, '', '');
      await expect(el).to.be.accessible();
      expect(getComputedStyle($(el, '[part=base]')!).backgroundColor).to.equal('rgb(21, 23, 26)');
    });

    it('follows the reader\'s colour scheme with theme="auto"', async () => {
      const el = await mount(site, { thread, theme: 'auto' });
      const bg = () => getComputedStyle($(el, '[part=base]')!).backgroundColor;
      try {
        await emulateMedia({ colorScheme: 'dark' });
        expect(bg()).to.equal('rgb(21, 23, 26)');
        await expect(el).to.be.accessible();
        await emulateMedia({ colorScheme: 'light' });
        expect(bg()).to.equal('rgb(255, 255, 255)');
      } finally {
        await emulateMedia({ colorScheme: 'no-preference' });
      }
    });

    it('lays out with logical properties only, never left or right', () => {
      const css = TaliqComments.styles as CSSResult;
      expect(css.cssText).to.not.match(/\b(left|right)\b/);
      expect(css.cssText).to.match(/text-align: ?start/);
    });

    it('indents replies on the inline-start side: right in Arabic, left in French', async () => {
      await seed(site, thread, 1, { replies: 2 });
      for (const [lang, start, end] of [
        ['ar', 'marginRight', 'marginLeft'],
        ['fr', 'marginLeft', 'marginRight'],
      ] as const) {
        const el = await mount(site, { thread, lang });
        const replies = $(el, '[part=replies]')!;
        const style = getComputedStyle(replies);
        expect(style[start], `${lang} ${start}`).to.not.equal('0px');
        expect(style[end], `${lang} ${end}`).to.equal('0px');
        const top = $(el, 'ol[part=list] > li > [part~=comment]')!.getBoundingClientRect();
        const reply = replies.querySelector('[part~=comment]')!.getBoundingClientRect();
        if (lang === 'ar') expect(reply.right).to.be.lessThan(top.right);
        else expect(reply.left).to.be.greaterThan(top.left);
        expect($$(el, '[part=replies] [part=body]').map(text)).to.deep.equal(['رد رقم 1 على 1', 'رد رقم 2 على 1']);
        fixtureCleanup();
      }
    });
  });

  describe('reading a thread', () => {
    it('says so when nobody has commented yet', async () => {
      const el = await mount(site, { thread });
      expect(text($(el, '[part=empty]'))).to.equal('لا تعليقات بعد. كن أول من يعلّق');
      expect(text($(el, '[part=heading]'))).to.equal('لا تعليقات');
    });

    it('shows approved comments newest first and pages through more than 20', async () => {
      await seed(site, thread, 25);
      const el = await mount(site, { thread });
      await expect(el).to.be.accessible();
      expect(text($(el, '[part=heading]'))).to.equal('25 تعليقًا');
      let shown = bodies(el);
      expect(shown).to.have.length(20);
      expect(shown[0]).to.equal('تعليق رقم 25');
      expect(shown[19]).to.equal('تعليق رقم 6');

      const more = $<HTMLButtonElement>(el, 'button[part~=more]')!;
      expect(text(more)).to.equal('عرض مزيد من التعليقات');
      more.click();
      await waitUntil(() => bodies(el).length === 25, 'the second page did not arrive');
      shown = bodies(el);
      expect(shown.slice(20)).to.deep.equal(['تعليق رقم 5', 'تعليق رقم 4', 'تعليق رقم 3', 'تعليق رقم 2', 'تعليق رقم 1']);
      expect($(el, 'button[part~=more]'), 'no more pages').to.equal(null);
      // Keyboard users continue at the first comment that arrived.
      expect(text(el.shadowRoot!.activeElement?.querySelector('[part=body]'))).to.equal('تعليق رقم 5');
    });

    it('sorts oldest first when asked', async () => {
      await seed(site, thread, 3);
      const el = await mount(site, { thread, sort: 'oldest' });
      expect(bodies(el)).to.deep.equal(['تعليق رقم 1', 'تعليق رقم 2', 'تعليق رقم 3']);
    });

    it('shows each comment with its author, a relative time and the full date', async () => {
      await seed(site, thread, 1, { name: 'Sara سارة' });
      const el = await mount(site, { thread });
      const c = $(el, '[part~=comment]')!;
      expect(c.querySelector('bdi[part=author]')!.textContent).to.equal('Sara سارة');
      expect([...c.querySelectorAll('[part=body] p')].map((p) => p.getAttribute('dir'))).to.deep.equal(['rtl']);
      const time = c.querySelector('time')!;
      expect(Date.parse(time.getAttribute('datetime')!)).to.be.a('number').and.not.NaN;
      expect(time.textContent).to.match(/^(أمس|قبل (يوم واحد|\d+ ساعة|\d+ ساعات))$/);
      expect(time.title).to.match(/\d{4}/);
    });

    it('marks a comment its author edited', async () => {
      site = await newSite('post');
      let el = await mount(site, { thread });
      const posted = oneEvent(el, 'taliq-posted');
      await send(el, 'Hind', 'قبل التعديل');
      const { comment } = (await posted).detail;
      const [{ token }] = receiptsOf(site, thread);
      const res = await fetch(`/api/v1/comments/${comment.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ body: 'بعد التعديل' }),
      });
      expect(res.status).to.equal(200);
      fixtureCleanup();
      el = await mount(site, { thread });
      expect(bodies(el)).to.deep.equal(['بعد التعديل']);
      expect(text($(el, '[part=edited]'))).to.equal('معدَّل');
    });

    it('follows changes of its attributes and properties', async () => {
      await seed(site, thread, 2);
      const other = newThread();
      await seed(site, other, 1);
      const el = await mount(site, { thread });
      el.lang = 'en';
      await el.updateComplete;
      expect(text($(el, '[part=heading]'))).to.equal('2 comments');
      expect(getComputedStyle($(el, 'form')!).direction).to.equal('ltr');
      el.dir = 'rtl';
      await el.updateComplete;
      expect(getComputedStyle($(el, 'form')!).direction).to.equal('rtl');
      el.setAttribute('thread', other);
      await el.updateComplete;
      await settled(el);
      expect(text($(el, '[part=heading]'))).to.equal('1 comment');
      expect(bodies(el)).to.deep.equal(['تعليق رقم 1']);
    });

    it('gives each line of a comment the direction most of its letters read in, and keeps blank lines', async () => {
      const body = 'Je suis d’accord avec cet article.\nApple أفضل شركة في المغرب\n\nMerci';
      await seed(site, thread, 1, { body, name: 'Karim الفاسي ديال فاس' });
      const el = await mount(site, { thread });
      const lines = [...$(el, '[part=body]')!.querySelectorAll('p')];
      expect(lines.map((p) => [p.getAttribute('dir'), getComputedStyle(p).direction])).to.deep.equal([
        ['ltr', 'ltr'], ['rtl', 'rtl'], [null, 'rtl'], ['ltr', 'ltr'],
      ]);
      // The blank line keeps its height, as in the text box the reader wrote in.
      expect(lines[2].getBoundingClientRect().height).to.be.greaterThan(0);
      expect($(el, '[part=author]')!.getAttribute('dir')).to.equal('rtl');
    });

    it('renders what readers wrote as text, never as HTML', async () => {
      const evil = '<img src=x onerror="window.__taliqPwned=1">\n<b>bold</b>';
      await seed(site, thread, 1, { body: evil, name: '<script>alert(1)</script>' });
      const el = await mount(site, { thread });
      expect([...$(el, '[part=body]')!.querySelectorAll('p')].map((p) => p.textContent).join('\n')).to.equal(evil);
      expect($(el, '[part=author]')!.textContent).to.equal('<script>alert(1)</script>');
      expect($$(el, 'img, b, script')).to.have.length(0);
      expect(getComputedStyle($(el, '[part=body]')!).whiteSpace).to.equal('pre-wrap');
      expect((window as { __taliqPwned?: number }).__taliqPwned).to.equal(undefined);
    });

    it('writes numbers with the digits of the language tag', async () => {
      await seed(site, thread, 3);
      let el = await mount(site, { thread, lang: 'ar-MA' });
      expect(text($(el, '[part=heading]'))).to.equal('3 تعليقات');
      fixtureCleanup();
      el = await mount(site, { thread, lang: 'ar-u-nu-arab' });
      expect(text($(el, '[part=heading]'))).to.equal('٣ تعليقات');
      expect(text($(el, 'label[for=name]'))).to.equal('الاسم');
      fixtureCleanup();
      el = await mount(site, { thread, lang: 'fr-MA' });
      expect(text($(el, '[part=heading]'))).to.equal('3 commentaires');
      expect(getComputedStyle($(el, 'form')!).direction).to.equal('ltr');
    });

    it('says what went wrong and retries when the thread cannot be loaded', async () => {
      const el = await mount(site, { thread, api: 'http://127.0.0.1:1' });
      const alert = $(el, '[part~=retry]')!.closest('[role=alert]')!;
      expect(text(alert)).to.contain('تعذّر تحميل التعليقات.');
      expect(text(alert)).to.contain('تعذّر الاتصال بخادم التعليقات');
      const retry = $<HTMLButtonElement>(el, 'button[part~=retry]')!;
      const failed = oneEvent(el, 'taliq-error');
      retry.click();
      expect((await failed).detail.code).to.equal('network');
      // Pointed at the real server, the same button recovers.
      el.api = '';
      await el.updateComplete;
      await settled(el);
      expect($(el, '[part=empty]')).to.not.equal(null);
    });
  });

  describe('writing a comment', () => {
    it('counts characters as the reader types and warns near the limit', async () => {
      const el = await mount(site, { thread });
      const counter = $(el, '[part~=counter]')!;
      expect(text(counter)).to.equal('0 / 5000');
      await type(el, '#body', 'مرحبا بالجميع');
      expect(text(counter)).to.equal('13 / 5000');
      expect(counter.part.contains('counter-warning')).to.equal(false);
      expect($(el, '#body')!.getAttribute('maxlength')).to.equal('5000');
      expect($(el, '#name')!.getAttribute('maxlength')).to.equal('50');
      // Screen readers hear what is left once the reader pauses.
      await waitUntil(() => text($(el, 'p.sr-only[role=status]')) === 'بقي 4987 حرفًا', 'remaining count not announced', { timeout: 3000 });
      await type(el, '#body', 'ا'.repeat(4600));
      expect(text(counter)).to.equal('4600 / 5000');
      expect(counter.part.contains('counter-warning')).to.equal(true);
    });

    it('explains in Arabic what is missing or too long, next to the field', async () => {
      const el = await mount(site, { thread });
      await send(el, '  ', '');
      expect(text($(el, '#name-error'))).to.equal('اكتب اسمك.');
      expect(text($(el, '#body-error'))).to.equal('اكتب تعليقك قبل النشر.');
      expect($(el, '#name')!.getAttribute('aria-invalid')).to.equal('true');
      expect(el.shadowRoot!.activeElement?.id).to.equal('name');

      await send(el, 'س'.repeat(51), 'ب'.repeat(5001));
      expect(text($(el, '#name-error'))).to.equal('الاسم أطول من المسموح: 50 حرفًا على الأكثر.');
      expect(text($(el, '#body-error'))).to.equal('التعليق أطول من المسموح: 5000 حرف على الأكثر.');
      expect(bodies(el)).to.have.length(0);
      expect(sending(el)).to.equal(false);
    });

    it('posts an Arabic comment that stays "awaiting review" for its author only, until approved', async () => {
      let el = await mount(site, { thread });
      // The event crosses the shadow boundary and bubbles to the page.
      const posted = oneEvent(document, 'taliq-posted') as Promise<CustomEvent<{ comment: OwnComment }>>;
      await send(el, 'سارة', 'مقال ممتاز،\nشكرًا للكاتبة.');
      const { comment } = (await posted).detail;
      expect(comment.status).to.equal('pending');
      await el.updateComplete;

      expect(bodies(el)).to.deep.equal(['مقال ممتاز،\nشكرًا للكاتبة.'].map((b) => b.replace(/\s+/g, ' ')));
      expect(pendingBadges(el)).to.deep.equal(['بانتظار المراجعة']);
      expect(text($(el, '[part=status]'))).to.equal('وصل تعليقك، وسيظهر للجميع بعد المراجعة.');
      expect(el.shadowRoot!.activeElement?.id).to.equal(`c-${comment.id}`);
      expect(($(el, '#body') as HTMLTextAreaElement).value).to.equal('');
      expect(($(el, '#name') as HTMLInputElement).value).to.equal('سارة');
      expect(draftOf(site, thread)).to.equal(null);
      expect(receiptsOf(site, thread).map((r: { id: string }) => r.id)).to.deep.equal([comment.id]);
      expect(text($(el, '[part=heading]')), 'not counted while pending').to.equal('لا تعليقات');
      fixtureCleanup();

      // A reload: the author still sees it, marked, and their name is remembered.
      el = await mount(site, { thread });
      await waitUntil(() => pendingBadges(el).length === 1, 'pending comment not shown after reload');
      expect(bodies(el)).to.have.length(1);
      expect(($(el, '#name') as HTMLInputElement).value).to.equal('سارة');
      await expect(el).to.be.accessible();
      fixtureCleanup();

      // Another reader (nothing kept in this browser) does not see it.
      localStorage.clear();
      el = await mount(site, { thread });
      expect(bodies(el)).to.have.length(0);
      expect($(el, '[part=empty]')).to.not.equal(null);
      fixtureCleanup();

      // Once approved, everybody sees it, unmarked, and counted.
      await approve(comment.id);
      el = await mount(site, { thread });
      expect(bodies(el)).to.deep.equal(['مقال ممتاز، شكرًا للكاتبة.']);
      expect(pendingBadges(el)).to.have.length(0);
      expect(text($(el, '[part=heading]'))).to.equal('تعليق واحد');
    });

    it('keeps the receipt of an approved comment only while it may still be edited', async () => {
      let el = await mount(site, { thread });
      let posted = oneEvent(el, 'taliq-posted');
      await send(el, 'Ali', 'أول تعليق');
      const first = (await posted).detail.comment;
      fixtureCleanup();
      await approve(first.id);
      el = await mount(site, { thread });
      expect(bodies(el)).to.deep.equal(['أول تعليق']);
      expect(pendingBadges(el)).to.have.length(0);
      // Within the edit window: kept, and the author may edit or delete it.
      await waitUntil(() => $(el, '[part~=edit]'), 'no edit button on the own comment');
      expect(receiptsOf(site, thread).map((r: { id: string }) => r.id)).to.deep.equal([first.id]);
      fixtureCleanup();

      // On a site with no edit window, an approved comment's receipt is forgotten.
      const closed = { site: await newSite('pre', { editWindowSeconds: 0 }) };
      el = await mount(closed.site, { thread });
      posted = oneEvent(el, 'taliq-posted');
      await send(el, 'Ali', 'تعليق آخر');
      const second = (await posted).detail.comment;
      fixtureCleanup();
      await approve(second.id);
      el = await mount(closed.site, { thread });
      await waitUntil(() => receiptsOf(closed.site, thread).length === 0, 'the receipt was kept');
      expect(bodies(el)).to.deep.equal(['تعليق آخر']);
      expect($(el, '[part~=edit]')).to.equal(null);
    });

    it('shows a comment at once, unmarked and counted, on a post-moderated site', async () => {
      site = await newSite('post');
      await seed(site, thread, 1);
      const el = await mount(site, { thread });
      const posted = oneEvent(el, 'taliq-posted');
      await send(el, 'Karim', 'رأيي');
      expect((await posted).detail.comment.status).to.equal('approved');
      await el.updateComplete;
      expect(bodies(el)).to.deep.equal(['رأيي', 'تعليق رقم 1']);
      expect(pendingBadges(el)).to.have.length(0);
      expect(text($(el, '[part=heading]'))).to.equal('تعليقان');
      expect(text($(el, '[part=status]'))).to.equal('نُشر تعليقك.');
    });

    it('keeps the draft across reloads until the server has it', async () => {
      let el = await mount(site, { thread });
      await type(el, '#name', 'Nadia');
      await type(el, '#body', 'مسودة لم تُرسل بعد');
      fixtureCleanup();
      el = await mount(site, { thread });
      expect(($(el, '#body') as HTMLTextAreaElement).value).to.equal('مسودة لم تُرسل بعد');
      expect(($(el, '#name') as HTMLInputElement).value).to.equal('Nadia');
      expect(text($(el, '[part~=counter]'))).to.equal('18 / 5000');
      // Drafts belong to their thread.
      fixtureCleanup();
      el = await mount(site, { thread: newThread() });
      expect(($(el, '#body') as HTMLTextAreaElement).value).to.equal('');
    });

    it('keeps the text and says why when sending fails, and retries with the same key', async () => {
      const el = await mount(site, { thread, api: 'http://127.0.0.1:1' });
      const failed = oneEvent(el, 'taliq-error');
      await send(el, 'Omar', 'نص لا يجب أن يضيع');
      expect((await failed).detail).to.deep.equal({
        code: 'network',
        message: 'تعذّر الاتصال بخادم التعليقات. تحقّق من اتصالك ثم أعد المحاولة.',
      });
      await waitUntil(() => !sending(el));
      expect(text($(el, '[part=form-error]'))).to.equal(
        'تعذّر الاتصال بخادم التعليقات. تحقّق من اتصالك ثم أعد المحاولة. نصّك محفوظ هنا.',
      );
      expect($(el, '[part=form-error]')!.getAttribute('role')).to.equal('alert');
      expect(($(el, '#body') as HTMLTextAreaElement).value).to.equal('نص لا يجب أن يضيع');
      const first = draftOf(site, thread);
      expect(first.body).to.equal('نص لا يجب أن يضيع');
      expect(first.attempt.key).to.match(/^[\w-]{22}$/);

      await press(el);
      expect(sending(el)).to.equal(true);
      await waitUntil(() => !sending(el));
      expect(draftOf(site, thread).attempt.key, 'same text, same key').to.equal(first.attempt.key);

      await send(el, 'Omar', 'نص معدّل');
      await waitUntil(() => !sending(el));
      expect(draftOf(site, thread).attempt.key, 'new text, new key').to.not.equal(first.attempt.key);

      // The server is back: the same draft goes through and only then is cleared.
      el.api = '';
      await el.updateComplete;
      await settled(el);
      const posted = oneEvent(el, 'taliq-posted');
      await press(el);
      await posted;
      expect(draftOf(site, thread)).to.equal(null);
    });

    it('sends the same attempt only once when the reader insists', async () => {
      site = await newSite('post');
      const el = await mount(site, { thread });
      await send(el, 'Omar', 'مرة واحدة');
      expect(sending(el)).to.equal(true);
      // A second press while the first is on its way does nothing.
      await press(el);
      await waitUntil(() => !sending(el) && bodies(el).length === 1);
      const res = await fetch(`/api/v1/sites/${site}/threads/${encodeURIComponent(thread)}/comments`);
      expect((await res.json()).comments).to.have.length(1);
    });

    it('shows the server\'s validation messages in the reader\'s language', async () => {
      const el = await mount(site, { thread, lang: 'fr' });
      // Only invisible characters: passes the browser, refused by the server.
      const failed = oneEvent(el, 'taliq-error');
      await send(el, 'Léa', '\u200B\u200B');
      expect((await failed).detail.code).to.equal('validation_failed');
      await waitUntil(() => !sending(el));
      expect(text($(el, '#body-error'))).to.equal('Écrivez votre commentaire avant de le publier.');
      expect(text($(el, '[part=form-error]'))).to.equal('Vérifiez les champs signalés. Votre texte est conservé ici.');
    });
  });
});
