import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import PDFDocument from 'pdfkit';
import type { Clock } from '../clock.js';
import type { AuditAction } from '../../shared/audit-actions.js';
import type { ChannelOutput, ChannelParsedInput } from '../../shared/ipc/contract.js';
import { AppError } from '../../shared/ipc/errors.js';
import { formatDate, formatDateTime, isoWithOffset } from '../../shared/dates.js';
import { REQUEST_STATUS_LABELS } from '../../shared/words.js';
import type { HistoryRecord } from '../store/history-store.js';
import type { Store } from '../store/store.js';
import type { AuditService } from './audit.js';
import { csvDate, writeCsv } from './csv-writer.js';
import { toAuditRow } from './audit.js';
import type { FileTransfer } from './files.js';
import type { HistoryService } from './history.js';
import type { ReviewScopes, ReviewSource } from './review.js';
import type { Session } from './sessions.js';

/** Rows read per statement while exporting; the event loop runs between reads. */
const EXPORT_PAGE = 1_000;
/** Decisions listed in the printable report (about 250 pages); beyond that the report says so and points to the CSV. */
export const REPORT_ROWS = 10_000;
const WEEK_MS = 7 * 86_400_000;
const DAY_MS = 86_400_000;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
/** The local calendar day, for file names. */
const dayOf = (ms: number) => isoWithOffset(ms).slice(0, 10);

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
    const columns = [
      'Request ID',
      'Requested',
      'Completed',
      'Last Name',
      'First Name',
      'Organization ID',
      'Organization',
      'Program',
      'Role',
      'Action',
      'Decided by',
      'Rejection Reason',
    ];
    const toCells = (r: HistoryRecord) => [
      r.id,
      csvDate(r.requestedAt),
      csvDate(r.decidedAt),
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
    const rows = await writeCsv(
      target,
      columns,
      (async function* () {
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
      })(),
      { bom: true },
    );
    const delivery = await target.commit();
    await this.audited(session, source, 'history.exported', {
      rows,
      search: input.search,
      from: input.from ?? null,
      to: input.to ?? null,
      organization: input.organization ?? null,
    });
    return { delivery, rows };
  }

  async auditCsv(session: Session, input: ChannelParsedInput<'audit.exportCsv'>): Promise<ChannelOutput<'audit.exportCsv'>> {
    const source = await this.scopes.source(session, input.archiveId);
    const filter = await this.audit.filterOf(source, input);
    const target = await this.files.save(session.clientId, `Audit-trail-${dayOf(this.clock.now())}.csv`);
    if (!target) return { delivery: null, rows: 0 };
    const columns = ['Event', 'Time', 'Action', 'Actor', 'Subject', 'Organization ID', 'Organization', 'Request ID', 'Details'];
    const rows = await writeCsv(
      target,
      columns,
      (async function* () {
        if (filter === null) return;
        let before: number | null = null;
        for (;;) {
          const page = await source.audit.page(source.auditScope, filter, before, EXPORT_PAGE);
          yield page.rows
            .map(toAuditRow)
            .map((r) => [
              r.id,
              csvDate(r.at),
              r.action,
              r.actor,
              r.subject,
              r.organization?.displayId ?? '',
              r.organization?.name ?? '',
              r.requestId,
              r.details,
            ]);
          const last = page.rows[page.rows.length - 1];
          if (!page.more || !last) return;
          before = last.id;
        }
      })(),
      { bom: true },
    );
    const delivery = await target.commit();
    await this.audited(session, source, 'audit.exported', {
      rows,
      category: input.category ?? null,
      from: input.from ?? null,
      to: input.to ?? null,
      organization: input.organization ?? null,
    });
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
      const counts = await source.history.countDecisions(
        source.historyScope,
        organizationId,
        programId,
        Math.max(start, from),
        Math.min(start + WEEK_MS - 1, to),
      );
      weeks.push({ start, ...counts });
      await yieldToEventLoop();
    }
    const totals = weeks.reduce((t, w) => ({ approved: t.approved + w.approved, rejected: t.rejected + w.rejected }), { approved: 0, rejected: 0 });
    const organizations = await this.organizationNames(source, organizationId);
    const decisions = await this.reportDecisions(source, { from, to, organizationId, programId });
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
        decisions,
        generatedAt: this.clock.now(),
        generatedBy: source.official.email,
        archive: source.archiveId !== null,
      });
    } catch (error) {
      await target.abort();
      throw error;
    }
    const delivery = await target.commit();
    await this.audited(session, source, 'report.exported', {
      from,
      to,
      approved: totals.approved,
      rejected: totals.rejected,
      organization: input.organization ?? null,
    });
    return { delivery, rows: totals.approved + totals.rejected };
  }

  /** The period's decisions, newest first, as the report lists them (at most REPORT_ROWS; the CSV export has them all). */
  private async reportDecisions(
    source: ReviewSource,
    filter: { from: number; to: number; organizationId: number | undefined; programId: number | undefined },
  ): Promise<ReportDecision[]> {
    const out: ReportDecision[] = [];
    let after: { sort: 'decided'; decidedAt: number; id: number } | null = null;
    while (out.length < REPORT_ROWS) {
      const page = await source.history.page(source.historyScope, filter, after, Math.min(EXPORT_PAGE, REPORT_ROWS - out.length));
      const userIds = await source.history.userIds(page.rows.map((r) => r.requesterId));
      for (const r of page.rows) {
        out.push({
          decidedAt: r.decidedAt,
          name: `${r.lastName}, ${r.firstName}`,
          userId: userIds.get(r.requesterId) ?? '',
          role: `${r.role}\n${r.program}`,
          organization: r.organization.name === r.organization.displayId ? r.organization.name : `${r.organization.name} (${r.organization.displayId})`,
          decision: REQUEST_STATUS_LABELS[r.status],
          decidedBy: r.decidedByEmail ?? '',
        });
      }
      const last = page.rows[page.rows.length - 1];
      if (!page.more || !last) break;
      after = { sort: 'decided', decidedAt: last.decidedAt, id: last.id };
      await yieldToEventLoop();
    }
    return out;
  }

  private async organizationNames(source: ReviewSource, organizationId: number | undefined): Promise<string[]> {
    if (organizationId === undefined && source.historyScope.kind === 'all' && source.archiveId === null) return ['All organizations'];
    const all = await source.history.organizations(
      organizationId !== undefined ? [organizationId] : source.historyScope.kind === 'organizations' ? source.historyScope.organizationIds : undefined,
    );
    return all.map((o) => (o.name === o.displayId ? o.name : `${o.name} (${o.displayId})`));
  }

  private async audited(session: Session, source: ReviewSource, action: AuditAction, details: Record<string, string | number | boolean | null>): Promise<void> {
    await this.store.audit.append([
      { action, actorId: session.userRowId, subjectUserId: session.userRowId, details: { ...details, archive: source.archiveId !== null } },
    ]);
  }
}

