/**
 * The shared live-update hub on a real store: every reader of a thread gets every frame, the
 * event log is read once per interval whatever the number of readers, readers resume from their
 * Last-Event-ID, and the loop stops when the last one leaves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ThreadHub, type LiveStore } from '../../packages/server/src/live/thread-hub.js';
import { api, testApp, type TestApp } from '../support/app.js';

const THREAD = 'live-hub';

/** Reads a stream's text as it comes; `until` waits for what a test expects, never a fixed time. */
function reader(stream: ReadableStream<Uint8Array>) {
  const r = stream.getReader();
  const dec = new TextDecoder();
  let text = '';
  let done = false;
  const waiters: (() => void)[] = [];
  void (async () => {
    for (;;) {
      const chunk = await r.read().catch(() => ({ done: true, value: undefined }));
      if (chunk.done) break;
      text += dec.decode(chunk.value, { stream: true });
      waiters.splice(0).forEach((w) => w());
    }
    done = true;
    waiters.splice(0).forEach((w) => w());
  })();
  return {
    get text() {
      return text;
    },
    get done() {
      return done;
    },
    async until(ok: (text: string) => boolean, what: string, ms = 5000) {
      const deadline = Date.now() + ms;
      while (!ok(text)) {
        if (done) throw new Error(`stream ended before ${what}:\n${text}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${text}`);
        await new Promise<void>((res) => {
          waiters.push(res);
          setTimeout(res, 50);
        });
      }
    },
    cancel: () => r.cancel(),
  };
}

/** The store with its event-log reads counted. */
function counted(store: LiveStore) {
  const calls = { listEvents: 0 };
  const wrapped: LiveStore = {
    getThread: (s, k) => store.getThread(s, k),
    lastEventId: (id) => store.lastEventId(id),
    getComments: (ids) => store.getComments(ids),
    listEvents: (id, after, limit) => {
      calls.listEvents++;
      return store.listEvents(id, after, limit);
    },
  };
  return { store: wrapped, calls };
}

