// Every screen writes dates the one way the console does (shared/dates.ts), in the official's zone.
export { formatCalendarDate, formatDate, formatDateTime, formatTime } from '../../shared/dates.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How long ago, in words: "just now", "5 minutes ago", "3 hours ago", "3 days ago". */
export function formatAge(epochMs: number, now: number = Date.now()): string {
  const elapsed = Math.max(0, now - epochMs);
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'} ago`;
  if (elapsed < MINUTE) return 'just now';
  if (elapsed < HOUR) return plural(Math.floor(elapsed / MINUTE), 'minute');
  if (elapsed < DAY) return plural(Math.floor(elapsed / HOUR), 'hour');
  return plural(Math.floor(elapsed / DAY), 'day');
}

/** "1 request", "3 requests". */
export function countOf(n: number, singular: string, pluralWord = `${singular}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? singular : pluralWord}`;
}

/** A base32 key in groups of four, the way authenticator apps print it. */
export function groupKey(secret: string): string {
  return secret.replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ');
}

/** A date input's value (yyyy-mm-dd) as the first millisecond of that day, local time. */
export function dayStart(day: string): number {
  const [y = 1970, m = 1, d = 1] = day.split('-').map(Number);
  return new Date(y, m - 1, d, 0, 0, 0, 0).getTime();
}

/** A date input's value (yyyy-mm-dd) as the last millisecond of that day, local time. */
export function dayEnd(day: string): number {
  const [y = 1970, m = 1, d = 1] = day.split('-').map(Number);
  return new Date(y, m - 1, d, 23, 59, 59, 999).getTime();
}

/** Epoch ms as a date input's value (yyyy-mm-dd), local time. */
export function dayValue(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
