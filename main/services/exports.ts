import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import PDFDocument from 'pdfkit';
import type { Clock } from '../clock.js';
import type { ChannelOutput, ChannelParsedInput } from '../../shared/ipc/contract.js';
import { AppError } from '../../shared/ipc/errors.js';
import { isoWithOffset } from '../../shared/dates.js';
import { REQUEST_STATUS_LABELS } from '../../shared/labels.js';
import type { HistoryRecord } from '../store/history-store.js';
import type { Store } from '../store/types.js';
import type { AuditService } from './audit.js';
import { toAuditRow } from './audit.js';
import type { FileTransfer, SaveTarget } from './files.js';
import type { HistoryService } from './history.js';
import type { ReviewScopes, ReviewSource } from './review.js';
import type { Session } from './sessions.js';

/** Rows read per statement while exporting; the event loop runs between reads. */
const EXPORT_PAGE = 1_000;
const WEEK_MS = 7 * 86_400_000;
const DAY_MS = 86_400_000;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
const iso = (ms: number | null) => (ms === null ? '' : isoWithOffset(ms));
/** The local calendar day, for file names. */
const dayOf = (ms: number) => isoWithOffset(ms).slice(0, 10);

/**
 * A cell a spreadsheet would read as a formula (=, +, -, @, tab, carriage return at the start)
 * is prefixed with an apostrophe: a requester's name must never run as a formula in the
 * official's spreadsheet (OWASP, CSV injection).
 */
