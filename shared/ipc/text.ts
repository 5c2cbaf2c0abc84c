import { z } from 'zod';

/**
 * Which characters a typed field may hold.
 * - name: a person's name. Officials compare names by eye, so nothing invisible at all, not
 *   even the joiners some scripts use (a name with one inside looks the same as one without).
 * - line: one line of free text (a label, an issuer, a search). Zero width joiner and
 *   non-joiner stay: emoji sequences and Persian or Indic spelling need them, and they
 *   neither reorder nor hide text.
 * - multiline: free text a textarea gives (a justification, a reason, comments): as `line`,
 *   plus tab and line feed; carriage returns become line feeds.
 */
export type TextKind = 'name' | 'line' | 'multiline';

/**
 * Refused in every kind, found with one native scan (inputs can be a megabyte long):
 * - Cc: NUL and the C0/C1 controls, which end strings in C code, move terminals and forge log lines;
 * - Cf: invisible format characters, among them the bidirectional controls (U+202A-U+202E,
 *   U+2066-U+2069, U+200E/U+200F, U+061C) that make "txt.exe" read as "exe.txt", zero width
 *   space, soft hyphen, the byte order mark and the tag characters that smuggle hidden text;
 * - Cs: an unpaired surrogate, which is no character at all (SQLite would store U+FFFD);
 * - Zl, Zp: line and paragraph separators, line breaks that only some readers honour;
 * - blank letters that render as nothing: the combining grapheme joiner and Hangul fillers.
 */
const REFUSED = '[\\p{Cc}\\p{Cf}\\p{Cs}\\p{Zl}\\p{Zp}\\u034F\\u115F\\u1160\\u3164\\uFFA0]';
const PATTERNS: Record<TextKind, RegExp> = {
  name: new RegExp(REFUSED, 'u'),
  line: new RegExp(`(?![\\u200C\\u200D])${REFUSED}`, 'u'),
  multiline: new RegExp(`(?![\\t\\n\\u200C\\u200D])${REFUSED}`, 'u'),
};

const NAMES: Readonly<Record<number, string>> = {
  0x0000: 'null',
  0x0009: 'tab',
  0x000a: 'line feed',
  0x000d: 'carriage return',
  0x001b: 'escape',
  0x007f: 'delete',
  0x00ad: 'soft hyphen',
  0x034f: 'combining grapheme joiner',
  0x061c: 'Arabic letter mark',
  0x115f: 'Hangul filler',
  0x1160: 'Hangul filler',
  0x180e: 'Mongolian vowel separator',
  0x200b: 'zero width space',
  0x200c: 'zero width non-joiner',
  0x200d: 'zero width joiner',
  0x200e: 'left-to-right mark',
  0x200f: 'right-to-left mark',
  0x2028: 'line separator',
  0x2029: 'paragraph separator',
  0x202a: 'left-to-right embedding',
  0x202b: 'right-to-left embedding',
  0x202c: 'pop directional formatting',
  0x202d: 'left-to-right override',
  0x202e: 'right-to-left override',
  0x2060: 'word joiner',
  0x2066: 'left-to-right isolate',
  0x2067: 'right-to-left isolate',
  0x2068: 'first strong isolate',
  0x2069: 'pop directional isolate',
  0x3164: 'Hangul filler',
  0xfeff: 'zero width no-break space',
  0xffa0: 'Hangul filler',
};

export interface RefusedCharacter {
  /** "U+202E" */
  codePoint: string;
  /** "right-to-left override" */
  name: string;
}

/** The first character of `value` that a field of this kind refuses, or null. */
export function refusedCharacter(value: string, kind: TextKind): RefusedCharacter | null {
  const match = PATTERNS[kind].exec(value);
  if (!match) return null;
  const cp = match[0].codePointAt(0) ?? 0;
  return { codePoint: `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`, name: NAMES[cp] ?? describe(match[0], cp) };
}

function describe(char: string, cp: number): string {
  if (/\p{Cc}/u.test(char)) return 'control character';
  if (/\p{Cs}/u.test(char)) return 'unpaired surrogate';
  if (cp >= 0xe0000 && cp <= 0xe007f) return 'tag character';
  return 'invisible formatting character';
}

/** "First Name contains a character that is not allowed (U+202E, right-to-left override)." */
export function refusedCharacterMessage(label: string, found: RefusedCharacter): string {
  return `${label} contains a character that is not allowed (${found.codePoint}, ${found.name}).`;
}

/**
 * A typed text field: trimmed, NFC-normalized (so "Jose\u0301" is stored, compared and found
 * as "José"), and refusing the characters its kind does not allow, with a message that names
 * the field. Chain length and pattern checks after it: they then count the normalized text.
 */
export function safeText(label: string, kind: TextKind = 'line') {
  const base = kind === 'multiline' ? z.string().overwrite((value) => value.replace(/\r\n?/g, '\n')) : z.string();
  return base
    .normalize('NFC')
    .trim()
    .superRefine((value, ctx) => {
      const found = refusedCharacter(value, kind);
      if (found) ctx.addIssue({ code: 'custom', message: refusedCharacterMessage(label, found) });
    });
}

/** A required typed field of at most `max` characters. */
export function requiredSafeText(label: string, max: number, kind: TextKind = 'line') {
  return safeText(label, kind).min(1, `${label} is required`).max(max, `${label} is at most ${max} characters`);
}

/** An optional typed field (empty allowed) of at most `max` characters. */
export function optionalSafeText(label: string, max: number, kind: TextKind = 'line') {
  return safeText(label, kind).max(max, `${label} is at most ${max} characters`);
}
