/**
 * Readers holding a conversation in <taliq-comments>: replies, votes, sorting, their own edits
 * and deletions, reports, live updates, sign-in through the publisher, lazy loading. Against the
 * real API and a real SQLite file (test/support/wtr-server.ts).
 */
import { expect, fixture, fixtureCleanup, html, oneEvent, waitUntil } from '@open-wc/testing';
import type { TaliqComments } from '../../packages/widget/src/taliq-comments.js';
import {
  $,
  $$,
  approve,
  bodies,
  following,
  mount,
  newSite,
  newThread,
  postAs,
  seed,
  send,
  setStatus,
  settled,
  ssoToken,
  streamLog,
  streams,
  text,
  type,
} from './helpers.js';

/** The top-level items of the list: each comment with its replies. */
const items = (el: TaliqComments) => $$(el, 'ol[part=list] > li');
const replyBodies = (li: Element) => [...li.querySelectorAll('[part=replies] [part=body]')].map(text);
const commentOf = (el: TaliqComments, body: string) =>
  $$(el, '[part~=comment]').find((c) => text(c.querySelector('[part=body]')) === body)!;
const button = (c: Element, part: string) => c.querySelector<HTMLButtonElement>(`:scope > .acts [part~=${part}]`)!;
/** What a screen reader says of a vote button: its label, which holds the visible count. */
const spoken = (e: Element | null) => {
  const label = e!.getAttribute('aria-label')!;
  expect(text(e), 'the count shown is in the name').to.contain(label.split(' ').at(-1));
  return label;
};
const active = (el: TaliqComments) => el.shadowRoot!.activeElement as HTMLElement | null;
// The default buffer (250 entries) fills up over a test file.
performance.setResourceTimingBufferSize(100_000);
const resources = (part: string) => performance.getEntriesByType('resource').filter((e) => e.name.includes(part));

async function click(el: TaliqComments, target: HTMLElement | null) {
  expect(target, 'nothing to click').to.not.equal(null);
  target!.click();
  await el.updateComplete;
}