export function csvCell(value: string | number | null): string | number {
  if (value === null) return '';
  if (typeof value === 'number') return value;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * Exports of the current History or Audit view to CSV (csv-stringify, streamed to the file page
 * by page), and the printable PDF report of Request History (pdfkit): organization, period,
 * totals per action and a small chart of decisions per week. Files go out through the
 * FileTransfer (a save dialog in Electron, a one-time download in the browser host).
 */
export class ExportService {
  constructor(
    private readonly store: Store,
    private readonly scopes: ReviewScopes,
    private readonly history: HistoryService,
    private readonly audit: AuditService,
    private readonly files: FileTransfer,
    private readonly clock: Clock,
  ) {}

  async historyCsv(session: Session, input: ChannelParsedInput<'history.exportCsv'>): Promise<ChannelOutput<'history.exportCsv'>> {
    const source = await this.scopes.source(session, input.archiveId);
    const { filter, search } = await this.history.filterOf(source, input);
    const target = await this.files.save(session.clientId, `Request-history-${dayOf(this.clock.now())}.csv`);
    if (!target) return { delivery: null, rows: 0 };
    const columns = ['Request ID', 'Requested', 'Completed', 'Last Name', 'First Name', 'Organization ID', 'Organization', 'Program', 'Role', 'Action', 'Decided by', 'Rejection Reason'];
    const toCells = (r: HistoryRecord) => [
      r.id,
      iso(r.requestedAt),
      iso(r.decidedAt),
      r.lastName,
      r.firstName,
      r.organization.displayId,
      r.organization.name,
      r.program,
      r.role,
      REQUEST_STATUS_LABELS[r.status],
      r.decidedByEmail,
      r.reason,
    ];
    const history = this.history;
    const rows = await writeCsv(target, columns, async function* () {
      if (search.kind === 'requestId') {
        const record = await history.searchedDecision(source, search.requestId, filter);
        if (record) yield [toCells(record)];
        return;
      }
      let after = null as Parameters<typeof source.history.page>[2];
      for (;;) {
        const page = await source.history.page(source.historyScope, filter, after, EXPORT_PAGE);
        yield page.rows.map(toCells);
        const last = page.rows[page.rows.length - 1];
        if (!page.more || !last) return;
        after = filter.name
          ? { sort: 'name', lastName: last.lastName, firstName: last.firstName, decidedAt: last.decidedAt, id: last.id }
          : { sort: 'decided', decidedAt: last.decidedAt, id: last.id };
      }
    });
    const delivery = await target.commit();
    await this.audited(session, source, 'history.exported', { rows, search: input.search, from: input.from ?? null, to: input.to ?? null, organization: input.organization ?? null });
    return { delivery, rows };
  }

  async auditCsv(session: Session, input: ChannelParsedInput<'audit.exportCsv'>): Promise<ChannelOutput<'audit.exportCsv'>> {
    const source = await this.scopes.source(session, input.archiveId);
    const filter = await this.audit.filterOf(source, input);
    const target = await this.files.save(session.clientId, `Audit-trail-${dayOf(this.clock.now())}.csv`);
    if (!target) return { delivery: null, rows: 0 };
    const columns = ['Event', 'Time', 'Action', 'Actor', 'Subject', 'Organization ID', 'Organization', 'Request ID', 'Details'];
    const rows = await writeCsv(target, columns, async function* () {
      if (filter === null) return;
      let before: number | null = null;
      for (;;) {
        const page = await source.audit.page(source.auditScope, filter, before, EXPORT_PAGE);
        yield page.rows.map(toAuditRow).map((r) => [r.id, iso(r.at), r.action, r.actor, r.subject, r.organization?.displayId ?? '', r.organization?.name ?? '', r.requestId, r.details]);
        const last = page.rows[page.rows.length - 1];
        if (!page.more || !last) return;
        before = last.id;
      }
    });
    const delivery = await target.commit();
    await this.audited(session, source, 'audit.exported', { rows, category: input.category ?? null, from: input.from ?? null, to: input.to ?? null, organization: input.organization ?? null });
    return { delivery, rows };
  }

  /** The printable report: the period's decisions per action and per week, for the organization chosen (or all in scope). */
  async historyPdf(session: Session, input: ChannelParsedInput<'history.exportPdf'>): Promise<ChannelOutput<'history.exportPdf'>> {
    const source = await this.scopes.source(session, input.archiveId);
    const organizationId = await this.scopes.organizationFilter(source, input.organization);
    const programId = await this.scopes.programFilter(source, input.program);
    const span = await source.history.decidedSpan(source.historyScope, organizationId);
    const from = startOfDay(input.from ?? span?.first ?? this.clock.now());
    const to = input.to ?? span?.last ?? this.clock.now();
    if (to - from > 10 * 366 * DAY_MS) throw new AppError('VALIDATION', 'A report covers at most ten years; choose a shorter period.', 'from');
    const weeks: Array<{ start: number; approved: number; rejected: number }> = [];
    for (let start = startOfWeek(from); start <= to; start += WEEK_MS) {
      const counts = await source.history.countDecisions(source.historyScope, organizationId, programId, Math.max(start, from), Math.min(start + WEEK_MS - 1, to));
      weeks.push({ start, ...counts });
      await yieldToEventLoop();
    }
    const totals = weeks.reduce((t, w) => ({ approved: t.approved + w.approved, rejected: t.rejected + w.rejected }), { approved: 0, rejected: 0 });
    const organizations = await this.organizationNames(source, organizationId);
    const target = await this.files.save(session.clientId, `Request-history-report-${dayOf(from)}-to-${dayOf(to)}.pdf`);
    if (!target) return { delivery: null, rows: 0 };
    try {
      await writeReport(target.path, {
        organizations,
        program: input.program || 'All programs',
        from,
        to,
        totals,
        weeks,
        generatedAt: this.clock.now(),
        generatedBy: source.official.email,
        archive: source.archiveId !== null,
      });
    } catch (error) {
      await target.abort();
      throw error;
    }
    const delivery = await target.commit();
    await this.audited(session, source, 'report.exported', { from, to, approved: totals.approved, rejected: totals.rejected, organization: input.organization ?? null });
    return { delivery, rows: totals.approved + totals.rejected };
  }

  private async organizationNames(source: ReviewSource, organizationId: number | undefined): Promise<string[]> {
    if (organizationId === undefined && source.historyScope.kind === 'all' && source.archiveId === null) return ['All organizations'];
    const all = await source.history.organizations(
      organizationId !== undefined ? [organizationId] : source.historyScope.kind === 'organizations' ? source.historyScope.organizationIds : undefined,
    );
    return all.map((o) => (o.name === o.displayId ? o.name : `${o.name} (${o.displayId})`));
  }

  private async audited(session: Session, source: ReviewSource, action: string, details: Record<string, string | number | boolean | null>): Promise<void> {
    await this.store.audit.append([{ action, actorId: session.userRowId, subjectUserId: session.userRowId, details: { ...details, archive: source.archiveId !== null } }]);
  }
}

/** Streams rows to a CSV file with backpressure; returns how many were written. The file is removed on failure. */
async function writeCsv(target: SaveTarget, columns: string[], pages: () => AsyncGenerator<Array<Array<string | number | null>>>): Promise<number> {
  const csv = stringify({ header: true, columns, bom: true });
  const written = pipeline(csv, createWriteStream(target.path, { mode: 0o600 }));
  let rows = 0;
  try {
    for await (const page of pages()) {
      for (const row of page) {
        if (!csv.write(row.map(csvCell))) await once(csv, 'drain');
        rows += 1;
      }
      await yieldToEventLoop();
    }
    csv.end();
    await written;
  } catch (error) {
    csv.destroy();
    await written.catch(() => undefined);
    await target.abort();
    throw error;
  }
  return rows;
}

interface Report {
  organizations: string[];
  program: string;
  from: number;
  to: number;
  totals: { approved: number; rejected: number };
  weeks: Array<{ start: number; approved: number; rejected: number }>;
  generatedAt: number;
  generatedBy: string;
  archive: boolean;
}

const dateWords = (ms: number) => new Date(ms).toLocaleDateString('en-US', { year: 'numeric', month: 'long', day: 'numeric' });
const shortDate = (ms: number) => new Date(ms).toLocaleDateString('en-US', { month: 'short', day: 'numeric' });
const count = (n: number) => n.toLocaleString('en-US');

const INK = '#1b1b1b';
const MUTED = '#5c5c5c';
const APPROVED = '#12890e';
const REJECTED = '#b50909';
const RULE = '#a6a6a6';

function startOfDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** Weeks start on Monday, local time. */
function startOfWeek(ms: number): number {
  const d = new Date(startOfDay(ms));
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  return d.getTime();
}

/** A one-page (or two-page) tagged PDF, in Helvetica, printable in black and white (bars are also labelled). */
async function writeReport(path: string, r: Report): Promise<void> {
  const doc = new PDFDocument({
    size: 'LETTER',
    margin: 54,
    tagged: true,
    lang: 'en-US',
    displayTitle: true,
    info: { Title: 'Request History report', Author: r.generatedBy, Subject: `Approvals and rejections, ${dateWords(r.from)} to ${dateWords(r.to)}` },
  });
  const done = pipeline(doc, createWriteStream(path, { mode: 0o600 }));
  const left = doc.page.margins.left;
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;

  doc.fillColor(INK).font('Helvetica-Bold').fontSize(20).text('Request History report');
  doc.moveDown(0.2);
  doc.font('Helvetica').fontSize(11).fillColor(MUTED).text('A history of past approvals and rejections.');
  if (r.archive) doc.text('From an offline review archive.');
  doc.moveDown(1);

  const fact = (label: string, value: string) => {
    doc.font('Helvetica-Bold').fontSize(11).fillColor(INK).text(`${label}: `, { continued: true }).font('Helvetica').text(value);
  };
  fact(r.organizations.length > 1 ? 'Organizations' : 'Organization', r.organizations.join('; ') || 'None');
  fact('Program', r.program);
  fact('Period', `${dateWords(r.from)} to ${dateWords(r.to)}`);
  fact('Generated', `${new Date(r.generatedAt).toLocaleString('en-US')} by ${r.generatedBy}`);
  doc.moveDown(1);

  doc.font('Helvetica-Bold').fontSize(14).fillColor(INK).text('Totals per action');
  doc.moveDown(0.4);
  const total = r.totals.approved + r.totals.rejected;
  const rows: Array<[string, number, string]> = [
    ['Approved', r.totals.approved, APPROVED],
    ['Rejected', r.totals.rejected, REJECTED],
    ['All decisions', total, INK],
  ];
  let y = doc.y;
  for (const [label, n, color] of rows) {
    const isTotal = label === 'All decisions';
    if (isTotal) {
      doc.lineWidth(0.75).strokeColor(RULE).moveTo(left, y - 2).lineTo(left + 330, y - 2).stroke();
      y += 3;
    } else {
      doc.rect(left, y + 1, 9, 9).fill(color);
    }
    doc.fillColor(INK).font(isTotal ? 'Helvetica-Bold' : 'Helvetica').fontSize(11);
    doc.text(label, left + 16, y, { width: 160, lineBreak: false });
    doc.text(count(n), left + 180, y, { width: 80, align: 'right', lineBreak: false });
    if (!isTotal && total > 0) doc.text(`${((100 * n) / total).toFixed(1)}%`, left + 270, y, { width: 60, align: 'right', lineBreak: false });
    y += 18;
  }
  doc.x = left;
  doc.y = y + 14;

  doc.font('Helvetica-Bold').fontSize(14).fillColor(INK).text('Decisions per week', left);
  doc.font('Helvetica').fontSize(9).fillColor(MUTED).text('Weeks start on Monday. Green: approved; red: rejected (stacked).');
  doc.moveDown(0.6);
  drawWeeklyChart(doc, r.weeks, left, doc.y, width, 170);

  doc.end();
  await done;
}

function drawWeeklyChart(doc: PDFKit.PDFDocument, weeks: Report['weeks'], x: number, y: number, width: number, height: number): void {
  const axis = 36;
  const plotX = x + axis;
  const plotW = width - axis;
  const max = Math.max(1, ...weeks.map((w) => w.approved + w.rejected));
  const scaleTop = niceCeiling(max);
  doc.lineWidth(0.5).strokeColor(RULE);
  for (let i = 0; i <= 4; i += 1) {
    const value = (scaleTop * i) / 4;
    const lineY = y + height - (height * i) / 4;
    doc.moveTo(plotX, lineY).lineTo(plotX + plotW, lineY).stroke();
    doc.font('Helvetica').fontSize(8).fillColor(MUTED).text(count(Math.round(value)), x, lineY - 4, { width: axis - 4, align: 'right' });
  }
  const slot = plotW / Math.max(1, weeks.length);
  const bar = Math.max(1, Math.min(24, slot * 0.7));
  weeks.forEach((w, i) => {
    const bx = plotX + i * slot + (slot - bar) / 2;
    const approvedH = (height * w.approved) / scaleTop;
    const rejectedH = (height * w.rejected) / scaleTop;
    if (approvedH > 0) doc.rect(bx, y + height - approvedH, bar, approvedH).fill(APPROVED);
    if (rejectedH > 0) doc.rect(bx, y + height - approvedH - rejectedH, bar, rejectedH).fill(REJECTED);
  });
  // Date labels: at most about eight along the axis.
  const every = Math.max(1, Math.ceil(weeks.length / 8));
  weeks.forEach((w, i) => {
    if (i % every !== 0) return;
    doc.font('Helvetica').fontSize(8).fillColor(MUTED).text(shortDate(w.start), plotX + i * slot - 10, y + height + 4, { width: 50 });
  });
  doc.x = x;
  doc.y = y + height + 20;
  if (weeks.length === 0) doc.font('Helvetica').fontSize(10).fillColor(INK).text('No decisions in this period.', x);
}

function niceCeiling(n: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= n) return step * magnitude;
  return 10 * magnitude;
}