export interface ReportDecision {
  decidedAt: number;
  /** "Last, First". */
  name: string;
  userId: string;
  role: string;
  organization: string;
  decision: string;
  decidedBy: string;
}

export interface Report {
  organizations: string[];
  program: string;
  from: number;
  to: number;
  totals: { approved: number; rejected: number };
  weeks: Array<{ start: number; approved: number; rejected: number }>;
  /** Newest first, at most REPORT_ROWS. */
  decisions: ReportDecision[];
  generatedAt: number;
  generatedBy: string;
  archive: boolean;
}

const count = (n: number) => n.toLocaleString('en-US');

const INK = '#1b1b1b';
const MUTED = '#5c5c5c';
const APPROVED = '#12890e';
const REJECTED = '#b50909';
const RULE = '#a6a6a6';
const HEADER_FILL = '#e6e6e6';
const ZEBRA_FILL = '#f5f5f5';

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

/**
 * The value axis of the weekly chart: whole numbers from 0, a step of 1, 2 or 5 times a power of
 * ten, at most five gridlines above 0, the top at or above the highest week. A count of
 * decisions has no halves: 0.25 or a "1" printed twice would misread.
 */
export function chartTicks(max: number): number[] {
  const highest = Math.max(1, Math.ceil(max));
  let step = 1;
  for (let magnitude = 1; ; magnitude *= 10) {
    const found = [1, 2, 5].map((m) => m * magnitude).find((candidate) => Math.ceil(highest / candidate) <= 5);
    if (found !== undefined) {
      step = found;
      break;
    }
  }
  const top = step * Math.ceil(highest / step);
  const ticks: number[] = [];
  for (let value = 0; value <= top; value += step) ticks.push(value);
  return ticks;
}

