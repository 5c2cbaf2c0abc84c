/**
 * The messages between the console and its database thread. A call names a part of the Store
 * (`users`, `requests`, … or null for the Store itself) and one of its methods; the thread runs
 * it against the one connection it owns and answers with the value or the error.
 */

import type { Store } from './store.js';

/** What starts the thread: the database file, and the time of the first call. */
export interface DatabaseThreadOptions {
  path: string;
  now: number;
  /**
   * A reader: a read-only connection to a file the writer thread has already opened and upgraded;
   * each call is one read transaction, a snapshot of the last commit.
   */
  readOnly?: boolean;
  /**
   * Pages the log may hold before this connection checkpoints it itself, when another thread
   * checkpoints it as it grows (main/store/wal-checkpointer.ts); SQLite's default otherwise.
   */
  checkpointAfterPages?: number;
}

export interface ThreadCall {
  id: number;
  /** The console's clock at the call: the thread's rows are dated by it (a test's fixed clock too). */
  now: number;
  part: string | null;
  method: string;
  args: unknown[];
}

/** An error as it crosses: its class is lost, its name, message, code and stack are not. */
export interface CrossedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

export type ThreadReply =
  | { type: 'ready'; openedInMs: number }
  | { type: 'failed'; error: CrossedError }
  /** binary: the value holds bytes, which the console turns back into Buffers; most answers hold none and are not walked. */
  | { type: 'result'; id: number; value: unknown; ms: number; binary: boolean }
  | { type: 'error'; id: number; error: CrossedError; ms: number };

export function crossError(error: unknown): CrossedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}), ...(error.stack ? { stack: error.stack } : {}) };
  }
  return { name: 'Error', message: String(error) };
}

/**
 * Structured cloning turns a Buffer into a plain Uint8Array; the stores and services expect
 * Buffers (sealed secrets, key bytes), so both sides turn them back.
 */
/** Whether a value holds bytes anywhere (see reviveBuffers). */
export function hasBytes(value: unknown): boolean {
  if (value instanceof Uint8Array) return true;
  if (Array.isArray(value)) return value.some(hasBytes);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value).some(hasBytes);
  return false;
}

export function reviveBuffers(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = reviveBuffers(value[i]);
    return value;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = reviveBuffers(record[key]);
  }
  return value;
}

type Part = Exclude<keyof Store, 'close' | 'signAuditHeadsWith'>;

/**
 * The operations that only read, which a reader thread answers from its own connection while the
 * writer thread is busy (a bulk decision's chunks, a chain check): an official's page does not
 * wait behind them. Anything not named here goes to the writer. A write named here by mistake
 * fails loudly: the reader's connection is opened read-only.
 */
export const READ_OPERATIONS: { readonly [P in Part]?: ReadonlyArray<keyof Store[P] & string> } = {
  users: ['count', 'byUserId', 'byId', 'roleHoldings', 'sessionHoldings'],
  organizations: ['securityOfficialCount', 'search'],
  // Not verifyLive: a chain check holds its thread for hundreds of milliseconds on a large trail,
  // and pages must not wait behind it; on the database thread it delays only writes.
  audit: ['read', 'head', 'lastOfAction'],
  requests: [
    'programs',
    'roles',
    'programId',
    'organizationByDisplayId',
    'byIds',
    'forRequester',
    'queuePage',
    'queueCount',
    'queueView',
    'approvalsFor',
    'cmsOfficialIds',
    'singleApprovalGrants',
    'catalogueViolations',
    'securityOfficialEmails',
    'cmsOfficialEmails',
    'securityOfficialCounts',
    'rolesOf',
    'requesterProfile',
  ],
  userAdmin: [
    'browse',
    'count',
    'countLastNamePrefix',
    'otherPrefixMatches',
    'exactMatches',
    'searchReads',
    'isInOrganizations',
    'tiedOrganizations',
    'profile',
    'assignments',
    'securityOfficialCount',
  ],
  history: [
    'page',
    'byId',
    'eventsFor',
    'emails',
    'userIds',
    'countDecisions',
    'decidedSpan',
    'programs',
    'organizations',
    'searchOrganizations',
    'organizationByDisplayId',
    'programId',
  ],
  auditTrail: ['page', 'userRowId'],
  home: [
    'pendingAges',
    'busiestOrganizations',
    'decisionsByWeek',
    'activeUnusedSinceCount',
    'activeUnusedSince',
    'deactivatedSinceCount',
    'referredInPersonCount',
    'referredInPerson',
    'organizations',
  ],
  fsid: ['search', 'row', 'stateOrganizationsOf'],
  outbox: ['list'],
  proofing: ['byId', 'history'],
};
