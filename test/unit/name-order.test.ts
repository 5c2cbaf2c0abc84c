import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compareNames } from '../../main/store/users-admin-store.js';

// User Lookup merges index ranges in JavaScript and pages them by keyset in SQL, so the two
// orders must be one: SQLite's NOCASE, which folds A-Z only and then compares UTF-8 bytes.
const db = new Database(':memory:');
afterAll(() => db.close());
const sqliteOrder = db
  .prepare<[string, string, string, string]>('SELECT CASE WHEN ? = ? COLLATE NOCASE THEN 0 WHEN ? < ? COLLATE NOCASE THEN -1 ELSE 1 END AS c')
  .pluck();

const key = (lastName: string) => ({ lastName, firstName: '', id: 1 });
const order = (a: string, b: string) => Math.sign(compareNames(key(a), key(b)));

describe('name order', () => {
  // Letters either side of the folded range, accents, characters at the top of the first plane
  // and above it (two UTF-16 units each), so that every way the orders could part is tried.
  const unit = fc.constantFrom('A', 'Z', 'a', 'z', '@', '[', '_', '`', '{', 'é', 'É', 'Ć', 'ß', '\uE000', '\uFFFD', '\uFFFF', '😀', '𝔘', '\u{10FFFF}');
  const name = fc.oneof(fc.string({ unit, maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 6 }));

  it("is SQLite's NOCASE order for any two names", () => {
    fc.assert(
      fc.property(name, name, (a, b) => {
        expect(order(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(sqliteOrder.get(a, b, a, b));
      }),
      { numRuns: 5000 },
    );
  });

  it('ties by first name, then by id', () => {
    expect(compareNames({ lastName: 'smith', firstName: 'Bob', id: 1 }, { lastName: 'SMITH', firstName: 'alice', id: 2 })).toBeGreaterThan(0);
    expect(compareNames({ lastName: 'Smith', firstName: 'Ann', id: 3 }, { lastName: 'smith', firstName: 'ANN', id: 2 })).toBeGreaterThan(0);
    expect(compareNames({ lastName: 'Smith', firstName: 'Ann', id: 2 }, { lastName: 'Smith', firstName: 'Ann', id: 2 })).toBe(0);
  });
});