/** The report's table: column, width (points; the page's 504 between margins) and the text of a decision. */
const DECISION_COLUMNS: Array<{ label: string; width: number; text: (d: ReportDecision) => string }> = [
  // The date on one line and the time on the next, rather than wherever the column happens to wrap.
  { label: 'Decided', width: 60, text: (d) => formatDateTime(d.decidedAt).replace(/, (?=\d{1,2}:\d{2})/, '\n') },
  { label: 'Name', width: 74, text: (d) => d.name },
  { label: 'User ID', width: 58, text: (d) => d.userId },
  { label: 'Role', width: 100, text: (d) => d.role },
  { label: 'Organization', width: 90, text: (d) => d.organization },
  { label: 'Decision', width: 42, text: (d) => d.decision },
  { label: 'Decided by', width: 80, text: (d) => d.decidedBy },
];
const CELL_PAD = 3;
const TABLE_FONT_SIZE = 7.5;

/** A tagged PDF in Helvetica, printable in black and white (bars are also labelled): facts, totals, the weekly chart, then every decision. */
async function writeReport(path: string, r: Report): Promise<void> {
  const doc = new PDFDocument({
    size: 'LETTER',
    margin: 54,
    tagged: true,
    lang: 'en-US',
    displayTitle: true,
    bufferPages: true,
    info: { Title: 'Request History report', Author: r.generatedBy, Subject: `Approvals and rejections, ${formatDate(r.from)} to ${formatDate(r.to)}` },
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
  fact('Period', `${formatDate(r.from)} to ${formatDate(r.to)}`);
  fact('Generated', `${formatDateTime(r.generatedAt)} by ${r.generatedBy}`);
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
      doc
        .lineWidth(0.75)
        .strokeColor(RULE)
        .moveTo(left, y - 2)
        .lineTo(left + 330, y - 2)
        .stroke();
      y += 3;
    } else {
      doc.rect(left, y + 1, 9, 9).fill(color);
    }
    doc
      .fillColor(INK)
      .font(isTotal ? 'Helvetica-Bold' : 'Helvetica')
      .fontSize(11);
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
  drawWeeklyChart(doc, r.weeks, left, doc.y, width, 150);

  drawDecisionTable(doc, r, left);
  numberPages(doc);
  doc.end();
  await done;
}

/** "Page 2 of 7" at the foot of every page, once all are laid out. */
function numberPages(doc: PDFKit.PDFDocument): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i += 1) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    // Writing inside the bottom margin would otherwise start a new page.
    doc.page.margins.bottom = 0;
    doc
      .font('Helvetica')
      .fontSize(8)
      .fillColor(MUTED)
      .text(`Page ${i + 1} of ${range.count}`, doc.page.margins.left, doc.page.height - bottom + 18, {
        width: doc.page.width - doc.page.margins.left - doc.page.margins.right,
        align: 'right',
        lineBreak: false,
      });
    doc.page.margins.bottom = bottom;
  }
}

