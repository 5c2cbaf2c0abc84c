import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsole, dataKeyFileName } from '../../main/app.js';
import { KeyFileProvider } from '../../main/services/key-file.js';
import { postgresUrl, postgresUrlHasPassword } from '../../main/store/postgres/pg-store.js';
import { startCluster, type PgCluster } from '../support/pg-cluster.js';

/** What a console on PostgreSQL refuses at start, each with a sentence an operator can act on. */
describe('a console on PostgreSQL refuses', () => {
  let cluster: PgCluster;
  const dirs: string[] = [];
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const open = (database: string, demo = false, dir = mkdtempSync(join(tmpdir(), 'soc-pg-refusal-'))) => {
    dirs.push(dir);
    return createConsole({ dataDir: dir, database, demo, auditCheck: 'manual', keyProvider: new KeyFileProvider(join(dir, dataKeyFileName(demo))) });
  };

  it('a second console on a database another console holds', async () => {
    const url = await cluster.createDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'soc-pg-refusal-'));
    const first = await open(url, false, dir);
    try {
      await expect(open(url)).rejects.toMatchObject({ name: 'ConsoleInUseError', message: expect.stringContaining('already using this PostgreSQL database') });
    } finally {
      await first.close();
    }
    // Once the first one has closed, the database is free again.
    await (await open(url, false, dir)).close();
  });

  it('a database the demo filled, for a real console', async () => {
    const url = await cluster.createDatabase();
    await (await open(url, true)).close();
    await expect(open(url)).rejects.toMatchObject({ name: 'DemoDatabaseError' });
  });

  it('a database whose character type is not C', async () => {
    const admin = new pg.Client({ host: cluster.socketDir, user: cluster.user, database: 'postgres' });
    await admin.connect();
    try {
      await admin.query("CREATE DATABASE not_c TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'");
    } finally {
      await admin.end();
    }
    await expect(open(`postgres://${cluster.user}@/not_c?host=${encodeURIComponent(cluster.socketDir)}`)).rejects.toThrow(
      /C character type.*createdb --encoding=UTF8 --locale=C/,
    );
  });

  it('a URL that is not PostgreSQL, names no database, or carries a password (checked before connecting)', () => {
    expect(() => postgresUrl('http://x/y')).toThrow(/must be a PostgreSQL URL/);
    expect(() => postgresUrl('postgres://x@/')).toThrow(/must name the database/);
    expect(postgresUrlHasPassword('postgres://bob:secret@db.example.org/soc')).toBe(true);
    expect(postgresUrlHasPassword('postgres://bob@/soc?host=/run/postgresql')).toBe(false);
  });
});
