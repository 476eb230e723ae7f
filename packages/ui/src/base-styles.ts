/**
 * The palette the widget and the dashboard share, light and dark: private `--_*` properties that
 * each take a public `--taliq-*` knob (docs/theming.md) over the default. Declarations only, for an
 * element to put in its own rule; the page background and everything else stay the element's.
 * Written one line, as in the widget's styles: every byte here is a byte in taliq.js.
 */
import { css } from 'lit';

export const light = css`--_accent:var(--taliq-accent,#0a6650);--_on-accent:var(--taliq-on-accent,#fff);--_fg:var(--taliq-fg,#1d1f21);--_muted:var(--taliq-muted,#585e65);--_line:var(--taliq-line,#d9dcdf);--_danger:var(--taliq-danger,#b3261e);--_warning:var(--taliq-warning,#8a5300);--_radius:var(--taliq-radius,0.5rem);color-scheme:light;`;

export const dark = css`--_accent:var(--taliq-accent,#6fd6b5);--_on-accent:var(--taliq-on-accent,#08201a);--_fg:var(--taliq-fg,#e9eaec);--_muted:var(--taliq-muted,#aab0b7);--_line:var(--taliq-line,#3a3f45);--_danger:var(--taliq-danger,#ff9b93);--_warning:var(--taliq-warning,#f1c469);color-scheme:dark;`;