/** Every decision of the period in a table whose header row is repeated on each page it runs onto. */
function drawDecisionTable(doc: PDFKit.PDFDocument, r: Report, left: number): void {
  const total = r.totals.approved + r.totals.rejected;
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const tableWidth = DECISION_COLUMNS.reduce((sum, c) => sum + c.width, 0);
  const cellHeight = (text: string, bold: boolean, width: number) =>
    doc
      .font(bold ? 'Helvetica-Bold' : 'Helvetica')
      .fontSize(TABLE_FONT_SIZE)
      .heightOfString(text || ' ', { width: width - 2 * CELL_PAD }) +
    2 * CELL_PAD;
  const rowHeight = (cells: string[], bold: boolean) => Math.max(...cells.map((text, i) => cellHeight(text, bold, DECISION_COLUMNS[i]!.width)));
  const drawRow = (cells: string[], top: number, height: number, fill: string | null, bold: boolean) => {
    if (fill) doc.rect(left, top, tableWidth, height).fill(fill);
    let x = left;
    cells.forEach((text, i) => {
      const w = DECISION_COLUMNS[i]!.width;
      doc
        .font(bold ? 'Helvetica-Bold' : 'Helvetica')
        .fontSize(TABLE_FONT_SIZE)
        .fillColor(INK)
        .text(text, x + CELL_PAD, top + CELL_PAD, { width: w - 2 * CELL_PAD });
      x += w;
    });
    doc
      .lineWidth(0.5)
      .strokeColor(RULE)
      .moveTo(left, top + height)
      .lineTo(left + tableWidth, top + height)
      .stroke();
  };
  const header = DECISION_COLUMNS.map((c) => c.label);
  const headerHeight = rowHeight(header, true);
  const startPage = (continued: boolean): number => {
    doc
      .font('Helvetica-Bold')
      .fontSize(14)
      .fillColor(INK)
      .text(continued ? 'Decisions (continued)' : 'Decisions', left, doc.y);
    if (!continued) {
      const listed = r.decisions.length;
      const note =
        total === 0
          ? 'No decisions in this period.'
          : listed < total
            ? `Newest first. The first ${count(listed)} of ${count(total)} decisions are listed; the CSV export of Request History has them all.`
            : `Newest first; ${count(listed)} decision${listed === 1 ? '' : 's'}.`;
      doc.font('Helvetica').fontSize(9).fillColor(MUTED).text(note, left);
    }
    doc.moveDown(0.4);
    const top = doc.y;
    drawRow(header, top, headerHeight, HEADER_FILL, true);
    return top + headerHeight;
  };

  // The table starts on this page when its heading, header and a few rows fit; else on the next.
  if (doc.y + 90 > bottom()) doc.addPage();
  else doc.moveDown(1.2);
  if (r.decisions.length === 0) {
    startPage(false);
    return;
  }
  let y = startPage(false);
  r.decisions.forEach((d, index) => {
    const cells = DECISION_COLUMNS.map((c) => c.text(d));
    const height = rowHeight(cells, false);
    if (y + height > bottom()) {
      doc.addPage();
      y = startPage(true);
    }
    drawRow(cells, y, height, index % 2 === 1 ? ZEBRA_FILL : null, false);
    y += height;
  });
  doc.x = left;
  doc.y = y;
}

function drawWeeklyChart(doc: PDFKit.PDFDocument, weeks: Report['weeks'], x: number, y: number, width: number, height: number): void {
  const axis = 36;
  const plotX = x + axis;
  const plotW = width - axis;
  const ticks = chartTicks(Math.max(0, ...weeks.map((w) => w.approved + w.rejected)));
  const scaleTop = ticks[ticks.length - 1] ?? 1;
  doc.lineWidth(0.5).strokeColor(RULE);
  for (const value of ticks) {
    const lineY = y + height - (height * value) / scaleTop;
    doc
      .moveTo(plotX, lineY)
      .lineTo(plotX + plotW, lineY)
      .stroke();
    doc
      .font('Helvetica')
      .fontSize(8)
      .fillColor(MUTED)
      .text(count(value), x, lineY - 3, { width: axis - 6, align: 'right', lineBreak: false });
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
  // Date labels under their week, at most six along the axis, kept inside the plot.
  const labelWidth = 60;
  const every = Math.max(1, Math.ceil(weeks.length / 6));
  weeks.forEach((w, i) => {
    if (i % every !== 0) return;
    const centre = plotX + i * slot + slot / 2;
    const lx = Math.min(Math.max(centre - labelWidth / 2, plotX), plotX + plotW - labelWidth);
    doc
      .font('Helvetica')
      .fontSize(8)
      .fillColor(MUTED)
      .text(formatDate(w.start), lx, y + height + 4, { width: labelWidth, align: 'center', lineBreak: false });
  });
  doc.x = x;
  doc.y = y + height + 20;
}
