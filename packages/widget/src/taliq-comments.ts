/**
 * The comments of one article, with the form to add one: replies, votes, live updates, the
 * reader's own comments (edit, delete), reports and sign-in through the publisher. Arabic and
 * right-to-left unless told otherwise; everything a reader wrote is rendered as text.
 * The thread is loaded only when the element comes near the viewport.
 *
 * @tag taliq-comments
 *
 * @attr site - site id registered on the server (required)
 * @attr thread - thread key; defaults to the path of the page's canonical URL, else `location.pathname`
 * @attr api - base URL of the API server; defaults to the origin that served taliq.js
 * @attr lang - `ar` (default), `fr`, `en` or a regional tag (`ar-MA`, `fr-MA`): strings follow the
 *   language, numbers and dates the tag (Western digits unless the tag names a numbering system, e.g. `ar-u-nu-arab`)
 * @attr dir - `rtl` or `ltr`; defaults to the language's direction (`ar` → `rtl`)
 * @attr thread-title - article title sent with a comment for moderators; defaults to `document.title`
 * @attr thread-url - article URL sent with a comment; defaults to the canonical URL, else `location.href` without hash
 * @attr sort - `newest` (default), `oldest`, `popular`; the reader may change it
 * @attr theme - `light`, `dark`, `auto` (default: follows `prefers-color-scheme`)
 * @attr token - (also a property) publisher-signed JWT (HS256) of a signed-in reader: sent as
 *   `Taliq-Token`; its `name` claim fills the name field, locked
 *
 * @fires taliq-posted - the server accepted a comment or reply; detail: `{ comment }` (an OwnComment, `status` `pending` or `approved`)
 * @fires taliq-error - something failed; detail: `{ code, message }` (`code` is the server's error code or `network`; `message` is in the reader's language)
 *
 * @csspart base - the wrapper around everything
 * @csspart heading - the title with the number of comments
 * @csspart form - every comment form; also `reply-form`, `edit-form`, `report-form`, `delete-form`
 * @csspart label - field labels
 * @csspart input - the name inputs
 * @csspart textarea - the text areas
 * @csspart counter - the character counter; also `counter-warning` near the limit
 * @csspart field-error - a message under a field that needs fixing
 * @csspart form-error - why the last send failed
 * @csspart status - confirmation after sending
 * @csspart signed-in - "signed in as …" under the locked name field
 * @csspart button - every button; also `send`, `cancel`, `retry`, `more`, `more-replies`, `fresh`,
 *   `vote`, `like`, `dislike`, `reply`, `edit`, `delete`, `report`
 * @csspart toolbar - the row with the sort switcher and the "N new comments" button
 * @csspart sort - the sort switcher (a select)
 * @csspart list - the list of comments
 * @csspart replies - the list of replies under a comment
 * @csspart comment - one comment; also `comment-pending` while awaiting review
 * @csspart author - the author's name
 * @csspart verified - the verified-author mark
 * @csspart time - when it was written
 * @csspart edited - the "edited" marker
 * @csspart badge - the "awaiting review" marker
 * @csspart reply-to - "replying to …" above a reply to a reply
 * @csspart body - the comment's text
 * @csspart actions - the row of buttons under a comment
 * @csspart message - a note under one comment (thanks for a report, a failed vote)
 * @csspart empty - the message shown when there are no comments
 * @csspart closed - the message shown instead of the form when comments are closed
 *
 * @cssprop --taliq-accent - buttons, links, focus ring, verified mark, pressed votes
 * @cssprop --taliq-on-accent - text on accent-coloured buttons
 * @cssprop --taliq-bg - background
 * @cssprop --taliq-fg - text
 * @cssprop --taliq-muted - secondary text, small buttons and field borders
 * @cssprop --taliq-line - separators between comments, reply rule
 * @cssprop --taliq-danger - error messages and invalid fields
 * @cssprop --taliq-warning - "awaiting review" marker, counter near the limit
 * @cssprop --taliq-radius - corner radius of fields and buttons
 * @cssprop --taliq-font - font family (default: inherited from the page)
 */
// Template text is written flush left: Lit ships it as written, and indentation would cost
// taliq.js about 100 bytes gzipped (docs: the size budget in bench/size.mjs).
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { LIMITS, SORTS, type Status } from '../../shared/src/limits.js';
import { LINK_RE } from '../../shared/src/links.js';
import { textDirection } from '../../shared/src/direction.js';
import type { NewCommentInput, OwnComment, PageComment, PublicComment, ThreadInfo } from '../../shared/src/schemas.js';
import { ApiClient, newIdempotencyKey, type ReportReason } from './api-client.js';
import { ApiError } from '../../ui/src/api-error.js';
import { readConfig, readEnv, type Config } from './config.js';
import { catalog, loadCatalog, type Messages } from './i18n/index.js';
import { errorWord, type ClientErrorCode } from './i18n/types.js';
import { follow, type LiveEvent } from './live.js';
import * as kept from './storage.js';
import type { Draft, Receipt, Vote } from './storage.js';
import { styles } from './styles.js';
import { absoluteTime, formatNumber, relativeTime } from '../../ui/src/time.js';

/** A reader's text, its http(s) URLs as links (nofollow ugc noopener), as every view splits them; nothing else is markup. */
const linked = (text: string) =>
  text.split(LINK_RE).map((p, i) => (i % 2 ? html`<a href=${p} rel="nofollow ugc noopener" target="_blank">${p}</a>` : p));

/**
 * A body line by line, each line in the direction most of its letters read (shared/src/direction.ts);
 * a blank line keeps its height as its own line break (the body is pre-wrap), as in the text box.
 */
const lines = (body: string) => body.split('\n').map((l) => html`<p dir=${textDirection(l) ?? nothing}>${linked(l || '\n')}</p>`);

export interface TaliqPostedDetail {
  comment: OwnComment;
}
export interface TaliqErrorDetail {
  code: ClientErrorCode;
  message: string;
}

