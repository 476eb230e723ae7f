import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitLinks } from '../../packages/shared/src/links.js';
import { textToHtml } from '../../packages/server/src/render-html.js';

test('only http(s) URLs become links, without the punctuation after them', () => {
  assert.deepEqual(splitLinks('انظر https://hespress.com/x?a=1&b=2، ثم http://a.ma/b. وشكرا'), [
    { text: 'انظر ' },
    { url: 'https://hespress.com/x?a=1&b=2' },
    { text: '، ثم ' },
    { url: 'http://a.ma/b' },
    { text: '. وشكرا' },
  ]);
  for (const text of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'ftp://x.example', 'www.example.ma', 'http://', 'https://"><script>']) {
    assert.ok(splitLinks(text).every((p) => !p.url || /^https?:\/\/[^"<>]+$/.test(p.url)), text);
  }
  assert.deepEqual(splitLinks(''), []);
  assert.deepEqual(splitLinks('(https://x.ma)'), [{ text: '(' }, { url: 'https://x.ma' }, { text: ')' }]);
});

test('server-rendered text is escaped around and inside links', () => {
  assert.equal(
    textToHtml('<b>x</b> https://x.ma/?q=<i>\nسطر'),
    '&lt;b&gt;x&lt;/b&gt; <a href="https://x.ma/?q=" rel="nofollow ugc noopener" target="_blank">https://x.ma/?q=</a>&lt;i&gt;<br>سطر',
  );
});
