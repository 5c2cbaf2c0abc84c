/**
 * One page of a list that is the union of several keyset-ordered index ranges (an official's
 * organizations, or the parts of a name search after a cursor). Each range is read with
 * LIMIT n + 1 in the same order, and the ranges are merged: the first n distinct rows of the
 * union are always among the first n + 1 of each range, so every range stays an index seek
 * whatever its size, instead of one query that sorts the union.
 */
export interface RangeQuery<R> {
  read(limit: number): Promise<R[]>;
}

export async function mergeRanges<R>(
  ranges: ReadonlyArray<RangeQuery<R>>,
  limit: number,
  compare: (a: R, b: R) => number,
  keyOf: (row: R) => number,
): Promise<{ rows: R[]; more: boolean }> {
  // Read side by side: PostgreSQL runs them on several connections; SQLite runs them one by one.
  const lists = await Promise.all(ranges.map((range) => range.read(limit + 1)));
  // A range that filled its limit has rows after the page: the union does too.
  let more = lists.some((list) => list.length > limit);
  const merged = lists.length === 1 ? (lists[0] ?? []) : lists.flat().sort(compare);
  const seen = new Set<number>();
  const rows: R[] = [];
  for (const row of merged) {
    const key = keyOf(row);
    if (seen.has(key)) continue;
    seen.add(key);
    if (rows.length === limit) {
      more = true;
      break;
    }
    rows.push(row);
  }
  return { rows, more };
}
