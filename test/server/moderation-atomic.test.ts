/**
 * A moderator's decision is one atomic write (moderation/service.ts): what the moderator, the
 * readers and the removal register see always agree, even when the write fails half-way. The
 * failure is real: a trigger on the comments table refuses the status change, the batch's last
 * statement, after its audit entry, removal row and live event were written. SQLite here;
 * PostgreSQL with `node test/support/pg-or-skip.mjs test/server/moderation-atomic.test.ts`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, SITE, testApp, type TestApp } from '../support/app.js';

const FAIL = 'taliq_test_fail_moderation';

/** Makes every status change of these comments fail inside the database. */
async function failStatusChanges(t: TestApp, ids: string[]) {
  const list = ids.map((id) => `'${id.replace(/'/g, "''")}'`).join(', ');
  if (t.engine === 'postgres') {
    await t.exec(`CREATE FUNCTION ${FAIL}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
                  CREATE TRIGGER ${FAIL} BEFORE UPDATE OF status ON comments FOR EACH ROW WHEN (NEW.id IN (${list})) EXECUTE FUNCTION ${FAIL}();`);
  } else {
    await t.exec(`CREATE TRIGGER ${FAIL} BEFORE UPDATE OF status ON comments WHEN NEW.id IN (${list}) BEGIN SELECT RAISE(ABORT, 'injected failure'); END;`);
  }
}
const healStatusChanges = (t: TestApp) => t.exec(t.engine === 'postgres' ? `DROP TRIGGER ${FAIL} ON comments` : `DROP TRIGGER ${FAIL}`);

/** What a moderator and a reader can see of the site's comments. */
async function seen(t: TestApp, key: string) {
  const a = api(t);
  const audit = (await a.call('GET', `/admin/sites/${SITE}/audit`, undefined, a.mod())).body.entries as { action: string; target: string; before: unknown; after: unknown }[];
  const csv = await t.app.request(`/api/v1/admin/sites/${SITE}/removals.csv`, { headers: { authorization: `Bearer ${t.modToken}` } });
  assert.equal(csv.status, 200);
  // The header line, then one line per removal (no comment body here holds a line break).
  const removals = (await csv.text()).trim().split('\r\n').slice(1);
  const thread = (await a.list(key)).body.comments.map((c: { id: string }) => c.id).sort();
  const th = await t.store.getThread(SITE, key);
  const events = th ? (await t.store.listEvents(th.id, 0, 100)).map((e) => [e.type, e.commentId]) : [];
  return { audit: audit.filter((e) => e.action.startsWith('comment.')), removals, thread, events };
}

async function approvedComments(t: TestApp, key: string, n: number) {
  const a = api(t);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    t.clock.now += 1;
    ids.push((await a.post(key, { author: { name: `قارئ ${i}` }, body: `تعليق ${i}` })).body.comment.id);
  }
  assert.equal((await a.bulk(ids, 'approve')).status, 200);
  return ids.sort();
}

test('after each decision the comment, the audit log, the removal register and the live events agree', async () => {
  const t = await testApp();
  try {
    const a = api(t);
    const [id] = await approvedComments(t, 't', 1);
    const res = await a.call('POST', `/admin/comments/${id}/moderate`, { action: 'reject', reason: 'إساءة' }, a.mod());
    assert.equal(res.status, 200);
    assert.equal(res.body.comment.status, 'rejected');
    const after = await seen(t, 't');
    assert.deepEqual(after.thread, [], 'gone from the thread');
    assert.deepEqual(after.audit.map((e) => [e.action, e.target, e.before, e.after]), [
      ['comment.reject', id, { status: 'approved' }, { status: 'rejected', reason: 'إساءة' }],
      ['comment.approve', id, { status: 'pending' }, { status: 'approved' }],
    ]);
    assert.equal(after.removals.length, 1);
    assert.match(after.removals[0], new RegExp(`rejected,.*إساءة,.*${id}`));
    assert.deepEqual(after.events, [['comment.approved', id], ['comment.removed', id]]);
  } finally {
    await t.close();
  }
});

test('a decision whose write fails half-way leaves the comment as it was, with no audit entry, removal row or live event', async () => {
  const t = await testApp();
  const quiet = console.error;
  try {
    const a = api(t);
    const [id] = await approvedComments(t, 't', 1);
    const before = await seen(t, 't');
    await failStatusChanges(t, [id]);
    console.error = () => {}; // the 500's log line
    const res = await a.call('POST', `/admin/comments/${id}/moderate`, { action: 'spam', reason: 'إعلان' }, a.mod());
    console.error = quiet;
    assert.equal(res.status, 500);
    assert.equal(res.body.error.code, 'internal');
    assert.deepEqual(await seen(t, 't'), before, 'the thread, the audit log, the register and the events as before');
    assert.equal((await a.queue('status=approved')).body.comments[0]?.id, id, 'still in the approved queue');

    // Once the database takes writes again, the same decision is written whole.
    await healStatusChanges(t);
    assert.equal((await a.call('POST', `/admin/comments/${id}/moderate`, { action: 'spam', reason: 'إعلان' }, a.mod())).status, 200);
    const after = await seen(t, 't');
    assert.equal(after.audit.length, before.audit.length + 1);
    assert.equal(after.removals.length, 1);
    assert.deepEqual(after.events.at(-1), ['comment.removed', id]);
  } finally {
    console.error = quiet;
    await t.close();
  }
});

test('a bulk decision that fails on its last comment changes none of them', async () => {
  const t = await testApp();
  const quiet = console.error;
  try {
    const a = api(t);
    const ids = await approvedComments(t, 't', 3);
    const before = await seen(t, 't');
    await failStatusChanges(t, [ids[2]]);
    console.error = () => {};
    const res = await a.call('POST', '/admin/comments/moderate', { ids, action: 'reject' }, a.mod());
    console.error = quiet;
    assert.equal(res.status, 500);
    const after = await seen(t, 't');
    assert.deepEqual(after, before);
    assert.deepEqual(after.thread, ids, 'every comment still shown');
    await healStatusChanges(t);
  } finally {
    console.error = quiet;
    await t.close();
  }
});

test('a bulk decision on comments of which the author has deleted one is refused whole, 409', async () => {
  const t = await testApp();
  try {
    const a = api(t);
    const ids = await approvedComments(t, 't', 3);
    // The author's deletion, as the DELETE route writes it.
    await t.store.setStatus([ids[1]], 'deleted', { actor: 'author', at: t.clock.now });
    const before = await seen(t, 't');
    const res = await a.call('POST', '/admin/comments/moderate', { ids, action: 'spam' }, a.mod());
    assert.equal(res.status, 409);
    assert.equal(res.body.error.code, 'conflict');
    assert.deepEqual(await seen(t, 't'), before, 'nothing changed');
  } finally {
    await t.close();
  }
});
