/**
 * The reader bundle (dist/taliq.js): defines `<taliq-comments>`, and brings `<taliq-count>`
 * (taliq-count.js, beside it) as soon as the page holds one.
 */
import { define } from '../../ui/src/define.js';
import { TaliqComments } from './taliq-comments.js';

define('taliq-comments', TaliqComments);

const hasCount = () => document.querySelector('taliq-count');
const loadCount = () => import(/* @vite-ignore */ new URL(import.meta.url.endsWith('.ts') ? 'count.ts' : 'taliq-count.js', import.meta.url).href);
if (hasCount()) loadCount();
else new MutationObserver((_, watch) => hasCount() && (watch.disconnect(), loadCount())).observe(document, { childList: true, subtree: true });

export { TaliqComments };
export type { TaliqErrorDetail, TaliqPostedDetail } from './taliq-comments.js';
