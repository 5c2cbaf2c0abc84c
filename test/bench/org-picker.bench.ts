import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { AdjustableClock } from '../../main/clock.js';
import { createConsole, dataKeyFileName } from '../../main/app.js';
import { KeyFileProvider } from '../../main/services/key-file.js';
import { searchOrganizations } from '../../main/store/organization-search.js';
import { SqliteDatabase } from '../../main/store/sqlite-database.js';
import { accountNamed, call, copyDatabase, signIn } from './bench-console.js';
import type { Official } from './bench-console.js';
import { fmtInt, fmtMs, parseFlags, printTable, sample } from './bench-support.js';
import type { Sampled } from './bench-support.js';
import { accountsPathFor } from './scale-data.js';
import type { AccountsFile, BenchAccount } from './scale-data.js';
import { sideDb } from '../support/side-db.js';

/**
 * npm run bench:picker -- --db PATH
 *
 * The organization picker at scale, on a throw-away copy of a database made by
 * `npm run bench:data`: the bytes a CMS official's User Lookup options call ships with every
 * organization in it (as before the picker) and without (now), and organizations.search through
 * dispatch beside the same store query called directly on a second connection.
 */
const USAGE = `Usage: npm run bench:picker -- --db PATH [--runs N] [--warmup N]
  --db PATH     a database made by npm run bench:data (PATH.accounts.json beside it)
  --runs N      measured runs per figure (default 300), after --warmup N (default 30)`;

const flags = parseFlags(process.argv.slice(2), { db: 'string', runs: 'number', warmup: 'number' }, USAGE);
if (!flags.db) {
  console.error(`--db PATH is required\n${USAGE}`);
  process.exit(2);
}
const source = resolve(flags.db);
const runs = Math.max(1, Math.floor(flags.runs ?? 300));
const warmup = Math.floor(flags.warmup ?? 30);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  const accountsFile = JSON.parse(readFileSync(accountsPathFor(source), 'utf8')) as AccountsFile;
  const dataDir = copyDatabase(source);
  console.log(`Organization picker benchmark on ${source} (copy in ${dataDir}); ${runs} runs per figure after ${warmup} warm-up runs.`);
  console.log(`Load average at start: ${load()} (${cpus().length} CPUs)`);
  const clock = new AdjustableClock();
  const app = await createConsole({ dataDir, clock, keyProvider: new KeyFileProvider(join(dataDir, dataKeyFileName(false))), auditCheck: 'manual' });
  try {
    const refresh = sideDb(app).prepare("UPDATE users SET last_sign_in_at = ?, status = 'active', failed_attempts = 0, locked_until = NULL WHERE user_id = ?");
    for (const a of accountsFile.accounts) refresh.run(clock.now() - 86_400_000, a.userId);
    const byId = (userId: string): BenchAccount => accountNamed(accountsFile, userId);
    const cms = await signIn(app, clock, byId('cms.official'));
    const provider = await signIn(app, clock, byId('provider.so'));
    const organizationCount = (sideDb(app).prepare('SELECT count(*) AS n FROM organizations').get() as { n: number }).n;

    // ---- bytes: each options call as it was (every organization) and as it is ----
    const everyOrganization = sideDb(app).prepare('SELECT display_id AS "displayId", name, kind FROM organizations ORDER BY name').all();
    const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
    const optionRows: string[][] = [];
    for (const channel of ['lookup.options', 'history.options', 'access.options'] as const) {
      const options = await call(app, cms.clientId, channel, {});
      optionRows.push([`${channel} with every organization (before)`, fmtInt(bytes({ ...options, organizations: everyOrganization }))]);
      optionRows.push([`${channel} now`, fmtInt(bytes(options))]);
    }
    const firstPage = bytes(await call(app, cms.clientId, 'organizations.search', { query: '' }));
    console.log(`\nOrganizations: ${fmtInt(organizationCount)}. Load average: ${load()}`);
    printTable([['What a CMS official receives', 'bytes'], ...optionRows, ['organizations.search, first page of 20 (when a field opens)', fmtInt(firstPage)]]);

    // ---- latency: through dispatch, and the store query on a second connection ----
    const raw = new SqliteDatabase(sideDb(app));
    const someProvider = sideDb(app)
      .prepare("SELECT display_id AS d, name FROM organizations WHERE kind = 'provider' ORDER BY id LIMIT 1 OFFSET 2500")
      .get() as {
      d: string;
      name: string;
    };
    const word = (someProvider.name.split(' ').pop() ?? 'Hospice').slice(0, 4).toLowerCase();
    const cases: Array<{ label: string; who: Official; query: string }> = [
      { label: 'empty (the field opens)', who: cms, query: '' },
      { label: `a common word prefix "${word}"`, who: cms, query: word },
      { label: `display ID prefix "${someProvider.d.slice(0, 4)}"`, who: cms, query: someProvider.d.slice(0, 4) },
      { label: `exact display ID "${someProvider.d}"`, who: cms, query: someProvider.d },
      { label: 'no match "zzq" (every organization read)', who: cms, query: 'zzq' },
      { label: `provider SO, "${word}"`, who: provider, query: word },
    ];
    const figures: Array<{ label: string; rows: number; service: Sampled; raw: Sampled; load: string }> = [];
    for (const c of cases) {
      let rows = 0;
      const service = await sample(runs, warmup, async () => {
        rows = (await call(app, c.who.clientId, 'organizations.search', { query: c.query })).organizations.length;
      });
      const scope = c.who.isCms ? ('all' as const) : c.who.orgIds;
      const rawSample = await sample(runs, warmup, () => searchOrganizations(raw, { scope, query: c.query, limit: 21, after: null }));
      figures.push({ label: `${c.who.isCms ? 'CMS' : 'provider'}: ${c.label}`, rows, service, raw: rawSample, load: load() });
    }
    console.log(
      '\norganizations.search (ms; service = dispatch: validation, session, official, store on the database thread; raw = the store query on a second connection)',
    );
    printTable([
      ['Query', 'rows', 'svc p50', 'svc p95', 'raw p50', 'raw p95', 'load avg'],
      ...figures.map((f) => [f.label, String(f.rows), fmtMs(f.service.p50), fmtMs(f.service.p95), fmtMs(f.raw.p50), fmtMs(f.raw.p95), f.load]),
    ]);
    const plan = sideDb(app)
      .prepare(
        `EXPLAIN QUERY PLAN SELECT id, display_id, name, kind FROM organizations WHERE (lower(display_id) LIKE ? ESCAPE '\\' OR (' ' || lower(replace(name, '-', ' '))) LIKE ? ESCAPE '\\') ORDER BY name, display_id LIMIT 21`,
      )
      .all('nurs%', '% nurs%') as Array<{ detail: string }>;
    console.log(`\nSQLite plan of the name-ordered matches: ${plan.map((p) => p.detail).join(' / ')}`);
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
