/**
 * The moderation dashboard: a moderator signs in with a token, picks a site and works through its
 * queues (pending, flagged, approved, rejected, spam) by mouse, touch or keyboard. Arabic and
 * right-to-left unless the moderator picks French or English. Everything readers wrote is
 * rendered as text.
 *
 * @tag taliq-moderation
 *
 * @attr lang - language until the moderator picks one in the switcher (kept in localStorage):
 *   `ar` (default), `fr`, `en`
 * @attr standalone - the element owns the page (as at `/admin`): it keeps `<html lang dir>` and the
 *   document's title in step with its language, and removes the body's margin
 *
 * The header shows the token's role (owner or moderator). Nothing here is owner-only: the
 * dashboard works the queues and bans, and never reads the site's settings or secrets.
 *
 * Talks to the API of its own origin (`/api/v1/admin/…`); the token is kept in sessionStorage
 * (`taliq:admin:token`) and removed on sign-out or when the server answers `401`.
 *
 * Keyboard (ignored while typing in a field): `j`/`k` next/previous comment, `a` approve,
 * `r` reject, `s` spam (on the ticked comments when some are ticked, else on the current one),
 * `x` tick the current comment, `/` search.
 *
 * @fires taliq-signed-in - the token was accepted; detail: `{ me }` (`{actor, siteId, role, sites}`)
 * @fires taliq-signed-out - the moderator signed out, or the server refused the token
 * @fires taliq-moderated - the server applied an action; detail: `{ action, comments }`
 *
 * @csspart signin - the sign-in form
 * @csspart tabs - the queue tabs
 * @csspart toolbar - search, select-all and bulk actions
 * @csspart list - the list of comments
 * @csspart comment - one comment; also `comment-active` for the current one
 * @csspart author - the author's name
 * @csspart body - the comment's text
 * @csspart reasons - the reasons chips
 * @csspart actions - the buttons of one comment
 * @csspart help - the keyboard shortcuts line
 * @csspart dialog - the ban dialog
 *
 * @cssprop --taliq-accent - buttons, links, focus ring, current comment
 * @cssprop --taliq-on-accent - text on accent-coloured buttons
 * @cssprop --taliq-bg - page background
 * @cssprop --taliq-card - background of comments and dialogs
 * @cssprop --taliq-fg - text
 * @cssprop --taliq-muted - secondary text and field borders
 * @cssprop --taliq-line - borders
 * @cssprop --taliq-chip - background of reason chips and counts
 * @cssprop --taliq-danger - errors and the ban button
 * @cssprop --taliq-warning - status badges and warning chips
 * @cssprop --taliq-ok - confirmations
 * @cssprop --taliq-radius - corner radius
 * @cssprop --taliq-font - font family
 */
