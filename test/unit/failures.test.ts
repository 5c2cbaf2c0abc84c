import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerRestartingError, classifyFailure, failureLogLine, internalMessage, isUnavailable, newIncidentId } from '../../main/ipc/failures.js';

/** An error as a driver shapes it: a message and a code (better-sqlite3's SqliteError, node-postgres's DatabaseError, Node's socket errors). */
function driverError(code: string, message = 'failed'): Error {
  return Object.assign(new Error(message), { code });
}

describe('failure classification', () => {
  it('SQLite busy or locked (and their extended codes) is "not now"', () => {
    for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_TIMEOUT', 'SQLITE_LOCKED', 'SQLITE_LOCKED_SHAREDCACHE']) {
      expect(isUnavailable(driverError(code)), code).toBe(true);
    }
  });

  it('a real SQLITE_BUSY from a second connection holding the write lock is "not now"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'soc-failures-'));
    const first = new Database(join(dir, 'x.sqlite'));
    const second = new Database(join(dir, 'x.sqlite'), { timeout: 0 });
    try {
      first.exec('CREATE TABLE t (x)');
      first.exec('BEGIN IMMEDIATE');
      let thrown: unknown = null;
      try {
        second.exec('BEGIN IMMEDIATE');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({ code: 'SQLITE_BUSY' });
      expect(classifyFailure(thrown)).toEqual({ code: 'UNAVAILABLE' });
    } finally {
      first.close();
      second.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('PostgreSQL connection exceptions (class 08), 57P01, 57P03 and 53300 are "not now"', () => {
    for (const code of ['08000', '08003', '08006', '08001', '08004', '08P01', '57P01', '57P03', '53300']) {
      expect(isUnavailable(driverError(code)), code).toBe(true);
    }
  });

  it('other PostgreSQL errors are bugs: a constraint, a syntax error, a query cancelled by statement timeout', () => {
    for (const code of ['23505', '42601', '57014', '57P02', '53100', '22P02']) {
      expect(isUnavailable(driverError(code)), code).toBe(false);
    }
  });

  it('a refused, reset or unreachable database connection is "not now"', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']) {
      expect(isUnavailable(driverError(code)), code).toBe(true);
    }
    expect(isUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
  });

  it('a worker that is restarting is "not now"', () => {
    expect(isUnavailable(new WorkerRestartingError())).toBe(true);
    expect(classifyFailure(new WorkerRestartingError())).toEqual({ code: 'UNAVAILABLE' });
  });

  it('looks through a wrapped cause, a few levels deep', () => {
    expect(isUnavailable(new Error('query failed', { cause: driverError('57P01') }))).toBe(true);
    expect(isUnavailable(new Error('a', { cause: new Error('b', { cause: driverError('SQLITE_BUSY') }) }))).toBe(true);
    expect(isUnavailable(new Error('a', { cause: new Error('b') }))).toBe(false);
  });

  it('anything else is a bug: INTERNAL with a fresh 8-hex-digit reference', () => {
    for (const error of [
      new TypeError("Cannot read properties of undefined (reading 'id')"),
      driverError('SQLITE_CONSTRAINT_UNIQUE'),
      driverError('SQLITE_CORRUPT'),
      driverError('ENOENT'),
      'a string',
      null,
      undefined,
      { code: 42 },
    ]) {
      const failure = classifyFailure(error);
      expect(failure.code, String(error)).toBe('INTERNAL');
      if (failure.code === 'INTERNAL') expect(failure.incident).toMatch(/^[0-9a-f]{8}$/);
    }
    const ids = new Set(Array.from({ length: 50 }, () => newIncidentId()));
    expect(ids.size).toBe(50);
  });

  it('tells the user the reference in plain words', () => {
    expect(internalMessage('3f9a1c2e')).toMatch(/^Something went wrong \(reference 3f9a1c2e\)\. Nothing was saved/);
  });

  it('logs where, the reference and the stack; never what a thrown non-Error holds', () => {
    const error = new TypeError('boom');
    const line = failureLogLine('home.summary', error, '3f9a1c2e');
    expect(line).toContain('[home.summary] reference 3f9a1c2e TypeError: boom');
    expect(line).toContain('failures.test.ts');
    expect(failureLogLine('x', { password: 'hunter2' })).toBe('[x] failure (a thrown object)');
    expect(failureLogLine('x', 'secret-token')).not.toContain('secret-token');
  });
});
