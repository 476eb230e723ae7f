/** The reader bundle (dist/taliq.js): defines `<taliq-comments>`. */
import { define } from './define.js';
import { TaliqComments } from './taliq-comments.js';

define('taliq-comments', TaliqComments);

export { TaliqComments };
export type { TaliqErrorDetail, TaliqPostedDetail } from './taliq-comments.js';