declare global {
  interface HTMLElementTagNameMap {
    'taliq-comments': TaliqComments;
  }
  interface HTMLElementEventMap {
    'taliq-posted': CustomEvent<TaliqPostedDetail>;
    'taliq-error': CustomEvent<TaliqErrorDetail>;
  }
}

/** A comment as shown: public (with `moreReplies` when the server holds some back), or the reader's own with its status. */
type Shown = PageComment & { status?: Status };
/** A top-level comment and its replies, oldest first. */
type Group = [Shown, Shown[]];
type Kind = 'reply' | 'edit' | 'delete' | 'report';

/** The one small form open under a comment, and how it is doing. */
interface Open {
  id: string;
  kind: Kind;
  sending?: boolean;
  nameError?: string;
  bodyError?: string;
  error?: string;
  attempt?: Draft['attempt'];
}

/** A note under a comment: thanks for a report, why a vote failed… */
interface Flash {
  id: string;
  text: string;
  error?: boolean;
  /** A new comment, for `taliq-posted`. */
  posted?: OwnComment;
}

/** Properties that change the configuration (and so maybe the thread shown). */
const CONFIG_PROPS = ['site', 'thread', 'api', 'langAttr', 'dirAttr', 'threadTitle', 'threadUrl', 'sort', 'theme', 'token'];
/** Reactive but internal: not an attribute. */
const STATE = { state: true };
/** The counter turns to a warning when this share of the limit is left. */
const WARN_SHARE = 0.1;
/** Replies shown under a comment before "show N replies". */
const REPLIES_SHOWN = 3;
/** The server's default edit window (seconds), until the thread says otherwise. */
const EDIT_WINDOW = 900;

const byDate = (a: Shown, b: Shown) => a.createdAt.localeCompare(b.createdAt);
const without = <T extends Shown>(list: readonly T[], id: string) => list.filter((c) => c.id !== id);
const valueOf = (form: HTMLFormElement, name: string) => (form.elements.namedItem(name) as HTMLInputElement).value.trim();

export class TaliqComments extends LitElement {
  static override styles = styles;
  static override properties = {
    site: {},
    thread: {},
    api: {},
    langAttr: { attribute: 'lang' },
    dirAttr: { attribute: 'dir' },
    threadTitle: { attribute: 'thread-title' },
    threadUrl: { attribute: 'thread-url' },
    sort: {},
    theme: {},
    token: {},
    cfg: STATE,
    near: STATE,
    threadInfo: STATE,
    comments: STATE,
    added: STATE,
    own: STATE,
    fresh: STATE,
    removed: STATE,
    nextCursor: STATE,
    listState: STATE,
    listError: STATE,
    moreLoading: STATE,
    moreError: STATE,
    name: STATE,
    body: STATE,
    nameError: STATE,
    bodyError: STATE,
    formError: STATE,
    sending: STATE,
    status: STATE,
    said: STATE,
    open: STATE,
    flash: STATE,
    receipts: STATE,
    votes: STATE,
    reported: STATE,
    expanded: STATE,
    now: STATE,
    upto: STATE,
  };

  site = '';
  thread = '';
  api = '';
  /** Read through the `lang` attribute; `el.lang = 'fr'` sets it natively. */
  private langAttr = '';
  /** Read through the `dir` attribute; `el.dir = 'ltr'` sets it natively. */
  private dirAttr = '';
  threadTitle = '';
  threadUrl = '';
  sort = '';
  theme = '';
  token = '';

  private cfg!: Config;
  /** The element came near the viewport: time to load. */
  private near = false;
  private threadInfo: ThreadInfo | null = null;
  /**
   * Approved comments of the pages loaded so far, in the server's order. It only ever grows at
   * its end (pages, and live comments once shown), so the rendered list never shifts: each
   * comment keeps its DOM, and a change re-renders that comment only.
   */
  private comments: readonly Shown[] = [];
  /** Top-level comments that arrived live and were shown at the top, at the reader's request. */
  private added: readonly Shown[] = [];
  /** The reader's own comments: posted now, or pending ones found through receipts (they win over `comments`). */
  private own: readonly OwnComment[] = [];
  /** Approved comments that arrived live, shown when the reader asks. */
  private fresh: readonly PublicComment[] = [];
  /** Comments removed while the page was open. */
  private removed: ReadonlySet<string> = new Set();
  private nextCursor: string | null = null;
  private listState: 'loading' | 'ready' | 'error' = 'loading';
  private listError = '';
  private moreLoading = false;
  private moreError = '';
  private name = '';
  private body = '';
  private nameError = '';
  private bodyError = '';
  private formError = '';
  private sending = false;
  private status = '';
  /** Said to screen readers (politely): the characters left, what became of a vote, a report… */
  private said = '';
  private open: Open | null = null;
  private flash: Flash | null = null;
  /** The reader's receipts (edit tokens) for this thread, by comment id. */
  private receipts: ReadonlyMap<string, Receipt> = new Map();
  private votes: ReadonlyMap<string, Vote> = new Map();
  private reported: ReadonlySet<string> = new Set();
  /** Top-level comments whose replies are all shown. */
  private expanded: ReadonlySet<string> = new Set();
  /** The time, every minute while an own comment may be edited: edit windows end while the page is open. */
  private now = Date.now();
  /**
   * How many top-level comments of the pages are rendered: a thread's first page is rendered a
   * few comments at a time, in tasks short enough never to hold the page up (no long task).
   */
  private upto = 1e9;

  #client!: ApiClient;
  /** `api|site|thread|sort|token` of what is shown; a change reloads. */
  #loadedKey = '';
  #attempt: Draft['attempt'];
  #abort?: AbortController;
  #clock?: ReturnType<typeof setInterval>;
  #counterTimer?: ReturnType<typeof setTimeout>;
  #observer?: IntersectionObserver;
  #stopLive?: () => void;
  #lastEvent = '';
  /** Whether a comment counts in `threadInfo.count`, as changed since the thread was loaded. */
  #counted = new Map<string, boolean>();
  /** Every comment shown by the last render, by id, and the top-level comment each belongs to. */
  #items = new Map<string, Shown>();
  #roots = new Map<string, string>();
  #memo?: [unknown[], [Group[], (Group | undefined)[]]];
  /** Comments with a vote on its way, and the vote each should end with. */
  #voteWanted = new Map<string, Vote | 0>();

