/** The queue counts as the dashboard shows them between the server's answers. */
import type { Status } from '../../shared/src/limits.js';
import type { ModeratorComment, QueueStatus } from '../../shared/src/schemas.js';

export type Counts = Record<QueueStatus, number>;

/** The counts once `targets` move to `to`, as the server will count them. */
export function shiftCounts(counts: Counts, targets: readonly Pick<ModeratorComment, 'status'>[], to: Status, tab: QueueStatus): Counts {
  const next = { ...counts };
  const dec = (k: QueueStatus) => (next[k] = Math.max(0, next[k] - 1));
  for (const c of targets) {
    // Any action clears a comment from the flagged queue.
    if (tab === 'flagged') dec('flagged');
    if (c.status !== to) {
      if (c.status in next) dec(c.status as QueueStatus);
      if (to in next) next[to as QueueStatus]++;
    }
  }
  return next;
}
