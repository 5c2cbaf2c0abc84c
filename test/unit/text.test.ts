import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { optionalSafeText, refusedCharacter, requiredSafeText, safeText } from '../../shared/ipc/text.js';
import type { TextKind } from '../../shared/ipc/text.js';
import { CMS_ORG, Harness, PROVIDER_ORG, tableChecksums } from '../support/console-harness.js';
import type { TestUser } from '../support/console-harness.js';
import { sideSql } from '../support/side-db.js';

const PROD = 'iQIES Prod';

/** The first issue's message, as the router would send it, or the parsed value. */
function parse(schema: ReturnType<typeof safeText>, value: unknown): { ok: true; value: string } | { ok: false; message: string } {
  const result = schema.safeParse(value);
  return result.success ? { ok: true, value: result.data } : { ok: false, message: result.error.issues[0]?.message ?? '' };
}

describe('typed text: normalized, without control or invisible characters', () => {
  it('refuses a right-to-left override with a message that names the field and the character', () => {
    expect(parse(requiredSafeText('First Name', 64, 'name'), 'Jo\u202Ehn')).toEqual({
      ok: false,
      message: 'First Name contains a character that is not allowed (U+202E, right-to-left override).',
    });
  });

  it.each([
    ['\u0000', 'U+0000, null'],
    ['\u0007', 'U+0007, control character'],
    ['\u001B', 'U+001B, escape'],
    ['\u007F', 'U+007F, delete'],
    ['\u0085', 'U+0085, control character'],
    ['\u009B', 'U+009B, control character'],
    ['\u202A', 'U+202A, left-to-right embedding'],
    ['\u202B', 'U+202B, right-to-left embedding'],
    ['\u202C', 'U+202C, pop directional formatting'],
    ['\u202D', 'U+202D, left-to-right override'],
    ['\u2066', 'U+2066, left-to-right isolate'],
    ['\u2067', 'U+2067, right-to-left isolate'],
    ['\u2068', 'U+2068, first strong isolate'],
    ['\u2069', 'U+2069, pop directional isolate'],
    ['\u200E', 'U+200E, left-to-right mark'],
    ['\u200F', 'U+200F, right-to-left mark'],
    ['\u061C', 'U+061C, Arabic letter mark'],
    ['\u200B', 'U+200B, zero width space'],
    ['\u2060', 'U+2060, word joiner'],
    ['\u00AD', 'U+00AD, soft hyphen'],
    ['\uFEFF', 'U+FEFF, zero width no-break space'],
    ['\u2028', 'U+2028, line separator'],
    ['\u3164', 'U+3164, Hangul filler'],
    ['\uD800', 'U+D800, unpaired surrogate'],
    ['\u{E0041}', 'U+E0041, tag character'],
    ['\r', 'U+000D, carriage return'],
    ['\n', 'U+000A, line feed'],
    ['\t', 'U+0009, tab'],
  ])('a single line refuses %j inside the text (%s)', (char, described) => {
    expect(parse(optionalSafeText('Issuer', 80), `State${char}of Ohio`)).toEqual({
      ok: false,
      message: `Issuer contains a character that is not allowed (${described}).`,
    });
  });

  it('stores a decomposed name composed (NFC), and counts its length after composing', () => {
    expect(parse(requiredSafeText('First Name', 64, 'name'), 'Jose\u0301')).toEqual({ ok: true, value: 'Jos\u00E9' });
    expect(parse(requiredSafeText('First Name', 64, 'name'), '  Zoe\u0308  ')).toEqual({ ok: true, value: 'Zo\u00EB' });
    // 128 UTF-16 units as typed, 64 letters once composed.
    expect(parse(requiredSafeText('Last Name', 64, 'name'), 'e\u0301'.repeat(64))).toEqual({ ok: true, value: '\u00E9'.repeat(64) });
    expect(parse(requiredSafeText('Last Name', 64, 'name'), 'e\u0301'.repeat(65))).toEqual({ ok: false, message: 'Last Name is at most 64 characters' });
  });

  it('accepts names and text in any script, right-to-left letters included', () => {
    for (const name of ['José', "O'Brien", 'Nguyễn', 'Łukasz', 'Ševčík', '李小龙', 'محمد', 'דוד', 'Ἀλέξανδρος', 'Zoë-Anne Smith']) {
      expect(parse(requiredSafeText('First Name', 64, 'name'), name)).toEqual({ ok: true, value: name.normalize('NFC') });
    }
  });

  it('lets free text keep emoji joiners, but a name refuses every invisible character', () => {
    const family = '\u{1F469}\u200D\u{1F469}\u200D\u{1F467}';
    expect(parse(optionalSafeText('Credential name', 40), `Work phone ${family}`)).toEqual({ ok: true, value: `Work phone ${family}` });
    expect(parse(requiredSafeText('First Name', 64, 'name'), 'Ro\u200Dbert')).toEqual({
      ok: false,
      message: 'First Name contains a character that is not allowed (U+200D, zero width joiner).',
    });
  });

  it('multi-line text keeps tabs and line breaks (as line feeds), and refuses the rest', () => {
    const comments = optionalSafeText('Comments', 1000, 'multiline');
    expect(parse(comments, 'Line one\r\n\tLine two\rLine three\n')).toEqual({ ok: true, value: 'Line one\n\tLine two\nLine three' });
    expect(parse(comments, 'Line one\n\u202Eowt eniL')).toEqual({
      ok: false,
      message: 'Comments contains a character that is not allowed (U+202E, right-to-left override).',
    });
    expect(parse(comments, 'a\u0000b')).toEqual({ ok: false, message: 'Comments contains a character that is not allowed (U+0000, null).' });
    expect(parse(comments, 'a\u000Bb')).toMatchObject({ ok: false, message: expect.stringContaining('U+000B') });
  });

  it('answers a megabyte of text at once, refused or not', () => {
    const huge = `${'x'.repeat(1_000_000)}\u202E`;
    expect(refusedCharacter(huge, 'line')).toEqual({ codePoint: 'U+202E', name: 'right-to-left override' });
    expect(parse(optionalSafeText('Comments', 1000, 'multiline'), 'x'.repeat(1_000_000))).toEqual({
      ok: false,
      message: 'Comments is at most 1000 characters',
    });
  });

  it('whatever is typed, what it accepts is normalized, trimmed and free of refused characters', () => {
    const kinds: TextKind[] = ['name', 'line', 'multiline'];
    const tricky = fc.constantFrom(
      '\u0000',
      '\u202E',
      '\u2066',
      '\u200B',
      '\u200D',
      '\u0301',
      'e',
      ' ',
      '\n',
      '\r',
      '\t',
      '\uFEFF',
      '\uD800',
      '\u{1F469}',
      '\u0085',
      'A',
    );
    const typed = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: tricky, maxLength: 20 }));
    fc.assert(
      fc.property(typed, fc.constantFrom(...kinds), (value, kind) => {
        const result = parse(safeText('Field', kind), value);
        if (!result.ok) {
          expect(result.message).toMatch(/^Field contains a character that is not allowed \(U\+[0-9A-F]{4,6}, [a-zA-Z -]+\)\.$/);
          return;
        }
        expect(result.value).toBe(result.value.normalize('NFC'));
        expect(result.value).toBe(result.value.trim());
        expect(refusedCharacter(result.value, kind)).toBeNull();
        if (kind !== 'multiline') expect(result.value).not.toMatch(/[\n\r\t]/);
      }),
      { numRuns: 2000, seed: 20260115 },
    );
  });
});

