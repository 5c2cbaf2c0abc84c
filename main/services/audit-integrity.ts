import type { Clock } from '../clock.js';
import type { AuditStatus } from '../../shared/ipc/contract.js';
import type { AuditWorkers } from '../store/audit-worker-client.js';
import type { ChainBreak, LiveCheck } from '../store/chain-verify.js';
import type { DatabaseLocation, Store } from '../store/store.js';
import type { ConsoleIdentity } from './console-identity.js';

/** At start the last 10,000 events are checked at once (on the database thread); the whole chain in the background. */
export const TAIL_EVENTS = 10_000;
/** New events checked on the database thread when the status is asked for; more go to an audit worker. */
const INCREMENTAL_MAX = 5_000;
export const CHAIN_BROKEN_ACTION = 'audit.chain_broken';

interface Recorded extends ChainBreak {
  detectedAt: number;
}

/**
 * Keeps the audit chain verified: the tail at start (a few milliseconds on the database thread),
 * the whole chain in a worker thread, and the events appended since at each status request.
 * A break is written to the trail itself (audit.chain_broken, naming the row), so the alarm
 * survives a restart and a later append that re-signs the head cannot hide it.
 */
export class AuditIntegrity {
  private verifiedThrough: number | null = null;
  private verifiedAt: number | null = null;
  /** The end of the contiguous verified run the incremental check continues from. */
  private checkedThrough = 0;
  private checked = 0;
  private total = 0;
  private broken: Recorded | null = null;
  private signature = { ok: false, message: 'Not checked yet' };
  private full: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly identity: ConsoleIdentity,
    private readonly clock: Clock,
    private readonly workers: AuditWorkers,
    /** Where the whole-chain check reads from, on its own connection in a worker thread. */
    private readonly database: DatabaseLocation,
  ) {}

  private get key() {
    return { consoleId: this.identity.consoleId, publicKeyDer: this.identity.publicKeyDer };
  }

  /** At start: the last 10,000 events and the signed head; a database from before 005 gets its head signed. */
  async checkTail(): Promise<void> {
    const head = (await this.store.audit.head())?.id ?? 0;
    const afterId = Math.max(0, head - TAIL_EVENTS);
    const check = await this.store.audit.verifyLive(this.key, afterId);
    this.apply(check, afterId === 0);
    if (check.broken === null && !check.head.signed && check.head.message === 'The audit trail head is not signed yet') {
      await this.store.audit.signHead();
      this.signature = { ok: true, message: 'The audit trail head is signed by this console' };
    }
    if (check.broken) await this.record(check.broken);
    this.broken ??= await this.lastRecorded();
  }

  /** The whole chain, in a worker thread; resolves when it is done (tests and the benchmark await it). */
  verifyAll(): Promise<void> {
    this.full ??= (async () => {
      try {
        const result = await this.workers.run(
          { kind: 'verify-live', database: this.database, consoleId: this.identity.consoleId, publicKeyDer: this.identity.publicKeyDer, afterId: 0 },
          (checked, total) => {
            this.checked = checked;
            this.total = total;
          },
        );
        if (result.kind === 'verify-live') {
          this.apply(result.check, true);
          if (result.check.broken) await this.record(result.check.broken);
        }
      } finally {
        this.full = null;
      }
    })();
    return this.full;
  }

  async status(): Promise<AuditStatus> {
    await this.catchUp();
    const broken = this.broken ?? (await this.lastRecorded());
    this.broken = broken;
    return {
      state: broken ? 'broken' : this.verifiedThrough === null || this.full !== null ? 'checking' : 'verified',
      verifiedThrough: this.verifiedThrough,
      verifiedAt: this.verifiedAt,
      checked: this.checked,
      total: this.total,
      broken,
      signature: this.identity.storedKeyMatches
        ? this.signature
        : { ok: false, message: "The public key stored in the database is not this console's key: it was replaced outside the console" },
      fingerprint: this.identity.fingerprint,
    };
  }

  /** Events appended since the last check, and the signed head: at most INCREMENTAL_MAX on this thread. */
  private async catchUp(): Promise<void> {
    if (this.full !== null) return;
    const head = (await this.store.audit.head())?.id ?? 0;
    if (head - this.checkedThrough > INCREMENTAL_MAX) {
      // A failed run leaves the chain 'checking' and the next status() starts another; the run at start is logged (main/app.ts).
      void this.verifyAll().catch(() => undefined);
      return;
    }
    const check = await this.store.audit.verifyLive(this.key, this.checkedThrough);
    this.apply(check, this.verifiedThrough !== null && this.verifiedThrough >= this.checkedThrough);
    if (check.broken) await this.record(check.broken);
  }

  /** Takes a check's outcome; `fromVerified`: it continued a run verified from the first event. */
  private apply(check: LiveCheck, fromVerified: boolean): void {
    this.signature = check.head.signed ? { ok: true, message: check.head.message } : { ok: check.head.broken === null, message: check.head.message };
    this.total = check.total;
    if (check.broken) return;
    this.checkedThrough = check.lastId;
    this.checked = check.total;
    if (fromVerified) {
      this.verifiedThrough = check.lastId;
      this.verifiedAt = this.clock.now();
    }
  }

  /** One record at a time: two status requests that find the same break must not both see it unrecorded. */
  private recording: Promise<void> = Promise.resolve();

  private record(found: ChainBreak): Promise<void> {
    const run = this.recording.then(() => this.recordOnce(found));
    this.recording = run.catch(() => undefined);
    return run;
  }

  private async recordOnce(found: ChainBreak): Promise<void> {
    const last = await this.lastRecorded();
    if (last && last.eventId === found.eventId && last.reason === found.reason) {
      this.broken = last;
      return;
    }
    await this.store.audit.append([{ action: CHAIN_BROKEN_ACTION, actorId: null, details: { eventId: found.eventId, reason: found.reason } }]);
    this.broken = { ...found, detectedAt: this.clock.now() };
  }

  private async lastRecorded(): Promise<Recorded | null> {
    const row = await this.store.audit.lastOfAction(CHAIN_BROKEN_ACTION);
    if (!row) return null;
    try {
      const details = JSON.parse(row.details) as { eventId?: unknown; reason?: unknown };
      if (typeof details.eventId === 'number' && typeof details.reason === 'string')
        return { eventId: details.eventId, reason: details.reason, detectedAt: row.at };
    } catch {
      // An unreadable record still means a break was found.
    }
    return { eventId: 0, reason: 'A break in the audit trail was recorded', detectedAt: row.at };
  }
}
