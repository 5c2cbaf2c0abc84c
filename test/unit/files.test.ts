import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderFileTransfer, safeFileName } from '../../main/services/files.js';

describe('files the console writes and opens (no transport)', () => {
  it('suggests only safe names', () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('Users (All) 2026-11-23.csv')).toBe('Users-All-2026-11-23.csv');
    expect(safeFileName('...')).toBe('export');
  });

  it('shows a file only once it is complete, never overwrites one, and removes an aborted one', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'soc-files-'));
    const files = new FolderFileTransfer(folder);
    const first = await files.save('c', 'users.csv');
    writeFileSync(first.path, 'a');
    expect(existsSync(join(folder, 'users.csv'))).toBe(false);
    expect(await first.commit()).toEqual({ kind: 'saved', path: join(folder, 'users.csv'), fileName: 'users.csv' });
    const second = await files.save('c', 'users.csv');
    writeFileSync(second.path, 'b');
    expect((await second.commit()).fileName).toBe('users (2).csv');
    const failed = await files.save('c', 'users.csv');
    writeFileSync(failed.path, 'half');
    await failed.abort();
    expect(readdirSync(folder).sort()).toEqual(['users (2).csv', 'users.csv']);
  });

  it('opens only files inside its folder', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'soc-files-'));
    writeFileSync(join(folder, 'a.socarchive'), 'x');
    const files = new FolderFileTransfer(folder);
    const request = { filterName: 'Archive', extensions: ['socarchive'] };
    expect(await files.open('c', { ...request, uploadToken: 'a.socarchive' })).toBe(join(folder, 'a.socarchive'));
    expect(await files.open('c', { ...request, uploadToken: '../x' })).toBeNull();
    expect(await files.open('c', request)).toBeNull();
  });
});
