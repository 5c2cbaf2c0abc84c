import type { Migration } from '../../migrations/index.js';

/**
 * The organization picker, as SQLite's version of the same name: organizations in name order
 * (display ID breaks ties) with every column the picker shows, walked without a sort.
 */
export const migration010: Migration = {
  version: 10,
  name: 'organization-picker',
  sql: /* sql */ `
CREATE INDEX organizations_by_name ON organizations (name, display_id, kind);
`,
};
