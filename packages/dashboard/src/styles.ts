/**
 * Styles of `<taliq-moderation>`. Logical properties only (inline-start/end, block-start/end), never
 * physical sides: the same rules lay out Arabic from the start edge on the right and French from
 * the one on the other side. Public knobs are the `--taliq-*` custom properties; `--_*` are private.
 * One column and touch-size controls under 40rem; light or dark from `prefers-color-scheme`.
 */
import { css } from 'lit';
import * as palette from '../../ui/src/base-styles.js';

export const styles = css`
  :host {
    ${palette.light}
    --_bg: var(--taliq-bg, #f6f7f8);
    --_card: var(--taliq-card, #fff);
    --_ok: var(--taliq-ok, #0a6650);
    --_chip: var(--taliq-chip, #eef0f2);
    --_touch: 2.25rem;
    display: block;
    min-block-size: 100dvh;
    box-sizing: border-box;
    font-family: var(--taliq-font, system-ui, 'Noto Naskh Arabic', 'Segoe UI', Tahoma, sans-serif);
    line-height: 1.6;
    color: var(--_fg);
    background: var(--_bg);
    text-align: start;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      ${palette.dark}
      --_bg: var(--taliq-bg, #101214);
      --_card: var(--taliq-card, #191c1f);
      --_ok: var(--taliq-ok, #6fd6b5);
      --_chip: var(--taliq-chip, #262a2e);
    }
  }
  :host([hidden]) {
    display: none;
  }
  * {
    box-sizing: border-box;
  }
  .root {
    max-inline-size: 64rem;
    margin-inline: auto;
    padding-block: 0.75rem 2rem;
    padding-inline: 1rem;
  }

  /* ---- header ---- */
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem 1rem;
    padding-block-end: 0.75rem;
    border-block-end: 1px solid var(--_line);
    margin-block-end: 0.75rem;
  }
  h1 {
    font-size: 1.25rem;
    margin: 0;
    margin-inline-end: auto;
  }
  h1 .brand {
    color: var(--_accent);
  }
  h2 {
    font-size: 1.125rem;
    margin-block: 0 0.75rem;
  }
  .control {
    display: inline-flex;
    align-items: center;
    gap: 0.375rem;
    font-size: 0.875rem;
    color: var(--_muted);
  }

  /* ---- fields and buttons ---- */
  input,
  select,
  button {
    font: inherit;
    color: inherit;
    min-block-size: var(--_touch);
  }
  input[type='password'],
  input[type='search'],
  input[type='text'],
  select {
    background: var(--_card);
    border: 1px solid var(--_muted);
    border-radius: var(--_radius);
    padding-block: 0.25rem;
    padding-inline: 0.625rem;
  }
  input[type='checkbox'] {
    inline-size: 1.25rem;
    block-size: 1.25rem;
    min-block-size: 0;
    margin: 0;
    accent-color: var(--_accent);
  }
  button {
    cursor: pointer;
    border-radius: var(--_radius);
    padding-block: 0.25rem;
    padding-inline: 0.875rem;
    border: 1px solid var(--_accent);
    background: var(--_accent);
    color: var(--_on-accent);
    white-space: nowrap;
  }
  button.secondary,
  button.link {
    background: transparent;
    color: var(--_accent);
  }
  button.link {
    border-color: transparent;
    padding-inline: 0.25rem;
    text-decoration: underline;
  }
  button.danger {
    background: transparent;
    color: var(--_danger);
    border-color: var(--_danger);
  }
  button[aria-disabled='true'] {
    cursor: progress;
    opacity: 0.7;
  }
  :focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  a {
    color: var(--_accent);
  }
  kbd {
    font-family: ui-monospace, monospace;
    font-size: 0.8125rem;
    border: 1px solid var(--_line);
    border-block-end-width: 2px;
    border-radius: 0.25rem;
    padding-inline: 0.3em;
    background: var(--_card);
  }
  code {
    font-family: ui-monospace, monospace;
    font-size: 0.8125rem;
  }

  /* ---- sign-in ---- */
  .signin {
    max-inline-size: 28rem;
    margin-block: 3rem;
    margin-inline: auto;
    padding: 1.25rem;
    background: var(--_card);
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
    display: grid;
    gap: 0.75rem;
  }
  .signin label {
    font-weight: 600;
  }
  .signin input {
    inline-size: 100%;
  }
  .hint {
    color: var(--_muted);
    font-size: 0.875rem;
    margin: 0;
  }

  /* ---- queue tabs ---- */
  [role='tablist'] {
    display: flex;
    gap: 0.25rem;
    overflow-x: auto;
    border-block-end: 1px solid var(--_line);
    margin-block-end: 0.75rem;
    scrollbar-width: thin;
  }
  [role='tab'] {
    background: transparent;
    color: var(--_fg);
    border: 0;
    border-block-end: 3px solid transparent;
    border-start-start-radius: var(--_radius);
    border-start-end-radius: var(--_radius);
    padding-inline: 0.75rem;
    display: inline-flex;
    align-items: center;
    gap: 0.375rem;
  }
  [role='tab'][aria-selected='true'] {
    border-block-end-color: var(--_accent);
    font-weight: 700;
  }
  .count {
    min-inline-size: 1.5rem;
    padding-inline: 0.375rem;
    border-radius: 1rem;
    background: var(--_chip);
    font-size: 0.8125rem;
    font-variant-numeric: tabular-nums;
    text-align: center;
  }
  [aria-selected='true'] .count {
    background: var(--_accent);
    color: var(--_on-accent);
  }

  /* ---- toolbar ---- */
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem 0.75rem;
    margin-block-end: 0.5rem;
  }
  form[role='search'] {
    display: flex;
    gap: 0.375rem;
    flex: 1 1 16rem;
  }
  form[role='search'] input {
    flex: 1;
    min-inline-size: 0;
  }
  .check {
    display: inline-flex;
    align-items: center;
    gap: 0.375rem;
    cursor: pointer;
    min-block-size: var(--_touch);
  }
  .bulk {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.375rem;
  }
  .help {
    color: var(--_muted);
    font-size: 0.8125rem;
    margin-block: 0 0.75rem;
  }
  .help span {
    white-space: nowrap;
    margin-inline-end: 0.75rem;
  }
  .notice {
    margin-block: 0 0.5rem;
    font-weight: 600;
  }
  .notice:empty {
    display: none;
  }
  .notice.ok {
    color: var(--_ok);
  }
  .error {
    color: var(--_danger);
    margin: 0;
  }
  .error:empty {
    display: none;
  }
  .note {
    color: var(--_muted);
  }

  /* ---- comments ---- */
  ol {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 0.625rem;
  }
  .comment {
    background: var(--_card);
    border: 1px solid var(--_line);
    border-inline-start: 4px solid var(--_line);
    border-radius: var(--_radius);
    padding-block: 0.625rem;
    padding-inline: 0.875rem;
    display: grid;
    gap: 0.375rem;
    scroll-margin-block: 4rem;
  }
  .comment.active {
    border-inline-start-color: var(--_accent);
    outline: 3px solid var(--_accent);
    outline-offset: 1px;
  }
  .comment.checked {
    background: color-mix(in srgb, var(--_accent) 9%, var(--_card));
  }
  .head {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.125rem 0.625rem;
    font-size: 0.875rem;
    color: var(--_muted);
  }
  .author {
    font-weight: 700;
    font-size: 1rem;
    color: var(--_fg);
  }
  .badge {
    color: var(--_warning);
    border: 1px solid currentColor;
    border-radius: 1rem;
    padding-inline: 0.5rem;
  }
  .thread {
    margin: 0;
    font-size: 0.875rem;
    color: var(--_muted);
    overflow-wrap: anywhere;
  }
  .parent {
    margin: 0;
    padding-block: 0.25rem;
    padding-inline: 0.625rem;
    border-inline-start: 3px solid var(--_line);
    color: var(--_muted);
    font-size: 0.875rem;
    overflow-wrap: anywhere;
  }
  .parent q {
    quotes: none;
  }
  .body {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    font-size: 1.0625rem;
  }
  /* One paragraph per line of the comment, each in its own direction; a blank line leaves a gap. */
  .body p {
    margin: 0;
  }
  .body p.gap {
    margin-block-start: 0.75em;
  }
  .chips {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .chip {
    background: var(--_chip);
    border-radius: 1rem;
    padding-inline: 0.625rem;
    font-size: 0.8125rem;
  }
  .chip.warn {
    color: var(--_warning);
    font-weight: 600;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.375rem;
    margin-block-start: 0.125rem;
  }
  .actions .ban {
    margin-inline-start: auto;
  }
  .more {
    margin-block-start: 1rem;
    display: flex;
    justify-content: center;
  }

  /* ---- ban dialog ---- */
  dialog {
    max-inline-size: min(30rem, calc(100vw - 2rem));
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
    background: var(--_card);
    color: var(--_fg);
    padding: 1.25rem;
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 0.45);
  }
  dialog form {
    display: grid;
    gap: 0.75rem;
  }
  dialog .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    justify-content: flex-end;
  }
  dialog label.field {
    display: grid;
    gap: 0.25rem;
  }
  .sr-only {
    position: absolute;
    inline-size: 1px;
    block-size: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }

  /* ---- phones: one column, fingers ---- */
  @media (max-width: 40rem) {
    :host {
      --_touch: 2.75rem;
    }
    .root {
      padding-inline: 0.625rem;
    }
    .help {
      display: none;
    }
    .actions button {
      flex: 1 1 auto;
    }
    .actions .ban {
      margin-inline-start: 0;
    }
    .head .reader {
      display: none;
    }
  }
  @media (pointer: coarse) {
    :host {
      --_touch: 2.75rem;
    }
    input[type='checkbox'] {
      inline-size: 1.5rem;
      block-size: 1.5rem;
    }
  }
`;
