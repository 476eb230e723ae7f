/**
 * The server does not call into its own network: URLs that lead to loopback, private,
 * link-local, CGNAT, unique-local, multicast, reserved or cloud-metadata addresses are refused
 * when a moderator sets them (422) and again when a delivery is sent (after DNS, which can
 * change); no redirect is followed; TALIQ_ALLOWED_HOOK_HOSTS lets an operator allow internal
 * targets. These apps are built without the loopback allowance testApp() gives other tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { ADMIN_TOKEN, ORIGIN, SECRET, SITE, testApp, type TestApp } from '../support/app.js';
import { createApp, type AppDeps } from '../../packages/server/src/app.js';
import { parseAllowList, whyRefused } from '../../packages/server/src/net/outbound-guard.js';
import { pinnedFetch } from '../../packages/server/src/runtime/pinned-fetch.js';
import { join } from 'node:path';
import { tempDir } from '../support/temp-dir.js';
import { taliq } from '../support/process.js';

const NO_ALLOW = { allow: [] };

const REFUSED: [string, RegExp][] = [
  ['http://127.0.0.1/hook', /loopback/],
  ['http://127.9.9.9:8080/hook', /loopback/],
  ['http://127.0.0.1./hook', /loopback/],
  // Odd IPv4 spellings: the URL parser turns each into 127.0.0.1 before the guard looks.
  ['http://2130706433/hook', /loopback/],
  ['http://0177.0.0.1/hook', /loopback/],
  ['http://0x7f.1/hook', /loopback/],
  ['http://127.1/hook', /loopback/],
  ['http://0x7f000001/hook', /loopback/],
  ['http://[::1]/hook', /loopback/],
  ['http://10.1.2.3/hook', /private/],
  ['http://172.16.0.1/hook', /private/],
  ['http://172.31.255.255/hook', /private/],
  ['http://192.168.1.10/hook', /private/],
  ['http://169.254.169.254/latest/meta-data/', /link-local/],
  ['http://169.254.1.1/hook', /link-local/],
  ['http://100.64.0.1/hook', /carrier-grade NAT/],
  ['http://100.127.255.254/hook', /carrier-grade NAT/],
  ['http://100.100.100.200/latest/meta-data/', /carrier-grade NAT/],
  ['http://[fc00::1]/hook', /unique-local/],
  ['http://[fd00:ec2::254]/latest/meta-data/', /unique-local/],
  ['http://[fe80::1]/hook', /link-local/],
  ['http://224.0.0.1/hook', /multicast/],
  ['http://239.255.255.250/hook', /multicast/],
  ['http://[ff02::1]/hook', /multicast/],
  ['http://0.0.0.0/hook', /unspecified/],
  ['http://255.255.255.255/hook', /broadcast/],
  ['http://240.0.0.1/hook', /reserved/],
  ['http://[::]/hook', /unspecified/],
  // IPv4 inside IPv6: mapped (dotted and hex), NAT64, 6to4.
  ['http://[::ffff:127.0.0.1]/hook', /loopback/],
  ['http://[::ffff:7f00:1]/hook', /loopback/],
  ['http://[::ffff:a9fe:a9fe]/hook', /link-local/],
  ['http://[0:0:0:0:0:ffff:10.0.0.1]/hook', /private/],
  ['http://[64:ff9b::a00:1]/hook', /private/],
  ['http://[64:ff9b::7f00:1]/hook', /loopback/],
  ['http://[2002:c0a8:101::1]/hook', /private/],
  // Names that always point inside.
  ['http://localhost:3000/hook', /loopback name/],
  ['http://api.localhost/hook', /loopback name/],
  ['http://metadata.google.internal/computeMetadata/v1/', /metadata/],
  ['http://METADATA.google.internal./computeMetadata/v1/', /metadata/],
  ['http://metadata.goog/computeMetadata/v1/', /metadata/],
  // Schemes and credentials.
  ['ftp://hooks.example.com/hook', /scheme is ftp/],
  ['file:///etc/passwd', /scheme is file/],
  ['gopher://hooks.example.com/', /scheme is gopher/],
  ['https://user:secret@hooks.example.com/hook', /user name or password/],
  ['https://user@hooks.example.com/hook', /user name or password/],
  ['not a url', /not a URL/],
];

const ALLOWED = [
  'https://hooks.example.com/taliq',
  'http://8.8.8.8/hook',
  'http://172.32.0.1/hook',
  'http://172.15.255.255/hook',
  'http://100.128.0.1/hook',
  'http://100.63.255.255/hook',
  'http://192.169.0.1/hook',
  'http://[2606:4700:4700::1111]/hook',
  'http://[::ffff:8.8.8.8]/hook',
  'http://[64:ff9b::808:808]/hook',
  'https://metadata.example.com/hook',
];

test('the guard refuses each kind of internal target, in every spelling, and says which it is', async () => {
  for (const [url, why] of REFUSED) {
    const reason = await whyRefused(url, NO_ALLOW);
    assert.ok(reason, `${url} should be refused`);
    assert.match(reason, why, `${url}: ${reason}`);
  }
});

test('the guard lets public targets through', async () => {
  for (const url of ALLOWED) assert.equal(await whyRefused(url, NO_ALLOW, 'none'), null, url);
});

test('every address a name resolves to is checked: one internal address among public ones refuses it', async () => {
  const resolve = async (host: string) => (host === 'mixed.example' ? ['93.184.216.34', '10.0.0.7'] : host === 'six.example' ? ['::1'] : ['93.184.216.34']);
  assert.match((await whyRefused('https://mixed.example/h', { allow: [], resolve }))!, /mixed\.example resolves to 10\.0\.0\.7, a private address/);
  assert.match((await whyRefused('https://six.example/h', { allow: [], resolve }))!, /resolves to ::1, a loopback address/);
  assert.equal(await whyRefused('https://public.example/h', { allow: [], resolve }), null);
  const failing = async () => { throw new Error('ENOTFOUND'); };
  assert.match((await whyRefused('https://gone.example/h', { allow: [], resolve: failing }, 'strict'))!, /does not resolve/);
  assert.equal(await whyRefused('https://gone.example/h', { allow: [], resolve: failing }, 'lenient'), null);
});

test('TALIQ_ALLOWED_HOOK_HOSTS allows hosts, host:ports, addresses and CIDRs, and nothing else', async () => {
  const allow = parseAllowList(' hooks.internal , queue.internal:8080, 10.20.0.0/16, [::1]:9000, 192.168.1.5, fd12::/16 ,');
  const policy = { allow, resolve: async (h: string) => (h === 'hooks.internal' || h === 'queue.internal' ? ['10.9.9.9'] : h === 'svc.internal' ? ['10.20.3.4'] : ['10.99.0.1']) };
  assert.equal(await whyRefused('http://hooks.internal/h', policy), null);
  assert.equal(await whyRefused('http://hooks.internal:1234/h', policy), null, 'a host without a port is allowed on any port');
  assert.equal(await whyRefused('http://queue.internal:8080/h', policy), null);
  assert.match((await whyRefused('http://queue.internal:8081/h', policy))!, /private/);
  assert.equal(await whyRefused('http://10.20.255.1/h', policy), null);
  assert.equal(await whyRefused('http://svc.internal/h', policy), null, 'a name resolving into an allowed CIDR');
  assert.match((await whyRefused('http://other.internal/h', policy))!, /10\.99\.0\.1/);
  assert.equal(await whyRefused('http://[::1]:9000/h', policy), null);
  assert.match((await whyRefused('http://[::1]:9001/h', policy))!, /loopback/);
  assert.equal(await whyRefused('http://192.168.1.5/h', policy), null);
  assert.match((await whyRefused('http://192.168.1.6/h', policy))!, /private/);
  assert.equal(await whyRefused('http://[fd12::5]/h', policy), null);
  assert.match((await whyRefused('http://[fd13::5]/h', policy))!, /unique-local/);
  for (const bad of ['10.0.0.0/33', 'not a host!', 'a/b/c', 'user@host', 'host/path', 'fe80::/200']) {
    assert.throws(() => parseAllowList(bad), /TALIQ_ALLOWED_HOOK_HOSTS: cannot read/, bad);
  }
  assert.throws(() => createApp({ store: null as never, secret: SECRET, allowedHookHosts: '10.0.0.0/40' }), /TALIQ_ALLOWED_HOOK_HOSTS/);
});

// ---- over HTTP ------------------------------------------------------------------------------

/** An app on the test store without the loopback allowance, and what it deferred. */
function guarded(t: TestApp, deps: Partial<AppDeps> = {}) {
  const pending: Promise<unknown>[] = [];
  const app = createApp({ store: t.store, secret: SECRET, adminToken: ADMIN_TOKEN, clientIp: () => '198.51.100.9', defer: (p) => pending.push(p), webhookRetryDelays: [], ...deps });
  const call = async (method: string, path: string, token: string, body: unknown) => {
    const res = await app.request(`/api/v1/admin${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  };
  const post = async () => {
    const res = await app.request(`/api/v1/sites/${SITE}/threads/t/comments`, {
      method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify({ author: { name: 'قارئ' }, body: 'تعليق ينتظر المراجعة' }),
    });
    assert.equal(res.status, 201);
    await Promise.all(pending);
  };
  return { app, call, post };
}

/** A local HTTP server that counts requests and answers `status` (with `location` for a redirect). */
async function receiver(status = 204, location?: string) {
  const got: string[] = [];
  const server: Server = createServer((req, res) => {
    req.resume().on('end', () => {
      got.push(`${req.method} ${req.url}`);
      res.writeHead(status, location ? { location } : {}).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { got, port, url: `http://127.0.0.1:${port}/hook`, close: () => new Promise((r) => server.close(r)) };
}

const outboxErrors = async (t: TestApp) => JSON.stringify((await t.tables()).webhook_outbox ?? []);

test('setting an internal webhook URL is refused with 422, as the site\'s token and as the admin token, and nothing is stored', async () => {
  const t = await testApp();
  try {
    const { call } = guarded(t);
    const urls = ['http://127.0.0.1:8080/hook', 'http://0x7f.1/hook', 'http://[::ffff:7f00:1]/hook', 'http://10.0.0.5/hook', 'http://172.20.0.1/hook', 'http://192.168.0.1/hook',
      'http://169.254.169.254/latest/meta-data/', 'http://100.64.1.1/hook', 'http://[fd00:ec2::254]/', 'http://[fe80::1]/hook', 'http://224.0.0.1/hook', 'http://metadata.google.internal/', 'http://localhost/hook',
      'https://user:pw@hooks.example.com/hook'];
    for (const token of [t.modToken, ADMIN_TOKEN]) {
      for (const webhookUrl of urls) {
        const res = await call('PATCH', `/sites/${SITE}`, token, { webhookUrl });
        assert.equal(res.status, 422, `${webhookUrl}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.code, 'validation_failed');
        assert.match(res.body.error.message, /The server will not call webhookUrl/);
        assert.deepEqual(res.body.error.issues.map((i: { path: string[]; code: string }) => [i.path, i.code]), [[['webhookUrl'], 'url_refused']]);
        assert.equal((await t.store.getSite(SITE))?.settings.webhookUrl, null);
      }
    }
    // A new site with an internal webhook is not created.
    const created = await call('POST', '/sites', ADMIN_TOKEN, { id: 'jadid', settings: { origins: ['https://jadid.example'], webhookUrl: 'http://192.168.1.1/hook' } });
    assert.equal(created.status, 422);
    assert.equal(await t.store.getSite('jadid'), null);
    // A public one is stored.
    const ok = await call('PATCH', `/sites/${SITE}`, t.modToken, { webhookUrl: 'https://hooks.example.com/taliq' });
    assert.equal(ok.status, 200);
    assert.equal((await t.store.getSite(SITE))?.settings.webhookUrl, 'https://hooks.example.com/taliq');
  } finally {
    await t.close();
  }
});

test('a webhook name that resolves to a private address is refused when set; one that moves there later is refused at send time', async () => {
  const t = await testApp();
  try {
    const dns: Record<string, string[]> = { 'inside.example': ['10.0.0.7'], 'hooks.example': ['93.184.216.34'] };
    const sent: string[] = [];
    const { call, post } = guarded(t, {
      resolveHost: async (host) => dns[host] ?? [],
      fetch: async (input) => { sent.push(String(input)); return new Response(null, { status: 204 }); },
    });
    const refused = await call('PATCH', `/sites/${SITE}`, t.modToken, { webhookUrl: 'https://inside.example/hook' });
    assert.equal(refused.status, 422);
    assert.match(refused.body.error.message, /inside\.example resolves to 10\.0\.0\.7, a private address/);

    assert.equal((await call('PATCH', `/sites/${SITE}`, t.modToken, { webhookUrl: 'https://hooks.example/hook' })).status, 200);
    await post();
    assert.deepEqual(sent, ['https://hooks.example/hook'], 'delivered while the name resolves to a public address');

    dns['hooks.example'] = ['93.184.216.34', '169.254.169.254'];
    await post();
    assert.equal(sent.length, 1, 'not sent once the name resolves to the metadata address');
    assert.match(await outboxErrors(t), /refused: hooks\.example resolves to 169\.254\.169\.254, a link-local address/);
  } finally {
    await t.close();
  }
});

test('a stored internal webhook URL is a failed delivery at send time, never sent and never a 500', async () => {
  const hook = await receiver();
  const t = await testApp();
  try {
    for (const url of [hook.url, `http://localhost:${hook.port}/hook`, `http://[::ffff:127.0.0.1]:${hook.port}/hook`]) {
      await t.store.updateSiteSettings(SITE, { ...(await t.store.getSite(SITE))!.settings, webhookUrl: url });
      await guarded(t).post();
    }
    assert.deepEqual(hook.got, [], 'the receiver on 127.0.0.1 saw no request');
    const errors = await outboxErrors(t);
    assert.match(errors, /refused: 127\.0\.0\.1 is a loopback address/);
    assert.match(errors, /refused: localhost is a loopback name/);
    assert.match(errors, /refused: \[::ffff:7f00:1\] is a loopback address/);
  } finally {
    await t.close();
    await hook.close();
  }
});

test('TALIQ_ALLOWED_HOOK_HOSTS lets a 127.0.0.1:PORT receiver through, and only on that port', async () => {
  const hook = await receiver();
  const t = await testApp({ webhookUrl: null });
  try {
    const allowed = guarded(t, { allowedHookHosts: `127.0.0.1:${hook.port}` });
    assert.equal((await allowed.call('PATCH', `/sites/${SITE}`, t.modToken, { webhookUrl: hook.url })).status, 200);
    await allowed.post();
    assert.deepEqual(hook.got, ['POST /hook']);
    // Another port on the same address stays refused.
    assert.equal((await allowed.call('PATCH', `/sites/${SITE}`, t.modToken, { webhookUrl: `http://127.0.0.1:${hook.port + 1}/hook` })).status, 422);
    // By name: `localhost` listed, resolved by the real resolver.
    const byName = guarded(t, { allowedHookHosts: `localhost:${hook.port}`, resolveHost: undefined });
    await t.store.updateSiteSettings(SITE, { ...(await t.store.getSite(SITE))!.settings, webhookUrl: `http://localhost:${hook.port}/named` });
    await byName.post();
    // localhost may be ::1 here while the receiver listens on 127.0.0.1: what matters is that the guard let it go.
    assert.doesNotMatch(await outboxErrors(t), /refused/);
  } finally {
    await t.close();
    await hook.close();
  }
});

test('on Node, a name that moves inside between the guard\'s look and the connection (DNS rebinding) is refused where the socket is made', async () => {
  const hook = await receiver();
  const t = await testApp({ webhookUrl: `http://rebind.example:${hook.port}/hook` });
  try {
    // The first answer is public (the guard's look), every later one is the receiver on 127.0.0.1.
    let lookups = 0;
    const rebinding = async () => (lookups++ === 0 ? ['93.184.216.34'] : ['127.0.0.1']);
    await guarded(t, { resolveHost: rebinding, fetch: pinnedFetch({ allow: [], resolve: rebinding }) }).post();
    assert.equal(lookups, 2, 'looked up by the guard, then again at connect');
    assert.deepEqual(hook.got, [], 'the receiver on 127.0.0.1 saw no request');
    assert.match(await outboxErrors(t), /refused: rebind\.example resolves to 127\.0\.0\.1, a loopback address/);

    // The connection goes to the address that was checked: rebind.example exists in no DNS, so
    // the receiver can only be reached through the pinned lookup (allowed here).
    const allowed = parseAllowList(`127.0.0.1:${hook.port}`);
    const local = async () => ['127.0.0.1'];
    await guarded(t, { allowedHookHosts: `127.0.0.1:${hook.port}`, resolveHost: local, fetch: pinnedFetch({ allow: allowed, resolve: local }) }).post();
    assert.deepEqual(hook.got, ['POST /hook']);
  } finally {
    await t.close();
    await hook.close();
  }
});

test('a webhook receiver that answers with a redirect is a failed delivery: the redirect target sees no request', async () => {
  const target = await receiver();
  const redirecting = await receiver(302, target.url);
  const t = await testApp({ webhookUrl: redirecting.url });
  try {
    // Both are allowed, so only the redirect rule can keep the second from being called.
    await guarded(t, { allowedHookHosts: '127.0.0.1' }).post();
    assert.deepEqual(redirecting.got, ['POST /hook']);
    assert.deepEqual(target.got, []);
    assert.match(await outboxErrors(t), /HTTP 302/);
  } finally {
    await t.close();
    await redirecting.close();
    await target.close();
  }
});

test('the CLI on a local store refuses an internal webhook URL as the server would, and honours TALIQ_ALLOWED_HOOK_HOSTS', async () => {
  const dir = tempDir('taliq-outbound-cli-');
  try {
    const env = { TALIQ_DB: join(dir.path, 'taliq.db') };
    assert.equal((await taliq(['sites', 'add', 'akhbar', '--origin', 'https://akhbar.example.ma'], env)).code, 0);
    const refused = await taliq(['sites', 'set', 'akhbar', 'webhookUrl', 'http://169.254.169.254/latest/meta-data/'], env);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /will not call webhookUrl: 169\.254\.169\.254 is a link-local address/);
    const allowed = await taliq(['sites', 'set', 'akhbar', 'webhookUrl', 'http://10.1.2.3:8080/hook'], { ...env, TALIQ_ALLOWED_HOOK_HOSTS: '10.0.0.0/8' });
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(JSON.parse((await taliq(['sites', 'show', 'akhbar'], env)).stdout).webhookUrl, 'http://10.1.2.3:8080/hook');
  } finally {
    dir.remove();
  }
});
