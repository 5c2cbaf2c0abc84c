import { performance } from 'node:perf_hooks';
import type { ConsoleStore, DatabaseThreadStats } from './database-client.js';
import type { Store } from './store.js';

/**
 * A Store whose calls are counted and timed, as the database thread times the embedded engine's:
 * the same figures (calls, the longest one and what it was) for a store answered in this process.
 */
export function measuredStore(store: Store, openedInMs: number): ConsoleStore {
  const stats: DatabaseThreadStats = { calls: 0, longestCallMs: 0, longestCall: null, openedInMs };
  const timed =
    (name: string, fn: (...args: unknown[]) => unknown, self: object) =>
    async (...args: unknown[]): Promise<unknown> => {
      const begun = performance.now();
      try {
        return await fn.apply(self, args);
      } finally {
        const ms = performance.now() - begun;
        stats.calls += 1;
        if (ms > stats.longestCallMs) {
          stats.longestCallMs = ms;
          stats.longestCall = name;
        }
      }
    };
  const parts = new Map<PropertyKey, object>();
  return new Proxy(store as ConsoleStore, {
    get(target, key, receiver) {
      if (key === 'stats') return () => ({ ...stats });
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value === 'function') return key === 'close' || key === 'signAuditHeadsWith' ? timed(String(key), value as never, target) : value;
      if (typeof value !== 'object' || value === null) return value;
      let part = parts.get(key);
      if (!part) {
        part = new Proxy(value, {
          get(partTarget, method, partReceiver) {
            const member: unknown = Reflect.get(partTarget, method, partReceiver);
            return typeof member === 'function' ? timed(`${String(key)}.${String(method)}`, member as never, partTarget) : member;
          },
        });
        parts.set(key, part);
      }
      return part;
    },
  });
}
