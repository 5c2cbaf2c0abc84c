import type { Migration } from '../../migrations/index.js';

/**
 * A CMS Security Official's queue at scale, as SQLite version 10: pending requests indexed by
 * role in both orders of the queue, so each Security Official role is an index range.
 */
export const migration010: Migration = {
  version: 10,
  name: 'cms-queue',
  sql: /* sql */ `
CREATE INDEX role_requests_pending_role ON role_requests (role_id, requested_at, id) WHERE status = 'pending';
CREATE INDEX role_requests_pending_role_name ON role_requests (role_id, requester_last_name, requester_first_name, id) WHERE status = 'pending';
`,
};
