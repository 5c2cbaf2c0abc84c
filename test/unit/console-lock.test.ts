import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createConsole, dataKeyFileName } from '../../main/app.js';
import { KeyFileProvider } from '../../main/services/key-file.js';
import { ConsoleInUseError, acquireConsoleLock } from '../../main/store/console-lock.js';
import { ConsoleRunner } from '../../main/runner.js';

const open = (dir: string) => createConsole({ dataDir: dir, keyProvider: new KeyFileProvider(join(dir, dataKeyFileName(false))) });

describe('two consoles, one file', () => {
  it('a second console on the same data is refused with a clear message, and may start once the first has closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soc-lock-'));
    const first = await open(dir);
    await expect(open(dir)).rejects.toThrow(ConsoleInUseError);
    await expect(open(dir)).rejects.toThrow(/already open in another Security Official Console on this computer/);
    await first.close();
    expect(existsSync(join(dir, 'console.sqlite.lock'))).toBe(false);
    const second = await open(dir);
    await second.close();
  });

  it('a console on its recovery screen still holds the data: a second one cannot open, restore into or recover it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soc-lock-'));
    writeFileSync(join(dir, 'console.sqlite'), 'this is not a database, it is damage'.repeat(200));
    const runner = await ConsoleRunner.start({ dataDir: dir, keyProvider: new KeyFileProvider(join(dir, dataKeyFileName(false))) });
    try {
      expect(runner.inRecovery).not.toBeNull();
      await expect(open(dir)).rejects.toThrow(ConsoleInUseError);
      await expect(ConsoleRunner.start({ dataDir: dir, keyProvider: new KeyFileProvider(join(dir, dataKeyFileName(false))) })).rejects.toThrow(
        ConsoleInUseError,
      );
    } finally {
      await runner.close();
    }
    expect(existsSync(join(dir, 'console.sqlite.lock'))).toBe(false);
  });

  it('a second console process on the same data exits with the clear message, never SQLITE_BUSY in a handler', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soc-lock-'));
    const first = await open(dir);
    try {
      const root = resolve(import.meta.dirname, '../..');
      const second = spawn(join(root, 'node_modules', '.bin', 'tsx'), ['main/host/cli.ts', '--data', dir, '--port', '0'], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      second.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      second.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      // A second console that started serving would never exit: end it, and fail below.
      const timer = setTimeout(() => second.kill('SIGKILL'), 20_000);
      const code = await new Promise<number | null>((done, fail) => {
        second.once('exit', done);
        second.once('error', fail);
      }).finally(() => clearTimeout(timer));
      expect(code).toBe(1);
      expect(output).toContain(`already open in another Security Official Console on this computer (process ${process.pid}`);
      expect(output).not.toMatch(/SQLITE_BUSY|Console ready/);
    } finally {
      await first.close();
    }
  }, 30_000);

  it('another process holding the lock is named; a lock left by a process that is gone is taken over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soc-lock-'));
    const lockPath = join(dir, 'console.sqlite.lock');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFileSync(lockPath, JSON.stringify({ pid: child.pid, host: hostname(), since: '2026-11-23T10:00:00.000Z' }));
      expect(() => acquireConsoleLock(lockPath)).toThrow(`process ${child.pid}`);
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    // The holder is gone (it crashed): its lock is stale.
    const lock = acquireConsoleLock(lockPath);
    lock.release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it('a console of another computer is never taken over', () => {
    const dir = mkdtempSync(join(tmpdir(), 'soc-lock-'));
    const lockPath = join(dir, 'console.sqlite.lock');
    writeFileSync(lockPath, JSON.stringify({ pid: 1, host: 'other-workstation', since: '2026-11-23T10:00:00.000Z' }));
    expect(() => acquireConsoleLock(lockPath)).toThrow(/on another computer \(other-workstation/);
  });
});
