import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

/**
 * Small helpers the benchmarks share: a seeded random source, timing, percentiles, a probe for
 * the longest main-thread block, and a plain-text table. Benchmarks print figures; they are not
 * timed tests and never run under `npm test`.
 */

/** mulberry32: a fast, seeded, deterministic random source (the same data on every machine). */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
}

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export interface Sampled {
  p50: number;
  p95: number;
  max: number;
  n: number;
}

/** Runs fn `warmup` times unmeasured, then `runs` times, and returns the percentiles in ms. */
export async function sample(runs: number, warmup: number, fn: () => unknown): Promise<Sampled> {
  for (let i = 0; i < warmup; i += 1) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95), max: Math.max(...times), n: runs };
}

export async function timed<T>(fn: () => T | Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/**
 * Measures the longest stretch the main thread was busy while `fn` ran: a 1 ms interval timer
 * notes the gap between its ticks (a gap of 30 ms means something held the thread ~29 ms), and
 * Node's event-loop delay histogram at 1 ms resolution says the same another way.
 */
export async function withBlockProbe<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; longestBlockMs: number; loopDelayMaxMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  // Let the probe tick once, so the measured stretch starts from a quiet loop.
  await new Promise((resolve) => setTimeout(resolve, 5));
  histogram.enable();
  last = performance.now();
  longest = 0;
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  // The stretch since the last tick counts too (fn may end with a long synchronous part).
  longest = Math.max(longest, performance.now() - last);
  clearInterval(timer);
  histogram.disable();
  return { value, ms, longestBlockMs: longest, loopDelayMaxMs: histogram.max / 1e6 };
}

/** Parses `--name value` / `--name=value` / `--flag` arguments; unknown names are an error. */
export function parseFlags<S extends Record<string, 'string' | 'number' | 'boolean'>>(
  argv: readonly string[],
  spec: S,
  usage: string,
): { [K in keyof S]?: S[K] extends 'number' ? number : S[K] extends 'boolean' ? boolean : string } {
  const out: Record<string, string | number | boolean> = {};
  const fail = (message: string): never => {
    console.error(`${message}\n${usage}`);
    process.exit(2);
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    }
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    if (!match) fail(`Unexpected argument: ${arg}`);
    const name = match?.[1] as string;
    const kind = spec[name];
    if (kind === undefined) fail(`Unknown option --${name}`);
    if (kind === 'boolean') {
      out[name] = match?.[2] === undefined ? true : match[2] !== 'false';
      continue;
    }
    const raw = match?.[2] ?? argv[++i];
    if (raw === undefined) fail(`--${name} needs a value`);
    if (kind === 'number') {
      const value = Number(String(raw).replace(/[_,]/g, ''));
      if (!Number.isFinite(value) || value < 0) fail(`--${name} must be a non-negative number`);
      out[name] = value;
    } else {
      out[name] = raw as string;
    }
  }
  return out as never;
}

export const fmtMs = (ms: number): string => (Number.isNaN(ms) ? '-' : ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));
export const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Prints rows as an aligned plain-text table (first row is the header). */
export function printTable(rows: ReadonlyArray<readonly string[]>): void {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const line = (row: readonly string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  rows.forEach((row, i) => {
    console.log(line(row));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  });
}
