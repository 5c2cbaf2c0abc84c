import type { Database } from 'better-sqlite3';
import { verifySignatureSync } from './signature.js';
import { GENESIS_HASH, auditHeadPayload, chainHashOfCanonical } from './audit-chain.js';
import type { SqlDatabase, SqlExecutor } from './sql.js';

/**
 * Verification of the audit chain, shared by the console (the tail at start, the whole chain in
 * a worker thread), review archives and `npm run audit:verify`. Plain synchronous code over a
 * better-sqlite3 connection: the caller decides where it runs.
 */

/** The first row that is not as the console wrote it, and what is wrong with it. */
export interface ChainBreak {
  eventId: number;
  reason: string;
}

export interface ChainProgress {
  checked: number;
  lastId: number;
  lastHash: string;
}

export interface ChainResult extends ChainProgress {
  firstId: number | null;
  broken: ChainBreak | null;
}

/** A row as read with .raw(): the order of CHAIN_COLUMNS. */
type RawEvent = [
  id: number,
  at: number,
  actorId: number | null,
  action: string,
  subjectUserId: number | null,
  organizationId: number | null,
  requestId: number | null,
  details: string,
  prevHash: string,
  hash: string,
];

export const CHAIN_COLUMNS = 'id, at, actor_id, action, subject_user_id, organization_id, request_id, details, prev_hash, hash';

/** The raw row's first eight columns are canonicalAuditRow's fields in its order: hashed as read. */
const hashOf = (r: RawEvent) => chainHashOfCanonical(r[8], JSON.stringify([r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]]));

export const CHANGED = (id: number) => `Event ${id.toLocaleString('en-US')} was changed outside the console: its content no longer matches its hash`;

export interface WalkOptions {
  /** The row before the first one walked (id 0 and the genesis hash for the whole chain). */
  start: { id: number; hash: string };
  /**
   * Rows may skip ids (an archive holds only its organizations' events): a skipped range is not
   * an error, and the next row's link is not checked across it.
   */
  gapsAllowed?: boolean;
  /** Called every `every` rows (default 50,000). */
  onProgress?: (progress: ChainProgress) => void;
  every?: number;
  /** The signed head's hash, to decide which of two rows a broken link at the very end blames. */
  headHash?: string | null;
}

/**
 * Walks rows in id order and returns the first break, naming the row:
 * - an id missing from the sequence: that event was deleted;
 * - a row whose hash is not SHA-256(previous hash, canonical row): that row was changed
 *   (a swap of two rows is caught here too: the id is part of what is hashed);
 * - a row whose hash is right but whose previous hash is not the row before's: either the row
 *   before was changed and its hash recomputed, or this row was; the next link tells which.
 */
export function walkChain(rows: Iterable<RawEvent>, options: WalkOptions): ChainResult {
  const every = options.every ?? 50_000;
  let prev = options.start;
  let checked = 0;
  let firstId: number | null = null;
  /** A row whose own hash is right but which does not follow the row before it. */
  let suspect: { row: RawEvent; before: { id: number; hash: string } } | null = null;
  const result = (broken: ChainBreak | null): ChainResult => ({ checked, lastId: prev.id, lastHash: prev.hash, firstId, broken });

  for (const row of rows) {
    const [id, , , , , , , , prevHash, hash] = row;
    if (suspect !== null) {
      // This row follows the suspect: the row before the suspect was changed. It does not: the suspect was.
      const blamed = prevHash === suspect.row[9] && id === suspect.row[0] + 1 && suspect.before.id > 0 ? suspect.before.id : suspect.row[0];
      return result({ eventId: blamed, reason: linkReason(blamed, suspect.row[0]) });
    }
    firstId ??= id;
    if (id <= prev.id) return result({ eventId: id, reason: `Event ${fmt(id)} is not part of the chain: it was added outside the console` });
    const gap = id !== prev.id + 1;
    if (gap && !options.gapsAllowed) {
      const missing = prev.id + 1;
      return result({ eventId: missing, reason: missingReason(missing, id - 1) });
    }
    if (hashOf(row) !== hash) return result({ eventId: id, reason: CHANGED(id) });
    if (!gap && prevHash !== prev.hash) {
      suspect = { row, before: prev };
    }
    prev = { id, hash };
    checked += 1;
    if (options.onProgress && checked % every === 0) options.onProgress({ checked, lastId: id, lastHash: hash });
  }
  if (suspect !== null) {
    // The last row: the signed head says whether its hash is still the one the console wrote.
    const headDisagrees = options.headHash !== undefined && options.headHash !== null && options.headHash !== suspect.row[9];
    const blamed = headDisagrees || suspect.before.id === 0 ? suspect.row[0] : suspect.before.id;
    return result({ eventId: blamed, reason: linkReason(blamed, suspect.row[0]) });
  }
  return result(null);
}

