import { expect } from '@open-wc/testing';
import {
  RECEIPTS_KEPT,
  VOTES_KEPT,
  addReceipt,
  loadReaderId,
  loadVotes,
  saveVote,
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

  it('drops the receipts it is told to, but keeps ones added meanwhile', () => {
    addReceipt('s', 't', { id: 'a', token: 'a.1' });
    addReceipt('s', 't', { id: 'b', token: 'b.1' });
    const asked = loadReceipts('s', 't');
    addReceipt('s', 't', { id: 'c', token: 'c.1' });
    const kept = pruneReceipts('s', 't', asked, (r) => r.id === 'b');
    expect(kept.map((r) => r.id)).to.deep.equal(['c', 'b']);
    expect(loadReceipts('s', 't').map((r) => r.id)).to.deep.equal(['c', 'b']);
    pruneReceipts('s', 't', loadReceipts('s', 't'), () => false);
    expect(localStorage.length).to.equal(0);
  });

  it('makes a random reader id once and keeps it', () => {
    const id = loadReaderId();
    expect(id).to.match(/^[A-Za-z0-9_-]{22}$/);
    expect(loadReaderId()).to.equal(id);
    expect(JSON.parse(localStorage.getItem('taliq:reader')!)).to.equal(id);
    // Cleared (or spoiled) storage: a new reader.
    localStorage.setItem('taliq:reader', JSON.stringify('x'));
    const other = loadReaderId();
    expect(other).to.match(/^[A-Za-z0-9_-]{22}$/).and.not.equal(id);
    localStorage.clear();
    expect(loadReaderId()).to.not.equal(other);
  });

  it('keeps the reader id for the page view when storage refuses it', () => {
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = () => {
      throw new DOMException('full', 'QuotaExceededError');
    };
    try {
      const id = loadReaderId();
      expect(id).to.match(/^[A-Za-z0-9_-]{22}$/);
      expect(loadReaderId()).to.equal(id);
    } finally {
      Storage.prototype.setItem = setItem;
    }
  });

  it('remembers the reader\'s votes per site, newest kept', () => {
    saveVote('s', 'a', 1);
    saveVote('s', 'b', -1);
    saveVote('t', 'a', -1);
    expect([...loadVotes('s')]).to.deep.equal([['a', 1], ['b', -1]]);
    saveVote('s', 'a', 0);
    expect([...loadVotes('s')]).to.deep.equal([['b', -1]]);
    for (let i = 0; i < VOTES_KEPT + 3; i++) saveVote('u', `c${i}`, 1);
    const kept = loadVotes('u');
    expect(kept.size).to.equal(VOTES_KEPT);
    expect(kept.has('c0')).to.equal(false);
    expect(kept.has(`c${VOTES_KEPT + 2}`)).to.equal(true);
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
