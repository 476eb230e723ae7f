/**
 * <taliq-count>: "N comments" with each language's plural rules, every count of a page in one
 * request per site. Against the real API (test/support/wtr-server.ts).
 */
import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { render } from 'lit';
import '../../packages/widget/src/index.js';
import { TaliqCount } from '../../packages/widget/src/taliq-count.js';
// taliq.js fetches taliq-count.js once a page holds a <taliq-count>; here it is loaded up front.
import '../../packages/widget/src/count.js';
import { countRequests, newSite, newThread, seed } from './helpers.js';

const shown = (el: Element) => el.shadowRoot?.textContent ?? null;
const all = (root: Element) => [...root.querySelectorAll('taliq-count')];
const counted = (root: Element) => waitUntil(() => all(root).every((c) => shown(c) !== null), 'not every count arrived', { timeout: 5000 });

describe('<taliq-count>', () => {
  const sizes = [0, 1, 2, 3, 11, 100];
  let site: string;
  let threads: string[];

  before(async () => {
    site = await newSite();
    threads = sizes.map(() => newThread());
    for (const [i, n] of sizes.entries()) if (n) await seed(site, threads[i], n);
  });
  afterEach(() => fixtureCleanup());

  /** One <taliq-count> per seeded thread, in a list like a home page's. */
  const page = (lang: string, s = site) =>
    fixture<HTMLUListElement>(html`<ul>
      ${threads.map((t) => html`<li><a href="#">${t}</a> <taliq-count site=${s} thread=${t} lang=${lang}></taliq-count></li>`)}
    </ul>`);

  it('is defined by taliq-count.js', () => {
    expect(customElements.get('taliq-count')).to.equal(TaliqCount);
  });

  it('says each count with the six Arabic plural forms, in Western digits, all in one request', async () => {
    // A site of its own: counts are cacheable, and this one must reach the server.
    const own = await newSite();
    for (const [i, n] of sizes.entries()) if (n) await seed(own, threads[i], n);
    const list = await page('ar', own);
    await counted(list);
    expect(all(list).map(shown)).to.deep.equal(['لا تعليقات', 'تعليق واحد', 'تعليقان', '3 تعليقات', '11 تعليقًا', '100 تعليق']);
    expect(await countRequests(own), 'one request for the whole page').to.equal(1);
  });

  it('counts replies too', async () => {
    const t = newThread();
    await seed(site, t, 1, { replies: 10 });
    const el = await fixture<HTMLElement>(html`<taliq-count site=${site} thread=${t}></taliq-count>`);
    await waitUntil(() => shown(el), 'no count', { timeout: 5000 });
    expect(shown(el)).to.equal('11 تعليقًا');
  });

  for (const [lang, words] of [
    ['fr', ['Aucun commentaire', '1 commentaire', '2 commentaires', '3 commentaires', '11 commentaires', '100 commentaires']],
    ['fr-MA', ['Aucun commentaire', '1 commentaire', '2 commentaires', '3 commentaires', '11 commentaires', '100 commentaires']],
    ['en', ['No comments', '1 comment', '2 comments', '3 comments', '11 comments', '100 comments']],
    ['ar-MA', ['لا تعليقات', 'تعليق واحد', 'تعليقان', '3 تعليقات', '11 تعليقًا', '100 تعليق']],
    ['ar-u-nu-arab', ['لا تعليقات', 'تعليق واحد', 'تعليقان', '٣ تعليقات', '١١ تعليقًا', '١٠٠ تعليق']],
  ] as const) {
    it(`words follow the language and digits the tag: ${lang}`, async () => {
      const list = await page(lang);
      await counted(list);
      expect(all(list).map(shown)).to.deep.equal(words);
    });
  }

  it('asks in batches of 50 threads, one batch per site', async () => {
    const other = await newSite();
    const keys = Array.from({ length: 60 }, (_, i) => `t-${i}`);
    await seed(other, 't-59', 2);
    const host = await fixture<HTMLDivElement>(html`<div>
      ${keys.map((k) => html`<taliq-count site=${other} thread=${k} lang="en"></taliq-count>`)}
      <taliq-count site=${site} thread=${threads[1]} lang="en"></taliq-count>
    </div>`);
    await counted(host);
    expect(await countRequests(other)).to.equal(2);
    const counts = all(host).map(shown);
    expect(counts[0]).to.equal('No comments');
    expect(counts[59]).to.equal('2 comments');
    expect(counts[60]).to.equal('1 comment');
  });

  it('counts elements added later, and follows a change of thread', async () => {
    const host = await fixture<HTMLDivElement>(html`<div></div>`);
    render(html`<taliq-count site=${site} thread=${threads[2]}></taliq-count>`, host);
    await counted(host);
    const el = host.querySelector('taliq-count')!;
    expect(shown(el)).to.equal('تعليقان');
    el.setAttribute('thread', threads[3]);
    await waitUntil(() => shown(el) === '3 تعليقات', 'did not follow the new thread', { timeout: 5000 });
  });

  it('keeps its fallback text when there is no count to show', async () => {
    const el = await fixture<HTMLElement>(html`<taliq-count site="no-such-site" thread="x">تعليقات</taliq-count>`);
    await new Promise((r) => setTimeout(r, 300));
    expect(el.shadowRoot).to.equal(null);
    expect(el.textContent).to.equal('تعليقات');
    expect(el.getClientRects().length).to.be.greaterThan(0);
  });

  it('replaces the fallback text once the count arrives, and reads well in a left-to-right line', async () => {
    const p = await fixture<HTMLParagraphElement>(
      html`<p dir="ltr" lang="fr">Article — <taliq-count site=${site} thread=${threads[3]} lang="ar">commentaires</taliq-count></p>`,
    );
    const el = p.querySelector('taliq-count')!;
    await waitUntil(() => shown(el), 'no count', { timeout: 5000 });
    expect(el.shadowRoot!.querySelector('bdi')!.textContent).to.equal('3 تعليقات');
    // The light-DOM fallback is not rendered any more; the count is, isolated from the French around it.
    expect(p.innerText).to.not.contain('commentaires');
    const fallback = document.createRange();
    fallback.selectNodeContents(el);
    expect(fallback.getClientRects().length).to.equal(0);
    expect(el.shadowRoot!.querySelector('bdi')!.getClientRects().length).to.be.greaterThan(0);
  });
});
