import type { Migration } from './index.js';

/**
 * Version 4 belongs to user lookup (issue 4), built on another branch. This empty placeholder
 * keeps the versions contiguous here; the real migration replaces it when the branches merge.
 */
export const migration004: Migration = {
  version: 4,
  name: 'reserved-for-issue-4',
  sql: '',
};