import { LitElement, css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { LIMITS, type Status } from '../../shared/src/limits.js';
import type { ModerationAction, ModeratorComment, QueueStatus, Reason } from '../../shared/src/schemas.js';
import { absoluteTime, formatNumber, relativeTime } from '../../ui/src/time.js';
import { ModerationClient, type Me } from './api-client.js';
import { ApiError } from '../../ui/src/api-error.js';
import { catalogs, isLanguage, localeOf, type Language, type Messages } from './i18n/index.js';
import { shiftCounts, type Counts } from './counts.js';
import { splitLinks } from '../../shared/src/links.js';
import { paragraphs, textDirection } from '../../shared/src/direction.js';

/** A reader's text with its http(s) URLs as links the moderator can check; everything else text. */
const linked = (text: string) =>
  splitLinks(text).map((p) => (p.url ? html`<a href=${p.url} rel="nofollow ugc noopener noreferrer" target="_blank">${p.url}</a>` : p.text));
import { isTypingTarget, shortcutFor } from './keyboard.js';
import { loadLang, loadSite, loadToken, saveLang, saveSite, saveToken } from './session.js';
import { styles } from './styles.js';
import { excerpt, httpHref } from './urls.js';

export interface TaliqSignedInDetail {
  me: Me;
}
export interface TaliqModeratedDetail {
  action: ModerationAction;
  comments: ModeratorComment[];
}

declare global {
  interface HTMLElementTagNameMap {
    'taliq-moderation': TaliqModeration;
  }
  interface HTMLElementEventMap {
    'taliq-signed-in': CustomEvent<TaliqSignedInDetail>;
    'taliq-signed-out': CustomEvent<void>;
    'taliq-moderated': CustomEvent<TaliqModeratedDetail>;
  }
}

type View = 'checking' | 'signin' | 'app';
/** A message of the moment, worded when shown so that it follows a change of language. */
type Notice = { kind: 'ok' | 'error'; text: (t: Messages) => string };

export const QUEUES: readonly QueueStatus[] = ['pending', 'flagged', 'approved', 'rejected', 'spam'];
const TARGET: Record<ModerationAction, Status> = { approve: 'approved', reject: 'rejected', spam: 'spam', restore: 'pending' };
/** The actions that make sense in each queue. In `flagged`, approving keeps a reported comment and clears its reports. */
const ACTIONS: Record<QueueStatus, readonly ModerationAction[]> = {
  pending: ['approve', 'reject', 'spam'],
  flagged: ['approve', 'reject', 'spam'],
  approved: ['reject', 'spam'],
  rejected: ['approve', 'spam', 'restore'],
  spam: ['approve', 'reject', 'restore'],
};
const PAGE = 30;
const POLL_MS = 20_000;
const DURATIONS = { day: 1, week: 7, month: 30, forever: 0 } as const;
type Duration = keyof typeof DURATIONS;

/** `body { margin: 0 }` for the standalone page: a constructed sheet, allowed by `style-src 'self'`. */
const PAGE_STYLES = css`
  body {
    margin: 0;
  }
`;

export class TaliqModeration extends LitElement {
  static override styles = styles;

  /** Read through the `lang` attribute; the language shown is `language`, which the switcher changes and remembers. */
  @property({ attribute: 'lang' }) private langAttr = '';
  @property({ type: Boolean, reflect: true }) standalone = false;

  @state() private language: Language = 'ar';
  @state() private view: View = 'checking';
  @state() private signingIn = false;
  @state() private signinError: Notice | null = null;
  @state() private me: Me | null = null;
  @state() private site = '';
  @state() private status: QueueStatus = 'pending';
  @state() private q = '';
  @state() private comments: readonly ModeratorComment[] = [];
  @state() private counts: Counts | null = null;
  @state() private nextCursor: string | null = null;
  @state() private listState: 'loading' | 'ready' | 'error' = 'loading';
  @state() private listError: Notice | null = null;
  @state() private moreLoading = false;
  /** Index in `comments` of the current comment (keyboard selection), -1 for none. */
  @state() private active = -1;
  /** Ticked for a bulk action. */
  @state() private ticked: ReadonlySet<string> = new Set();
  @state() private notice: Notice | null = null;
  @state() private banTarget: ModeratorComment | null = null;
  @state() private banning = false;
  @state() private banError: Notice | null = null;

  @query('#search') private searchInput?: HTMLInputElement;
  @query('dialog') private dialog?: HTMLDialogElement;

  private client: ModerationClient | null = null;
  private abort?: AbortController;
  /** Actions sent and not answered yet: comment id → the status it is moving to. */
  private flying = new Map<string, Status>();
  /** Comments our answered actions moved, that a listing begun before the answer may still show with their old status. */
  private moved = new Map<string, Status>();
  /** Counts every action sent, so that an answer begun before an action does not overwrite its counts. */
  private seq = 0;
  private countsAt = 0;
  private searchTimer?: ReturnType<typeof setTimeout>;
  private poll?: ReturnType<typeof setInterval>;
  /** Move the keyboard focus to the current comment after the next render. */
  private focusPending = false;

  private get t(): Messages {
    return catalogs[this.language];
  }
  private get locale(): string {
    return localeOf(this.language);
  }
  private num(n: number): string {
    return formatNumber(n, this.locale);
  }

  // ---- life cycle ---------------------------------------------------------------------------

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onKeydown);
    window.addEventListener('focus', this.onFocus);
    document.addEventListener('visibilitychange', this.onFocus);
    this.poll = setInterval(() => {
      if (document.visibilityState === 'visible') void this.refreshCounts();
      this.requestUpdate(); // relative times age
    }, POLL_MS);
    if (this.view === 'checking') void this.resume();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.onKeydown);
    window.removeEventListener('focus', this.onFocus);
    document.removeEventListener('visibilitychange', this.onFocus);
    clearInterval(this.poll);
    clearTimeout(this.searchTimer);
    this.abort?.abort();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('langAttr' as keyof TaliqModeration) || !this.hasUpdated) {
      const stored = loadLang();
      this.language = isLanguage(stored) ? stored : isLanguage(this.langAttr) ? this.langAttr : 'ar';
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (this.standalone && (changed.has('language' as keyof TaliqModeration) || changed.has('standalone'))) {
      const root = document.documentElement;
      root.lang = this.language;
      root.dir = this.t.$dir;
      document.title = this.t.title;
      if (!document.adoptedStyleSheets.includes(PAGE_STYLES.styleSheet!))
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, PAGE_STYLES.styleSheet!];
    }
    if (changed.has('banTarget' as keyof TaliqModeration) && this.banTarget && this.dialog && !this.dialog.open) this.dialog.showModal();
    if (this.focusPending) {
      this.focusPending = false;
      const el = this.renderRoot.querySelector<HTMLElement>('.comment.active');
      if (el) {
        el.focus({ preventScroll: true });
        el.scrollIntoView({ block: 'nearest' });
      }
    }
  }

  // ---- session ------------------------------------------------------------------------------

  /** Back with a token of this tab: check it again. */
  private async resume(): Promise<void> {
    const token = loadToken();
    if (!token) {
      this.view = 'signin';
      return;
    }
    if (!(await this.verify(token))) this.view = 'signin';
  }

  private async onSignIn(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    if (this.signingIn) return;
    const input = (e.target as HTMLFormElement).elements.namedItem('token') as HTMLInputElement;
    const token = input.value.trim();
    this.signinError = null;
    this.notice = null;
    if (!token) {
      this.signinError = { kind: 'error', text: (t) => t.tokenRequired };
      input.focus();
      return;
    }
    this.signingIn = true;
    const ok = await this.verify(token);
    this.signingIn = false;
    if (!ok) {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>('#token')?.focus();
    }
  }

  /** Asks the server who the token is; on success opens the queues of a site. */
  private async verify(token: string): Promise<boolean> {
    const client = new ModerationClient(token);
    let me: Me;
    try {
      me = await client.me();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'unauthorized') {
        saveToken(null);
        this.signinError = { kind: 'error', text: (t) => t.tokenInvalid };
      } else this.signinError = this.failure(e);
      return false;
    }
    if (!me.sites.length) {
      this.signinError = { kind: 'error', text: (t) => t.noSites };
      return false;
    }
    saveToken(token);
    this.client = client;
    this.me = me;
    const kept = loadSite();
    this.site = kept && me.sites.includes(kept) ? kept : me.siteId && me.sites.includes(me.siteId) ? me.siteId : me.sites[0];
    this.status = 'pending';
    this.q = '';
    this.view = 'app';
    this.signinError = null;
    this.dispatch('taliq-signed-in', { me });
    void this.load();
    return true;
  }

  private signOut(why?: Notice): void {
    saveToken(null);
    saveSite(null);
    this.abort?.abort();
    this.client = null;
    this.me = null;
    this.counts = null;
    this.clearList();
    this.flying.clear();
    this.moved.clear();
    this.banTarget = null;
    this.view = 'signin';
    this.notice = why ? null : { kind: 'ok', text: (t) => t.signedOut };
    this.signinError = why ?? null;
    this.dispatch('taliq-signed-out', undefined);
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>('#token')?.focus());
  }

  /** What went wrong, in words: the server's error code, `network` when no answer came, else a bug of ours. */
  private failure(e: unknown): Notice {
    if (!(e instanceof ApiError)) console.error('<taliq-moderation>:', e);
    const code = e instanceof ApiError ? e.code : 'internal';
    return { kind: 'error', text: (t) => t.errors[code] ?? t.errors.internal };
  }

  /** True (and back to sign-in) when the server no longer accepts the token. */
  private lostSession(e: unknown): boolean {
    if (!(e instanceof ApiError) || e.code !== 'unauthorized' || this.view !== 'app') return false;
    this.signOut(this.failure(e));
    return true;
  }

  private setLang(e: Event): void {
    const lang = (e.target as HTMLSelectElement).value;
    if (!isLanguage(lang)) return;
    this.language = lang;
    saveLang(lang);
  }

  // ---- queues -------------------------------------------------------------------------------

  private clearList(): void {
    this.comments = [];
    this.nextCursor = null;
    this.ticked = new Set();
    this.active = -1;
    this.listError = null;
    this.moreLoading = false;
  }

  private setSite(e: Event): void {
    this.site = (e.target as HTMLSelectElement).value;
    saveSite(this.site);
    this.counts = null;
    this.clearList();
    void this.load();
  }

  private setStatus(status: QueueStatus): void {
    if (status === this.status) return;
    this.status = status;
    this.clearList();
    void this.load();
  }

  private onSearchInput(e: Event): void {
    const value = (e.target as HTMLInputElement).value;
    clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => this.search(value), 350);
  }

  private onSearchSubmit(e: SubmitEvent): void {
    e.preventDefault();
    clearTimeout(this.searchTimer);
    this.search(this.searchInput?.value ?? '');
  }

  private onSearchKey(e: KeyboardEvent): void {
    if (e.key !== 'Escape') return;
    const input = e.target as HTMLInputElement;
    if (input.value) {
      input.value = '';
      this.search('');
    } else {
      input.blur();
      this.focusPending = this.active >= 0;
      this.requestUpdate();
    }
  }

  private search(value: string): void {
    const q = value.trim();
    if (q === this.q) return;
    this.q = q;
    this.clearList();
    void this.load();
  }

  /** The first page of the queue shown; also the retry and refresh buttons. */
  private async load(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    // Our earlier actions have all been answered: this listing sees them.
    if (!this.flying.size) this.moved.clear();
    const seq = this.seq;
    const { site, status, q } = this;
    this.listState = 'loading';
    this.listError = null;
    try {
      const page = await client.queue(site, { status, q, limit: PAGE, signal: abort.signal });
      if (abort.signal.aborted) return;
      const keep = new Set(this.ticked);
      const activeId = this.comments[this.active]?.id;
      this.comments = page.comments.filter((c) => this.fresh(c));
      this.nextCursor = page.nextCursor;
      this.ticked = new Set(this.comments.filter((c) => keep.has(c.id)).map((c) => c.id));
      const again = this.comments.findIndex((c) => c.id === activeId);
      this.active = again >= 0 ? again : Math.min(this.active, this.comments.length - 1);
      this.takeCounts(page.counts, seq);
      this.listState = 'ready';
    } catch (e) {
      if (abort.signal.aborted || this.lostSession(e)) return;
      this.listState = 'error';
      this.listError = this.failure(e);
    }
  }

  private async loadMore(): Promise<void> {
    const client = this.client;
    const abort = this.abort;
    if (!client || !abort || this.moreLoading || !this.nextCursor) return;
    this.moreLoading = true;
    this.listError = null;
    const seq = this.seq;
    try {
      const page = await client.queue(this.site, { status: this.status, q: this.q, cursor: this.nextCursor, limit: PAGE, signal: abort.signal });
      if (abort.signal.aborted) return;
      const known = new Set(this.comments.map((c) => c.id));
      const fresh = page.comments.filter((c) => !known.has(c.id) && this.fresh(c));
      const first = this.comments.length;
      this.comments = [...this.comments, ...fresh];
      this.nextCursor = page.nextCursor;
      this.takeCounts(page.counts, seq);
      // Keyboard users continue where the new comments start.
      if (fresh.length && this.active === first - 1) {
        this.active = first;
        this.focusPending = true;
      }
    } catch (e) {
      if (abort.signal.aborted || this.lostSession(e)) return;
      this.listError = this.failure(e);
    } finally {
      if (!abort.signal.aborted) this.moreLoading = false;
    }
  }

  /** False for a comment an action of ours is moving away, shown by a listing that began before it. */
  private fresh(c: ModeratorComment): boolean {
    const to = this.flying.get(c.id) ?? this.moved.get(c.id);
    return to === undefined || to === c.status;
  }

  /** Counts from an answer, unless an action was sent since the request began (its counts are newer). */
  private takeCounts(counts: Counts, seq: number): void {
    if (seq !== this.seq || this.flying.size) return;
    this.counts = counts;
    this.countsAt = Date.now();
    // Comments arrived in an empty queue: show them.
    if (!this.comments.length && !this.q && this.listState === 'ready' && counts[this.status] > 0) void this.load();
  }

  private async refreshCounts(): Promise<void> {
    const client = this.client;
    if (!client || this.view !== 'app') return;
    const seq = this.seq;
    try {
      const page = await client.queue(this.site, { status: this.status, limit: 1 });
      if (client === this.client) this.takeCounts(page.counts, seq);
    } catch (e) {
      this.lostSession(e); // other failures show at the next action; the counts just stay as they were
    }
  }

  private onFocus = (): void => {
    if (document.visibilityState === 'visible' && Date.now() - this.countsAt > 2000) void this.refreshCounts();
  };

  // ---- actions ------------------------------------------------------------------------------

  private allowed(action: ModerationAction): boolean {
    return ACTIONS[this.status].includes(action);
  }

  /**
   * Applies an action: the comments leave the list at once, and come back with an error message
   * if the server does not apply it.
   */
  private async act(targets: readonly ModeratorComment[], action: ModerationAction): Promise<void> {
    const client = this.client;
    if (!client || !targets.length || !this.allowed(action)) return;
    const to = TARGET[action];
    const { site, status: tab } = this;
    const ids = new Set(targets.map((c) => c.id));
    const before = this.comments;
    const hadFocus = this.listHasFocus();
    this.seq++;
    for (const id of ids) this.flying.set(id, to);
    this.comments = before.filter((c) => !ids.has(c.id));
    this.ticked = new Set([...this.ticked].filter((id) => !ids.has(id)));
    this.counts = this.counts && shiftCounts(this.counts, targets, to, tab);
    this.active = this.comments.length ? Math.min(Math.max(this.active, 0), this.comments.length - 1) : -1;
    this.focusPending = hadFocus;
    this.notice = null;
    const done: ModeratorComment[] = [];
    const failed: ModeratorComment[] = [];
    let error: unknown;
    try {
      // The bulk route takes at most LIMITS.pageMax ids: a longer selection goes in parts.
      for (let i = 0; i < targets.length; i += LIMITS.pageMax) {
        const part = targets.slice(i, i + LIMITS.pageMax);
        try {
          done.push(...(part.length === 1 ? [await client.moderate(part[0].id, action)] : await client.moderateMany(part.map((c) => c.id), action)));
          for (const c of part) this.moved.set(c.id, to);
        } catch (e) {
          if (this.lostSession(e)) return;
          failed.push(...part);
          error = e;
        }
      }
      if (done.length) {
        const n = done.length;
        this.notice = { kind: 'ok', text: (t) => t.done[action](n, this.num(n)) };
        this.dispatch('taliq-moderated', { action, comments: done });
      }
      if (failed.length) {
        if (this.site === site && this.status === tab) this.putBack(failed, before);
        const why = this.failure(error);
        this.notice = { kind: 'error', text: (t) => `${t.failed} ${why.text(t)}` };
      }
    } finally {
      for (const id of ids) this.flying.delete(id);
      if (!this.flying.size) void this.refreshCounts();
    }
  }

  /** Puts comments back where they were, between the neighbours still shown. */
  private putBack(targets: readonly ModeratorComment[], before: readonly ModeratorComment[]): void {
    const shown = new Set(this.comments.map((c) => c.id));
    const back = new Set(targets.filter((c) => !shown.has(c.id)).map((c) => c.id));
    if (!back.size) return;
    const order = new Map(before.map((c, i) => [c.id, i]));
    const rank = (c: ModeratorComment) => order.get(c.id) ?? Number.MAX_SAFE_INTEGER;
    const activeId = this.comments[this.active]?.id;
    this.comments = [...this.comments, ...targets.filter((c) => back.has(c.id))].sort((a, b) => rank(a) - rank(b));
    const first = this.comments.findIndex((c) => back.has(c.id));
    this.active = first >= 0 ? first : this.comments.findIndex((c) => c.id === activeId);
  }

  private listHasFocus(): boolean {
    const focused = this.shadowRoot?.activeElement;
    return !!focused && (focused.classList.contains('comment') || !!focused.closest('.comment'));
  }

  /** The ticked comments, else the current one. */
  private targets(): ModeratorComment[] {
    if (this.ticked.size) return this.comments.filter((c) => this.ticked.has(c.id));
    const c = this.comments[this.active];
    return c ? [c] : [];
  }

  private toggle(id: string): void {
    const next = new Set(this.ticked);
    if (!next.delete(id)) next.add(id);
    this.ticked = next;
  }

  private toggleAll(e: Event): void {
    this.ticked = (e.target as HTMLInputElement).checked ? new Set(this.comments.map((c) => c.id)) : new Set();
  }

  // ---- keyboard -----------------------------------------------------------------------------

  private onKeydown = (e: KeyboardEvent): void => {
    if (this.view !== 'app' || this.banTarget || e.defaultPrevented) return;
    const inner = e.composedPath()[0] as Element | undefined;
    const shortcut = shortcutFor(e, isTypingTarget(inner));
    if (!shortcut) return;
    e.preventDefault();
    switch (shortcut) {
      case 'next':
        if (this.active >= this.comments.length - 1 && this.nextCursor) void this.loadMore();
        return this.select(this.active + 1);
      case 'previous':
        return this.select(this.active - 1);
      case 'toggle': {
        const c = this.comments[this.active];
        if (c) this.toggle(c.id);
        return;
      }
      case 'search':
        this.searchInput?.focus();
        this.searchInput?.select();
        return;
      default:
        void this.act(this.targets(), shortcut);
    }
  };

  private select(index: number): void {
    if (!this.comments.length) return;
    this.active = Math.min(Math.max(index, 0), this.comments.length - 1);
    this.focusPending = true;
    this.requestUpdate();
  }

  /** Arrow keys, Home and End between tabs, following the reading direction. */
  private onTabsKey(e: KeyboardEvent): void {
    const i = QUEUES.indexOf(this.status);
    const forward = this.t.$dir === 'rtl' ? 'ArrowLeft' : 'ArrowRight';
    const back = this.t.$dir === 'rtl' ? 'ArrowRight' : 'ArrowLeft';
    const next =
      e.key === forward ? (i + 1) % QUEUES.length : e.key === back ? (i - 1 + QUEUES.length) % QUEUES.length : e.key === 'Home' ? 0 : e.key === 'End' ? QUEUES.length - 1 : -1;
    if (next < 0) return;
    e.preventDefault();
    this.setStatus(QUEUES[next]);
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`#tab-${QUEUES[next]}`)?.focus());
  }

  // ---- bans ---------------------------------------------------------------------------------

  private openBan(c: ModeratorComment): void {
    this.banError = null;
    this.banTarget = c;
  }

  private closeBan(): void {
    this.dialog?.close();
  }

  private onDialogClose(): void {
    const c = this.banTarget;
    this.banTarget = null;
    this.banning = false;
    const i = c ? this.comments.indexOf(c) : -1;
    if (i >= 0) this.select(i);
  }

  private async onBan(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const c = this.banTarget;
    const client = this.client;
    if (!c?.author.readerId || !client || this.banning) return;
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const shadow = data.get('shadow') === 'on';
    const ip = data.get('ip') === 'on';
    const days = DURATIONS[(data.get('duration') as Duration) ?? 'forever'] ?? 0;
    const reason = String(data.get('reason') ?? '').trim();
    this.banning = true;
    this.banError = null;
    try {
      await client.ban(this.site, {
        readerId: c.author.readerId,
        shadow,
        ...(ip ? { ip } : {}),
        ...(days ? { expiresAt: new Date(Date.now() + days * 86_400_000).toISOString() } : {}),
        ...(reason ? { reason } : {}),
      });
      this.notice = { kind: 'ok', text: (t) => (shadow ? t.shadowBanned : t.banned) };
      this.closeBan();
    } catch (err) {
      if (this.lostSession(err)) return;
      // The one shape error a ban can meet: no recent address to cover.
      this.banError = ip && err instanceof ApiError && err.code === 'validation_failed' ? { kind: 'error', text: (t) => t.banNoAddress } : this.failure(err);
    } finally {
      this.banning = false;
    }
  }

  private dispatch<K extends 'taliq-signed-in' | 'taliq-signed-out' | 'taliq-moderated'>(type: K, detail: HTMLElementEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  // ---- rendering ----------------------------------------------------------------------------

  protected override render() {
    const t = this.t;
    return html`<div class="root" lang=${this.language} dir=${t.$dir}>
      <header>
        <h1><span class="brand">${t.brand}</span> · ${t.dashboard}</h1>
        ${this.view === 'app' ? this.renderSitePicker(t) : nothing}
        ${this.view === 'app' && this.me ? html`<span class="control" id="role">${t.role}: ${t.roles[this.me.role]}</span>` : nothing}
        <label class="control">
          <span>${t.language}</span>
          <select id="lang" @change=${this.setLang}>
            ${(Object.keys(catalogs) as Language[]).map(
              (l) => html`<option value=${l} lang=${l} ?selected=${l === this.language}>${catalogs[l].$name}</option>`,
            )}
          </select>
        </label>
        ${this.view === 'app' ? html`<button class="secondary" id="sign-out" @click=${() => this.signOut()}>${t.signOut}</button>` : nothing}
      </header>
      <main>
        ${this.view === 'app' ? this.renderApp(t) : this.view === 'signin' ? this.renderSignIn(t) : html`<p class="note" role="status">${t.loading}</p>`}
      </main>
    </div>`;
  }

  private renderSitePicker(t: Messages) {
    const sites = this.me?.sites ?? [];
    if (sites.length < 2) return html`<span class="control">${t.site}: <bdi>${this.site}</bdi></span>`;
    return html`<label class="control">
      <span>${t.site}</span>
      <select id="site" @change=${this.setSite}>
        ${sites.map((s) => html`<option value=${s} ?selected=${s === this.site}>${s}</option>`)}
      </select>
    </label>`;
  }

  private renderSignIn(t: Messages) {
    const error = this.signinError?.text(t) ?? '';
    return html`<form class="signin" part="signin" @submit=${this.onSignIn} novalidate>
      <h2>${t.signInHeading}</h2>
      <p class="notice ok" role="status">${this.notice?.text(t) ?? ''}</p>
      <!-- lets a password manager keep the token under a name -->
      <input type="text" name="username" autocomplete="username" value="taliq" hidden />
      <label for="token">${t.tokenLabel}</label>
      <input
        id="token"
        name="token"
        type="password"
        dir="ltr"
        autocomplete="current-password"
        spellcheck="false"
        autocapitalize="off"
        required
        aria-invalid=${error ? 'true' : 'false'}
        aria-describedby="token-hint token-error"
      />
      <p class="hint" id="token-hint">${t.tokenHint}</p>
      <p class="error" id="token-error" role="alert">${error}</p>
      <div><button type="submit" aria-disabled=${this.signingIn ? 'true' : 'false'}>${this.signingIn ? t.signingIn : t.signIn}</button></div>
    </form>`;
  }

  private renderApp(t: Messages) {
    return html`
      <div role="tablist" part="tabs" aria-label=${t.queues} @keydown=${this.onTabsKey}>
        ${QUEUES.map((s) => {
          const n = this.counts?.[s];
          return html`<button
            role="tab"
            id=${`tab-${s}`}
            data-status=${s}
            aria-selected=${s === this.status ? 'true' : 'false'}
            aria-controls="queue"
            tabindex=${s === this.status ? 0 : -1}
            @click=${() => this.setStatus(s)}
          >
            <span class="label">${t.statuses[s]}</span> <span class="count">${n === undefined ? '…' : this.num(n)}</span>
          </button>`;
        })}
      </div>
      <div role="tabpanel" id="queue" aria-labelledby=${`tab-${this.status}`}>
        ${this.renderToolbar(t)}
        <p class="help" part="help">
          <span>${t.shortcuts}:</span>
          <span><kbd dir="ltr">j</kbd> / <kbd dir="ltr">k</kbd> ${t.keys.move}</span>
          <span><kbd dir="ltr">a</kbd> ${t.keys.approve}</span>
          <span><kbd dir="ltr">r</kbd> ${t.keys.reject}</span>
          <span><kbd dir="ltr">s</kbd> ${t.keys.spam}</span>
          <span><kbd dir="ltr">x</kbd> ${t.keys.toggle}</span>
          <span><kbd dir="ltr">/</kbd> ${t.keys.search}</span>
        </p>
        <p class="notice ${this.notice?.kind ?? ''}" role=${this.notice?.kind === 'error' ? 'alert' : 'status'} id="notice">${this.notice?.text(t) ?? ''}</p>
        ${this.renderList(t)}
      </div>
      ${this.renderBanDialog(t)}
    `;
  }

  private renderToolbar(t: Messages) {
    const n = this.ticked.size;
    const all = n > 0 && n === this.comments.length;
    const count = this.counts?.[this.status] ?? 0;
    const newer = this.listState === 'ready' && !this.q && !this.nextCursor && count > this.comments.length;
    return html`<div class="toolbar" part="toolbar">
      <form role="search" @submit=${this.onSearchSubmit}>
        <label class="sr-only" for="search">${t.search}</label>
        <input
          id="search"
          type="search"
          name="q"
          dir="auto"
          maxlength="200"
          enterkeyhint="search"
          placeholder=${t.searchPlaceholder}
          aria-keyshortcuts="/"
          .value=${this.q}
          @input=${this.onSearchInput}
          @keydown=${this.onSearchKey}
        />
        <button type="submit" class="secondary">${t.search}</button>
      </form>
      <label class="check">
        <input
          type="checkbox"
          id="select-all"
          .checked=${all}
          .indeterminate=${n > 0 && !all}
          ?disabled=${!this.comments.length}
          @change=${this.toggleAll}
        />
        <span>${t.selectAll}</span>
      </label>
      ${n
        ? html`<div class="bulk" role="group" aria-label=${t.selected(n, this.num(n))}>
            <span>${t.selected(n, this.num(n))}</span>
            ${ACTIONS[this.status].map(
              (a) =>
                html`<button class=${a === 'approve' ? '' : 'secondary'} data-bulk=${a} @click=${() => this.act(this.targets(), a)}>${t[a]}</button>`,
            )}
          </div>`
        : nothing}
      <button class="link" id="refresh" @click=${() => this.load()}>${newer ? t.newComments : t.refresh}</button>
    </div>`;
  }

  private renderList(t: Messages) {
    if (this.listState === 'error')
      return html`<div role="alert">
        <p class="error">${t.loadError} ${this.listError?.text(t) ?? ''}</p>
        <button class="secondary" @click=${() => this.load()}>${t.retry}</button>
      </div>`;
    if (!this.comments.length)
      return html`<p class="note" role="status" aria-busy=${this.listState === 'loading' ? 'true' : 'false'} id="empty">
        ${this.listState === 'loading' ? t.loading : this.q ? t.noResults : t.empty[this.status]}
      </p>`;
    return html`<ol part="list" id="list" aria-label=${t.statuses[this.status]} aria-busy=${this.listState === 'loading' ? 'true' : 'false'}>
        ${repeat(
          this.comments,
          (c) => c.id,
          (c, i) => html`<li>${this.renderComment(c, i, t)}</li>`,
        )}
      </ol>
      ${this.nextCursor
        ? html`<div class="more">
            <button class="secondary" id="more" aria-disabled=${this.moreLoading ? 'true' : 'false'} @click=${this.loadMore}>
              ${this.moreLoading ? t.loadingMore : t.more}
            </button>
          </div>`
        : nothing}
      ${this.listError && this.listState === 'ready' ? html`<p class="error" role="alert">${this.listError.text(t)}</p>` : nothing}`;
  }

  private renderComment(c: ModeratorComment, i: number, t: Messages) {
    const active = i === this.active;
    const ticked = this.ticked.has(c.id);
    const href = httpHref(c.thread.url);
    const title = c.thread.title || c.thread.key || t.untitled;
    const labelId = `a-${c.id}`;
    return html`<article
      class="comment ${active ? 'active' : ''} ${ticked ? 'checked' : ''}"
      part=${active ? 'comment comment-active' : 'comment'}
      id=${`c-${c.id}`}
      data-id=${c.id}
      tabindex=${active || (this.active < 0 && i === 0) ? 0 : -1}
      aria-labelledby=${labelId}
      aria-current=${active ? 'true' : 'false'}
      @focus=${() => this.active !== i && (this.active = i)}
    >
      <div class="head">
        <input type="checkbox" class="tick" .checked=${ticked} aria-label=${`${t.select}: ${c.author.name}`} @change=${() => this.toggle(c.id)} />
        <bdi class="author" part="author" id=${labelId} dir=${textDirection(c.author.name) ?? nothing}>${c.author.name}</bdi>
        ${c.author.email ? html`<span class="email" dir="ltr" title=${t.email}>${c.author.email}</span>` : nothing}
        ${c.author.readerId
          ? html`<code class="reader" dir="ltr" title=${`${t.reader}: ${c.author.readerId}`}>${c.author.readerId.slice(0, 8)}</code>`
          : nothing}
        <time datetime=${c.createdAt} title=${absoluteTime(c.createdAt, this.locale)}>${relativeTime(c.createdAt, this.locale)}</time>
        ${c.editedAt ? html`<span title=${absoluteTime(c.editedAt, this.locale)}>${t.edited}</span>` : nothing}
        ${this.status === 'flagged' ? html`<span class="badge">${t.statuses[c.status]}</span>` : nothing}
      </div>
      <p class="thread">
        ${t.article}:
        ${href
          ? html`<a href=${href} target="_blank" rel="noopener noreferrer" dir="auto">${title}</a>`
          : html`<bdi>${title}</bdi>`}
      </p>
      ${this.renderReasons(c, t)}
      ${c.parent
        ? html`<blockquote class="parent" part="parent">
            ${t.inReplyTo} <bdi class="parent-author">${c.parent.author.name}</bdi>${t.detailSep}<q dir=${textDirection(c.parent.body) ?? nothing}>${excerpt(c.parent.body)}</q>
          </blockquote>`
        : nothing}
      <div class="body" part="body">${paragraphs(c.body).map((p) => html`<p dir=${p.dir ?? nothing} class=${p.gap ? 'gap' : nothing}>${linked(p.text)}</p>`)}</div>
      <div class="actions" part="actions" role="group" aria-label=${t.actions}>
        ${ACTIONS[this.status].map((a) => this.renderAction(c, a, t))}
        ${c.author.readerId
          ? html`<button class="danger ban" data-action="ban" @click=${() => this.openBan(c)}>${t.ban}</button>`
          : nothing}
      </div>
    </article>`;
  }

  private renderAction(c: ModeratorComment, a: ModerationAction, t: Messages): TemplateResult {
    const keys: Partial<Record<ModerationAction, string>> = { approve: 'A', reject: 'R', spam: 'S' };
    return html`<button
      class=${a === 'approve' ? '' : 'secondary'}
      data-action=${a}
      aria-keyshortcuts=${keys[a] ?? nothing}
      @click=${() => {
        this.active = this.comments.indexOf(c);
        void this.act([c], a);
      }}
    >
      ${t[a]}
    </button>`;
  }

  private renderReasons(c: ModeratorComment, t: Messages) {
    const chips: TemplateResult[] = c.reasons.map((r) => html`<li class="chip ${r.code === 'premoderation' ? '' : 'warn'}" data-code=${r.code}>${this.reason(r, c, t)}</li>`);
    if (c.reports > 0 && !c.reasons.some((r) => r.code === 'reports'))
      chips.push(html`<li class="chip warn" data-code="reports">${t.reports(c.reports, this.num(c.reports))}</li>`);
    if (!chips.length) return nothing;
    return html`<ul class="chips" part="reasons" aria-label=${t.reasonsLabel}>
      ${chips}
    </ul>`;
  }

  private reason(r: Reason, c: ModeratorComment, t: Messages) {
    const n = Number(r.detail);
    if (r.code === 'links' && r.detail && Number.isInteger(n)) return t.links(n, this.num(n));
    if (r.code === 'reports') {
      const count = r.detail && Number.isInteger(n) ? n : c.reports;
      if (count > 0) return t.reports(count, this.num(count));
    }
    const label = (t.reasons as Record<string, string>)[r.code] ?? r.code;
    return r.detail ? html`${label}${t.detailSep}<bdi class="detail">${r.detail}</bdi>` : label;
  }

  private renderBanDialog(t: Messages) {
    const c = this.banTarget;
    return html`<dialog part="dialog" aria-labelledby="ban-title" @close=${this.onDialogClose}>
      ${c
        ? html`<form @submit=${this.onBan}>
            <h2 id="ban-title">${t.banTitle}</h2>
            <p class="hint">
              ${t.banWho} <bdi class="author">${c.author.name}</bdi>
              <code dir="ltr">${c.author.readerId?.slice(0, 8) ?? ''}</code>
            </p>
            <label class="check"><input type="checkbox" name="shadow" /> <span>${t.banShadow}</span></label>
            <label class="check"><input type="checkbox" name="ip" aria-describedby="ban-ip-warning" /> <span>${t.banNetwork}</span></label>
            <p class="hint warning" id="ban-ip-warning">${t.banNetworkWarning}</p>
            <label class="field">
              <span>${t.banDuration}</span>
              <select name="duration">
                ${(Object.keys(DURATIONS) as Duration[]).map(
                  (d) => html`<option value=${d} ?selected=${d === 'week'}>${t.durations[d]}</option>`,
                )}
              </select>
            </label>
            <label class="field">
              <span>${t.banReason}</span>
              <input type="text" name="reason" dir="auto" maxlength=${500} />
            </label>
            <p class="error" role="alert">${this.banError?.text(t) ?? ''}</p>
            <div class="row">
              <button type="button" class="secondary" @click=${this.closeBan}>${t.cancel}</button>
              <button type="submit" class="danger" aria-disabled=${this.banning ? 'true' : 'false'}>${this.banning ? t.banning : t.banConfirm}</button>
            </div>
          </form>`
        : nothing}
    </dialog>`;
  }
}