function linkReason(blamed: number, follower: number): string {
  return blamed === follower
    ? `Event ${fmt(blamed)} was changed outside the console: it no longer follows event ${fmt(blamed - 1)}`
    : `Event ${fmt(blamed)} was changed outside the console: event ${fmt(follower)} no longer follows it`;
}

const fmt = (n: number) => n.toLocaleString('en-US');

function missingReason(first: number, last: number): string {
  return first === last
    ? `Event ${fmt(first)} is missing: it was deleted outside the console`
    : `Events ${fmt(first)} to ${fmt(last)} are missing: they were deleted outside the console`;
}

export interface SignedHead {
  eventId: number;
  hash: string;
  signature: string | null;
  signedAt: number | null;
}

export function readSignedHead(db: Database): SignedHead | null | 'no-table' {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_head'").get();
  if (!table) return 'no-table';
  return (
    (db.prepare('SELECT event_id AS eventId, hash, signature, signed_at AS signedAt FROM audit_head WHERE singleton = 1').get() as SignedHead | undefined) ??
    null
  );
}

export interface HeadCheck {
  /** The signature verifies (false also when there is no signature yet). */
  signed: boolean;
  message: string;
  broken: ChainBreak | null;
}

/**
 * The chain's last row against the signed head: a row added after it, rows deleted before it,
 * a last row changed with its hash recomputed, or a head whose signature does not verify.
 */
export function checkHead(head: SignedHead | null, last: { id: number; hash: string }, key: { consoleId: string; publicKeyDer: Buffer }): HeadCheck {
  if (head === null) {
    return {
      signed: false,
      message: 'The signed head of the audit trail is missing',
      broken: { eventId: last.id, reason: 'The signed head of the audit trail is missing: it was removed outside the console' },
    };
  }
  if (head.signature === null) {
    // A database from before signed heads (migration 005): signed at the next append.
    return { signed: false, message: 'The audit trail head is not signed yet', broken: null };
  }
  if (!verifySignatureSync(key.publicKeyDer, auditHeadPayload(key.consoleId, head.eventId, head.hash), head.signature)) {
    return {
      signed: false,
      message: "The signature of the audit trail head does not verify with this console's key",
      broken: { eventId: head.eventId, reason: `The signed head (event ${fmt(head.eventId)}) was changed outside the console: its signature does not verify` },
    };
  }
  if (last.id > head.eventId) {
    const added = head.eventId + 1;
    return {
      signed: true,
      message: 'The audit trail head signature verifies',
      broken: { eventId: added, reason: `Event ${fmt(added)} was added outside the console: the signed head is event ${fmt(head.eventId)}` },
    };
  }
  if (last.id < head.eventId) {
    const first = last.id + 1;
    return {
      signed: true,
      message: 'The audit trail head signature verifies',
      broken: {
        eventId: first,
        reason: missingReason(first, head.eventId),
      },
    };
  }
  if (last.hash !== head.hash) {
    return {
      signed: true,
      message: 'The audit trail head signature verifies',
      broken: { eventId: last.id, reason: `${CHANGED(last.id)} (it differs from the signed head)` },
    };
  }
  return { signed: true, message: 'The audit trail head signature verifies', broken: null };
}