  /** The reader's words (Arabic until a language pack arrives: nothing is rendered till then). */
  get #t(): Messages {
    return catalog(this.cfg.lang) ?? catalog('ar')!;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Relative times ("5 minutes ago") age while the page stays open.
    this.#clock = setInterval(() => this.#tick(), 60_000);
    if (this.near) this.#listen();
    // Nothing is asked of the server until the reader comes near the comments.
    else (this.#observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && (this.near = true), { rootMargin: '600px' })).observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.#clock);
    clearTimeout(this.#counterTimer);
    this.#observer?.disconnect();
    this.#stopLive?.();
    this.#stopLive = undefined;
    if (this.listState === 'loading' || this.moreLoading) {
      // Interrupted: load again if the element comes back.
      this.#abort?.abort();
      this.#loadedKey = '';
      this.moreLoading = false;
    }
  }

  // The first render runs in a task of its own, apart from the page's scripts: no long task.
  protected override async scheduleUpdate(): Promise<void> {
    if (!this.hasUpdated) await new Promise((r) => setTimeout(r));
    super.scheduleUpdate();
  }

  protected override updated(): void {
    if (this.upto < this.comments.length) setTimeout(() => (this.upto *= 3));
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (this.near) this.#observer?.disconnect();
    if (!this.cfg || CONFIG_PROPS.some((k) => changed.has(k))) {
      // The attributes, by the names readConfig() knows them (`langAttr` is `lang`…).
      const attrs = Object.fromEntries(CONFIG_PROPS.map((k) => [k.replace('Attr', ''), this[k as keyof this]]));
      this.cfg = readConfig(attrs, readEnv());
    }
    const { api, site, thread, sort, token, lang } = this.cfg;
    if (this.near && !catalog(lang)) void loadCatalog(lang).then(() => this.requestUpdate());
    const key = [api, site, thread, sort, token].join('|');
    if (key !== this.#loadedKey && this.isConnected) {
      if (this.#loadedKey.split('|').slice(1, 3).join('|') !== `${site}|${thread}`) this.#restoreForm();
      if (!site) {
        this.#loadedKey = key;
        console.warn('Taliq: <taliq-comments site> is required');
      } else if (this.near) {
        this.#loadedKey = key;
        void this.#load();
      }
    }
  }

  // ---- data -------------------------------------------------------------------------------

  #restoreForm(): void {
    const draft = kept.loadDraft(this.cfg.site, this.cfg.thread);
    this.name = kept.loadName();
    this.body = draft?.body ?? '';
    this.#attempt = draft?.attempt;
    this.nameError = this.bodyError = this.formError = this.status = this.said = '';
  }

  /** Loads the first page and the reader's own comments, then follows live updates. Also the retry button. */
  async #load(): Promise<void> {
    this.#abort?.abort();
    this.#stopLive?.();
    this.#stopLive = undefined;
    this.#lastEvent = '';
    const { signal } = (this.#abort = new AbortController());
    const cfg = this.cfg;
    const client = (this.#client = new ApiClient(cfg.api, cfg.site, cfg.token));
    this.threadInfo = this.open = this.flash = this.nextCursor = null;
    this.comments = this.added = this.own = this.fresh = [];
    this.removed = new Set();
    this.#counted.clear();
    this.receipts = new Map(kept.loadReceipts(cfg.site, cfg.thread).map((r) => [r.id, r]));
    this.votes = kept.loadVotes(cfg.site);
    this.listState = 'loading';
    this.listError = this.moreError = '';
    this.moreLoading = false;
    const listed = client.list(cfg.thread, { sort: cfg.sort, signal });
    void this.#loadOwn(cfg, signal, listed);
    // Formatters take some milliseconds to make: made while the answer is on its way.
    setTimeout((now = new Date()) => relativeTime(now, cfg.locale) + absoluteTime(now, cfg.locale) + this.#num(0));
    // The words come before anything is said, an error included.
    await loadCatalog(cfg.lang);
    try {
      const page = await listed;
      if (signal.aborted) return;
      this.threadInfo = page.thread;
      this.comments = page.comments;
      this.nextCursor = page.nextCursor;
      this.listState = 'ready';
      this.upto = 4;
      this.#listen();
    } catch (e) {
      if (signal.aborted) return;
      this.listState = 'error';
      this.listError = this.#fail(e);
    }
  }

  /**
   * Asks the server about the receipts kept here: shows the reader's pending comments, and keeps
   * the receipts of comments still pending, or approved and within the edit window.
   */
  async #loadOwn(cfg: Config, signal: AbortSignal, listed: Promise<{ thread: ThreadInfo }>): Promise<void> {
    const asked = kept.loadReceipts(cfg.site, cfg.thread);
    if (!asked.length) return;
    try {
      const mine = await this.#client.mine(cfg.thread, asked.map((r) => r.token), signal);
      const window = await listed.then((p) => this.#editWindow(p.thread), () => EDIT_WINDOW * 1000);
      const status = new Map(mine.map((c) => [c.id, c]));
      const receipts = kept.pruneReceipts(cfg.site, cfg.thread, asked, (r) => {
        const c = status.get(r.id);
        return c?.status === 'pending' || (c?.status === 'approved' && Date.now() - Date.parse(c.createdAt) < window);
      });
      if (signal.aborted) return;
      this.receipts = new Map(receipts.map((r) => [r.id, r]));
      this.own = [...this.own, ...mine.filter((c) => c.status === 'pending' && !this.own.some((o) => o.id === c.id))];
    } catch (e) {
      // Not worth an alert: the reader's pending comments are simply not shown this time.
      if (!signal.aborted) console.warn('Taliq: own comments', e);
    }
  }

  async #loadMore(): Promise<void> {
    const abort = this.#abort;
    if (this.moreLoading || !this.nextCursor || !abort) return;
    this.moreLoading = true;
    this.moreError = '';
    try {
      const { cfg } = this;
      const page = await this.#client.list(cfg.thread, { sort: cfg.sort, cursor: this.nextCursor, signal: abort.signal });
      if (abort.signal.aborted) return;
      const known = new Set([...this.comments, ...this.added].map((c) => c.id));
      const more = page.comments.filter((c) => !known.has(c.id));
      this.comments = [...this.comments, ...more];
      this.fresh = this.fresh.filter((c) => !more.some((m) => m.id === c.id));
      this.nextCursor = page.nextCursor;
      this.threadInfo = page.thread;
      this.#counted.clear();
      this.moreLoading = false;
      // Keyboard and screen-reader users continue where the new comments start.
      const first = more.find((c) => !c.parentId);
      if (first) await this.#focusOn(first.id);
    } catch (e) {
      if (!abort.signal.aborted) this.moreError = this.#fail(e);
    } finally {
      if (!abort.signal.aborted) this.moreLoading = false;
    }
  }

  /** Unfolds a comment's replies, and loads those the server held back (50 a time); the reader continues at the first new one. */
  async #moreReplies(c: Shown, first?: Shown): Promise<void> {
    this.expanded = new Set(this.expanded).add(c.id);
    const more = c.moreReplies;
    try {
      if (more) {
        const page = await this.#client.replies(this.cfg.thread, c.id, more.cursor);
        this.comments = [...this.comments, ...page.comments.filter((r) => !this.#items.has(r.id))];
        this.#patch(c.id, { moreReplies: page.moreReplies ?? undefined });
        first ??= page.comments[0];
      }
      if (first) await this.#focusOn(first.id);
    } catch (e) {
      this.#tell(c.id, this.#fail(e), true);
    }
  }

  // ---- live updates -------------------------------------------------------------------------

  /** Follows the thread's live updates, once it is loaded. */
  #listen(): void {
    if (this.#stopLive || this.listState !== 'ready') return;
    this.#stopLive = follow(this.#client.events(this.cfg.thread), this.#lastEvent, (type, data, id) => {
      this.#lastEvent = id;
      this.#onLive(type, data);
    });
  }

  /** New comments wait for the reader to ask for them; edits and removals apply in place. */
  #onLive(type: LiveEvent, c: PublicComment): void {
    const { id } = c;
    const has = (list: readonly Shown[], key = id) => list.some((x) => x.id === key);
    const removed = new Set(this.removed);
    if (type === 'comment.removed') {
      this.#mark(id, false, true);
      // The reader's own comment, edited back into review, stays shown to them.
      if (!this.own.some((x) => x.id === id && x.status === 'pending')) removed.add(id);
      this.fresh = without(this.fresh, id);
    } else if (type === 'comment.edited' || this.#items.has(id) || has(this.fresh)) {
      if (type !== 'comment.edited') this.#mark(id, true, has(this.comments) || has(this.added));
      removed.delete(id);
      this.#patch(id, has(this.own) ? { ...c, status: 'approved' } : c);
    } else {
      this.#mark(id, true, false);
      // A reply to a comment not loaded comes with its page.
      if (!c.parentId || this.#items.has(c.parentId) || has(this.fresh, c.parentId)) this.fresh = [...this.fresh, c];
    }
    this.removed = removed;
  }

  /** Shows the comments that arrived live, where they belong, and takes the reader to the first. */
  async #showFresh(): Promise<void> {
    const { fresh } = this;
    if (!fresh.length) return;
    this.fresh = [];
    const top = fresh.filter((c) => !c.parentId);
    if (this.cfg.sort === 'oldest') this.comments = [...this.comments, ...fresh];
    else {
      this.added = [...top, ...this.added];
      this.comments = [...this.comments, ...fresh.filter((c) => c.parentId)];
    }
    await this.updateComplete;
    this.expanded = new Set([...this.expanded, ...fresh.map((c) => this.#roots.get(c.id)!)]);
    await this.#focusOn(fresh[0].id);
  }

  /** Keeps `threadInfo.count` right as comments are approved and removed: `was` is what it counted before any change seen here. */
  #mark(id: string, approved: boolean, was: boolean): void {
    was = this.#counted.get(id) ?? was;
    this.#counted.set(id, approved);
    const info = this.threadInfo;
    if (was !== approved && info) this.threadInfo = { ...info, count: Math.max(0, info.count + (approved ? 1 : -1)) };
  }

  /** Changes a comment wherever it is kept. */
  #patch(id: string, p: Partial<Shown>): void {
    const f = <T extends Shown>(list: readonly T[]) => list.map((c) => (c.id === id ? { ...c, ...p } : c));
    this.comments = f(this.comments);
    this.added = f(this.added);
    this.own = f(this.own);
    this.fresh = f(this.fresh);
  }

  #tick(): void {
    const { locale } = this.cfg;
    // Only the times change: their text is set in place rather than re-rendering every comment.
    for (const time of this.renderRoot.querySelectorAll('time')) {
      const text = time.lastChild;
      if (text instanceof Text) text.data = relativeTime(time.dateTime, locale);
    }
    if (this.receipts.size) this.now = Date.now();
  }

