import { describe, expect, it } from 'vitest';
import { formatCalendarDate, formatDate, formatDateTime, isoWithOffset } from '../../shared/dates.js';

describe('dates people read', () => {
  const at = Date.UTC(2026, 10, 29, 22, 10); // 22:10 UTC

  it('writes a moment as "Nov 29, 2026, 5:10 PM" in the given zone', () => {
    expect(formatDateTime(at, 'Never', { timeZone: 'America/New_York' })).toBe('Nov 29, 2026, 5:10 PM');
    expect(formatDate(at, '—', { timeZone: 'America/New_York' })).toBe('Nov 29, 2026');
    // The same instant is already the next day in Tokyo.
    expect(formatDate(at, '—', { timeZone: 'Asia/Tokyo' })).toBe('Nov 30, 2026');
  });

  it('says the fallback when there is no moment', () => {
    expect(formatDateTime(null)).toBe('Never');
    expect(formatDate(null)).toBe('—');
  });

  it('shows a date of birth as a date, never shifted by a zone', () => {
    expect(formatCalendarDate('1972-12-01')).toBe('Dec 1, 1972');
    expect(formatCalendarDate('')).toBe('—');
    expect(formatCalendarDate('not a date')).toBe('not a date');
  });

  it('writes files in ISO 8601 with the offset', () => {
    const iso = isoWithOffset(at);
    expect(iso).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2}|Z)$/);
    expect(new Date(iso).getTime()).toBe(at);
  });
});
