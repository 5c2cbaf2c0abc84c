import type { ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { HomeDashboard } from '../../../shared/ipc/contract.js';
import { formatDate } from '../../components/format.js';

type Figures = NonNullable<HomeDashboard['official']>;

/** CMS Design System colors (core theme): primary, warn-darker, error, success, gray. */
const COLORS = { recent: '#0071bc', month: '#c05600', older: '#d83933', approved: '#12890e', rejected: '#d83933', forecast: '#0071bc', deactivated: '#5c5c5c' };
const AXIS_TICK = { fill: '#1b1b1b', fontSize: 14 };

/** "Nov 16": a week's first day, without the year, for an axis tick. */
const shortDay = (ms: number) => formatDate(ms).replace(/, \d{4}$/, '');
const n = (value: number) => value.toLocaleString('en-US');

/** The series of a chart, in a line under it: a swatch in the series' color and the name in text color. */
function ChartLegend({ items }: { items: ReadonlyArray<{ label: string; color: keyof typeof COLORS }> }) {
  return (
    <ul className="soc-chart__legend">
      {items.map((item) => (
        <li key={item.label}>
          <span className={`soc-chart__swatch soc-chart__swatch--${item.color}`} />
          {item.label}
        </li>
      ))}
    </ul>
  );
}

/**
 * A chart and its text equivalent. The drawing is hidden from assistive technology (it says
 * nothing the table does not); the same figures are a table under "Show as a table".
 */
function ChartFigure({
  id,
  title,
  summary,
  chart,
  legend,
  table,
  after,
}: {
  id: string;
  title: string;
  summary: ReactNode;
  chart: ReactNode;
  legend?: ReactNode;
  table: ReactNode;
  after?: ReactNode;
}) {
  return (
    <section className="soc-card soc-chart" aria-labelledby={`${id}-heading`} data-testid={id}>
      <h3 id={`${id}-heading`} className="ds-text-heading--lg">
        {title}
      </h3>
      <p className="soc-chart__summary">{summary}</p>
      <div className="soc-chart__drawing" aria-hidden="true">
        {chart}
        {legend}
      </div>
      <details className="soc-chart__table">
        <summary>Show as a table</summary>
        {table}
      </details>
      {after}
    </section>
  );
}

export function PendingByAgeChart({ rows, total }: { rows: Figures['pendingByAge']; total: number }) {
  const height = Math.max(160, 56 + rows.length * 40);
  const sums = rows.reduce((s, r) => ({ upTo7: s.upTo7 + r.upTo7, upTo30: s.upTo30 + r.upTo30, over30: s.over30 + r.over30 }), {
    upTo7: 0,
    upTo30: 0,
    over30: 0,
  });
  const head = rows[0]?.label === 'All organizations' ? rows[0] : sums;
  return (
    <ChartFigure
      id="chart-pending-age"
      title="Pending requests by age"
      summary={
        total === 0 ? 'There are no pending role requests.' : `0–7 days: ${n(head.upTo7)}; 8–30 days: ${n(head.upTo30)}; over 30 days: ${n(head.over30)}.`
      }
      chart={
        <ResponsiveContainer width="100%" height={height}>
          <BarChart data={rows} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 4 }} accessibilityLayer={false}>
            <CartesianGrid horizontal={false} stroke="#d9d9d9" />
            <XAxis type="number" allowDecimals={false} tick={AXIS_TICK} />
            <YAxis type="category" dataKey="label" width={190} tick={AXIS_TICK} interval={0} />
            <Tooltip />
            <Bar dataKey="upTo7" name="0–7 days" stackId="age" fill={COLORS.recent} isAnimationActive={false} />
            <Bar dataKey="upTo30" name="8–30 days" stackId="age" fill={COLORS.month} isAnimationActive={false} />
            <Bar dataKey="over30" name="Over 30 days" stackId="age" fill={COLORS.older} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      }
      legend={
        <ChartLegend
          items={[
            { label: '0–7 days', color: 'recent' },
            { label: '8–30 days', color: 'month' },
            { label: 'Over 30 days', color: 'older' },
          ]}
        />
      }
      table={
        <table className="ds-c-table ds-c-table--compact soc-chart__data">
          <caption className="ds-u-visibility--screen-reader">Pending requests by age, per organization</caption>
          <thead>
            <tr>
              <th scope="col">Organization</th>
              <th scope="col">0–7 days</th>
              <th scope="col">8–30 days</th>
              <th scope="col">Over 30 days</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.label}>
                <th scope="row">{r.label}</th>
                <td>{n(r.upTo7)}</td>
                <td>{n(r.upTo30)}</td>
                <td>{n(r.over30)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}

export function DecisionsChart({ weeks }: { weeks: Figures['decisionsByWeek'] }) {
  const data = weeks.map((w) => ({ ...w, week: shortDay(w.startsAt) }));
  const approved = weeks.reduce((s, w) => s + w.approved, 0);
  const rejected = weeks.reduce((s, w) => s + w.rejected, 0);
  return (
    <ChartFigure
      id="chart-decisions"
      title="Decisions per week, last 12 weeks"
      summary={`${n(approved)} approved and ${n(rejected)} rejected in 12 weeks.`}
      chart={
        <ResponsiveContainer width="100%" height={260}>
          <BarChart data={data} margin={{ top: 4, right: 16, bottom: 4, left: 4 }} accessibilityLayer={false}>
            <CartesianGrid vertical={false} stroke="#d9d9d9" />
            <XAxis dataKey="week" tick={AXIS_TICK} interval="preserveStartEnd" />
            <YAxis allowDecimals={false} tick={AXIS_TICK} width={56} />
            <Tooltip />
            <Bar dataKey="approved" name="Approved" stackId="d" fill={COLORS.approved} isAnimationActive={false} />
            <Bar dataKey="rejected" name="Rejected" stackId="d" fill={COLORS.rejected} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      }
      legend={
        <ChartLegend
          items={[
            { label: 'Approved', color: 'approved' },
            { label: 'Rejected', color: 'rejected' },
          ]}
        />
      }
      table={
        <table className="ds-c-table ds-c-table--compact soc-chart__data">
          <caption className="ds-u-visibility--screen-reader">Decisions per week</caption>
          <thead>
            <tr>
              <th scope="col">Week</th>
              <th scope="col">Approved</th>
              <th scope="col">Rejected</th>
            </tr>
          </thead>
          <tbody>
            {weeks.map((w) => (
              <tr key={w.startsAt}>
                <th scope="row">
                  {formatDate(w.startsAt)} – {formatDate(w.endsAt)}
                </th>
                <td>{n(w.approved)}</td>
                <td>{n(w.rejected)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}

export function DeactivationChart({ figures, people }: { figures: Figures['deactivation']; people: ReactNode }) {
  const data = [
    { label: 'Within 14 days', value: figures.within14Days, fill: COLORS.forecast },
    { label: 'Within 30 days', value: figures.within30Days, fill: COLORS.forecast },
    { label: 'Deactivated, last 30 days', value: figures.deactivatedLast30Days, fill: COLORS.deactivated },
  ];
  return (
    <ChartFigure
      id="chart-deactivation"
      title="Accounts reaching 120 days without sign-in"
      summary={`${n(figures.within14Days)} reach 120 days without sign-in within 14 days and ${n(figures.within30Days)} within 30 days; ${n(figures.deactivatedLast30Days)} were deactivated in the last 30 days.`}
      after={people}
      chart={
        <>
          <ResponsiveContainer width="100%" height={180}>
            <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 4 }} accessibilityLayer={false}>
              <CartesianGrid horizontal={false} stroke="#d9d9d9" />
              <XAxis type="number" allowDecimals={false} tick={AXIS_TICK} />
              <YAxis type="category" dataKey="label" width={190} tick={AXIS_TICK} interval={0} />
              <Tooltip />
              <Bar dataKey="value" name="Accounts" isAnimationActive={false}>
                {data.map((d) => (
                  <Cell key={d.label} fill={d.fill} />
                ))}
              </Bar>
            </BarChart>
          </ResponsiveContainer>
        </>
      }
      table={
        <table className="ds-c-table ds-c-table--compact soc-chart__data">
          <caption className="ds-u-visibility--screen-reader">Accounts reaching 120 days without sign-in</caption>
          <tbody>
            {data.map((d) => (
              <tr key={d.label}>
                <th scope="row">{d.label}</th>
                <td>{n(d.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
