/**
 * The comments of one article, with the form to add one. Arabic and right-to-left unless told
 * otherwise; everything a reader wrote is rendered as text.
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
 * @attr sort - `newest` (default), `oldest`, `popular`
 * @attr theme - `light`, `dark`, `auto` (default: follows `prefers-color-scheme`)
 * @attr token - (also a property) publisher-signed JWT of a logged-in reader; reserved for SSO, not used yet
 *
 * @fires taliq-posted - the server accepted a comment; detail: `{ comment }` (an OwnComment, `status` `pending` or `approved`)
 * @fires taliq-error - loading or posting failed; detail: `{ code, message }` (`code` is the server's error code or `network`; `message` is in the reader's language)
 *
 * @csspart base - the wrapper around everything
 * @csspart heading - the title with the number of comments
 * @csspart form - the comment form
 * @csspart label - field labels
 * @csspart input - the name input
 * @csspart textarea - the comment textarea
 * @csspart counter - the character counter; also `counter-warning` near the limit
 * @csspart field-error - a message under a field that needs fixing
 * @csspart form-error - why the last send failed
 * @csspart status - confirmation after sending
 * @csspart button - every button; also `send`, `retry`, `more`
 * @csspart list - the list of comments
 * @csspart replies - the list of replies under a comment
 * @csspart comment - one comment; also `comment-pending` while awaiting review
 * @csspart author - the author's name
 * @csspart verified - the verified-author mark
 * @csspart time - when it was written
 * @csspart edited - the "edited" marker
 * @csspart badge - the "awaiting review" marker
 * @csspart body - the comment's text
 * @csspart empty - the message shown when there are no comments
 * @csspart closed - the message shown instead of the form when comments are closed
 *
 * @cssprop --taliq-accent - buttons, links, focus ring, verified mark
 * @cssprop --taliq-on-accent - text on accent-coloured buttons
 * @cssprop --taliq-bg - background
 * @cssprop --taliq-fg - text
 * @cssprop --taliq-muted - secondary text and field borders
 * @cssprop --taliq-line - separators between comments, reply rule
 * @cssprop --taliq-danger - error messages and invalid fields
 * @cssprop --taliq-warning - "awaiting review" marker, counter near the limit
 * @cssprop --taliq-radius - corner radius of fields and buttons
 * @cssprop --taliq-font - font family (default: inherited from the page)
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import type { ErrorIssue } from '../../shared/src/errors.js';
import { LIMITS, type Status } from '../../shared/src/limits.js';
import type { NewCommentInput, OwnComment, PublicComment, ThreadInfo } from '../../shared/src/schemas.js';
import { ApiClient, ApiError, newIdempotencyKey } from './api-client.js';
import { readConfig, readEnv, type Config } from './config.js';
import { catalogs, type Messages } from './i18n/index.js';
import type { ClientErrorCode } from './i18n/types.js';
import { addReceipt, loadDraft, loadName, loadReceipts, pruneReceipts, saveDraft, saveName, type Draft } from './storage.js';
import { styles } from './styles.js';
import { absoluteTime, formatNumber, relativeTime } from './time.js';

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

/** A comment as shown: public, or the reader's own with its status. */
type Shown = PublicComment & { status?: Status };

/** Properties that change the configuration (and so maybe the thread shown). */
const CONFIG_PROPS = new Set(['site', 'thread', 'api', 'langAttr', 'dirAttr', 'threadTitle', 'threadUrl', 'sort', 'theme', 'token']);
/** The counter turns to a warning when this share of the limit is left. */
const WARN_SHARE = 0.1;

const byDate = (a: Shown, b: Shown) => a.createdAt.localeCompare(b.createdAt);

export class TaliqComments extends LitElement {
  static override styles = styles;

  @property() site = '';
  @property() thread = '';
  @property() api = '';
  /** Read through the `lang` attribute; `el.lang = 'fr'` sets it natively. */
  @property({ attribute: 'lang' }) private langAttr = '';
  /** Read through the `dir` attribute; `el.dir = 'ltr'` sets it natively. */
  @property({ attribute: 'dir' }) private dirAttr = '';
  @property({ attribute: 'thread-title' }) threadTitle = '';
  @property({ attribute: 'thread-url' }) threadUrl = '';
  @property() sort = '';
  @property() theme = '';
  @property() token = '';