  // ---- writing ------------------------------------------------------------------------------

  #onName(e: Event): void {
    this.name = (e.target as HTMLInputElement).value;
    this.nameError = '';
    if (this.open?.nameError) this.open = { ...this.open, nameError: '' };
    kept.saveName(this.name);
  }

  #onBody(e: Event): void {
    this.body = (e.target as HTMLTextAreaElement).value;
    this.bodyError = this.formError = this.status = '';
    kept.saveDraft(this.cfg.site, this.cfg.thread, { body: this.body, attempt: this.#attempt });
    clearTimeout(this.#counterTimer);
    this.#counterTimer = setTimeout(() => {
      const left = Math.max(0, LIMITS.bodyMax - this.body.length);
      this.said = this.#t.remaining(left, this.#num(left, false));
    }, 1000);
  }

  /** The name to send: the signed-in reader's, else the one typed. */
  #author(): string {
    return (this.cfg.signedInAs ?? this.name).trim();
  }

  /**
   * Client-side checks, with the same limits as the server: the words for each field, '' when
   * fine (`name` null: no name field). With an error from the server, its `validation_failed` issues instead.
   */
  #check(body: string, name: string | null = this.#author(), e?: unknown): { nameError: string; bodyError: string } {
    const t = this.#t;
    const issues = e ? (e instanceof ApiError ? e.issues : []) : undefined;
    const words = (value: string | null, max: number, field: string, required: string, tooLong: Messages['nameTooLong']) =>
      issues
        ? issues.some((i) => i.path.includes(field))
          ? required
          : ''
        : value == null
          ? ''
          : !value
            ? required
            : value.length > max
              ? tooLong(max, this.#num(max, false))
              : '';
    return {
      nameError: words(name, LIMITS.nameMax, 'name', t.nameRequired, t.nameTooLong),
      bodyError: words(body, LIMITS.bodyMax, 'body', t.bodyRequired, t.bodyTooLong),
    };
  }

  /**
   * Sends a new comment or reply, with the Idempotency-Key of its attempt (the same for the same
   * request, so a retry is recognised); the comment as stored, or null when the element moved to
   * another thread meanwhile.
   */
  async #create(body: string, parentId: string | undefined, attempt: Draft['attempt'], keep: (a: NonNullable<Draft['attempt']>) => void): Promise<OwnComment | null> {
    const { site, thread, threadTitle, threadUrl } = this.cfg;
    const input: NewCommentInput = { author: { name: this.#author() }, body, parentId };
    // The honeypot: hidden from people, filled only by bots.
    const trap = this.renderRoot.querySelector<HTMLInputElement>('[name=website]')?.value;
    if (trap) input.website = trap;
    if (threadTitle || threadUrl) input.thread = { title: threadTitle, url: threadUrl };
    const payload = JSON.stringify(input);
    if (attempt?.payload !== payload) attempt = { key: newIdempotencyKey(), payload };
    keep(attempt);
    const loaded = this.#loadedKey;
    const { comment, editToken } = await this.#client.post(thread, input, attempt.key);
    const receipt = { id: comment.id, token: editToken };
    kept.addReceipt(site, thread, receipt);
    if (loaded !== this.#loadedKey) return null;
    this.receipts = new Map(this.receipts).set(comment.id, receipt);
    this.own = [comment, ...without(this.own, comment.id)];
    this.fresh = without(this.fresh, comment.id);
    this.#mark(comment.id, comment.status === 'approved', false);
    return comment;
  }

  /** What to tell the reader of their new comment. */
  #note(comment: OwnComment): string {
    return comment.status === 'pending' ? this.#t.postedPending : this.#t.postedApproved;
  }

  /** Takes the reader to a comment and, for a new one, tells the page (once it shows). */
  #show(id: string, posted?: OwnComment): Promise<void> {
    const focused = this.#focusOn(id);
    if (posted) this.#emit('taliq-posted', { comment: posted });
    return focused;
  }

  async #onSubmit(e: Event): Promise<void> {
    e.preventDefault();
    if (this.sending) return;
    const { site, thread } = this.cfg;
    const body = this.body.trim();
    this.formError = this.status = '';
    Object.assign(this, this.#check(body));
    if (this.nameError || this.bodyError) return this.#focusInvalid();
    this.sending = true;
    try {
      const comment = await this.#create(body, undefined, this.#attempt, (a) => kept.saveDraft(site, thread, { body: this.body, attempt: (this.#attempt = a) }));
      kept.saveDraft(site, thread, null);
      if (!comment) return;
      this.body = this.said = '';
      this.#attempt = undefined;
      this.status = this.#note(comment);
      await this.#show(comment.id, comment);
    } catch (err) {
      if (thread !== this.cfg.thread) return;
      Object.assign(this, this.#check(body, '', err));
      this.formError = `${this.#fail(err)} ${this.#t.draftKept}`;
    } finally {
      this.sending = false;
    }
  }

  // ---- what readers do with a comment -------------------------------------------------------

  /** Opens (or closes again) a small form under a comment, and puts the reader in it (a reply: in its text box, even before a name is known). */
  async #toggle(c: Shown, kind: Kind): Promise<void> {
    if (this.open?.id === c.id && this.open.kind === kind) return this.#close();
    this.open = { id: c.id, kind };
    this.flash = null;
    await this.#focus('.sub [data-first]');
  }

  /** Closes the small form and gives focus back to the button that opened it. */
  async #close(): Promise<void> {
    const o = this.open;
    this.open = null;
    if (o) await this.#focus(`[data-k=${o.kind}]`, o.id);
  }

  /**
   * Sends the open small form: `run` answers the comment to show a note under (and take the
   * reader to) with the note, or null when it has dealt with the outcome itself.
   */
  async #act(e: Event, run: (form: HTMLFormElement, o: Open) => Promise<Flash | null>): Promise<void> {
    e.preventDefault();
    const o = this.open;
    if (!o || o.sending) return;
    this.open = { ...o, sending: true, error: '' };
    try {
      const done = await run(e.target as HTMLFormElement, o);
      if (!done) return;
      this.open = null;
      this.#tell(done.id, done.text);
      await this.#show(done.id, done.posted);
    } catch (err) {
      if (this.open?.id === o.id) this.open = { ...this.open, error: this.#fail(err), ...this.#check('-', '-', err) };
    } finally {
      if (this.open?.sending) this.open = { ...this.open, sending: false };
    }
  }

  /** Field errors in the open form, and the reader taken to the first; null, for `#act`. */
  async #invalid(errors: Partial<Open>): Promise<null> {
    this.open = { ...this.open!, ...errors };
    await this.#focusInvalid();
    return null;
  }

  #reply = (e: Event, parent: Shown) =>
    this.#act(e, async (form, o) => {
      const body = valueOf(form, 'body');
      const errors = this.#check(body);
      if (errors.nameError || errors.bodyError) return this.#invalid(errors);
      const comment = await this.#create(body, parent.id, o.attempt, (attempt) => (this.open = { ...this.open!, attempt }));
      if (!comment) return null;
      this.open = null;
      this.expanded = new Set(this.expanded).add(this.#roots.get(parent.id) ?? parent.id);
      return { id: comment.id, text: this.#note(comment), posted: comment };
    });

  #edit = (e: Event, c: Shown) =>
    this.#act(e, async (form) => {
      const body = valueOf(form, 'body');
      const { bodyError } = this.#check(body, null);
      if (bodyError) return this.#invalid({ bodyError });
      const edited = await this.#client.edit(c.id, this.receipts.get(c.id)!.token, body);
      // On a pre-moderated site an edit may send the comment back to review.
      this.#mark(c.id, edited.status === 'approved', c.status !== 'pending');
      const removed = new Set(this.removed);
      removed.delete(c.id);
      this.removed = removed;
      this.own = [edited, ...without(this.own, c.id)];
      return { id: c.id, text: edited.status === 'pending' ? this.#t.postedPending : this.#t.saved };
    });

  #delete = (e: Event, c: Shown) =>
    this.#act(e, async () => {
      const { site, thread } = this.cfg;
      await this.#client.remove(c.id, this.receipts.get(c.id)!.token);
      this.#mark(c.id, false, c.status !== 'pending');
      this.removed = new Set(this.removed).add(c.id);
      this.receipts = new Map([...this.receipts].filter(([id]) => id !== c.id));
      kept.pruneReceipts(site, thread, kept.loadReceipts(site, thread), (r) => r.id !== c.id);
      this.open = null;
      this.said = this.#t.deleted;
      await this.#focus('h2');
      return null;
    });

  #report = (e: Event, c: Shown) =>
    this.#act(e, async (form) => {
      await this.#client.report(c.id, valueOf(form, 'reason') as ReportReason, valueOf(form, 'note') || undefined);
      this.reported = new Set(this.reported).add(c.id);
      return { id: c.id, text: this.#t.reported };
    });

  /**
   * Likes or dislikes at once, and takes it back when the server refuses. A reader who changes
   * their mind while a vote is on its way sees the change at once; it is sent when the server
   * answers the first (one request per comment at a time, the last wish wins).
   */
  async #vote(c: Shown, want: Vote): Promise<void> {
    const { id, likes, dislikes } = c;
    const before = this.votes.get(id) ?? 0;
    const value = before === want ? 0 : want;
    const change = (v: number) => (before === v ? -1 : 0) + (value === v ? 1 : 0);
    this.#setVote(id, value);
    this.#patch(id, { likes: likes + change(1), dislikes: dislikes + change(-1) });
    const onItsWay = this.#voteWanted.has(id);
    this.#voteWanted.set(id, value);
    if (onItsWay) return;
    let confirmed: { value: Vote | 0; likes: number; dislikes: number } = { value: before, likes, dislikes };
    try {
      for (let sending: Vote | 0 = value; ; ) {
        const r = await this.#client.vote(id, sending);
        confirmed = { value: sending, likes: r.likes, dislikes: r.dislikes };
        const wanted = this.#voteWanted.get(id) ?? sending;
        if (wanted === sending) break;
        sending = wanted;
      }
      this.#patch(id, { likes: confirmed.likes, dislikes: confirmed.dislikes });
    } catch (e) {
      this.#setVote(id, confirmed.value);
      this.#patch(id, { likes: confirmed.likes, dislikes: confirmed.dislikes });
      this.#tell(id, this.#fail(e), true);
    }
    this.#voteWanted.delete(id);
  }

  #setVote(id: string, value: Vote | 0): void {
    const votes = new Map(this.votes);
    if (value) votes.set(id, value);
    else votes.delete(id);
    this.votes = votes;
    kept.saveVote(this.cfg.site, id, value);
  }

  // ---- helpers ------------------------------------------------------------------------------

  #num(n: number, grouping = true): string {
    return formatNumber(n, this.cfg.locale, grouping);
  }

  /** The reader's words for an error, announced to the page as `taliq-error`. */
  #fail(e: unknown): string {
    const code: ClientErrorCode = e instanceof ApiError ? e.code : 'internal';
    const message = this.#t.errors[errorWord(code)] ?? this.#t.errors.internal;
    if (!(e instanceof ApiError)) console.error(e);
    this.#emit('taliq-error', { code, message });
    return message;
  }

  #emit(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  /** A note under a comment, also said to screen readers. */
  #tell(id: string, text: string, error?: boolean): void {
    this.flash = { id, text, error };
    this.said = text;
  }

  /** Once rendered, moves focus to the first element `selector` finds, in comment `id` when given. */
  async #focus(selector: string, id?: string): Promise<void> {
    await this.updateComplete;
    // By id: a selector would walk a thousand comments.
    const root = id ? (this.renderRoot as ShadowRoot).getElementById(`c-${id}`) : this.renderRoot;
    (selector ? root?.querySelector<HTMLElement>(selector) : (root as HTMLElement | null))?.focus();
  }

  #focusOn(id: string): Promise<void> {
    return this.#focus('', id);
  }

  #focusInvalid(): Promise<void> {
    return this.#focus('[aria-invalid="true"]');
  }

  #editWindow(info = this.threadInfo): number {
    return (info?.editWindowSeconds ?? EDIT_WINDOW) * 1000;
  }

  /**
   * The comments to show, each top-level one with its replies: first those that are not in the
   * loaded pages (the reader's own, live ones shown), newest first; then the pages, in the
   * server's order, with a hole (undefined) where a comment was removed, so nothing shifts.
   */
  #groups(): [Group[], (Group | undefined)[]] {
    const { removed } = this;
    // Typing in the form renders again too: the groups are worked out only when the comments change.
    const deps = [this.comments, this.added, this.own, removed];
    if (this.#memo?.[0].every((d, i) => d === deps[i])) return this.#memo[1];
    const loaded = new Map<string, Shown>(this.comments.map((c) => [c.id, c]));
    const extra = new Map<string, Shown>();
    // The reader's own version wins: it has the status.
    for (const c of [...this.added, ...this.own]) (loaded.has(c.id) ? loaded : extra).set(c.id, c);
    const items = (this.#items = new Map([...extra, ...loaded]));
    const roots = (this.#roots = new Map());
    const groups = new Map<string, Group>();
    const rootOf = (c: Shown): Shown => {
      for (let i = 0; c.parentId && items.has(c.parentId) && i < 100; i++) c = items.get(c.parentId)!;
      return c;
    };
    for (const c of items.values()) roots.set(c.id, rootOf(c).id);
    for (const c of [...items.values()].sort(byDate)) {
      const root = roots.get(c.id);
      if (root === c.id) groups.set(c.id, [c, []]);
      else if (!removed.has(c.id)) groups.get(root)?.[1].push(c);
    }
    const show = (c: Shown) => (removed.has(c.id) ? undefined : groups.get(c.id));
    return (this.#memo = [
      deps,
      [
        [...extra.values()].filter((c) => roots.get(c.id) === c.id && !removed.has(c.id)).sort((a, b) => byDate(b, a)).map(show) as Group[],
        this.comments.filter((c) => roots.get(c.id) === c.id).map(show),
      ],
    ])[1];
  }

  // ---- rendering ----------------------------------------------------------------------------

  protected override render() {
    const { cfg, threadInfo } = this;
    const t = catalog(cfg.lang);
    if (!cfg.site || !t) return nothing;
    const count = threadInfo?.count;
    return html`<section class="root ${cfg.theme}" part="base" dir=${cfg.dir} lang=${cfg.lang} aria-labelledby="heading">
<h2 id="heading" part="heading" tabindex="-1">${count == null ? t.heading : t.comments(count, this.#num(count))}</h2>
${threadInfo?.closed ? html`<p class="note" part="closed">${t.closed}</p>` : this.#form(t)}
<p class="sr-only" role="status">${this.said}</p>
${this.#list(t)}
</section>`;
  }

  #nameField(id: string, error = '', t: Messages) {
    const who = this.cfg.signedInAs;
    return html`<div class="field">
<label part="label" for=${id}>${t.nameLabel}</label>
<input id=${id} part="input" name="name" dir="auto" autocomplete="name" required maxlength=${LIMITS.nameMax} .value=${who ?? this.name}
?readonly=${!!who} aria-invalid=${!!error} aria-describedby="${id}-error ${who ? `${id}-who` : ''}" @input=${this.#onName} />
${who ? html`<p id="${id}-who" class="note" part="signed-in">${t.signedInAs} <bdi>${who}</bdi></p>` : nothing}
<p id="${id}-error" class="error" part="field-error">${error}</p>
</div>`;
  }

  #bodyField(id: string, label: string, error = '', value = '', extra: unknown = nothing) {
    const main = id === 'body';
    return html`<div class="field">
<label part="label" for=${id}>${label}</label>
<textarea id=${id} part="textarea" name="body" dir="auto" rows="4" required maxlength=${LIMITS.bodyMax} ?readonly=${main && this.sending}
?data-first=${!main} .value=${value} aria-invalid=${!!error} aria-describedby="${id}-error" @input=${main ? this.#onBody : null}></textarea>
${extra}
<p id="${id}-error" class="error" part="field-error">${error}</p>
</div>`;
  }

  #form(t: Messages) {
    const used = this.body.length;
    const warning = LIMITS.bodyMax - used <= LIMITS.bodyMax * WARN_SHARE;
    return html`<form part="form" novalidate @submit=${this.#onSubmit}>
${this.#nameField('name', this.nameError, t)}
${this.#bodyField(
        'body',
        t.bodyLabel,
        this.bodyError,
        this.body,
        html`<span class="counter ${warning ? 'warning' : ''}" part="counter ${warning ? 'counter-warning' : ''}" dir="ltr" aria-hidden="true"
