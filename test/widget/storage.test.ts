import { expect } from '@open-wc/testing';
import {
  RECEIPTS_KEPT,
  addReceipt,
  loadDraft,
  loadName,
  loadReceipts,
  pruneReceipts,
  saveDraft,
  saveName,
} from '../../packages/widget/src/storage.js';

describe('what the widget keeps in localStorage', () => {
  beforeEach(() => localStorage.clear());

  it('remembers the reader\'s name', () => {
    expect(loadName()).to.equal('');
    saveName('سارة');
    expect(loadName()).to.equal('سارة');
    saveName('');
    expect(localStorage.getItem('taliq:name')).to.equal(null);
  });

  it('keeps one draft per site and thread, and forgets empty ones', () => {
    saveDraft('s', '/a:b', { body: 'نص', attempt: { key: 'k', payload: '{}' } });
    expect(loadDraft('s', '/a:b')).to.deep.equal({ body: 'نص', attempt: { key: 'k', payload: '{}' } });
    expect(loadDraft('s', '/a')).to.equal(null);
    expect(loadDraft('t', '/a:b')).to.equal(null);
    saveDraft('s', '/a:b', { body: '' });
    expect(loadDraft('s', '/a:b')).to.equal(null);
    expect(localStorage.length).to.equal(0);
  });

  it('keeps the newest receipts, as many as one request may carry', () => {
    for (let i = 0; i < RECEIPTS_KEPT + 5; i++) addReceipt('s', 't', { id: `c${i}`, token: `c${i}.sig` });
    const kept = loadReceipts('s', 't');
    expect(kept).to.have.length(RECEIPTS_KEPT);
    expect(kept[0].id).to.equal(`c${RECEIPTS_KEPT + 4}`);
  });

  it('drops receipts the server no longer reports pending, but keeps ones added meanwhile', () => {
    addReceipt('s', 't', { id: 'a', token: 'a.1' });
    addReceipt('s', 't', { id: 'b', token: 'b.1' });
    const asked = loadReceipts('s', 't');
    addReceipt('s', 't', { id: 'c', token: 'c.1' });
    pruneReceipts('s', 't', asked, new Set(['b']));
    expect(loadReceipts('s', 't').map((r) => r.id)).to.deep.equal(['c', 'b']);
    pruneReceipts('s', 't', loadReceipts('s', 't'), new Set());
    expect(localStorage.length).to.equal(0);
  });

  it('shrugs off garbage left in storage', () => {
    localStorage.setItem('taliq:receipts:s:t', '{not json');
    localStorage.setItem('taliq:name', '42');
    expect(loadReceipts('s', 't')).to.deep.equal([]);
    expect(loadName()).to.equal('');
    localStorage.setItem('taliq:receipts:s:t', JSON.stringify([{ id: 1 }, { id: 'x', token: 'x.1' }]));
    expect(loadReceipts('s', 't')).to.deep.equal([{ id: 'x', token: 'x.1' }]);
  });
});
