import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock.js';

/** Role requests and role assignments: the queries behind My Access and Role Requests. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by the role-request capability
export interface RequestStore {}

export class SqliteRequestStore implements RequestStore {
  constructor(
    readonly db: Database,
    readonly clock: Clock,
  ) {}
}