>${this.#num(used, false)} / ${this.#num(LIMITS.bodyMax, false)}</span
>`,
      )}
<div class="sr-only" aria-hidden="true"><input name="website" tabindex="-1" autocomplete="off"></div>
<div class="actions">
<button type="submit" part="button send" aria-disabled=${this.sending}>${this.sending ? t.sending : t.send}</button>
<p class="error" part="form-error" role="alert">${this.formError}</p>
<p class="note" part="status" role="status">${this.status}</p>
</div>
</form>`;
  }

  #list(t: Messages) {
    if (this.listState === 'error')
      return html`<div role="alert">
<p class="error">${t.loadError} ${this.listError}</p>
<button class="secondary" part="button retry" @click=${this.#load}>${t.retry}</button>
</div>`;
    const [first, pages] = this.#groups();
    const n = this.fresh.length;
    if (this.listState === 'loading' && !first.length) return html`<p class="note" role="status">${this.near ? t.loading : ''}</p>`;
    const bar = html`<div class="bar" part="toolbar">
<label part="label"
>${t.sort}
<select part="sort" @change=${(e: Event) => (this.sort = (e.target as HTMLSelectElement).value)}>
${SORTS.map((s) => html`<option value=${s} ?selected=${s === this.cfg.sort}>${t.sorts[s]}</option>`)}
</select></label
>
<div aria-live="polite">${n ? html`<button class="secondary" part="button fresh" @click=${this.#showFresh}>${t.fresh(n, this.#num(n))}</button>` : nothing}</div>
</div>`;
    if (!first.length && !pages.some(Boolean)) return html`${n ? bar : nothing}<p class="note" part="empty">${t.empty}</p>`;
    const group = (g?: Group) => {
      if (!g) return nothing;
      const [c, replies] = g;
      const shown = this.expanded.has(c.id) ? replies : replies.filter((r, i) => i < REPLIES_SHOWN || r.status);
      const hidden = replies.filter((r) => !shown.includes(r));
      // Folded here, and held back by the server past its bound.
      const n = hidden.length + (c.moreReplies?.count ?? 0);
      return html`<li class="item">
${this.#comment(c, t)}
${replies.length
          ? html`<ol class="replies" part="replies">
${shown.map((r) => html`<li>${this.#comment(r, t, r.parentId === c.id ? '' : this.#items.get(r.parentId!)?.author.name)}</li>`)}
</ol>`
          : nothing}
${n
          ? html`<button class="link" part="button more-replies" @click=${() => this.#moreReplies(c, hidden[0])}>
${t.moreReplies(n, this.#num(n))}
</button>`
          : nothing}
</li>`;
    };
    return html`${bar}
<ol part="list" aria-busy=${this.listState === 'loading' || this.upto < this.comments.length}>
${first.map(group)}${pages.slice(0, this.upto).map(group)}
</ol>
${this.nextCursor
        ? html`<div class="more">
<p class="error" role="alert">${this.moreError}</p>
<button class="secondary" part="button more" aria-disabled=${this.moreLoading} @click=${this.#loadMore}>
${this.moreLoading ? t.loadingMore : this.moreError ? t.retry : t.more}
</button>
</div>`
        : nothing}`;
  }

  /** One comment; rendered again only when something it shows changed. */
  #comment(c: Shown, t: Messages, to = '') {
    const own = this.receipts.has(c.id) && this.now - Date.parse(c.createdAt) < this.#editWindow();
    const open = this.open?.id === c.id ? this.open : null;
    const flash = this.flash?.id === c.id ? this.flash : null;
    const vote = this.votes.get(c.id);
    const { closed } = this.threadInfo ?? {};
    return guard([c, t, this.cfg, to, own, open, flash, vote, this.reported.has(c.id), closed], () => {
      const { locale } = this.cfg;
      const pending = c.status === 'pending';
      const kind = open?.kind;
      const button = (k: Kind) =>
        html`<button class="link" part="button ${k}" data-k=${k} aria-expanded=${kind === k} @click=${() => this.#toggle(c, k)}>${t[k]}</button>`;
      // Named "Like 3" (the visible count is in the name); shown "👍 3".
      const voteButton = (v: Vote, icon: string, label: string, n = this.#num(v > 0 ? c.likes : c.dislikes)) =>
        html`<button class="link" part="button vote ${v > 0 ? 'like' : 'dislike'}" aria-label="${label} ${n}" aria-pressed=${vote === v} @click=${() => this.#vote(c, v)}>${icon} ${n}</button>`;
      // The small form open under this comment (the edit form stands in for the text).
      const form =
        kind &&
        html`<form class="sub" part="form ${kind}-form" ?novalidate=${kind !== 'report'} aria-label=${t[kind]}
@submit=${(e: Event) => ({ reply: this.#reply, edit: this.#edit, delete: this.#delete, report: this.#report })[kind](e, c)}
@keydown=${(e: KeyboardEvent) => e.key === 'Escape' && this.#close()}>
${kind === 'edit'
            ? this.#bodyField('edit-body', t.bodyLabel, open.bodyError, c.body)
            : kind === 'reply'
              ? html`${this.#nameField('reply-name', open.nameError, t)}${this.#bodyField('reply-body', t.replyLabel, open.bodyError)}`
              : kind === 'report'
                ? html`<fieldset>
<legend part="label">${t.reportReason}</legend>
${Object.entries(t.reasons).map(([r, words], i) => html`<label><input type="radio" name="reason" value=${r} required ?data-first=${!i} /> ${words}</label>`)}
</fieldset>
<div class="field">
<label part="label" for="report-note">${t.reportNote}</label>
<textarea id="report-note" part="textarea" name="note" dir="auto" rows="2" maxlength="500"></textarea>
</div>`
                : html`<p>${t.confirmDelete}</p>`}
<div class="actions">
<button type="submit" part="button send" ?data-first=${kind === 'delete'} aria-disabled=${!!open.sending}>${kind === 'edit' ? t.save : t[kind]}</button>
<button type="button" class="secondary" part="button cancel" @click=${this.#close}>${t.cancel}</button>
<p class="error" part="form-error" role="alert">${open.error}</p>
</div>
</form>`;
      return html`<article class="comment" part="comment ${pending ? 'comment-pending' : ''}" id="c-${c.id}" tabindex="-1">
<div class="meta">
<bdi class="author" part="author" dir=${textDirection(c.author.name) ?? nothing}>${c.author.name}</bdi>
${c.author.verified
            ? html`<span class="verified" part="verified" title=${t.verified}><span aria-hidden="true">✓</span><span class="sr-only">${t.verified}</span></span>`
            : nothing}
<time part="time" datetime=${c.createdAt} title=${absoluteTime(c.createdAt, locale)}>${relativeTime(c.createdAt, locale)}</time>
${c.editedAt ? html`<span part="edited" title=${absoluteTime(c.editedAt, locale)}>${t.edited}</span>` : nothing}
${pending ? html`<span class="badge" part="badge">${t.pending}</span>` : nothing}
</div>
${to ? html`<p class="note to" part="reply-to">${t.replyTo} <bdi>${to}</bdi></p>` : nothing}
${kind === 'edit' ? form : html`<div class="body" part="body">${lines(c.body)}</div>`}
<div class="acts" part="actions">
${pending ? nothing : html`${voteButton(1, '👍', t.like)}${voteButton(-1, '👎', t.dislike)}${closed ? nothing : button('reply')}`}
${own ? html`${button('edit')}${button('delete')}` : nothing}
${pending || own || this.reported.has(c.id) ? nothing : button('report')}
</div>
${flash ? html`<p class=${flash.error ? 'error' : 'note'} part="message">${flash.text}</p>` : nothing}
${kind === 'edit' ? nothing : form || nothing}
</article>`;
    });
  }
}
