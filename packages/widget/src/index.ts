/** The reader bundle (dist/taliq.js): defines `<taliq-comments>` and `<taliq-count>`. */
import { define } from './define.js';
import { TaliqComments } from './taliq-comments.js';
import { TaliqCount } from './taliq-count.js';

define('taliq-comments', TaliqComments);
define('taliq-count', TaliqCount);

export { TaliqComments, TaliqCount };
export type { TaliqErrorDetail, TaliqPostedDetail } from './taliq-comments.js';