/** The hash of the row before `id` (the genesis hash before the first), as stored. */
export function startBefore(db: Database, id: number): { id: number; hash: string } {
  if (id <= 1) return { id: 0, hash: GENESIS_HASH };
  const row = db.prepare('SELECT id, hash FROM audit_events WHERE id < ? ORDER BY id DESC LIMIT 1').get(id) as { id: number; hash: string } | undefined;
  return row ?? { id: 0, hash: GENESIS_HASH };
}

export function eventRows(db: Database, afterId: number, throughId = Number.MAX_SAFE_INTEGER): Iterable<RawEvent> {
  return db
    .prepare(`SELECT ${CHAIN_COLUMNS} FROM audit_events WHERE id > ? AND id <= ? ORDER BY id`)
    .raw(true)
    .iterate(afterId, throughId) as Iterable<RawEvent>;
}

export interface LiveCheck extends ChainResult {
  head: HeadCheck;
  /** The last event id when the check began (the snapshot's end). */
  total: number;
}

/**
 * Verifies a console database's chain from just after `afterId` to its end, and the signed head,
 * in one read transaction (a consistent snapshot while the console keeps appending).
 */
export function verifyLiveChain(
  db: Database,
  key: { consoleId: string; publicKeyDer: Buffer },
  options: { afterId?: number; onProgress?: (p: ChainProgress & { total: number }) => void; every?: number } = {},
): LiveCheck {
  const afterId = options.afterId ?? 0;
  const run = db.transaction((): LiveCheck => {
    const head = readSignedHead(db);
    const signedHead = head === 'no-table' ? null : head;
    const end = db.prepare('SELECT max(id) AS id FROM audit_events').get() as { id: number | null };
    const total = end.id ?? 0;
    const start = afterId === 0 ? { id: 0, hash: GENESIS_HASH } : startBefore(db, afterId + 1);
    // The whole chain is read from the lowest id there is: a row put before the first is found too.
    const walked = walkChain(eventRows(db, afterId === 0 ? Number.MIN_SAFE_INTEGER : start.id, total), {
      start,
      headHash: signedHead?.hash ?? null,
      ...(options.onProgress ? { onProgress: (p: ChainProgress) => options.onProgress?.({ ...p, total }) } : {}),
      ...(options.every ? { every: options.every } : {}),
    });
    const headCheck =
      head === 'no-table'
        ? { signed: false, message: 'This database has no signed head', broken: null }
        : checkHead(signedHead, { id: walked.lastId, hash: walked.lastHash }, key);
    const broken = walked.broken ?? headCheck.broken;
    return { ...walked, broken, head: headCheck, total };
  });
  // A deferred transaction: a read snapshot, no lock on writers (WAL).
  return run.deferred();
}

/** Rows read per statement by verifyLiveChainSql: a round trip per few thousand rows, never the whole chain in memory. */
const CHAIN_PAGE_ROWS = 5_000;

/** An audit_events row as stored, column for column. */
export interface ChainRow {
  id: number;
  at: number;
  actor_id: number | null;
  action: string;
  subject_user_id: number | null;
  organization_id: number | null;
  request_id: number | null;
  details: string;
  prev_hash: string;
  hash: string;
}

const toRaw = (r: ChainRow): RawEvent => [r.id, r.at, r.actor_id, r.action, r.subject_user_id, r.organization_id, r.request_id, r.details, r.prev_hash, r.hash];

/**
 * verifyLiveChain over a SqlDatabase, so a console on either engine can check its chain: the same
 * checks and answers, read in keyset pages inside one transaction (one snapshot while the console
 * keeps appending). The file verifier above stays the one the audit worker and archives use.
 *
 * A walk ends at its last row; a row that does not follow the one before it is judged by the row
 * after it, so a page whose last row is such a row carries it into the next page's walk.
 */
