import type { Migration } from './migration.js';

/**
 * A CMS Security Official's queue at scale: their own organization's requests, and the Security
 * Official requests of every organization. The second part was a walk of every pending request
 * in date (or name) order, keeping the few whose role is a Security Official role (11 ms a page
 * at 100,000 pending). Pending requests are now indexed by role, in both orders of the queue, so
 * each Security Official role is an index range, and a page is merged from those ranges and the
 * organization's own. The role catalogue (migration 6) keeps one role per Security Official kind.
 * Its total summed the counters of every Security Official role, one table row each (5,714 rows,
 * 3 ms); an index carrying the count answers it alone.
 */
export const migration009: Migration = {
  version: 9,
  name: 'cms-queue',
  sql: /* sql */ `
CREATE INDEX role_requests_pending_role ON role_requests (role_id, requested_at, id) WHERE status = 'pending';
CREATE INDEX role_requests_pending_role_name ON role_requests (role_id, requester_last_name, requester_first_name, id) WHERE status = 'pending';
-- The CMS total sums every Security Official role's counters: read from this index alone.
CREATE INDEX pending_request_counts_role_n ON pending_request_counts (role_id, program_id, n);
`,
};
