import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csvCell, csvDate, neutralizeFormula, writeCsv } from '../../main/services/csv-writer.js';
import type { CsvValue } from '../../main/services/csv-writer.js';
import type { SaveTarget } from '../../main/services/files.js';
import { isoWithOffset } from '../../shared/dates.js';

let dir: string;
let aborted: boolean;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'soc-csv-'));
  aborted = false;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function target(): SaveTarget {
  const path = join(dir, 'out.csv');
  return {
    path,
    commit: () => Promise.resolve({ kind: 'saved', path, fileName: 'out.csv' }),
    abort: () => {
      aborted = true;
      rmSync(path, { force: true });
      return Promise.resolve();
    },
  };
}

async function* pagesOf(...pages: CsvValue[][][]) {
  for (const page of pages) yield page;
}

describe('the CSV writer every export uses', () => {
  it('writes a header row, then the rows, as csv-stringify quotes them; numbers stay numbers and null is empty', async () => {
    const t = target();
    const rows = await writeCsv(t, ['ID', 'Name', 'Reason'], pagesOf([[1, 'Smith', null]], [[2, "O'Neil, Ann", 'Not on\nour "staff"']]));
    expect(rows).toBe(2);
    expect(readFileSync(t.path, 'utf8')).toBe('ID,Name,Reason\n1,Smith,\n2,"O\'Neil, Ann","Not on\nour ""staff"""\n');
  });

  it('puts a byte order mark first only when asked', async () => {
    const t = target();
    await writeCsv(t, ['A'], pagesOf([['x']]), { bom: true });
    expect([...readFileSync(t.path).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const plain = target();
    await writeCsv(plain, ['A'], pagesOf([['x']]));
    expect(readFileSync(plain.path, 'utf8')).toBe('A\nx\n');
  });

  it('neutralises every cell a spreadsheet would run as a formula, and only those', async () => {
    const dangerous = ['=1+1', '+1', '-1', '@SUM(A1)', '\t=x', '\r=x', '=HYPERLINK("http://x","y")'];
    const harmless = ['Smith', "'=already quoted", ' =spaced', 'a=b', 'x-1', ''];
    for (const v of dangerous) expect(neutralizeFormula(v)).toBe(`'${v}`);
    for (const v of harmless) expect(neutralizeFormula(v)).toBe(v);
    // Numbers are not text a person typed: a negative count stays a number.
    expect(csvCell(-1)).toBe(-1);
    expect(csvCell(null)).toBe('');

    const t = target();
    await writeCsv(t, ['Value'], pagesOf([...dangerous, ...harmless].map((v) => [v])));
    const read = (parse(readFileSync(t.path, 'utf8'), { columns: true, relax_column_count: true }) as Array<{ Value: string }>).map((r) => r.Value);
    expect(read).toEqual([...dangerous.map((v) => `'${v}`), ...harmless]);
  });

  it('writes dates as ISO 8601 with the offset, through shared/dates.ts', () => {
    const at = Date.UTC(2026, 10, 29, 22, 10);
    expect(csvDate(at)).toBe(isoWithOffset(at));
    expect(csvDate(null)).toBe('');
  });

  it('removes the partial file and passes the error on when the rows fail', async () => {
    const t = target();
    writeFileSync(t.path, '');
    async function* failing() {
      yield [['first'] as CsvValue[]];
      throw new Error('read failed');
    }
    await expect(writeCsv(t, ['A'], failing())).rejects.toThrow('read failed');
    expect(aborted).toBe(true);
    expect(existsSync(t.path)).toBe(false);
  });
});
