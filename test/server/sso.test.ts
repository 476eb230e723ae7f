/**
 * Sign-in tokens as a publisher makes them: HS256 with the site's ssoSecret, RS256 and ES256 with
 * keys the publisher serves as a JWKS (a real HTTP server on this machine, allowed the way an
 * operator allows an internal host). What a reader notices: a verified comment, or a 401 envelope
 * that says why, and nothing stored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { sign } from 'hono/jwt';
import { createApp } from '../../packages/server/src/app.js';
import { signSsoToken } from '../../packages/server/src/sso.js';
import { ADMIN_TOKEN, api, ORIGIN, SECRET, SITE, testApp, type TestApp } from '../support/app.js';

const DAY = 24 * 3600;
const b64 = (o: unknown) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)).toString('base64url');

async function siteSecret(t: TestApp): Promise<string> {
  return (await api(t).call('GET', `/admin/sites/${SITE}`, undefined, api(t).mod())).body.ssoSecret;
}

const nowS = (t: TestApp) => Math.floor(t.clock.now / 1000);

/** Posts a comment with the token; answers the status, the body and whether the comment is verified. */
async function postWith(t: TestApp, token: string, app = t.app) {
  const res = await app.request(`/api/v1/sites/${SITE}/threads/sso/comments`, {
    method: 'POST',
    headers: { origin: ORIGIN, 'content-type': 'application/json', 'taliq-token': token },
    body: JSON.stringify({ author: { name: 'اسم يكتبه القارئ' }, body: 'تعليق قارئ مسجّل' }),
  });
  const body = await res.json();
  return { status: res.status, body, headers: res.headers, verified: body.comment?.author?.verified as boolean | undefined };
}

async function commentCount(t: TestApp) {
  return ((await t.tables()).comments ?? []).length;
}

/** Signs header.payload with HMAC-SHA256 under any key: for tokens a forger would make. */
function hmacToken(header: unknown, payload: unknown, key: string | Buffer) {
  const data = `${b64(header)}.${b64(payload)}`;
  return `${data}.${createHmac('sha256', key).update(data).digest('base64url')}`;
}

test('an HS256 token with exp signs the reader in; without exp, or with exp over 30 days away, it is refused', async () => {
  const t = await testApp();
  try {
    const secret = await siteSecret(t);
    const now = nowS(t);
    const ok = await postWith(t, await signSsoToken(secret, { sub: 'u1', name: 'سارة', exp: now + 3600 }));
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal(ok.verified, true);
    assert.equal(ok.body.comment.author.name, 'سارة');
    const stored = await commentCount(t);

    const refused = async (claims: Record<string, unknown>, why: RegExp) => {
      const r = await postWith(t, await signSsoToken(secret, { sub: 'u1', name: 'سارة', ...claims }));
      assert.equal(r.status, 401, JSON.stringify(claims));
      assert.equal(r.body.error.code, 'unauthorized');
      assert.match(r.body.error.message, why);
    };
    await refused({}, /claims: exp/);
    await refused({ exp: now + 31 * DAY }, /more than 30 days away/);
    await refused({ exp: 'tomorrow' }, /claims: exp/);
    await refused({ exp: now - 61 }, /expired/);
    await refused({ exp: now + 3600, nbf: now + 120 }, /not valid yet/);
    await refused({ exp: now + 3600, iat: now + 120 }, /issued in the future/);
    await refused({ exp: now + 3600, aud: 'another-site' }, /aud must be the site id "akhbar"/);
    assert.equal(await commentCount(t), stored, 'nothing stored for a refused token');

    // The edges: 30 days ahead, 59 s expired or early (clock skew), aud naming the site.
    for (const claims of [{ exp: now + 30 * DAY }, { exp: now - 59 }, { exp: now + 60, nbf: now + 59, iat: now + 59 }, { exp: now + 60, aud: SITE }, { exp: now + 60, aud: ['x', SITE] }]) {
      const r = await postWith(t, await signSsoToken(secret, { sub: 'u1', name: 'سارة', ...claims }));
      assert.equal(r.status, 201, `${JSON.stringify(claims)}: ${JSON.stringify(r.body)}`);
    }
    // The cap moves with the clock: a token good for 30 days today is still good tomorrow.
    const month = await signSsoToken(secret, { sub: 'u1', name: 'سارة', exp: now + 30 * DAY });
    t.clock.now += DAY * 1000;
    assert.equal((await postWith(t, month)).status, 201);
  } finally {
    await t.close();
  }
});

