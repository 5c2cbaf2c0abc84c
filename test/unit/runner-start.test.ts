import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from '../support/console-harness.js';
import { ON_POSTGRES } from '../support/test-engine.js';

/**
 * Start-up through the runner as the transports do it: the console answers as soon as it has
 * opened; SQLite's quick_check of the embedded file runs after that, in a worker, and a console
 * on PostgreSQL has no file to check (its server keeps the database whole).
 */
describe('start-up through the runner', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.create();
  });
  afterEach(() => h.dispose());

  it('opens, answers, and checks the embedded file in the background (no file check on PostgreSQL)', async () => {
    const lines: string[] = [];
    const runner = await h.startRunner((line) => lines.push(line));
    expect((await h.call('c', 'app.status', {})).recovery).toBeNull();
    const check = await runner.fileChecked();
    expect(runner.current).not.toBeNull();
    expect(lines).toContainEqual(expect.stringMatching(/^Start-up: open \(schema version, keys, audit chain tail\): \d+ ms$/));
    if (ON_POSTGRES) {
      expect(check).toEqual({ quickCheckMs: null, problem: null });
      expect(lines.filter((l) => l.startsWith('quick_check'))).toEqual([]);
    } else {
      expect(check.problem).toBeNull();
      expect(lines).toContainEqual(expect.stringMatching(/^quick_check \(background\): \d+ ms, ok$/));
    }
  });
});
