import { z } from 'zod';
import { empty, securityCode } from './fields.js';
import type { ChannelSpec } from './fields.js';

// ---- Backup and recovery ----

export const backupInfo = z.object({
  name: z.string(),
  createdAt: z.number(),
  bytes: z.number(),
  /** SQLite's check and the audit chain, run on the backup after it was made (or before a restore). */
  verified: z.enum(['ok', 'failed', 'unchecked']),
  problem: z.string().nullable(),
});
const backupProgress = z.object({
  copiedPages: z.number(),
  totalPages: z.number(),
  startedAt: z.number(),
  /** starting: the worker is opening the database; copying: pages; checking: the copy's audit trail, event by event. */
  phase: z.enum(['starting', 'copying', 'checking']),
  checkedEvents: z.number(),
  totalEvents: z.number(),
});
const backupStatus = z.object({
  /** Who backs the database up: the console (its embedded file), or the operator of its PostgreSQL database. */
  managedBy: z.enum(['console', 'database-operator']),
  /** Whether this official may restore (CMS Security Officials: a restore undoes every organization's work). */
  canRestore: z.boolean(),
  running: z.boolean(),
  /** The backup being made, while one is. */
  progress: backupProgress.nullable(),
  /** The last backup made since the console started, as its progress ended: what was copied and checked. */
  finished: backupProgress.nullable(),
  lastError: z.string().nullable(),
  backups: z.array(backupInfo),
});
/** Why the console opened in recovery, and what it can do about it. */
export const recoveryView = z.object({
  problem: z.string(),
  backups: z.array(backupInfo),
});
const backupNameSchema = z.string().min(1, 'Choose a backup').max(80);

export const backupChannels = {
  'backup.status': { access: 'session', passive: true, input: empty, output: backupStatus },
  'backup.now': { access: 'session', passive: false, input: empty, output: backupInfo },
  'backup.restore': {
    access: 'session',
    passive: false,
    input: z.object({ name: backupNameSchema, code: securityCode }).strict(),
    output: backupInfo,
  },
  /** The recovery screen's choices; a console that started normally refuses them. */
  'recovery.restore': { access: 'public', passive: false, input: z.object({ name: backupNameSchema }).strict(), output: backupInfo },
  'recovery.openReadOnly': { access: 'public', passive: false, input: empty, output: z.object({ readOnly: z.boolean() }) },
} as const satisfies Record<string, ChannelSpec>;

export type BackupInfo = z.output<typeof backupInfo>;
export type BackupStatus = z.output<typeof backupStatus>;
export type RecoveryView = z.output<typeof recoveryView>;