async function until(ok: () => boolean, what: string, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function postAndApprove(t: TestApp, body: string) {
  const a = api(t);
  const posted = await a.post(THREAD, { author: { name: 'ليلى' }, body });
  assert.equal(posted.status, 201);
  assert.equal((await a.moderate(posted.body.comment.id, 'approve')).status, 200);
  return posted.body.comment.id as string;
}

test('three readers of one thread get the same approval, and the log is read once per interval, not once per reader', async () => {
  const t = await testApp();
  const { store, calls } = counted(t.store);
  let idle = 0;
  const hub = new ThreadHub(store, 'akhbar', THREAD, { pollMs: 20, onIdle: () => idle++ });
  try {
    const readers = [hub.subscribe(undefined), hub.subscribe(undefined), hub.subscribe(undefined)].map(reader);
    for (const r of readers) await r.until((s) => s.startsWith('event: ready\ndata: {}\nretry: 3000\n\n'), 'ready');
    const id = await postAndApprove(t, 'خبر عاجل');
    for (const r of readers) await r.until((s) => s.includes(`"id":"${id}"`), 'the approval');
    for (const r of readers) assert.match(r.text, new RegExp(`event: comment\\.approved\\ndata: \\{"id":"${id}".*\\}\\nid: \\d+\\n\\n`));

    // Over ten intervals with three readers, ten reads of the log.
    const before = { calls: calls.listEvents, polls: hub.stats.polls };
    await until(() => hub.stats.polls >= before.polls + 10, 'ten polls');
    const polls = hub.stats.polls - before.polls;
    assert.equal(calls.listEvents - before.calls, polls, 'one read of the log per interval');
    assert.equal(hub.size, 3);

    // When the last reader leaves, the loop stops and reads nothing more.
    for (const r of readers) await r.cancel();
    await until(() => idle === 1, 'the loop to stop');
    assert.equal(hub.size, 0);
    const stopped = calls.listEvents;
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(calls.listEvents, stopped, 'no reads without readers');
  } finally {
    hub.close();
    await t.close();
  }
});

test('an event for a thousand readers is written in slices, the loop answering other work in between, and each reader gets it once', async () => {
  const t = await testApp();
  const hub = new ThreadHub(t.store, 'akhbar', THREAD, { pollMs: 20 });
  try {
    const readers = Array.from({ length: 1200 }, () => reader(hub.subscribe(undefined)));
    for (const r of readers) await r.until((s) => s.startsWith('event: ready'), 'ready');
    const has = (r: (typeof readers)[number], id: string) => r.text.includes(`"id":"${id}"`);
    // The moment the first reader has the event (watched from before the approval, so nothing
    // runs in between), a macrotask is queued; what it sees tells whether the fan-out gave the
    // loop back (some readers still waiting) or held it to the end (all served).
    const approved = (r: (typeof readers)[number]) => r.text.includes('event: comment.approved');
    const seenByMacrotask = readers[0]
      .until(() => approved(readers[0]), 'the first reader')
      .then(() => new Promise<number>((res) => setImmediate(() => res(readers.filter(approved).length))));
    const id = await postAndApprove(t, 'خبر للجميع');
    const seen = await seenByMacrotask;
    for (const r of readers) await r.until((s) => s.includes(`"id":"${id}"`), 'the approval');
    assert.ok(seen < readers.length, `other work ran mid fan-out (${seen} of ${readers.length} served by then)`);
    for (const r of readers) assert.equal(r.text.split(`"id":"${id}"`).length - 1, 1, 'the event once per reader');
  } finally {
    hub.close();
    await t.close();
  }
});

test('a reader resumes after its Last-Event-ID, catching up without duplicates, and an undone approval arrives as comment.removed', async () => {
  const t = await testApp();
  const hub = new ThreadHub(t.store, 'akhbar', THREAD, { pollMs: 20 });
  try {
    const first = await postAndApprove(t, 'الأول');
    const second = await postAndApprove(t, 'الثاني');
    // A live reader keeps the loop going and ahead of the one that resumes.
    const live = reader(hub.subscribe(undefined));
    await live.until((s) => s.includes('event: ready'), 'ready');
    const back = reader(hub.subscribe('0'));
    await back.until((s) => s.includes(`"id":"${first}"`) && s.includes(`"id":"${second}"`), 'both earlier approvals');
    assert.doesNotMatch(live.text, /comment\.approved/, 'a fresh reader starts from now');

    // Undo the first approval: both see it removed, once.
    assert.equal((await api(t).moderate(first, 'reject')).status, 200);
    for (const r of [live, back]) await r.until((s) => s.includes(`event: comment.removed\ndata: {"id":"${first}"}`), 'the removal');
    const ids = [...back.text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    assert.deepEqual(ids, [...new Set(ids)].sort((a, b) => a - b), 'ids increase, none repeated');
    assert.equal(ids.length, 3);

    // Resuming from the last id seen replays nothing.
    const again = reader(hub.subscribe(String(ids.at(-1))));
    await again.until((s) => s.includes('event: ready'), 'ready');
    await until(() => hub.stats.polls > 3, 'a few polls');
    assert.doesNotMatch(again.text, /^id:/m);
    await Promise.all([live.cancel(), back.cancel(), again.cancel()]);
  } finally {
    hub.close();
    await t.close();
  }
});

test('quiet streams get keep-alives, and streams end after their time so EventSource reconnects', async () => {
  const t = await testApp();
  const hub = new ThreadHub(t.store, 'akhbar', 'no-thread-yet', { pollMs: 10, keepAliveMs: 30, maxStreamMs: 200 });
  try {
    const r = reader(hub.subscribe(undefined));
    await r.until((s) => s.includes(': keep-alive\n\n'), 'a keep-alive');
    await until(() => r.done, 'the stream to end');
    assert.equal(hub.size, 0);
  } finally {
    hub.close();
    await t.close();
  }
});

test('a reader whose request is aborted (the client went away) is let go at once', async () => {
  const t = await testApp();
  let idle = 0;
  const hub = new ThreadHub(t.store, 'akhbar', THREAD, { pollMs: 20, onIdle: () => idle++ });
  try {
    const gone = new AbortController();
    const r = reader(hub.subscribe(undefined, gone.signal));
    await r.until((s) => s.includes('event: ready'), 'ready');
    assert.equal(hub.size, 1);
    gone.abort();
    await until(() => r.done && hub.size === 0 && idle === 1, 'the reader let go and the loop stopped');
  } finally {
    hub.close();
    await t.close();
  }
});

test('a Last-Event-ID past the end of the log neither stalls the hub for the readers after it nor spins reading the log', async () => {
  const t = await testApp();
  const { store, calls } = counted(t.store);
  // Bounded: a hub that reads the log without end gets an error past this, which ends the stream.
  const bounded: LiveStore = { ...store, listEvents: (id, after, limit) => {
    if (calls.listEvents > 500) return Promise.reject(new Error('the log was read more than 500 times'));
    return store.listEvents(id, after, limit);
  } };
  const hub = new ThreadHub(bounded, 'akhbar', THREAD, { pollMs: 20 });
  try {
    await postAndApprove(t, 'قبل');
    // The first reader claims an id the log has never reached (made up, or from before a restore).
    const ahead = reader(hub.subscribe('999999999999999'));
    await ahead.until((s) => s.includes('event: ready'), 'ready');
    const fresh = reader(hub.subscribe(undefined));
    await fresh.until((s) => s.includes('event: ready'), 'ready');
    const id = await postAndApprove(t, 'بعد');
    for (const r of [fresh, ahead]) await r.until((s) => s.includes(`"id":"${id}"`), 'the new approval');
    assert.ok(calls.listEvents < 100, `the log was read ${calls.listEvents} times`);
    await Promise.all([ahead.cancel(), fresh.cancel()]);
  } finally {
    hub.close();
    await t.close();
  }
});

test('a reader that stops reading is cut off once its unread frames pass the bound: its place comes back and what was queued for it is thrown away, not kept for a connection that may never read', async () => {
  const t = await testApp();
  const hub = new ThreadHub(t.store, 'akhbar', THREAD, { pollMs: 20, maxQueuedBytes: 2_000 });
  try {
    let placeBack = 0;
    const stalled = hub.subscribe(undefined, undefined, () => placeBack++);
    const reading = reader(hub.subscribe(undefined));
    await reading.until((s) => s.includes('event: ready'), 'ready');
    for (let i = 0; placeBack === 0; i++) {
      assert.ok(i < 50, 'the stalled reader was never dropped');
      const id = await postAndApprove(t, `تعليق رقم ${i} `.repeat(20));
      await reading.until((s) => s.includes(id), `comment ${i} for the reader who reads`);
    }
    assert.equal(hub.size, 1, 'the reader who reads stays');
    // Its place was given back (a cap lets the address open another stream): the connection must
    // not go on holding its queue. An errored stream is one the runtime cuts, its queue dropped.
    const r = stalled.getReader();
    await assert.rejects(async () => {
      for (;;) if ((await r.read()).done) break;
    }, 'the stalled stream is errored, not closed after its queued frames');
  } finally {
    hub.close();
    await t.close();
  }
});

test('a reader that hangs up while catching up is let go quietly: its place comes back once, nothing is logged as a failure', async () => {
  const t = await testApp();
  const logged: unknown[][] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  // The log read of the catch-up waits until the reader has gone.
  let gate: Promise<void> | undefined;
  let release = () => {};
  let held = false;
  const store: LiveStore = {
    getThread: (s, k) => t.store.getThread(s, k),
    lastEventId: (id) => t.store.lastEventId(id),
    getComments: (ids) => t.store.getComments(ids),
    listEvents: async (id, after, limit) => {
      if (gate && after === 0) {
        held = true;
        await gate;
      }
      return t.store.listEvents(id, after, limit);
    },
  };
  const hub = new ThreadHub(store, 'akhbar', THREAD, { pollMs: 20 });
  try {
    for (let i = 0; i < 3; i++) await postAndApprove(t, `تعليق ${i}`);
    const head = reader(hub.subscribe(undefined));
    await head.until((s) => s.includes('event: ready'), 'ready');
    await until(() => hub.stats.polls > 0, 'the shared loop running');

    gate = new Promise<void>((r) => (release = r));
    let placeBack = 0;
    const behind = reader(hub.subscribe('0', undefined, () => placeBack++));
    await behind.until((s) => s.includes('event: ready'), 'ready');
    await until(() => held, 'the catch-up reading the log');
    await behind.cancel();
    release();
    await until(() => hub.stats.catchUps > 0 && placeBack === 1 && hub.size === 1, 'the reader let go');
    // The catch-up's answer has come back by now; give the loop a few turns to write it.
    const polls = hub.stats.polls;
    await until(() => hub.stats.polls > polls + 2, 'the loop going on');
    assert.equal(placeBack, 1);
    assert.deepEqual(logged, [], 'nothing logged');
  } finally {
    console.error = consoleError;
    release();
    hub.close();
    await t.close();
  }
});
