import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CRASH_LIMIT, HANG_GRACE_MS, watchRendererHealth } from '../../main/shell/renderer-health.js';

/** A window whose renderer the test crashes, hangs and revives. */
function fakeWindow() {
  const contents = Object.assign(new EventEmitter(), {
    crashed: 0,
    forcefullyCrashRenderer() {
      contents.crashed += 1;
      contents.emit('render-process-gone', {}, { reason: 'killed', exitCode: 9 });
    },
  });
  return { isDestroyed: () => false, webContents: contents };
}

describe('a crashed or hung renderer comes back at sign-in', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function watch() {
    const window = fakeWindow();
    const calls = { endSession: 0, reload: 0, giveUp: 0, log: [] as string[] };
    watchRendererHealth(window as never, {
      endSession: () => void (calls.endSession += 1),
      reload: async () => void (calls.reload += 1),
      giveUp: () => void (calls.giveUp += 1),
      log: (line) => calls.log.push(line),
      now: () => Date.now(),
    });
    return { window, calls };
  }

  it('a crash ends the session first and reloads the page, and is logged without details of the page', () => {
    const { window, calls } = watch();
    window.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 11 });
    expect(calls).toMatchObject({ endSession: 1, reload: 1, giveUp: 0 });
    expect(calls.log).toEqual(['renderer gone (crashed, exit code 11): reloading to the sign-in page']);
  });

  it('a hang that lasts is ended and reloaded within 3 seconds; a short one is left alone', () => {
    const { window, calls } = watch();
    window.webContents.emit('unresponsive');
    vi.advanceTimersByTime(HANG_GRACE_MS - 100);
    window.webContents.emit('responsive');
    vi.advanceTimersByTime(5000);
    expect(window.webContents.crashed).toBe(0);
    window.webContents.emit('unresponsive');
    vi.advanceTimersByTime(HANG_GRACE_MS);
    expect(HANG_GRACE_MS).toBeLessThan(3000);
    expect(window.webContents.crashed).toBe(1);
    expect(calls).toMatchObject({ endSession: 1, reload: 1 });
  });

  it('a clean exit only ends the session; too many crashes in a minute give up', () => {
    const { window, calls } = watch();
    window.webContents.emit('render-process-gone', {}, { reason: 'clean-exit', exitCode: 0 });
    expect(calls).toMatchObject({ endSession: 1, reload: 0 });
    for (let i = 0; i <= CRASH_LIMIT; i += 1) window.webContents.emit('render-process-gone', {}, { reason: 'oom', exitCode: 1 });
    expect(calls.reload).toBe(CRASH_LIMIT);
    expect(calls.giveUp).toBe(1);
  });
});
