/**
 * What happens when the console window's renderer crashes or hangs. Kept apart from main.ts and
 * written against a minimal shape of BrowserWindow, so that tests drive it with a stand-in.
 */

/** The part of BrowserWindow (and its webContents) this module uses. */
export interface WatchedWindow {
  isDestroyed(): boolean;
  webContents: {
    on(event: 'render-process-gone', listener: (event: unknown, details: { reason: string; exitCode: number }) => void): unknown;
    on(event: 'unresponsive' | 'responsive', listener: () => void): unknown;
    forcefullyCrashRenderer(): void;
  };
}

export interface HealthActions {
  /** Ends the window's session: whatever broke the page may have been in control of it. */
  endSession(): void;
  /** Shows the console page again (the renderer starts at sign-in). */
  reload(): Promise<void>;
  /** Too many crashes in a row: tell the official and quit. */
  giveUp(): void;
  log(line: string): void;
  now?: () => number;
}

/** A hang this long is treated as a crash, so the window is back at sign-in within 3 seconds. */
export const HANG_GRACE_MS = 1500;
/** A renderer that keeps crashing is not reloaded forever. */
export const CRASH_LIMIT = 3;
export const CRASH_WINDOW_MS = 60_000;

export function watchRendererHealth(window: WatchedWindow, actions: HealthActions): void {
  const now = actions.now ?? Date.now;
  const crashes: number[] = [];
  let hangTimer: ReturnType<typeof setTimeout> | null = null;

  const recover = (why: string) => {
    actions.endSession();
    if (window.isDestroyed()) return;
    const at = now();
    crashes.push(at);
    while (crashes.length > 0 && (crashes[0] as number) < at - CRASH_WINDOW_MS) crashes.shift();
    if (crashes.length > CRASH_LIMIT) {
      actions.log(`renderer ${why} ${crashes.length} times within a minute: giving up`);
      actions.giveUp();
      return;
    }
    actions.log(`renderer ${why}: reloading to the sign-in page`);
    actions.reload().catch((error: unknown) => actions.log(`reload failed: ${error instanceof Error ? error.name : 'error'}`));
  };

  window.webContents.on('render-process-gone', (_event, details) => {
    if (hangTimer) clearTimeout(hangTimer);
    hangTimer = null;
    if (details.reason === 'clean-exit') {
      actions.endSession();
      return;
    }
    recover(`gone (${details.reason}, exit code ${details.exitCode})`);
  });
  window.webContents.on('unresponsive', () => {
    if (hangTimer) return;
    actions.log('renderer unresponsive');
    hangTimer = setTimeout(() => {
      hangTimer = null;
      if (window.isDestroyed()) return;
      // Ends the hung renderer; its render-process-gone event then reloads the page.
      window.webContents.forcefullyCrashRenderer();
    }, HANG_GRACE_MS);
  });
  window.webContents.on('responsive', () => {
    if (hangTimer) clearTimeout(hangTimer);
    hangTimer = null;
  });
}
