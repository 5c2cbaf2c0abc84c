import type { Migration } from '../../migrations/index.js';

/** As SQLite's version of the same name: the queue's index holds only pending requests, a requester's no status. */
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
