import { formatISO } from 'date-fns';

/**
 * The one way the console writes a moment for people and for files.
 *
 * People read dates in the official's own time zone, in one format on every screen and report:
 * "Nov 29, 2026, 5:10 PM", or "Nov 29, 2026" for a date alone. Files (CSV, JSON) carry ISO 8601
 * with the offset, so a spreadsheet in another time zone still knows the instant.
 *
 * The zone is the machine's unless one is given: the desktop and the browser host format in the
 * official's zone; a server formatting for someone else passes theirs.
 */
export interface DateOptions {
  /** An IANA zone such as "America/New_York"; the machine's zone when absent. */
  timeZone?: string;
}

const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(kind: 'dateTime' | 'date' | 'time', timeZone: string | undefined): Intl.DateTimeFormat {
  const key = `${kind}|${timeZone ?? ''}`;
  let f = cache.get(key);
  if (!f) {
    const base: Intl.DateTimeFormatOptions =
      kind === 'date'
        ? { month: 'short', day: 'numeric', year: 'numeric' }
        : kind === 'time'
          ? { hour: 'numeric', minute: '2-digit' }
          : { month: 'short', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit' };
    // en-US on purpose: the job aids and CMS write dates this way, whatever the machine's locale.
    f = new Intl.DateTimeFormat('en-US', { ...base, ...(timeZone ? { timeZone } : {}) });
    cache.set(key, f);
  }
  return f;
}

// Newer ICU data puts a narrow no-break space before AM/PM; one plain space reads and copies alike everywhere.
const plain = (text: string) => text.replace(/[\u202f\u00a0]/g, ' ');

/** "Nov 29, 2026, 5:10 PM"; the fallback when there is no moment. */
export function formatDateTime(epochMs: number | null, fallback = 'Never', options: DateOptions = {}): string {
  return epochMs === null ? fallback : plain(formatter('dateTime', options.timeZone).format(new Date(epochMs)));
}

/** "Nov 29, 2026"; the fallback when there is no moment. */
export function formatDate(epochMs: number | null, fallback = '—', options: DateOptions = {}): string {
  return epochMs === null ? fallback : formatter('date', options.timeZone).format(new Date(epochMs));
}

/** "5:10 PM". */
export function formatTime(epochMs: number, options: DateOptions = {}): string {
  return plain(formatter('time', options.timeZone).format(new Date(epochMs)));
}

/**
 * A calendar date kept as text (yyyy-mm-dd, such as a date of birth) as "Dec 1, 1972". It names a
 * day, not an instant, so it is never moved by a time zone. Text that is not such a date is shown
 * as it is.
 */
export function formatCalendarDate(day: string | null, fallback = '—'): string {
  if (day === null || day === '') return fallback;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return day;
  const [, y, m, d] = match;
  const utc = Date.UTC(Number(y), Number(m) - 1, Number(d));
  if (Number.isNaN(utc)) return day;
  return formatter('date', 'UTC').format(new Date(utc));
}

/** ISO 8601 with the local offset, for files: "2026-11-29T17:10:00-05:00". */
export function isoWithOffset(epochMs: number): string {
  return formatISO(new Date(epochMs));
}
