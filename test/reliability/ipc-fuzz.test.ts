import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { contract } from '../../shared/ipc/contract.js';
import type { Channel } from '../../shared/ipc/contract.js';
import { ERROR_CODES } from '../../shared/ipc/errors.js';
import { CMS_ORG, Harness, PROVIDER_ORG, tableChecksums } from '../support/console-harness.js';
import type { TestUser } from '../support/console-harness.js';

/**
 * IPC fuzzing: every channel of the contract gets at least SOC_FUZZ_RUNS generated
 * inputs (1,000 in `npm test`, 10,000 in `npm run soak`): wrong types, missing and extra
 * fields, huge strings, deep nesting, own `__proto__` / `constructor` / `prototype` keys (as the
 * browser host's JSON.parse gives them), unicode edge cases, odd numbers, Maps, Sets, Dates,
 * typed arrays, null-prototype objects, boxed values.
 *
 * Every input must be answered with a typed result: `{ ok: true, value }` or
 * `{ ok: false, error: { code, message } }` with a code from shared/ipc/errors.ts and never
 * INTERNAL (a bug) nor a thrown/rejected dispatch. An input the contract's schema refuses must
 * get exactly VALIDATION, and must not write to the database: a sha256 of every table's rows
 * (sorted, so WITHOUT ROWID tables too) is the same before and after all of the channel's invalid
 * inputs. (No per-input counter: the test's own connection cannot count the console's writes, and
 * one that sees every commit also sees the console's background work, such as mail delivery.)
 * Inputs the schema accepts are not dispatched during that pass (they may write, legitimately):
 * they are collected, and dispatched in a second pass after the checksum comparison, once per
 * distinct value the handler would receive (the schema's parsed output: two inputs that parse
 * alike are the same call to the handler). Valid inputs are dispatched as the CMS official, as a
 * State Security Official (the Federal Surveyor ID handlers answer no one else) and as a client
 * with no session; a service's own VALIDATION refusal must not write either (but for a wrong
 * security code, which counts toward the lock).
 *
 * The caller is a signed-in CMS Security Official (the most privileged, so valid inputs reach
 * the handlers), and one input in ten comes from a client with no session. Organization 123
 * has a Provider Security Official and two users with pending requests, so valid-shaped inputs
 * can touch real rows.
 *
 * `npm test` uses a fixed seed; the soak (more runs) a new one each time, so it explores further.
 * Reproduce a run with SOC_FUZZ_SEED=<the printed seed>.
 */

const RUNS = Number(process.env.SOC_FUZZ_RUNS ?? 1000);
const SEED = Number(process.env.SOC_FUZZ_SEED ?? (RUNS > 1000 ? Math.floor(Math.random() * 2 ** 31) : 20260115));
const PROD = 'iQIES Prod';
const CMS_USER = 'fuzz_cms_official';
const ANONYMOUS = 'fuzz-anonymous';
/** A State Security Official: the only caller the Federal Surveyor ID handlers answer. */
const STATE_USER = 'fuzz_state_official';
const KNOWN_CODES = new Set<string>(ERROR_CODES);
const CHANNELS = Object.keys(contract) as Channel[];

// ---------------------------------------------------------------------------------------------
// Hostile values, built once (huge and deep values are picked, never generated at random).

function deepObject(depth: number): unknown {
  let value: unknown = { leaf: 'bottom' };
  for (let i = 0; i < depth; i += 1) value = { a: value, n: i };
  return value;
}

function deepArray(depth: number): unknown {
  let value: unknown = [1];
  for (let i = 0; i < depth; i += 1) value = [value];
  return value;
}

/** Own keys, as JSON.parse makes them (an assignment to `__proto__` would set the prototype instead). */
function withOwnKeys(base: Record<string, unknown>, extra: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  for (const [key, value] of extra) Object.defineProperty(base, key, { value, enumerable: true, configurable: true, writable: true });
  return base;
}

const UNICODE_EDGES = [
  '\uD800',
  '\uDFFF',
  'a\uD800b',
  '\uDC00\uD800',
  '\u0000',
  'abc\u0000def',
  '\u202E123',
  'x\u200Dy',
  '\u200B',
  'e\u0301\u0301\u0301',
  'Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357',
  '👩‍👩‍👧‍👦',
  '🏳️‍🌈',
  'İ',
  'ı',
  'ß',
  '１２３４５６',
  '٠١٢٣٤٥',
  '\uFEFF',
  '\uFEFF123456',
  '123456\u00A0',
  '\u3000123\u3000',
  '\r\n',
  '\u2028\u2029',
  '\uFFFD',
  '\uFFFF',
  '𝟙𝟚𝟛',
] as const;