export async function verifyLiveChainSql(
  db: SqlDatabase,
  key: { consoleId: string; publicKeyDer: Buffer },
  options: { afterId?: number; onProgress?: (p: ChainProgress & { total: number }) => void; pageRows?: number } = {},
): Promise<LiveCheck> {
  const afterId = options.afterId ?? 0;
  const pageRows = Math.max(1, options.pageRows ?? CHAIN_PAGE_ROWS);
  return db.transaction(async (tx) => {
    // A read-only snapshot that PostgreSQL guarantees never to fail or to make writers fail; it
    // may wait a moment for one. SQLite's transaction is a snapshot already.
    if (tx.dialect === 'postgres') await tx.run('SET TRANSACTION READ ONLY, DEFERRABLE');
    const signedHead =
      (await tx.get<SignedHead>('SELECT event_id AS "eventId", hash, signature, signed_at AS "signedAt" FROM audit_head WHERE singleton = 1')) ?? null;
    const total = (await tx.get<{ id: number | null }>('SELECT max(id) AS id FROM audit_events'))?.id ?? 0;
    const start = afterId === 0 ? { id: 0, hash: GENESIS_HASH } : await startBeforeSql(tx, afterId + 1);
    const walked = await walkChainPages(tx, {
      // The whole chain is read from the lowest id there is: a row put before the first is found too.
      from: afterId === 0 ? Number.MIN_SAFE_INTEGER : start.id,
      through: total,
      pageRows,
      start,
      headHash: signedHead?.hash ?? null,
      onProgress: options.onProgress ? (p) => options.onProgress?.({ ...p, total }) : undefined,
    });
    const headCheck = checkHead(signedHead, { id: walked.lastId, hash: walked.lastHash }, key);
    return { ...walked, broken: walked.broken ?? headCheck.broken, head: headCheck, total };
  });
}

async function startBeforeSql(tx: SqlExecutor, id: number): Promise<{ id: number; hash: string }> {
  if (id <= 1) return { id: 0, hash: GENESIS_HASH };
  return (
    (await tx.get<{ id: number; hash: string }>('SELECT id, hash FROM audit_events WHERE id < ? ORDER BY id DESC LIMIT 1', [id])) ?? {
      id: 0,
      hash: GENESIS_HASH,
    }
  );
}

/** walkChain over the rows with from < id <= through, a page at a time; the same result as one walk over them all. */
async function walkChainPages(
  tx: SqlExecutor,
  o: {
    from: number;
    through: number;
    pageRows: number;
    start: { id: number; hash: string };
    headHash: string | null;
    onProgress: ((p: ChainProgress) => void) | undefined;
  },
): Promise<ChainResult> {
  let start = o.start;
  let checked = 0;
  let firstId: number | null = null;
  let after = o.from;
  let carried: RawEvent[] = [];
  for (;;) {
    const page = (
      await tx.all<ChainRow>(`SELECT ${CHAIN_COLUMNS} FROM audit_events WHERE id > ? AND id <= ? ORDER BY id LIMIT ?`, [after, o.through, o.pageRows])
    ).map(toRaw);
    const last = page.length < o.pageRows;
    if (page.length > 0) after = page[page.length - 1]![0];
    const rows = [...carried, ...page];
    carried = [];
    // A walk's last row that does not follow the row before it would be judged as the chain's end;
    // held back, the next page's first row judges it, as one walk over every row would. (When the
    // row before it does not follow either, the walk stops at that row already.)
    const n = rows.length;
    if (!last && n > 0 && !follows(rows, n - 1, start) && (n < 2 || follows(rows, n - 2, start))) carried = [rows.pop()!];
    const walked = walkChain(rows, { start, headHash: o.headHash });
    checked += walked.checked;
    firstId ??= walked.firstId;
    if (walked.broken || last) return { ...walked, checked, firstId };
    start = { id: walked.lastId, hash: walked.lastHash };
    o.onProgress?.({ checked, lastId: walked.lastId, lastHash: walked.lastHash });
  }
}

/** Row i links to the row before it (or to the start), or is not its successor at all (a gap walkChain judges on its own). */
function follows(rows: readonly RawEvent[], i: number, start: { id: number; hash: string }): boolean {
  const before = i > 0 ? { id: rows[i - 1]![0], hash: rows[i - 1]![9] } : start;
  return rows[i]![0] !== before.id + 1 || rows[i]![8] === before.hash;
}