  @state() private cfg!: Config;
  @state() private threadInfo: ThreadInfo | null = null;
  /** Approved comments of the pages loaded so far, in the server's order. */
  @state() private comments: readonly PublicComment[] = [];
  /** The reader's own comments not (yet) in `comments`: posted now, or pending ones found through receipts. */
  @state() private own: readonly OwnComment[] = [];
  @state() private nextCursor: string | null = null;
  @state() private listState: 'loading' | 'ready' | 'error' = 'loading';
  @state() private listError = '';
  @state() private moreLoading = false;
  @state() private moreError = '';
  @state() private name = '';
  @state() private body = '';
  @state() private nameError = '';
  @state() private bodyError = '';
  @state() private formError = '';
  @state() private sending = false;
  @state() private status = '';
  @state() private counterNote = '';

  private client!: ApiClient;
  /** `api|site|thread|sort` of what is shown; a change reloads. */
  private loadedKey = '';
  private attempt: Draft['attempt'];
  private abort?: AbortController;
  private clock?: ReturnType<typeof setInterval>;
  private counterTimer?: ReturnType<typeof setTimeout>;

  private get t(): Messages {
    return catalogs[this.cfg.lang];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Relative times ("5 minutes ago") age while the page stays open.
    this.clock = setInterval(() => this.requestUpdate(), 60_000);
    this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.clock);
    clearTimeout(this.counterTimer);
    if (this.listState === 'loading' || this.moreLoading) {
      // Interrupted: load again if the element comes back.
      this.abort?.abort();
      this.loadedKey = '';
      this.moreLoading = false;
    }
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (!this.cfg || [...changed.keys()].some((k) => CONFIG_PROPS.has(k as string))) {
      this.cfg = readConfig(
        {
          site: this.site,
          thread: this.thread,
          api: this.api,
          lang: this.langAttr,
          dir: this.dirAttr,
          threadTitle: this.threadTitle,
          threadUrl: this.threadUrl,
          sort: this.sort,
          theme: this.theme,
          token: this.token,
        },
        readEnv(),
      );
    }
    const { api, site, thread, sort } = this.cfg;
    const key = [api, site, thread, sort].join('|');
    if (key !== this.loadedKey && this.isConnected) {
      const sameThread = this.loadedKey.split('|').slice(1, 3).join('|') === `${site}|${thread}`;
      this.loadedKey = key;
      if (!site) {
        console.warn('<taliq-comments>: the `site` attribute is required.');
        return;
      }
      if (!sameThread) this.restoreForm();
      void this.load();
    }
  }

  // ---- data -------------------------------------------------------------------------------

  private restoreForm(): void {
    const draft = loadDraft(this.cfg.site, this.cfg.thread);
    this.name = loadName();
    this.body = draft?.body ?? '';
    this.attempt = draft?.attempt;
    this.nameError = this.bodyError = this.formError = this.status = this.counterNote = '';
  }

  /** Loads the first page and the reader's own pending comments. Also the retry button. */
  private async load(): Promise<void> {
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    const cfg = this.cfg;
    const client = (this.client = new ApiClient(cfg.api, cfg.site));
    this.threadInfo = null;
    this.comments = this.own = [];
    this.nextCursor = null;
    this.listState = 'loading';
    this.listError = this.moreError = '';
    this.moreLoading = false;
    void this.loadOwn(client, cfg, abort.signal);
    try {
      const page = await client.list(cfg.thread, { sort: cfg.sort, limit: LIMITS.pageDefault, signal: abort.signal });
      if (abort.signal.aborted) return;
      this.threadInfo = page.thread;
      this.comments = page.comments;
      this.nextCursor = page.nextCursor;
      this.listState = 'ready';
    } catch (e) {
      if (abort.signal.aborted) return;
      if (e instanceof ApiError && e.code === 'thread_not_found') {
        // Nobody has commented yet: the thread is created with the first comment.
        this.listState = 'ready';
        return;
      }
      this.listState = 'error';
      this.listError = this.fail(e);
    }
  }

  /** Asks the server about the receipts kept here; shows the still-pending comments and forgets the others. */
  private async loadOwn(client: ApiClient, cfg: Config, signal: AbortSignal): Promise<void> {
    const asked = loadReceipts(cfg.site, cfg.thread);
    if (!asked.length) return;
    try {
      const mine = await client.mine(cfg.thread, asked.map((r) => r.token), signal);
      const pending = mine.filter((c) => c.status === 'pending');
      pruneReceipts(cfg.site, cfg.thread, asked, new Set(pending.map((c) => c.id)));
      if (signal.aborted) return;
      const known = new Set(this.own.map((c) => c.id));
      this.own = [...this.own, ...pending.filter((c) => !known.has(c.id))].sort((a, b) => byDate(b, a));
    } catch (e) {
      // Not worth an alert: the reader's pending comments are simply not shown this time.
      if (!signal.aborted) console.warn('<taliq-comments>: could not check own comments', e);
    }
  }

  private async loadMore(): Promise<void> {
    const abort = this.abort;
    if (this.moreLoading || !this.nextCursor || !abort) return;
    this.moreLoading = true;
    this.moreError = '';
    try {
      const page = await this.client.list(this.cfg.thread, {
        sort: this.cfg.sort,
        limit: LIMITS.pageDefault,
        cursor: this.nextCursor,
        signal: abort.signal,
      });
      if (abort.signal.aborted) return;
      const known = new Set(this.comments.map((c) => c.id));
      const fresh = page.comments.filter((c) => !known.has(c.id));
      this.comments = [...this.comments, ...fresh];
      this.nextCursor = page.nextCursor;
      this.threadInfo = page.thread;
      this.moreLoading = false;
      // Keyboard and screen-reader users continue where the new comments start.
      const first = fresh.find((c) => !c.parentId);
      if (first) await this.focusComment(first.id);
    } catch (e) {
      if (abort.signal.aborted) return;
      this.moreError = this.fail(e);
    } finally {
      if (!abort.signal.aborted) this.moreLoading = false;
    }
  }

  // ---- form -------------------------------------------------------------------------------

  private onName(e: Event): void {
    this.name = (e.target as HTMLInputElement).value;
    this.nameError = '';
    saveName(this.name);
  }

  private onBody(e: Event): void {
    this.body = (e.target as HTMLTextAreaElement).value;
    this.bodyError = this.formError = this.status = '';
    saveDraft(this.cfg.site, this.cfg.thread, { body: this.body, attempt: this.attempt });
    clearTimeout(this.counterTimer);
    this.counterTimer = setTimeout(() => {
      const left = Math.max(0, LIMITS.bodyMax - this.body.length);
      this.counterNote = this.t.remaining(left, this.num(left, false));
    }, 1000);
  }

  /** Client-side checks, with the same limits as the server. */
  private validate(name: string, body: string): boolean {
    const t = this.t;
    this.nameError = !name
      ? t.nameRequired
      : name.length > LIMITS.nameMax
        ? t.nameTooLong(LIMITS.nameMax, this.num(LIMITS.nameMax, false))
        : '';
    this.bodyError = !body
      ? t.bodyRequired
      : body.length > LIMITS.bodyMax
        ? t.bodyTooLong(LIMITS.bodyMax, this.num(LIMITS.bodyMax, false))
        : '';
    return !this.nameError && !this.bodyError;
  }

  /** Field messages from a `validation_failed` answer. */
  private showIssues(issues: readonly ErrorIssue[]): void {
    const t = this.t;
    for (const { path, code } of issues) {
      const big = code === 'too_big';
      if (path[0] === 'author' && path[1] === 'name')
        this.nameError = big ? t.nameTooLong(LIMITS.nameMax, this.num(LIMITS.nameMax, false)) : t.nameRequired;
      else if (path[0] === 'body')
        this.bodyError = big ? t.bodyTooLong(LIMITS.bodyMax, this.num(LIMITS.bodyMax, false)) : t.bodyRequired;
    }
  }

  private async onSubmit(e: Event): Promise<void> {
    e.preventDefault();
    if (this.sending) return;
    const cfg = this.cfg;
    const key = this.loadedKey;
    const name = this.name.trim();
    const body = this.body.trim();
    this.formError = this.status = '';
    if (!this.validate(name, body)) {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }

    const input: NewCommentInput = { author: { name }, body };
    if (cfg.threadTitle || cfg.threadUrl) input.thread = { title: cfg.threadTitle, url: cfg.threadUrl };
    // A retry of the very same request reuses its key, so the server answers with the comment
    // it may already have stored instead of storing it twice; changed text is a new request.
    const payload = JSON.stringify(input);
    if (this.attempt?.payload !== payload) this.attempt = { key: newIdempotencyKey(), payload };
    const attempt = this.attempt;
    saveDraft(cfg.site, cfg.thread, { body: this.body, attempt });

    this.sending = true;
    try {
      const posted = await this.client.post(cfg.thread, input, attempt.key);
      addReceipt(cfg.site, cfg.thread, { id: posted.comment.id, token: posted.editToken });
      saveDraft(cfg.site, cfg.thread, null);
      if (key !== this.loadedKey) return; // the element moved to another thread meanwhile
      this.body = this.counterNote = '';
      this.attempt = undefined;
      const { comment } = posted;
      this.own = [comment, ...this.own.filter((c) => c.id !== comment.id)];
      if (comment.status === 'approved' && this.threadInfo)
        this.threadInfo = { ...this.threadInfo, count: this.threadInfo.count + 1 };
      this.status = comment.status === 'pending' ? this.t.postedPending : this.t.postedApproved;
      this.dispatchEvent(new CustomEvent('taliq-posted', { detail: { comment }, bubbles: true, composed: true }));
      await this.focusComment(comment.id);
    } catch (err) {
      if (key !== this.loadedKey) return;
      if (err instanceof ApiError && err.code === 'validation_failed') this.showIssues(err.issues);
      this.formError = `${this.fail(err)} ${this.t.draftKept}`;
    } finally {
      this.sending = false;
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  private num(n: number, grouping = true): string {
    return formatNumber(n, this.cfg.locale, grouping);
  }

  /** The reader's words for an error, announced to the page as `taliq-error`. */
  private fail(e: unknown): string {
    const code: ClientErrorCode = e instanceof ApiError ? e.code : 'internal';
    const message = this.t.errors[code] ?? this.t.errors.internal;
    if (!(e instanceof ApiError)) console.error(e);
    this.dispatchEvent(new CustomEvent('taliq-error', { detail: { code, message }, bubbles: true, composed: true }));
    return message;
  }

  private async focusComment(id: string): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`[id="c-${CSS.escape(id)}"]`)?.focus();
  }

  /** Own and loaded comments, each top-level one with all its replies (oldest first) under it. */
  private threads(): [Shown, Shown[]][] {
    const items = new Map<string, Shown>();
    for (const c of [...this.own, ...this.comments]) if (!items.has(c.id)) items.set(c.id, c);
    const rootOf = (c: Shown) => {
      for (let i = 0; c.parentId && items.has(c.parentId) && i < 100; i++) c = items.get(c.parentId)!;
      return c;
    };
    const out = new Map<string, [Shown, Shown[]]>();
    const replies: Shown[] = [];
    for (const c of items.values()) {
      const root = rootOf(c);
      if (root === c) out.set(c.id, [c, []]);
      else replies.push(c);
    }
    for (const r of replies.sort(byDate)) out.get(rootOf(r).id)?.[1].push(r);
    return [...out.values()];
  }

  // ---- rendering ----------------------------------------------------------------------------

  protected override render() {
    const cfg = this.cfg;
    if (!cfg.site) return nothing;
    const t = this.t;
    const count = this.threadInfo?.count;
    return html`
      <section class="root ${cfg.theme}" part="base" dir=${cfg.dir} lang=${cfg.lang} aria-labelledby="heading">
        <h2 id="heading" part="heading">${count == null ? t.heading : t.comments(count, this.num(count))}</h2>
        ${this.threadInfo?.closed ? html`<p class="note" part="closed">${t.closed}</p>` : this.renderForm(t)}
        <p class="sr-only" aria-live="polite">${this.counterNote}</p>
        ${this.renderList(t)}
      </section>
    `;
  }

  private renderForm(t: Messages) {
    const used = this.body.length;
    const warning = LIMITS.bodyMax - used <= LIMITS.bodyMax * WARN_SHARE;
    return html`
      <form part="form" novalidate @submit=${this.onSubmit}>
        <div class="field">
          <label part="label" for="name">${t.nameLabel}</label>
          <input
            id="name"
            part="input"
            name="name"
            dir="auto"
            autocomplete="name"
            required
            maxlength=${LIMITS.nameMax}
            .value=${live(this.name)}
            aria-invalid=${this.nameError ? 'true' : 'false'}
            aria-describedby="name-error"
            @input=${this.onName}
          />
          <p id="name-error" class="error" part="field-error">${this.nameError}</p>
        </div>
        <div class="field">
          <label part="label" for="body">${t.bodyLabel}</label>
          <textarea
            id="body"
            part="textarea"
            name="body"
            dir="auto"
            rows="4"
            required
            maxlength=${LIMITS.bodyMax}
            ?readonly=${this.sending}
            .value=${live(this.body)}
            aria-invalid=${this.bodyError ? 'true' : 'false'}
            aria-describedby="body-error"
            @input=${this.onBody}
          ></textarea>
          <span class="counter ${warning ? 'warning' : ''}" part=${warning ? 'counter counter-warning' : 'counter'} dir="ltr" aria-hidden="true"
            >${this.num(used, false)} / ${this.num(LIMITS.bodyMax, false)}</span
          >
          <p id="body-error" class="error" part="field-error">${this.bodyError}</p>
        </div>
        <div class="actions">
          <button type="submit" part="button send" aria-disabled=${this.sending ? 'true' : 'false'}>
            ${this.sending ? t.sending : t.send}
          </button>
          <p class="error" part="form-error" role="alert">${this.formError}</p>
          <p class="note" part="status" role="status">${this.status}</p>
        </div>
      </form>
    `;
  }

  private renderList(t: Messages) {
    if (this.listState === 'error')
      return html`<div role="alert">
        <p class="error">${t.loadError} ${this.listError}</p>
        <button class="secondary" part="button retry" @click=${this.load}>${t.retry}</button>
      </div>`;
    const threads = this.threads();
    if (this.listState === 'loading' && !threads.length) return html`<p class="note" role="status">${t.loading}</p>`;
    if (!threads.length) return html`<p class="note" part="empty">${t.empty}</p>`;
    return html`
      <ol part="list" aria-busy=${this.listState === 'loading' ? 'true' : 'false'}>
        ${threads.map(
          ([c, replies]) => html`<li>
            ${this.renderComment(c, t)}
            ${replies.length
              ? html`<ol class="replies" part="replies">
                  ${replies.map((r) => html`<li>${this.renderComment(r, t)}</li>`)}
                </ol>`
              : nothing}
          </li>`,
        )}
      </ol>
      ${this.nextCursor
        ? html`<div class="more">
            <p class="error" role="alert">${this.moreError}</p>
            <button class="secondary" part="button more" aria-disabled=${this.moreLoading ? 'true' : 'false'} @click=${this.loadMore}>
              ${this.moreLoading ? t.loadingMore : this.moreError ? t.retry : t.more}
            </button>
          </div>`
        : nothing}
    `;
  }

  private renderComment(c: Shown, t: Messages) {
    const { locale } = this.cfg;
    const pending = c.status === 'pending';
    return html`<article class="comment" part=${pending ? 'comment comment-pending' : 'comment'} id=${`c-${c.id}`} tabindex="-1">
      <div class="meta">
        <bdi class="author" part="author">${c.author.name}</bdi>
        ${c.author.verified
          ? html`<span class="verified" part="verified" title=${t.verified}
              ><span aria-hidden="true">✓</span><span class="sr-only">${t.verified}</span></span
            >`
          : nothing}
        <time part="time" datetime=${c.createdAt} title=${absoluteTime(c.createdAt, locale)}>${relativeTime(c.createdAt, locale)}</time>
        ${c.editedAt ? html`<span part="edited" title=${absoluteTime(c.editedAt, locale)}>${t.edited}</span>` : nothing}
        ${pending ? html`<span class="badge" part="badge">${t.pending}</span>` : nothing}
      </div>
      <p class="body" part="body" dir="auto">${c.body}</p>
    </article>`;
  }
}
