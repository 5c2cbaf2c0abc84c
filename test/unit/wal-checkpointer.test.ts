import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../main/clock.js';
import { openThreadStore } from '../../main/store/database-client.js';
import type { ThreadStore } from '../../main/store/database-client.js';
import { startStoreWorker } from '../../main/store/worker-entry.js';
import type { CheckpointerMessage } from '../../main/store/wal-checkpointer.js';
import { ON_POSTGRES } from '../support/test-engine.js';

const freshPath = () => join(mkdtempSync(join(tmpdir(), 'soc-checkpoint-')), 'console.sqlite');

/** About 6 MiB of audit rows: more than the checkpointer waits for, less than the database thread's own threshold. */
async function writeSixMegabytes(store: ThreadStore): Promise<void> {
  const note = 'x'.repeat(2000);
  for (let batch = 0; batch < 6; batch++) {
    await store.audit.append(Array.from({ length: 500 }, (_, i) => ({ action: 'demo.seeded', actorId: null, details: { batch, i, note } })));
  }
}

async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// The embedded engine's log (PostgreSQL checkpoints by itself).
describe.skipIf(ON_POSTGRES)('the write-ahead log checkpointer', () => {
  const open: ThreadStore[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()));
  });

  it('copies the log back into the file on its own thread, not in a commit of the database thread', async () => {
    const path = freshPath();
    const store = await openThreadStore(path, new FixedClock(Date.UTC(2026, 0, 15)));
    open.push(store);
    const fileBefore = statSync(path).size;
    expect(store.stats().checkpoints).toBe(0);
    await writeSixMegabytes(store);
    await until(() => (store.stats().checkpoints ?? 0) >= 1);
    // The rows reached the database file itself; the thread alone would not have checkpointed below 32 MiB.
    expect(statSync(path).size).toBeGreaterThan(fileBefore + 4 * 1024 * 1024);
    expect(await store.audit.read(0, 1)).toHaveLength(1);
    // Idle, the log (which keeps its size) is not copied again every quarter second.
    await new Promise((resolve) => setTimeout(resolve, 800));
    const settled = store.stats().checkpoints;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(store.stats().checkpoints).toBe(settled);
  });

  it('closes before the database thread, whose connection is the last and removes the log', async () => {
    const path = freshPath();
    const store = await openThreadStore(path, new FixedClock(Date.UTC(2026, 0, 15)));
    await writeSixMegabytes(store);
    expect(existsSync(`${path}-wal`)).toBe(true);
    await store.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('says why it stopped when it cannot open the file, and the console goes on without it', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'soc-checkpoint-')), 'none.sqlite');
    const worker = startStoreWorker('wal-checkpointer', { path: missing, intervalMs: 10, minLogBytes: 1 });
    const message = await new Promise<CheckpointerMessage>((resolve) => worker.once('message', resolve));
    await worker.terminate();
    expect(message).toMatchObject({ type: 'failed' });
    expect(existsSync(missing)).toBe(false);
  });
});
