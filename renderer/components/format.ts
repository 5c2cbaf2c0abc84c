const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Epoch milliseconds as a local date and time, or the fallback when there is none. */
export function formatDateTime(epochMs: number | null, fallback = 'Never'): string {
  return epochMs === null ? fallback : dateTime.format(new Date(epochMs));
}

/** A base32 key in groups of four, the way authenticator apps print it. */
export function groupKey(secret: string): string {
  return secret.replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ');
}
