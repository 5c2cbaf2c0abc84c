import type { Migration } from './migration.js';

/**
 * The organization picker asks for organizations by display ID or name, in name order, a page
 * at a time: this index walks them in that order without a sort and holds every column the
 * picker shows, so a common prefix stops after a page and never reads the table. The exact
 * display ID is found by the unique index the table already has.
 */
export const migration010: Migration = {
  version: 10,
  name: 'organization-picker',
  sql: /* sql */ `
CREATE INDEX organizations_by_name ON organizations (name, display_id, kind);
`,
};
