import type { Migration } from './index.js';

/**
 * Stands in for version 7, which another branch adds, so that version 8 can be applied here.
 * It changes nothing; the real version 7 replaces this file when the branches meet.
 */
export const migration007: Migration = {
  version: 7,
  name: 'placeholder',
  sql: '',
};
