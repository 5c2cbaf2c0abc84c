import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { isoWithOffset } from '../../shared/dates.js';
import type { SaveTarget } from './files.js';

/**
 * The one place the console writes CSV (csv-stringify): every export goes through writeCsv, so
 * the header row, the dates and the defence against spreadsheet formulas are the same in all.
 */

export type CsvValue = string | number | null;

/** A moment in a CSV file: ISO 8601 with the local offset, as every file the console writes; empty when there is none. */
export const csvDate = (ms: number | null): string => (ms === null ? '' : isoWithOffset(ms));

/**
 * OWASP "CSV Injection": a cell a spreadsheet would read as a formula (=, +, -, @, tab,
 * carriage return at the start) is prefixed with an apostrophe, so that opening an export never
 * runs what someone typed into a name, a reason or a profile.
 */
export function neutralizeFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** A cell as written: null is empty, numbers stay numbers, text is neutralised. */
export function csvCell(value: CsvValue): string | number {
  if (value === null) return '';
  if (typeof value === 'number') return value;
  return neutralizeFormula(value);
}

export interface CsvOptions {
  /** A UTF-8 byte order mark first, so that Excel reads accented names right. */
  bom?: boolean;
}

/** Rows handed over a page at a time; the event loop runs between pages. */
export type CsvPages = AsyncIterable<ReadonlyArray<readonly CsvValue[]>>;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Streams a header row and then the rows to the target's file (0600), with backpressure; returns
 * how many rows were written. On failure the partial file is removed (target.abort) and the
 * error goes on; committing the target is left to the caller.
 */
export async function writeCsv(target: SaveTarget, columns: readonly string[], pages: CsvPages, options: CsvOptions = {}): Promise<number> {
  const csv = stringify({ header: true, columns: [...columns], bom: options.bom ?? false });
  const written = pipeline(csv, createWriteStream(target.path, { mode: 0o600 }));
  let rows = 0;
  try {
    for await (const page of pages) {
      for (const row of page) {
        if (!csv.write(row.map(csvCell))) await once(csv, 'drain');
        rows += 1;
      }
      await yieldToEventLoop();
    }
    csv.end();
    await written;
  } catch (error) {
    csv.destroy();
    // The write stream fails with the same cause once the CSV is destroyed: the first error is the one rethrown.
    await written.catch(() => undefined);
    await target.abort();
    throw error;
  }
  return rows;
}