describe('a conversation in <taliq-comments>', () => {
  let site: string;
  let thread: string;

  beforeEach(async () => {
    localStorage.clear();
    site = await newSite();
    thread = newThread();
  });
  afterEach(() => fixtureCleanup());

  describe('replies', () => {
    it('opens a reply form under a comment, posts the reply under it, awaiting review, and moves focus to it', async () => {
      const [parent] = await seed(site, thread, 2);
      const el = await mount(site, { thread });
      const target = commentOf(el, 'تعليق رقم 1');
      const reply = button(target, 'reply');
      expect(text(reply)).to.equal('ردّ');
      expect(reply.getAttribute('aria-expanded')).to.equal('false');
      await click(el, reply);
      expect(reply.getAttribute('aria-expanded')).to.equal('true');
      const form = target.querySelector('form[part~=reply-form]')!;
      expect(form, 'the form opens under the comment').to.not.equal(null);
      // The reader came to write: the text box, even with no name remembered yet (asked on sending).
      await waitUntil(() => active(el)?.id === 'reply-body', `focus is on ${active(el)?.id}, not in the reply's text box`);
      await expect(el).to.be.accessible();

      // Same checks as the main form.
      await click(el, form.querySelector<HTMLButtonElement>('[part~=send]'));
      await waitUntil(() => text($(el, '#reply-name-error')) === 'اكتب اسمك.');
      expect(text($(el, '#reply-body-error'))).to.equal('اكتب تعليقك قبل النشر.');
      // Taken to the first field to fix.
      await waitUntil(() => active(el)?.id === 'reply-name', `focus is on ${active(el)?.id}, not on the missing name`);

      await type(el, '#reply-name', 'سارة');
      await type(el, '#reply-body', 'أوافقك الرأي');
      const posted = oneEvent(el, 'taliq-posted');
      await click(el, form.querySelector<HTMLButtonElement>('[part~=send]'));
      const { comment } = (await posted).detail;
      expect(comment.parentId, 'the request named the parent').to.equal(parent);
      expect(comment.status).to.equal('pending');
      await el.updateComplete;
      expect(target.querySelector('form'), 'the form closes').to.equal(null);
      const li = items(el).find((i) => i.contains(target))!;
      expect(replyBodies(li)).to.deep.equal(['أوافقك الرأي']);
      const mine = li.querySelector('[part~=replies] [part~=comment-pending]')!;
      expect(text(mine.querySelector('[part=badge]'))).to.equal('بانتظار المراجعة');
      expect(text(mine.querySelector('[part=message]'))).to.equal('وصل تعليقك، وسيظهر للجميع بعد المراجعة.');
      await waitUntil(() => active(el)?.id === `c-${comment.id}`, `focus is on ${active(el)?.id}, not on the new reply`);
      // Nobody can act on a pending reply yet but its author.
      expect(mine.querySelector('[part~=reply], [part~=vote], [part~=report]')).to.equal(null);
      // The name is remembered, for the main form too.
      expect(($(el, '#name') as HTMLInputElement).value).to.equal('سارة');
      fixtureCleanup();

      // After a reload the author still sees it under its parent; once approved, so does everyone.
      let again = await mount(site, { thread });
      await waitUntil(() => $(again, '[part~=replies] [part~=comment-pending]'), 'pending reply not shown after reload');
      expect(replyBodies(items(again).find((i) => i.contains(commentOf(again, 'تعليق رقم 1')))!)).to.deep.equal(['أوافقك الرأي']);
      fixtureCleanup();
      await approve(comment.id);
      localStorage.clear();
      again = await mount(site, { thread });
      expect(replyBodies(items(again)[1])).to.deep.equal(['أوافقك الرأي']);
      expect(text($(again, '[part=heading]'))).to.equal('3 تعليقات');
    });

    it('puts a reply to a reply on the same level, saying whom it answers', async () => {
      site = await newSite('post');
      await seed(site, thread, 1, { replies: 1 });
      localStorage.setItem('taliq:name', JSON.stringify('كريم'));
      let el = await mount(site, { thread });
      const first = commentOf(el, 'رد رقم 1 على 1');
      await click(el, button(first, 'reply'));
      // The name is remembered: the reader starts in the text.
      expect(active(el)?.id).to.equal('reply-body');
      await type(el, '#reply-body', 'جواب على الجواب');
      const posted = oneEvent(el, 'taliq-posted');
      await click(el, first.querySelector<HTMLButtonElement>('form [part~=send]'));
      const { comment } = (await posted).detail;
      expect(comment.status).to.equal('approved');
      await waitUntil(() => active(el)?.id === `c-${comment.id}`, `focus is on ${active(el)?.id}, not on the new reply`);
      const check = (el: TaliqComments) => {
        const [li] = items(el);
        expect(replyBodies(li)).to.deep.equal(['رد رقم 1 على 1', 'جواب على الجواب']);
        const answer = commentOf(el, 'جواب على الجواب');
        expect(text(answer.querySelector('[part=reply-to]'))).to.equal('ردًا على مجيب 1');
        expect(answer.querySelector('[part=reply-to] bdi')!.textContent).to.equal('مجيب 1');
        expect(first.querySelector('[part=reply-to]'), 'a reply to the comment itself names nobody').to.equal(null);
      };
      check(el);
      expect(text($(el, '[part=heading]'))).to.equal('3 تعليقات');
      fixtureCleanup();
      el = await mount(site, { thread });
      check(el);
    });

    for (const [lang, two, one] of [
      ['ar', 'عرض ردّين', 'عرض ردّ واحد'],
      ['fr', 'Afficher 2 réponses', 'Afficher 1 réponse'],
      ['en', 'Show 2 replies', 'Show 1 reply'],
    ]) {
      it(`folds replies after three and shows the rest on request (${lang})`, async () => {
        await seed(site, thread, 1, { replies: 5 });
        await seed(site, thread, 1, { replies: 4 });
        const el = await mount(site, { thread, lang });
        const [four, five] = items(el);
        expect(replyBodies(five)).to.deep.equal(['رد رقم 1 على 1', 'رد رقم 2 على 1', 'رد رقم 3 على 1']);
        expect(replyBodies(four)).to.have.length(3);
        expect(text(five.querySelector('[part~=more-replies]'))).to.equal(two);
        expect(text(four.querySelector('[part~=more-replies]'))).to.equal(one);
        await click(el, five.querySelector('[part~=more-replies]'));
        expect(replyBodies(five)).to.have.length(5);
        expect(five.querySelector('[part~=more-replies]')).to.equal(null);
        // The reader continues at the first reply that was folded.
        expect(text(active(el)?.querySelector('[part=body]'))).to.equal('رد رقم 4 على 1');
        expect(replyBodies(four), 'the other comment stays folded').to.have.length(3);
      });
    }

    for (const [lang, label, rest] of [
      ['ar', 'عرض 107 ردود', 'عرض 10 ردود'],
      ['fr', 'Afficher 107 réponses', 'Afficher 10 réponses'],
      ['en', 'Show 107 replies', 'Show 10 replies'],
    ]) {
      it(`counts the replies the server holds back past its bound, and loads them on request (${lang})`, async () => {
        await seed(site, thread, 1, { replies: 110 });
        const el = await mount(site, { thread, lang });
        const [li] = items(el);
        expect(replyBodies(li)).to.have.length(3);
        // 47 folded here, 60 past the server's 50: one button for all of them.
        expect(text(li.querySelector('[part~=more-replies]'))).to.equal(label);
        await click(el, li.querySelector('[part~=more-replies]'));
        await waitUntil(() => replyBodies(li).length === 100, 'the next 50 replies arrive');
        await el.updateComplete;
        expect(replyBodies(li).slice(48, 52)).to.deep.equal(['رد رقم 49 على 1', 'رد رقم 50 على 1', 'رد رقم 51 على 1', 'رد رقم 52 على 1'], 'in order, none missing');
        expect(text(active(el)?.querySelector('[part=body]')), 'the reader continues at the first folded reply').to.equal('رد رقم 4 على 1');
        expect(text(li.querySelector('[part~=more-replies]'))).to.equal(rest);
        await click(el, li.querySelector('[part~=more-replies]'));
        await waitUntil(() => replyBodies(li).length === 110, 'the last 10 arrive');
        await el.updateComplete;
        expect(replyBodies(li).at(-1)).to.equal('رد رقم 110 على 1');
        expect(li.querySelector('[part~=more-replies]'), 'nothing more to show').to.equal(null);
        expect(text(active(el)?.querySelector('[part=body]')), 'at the first reply loaded').to.equal('رد رقم 101 على 1');
        expect(new Set(replyBodies(li)).size, 'no reply twice').to.equal(110);
        expect(resources('/replies?cursor=')).to.have.length.greaterThan(1);
        if (lang === 'ar') await expect(el).to.be.accessible();
      });
    }

    it('indents replies on the inline-start side, replies to replies too', async () => {
      site = await newSite('post');
      const [top] = await seed(site, thread, 1, { replies: 1 });
      const { comment } = await postAs(site, thread, 'Nadia', 'réponse', top);
      await postAs(site, thread, 'Omar', 'réponse à la réponse', comment.id);
      for (const lang of ['ar', 'fr']) {
        const el = await mount(site, { thread, lang });
        const parent = $(el, 'ol[part=list] > li > [part~=comment]')!.getBoundingClientRect();
        for (const r of $$(el, '[part=replies] [part~=comment]')) {
          const box = r.getBoundingClientRect();
          if (lang === 'ar') expect(box.right, lang).to.be.lessThan(parent.right);
          else expect(box.left, lang).to.be.greaterThan(parent.left);
        }
        expect($$(el, '[part=replies] [part~=comment]')).to.have.length(3);
        fixtureCleanup();
      }
    });
  });

  describe('votes', () => {
    it('a reader who changes their mind before the server answers ends with their last choice, on screen and on the server', async () => {
      await seed(site, thread, 1);
      const el = await mount(site, { thread });
      const c = commentOf(el, 'تعليق رقم 1');
      // Three clicks in a row, none waiting for an answer: like, dislike, dislike again (taken back), like.
      await click(el, button(c, 'like'));
      await click(el, button(c, 'dislike'));
      expect([spoken(button(c, 'like')), spoken(button(c, 'dislike'))]).to.deep.equal(['أعجبني 0', 'لم يعجبني 1']);
      await click(el, button(c, 'dislike'));
      await click(el, button(c, 'like'));
      expect([spoken(button(c, 'like')), spoken(button(c, 'dislike'))]).to.deep.equal(['أعجبني 1', 'لم يعجبني 0']);
      const server = async () => (await (await fetch(`/api/v1/sites/${site}/threads/${thread}/comments`)).json()).comments[0];
      await waitUntil(async () => {
        const s = await server();
        return s.likes === 1 && s.dislikes === 0;
      }, 'the server ends with one like');
      // The widget has the last answer shortly after the server made it; then the screen still agrees.
      await new Promise((r) => setTimeout(r, 300));
      await el.updateComplete;
      expect([spoken(button(c, 'like')), spoken(button(c, 'dislike'))]).to.deep.equal(['أعجبني 1', 'لم يعجبني 0']);
      expect(button(c, 'like').getAttribute('aria-pressed')).to.equal('true');
      fixtureCleanup();
    });

    it('counts a like or dislike at once, one vote per reader, remembered across reloads', async () => {
      await seed(site, thread, 1);
      let el = await mount(site, { thread });
      let c = commentOf(el, 'تعليق رقم 1');
      const like = button(c, 'like');
      const dislike = button(c, 'dislike');
      expect(spoken(like)).to.equal('أعجبني 0');
      expect(spoken(dislike)).to.equal('لم يعجبني 0');
      expect(like.getAttribute('aria-pressed')).to.equal('false');

      await click(el, like);
      // Before the server answers.
      expect(spoken(like)).to.equal('أعجبني 1');
      expect(like.getAttribute('aria-pressed')).to.equal('true');
      await waitUntil(async () => (await (await fetch(`/api/v1/sites/${site}/threads/${thread}/comments`)).json()).comments[0].likes === 1);

      // Changing one's mind moves the vote.
      await click(el, dislike);
      expect([spoken(like), spoken(dislike)]).to.deep.equal(['أعجبني 0', 'لم يعجبني 1']);
      expect([like.getAttribute('aria-pressed'), dislike.getAttribute('aria-pressed')]).to.deep.equal(['false', 'true']);
      await waitUntil(async () => (await (await fetch(`/api/v1/sites/${site}/threads/${thread}/comments`)).json()).comments[0].dislikes === 1);
      fixtureCleanup();

      el = await mount(site, { thread });
      c = commentOf(el, 'تعليق رقم 1');
      expect(button(c, 'dislike').getAttribute('aria-pressed'), 'remembered').to.equal('true');
      expect(spoken(button(c, 'dislike'))).to.equal('لم يعجبني 1');
      // Pressed again, it is taken back.
      await click(el, button(c, 'dislike'));
      expect(spoken(button(c, 'dislike'))).to.equal('لم يعجبني 0');
      await waitUntil(() => !JSON.parse(localStorage.getItem(`taliq:votes:${site}`) ?? 'null'));
      fixtureCleanup();

      // Another reader (another Taliq-Reader id) adds their own like to the server's count.
      localStorage.clear();
      el = await mount(site, { thread });
      c = commentOf(el, 'تعليق رقم 1');
      await click(el, button(c, 'like'));
      localStorage.clear();
      fixtureCleanup();
      el = await mount(site, { thread });
      await click(el, button(commentOf(el, 'تعليق رقم 1'), 'like'));
      await waitUntil(async () => (await (await fetch(`/api/v1/sites/${site}/threads/${thread}/comments`)).json()).comments[0].likes === 2);
    });

    it('takes the vote back and says why when the server refuses it', async () => {
      // One vote a minute: the second is refused (429).
      site = await newSite('pre', { limits: { posts: { perReader: 5, perIp: 30, windowSeconds: 60 }, votes: { perReader: 1, perIp: 1, windowSeconds: 60 }, reports: { perReader: 10, perIp: 100, windowSeconds: 3600 } } });
      await seed(site, thread, 1);
      const el = await mount(site, { thread, lang: 'fr' });
      const c = commentOf(el, 'تعليق رقم 1');
      const like = button(c, 'like');
      const dislike = button(c, 'dislike');
      await click(el, like);
      await waitUntil(() => JSON.parse(localStorage.getItem(`taliq:votes:${site}`) ?? '[]').length === 1);
      await new Promise((r) => setTimeout(r, 100)); // the first vote's answer
      const failed = oneEvent(el, 'taliq-error');
      await click(el, dislike);
      expect([spoken(like), spoken(dislike)], 'at once').to.deep.equal(['J’aime 0', 'Je n’aime pas 1']);
      expect((await failed).detail.code).to.equal('rate_limited');
      await el.updateComplete;
      expect([spoken(like), spoken(dislike)], 'rolled back').to.deep.equal(['J’aime 1', 'Je n’aime pas 0']);
      expect([like.getAttribute('aria-pressed'), dislike.getAttribute('aria-pressed')]).to.deep.equal(['true', 'false']);
      expect(text(c.querySelector('[part=message]'))).to.equal('Trop de requêtes en peu de temps. Patientez un peu puis réessayez.');
      expect(text($(el, 'p.sr-only[role=status]')), 'announced').to.equal('Trop de requêtes en peu de temps. Patientez un peu puis réessayez.');
      expect(JSON.parse(localStorage.getItem(`taliq:votes:${site}`)!)).to.deep.equal([[c.id.slice(2), 1]]);
      await expect(el).to.be.accessible();
    });

    it('takes the vote back on a comment that is gone', async () => {
      const [id] = await seed(site, thread, 1);
      const el = await mount(site, { thread, lang: 'en' });
      // Gone meanwhile, and the live update that says so not arrived yet.
      el.remove();
      await setStatus('deleted', id);
      document.body.append(el);
      await settled(el);
      const c = commentOf(el, 'تعليق رقم 1');
      const like = button(c, 'like');
      const failed = oneEvent(el, 'taliq-error');
      await click(el, like);
      expect(spoken(like)).to.equal('Like 1');
      expect((await failed).detail.code).to.equal('comment_not_found');
      await el.updateComplete;
      expect(spoken(like)).to.equal('Like 0');
      expect(like.getAttribute('aria-pressed')).to.equal('false');
      expect(text(c.querySelector('[part=message]'))).to.equal('This comment or discussion does not exist.');
      expect(localStorage.getItem(`taliq:votes:${site}`)).to.equal(null);
      el.remove();
    });
  });

  describe('sorting', () => {
    it('lets the reader sort newest, oldest or most liked first', async () => {
      const [, second] = await seed(site, thread, 3);
      for (let i = 0; i < 2; i++)
        await fetch(`/api/v1/comments/${second}/vote`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', 'taliq-reader': `voter-number-${i}-abcdefgh` },
          body: JSON.stringify({ value: 1 }),
        });
      const el = await mount(site, { thread });
      const select = $<HTMLSelectElement>(el, 'select[part=sort]')!;
      expect(text(select.closest('label'))).to.contain('الترتيب');
      expect([...select.options].map((o) => [o.value, o.text])).to.deep.equal([
        ['newest', 'الأحدث'],
        ['oldest', 'الأقدم'],
        ['popular', 'الأكثر إعجابًا'],
      ]);
      expect(bodies(el)).to.deep.equal(['تعليق رقم 3', 'تعليق رقم 2', 'تعليق رقم 1']);
      for (const [sort, order] of [
        ['oldest', ['تعليق رقم 1', 'تعليق رقم 2', 'تعليق رقم 3']],
        ['popular', ['تعليق رقم 2', 'تعليق رقم 3', 'تعليق رقم 1']],
      ] as const) {
        select.value = sort;
        select.dispatchEvent(new Event('change'));
        await el.updateComplete;
        await settled(el);
        await waitUntil(() => bodies(el).length === 3);
        expect(bodies(el), sort).to.deep.equal(order);
        expect($<HTMLSelectElement>(el, 'select[part=sort]')!.value).to.equal(sort);
      }
      await expect(el).to.be.accessible();
    });
  });

  describe('the reader\'s own comments', () => {
    it('edits and deletes one\'s own comment within the edit window, and only one\'s own', async () => {
      site = await newSite('post');
      await seed(site, thread, 1);
      const el = await mount(site, { thread });
      const other = commentOf(el, 'تعليق رقم 1');
      expect(button(other, 'edit'), 'not on others\' comments').to.equal(null);
      const posted = oneEvent(el, 'taliq-posted');
      await send(el, 'Hind', 'نص أول');
      const { comment } = (await posted).detail;
      await el.updateComplete;
      const mine = commentOf(el, 'نص أول');
      expect(button(mine, 'report'), 'nobody reports their own comment').to.equal(null);
      await click(el, button(mine, 'edit'));
      const field = $<HTMLTextAreaElement>(el, '#edit-body')!;
      expect(field.value).to.equal('نص أول');
      expect(active(el)).to.equal(field);
      await expect(el).to.be.accessible();
      // Escape gives up and goes back to the button.
      field.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
      await waitUntil(() => !$(el, '#edit-body'));
      expect(active(el)).to.equal(button(mine, 'edit'));

      await click(el, button(mine, 'edit'));
      await type(el, '#edit-body', 'نص معدّل');
      await click(el, mine.querySelector<HTMLButtonElement>('form [part~=send]'));
      await waitUntil(() => text(mine.querySelector('[part=body]')) === 'نص معدّل', 'the edit was not shown');
      expect(text(mine.querySelector('[part=edited]'))).to.equal('معدَّل');
      expect(text(mine.querySelector('[part=message]'))).to.equal('حُفظ التعديل.');
      expect(active(el)?.id).to.equal(`c-${comment.id}`);
      expect(text($(el, '[part=heading]'))).to.equal('تعليقان');

      await click(el, button(mine, 'delete'));
      expect(text(mine.querySelector('form[part~=delete-form]'))).to.contain('حذف هذا التعليق نهائيًا؟');
      await expect(el).to.be.accessible();
      await click(el, mine.querySelector<HTMLButtonElement>('form [part~=send]'));
      await waitUntil(() => bodies(el).length === 1, 'the comment was not removed');
      expect(bodies(el)).to.deep.equal(['تعليق رقم 1']);
      expect(text($(el, '[part=heading]'))).to.equal('تعليق واحد');
      expect(text($(el, 'p.sr-only[role=status]'))).to.equal('حُذف تعليقك.');
      expect(active(el)?.id).to.equal('heading');
      const res = await fetch(`/api/v1/sites/${site}/threads/${thread}/comments`);
      expect((await res.json()).comments.map((c: { id: string }) => c.id)).to.not.include(comment.id);
    });

    it('shows an edited comment as awaiting review again on a pre-moderated site', async () => {
      let el = await mount(site, { thread });
      const posted = oneEvent(el, 'taliq-posted');
      await send(el, 'Hind', 'قبل');
      const { comment } = (await posted).detail;
      fixtureCleanup();
      await approve(comment.id);
      el = await mount(site, { thread });
      expect(text($(el, '[part=heading]'))).to.equal('تعليق واحد');
      const mine = commentOf(el, 'قبل');
      await waitUntil(() => button(mine, 'edit'), 'no edit button');
      await click(el, button(mine, 'edit'));
      await type(el, '#edit-body', 'بعد');
      await click(el, mine.querySelector<HTMLButtonElement>('form [part~=send]'));
      await waitUntil(() => text($(el, '[part=badge]')) === 'بانتظار المراجعة', 'not shown as awaiting review');
      expect(bodies(el)).to.deep.equal(['بعد']);
      expect(text($(el, '[part=heading]'))).to.equal('لا تعليقات');
    });

    it('says so when the edit window is over', async () => {
      site = await newSite('post', { editWindowSeconds: 1 });
      const el = await mount(site, { thread, lang: 'en' });
      const posted = oneEvent(el, 'taliq-posted');
      await send(el, 'Hind', 'too late');
      await posted;
      await el.updateComplete;
      const mine = commentOf(el, 'too late');
      await click(el, button(mine, 'edit'));
      await new Promise((r) => setTimeout(r, 1100));
      await type(el, '#edit-body', 'changed');
      await click(el, mine.querySelector<HTMLButtonElement>('form [part~=send]'));
      await waitUntil(() => text(mine.querySelector('[part=form-error]')) === 'The time to edit this comment is over.');
      expect($<HTMLTextAreaElement>(el, '#edit-body')!.value, 'the text is kept').to.equal('changed');
    });
  });

  describe('reports', () => {
    for (const [lang, thanks] of [
      ['ar', 'شكرًا، سيراجع المشرفون هذا التعليق.'],
      ['fr', 'Merci, les modérateurs examineront ce commentaire.'],
    ]) {
      it(`reports a comment with a reason and a note, says thanks and hides the button (${lang})`, async () => {
        await seed(site, thread, 2);
        const el = await mount(site, { thread, lang });
        const c = commentOf(el, 'تعليق رقم 2');
        await click(el, button(c, 'report'));
        const form = c.querySelector<HTMLFormElement>('form[part~=report-form]')!;
        const radios = [...form.querySelectorAll<HTMLInputElement>('input[type=radio]')];
        expect(radios.map((r) => r.value)).to.deep.equal(['spam', 'abuse', 'off-topic', 'other']);
        expect(active(el)).to.equal(radios[0]);
        await expect(el).to.be.accessible();
        // A reason is required.
        expect(form.checkValidity()).to.equal(false);
        radios[1].click();
        await type(el, '#report-note', 'شتائم');
        await click(el, form.querySelector<HTMLButtonElement>('[part~=send]'));
        await waitUntil(() => text(c.querySelector('[part=message]')) === thanks, 'no thanks');
        expect(button(c, 'report')).to.equal(null);
        expect(button(commentOf(el, 'تعليق رقم 1'), 'report'), 'other comments keep theirs').to.not.equal(null);
        expect(active(el)).to.equal(c);
        expect(text($(el, 'p.sr-only[role=status]'))).to.equal(thanks);
      });
    }
  });

  describe('live updates', () => {
    for (const [lang, one, two] of [
      ['ar', 'تعليق جديد', 'تعليقان جديدان'],
      ['fr', '1 nouveau commentaire', '2 nouveaux commentaires'],
      ['en', '1 new comment', '2 new comments'],
    ]) {
      it(`collects comments approved while the page is open behind a "new comments" button (${lang})`, async () => {
        const [top] = await seed(site, thread, 2);
        const el = await mount(site, { thread, lang });
        await following(thread);
        const a = await postAs(site, thread, 'Nadia', 'جديد من نادية');
        expect(a.comment.status).to.equal('pending');
        await approve(a.comment.id);
        const fresh = () => $<HTMLButtonElement>(el, 'button[part~=fresh]');
        await waitUntil(() => fresh(), 'no new-comments notice', { timeout: 5000 });
        expect(text(fresh())).to.equal(one);
        expect(fresh()!.parentElement!.getAttribute('aria-live')).to.equal('polite');
        // Nothing moves under the reader's eyes until asked; the count follows at once.
        expect(bodies(el)).to.deep.equal(['تعليق رقم 2', 'تعليق رقم 1']);
        const reply = await postAs(site, thread, 'Omar', 'رد حي', top);
        await approve(reply.comment.id);
        await waitUntil(() => text(fresh()) === two, 'the second one was not counted', { timeout: 5000 });
        await expect(el).to.be.accessible();

        await click(el, fresh());
        expect(fresh()).to.equal(null);
        expect(bodies(el)).to.deep.equal(['جديد من نادية', 'تعليق رقم 2', 'تعليق رقم 1']);
        expect(replyBodies(items(el)[2])).to.deep.equal(['رد حي']);
        await waitUntil(() => active(el)?.id === `c-${a.comment.id}`, 'focus did not move to the new comment');
      });
    }

    it('applies edits and removals in place, and keeps the count right', async () => {
      site = await newSite('post');
      const [, second] = await seed(site, thread, 2);
      const posted = await postAs(site, thread, 'Nadia', 'نص قبل التعديل');
      const el = await mount(site, { thread });
      await following(thread);
      expect(text($(el, '[part=heading]'))).to.equal('3 تعليقات');
      await fetch(`/api/v1/comments/${posted.comment.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${posted.editToken}` },
        body: JSON.stringify({ body: 'نص بعد التعديل' }),
      });
      await waitUntil(() => bodies(el)[0] === 'نص بعد التعديل', 'the edit did not arrive', { timeout: 5000 });
      expect(text(commentOf(el, 'نص بعد التعديل').querySelector('[part=edited]'))).to.equal('معدَّل');
      await setStatus('rejected', second);
      await waitUntil(() => bodies(el).length === 2, 'the removal did not arrive', { timeout: 5000 });
      expect(bodies(el)).to.deep.equal(['نص بعد التعديل', 'تعليق رقم 1']);
      expect(text($(el, '[part=heading]'))).to.equal('تعليقان');
      expect($(el, 'button[part~=fresh]')).to.equal(null);
    });

    it('shows the reader\'s own comment as approved when a moderator approves it', async () => {
      const el = await mount(site, { thread });
      const posted = oneEvent(el, 'taliq-posted');
      await send(el, 'Hind', 'انتظر الموافقة');
      const { comment } = (await posted).detail;
      await waitUntil(() => $(el, '[part=badge]'));
      await following(thread);
      await approve(comment.id);
      await waitUntil(() => !$(el, '[part=badge]'), 'still marked as awaiting review', { timeout: 5000 });
      expect(text($(el, '[part=heading]'))).to.equal('تعليق واحد');
      expect($(el, 'button[part~=fresh]'), 'not news to its author').to.equal(null);
    });

    it('picks up where it left off after the connection drops', async () => {
      await seed(site, thread, 1);
      const el = await mount(site, { thread, lang: 'en' });
      await following(thread);
      const before = await postAs(site, thread, 'A', 'before the cut');
      await approve(before.comment.id);
      await waitUntil(() => text($(el, 'button[part~=fresh]')) === '1 new comment', 'no notice', { timeout: 5000 });
      await streams(thread, { cut: true });
      // Approved while the stream is down: the browser reconnects with Last-Event-ID.
      const during = await postAs(site, thread, 'B', 'during the cut');
      await approve(during.comment.id);
      await waitUntil(() => text($(el, 'button[part~=fresh]')) === '2 new comments', 'missed while reconnecting', { timeout: 8000 });
    });

    it('opens the stream again, after the last event it saw, when the server refused it', async () => {
      await seed(site, thread, 1);
      const el = await mount(site, { thread, lang: 'en' });
      await following(thread);
      const before = await postAs(site, thread, 'A', 'before');
      await approve(before.comment.id);
      await waitUntil(() => text($(el, 'button[part~=fresh]')) === '1 new comment', 'no notice', { timeout: 5000 });
      // The reconnection is refused: EventSource closes for good, the widget opens a new one.
      await streams(thread, { cut: true, refuse: 1 });
      await waitUntil(async () => (await streams(thread)) === 0, 'the stream was not cut');
      const during = await postAs(site, thread, 'B', 'during');
      await approve(during.comment.id);
      await waitUntil(() => text($(el, 'button[part~=fresh]')) === '2 new comments', 'did not come back', { timeout: 9000 });
      const { urls } = await streamLog(thread);
      expect(urls.at(-1), 'a fresh EventSource after the last id').to.match(/\/events\?after=\d+$/);
    });

    it('closes the stream when the element leaves the page', async () => {
      await mount(site, { thread });
      await following(thread);
      fixtureCleanup();
      await waitUntil(async () => (await streams(thread)) === 0, 'the stream stayed open');
    });
  });

  describe('sign-in through the publisher', () => {
    it('locks the name to the signed-in reader and posts as a verified author', async () => {
      site = await newSite('post');
      await seed(site, thread, 1);
      const token = await ssoToken(site, 'سارة بنعلي');
      localStorage.setItem('taliq:name', JSON.stringify('اسم قديم'));
      const el = await mount(site, { thread, token });
      const name = $<HTMLInputElement>(el, '#name')!;
      expect(name.value).to.equal('سارة بنعلي');
      expect(name.readOnly).to.equal(true);
      expect(text($(el, '#name-who'))).to.equal('سجّلت الدخول باسم سارة بنعلي');
      expect(name.getAttribute('aria-describedby')).to.contain('name-who');
      await expect(el).to.be.accessible();
      const posted = oneEvent(el, 'taliq-posted');
      await type(el, '#body', 'تعليق موثّق');
      $<HTMLButtonElement>(el, 'button[part~=send]')!.click();
      const { comment } = (await posted).detail;
      expect(comment.author).to.deep.equal({ name: 'سارة بنعلي', verified: true });
      await el.updateComplete;
      expect(commentOf(el, 'تعليق موثّق').querySelector('[part=verified]')).to.not.equal(null);

      // The reply form is locked the same way; votes go through with the token.
      const other = commentOf(el, 'تعليق رقم 1');
      await click(el, button(other, 'reply'));
      expect($<HTMLInputElement>(el, '#reply-name')!.readOnly).to.equal(true);
      expect(active(el)?.id).to.equal('reply-body');
      await expect(el).to.be.accessible();
      await click(el, button(other, 'like'));
      await waitUntil(async () => (await (await fetch(`/api/v1/sites/${site}/threads/${thread}/comments?sort=oldest`)).json()).comments[0].likes === 1);
      expect(other.querySelector('[part=message]'), 'no error').to.equal(null);
      expect(JSON.parse(localStorage.getItem('taliq:name')!), 'the anonymous name is left alone').to.equal('اسم قديم');
    });

    it('says so when the sign-in token is refused', async () => {
      const el = await mount(site, { thread, token: 'eyJhbGciOiJIUzI1NiJ9.eyJuYW1lIjoiWCJ9.bad' });
      expect(($(el, '#name') as HTMLInputElement).value).to.equal('X');
      const failed = oneEvent(el, 'taliq-error');
      await type(el, '#body', 'نص');
      $<HTMLButtonElement>(el, 'button[part~=send]')!.click();
      expect((await failed).detail.code).to.equal('unauthorized');
    });
  });

  describe('on the host page', () => {
    it('asks nothing of the server until the reader comes near, and keeps its room meanwhile', async () => {
      await seed(site, thread, 3);
      const wrapper = await fixture<HTMLDivElement>(html`<div style="font: 19px Georgia, serif">
        <div style="block-size: 4000px">article</div>
        <taliq-comments site=${site} thread=${thread} lang="ar"></taliq-comments>
      </div>`);
      const el = wrapper.querySelector('taliq-comments')!;
      await el.updateComplete;
      await new Promise((r) => setTimeout(r, 300));
      expect(resources(`/threads/${thread}/comments`), 'no request before').to.have.length(0);
      expect(el.getBoundingClientRect().height, 'room kept').to.be.greaterThan(300);
      el.scrollIntoView();
      await settled(el as TaliqComments);
      expect(bodies(el as TaliqComments)).to.have.length(3);
      expect(resources(`/threads/${thread}/comments`)).to.have.length(1);
      // The page's font, in the fields and buttons too.
      for (const sel of ['h2', 'textarea', 'button[part~=send]', 'select'])
        expect(getComputedStyle($(el as TaliqComments, sel)!).fontFamily, sel).to.equal('Georgia, serif');
      window.scrollTo(0, 0);
    });

    it('hides the server-rendered thread the publisher put inside, once it renders', async () => {
      await seed(site, thread, 1);
      const el = await fixture<TaliqComments>(html`<taliq-comments site=${site} thread=${thread}
        ><section class="seo"><p>تعليق من الصفحة</p><script type="application/ld+json">{}</script></section></taliq-comments
      >`);
      await settled(el);
      const seo = el.querySelector<HTMLElement>('.seo')!;
      expect(seo.getClientRects().length).to.equal(0);
      expect(seo.checkVisibility()).to.equal(false);
      expect(bodies(el)).to.deep.equal(['تعليق رقم 1']);
      await expect(el).to.be.accessible();
    });
  });

  describe('accessibility with everything open', () => {
    for (const [lang, theme] of [
      ['ar', 'light'],
      ['fr', 'dark'],
      ['en', 'light'],
    ]) {
      it(`has no axe violations with replies, votes, notices and forms open (${lang}, ${theme})`, async () => {
        await seed(site, thread, 2, { replies: 4 });
        const el = await mount(site, { thread, lang, theme });
        await following(thread);
        const [first] = items(el);
        await click(el, button(first.querySelector('[part~=comment]')!, 'like'));
        const news = await postAs(site, thread, 'Nadia', 'جديد');
        await approve(news.comment.id);
        await waitUntil(() => $(el, 'button[part~=fresh]'), 'no notice', { timeout: 5000 });
        // A reply form with its errors showing.
        const target = first.querySelector('[part=replies] [part~=comment]')!;
        await click(el, button(target, 'reply'));
        await click(el, target.querySelector<HTMLButtonElement>('form [part~=send]'));
        await waitUntil(() => $(el, '#reply-body[aria-invalid=true]'));
        await expect(el).to.be.accessible();
        // The report form.
        await click(el, button(target, 'report'));
        await expect(el).to.be.accessible();
        // Every reply unfolded, and the sort switcher used by keyboard.
        await click(el, first.querySelector('[part~=more-replies]'));
        await expect(el).to.be.accessible();
      });
    }

    it('can be used by keyboard alone: every control is reachable and shows its focus', async () => {
      await seed(site, thread, 1, { replies: 1 });
      const el = await mount(site, { thread });
      // Every control a reader can see (a honeypot field hidden from people is left out on purpose).
      const controls = $$(el, 'input, textarea, select, button').filter((c) => !c.closest('[aria-hidden=true]'));
      for (const c of controls) {
        expect(c.tabIndex, c.outerHTML).to.equal(0);
        c.focus();
        expect(active(el), c.outerHTML).to.equal(c);
      }
      // Buttons have a visible focus ring (applied on keyboard focus).
      const rule = [...el.shadowRoot!.adoptedStyleSheets.flatMap((s) => [...s.cssRules])].find((r) => r.cssText.startsWith(':focus-visible'));
      expect(rule?.cssText).to.contain('outline: 2px solid');
    });
  });
});
