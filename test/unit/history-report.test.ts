import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chartTicks } from '../../main/services/exports.js';
import { formatDateTime } from '../../shared/dates.js';
import type { FileDelivery } from '../../shared/ipc/contract.js';
import { Harness, PROVIDER_ORG } from '../support/console-harness.js';
import { sideSql } from '../support/side-db.js';

const PROD = 'iQIES Prod';
const DAY = 86_400_000;

const savedPath = (delivery: FileDelivery | null): string => {
  if (delivery?.kind !== 'saved') throw new Error(`expected a saved file, got ${JSON.stringify(delivery)}`);
  return delivery.path;
};

/** The PDF's text, page by page (poppler's pdftotext, as a reader's copy-paste would see it). */
function pdfPages(path: string): string[] {
  const run = spawnSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
  if (run.error) throw new Error(`pdftotext is needed to read the report (poppler-utils): ${run.error.message}`);
  expect(run.status).toBe(0);
  return run.stdout.split('\f').filter((page) => page.trim() !== '');
}

describe('the printable Request History report', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.create();
    const u = await h.seed({
      organizations: [PROVIDER_ORG],
      users: [
        { userId: 'so1', organization: '123', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'alice.w', organization: '123' },
        { userId: 'bob.k', organization: '123' },
      ],
    });
    for (const id of Object.keys(u)) {
      await h.signIn(id, u[id]!);
      h.nextStep();
    }
  });
  afterEach(async () => {
    await h.dispose();
  });

  it('lists every decision of the period (Decided, Name, User ID, Role, Organization, Decision, Decided by), the header repeated on each page', async () => {
    const approved = (await h.call('alice.w', 'access.request', { program: PROD, organization: '123', role: 'Assessment Coordinator' })).requestId;
    await h.call('so1', 'queue.approve', { requestIds: [approved] });
    const rejected = (await h.call('bob.k', 'access.request', { program: PROD, organization: '123', role: 'Provider Basic User' })).requestId;
    await h.call('so1', 'queue.reject', { requestIds: [rejected], reason: 'Not on our staff' });
    // Enough earlier decisions, over five weeks, to run the table onto further pages.
    for (let i = 1; i <= 120; i += 1) {
      await sideSql(h.app).run(
        `INSERT INTO role_requests (requester_id, program_id, organization_id, role_id, status, requested_at, decided_at, decided_by, reason)
         SELECT requester_id, program_id, organization_id, role_id, status, requested_at - CAST(? AS BIGINT), decided_at - CAST(? AS BIGINT), decided_by, reason FROM role_requests WHERE id = ?`,
        [i * 7 * 3_600_000, i * 7 * 3_600_000, i % 3 === 0 ? rejected : approved],
      );
    }
    const decidedAt = h.clock.now();

    const report = await h.call('so1', 'history.exportPdf', { from: decidedAt - 40 * DAY, to: decidedAt + DAY });
    expect(report.rows).toBe(122);
    const path = savedPath(report.delivery);
    // To look at the pages: SOC_KEEP_REPORT=/tmp/report.pdf, then pdftoppm -png -r 60 /tmp/report.pdf /tmp/p
    if (process.env.SOC_KEEP_REPORT) copyFileSync(path, process.env.SOC_KEEP_REPORT);
    const pages = pdfPages(path);
    expect(pages.length).toBeGreaterThan(2);

    const all = pages.join('\n');
    expect(all).toContain('Newest first; 122 decisions.');
    // The newest two, with the requester's User ID, the decision in words and who decided.
    const line = (text: string) => all.split('\n').find((l) => l.includes(text)) ?? '';
    const newest = all.split('\n').filter((l) => l.includes(formatDateTime(decidedAt).split(',')[0]!) && l.includes('so1@example.org'));
    expect(newest.length).toBeGreaterThanOrEqual(2);
    expect(all).toMatch(/alice\.w/);
    expect(all).toMatch(/bob\.k/);
    expect(line('bob.k')).toMatch(/Rejected/);
    expect(line('alice.w')).toMatch(/Approved/);
    expect(all).toContain('Sunrise');
    // 122 rows: 81 approved, 41 rejected (every third copy was of the rejection).
    expect(all.match(/\bApproved\b/g)!.length).toBeGreaterThanOrEqual(81);
    expect(all.match(/\bRejected\b/g)!.length).toBeGreaterThanOrEqual(41);

    // Every page after the first that carries rows repeats the header.
    const tablePages = pages.filter((p) => /Decided by/.test(p));
    expect(tablePages.length).toBe(pages.length - (/Decided by/.test(pages[0]!) ? 0 : 1));
    for (const p of tablePages) expect(p).toMatch(/Decided\s+Name\s+User ID\s+Role\s+Organization\s+Decision\s+Decided by/);
    expect(all.match(/Decisions \(continued\)/g)?.length).toBe(tablePages.length - 1);
    pages.forEach((p, i) => expect(p).toContain(`Page ${i + 1} of ${pages.length}`));
  });

  it('the weekly chart counts in whole numbers: its ticks are integers from 0, the top at or above the busiest week', () => {
    expect(chartTicks(0)).toEqual([0, 1]);
    expect(chartTicks(1)).toEqual([0, 1]);
    expect(chartTicks(3)).toEqual([0, 1, 2, 3]);
    expect(chartTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(chartTicks(123)).toEqual([0, 50, 100, 150]);
    for (let max = 0; max <= 5000; max += 1) {
      const ticks = chartTicks(max);
      expect(ticks.every(Number.isInteger), `ticks for ${max}`).toBe(true);
      expect(ticks[0]).toBe(0);
      expect(ticks[ticks.length - 1]!).toBeGreaterThanOrEqual(max);
      expect(ticks.length).toBeLessThanOrEqual(6);
      expect(new Set(ticks).size).toBe(ticks.length);
    }
  });
});