test('hostile sign-in tokens get a 401 envelope, never a 500, and change nothing', async () => {
  const t = await testApp();
  try {
    const secret = await siteSecret(t);
    const now = nowS(t);
    const claims = { sub: 'admin', name: 'admin', exp: now + 3600 };
    const valid = await signSsoToken(secret, claims);
    const before = await commentCount(t);
    const tokens = [
      `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
      `${b64({ alg: 'none' })}.${b64(claims)}`,
      hmacToken({ alg: 'HS512', typ: 'JWT' }, claims, secret),
      hmacToken({ alg: 'HS256', typ: 'JWT' }, claims, 'ssosec_guessed'),
      hmacToken({ alg: 'HS256', typ: 'JWT', crit: ['exp'] }, claims, secret),
      hmacToken({ alg: 'HS256', typ: 'JWT' }, { ...claims, sub: 42 }, secret),
      hmacToken({ alg: 'HS256', typ: 'JWT' }, [claims], secret),
      hmacToken({ alg: 'HS256', typ: 'JWT' }, 'a string', secret),
      hmacToken({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp: 1e999 }, secret),
      hmacToken({ alg: ['HS256'] }, claims, secret),
      `${b64('not json')}.${b64(claims)}.x`,
      `${b64({ alg: 'HS256', pad: 'x'.repeat(5000) })}.${b64(claims)}.x`,
      valid.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A')),
      `${valid}.x`, valid.split('.').slice(0, 2).join('.'), 'a.b.c', '..', '%%%.@@@.***', `${b64(null)}.${b64(null)}.x`,
      `${b64({ alg: 'RS256', kid: 'k1' })}.${b64(claims)}.${'A'.repeat(342)}`,
      `${b64({ alg: 'ES256' })}.${b64(claims)}.x`,
    ];
    for (const token of tokens) {
      const r = await postWith(t, token);
      assert.equal(r.status, 401, `${token.slice(0, 80)}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, 'unauthorized');
      assert.match(r.body.error.message, /^The sign-in token is not valid \(.+\); sign in again$/);
    }
    assert.equal(await commentCount(t), before);
    // Without ssoJwksUrl, RS256 says what the site takes.
    const rs = await postWith(t, `${b64({ alg: 'RS256', kid: 'k1' })}.${b64(claims)}.${'A'.repeat(342)}`);
    assert.match(rs.body.error.message, /RS256 needs the site's ssoJwksUrl/);
  } finally {
    await t.close();
  }
});

// ---- JWKS ------------------------------------------------------------------------------------

interface Publisher {
  url: string;
  hits: () => number;
  /** What the next answers are: the JWKS, or something else. */
  answer: { status: number; type: string; body: string };
  keys: { kid: string; alg: string; private: JsonWebKey; public: JsonWebKey }[];
  jwks(): string;
  close(): Promise<void>;
}

function keyPair(kind: 'rsa' | 'ec', kid: string) {
  const { privateKey, publicKey } = kind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, alg: kind === 'rsa' ? 'RS256' : 'ES256', private: privateKey.export({ format: 'jwk' }), public: publicKey.export({ format: 'jwk' }), pem: publicKey.export({ format: 'pem', type: 'spki' }) as string };
}

const RSA = keyPair('rsa', 'rsa-1');
const EC = keyPair('ec', 'ec-1');
const RSA_2 = keyPair('rsa', 'rsa-2');