describe('typed text through dispatch: refused before anything is written', () => {
  let h: Harness;
  let u: Record<string, TestUser>;

  beforeEach(async () => {
    h = await Harness.create();
    u = await h.seed({
      organizations: [CMS_ORG, PROVIDER_ORG],
      users: [
        { userId: 'so1', organization: '123', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'alice', organization: '123' },
      ],
    });
    for (const id of ['so1', 'alice']) {
      await h.signIn(id, u[id]!);
      h.nextStep();
    }
  });
  afterEach(() => h.dispose());

  const code = (who: string) => {
    h.nextStep();
    return h.code(u[who]!.secret);
  };
  const newUser = (overrides: Record<string, unknown> = {}) => ({
    userId: 'erin.new',
    firstName: 'Erin',
    lastName: 'Newhire',
    email: 'erin@sunrise.example',
    program: PROD,
    organization: '123',
    role: 'Assessment Coordinator',
    ...overrides,
  });

  /**
   * The call's refusal, and proof that no table changed. (The side connection's total_changes()
   * counts only its own writes, never the console's, so the checksums are the proof.)
   */
  async function refusedWithoutWriting(client: string, channel: Parameters<Harness['refusal']>[1], input: unknown) {
    const before = await tableChecksums(h);
    const error = await h.refusal(client, channel, input);
    expect(await tableChecksums(h)).toEqual(before);
    return error;
  }

  it('creating a user with U+202E or NUL in a name', async () => {
    expect(await refusedWithoutWriting('so1', 'users.create', { ...newUser({ firstName: 'Erin\u202Egnp.exe' }), code: code('so1') })).toEqual({
      code: 'VALIDATION',
      field: 'firstName',
      message: 'First Name contains a character that is not allowed (U+202E, right-to-left override).',
    });
    expect(await refusedWithoutWriting('so1', 'users.create', { ...newUser({ lastName: 'New\u0000hire' }), code: code('so1') })).toEqual({
      code: 'VALIDATION',
      field: 'lastName',
      message: 'Last Name contains a character that is not allowed (U+0000, null).',
    });
  });

  it('filing a request with U+202E or NUL in the justification', async () => {
    for (const [justification, described] of [
      ['I review \u202Eseirots', 'U+202E, right-to-left override'],
      ['Needed\u0000for audits', 'U+0000, null'],
    ] as const) {
      expect(
        await refusedWithoutWriting('alice', 'access.request', { program: PROD, organization: '123', role: 'Assessment Coordinator', justification }),
      ).toEqual({
        code: 'VALIDATION',
        field: 'justification',
        message: `Justification contains a character that is not allowed (${described}).`,
      });
    }
  });

  it('rejecting with U+202E or NUL in the reason', async () => {
    const { requestId } = await h.call('alice', 'access.request', {
      program: PROD,
      organization: '123',
      role: 'Assessment Coordinator',
      justification: 'New hire\nstarts Monday',
    });
    for (const [reason, described] of [
      ['Not on staff \u202Edevorppa', 'U+202E, right-to-left override'],
      ['Not\u0000on staff', 'U+0000, null'],
    ] as const) {
      expect(await refusedWithoutWriting('so1', 'queue.reject', { requestIds: [requestId], reason })).toEqual({
        code: 'VALIDATION',
        field: 'reason',
        message: `Rejection Reason contains a character that is not allowed (${described}).`,
      });
    }
    const stored = await sideSql(h.app).get('SELECT status, justification FROM role_requests WHERE id = ?', [requestId]);
    expect(stored).toEqual({ status: 'pending', justification: 'New hire\nstarts Monday' });
  });

  it('stores a decomposed name composed, and a decomposed search finds it', async () => {
    await h.call('so1', 'users.create', { ...newUser({ firstName: 'Jose\u0301', lastName: 'Nu\u0301n\u0303ez' }), code: code('so1') });
    const row = await sideSql(h.app).get("SELECT first_name, last_name FROM users WHERE user_id = 'erin.new'");
    expect(row).toEqual({ first_name: 'Jos\u00E9', last_name: 'N\u00FA\u00F1ez' });
    const found = await h.call('so1', 'lookup.search', { program: PROD, organization: '123', query: 'Nu\u0301n\u0303' });
    expect(found.rows.map((r) => r.userId)).toEqual(['erin.new']);
  });
});
