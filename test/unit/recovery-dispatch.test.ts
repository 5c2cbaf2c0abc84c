import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BackupInfo } from '../../shared/ipc/contract.js';
import type { ConsoleRunner } from '../../main/runner.js';
import { Harness } from '../support/console-harness.js';
import { ON_POSTGRES } from '../support/test-engine.js';

/**
 * A console whose start-up check failed answers only its recovery screen, through the same
 * router as every other call: the recovery choices' input is validated by the contract, and bad
 * input is refused with VALIDATION and changes nothing.
 */
// The recovery screen restores the embedded file's backups; a console on PostgreSQL has none.
describe.skipIf(ON_POSTGRES)('the recovery screen through the one router', () => {
  let h: Harness;
  let runner: ConsoleRunner;
  let good: BackupInfo;

  beforeEach(async () => {
    h = await Harness.create();
    good = await h.app.services.backups.backupNow(null);
    await (await h.startRunner()).close();
    // Not a database any more, as after a failing disk or a stray copy over it.
    writeFileSync(join(h.dir, 'console.sqlite'), Buffer.alloc(64 * 1024, 0xa5));
    runner = await h.startRunner();
    expect(runner.inRecovery).not.toBeNull();
  });
  afterEach(() => h.dispose());

  it('refuses malformed recovery choices with VALIDATION, and stays on the recovery screen', async () => {
    const bad: Array<[string, unknown]> = [
      ['recovery.restore', {}],
      ['recovery.restore', { name: 42 }],
      ['recovery.restore', { name: '' }],
      ['recovery.restore', { name: 'x'.repeat(81) }],
      ['recovery.restore', { name: good.name, extra: true }],
      ['recovery.restore', 'not an object'],
      ['recovery.restore', [good.name]],
      ['recovery.openReadOnly', { readOnly: true }],
      ['recovery.openReadOnly', 'yes'],
      ['app.status', { extra: 1 }],
      ['session.status', { clientId: 'someone-else' }],
    ];
    for (const [channel, input] of bad) {
      expect(await h.refusal('c', channel as 'recovery.restore', input), `${channel} ${JSON.stringify(input)}`).toMatchObject({ code: 'VALIDATION' });
    }
    expect(await h.refusal('c', 'recovery.restore', {})).toMatchObject({ field: 'name' });
    // Nothing was restored or opened: the same problem, the same backups.
    expect(runner.inRecovery).not.toBeNull();
    expect(runner.current).toBeNull();
    const status = await h.call('c', 'app.status', {});
    expect(status.recovery?.backups.map((b) => b.name)).toEqual([good.name]);
    expect(status.readOnly).toBe(false);
  });

  it('refuses every other channel with RECOVERY before reading its input, and an unknown one with NOT_FOUND', async () => {
    expect(await h.refusal('c', 'auth.signIn', 'garbage')).toMatchObject({ code: 'RECOVERY', message: expect.stringMatching(/start-up check failed/) });
    expect(await h.refusal('c', 'backup.restore', { name: good.name, code: '123456' })).toMatchObject({ code: 'RECOVERY' });
    expect(await runner.dispatch({ clientId: 'c' }, 'no.such.channel', {})).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('still answers well-formed choices: an unknown backup is NOT_FOUND, a good one restores', async () => {
    expect(await h.refusal('c', 'recovery.restore', { name: 'console-19990101-000000.sqlite' })).toMatchObject({ code: 'NOT_FOUND', field: 'name' });
    expect((await h.call('c', 'recovery.restore', { name: good.name })).name).toBe(good.name);
    expect(runner.inRecovery).toBeNull();
    expect((await h.call('c', 'app.status', {})).recovery).toBeNull();
  });
});