/** The publisher's JWKS on a local HTTP server. */
async function publisher(): Promise<Publisher> {
  let hits = 0;
  const p: Publisher = {
    url: '',
    hits: () => hits,
    answer: { status: 200, type: 'application/json', body: '' },
    keys: [RSA, EC],
    jwks: () => JSON.stringify({ keys: p.keys.map((k) => ({ ...k.public, kid: k.kid, alg: k.alg, use: 'sig' })) }),
    close: () => new Promise((r) => server.close(() => r())),
  };
  const server: Server = createServer((req, res) => {
    hits++;
    const body = p.answer.body || p.jwks();
    res.writeHead(p.answer.status, { 'content-type': p.answer.type }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  p.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/.well-known/jwks.json`;
  return p;
}

const signWith = (key: { kid: string; alg: string; private: JsonWebKey }, claims: Record<string, unknown>) =>
  sign(claims as never, { ...key.private, kid: key.kid, alg: key.alg } as never);

test('RS256 and ES256 tokens verify against the site\'s JWKS; the document is fetched once and kept', async () => {
  const pub = await publisher();
  const t = await testApp();
  try {
    const a = api(t);
    const set = await a.call('PATCH', `/admin/sites/${SITE}`, { ssoJwksUrl: pub.url }, a.mod());
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.settings.ssoJwksUrl, pub.url);
    const now = nowS(t);
    const rs = await postWith(t, await signWith(RSA, { sub: 'r1', name: 'ريم', exp: now + 3600 }));
    assert.equal(rs.status, 201, JSON.stringify(rs.body));
    assert.equal(rs.verified, true);
    const es = await postWith(t, await signWith(EC, { sub: 'e1', name: 'إلياس', exp: now + 3600, aud: SITE }));
    assert.equal(es.status, 201, JSON.stringify(es.body));
    assert.equal(pub.hits(), 1, 'one fetch for both keys');
    // HS256 with the site secret still works beside the JWKS.
    assert.equal((await postWith(t, await signSsoToken(await siteSecret(t), { sub: 'h1', name: 'هند', exp: now + 60 }))).status, 201);

    // The same rules for times: exp required and capped.
    const noExp = await postWith(t, await signWith(RSA, { sub: 'r1', name: 'ريم' }));
    assert.equal(noExp.status, 401);
    assert.equal((await postWith(t, await signWith(EC, { sub: 'e1', name: 'x', exp: now + 31 * DAY }))).status, 401);

    // An unknown kid: refetched at most once a minute (a publisher rotating keys), then found.
    pub.keys = [RSA, EC, RSA_2];
    const rotated = await signWith(RSA_2, { sub: 'r2', name: 'رشيد', exp: now + 3600 });
    const tooSoon = await postWith(t, rotated);
    assert.equal(tooSoon.status, 401);
    assert.match(tooSoon.body.error.message, /no RS256 key "rsa-2"/);
    assert.equal(pub.hits(), 1);
    t.clock.now += 61_000;
    assert.equal((await postWith(t, rotated)).status, 201);
    assert.equal(pub.hits(), 2);
    const unknown = await signWith({ ...RSA_2, kid: 'nobody' }, { sub: 'r2', name: 'x', exp: now + 3600 });
    assert.equal((await postWith(t, unknown)).status, 401);
    assert.equal((await postWith(t, unknown)).status, 401);
    assert.equal(pub.hits(), 2, 'unknown kids do not refetch within the minute');

    // After 10 minutes the document is fetched again: a removed key stops working.
    pub.keys = [EC];
    t.clock.now += 10 * 60_000;
    const gone = await postWith(t, await signWith(RSA, { sub: 'r1', name: 'ريم', exp: nowS(t) + 60 }));
    assert.equal(gone.status, 401);
    assert.equal(pub.hits(), 3);
  } finally {
    await t.close();
    await pub.close();
  }
});

test('algorithm confusion: a token may not choose HS256 with the publisher\'s public key, nor a key of another type', async () => {
  const pub = await publisher();
  const t = await testApp();
  try {
    const a = api(t);
    assert.equal((await a.call('PATCH', `/admin/sites/${SITE}`, { ssoJwksUrl: pub.url }, a.mod())).status, 200);
    const claims = { sub: 'admin', name: 'admin', exp: nowS(t) + 3600 };
    const before = await commentCount(t);
    const jwkText = JSON.stringify({ ...RSA.public, kid: RSA.kid, alg: RSA.alg, use: 'sig' });
    const forged = [
      // HMAC keyed with the public key, as PEM, as the JWK's text, and as the JWKS document.
      hmacToken({ alg: 'HS256', typ: 'JWT', kid: RSA.kid }, claims, RSA.pem),
      hmacToken({ alg: 'HS256', typ: 'JWT', kid: RSA.kid }, claims, jwkText),
      hmacToken({ alg: 'HS256', typ: 'JWT' }, claims, pub.jwks()),
      hmacToken({ alg: 'HS256', typ: 'JWT' }, claims, Buffer.from(RSA.public.n!, 'base64url')),
      // An RS256 header naming the EC key, and an ES256 one naming the RSA key.
      (await signWith(EC, claims)).replace(/^[^.]+/, b64({ alg: 'RS256', typ: 'JWT', kid: EC.kid })),
      (await signWith(RSA, claims)).replace(/^[^.]+/, b64({ alg: 'ES256', typ: 'JWT', kid: RSA.kid })),
      // Signed with a key the publisher does not serve, under a kid it does.
      await signWith({ ...RSA_2, kid: RSA.kid }, claims),
    ];
    for (const token of forged) {
      const r = await postWith(t, token);
      assert.equal(r.status, 401, `${token.slice(0, 60)}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, 'unauthorized');
    }
    assert.equal(await commentCount(t), before);
  } finally {
    await t.close();
    await pub.close();
  }
});

