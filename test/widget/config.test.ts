import { expect } from '@open-wc/testing';
import { jwtClaims, readConfig, readEnv, resolveLanguage, type Env } from '../../packages/widget/src/config.js';

const env: Env = {
  scriptUrl: 'https://comments.example.com/taliq.js',
  canonical: null,
  href: 'https://news.example.ma/politique/article-42?utm=x#comments',
  title: 'عنوان المقال',
};

describe('readConfig', () => {
  it('fills every default from the page', () => {
    expect(readConfig({ site: 'akhbar' }, env)).to.deep.equal({
      site: 'akhbar',
      thread: '/politique/article-42',
      api: 'https://comments.example.com',
      lang: 'ar',
      locale: 'ar-u-nu-latn',
      dir: 'rtl',
      threadTitle: 'عنوان المقال',
      threadUrl: 'https://news.example.ma/politique/article-42?utm=x',
      sort: 'newest',
      theme: 'auto',
      token: undefined,
      signedInAs: undefined,
    });
  });

  it('takes the thread and URL from the canonical link when there is one', () => {
    const c = readConfig({ site: 's' }, { ...env, canonical: '/ar/article-42' });
    expect(c.thread).to.equal('/ar/article-42');
    expect(c.threadUrl).to.equal('https://news.example.ma/ar/article-42');
  });

  it('prefers the attributes', () => {
    const c = readConfig(
      {
        site: ' s ',
        thread: 'article-42',
        api: 'https://api.example.com/taliq/',
        lang: 'fr',
        dir: 'RTL',
        threadTitle: 'Titre',
        threadUrl: 'https://a.example/x#y',
        sort: 'oldest',
        theme: 'dark',
        token: 'jwt',
      },
      env,
    );
    expect(c).to.include({
      site: 's',
      thread: 'article-42',
      api: 'https://api.example.com/taliq',
      lang: 'fr',
      dir: 'rtl',
      threadTitle: 'Titre',
      threadUrl: 'https://a.example/x#y',
      sort: 'oldest',
      theme: 'dark',
      token: 'jwt',
    });
  });

  it('ignores values it does not know', () => {
    const c = readConfig({ site: 's', sort: 'random', theme: 'pink', dir: 'auto', lang: 'de' }, env);
    expect(c).to.include({ sort: 'newest', theme: 'auto', lang: 'ar', dir: 'rtl' });
  });

  it('sends no thread URL a server would refuse', () => {
    const c = readConfig({ site: 's' }, { ...env, href: 'file:///home/me/page.html', title: '  ' });
    expect(c.threadUrl).to.equal(undefined);
    expect(c.threadTitle).to.equal(undefined);
    expect(c.thread).to.equal('/home/me/page.html');
  });

  it('reads the canonical link, location and title of a document', () => {
    const doc = document.implementation.createHTMLDocument('Un titre');
    doc.head.insertAdjacentHTML('beforeend', '<link rel="canonical" href="https://news.example.ma/a">');
    const e = readEnv(doc, 'https://cdn.example.com/taliq.js');
    expect(e).to.include({ canonical: 'https://news.example.ma/a', title: 'Un titre', scriptUrl: 'https://cdn.example.com/taliq.js' });
  });
});

describe('sign-in tokens', () => {
  const jwt = (claims: unknown) =>
    `eyJhbGciOiJIUzI1NiJ9.${btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(claims)))).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}.c2ln`;

  it('reads the claims of a JWT without checking it, Arabic names included', () => {
    expect(jwtClaims(jwt({ sub: '42', name: 'سارة بنعلي' }))).to.deep.equal({ sub: '42', name: 'سارة بنعلي' });
    expect(readConfig({ site: 's', token: jwt({ name: ' سارة ' }) }, env).signedInAs).to.equal('سارة');
  });

  it('shrugs off tokens it cannot read', () => {
    for (const t of ['', 'abc', 'a.b.c', 'a.bnVsbA.c', jwt('just a string')]) expect(jwtClaims(t), t).to.equal(null);
    expect(readConfig({ site: 's', token: jwt({ sub: '1' }) }, env)).to.include({ signedInAs: undefined });
    expect(readConfig({ site: 's', token: 'not-a-jwt' }, env)).to.include({ token: 'not-a-jwt', signedInAs: undefined });
  });
});

describe('resolveLanguage', () => {
  it('follows the language for strings and the full tag for numbers, with Western digits unless asked', () => {
    expect(resolveLanguage('ar')).to.deep.equal({ lang: 'ar', locale: 'ar-u-nu-latn' });
    expect(resolveLanguage('ar-MA')).to.deep.equal({ lang: 'ar', locale: 'ar-MA-u-nu-latn' });
    expect(resolveLanguage('ar-EG-u-nu-arab')).to.deep.equal({ lang: 'ar', locale: 'ar-EG-u-nu-arab' });
    expect(resolveLanguage('fr-MA')).to.deep.equal({ lang: 'fr', locale: 'fr-MA-u-nu-latn' });
    expect(resolveLanguage('en')).to.deep.equal({ lang: 'en', locale: 'en-u-nu-latn' });
  });

  it('keeps the other Unicode extensions of a tag', () => {
    expect(resolveLanguage('ar-MA-u-ca-islamic')).to.deep.equal({ lang: 'ar', locale: 'ar-MA-u-nu-latn-ca-islamic' });
    expect(new Intl.NumberFormat(resolveLanguage('ar-MA-u-ca-islamic').locale).resolvedOptions().numberingSystem).to.equal('latn');
    expect(resolveLanguage('FR-ma').lang).to.equal('fr');
  });

  it('falls back to Arabic for unknown or malformed tags', () => {
    expect(resolveLanguage('').lang).to.equal('ar');
    expect(resolveLanguage('de-DE').lang).to.equal('ar');
    expect(resolveLanguage('not a tag!').lang).to.equal('ar');
  });
});
