import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { FixedClock } from '../../main/clock.js';
import { openThreadStore } from '../../main/store/database-client.js';
import { Harness } from '../support/console-harness.js';
import { ON_POSTGRES } from '../support/test-engine.js';

// The embedded engine's own thread: a console on PostgreSQL has none.
describe.skipIf(ON_POSTGRES)('a database thread that dies', () => {
  it('fails the calls in flight and every later one, answers the window, and the console still closes', async () => {
    const post = Worker.prototype.postMessage;
    const posted: Worker[] = [];
    // The database thread is the worker asked for the console's settings (meta), which a reader never answers.
    const spy = vi.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (this: Worker, ...args: Parameters<Worker['postMessage']>) {
      if ((args[0] as { part?: unknown } | undefined)?.part === 'meta') posted.push(this);
      return post.apply(this, args);
    });
    const h = await Harness.create();
    spy.mockRestore();
    try {
      const u = await h.seed({ organizations: [{ displayId: '123', name: 'Sunrise', kind: 'provider' }], users: [{ userId: 'alice', organization: '123' }] });
      await h.signIn('alice', u['alice']!);
      // Calls posted as the thread stops: none is answered, and none waits for ever.
      const stopping = posted[0]!.terminate();
      const inFlight = Array.from({ length: 20 }, () => h.app.store.meta.get('schema_version'));
      await stopping;
      for (const settled of await Promise.allSettled(inFlight)) {
        expect(settled.status).toBe('rejected');
        expect(String((settled as PromiseRejectedResult).reason)).toContain('The database thread stopped');
      }
      await expect(h.app.store.users.count()).rejects.toThrow('The database thread stopped');
      const refused = await h.refusal('alice', 'access.mine', {});
      expect(['UNAVAILABLE', 'INTERNAL']).toContain(refused.code);
    } finally {
      await h.dispose();
    }
  });
});

describe.skipIf(ON_POSTGRES)('closing the database thread', () => {
  it('answers the calls queued before close(), and refuses those after it, without hanging', async () => {
    const store = await openThreadStore(join(mkdtempSync(join(tmpdir(), 'soc-close-')), 'console.sqlite'), new FixedClock(Date.UTC(2026, 0, 15)));
    const before = Array.from({ length: 200 }, (_, i) => store.meta.set(`k${i}`, String(i)));
    const closing = store.close();
    const after = store.meta.get('k1');
    await closing;
    expect((await Promise.allSettled(before)).every((s) => s.status === 'fulfilled')).toBe(true);
    await expect(after).rejects.toThrow();
    await expect(store.meta.get('k2')).rejects.toThrow('The database thread stopped');
  });
});

describe.skipIf(ON_POSTGRES)('closing a database thread that dies meanwhile', () => {
  it('still resolves, so the console goes on to release its lock', async () => {
    const store = await openThreadStore(join(mkdtempSync(join(tmpdir(), 'soc-close-')), 'console.sqlite'), new FixedClock(Date.UTC(2026, 0, 15)));
    const post = Worker.prototype.postMessage;
    const spy = vi.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (this: Worker, ...args: Parameters<Worker['postMessage']>) {
      const message = args[0] as { id?: number; part?: unknown; method?: unknown } | undefined;
      // The database thread's own close (a reader's is numbered 0): the thread stops before it
      // answers, and its connection went with it, so the file is closed.
      if (message?.part === null && message.method === 'close' && (message.id ?? 0) > 0) {
        void this.terminate();
        return;
      }
      return post.apply(this, args);
    });
    try {
      await expect(store.close()).resolves.toBeUndefined();
    } finally {
      spy.mockRestore();
    }
  });
});