test('a JWKS that is down, answers HTML, an error or too much gets a 503 that says so, not a 500', async () => {
  const pub = await publisher();
  const t = await testApp();
  try {
    const a = api(t);
    assert.equal((await a.call('PATCH', `/admin/sites/${SITE}`, { ssoJwksUrl: pub.url }, a.mod())).status, 200);
    const token = async () => signWith(RSA, { sub: 'r1', name: 'ريم', exp: nowS(t) + 3600 });
    const answers: [Publisher['answer'], RegExp][] = [
      [{ status: 200, type: 'text/html', body: '<!doctype html><title>Login</title>' }, /not JSON/],
      [{ status: 500, type: 'text/plain', body: 'oops' }, /HTTP 500/],
      [{ status: 302, type: 'text/plain', body: 'moved' }, /redirects are not followed/],
      [{ status: 200, type: 'application/json', body: '{"keys": "none"}' }, /no "keys" list/],
      [{ status: 200, type: 'application/json', body: JSON.stringify({ keys: [], pad: 'x'.repeat(70_000) }) }, /larger than 64 KiB/],
    ];
    const before = await commentCount(t);
    for (const [answer, why] of answers) {
      pub.answer = answer;
      t.clock.now += 31_000; // past the 30 s a failure is remembered
      const r = await postWith(t, await token());
      assert.equal(r.status, 503, `${answer.body.slice(0, 40)}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, 'server_busy');
      assert.match(r.body.error.message, /sign-in keys \(the site's ssoJwksUrl\) could not be fetched/);
      assert.match(r.body.error.message, why);
      assert.ok(r.headers.get('retry-after'));
    }
    // A failure is remembered for 30 s: a burst of tokens is not a burst of requests.
    const hits = pub.hits();
    assert.equal((await postWith(t, await token())).status, 503);
    assert.equal(pub.hits(), hits);
    // Back up: signed in again.
    pub.answer = { status: 200, type: 'application/json', body: '' };
    t.clock.now += 31_000;
    assert.equal((await postWith(t, await token())).status, 201);
    // Down while the copy is fresh: the kept keys still work.
    await pub.close();
    t.clock.now += 2 * 60_000;
    assert.equal((await postWith(t, await token())).status, 201);
    // Down and the copy too old: 503.
    t.clock.now += 10 * 60_000;
    const down = await postWith(t, await token());
    assert.equal(down.status, 503, JSON.stringify(down.body));
    assert.equal(await commentCount(t), before + 2);
  } finally {
    await t.close();
    await pub.close().catch(() => {});
  }
});

test('the JWKS URL passes the outbound guard: refused on a private address when set and when fetched, unless allowed', async () => {
  const pub = await publisher();
  const t = await testApp();
  try {
    // This app has no TALIQ_ALLOWED_HOOK_HOSTS: loopback is internal.
    const app = createApp({ store: t.store, secret: SECRET, adminToken: ADMIN_TOKEN, now: () => t.clock.now, clientIp: () => '198.51.100.9' });
    for (const url of [pub.url, 'http://10.0.0.5/jwks.json', 'http://169.254.169.254/jwks', 'http://[::1]/jwks', 'ftp://example.com/jwks', 'not a url']) {
      const res = await app.request(`/api/v1/admin/sites/${SITE}`, {
        method: 'PATCH', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ ssoJwksUrl: url }),
      });
      const body = await res.json();
      assert.equal(res.status, 422, `${url}: ${JSON.stringify(body)}`);
      assert.equal(body.error.code, 'validation_failed');
      assert.deepEqual(body.error.issues[0].path, ['ssoJwksUrl']);
    }
    assert.equal((await t.store.getSite(SITE))!.settings.ssoJwksUrl, null, 'nothing stored');

    // Stored anyway (set while allowed, or by hand): the fetch is refused, and says so.
    const site = (await t.store.getSite(SITE))!;
    await t.store.updateSiteSettings(SITE, { ...site.settings, ssoJwksUrl: pub.url });
    const r = await postWith(t, await signWith(RSA, { sub: 'r1', name: 'ريم', exp: nowS(t) + 3600 }), app);
    assert.equal(r.status, 503, JSON.stringify(r.body));
    assert.match(r.body.error.message, /refused: 127\.0\.0\.1 is .*loopback/);
    assert.equal(pub.hits(), 0, 'no request reached the internal address');

    // The test app lists loopback, as an operator would: the same URL is fetched.
    assert.equal((await postWith(t, await signWith(RSA, { sub: 'r1', name: 'ريم', exp: nowS(t) + 3600 }))).status, 201);
    assert.equal(pub.hits(), 1);
  } finally {
    await t.close();
    await pub.close();
  }
});

test('a signature has one spelling: the unused bits of its last character cannot be flipped', async () => {
  const t = await testApp();
  try {
    const secret = await siteSecret(t);
    // Find a token whose last character carries unused bits worth flipping ('A' ↔ 'B' differ only there).
    for (let i = 0; i < 64; i++) {
      const token = await signSsoToken(secret, { sub: `u${i}`, name: 'سارة', exp: nowS(t) + 3600 });
      if (!/[AEIMQUYcgkosw048]$/.test(token)) continue;
      const twin = token.replace(/.$/, (ch) => String.fromCharCode(ch.charCodeAt(0) + 1));
      assert.equal((await postWith(t, token)).status, 201);
      assert.equal((await postWith(t, twin)).status, 401);
      return;
    }
    assert.fail('no token with a flippable last character in 64 tries');
  } finally {
    await t.close();
  }
});

test('a token whose name is only invisible marks is refused, as the same name typed by an anonymous reader is', async () => {
  const t = await testApp();
  try {
    const secret = await siteSecret(t);
    for (const name of ['\u200b', '\u200f\u200e', '\u2060 \ufeff']) {
      const r = await postWith(t, await signSsoToken(secret, { sub: 'u1', name, exp: nowS(t) + 3600 }));
      assert.equal(r.status, 401, `${JSON.stringify(name)}: ${JSON.stringify(r.body)}`);
      assert.match(r.body.error.message, /claims: name/);
    }
    assert.equal(await commentCount(t), 0, 'no comment under an invisible verified name');
  } finally {
    await t.close();
  }
});
