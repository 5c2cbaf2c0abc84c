import type { Migration } from '../../migrations/index.js';

/**
 * A CMS Security Official's queue at scale, as SQLite version 9: pending requests indexed by
 * role in both orders of the queue, so each Security Official role is an index range, and the
 * Security Official roles' counters indexed with their count, for the CMS total.
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
