import type { Migration } from './migration.js';

/**
 * A decision rewrites every index of role_requests that holds its status. Two of them carried
 * the status for no reader:
 * - the queue's index by organization is only ever read for pending requests, so it holds only
 *   those (a decided request leaves it, and nothing is written for it there again);
 * - a requester's requests are few, so their index needs no status at all, and a decision no
 *   longer moves the entry.
 * Each saves a b-tree write per decided request. (PostgreSQL's version also moves its counters
 * once per statement; SQLite updates rows in place, so its row triggers stay.)
 */
export const migration012: Migration = {
  version: 12,
  name: 'lighter-decisions',
  sql: /* sql */ `
DROP INDEX role_requests_queue;
CREATE INDEX role_requests_queue ON role_requests (organization_id, requested_at, id) WHERE status = 'pending';
DROP INDEX role_requests_requester;
CREATE INDEX role_requests_requester ON role_requests (requester_id);
`,
};