const HUGE_X = 'x'.repeat(1_000_000);
const HUGE_UNICODE = (() => {
  const piece = UNICODE_EDGES.join('');
  return piece.repeat(Math.ceil(100_000 / piece.length)).slice(0, 100_000);
})();
const HUGE_DIGITS = '1'.repeat(100_000);
const HUGE_SPACES = `${' '.repeat(100_000)}123456${' '.repeat(100_000)}`;
const DEEP_OBJECT = deepObject(5_000);
const DEEP_ARRAY = deepArray(5_000);
const MANY_IDS = Array.from({ length: 10_000 }, (_, i) => i + 1);
const TOO_MANY_IDS = Array.from({ length: 10_001 }, (_, i) => i + 1);
const WIDE_OBJECT = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));

const prototypeObjects = (): unknown[] => [
  JSON.parse('{"__proto__":{"polluted":1}}') as unknown,
  JSON.parse('{"constructor":{"prototype":{"polluted":1}}}') as unknown,
  JSON.parse('{"prototype":{"polluted":1},"__proto__":null}') as unknown,
  JSON.parse('{"a":{"__proto__":{"polluted":1}}}') as unknown,
  withOwnKeys({}, [['__proto__', { polluted: 1 }]]),
  withOwnKeys({}, [['constructor', { prototype: { polluted: 1 } }]]),
  withOwnKeys(Object.create(null) as Record<string, unknown>, [['__proto__', []]]),
  [JSON.parse('{"__proto__":{"polluted":1}}') as unknown],
];

/** Values a seeded console knows, so that valid-shaped inputs reach real rows. */
function knownValues(pendingIds: number[]): unknown[] {
  return [
    '123456',
    '000000',
    '999999',
    '123',
    '456',
    'CMS',
    'FL',
    'alice',
    'bob',
    'so123',
    'surveyor1',
    PROD,
    'iQIES Preview',
    'Assessment Coordinator',
    'Provider Security Official',
    'CMS Security Official',
    'Surveyor',
    '2026-01-15',
    '1980-01-01',
    '2026-02-30',
    'alice@example.org',
    'so@example.org',
    'smtp.example.org',
    'fuzzArchiveToken0001',
    'A1B2',
    'FL1001',
    'backup-2026-01-15.sqlite',
    ...pendingIds,
    pendingIds,
    [pendingIds[0]],
    [1],
    [1, 2, 3],
    [0],
    [-1],
    MANY_IDS,
    TOO_MANY_IDS,
    1,
    2,
    100,
    500,
    501,
    25,
    587,
    65535,
    65536,
    Date.UTC(2026, 0, 1),
    Date.UTC(2026, 0, 15),
    8.64e15,
    8.64e15 + 1,
    true,
    false,
  ];
}

const WRONG_TYPES: unknown[] = [
  undefined,
  null,
  0,
  -1,
  0.5,
  '',
  ' ',
  '   \t\n',
  'true',
  'null',
  'undefined',
  '{}',
  '[]',
  [],
  {},
  [null],
  [undefined],
  [{}],
  [[]],
  Object.create(null) as unknown,
  new Date(0),
  new Date(Number.NaN),
  new Map([['a', 1]]),
  new Set([1]),
  new Uint8Array([1, 2, 3]),
  new ArrayBuffer(8),
  Object(1) as unknown,
  Object('123456') as unknown,
  Object(true) as unknown,
  10n,
  /regex/,
];

const ODD_NUMBERS: unknown[] = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  Number.MIN_SAFE_INTEGER,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.EPSILON,
  -123,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53,
  1.5,
];

const BIG_OR_DEEP: unknown[] = [HUGE_X, HUGE_UNICODE, HUGE_DIGITS, HUGE_SPACES, DEEP_OBJECT, DEEP_ARRAY, WIDE_OBJECT, [HUGE_X], { a: HUGE_UNICODE }];

// ---------------------------------------------------------------------------------------------
// Generators.

const anythingArb = fc.anything({
  maxDepth: 4,
  maxKeys: 6,
  key: fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'then', '')),
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  withUnicodeString: true,
});

const textArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'grapheme-composite' }),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom(...UNICODE_EDGES), maxLength: 8 }),
  fc.stringMatching(/^\d{6}$/),
  fc.stringMatching(/^[A-Za-z0-9_-]{16,64}$/),
  fc.string({ unit: fc.constantFrom(...'0123456789 '), minLength: 1, maxLength: 8 }),
);

const numberArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.integer({ min: -3, max: 10 }),
  fc.double(),
  fc.maxSafeInteger(),
  fc.constantFrom(...ODD_NUMBERS),
);

const extraKeyArb = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'then', '', ' ', 'userId', 'code', 'ok', 'polluted'),
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 6 }),
);

/** The hostile pool: every field draws from it, besides its own schema-specific hints. */
function poolArb(known: unknown[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...known), weight: 6 },
    { arbitrary: fc.constantFrom(...WRONG_TYPES), weight: 3 },
    { arbitrary: fc.constantFrom(...UNICODE_EDGES), weight: 2 },
    { arbitrary: fc.constantFrom(...BIG_OR_DEEP), weight: 1 },
    { arbitrary: fc.constantFrom(...prototypeObjects()), weight: 1 },
    { arbitrary: numberArb, weight: 2 },
    { arbitrary: textArb, weight: 3 },
    { arbitrary: anythingArb, weight: 1 },
  );
}

/** Peels optional, default, nullable and readonly wrappers off a field schema. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let i = 0; i < 10; i += 1) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable || current instanceof z.ZodDefault || current instanceof z.ZodReadonly) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.ZodType;
    } else {
      break;
    }
  }
  return current;
}

function objectShape(schema: z.ZodType): Record<string, z.ZodType> | null {
  const inner = unwrap(schema);
  return inner instanceof z.ZodObject ? (inner.shape as Record<string, z.ZodType>) : null;
}

/** Values a field's own schema suggests: its enum options and literals, nested objects, arrays of them. */
function fieldArb(schema: z.ZodType, pool: fc.Arbitrary<unknown>, depth: number): fc.Arbitrary<unknown> {
  const inner = unwrap(schema);
  const hints: Array<fc.Arbitrary<unknown>> = [];
  if (inner instanceof z.ZodEnum) hints.push(fc.constantFrom(...(inner.options as unknown[])));
  if (inner instanceof z.ZodLiteral) hints.push(fc.constantFrom(...(Array.from(inner.values) as unknown[])));
  if (inner instanceof z.ZodBoolean) hints.push(fc.boolean());
  if (inner instanceof z.ZodObject && depth < 3) hints.push(shapedArb(inner.shape as Record<string, z.ZodType>, pool, depth + 1));
  if (inner instanceof z.ZodArray) hints.push(fc.array(fieldArb(inner.element as z.ZodType, pool, depth + 1), { maxLength: 4 }));
  if (hints.length === 0) return pool;
  return fc.oneof({ arbitrary: fc.oneof(...hints), weight: 2 }, { arbitrary: pool, weight: 3 });
}

/** An object with a random subset of the schema's keys (missing fields), sometimes extra keys. */
function shapedArb(shape: Record<string, z.ZodType>, pool: fc.Arbitrary<unknown>, depth = 0): fc.Arbitrary<unknown> {
  const fields = Object.fromEntries(Object.entries(shape).map(([key, field]) => [key, fieldArb(field, pool, depth)]));
  const extras = fc.oneof(
    { arbitrary: fc.constant<Array<[string, unknown]>>([]), weight: 3 },
    { arbitrary: fc.array(fc.tuple(extraKeyArb, pool), { minLength: 1, maxLength: 3 }), weight: 1 },
  );
  return fc.tuple(fc.record(fields, { requiredKeys: [] }), extras, fc.boolean()).map(([record, extra, nullPrototype]) => {
    const base: Record<string, unknown> = nullPrototype ? (Object.create(null) as Record<string, unknown>) : {};
    return withOwnKeys(base, [...Object.entries(record), ...extra]);
  });
}

/** Marks a field left out of a near-valid object. */
const MISSING: unique symbol = Symbol('missing');

