import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FixedClock } from '../../main/clock.js';
import { openThreadStore } from '../../main/store/database-client.js';
import type { ThreadStore } from '../../main/store/database-client.js';
import { SqliteStore } from '../../main/store/sqlite.js';
import type * as WorkerEntry from '../../main/store/worker-entry.js';
import { ON_POSTGRES } from '../support/test-engine.js';

/** Set by a test: starting a reader (a read-only database thread) then throws, as a worker that cannot be created would. */
let failReaderStart = false;
vi.mock('../../main/store/worker-entry.js', async (importOriginal) => {
  const original = await importOriginal<typeof WorkerEntry>();
  return {
    ...original,
    startStoreWorker: (...args: Parameters<typeof original.startStoreWorker>) => {
      if (failReaderStart && (args[1] as { readOnly?: boolean } | undefined)?.readOnly) throw new Error('No thread can be created');
      return original.startStoreWorker(...args);
    },
  };
});

const freshPath = () => join(mkdtempSync(join(tmpdir(), 'soc-reader-')), 'console.sqlite');

async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const events = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ action: 'demo.seeded' as const, actorId: null, details: { i: from + i } }));

/** The workers that were asked to read the audit trail (the reader, once it answers reads), as they are asked. */
function watchReads(): { readers: Worker[]; spy: { mockRestore(): void } } {
  const readers: Worker[] = [];
  const post = Worker.prototype.postMessage;
  const spy = vi.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (this: Worker, ...args: Parameters<Worker['postMessage']>) {
    const message = args[0] as { part?: unknown; method?: unknown } | undefined;
    if (message?.part === 'audit' && message.method === 'read') readers.push(this);
    return post.apply(this, args);
  });
  return { readers, spy };
}

// The embedded engine's reader thread (PostgreSQL answers reads on connections of its pool).
describe.skipIf(ON_POSTGRES)('the reader thread', () => {
  const open: ThreadStore[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()));
  });
  const start = async (path = freshPath()) => {
    const store = await openThreadStore(path, new FixedClock(Date.UTC(2026, 0, 15)));
    open.push(store);
    // Reads go to the database thread until the reader has opened the file.
    await store.audit.append(events(1));
    await until(() => {
      void store.audit.read(0, 1);
      return (store.stats().readerCalls ?? 0) > 0;
    });
    return { store, path };
  };

  it('answers a read while the database thread is busy with a long write', async () => {
    const { store } = await start();
    let writeDone = false;
    const write = store.audit.append(events(10_000, 1)).then(() => {
      writeDone = true;
    });
    // Once the write has begun, a read does not wait for it, and sees the last commit, not half of it.
    await new Promise((resolve) => setTimeout(resolve, 30));
    const seen = await store.audit.read(0, 100_000);
    expect(writeDone).toBe(false);
    expect(seen).toHaveLength(1);
    await write;
    expect(await store.audit.read(0, 100_000)).toHaveLength(10_001);
  });

  it('sees every write the console has been told is done', async () => {
    const { store } = await start();
    for (let i = 0; i < 20; i++) {
      await store.audit.append(events(1, 100 + i));
      expect(await store.audit.read(0, 1000)).toHaveLength(i + 2);
    }
    expect(store.stats().readerCalls).toBeGreaterThanOrEqual(20);
  });

  it('gone, its reads are answered by the database thread', async () => {
    const { readers, spy } = watchReads();
    try {
      const { store } = await start();
      const reader = readers.at(-1);
      expect(reader).toBeDefined();
      const inFlight = Array.from({ length: 10 }, () => store.audit.read(0, 10));
      await reader!.terminate();
      for (const rows of await Promise.all(inFlight)) expect(rows).toHaveLength(1);
      const answeredByReader = store.stats().readerCalls ?? 0;
      await store.audit.append(events(1, 500));
      expect(await store.audit.read(0, 10)).toHaveLength(2);
      expect(store.stats().readerCalls).toBe(answeredByReader);
      // A second later a new reader takes its place.
      await until(() => {
        void store.audit.read(0, 1);
        return (store.stats().readerCalls ?? 0) > answeredByReader;
      });
      expect(store.stats().readerStarts).toBe(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('gone while the console closes, its reads are still answered, and the close does not wait for it', async () => {
    const { readers, spy } = watchReads();
    try {
      const { store } = await start();
      const reader = readers.at(-1)!;
      // A long write keeps the database thread busy, so the reads are still the reader's when it goes.
      const write = store.audit.append(events(5_000, 1));
      const inFlight = Array.from({ length: 10 }, () => store.audit.read(0, 10));
      const began = Date.now();
      const closed = store.close();
      await reader.terminate();
      for (const rows of await Promise.all(inFlight)) expect(rows.length).toBeGreaterThanOrEqual(1);
      await write;
      await closed;
      expect(Date.now() - began).toBeLessThan(1500);
      open.splice(open.indexOf(store), 1);
    } finally {
      spy.mockRestore();
    }
  });

  it('that cannot start leaves every call to the database thread, and the console opens', async () => {
    failReaderStart = true;
    try {
      const store = await openThreadStore(freshPath(), new FixedClock(Date.UTC(2026, 0, 15)));
      open.push(store);
      await store.audit.append(events(2));
      expect(await store.audit.read(0, 10)).toHaveLength(2);
      expect(store.stats().readerCalls ?? 0).toBe(0);
    } finally {
      failReaderStart = false;
    }
  });

  it('cannot write: its connection is read-only, so a write listed as a read by mistake fails loudly', async () => {
    const { store, path } = await start();
    const reader = SqliteStore.openReadOnly(path, new FixedClock(Date.UTC(2026, 0, 15)));
    try {
      await expect(reader.meta.set('k', 'v')).rejects.toThrow(/readonly|read-only/i);
      expect(await reader.audit.read(0, 10)).toHaveLength(1);
    } finally {
      reader.db.close();
    }
    expect(await store.meta.get('k')).toBeNull();
  });
});
