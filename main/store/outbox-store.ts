import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock.js';

/** The emails the console owes: listing, delivery bookkeeping, retry. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by the notifications capability
export interface OutboxStore {}

export class SqliteOutboxStore implements OutboxStore {
  constructor(
    readonly db: Database,
    readonly clock: Clock,
  ) {}
}
