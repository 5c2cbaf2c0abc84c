import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, UNREACHABLE_MESSAGE, call, codeOf, messageOf } from '../../renderer/api.js';
import type { IpcResult } from '../../shared/ipc/errors.js';

/** Installs a bridge that answers every call with `result` (or fails, as a dead transport does). */
function bridge(answer: () => Promise<IpcResult<unknown>>): void {
  (globalThis as { api?: unknown }).api = { invoke: answer };
}

describe('the renderer shows what the main process answered', () => {
  afterEach(() => {
    delete (globalThis as { api?: unknown }).api;
  });

  it('a bug (INTERNAL) shows its reference', async () => {
    bridge(() =>
      Promise.resolve({
        ok: false,
        error: { code: 'INTERNAL', message: 'Something went wrong (reference 3f9a1c2e). Nothing was saved.', reference: '3f9a1c2e' },
      }),
    );
    const error = await call('app.status', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).reference).toBe('3f9a1c2e');
    expect(messageOf(error)).toBe('Something went wrong (reference 3f9a1c2e). Nothing was saved.');
    // A message that does not name it (an older main process) still gets it shown.
    expect(messageOf(new ApiError('INTERNAL', 'Something went wrong.', undefined, 'a1b2c3d4'))).toBe('Something went wrong. (Reference a1b2c3d4.)');
  });

  it('"not now" (UNAVAILABLE) and a dead transport say try again, with no reference', async () => {
    bridge(() => Promise.resolve({ ok: false, error: { code: 'UNAVAILABLE', message: 'The console cannot do this just now. Try again in a moment.' } }));
    const busy = await call('app.status', {}).catch((e: unknown) => e);
    expect(codeOf(busy)).toBe('UNAVAILABLE');
    expect(messageOf(busy)).toBe('The console cannot do this just now. Try again in a moment.');
    bridge(() => Promise.reject(new Error('socket hang up')));
    const dead = await call('app.status', {}).catch((e: unknown) => e);
    expect(codeOf(dead)).toBe('UNAVAILABLE');
    expect(messageOf(dead)).toBe(UNREACHABLE_MESSAGE);
  });
});