/** The regular expression a string schema must match, if any. */
function patternOf(schema: z.ZodString): RegExp | null {
  for (const check of schema._zod.def.checks ?? []) {
    const def = check._zod.def as { check: string; pattern?: unknown };
    if (def.check === 'string_format' && def.pattern instanceof RegExp) return def.pattern;
  }
  return null;
}

/** Values a field's schema would accept, mostly: the way to reach the handlers with near-valid inputs. */
function validishArb(schema: z.ZodType, known: unknown[], pool: fc.Arbitrary<unknown>, depth: number): fc.Arbitrary<unknown> {
  const inner = unwrap(schema);
  const knownStrings = known.filter((v): v is string => typeof v === 'string');
  const knownNumbers = known.filter((v): v is number => typeof v === 'number');
  if (inner instanceof z.ZodEnum) return fc.constantFrom(...(inner.options as unknown[]));
  if (inner instanceof z.ZodLiteral) return fc.constantFrom(...(Array.from(inner.values) as unknown[]));
  if (inner instanceof z.ZodBoolean) return fc.boolean();
  if (inner instanceof z.ZodEmail) return fc.oneof(fc.emailAddress(), fc.constantFrom('alice@example.org', 'so@example.org'));
  if (inner instanceof z.ZodString) {
    const options: Array<fc.Arbitrary<unknown>> = [fc.constantFrom(...knownStrings)];
    const pattern = patternOf(inner);
    if (pattern) {
      try {
        options.push(fc.stringMatching(pattern));
      } catch {
        // A pattern fast-check cannot generate from: the known strings and free text will do.
      }
    } else {
      options.push(fc.string({ minLength: inner.minLength ?? 0, maxLength: Math.max(inner.minLength ?? 0, Math.min(inner.maxLength ?? 20, 20)) }));
    }
    return fc.oneof(...options);
  }
  if (inner instanceof z.ZodNumber) {
    const min = Math.max(inner.minValue ?? -1e6, Number.MIN_SAFE_INTEGER);
    const max = Math.min(inner.maxValue ?? 1e6, Number.MAX_SAFE_INTEGER);
    const ranged = inner.isInt ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) }) : fc.double({ min, max, noNaN: true });
    return fc.oneof(fc.constantFrom(...knownNumbers), ranged, fc.integer({ min: Math.ceil(min), max: Math.ceil(min) + 5 }));
  }
  if (inner instanceof z.ZodArray && depth < 3)
    return fc.array(validishArb(inner.element as z.ZodType, known, pool, depth + 1), { minLength: 1, maxLength: 3 });
  if (inner instanceof z.ZodObject && depth < 3) return nearValidArb(inner.shape as Record<string, z.ZodType>, known, pool, depth + 1);
  return pool;
}

/**
 * An object close to valid: the required fields mostly present with values their schema accepts,
 * now and then one left out or replaced by a hostile value, rarely an extra key.
 */
function nearValidArb(shape: Record<string, z.ZodType>, known: unknown[], pool: fc.Arbitrary<unknown>, depth = 0): fc.Arbitrary<unknown> {
  const fields = Object.fromEntries(
    Object.entries(shape).map(([key, field]) => {
      const optional = field.safeParse(undefined).success;
      const value = fc.oneof(
        { arbitrary: validishArb(field, known, pool, depth), weight: 12 },
        { arbitrary: pool, weight: 1 },
        { arbitrary: fc.constant(MISSING), weight: optional ? 6 : 1 },
      );
      return [key, value];
    }),
  );
  const extras = fc.oneof(
    { arbitrary: fc.constant<Array<[string, unknown]>>([]), weight: 9 },
    { arbitrary: fc.array(fc.tuple(extraKeyArb, pool), { minLength: 1, maxLength: 2 }), weight: 1 },
  );
  return fc.tuple(fc.record(fields), extras).map(([record, extra]) => withOwnKeys({}, [...Object.entries(record).filter(([, v]) => v !== MISSING), ...extra]));
}

/** Shape-aware objects carrying own prototype keys, as JSON.parse would hand them over. */
function prototypeKeyedArb(shape: Record<string, z.ZodType>, pool: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc
    .tuple(
      shapedArb(shape, pool),
      fc.subarray(['__proto__', 'constructor', 'prototype'], { minLength: 1 }),
      fc.constantFrom<unknown>({ polluted: 1 }, { prototype: { polluted: 1 } }, null, [], 'polluted', 1),
    )
    .map(([object, keys, value]) =>
      withOwnKeys(
        object as Record<string, unknown>,
        keys.map((k) => [k, value] as const),
      ),
    );
}

