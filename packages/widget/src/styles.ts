/**
 * Styles of `<taliq-comments>`. Logical properties only (inline-start/end, block-start/end), never
 * left/right: the same rules lay out Arabic right-to-left and French left-to-right.
 * Public knobs are the `--taliq-*` custom properties (docs/theming.md); `--_*` are private.
 *
 * Written one rule a line, without CSS comments: Lit's `css`text is shipped as written,so
* every byte here is a byte in taliq.js. Notes on the rules:
* -`:host` is not rendered while far from the viewport (`content-visibility: auto`) yet keeps its
 *   room (`contain-intrinsic-size`), so the page does not shift when it is.
 * - `.root` has padding because containment clips what overflows the host: room for focus rings.
 * - `.item` (a comment and its replies) costs no layout or paint while off-screen; its padding
 *   keeps focus rings inside its paint containment.
 * - Fields and buttons take the page's font (`font: inherit`), as the host does.
 */
import { css } from 'lit';
import * as palette from '../../ui/src/base-styles.js';

export const styles = css`
:host{display:block;contain:content;content-visibility:auto;contain-intrinsic-size:auto 30rem}
:host([hidden]){display:none}
.root{${palette.light}--_bg:var(--taliq-bg,#fff);position:relative;padding:0.25rem;font-family:var(--taliq-font,inherit);line-height:1.6;
color:var(--_fg);background:var(--_bg);text-align:start}
.dark{${palette.dark}--_bg:var(--taliq-bg,#15171a)}
@media (prefers-color-scheme:dark){.auto{${palette.dark}--_bg:var(--taliq-bg,#15171a)}}
h2{font-size:1.25em;margin-block:0 0.75rem}
form{display:grid;gap:0.75rem;margin-block-end:1.5rem}
.field,fieldset{display:grid;gap:0.25rem}
fieldset{border:0;padding:0;margin:0}
label{font-weight:600}
input,textarea,select{box-sizing:border-box;inline-size:100%;font:inherit;color:inherit;background:var(--_bg);
border:1px solid var(--_muted);border-radius:var(--_radius);padding:0.5rem 0.75rem}
textarea{min-block-size:6rem;resize:vertical}
select{inline-size:auto;padding-block:0.25rem}
[aria-invalid='true']{border-color:var(--_danger);border-width:2px}
.counter{justify-self:end;color:var(--_muted);font-size:0.875em;font-variant-numeric:tabular-nums}
.warning{color:var(--_warning);font-weight:600}
.error{color:var(--_danger);margin:0}
.error:empty{display:none}
.actions,.acts,.bar,.meta{display:flex;flex-wrap:wrap;align-items:center;gap:0.75rem}
button{font:inherit;cursor:pointer;border-radius:var(--_radius);padding:0.5rem 1rem;border:1px solid var(--_accent);
background:var(--_accent);color:var(--_on-accent)}
.secondary{background:transparent;color:var(--_accent)}
.link{background:none;border-color:transparent;color:var(--_muted);padding:0.125rem 0.5rem}
[aria-pressed='true'],[aria-expanded='true']{color:var(--_accent);font-weight:600}
[aria-disabled='true']{cursor:progress}
:focus-visible{outline:2px solid var(--_accent);outline-offset:2px}
ol{list-style:none;margin:0;padding:0}
.item{content-visibility:auto;contain-intrinsic-size:auto 10rem;padding:0.25rem}
.comment{padding-block:0.75rem;border-block-start:1px solid var(--_line)}
.replies{margin-inline-start:1.5rem;padding-inline-start:0.75rem;border-inline-start:2px solid var(--_line)}
.replies .comment{border-block-start:0;padding-block-end:0}
.meta{align-items:baseline;gap:0.25rem 0.5rem;color:var(--_muted);font-size:0.875em}
.acts{gap:0.25rem;margin-block-start:0.25rem}
.bar{justify-content:space-between;margin-block-end:0.5rem}
.author{font-weight:600;color:var(--_fg)}
.verified{color:var(--_accent)}
.badge{color:var(--_warning);border:1px solid currentColor;border-radius:1em;padding-inline:0.5em}
.body{margin-block:0.25rem 0;white-space:pre-wrap;overflow-wrap:anywhere}.body p{margin:0}
.note{color:var(--_muted)}
.to{margin:0;font-size:0.875em}
.more{margin-block-start:1rem}
.sub{margin-block-start:0.5rem}
.sr-only{position:absolute;inline-size:1px;block-size:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
`;
