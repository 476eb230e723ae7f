/**
 * taliq-count.js: `<taliq-count>`, in a file of its own. taliq.js fetches it only when the page
 * shows a count (a home page, an article list); a page can also load it directly.
 */
import { define } from '../../ui/src/define.js';
import { TaliqCount } from './taliq-count.js';

define('taliq-count', TaliqCount);

export { TaliqCount };