function inputArb(channel: Channel, known: unknown[]): fc.Arbitrary<unknown> {
  const pool = poolArb(known);
  const shape = objectShape(contract[channel].input as z.ZodType) ?? {};
  const hasKeys = Object.keys(shape).length > 0;
  return fc.oneof(
    { arbitrary: anythingArb, weight: 2 },
    { arbitrary: shapedArb(shape, pool), weight: hasKeys ? 3 : 1 },
    ...(hasKeys ? [{ arbitrary: nearValidArb(shape, known, pool), weight: 4 }] : []),
    { arbitrary: prototypeKeyedArb(shape, pool), weight: 1 },
    { arbitrary: fc.constantFrom(...prototypeObjects()), weight: 1 },
    { arbitrary: fc.oneof(pool, fc.array(pool, { maxLength: 4 })), weight: 1 },
  );
}

// ---------------------------------------------------------------------------------------------
// Checks.

/** A short, stack-safe description of an input for failure messages (inputs may be 5,000 deep or 1 MB). */
function describeValue(value: unknown, depth = 0): string {
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 60)}… (${value.length} chars)` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (value === null || typeof value !== 'object') return String(value);
  if (depth > 4) return '…';
  if (value instanceof Date) return `Date(${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()})`;
  if (value instanceof Map) return `Map(${value.size})`;
  if (value instanceof Set) return `Set(${value.size})`;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `${value.constructor.name}(${value.byteLength})`;
  if (Array.isArray(value)) {
    const items = value.slice(0, 5).map((v: unknown) => describeValue(v, depth + 1));
    return `[${items.join(', ')}${value.length > 5 ? `, … (${value.length} items)` : ''}]`;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  const keys = Reflect.ownKeys(value).filter((k): k is string => typeof k === 'string');
  const shown = keys.slice(0, 8).map((k) => `${JSON.stringify(k)}: ${describeValue((value as Record<string, unknown>)[k], depth + 1)}`);
  const prefix =
    proto === null ? '[null prototype] ' : proto === Object.prototype ? '' : `[${String((proto as { constructor?: { name?: string } }).constructor?.name)}] `;
  return `${prefix}{${shown.join(', ')}${keys.length > 8 ? `, … (${keys.length} keys)` : ''}}`;
}

/** What is wrong with a dispatch result, or null when it is a typed answer. */
function problemWith(result: unknown, mustBeValidation: boolean): string | null {
  if (result === null || typeof result !== 'object') return `not an object: ${describeValue(result)}`;
  const r = result as { ok?: unknown; value?: unknown; error?: unknown };
  if (typeof r.ok !== 'boolean') return `no boolean ok: ${describeValue(result)}`;
  if (r.ok) return mustBeValidation ? `invalid input was answered ok: ${describeValue(r.value)}` : 'value' in r ? null : 'ok without a value';
  const error = r.error as { code?: unknown; message?: unknown } | undefined;
  if (!error || typeof error !== 'object') return `ok:false without an error: ${describeValue(result)}`;
  if (typeof error.code !== 'string' || !KNOWN_CODES.has(error.code)) return `unknown error code ${describeValue(error.code)}`;
  if (error.code === 'INTERNAL') return `INTERNAL (a bug in main): ${describeValue(error.message)}`;
  if (typeof error.message !== 'string' || error.message.length === 0) return `error ${error.code} without a message`;
  if (mustBeValidation && error.code !== 'VALIDATION') return `invalid input got ${error.code} (${error.message}), not VALIDATION`;
  return null;
}

function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => before.get(name) !== after.get(name)).sort();
}

/** The parsed input, as a stable string: what the handler would receive, to deduplicate valid inputs. */
function stableKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableKey).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableKey((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return typeof value === 'number' && Object.is(value, -0) ? '-0' : String(JSON.stringify(value));
}

function prototypesClean(): boolean {
  const probe = {} as Record<string, unknown>;
  const arrayProbe = [] as unknown as Record<string, unknown>;
  return probe.polluted === undefined && arrayProbe.polluted === undefined && Object.getPrototypeOf(probe) === Object.prototype;
}

// ---------------------------------------------------------------------------------------------

interface ChannelStats {
  channel: Channel;
  inputs: number;
  invalid: number;
  valid: number;
  distinctValid: number;
  dispatchedValid: number;
  validOutcomes: Map<string, number>;
  ms: number;
}

describe(`IPC fuzzing: every channel, ${RUNS} generated inputs each`, () => {
  let h: Harness;
  let users: Record<string, TestUser>;
  let fuzzClient = 'fuzz-cms';
  let signIns = 0;
  let known: unknown[] = [];
  let stateClient = 'fuzz-state';
  const stats: ChannelStats[] = [];
  const processFailures: string[] = [];
  const onRejection = (reason: unknown): void => {
    processFailures.push(`unhandledRejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : describeValue(reason)}`);
  };
  const onException = (error: Error): void => {
    processFailures.push(`uncaughtException: ${error.stack ?? error.message}`);
  };
  const started = Date.now();

  /** Makes sure the fuzz callers have active sessions (a valid input may have signed one out or locked it). */
  async function ensureSession(): Promise<void> {
    fuzzClient = await activeClient(fuzzClient, CMS_USER);
    stateClient = await activeClient(stateClient, STATE_USER);
  }

  async function activeClient(clientId: string, userId: string): Promise<string> {
    const status = await h.app.dispatch({ clientId }, 'session.status', {});
    if (status.ok && (status.value as { state: string }).state === 'active') return clientId;
    signIns += 1;
    const fresh = `fuzz-${userId}-${signIns}`;
    h.nextStep();
    const user = users[userId];
    if (!user) throw new Error(`no ${userId} seeded`);
    await h.signIn(fresh, user);
    return fresh;
  }

  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
    h = await Harness.create();
    users = await h.seed({
      organizations: [CMS_ORG, PROVIDER_ORG, { displayId: 'FL', name: 'Florida', kind: 'state' }],
      users: [
        { userId: CMS_USER, organization: 'CMS', roles: [[PROD, 'CMS Security Official']] },
        { userId: 'so123', organization: '123', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'alice', organization: '123' },
        { userId: 'bob', organization: '123' },
        { userId: STATE_USER, organization: 'FL', roles: [[PROD, 'State Security Official']] },
        { userId: 'surveyor1', organization: 'FL', roles: [[PROD, 'Surveyor']] },
      ],
    });
    for (const id of ['so123', 'alice', 'bob']) {
      const user = users[id];
      if (!user) throw new Error(`no test user ${id}`);
      h.nextStep();
      await h.signIn(id, user);
    }
    const ordinary = await h.call('alice', 'access.request', { program: PROD, organization: '123', role: 'Assessment Coordinator', justification: 'fuzz' });
    const official = await h.call('bob', 'access.request', { program: PROD, organization: '123', role: 'Provider Security Official', justification: 'fuzz' });
    known = knownValues([ordinary.requestId, official.requestId]);
    fuzzClient = await activeClient('fuzz-cms', CMS_USER);
    stateClient = await activeClient('fuzz-state', STATE_USER);
    console.log(`ipc-fuzz: seed ${SEED} (SOC_FUZZ_SEED), ${RUNS} runs per channel (SOC_FUZZ_RUNS), ${CHANNELS.length} channels`);
  }, 60_000);

  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
    await h.dispose();
  });

  CHANNELS.forEach((channel, index) => {
    it(
      `${channel}: every generated input gets a typed answer; invalid ones get VALIDATION and write nothing`,
      async () => {
        const t0 = Date.now();
        const schema = contract[channel].input as z.ZodType;
        const validInputs = new Map<string, unknown>();
        const s: ChannelStats = { channel, inputs: 0, invalid: 0, valid: 0, distinctValid: 0, dispatchedValid: 0, validOutcomes: new Map(), ms: 0 };

        // Pass 1: dispatch every invalid input; set the valid ones aside.
        const before = await tableChecksums(h);
        await fc.assert(
          fc.asyncProperty(inputArb(channel, known), fc.integer({ min: 0, max: 9 }), async (input, pick) => {
            s.inputs += 1;
            let parsed: { success: boolean; data?: unknown };
            try {
              parsed = schema.safeParse(input ?? {});
            } catch (error) {
              throw new Error(`the schema itself threw on ${describeValue(input)}: ${String(error)}`, { cause: error });
            }
            if (parsed.success) {
              s.valid += 1;
              const key = stableKey(parsed.data);
              if (!validInputs.has(key)) validInputs.set(key, input);
              return;
            }
            s.invalid += 1;
            const clientId = pick === 0 ? ANONYMOUS : fuzzClient;
            let result: unknown;
            try {
              result = await h.app.dispatch({ clientId }, channel, input);
            } catch (error) {
              throw new Error(
                `dispatch threw (a crash) on ${describeValue(input)}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
                { cause: error },
              );
            }
            const problem = problemWith(result, true);
            if (problem) throw new Error(`${channel} as ${clientId}, input ${describeValue(input)}: ${problem}`);
            if (!prototypesClean()) throw new Error(`${channel}: input ${describeValue(input)} polluted Object.prototype`);
          }),
          {
            numRuns: RUNS,
            seed: SEED + index,
            endOnFailure: true,
            reporter: (details) => {
              if (!details.failed) return;
              const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
              throw new Error(
                `ipc-fuzz ${channel} failed after ${details.numRuns} runs (SOC_FUZZ_SEED=${SEED}; fast-check seed ${details.seed}, path ${details.counterexamplePath ?? '-'}): ${cause}`,
              );
            },
          },
        );
        const after = await tableChecksums(h);
        expect(changedTables(before, after), `tables written during ${channel}'s ${s.invalid} invalid inputs`).toEqual([]);

        // Pass 2: the distinct valid inputs (by what the handler receives), as the CMS official.
        s.distinctValid = validInputs.size;
        const problems: string[] = [];
        for (const input of validInputs.values()) {
          await ensureSession();
          // A public channel answers every caller alike: the state official adds nothing there but password hashing.
          for (const clientId of contract[channel].access === 'public' ? [fuzzClient, ANONYMOUS] : [fuzzClient, stateClient, ANONYMOUS]) {
            let result: unknown;
            try {
              result = await h.app.dispatch({ clientId }, channel, input);
            } catch (error) {
              problems.push(
                `dispatch threw (a crash) as ${clientId} on ${describeValue(input)}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
              );
              continue;
            }
            const problem = problemWith(result, false);
            if (problem) problems.push(`as ${clientId}, input ${describeValue(input)}: ${problem}`);
            if (clientId !== ANONYMOUS) {
              const r = result as { ok: boolean; error?: { code: string } };
              const outcome = r.ok ? 'ok' : (r.error?.code ?? '?');
              s.validOutcomes.set(outcome, (s.validOutcomes.get(outcome) ?? 0) + 1);
            }
          }
          s.dispatchedValid += 1;
        }
        expect(prototypesClean(), 'Object.prototype polluted').toBe(true);
        s.ms = Date.now() - t0;
        stats.push(s);
        const outcomes = [...s.validOutcomes].map(([code, n]) => `${code} ${n}`).join(', ');
        console.log(
          `ipc-fuzz ${channel}: ${s.inputs} inputs (${s.invalid} refused as VALIDATION, ${s.valid} valid: ${s.distinctValid} distinct, ` +
            `${s.dispatchedValid} dispatched${outcomes ? ` -> ${outcomes}` : ''}) in ${s.ms} ms`,
        );
        expect(problems, `${channel}: valid inputs not answered with a typed result`).toEqual([]);
        expect(s.inputs).toBeGreaterThanOrEqual(RUNS);
      },
      Math.max(60_000, RUNS * 100),
    );
  });

  it('left Object.prototype clean, no unhandled rejection or uncaught exception, and fuzzed every channel', () => {
    expect(prototypesClean()).toBe(true);
    expect(processFailures).toEqual([]);
    expect(stats.map((s) => s.channel).sort()).toEqual([...CHANNELS].sort());
    const min = Math.min(...stats.map((s) => s.inputs));
    const total = stats.reduce((n, s) => n + s.inputs, 0);
    const invalid = stats.reduce((n, s) => n + s.invalid, 0);
    const slowest = [...stats]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 5)
      .map((s) => `${s.channel} ${s.ms} ms`)
      .join(', ');
    console.log(
      `ipc-fuzz: ${stats.length} channels, ${total} inputs (min ${min} per channel, ${invalid} invalid), ${signIns} re-sign-ins, ` +
        `seed ${SEED}, ${((Date.now() - started) / 1000).toFixed(1)} s; slowest: ${slowest}`,
    );
    expect(min).toBeGreaterThanOrEqual(RUNS);
  });
});
