import type { Migration } from './migration.js';

/** Outbox rows name the organization and request they are about, so officials see their own mail. */
export const migration002: Migration = {
  version: 2,
  name: 'outbox-scope',
  sql: /* sql */ `
ALTER TABLE outbox ADD COLUMN organization_id INTEGER REFERENCES organizations(id);
ALTER TABLE outbox ADD COLUMN request_id INTEGER REFERENCES role_requests(id);
CREATE INDEX outbox_organization ON outbox (organization_id, created_at);
`,
};
