import type { Migration } from '../../migrations/index.js';

/** Outbox rows name the organization and request they are about, so officials see their own mail. */
export const migration002: Migration = {
  version: 2,
  name: 'outbox-scope',
  sql: /* sql */ `
ALTER TABLE outbox ADD COLUMN organization_id BIGINT REFERENCES organizations(id);
ALTER TABLE outbox ADD COLUMN request_id BIGINT REFERENCES role_requests(id);
CREATE INDEX outbox_organization ON outbox (organization_id, created_at);
`,
};
