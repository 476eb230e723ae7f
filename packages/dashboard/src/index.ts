/** The moderation bundle (dist/taliq-moderation.js, served at /admin): defines `<taliq-moderation>`. */
import { define } from '../../ui/src/define.js';
import { TaliqModeration } from './taliq-moderation.js';

define('taliq-moderation', TaliqModeration);

export { TaliqModeration };
export type { TaliqModeratedDetail, TaliqSignedInDetail } from './taliq-moderation.js';
