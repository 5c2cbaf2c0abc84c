import { type KeyboardEvent, type Ref } from 'react';
import { useVirtualRows } from '../../components/useVirtualRows.js';
import '../../components/grid.css';
import { STALE_AFTER_DAYS } from '../../../shared/domain.js';
import type { QueueRow } from '../../../shared/ipc/contract.js';
import { formatAge, formatDateTime } from '../../components/format.js';
import { approvalsBy, approvalsCount } from './approvals.js';
import { PAGE_SIZE, useRoleRequests } from './store.js';

/** The usual heights (CSS: .soc-grid__head, .soc-grid__row); only the rows on screen are rendered, so 100,000 rows cost what is on screen. */
export const HEADER_HEIGHT = 48;
export const ROW_HEIGHT = 64;
/** Ask for the next page when the rows on screen come this close to the last loaded one. */
const LOAD_AHEAD = Math.floor(PAGE_SIZE / 3);
const COLUMNS = 8;
/** Why the official's own request cannot be selected (the service's words when it refuses one). */
export const OWN_REQUEST = 'You cannot decide your own request';

interface RequestsGridProps {
  labelledBy: string;
  describedBy: string;
}

/**
 * The pending requests as an ARIA grid: virtualized (only the rows on screen are in the DOM,
 * aria-rowcount and aria-rowindex tell assistive technology where they are in the whole list),
 * keyset-paged as the user scrolls, and driven from the keyboard with one tab stop (the row
 * the keyboard is on): arrows, Home/End, Page Up/Down move; Space selects; Enter opens View;
 * A and R open Approve and Reject.
 */
export function RequestsGrid({ labelledBy, describedBy }: RequestsGridProps) {
  const rows = useRoleRequests((state) => state.rows);
  const total = useRoleRequests((state) => state.total);
  const selected = useRoleRequests((state) => state.selected);
  const activeIndex = useRoleRequests((state) => state.activeIndex);
  const hasMore = useRoleRequests((state) => state.nextCursor !== null);
  const loadingMore = useRoleRequests((state) => state.loadingMore);
  const sort = useRoleRequests((state) => state.filters.sort);
  const { toggle, setActiveIndex, openDecision, openPanel, loadMore } = useRoleRequests.getState();

  const { scrollRef, bodyRef, items, virtualizer, navigate, offsetOf, measureRow } = useVirtualRows({
    rows,
    rowKey: (row) => row.requestId,
    rowHeight: ROW_HEIGHT,
    headerHeight: HEADER_HEIGHT,
    activeIndex,
    setActiveIndex,
    hasMore,
    loadingMore,
    loadMore,
    loadAhead: LOAD_AHEAD,
  });

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target as HTMLElement;
    const onControl = target.closest('input, button') !== null;
    if (navigate(event.key)) {
      event.preventDefault();
      return;
    }
    const row = rows[activeIndex];
    switch (event.key) {
      case ' ':
        // A checkbox toggles itself on Space; the official's own request is not theirs to select.
        if (target instanceof HTMLInputElement || !row) return;
        if (!row.mine) toggle(row.requestId);
        break;
      case 'Enter':
        if (onControl || !row) return;
        void openPanel(row.requestId);
        break;
      case 'a':
      case 'A':
        void openDecision('approve');
        break;
      case 'r':
      case 'R':
        void openDecision('reject');
        break;
      default:
        return;
    }
    event.preventDefault();
  }

  return (
    <div
      ref={scrollRef}
      role="grid"
      className="soc-grid soc-grid--queue"
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      aria-rowcount={Math.max(total, rows.length) + 1}
      aria-colcount={COLUMNS}
      aria-multiselectable="true"
      data-testid="requests-grid"
    >
      <div role="rowgroup" className="soc-grid__head">
        <div role="row" aria-rowindex={1} className="soc-grid__row soc-grid__row--head">
          <div role="columnheader" className="soc-grid__cell soc-grid__cell--check">
            <span className="ds-u-visibility--screen-reader">Select</span>
          </div>
          <div role="columnheader" className="soc-grid__cell">
            First Name
          </div>
          <div role="columnheader" className="soc-grid__cell" aria-sort={sort === 'lastName' ? 'ascending' : undefined}>
            Last Name
          </div>
          <div role="columnheader" className="soc-grid__cell">
            Organization
          </div>
          <div role="columnheader" className="soc-grid__cell">
            Role
          </div>
          <div role="columnheader" className="soc-grid__cell">
            Program
          </div>
          <div role="columnheader" className="soc-grid__cell" aria-sort={sort === 'requested' ? 'ascending' : undefined}>
            Requested
          </div>
          <div role="columnheader" className="soc-grid__cell">
            <span className="ds-u-visibility--screen-reader">View</span>
          </div>
        </div>
      </div>
      <div ref={bodyRef} role="rowgroup" className="soc-grid__body" style={{ height: virtualizer.getTotalSize() }} onKeyDown={onKeyDown}>
        {items.map((item) => {
          const row = rows[item.index];
          if (!row) return null;
          return (
            <GridRow
              key={item.key}
              rowRef={measureRow}
              row={row}
              index={item.index}
              top={offsetOf(item.start)}
              active={item.index === activeIndex}
              selected={selected.has(row.requestId)}
              onFocus={() => setActiveIndex(item.index)}
              onToggle={() => toggle(row.requestId)}
              onView={() => void openPanel(row.requestId)}
            />
          );
        })}
      </div>
    </div>
  );
}

interface GridRowProps {
  rowRef: Ref<HTMLDivElement>;
  row: QueueRow;
  index: number;
  top: number;
  active: boolean;
  selected: boolean;
  onFocus: () => void;
  onToggle: () => void;
  onView: () => void;
}

function GridRow({ rowRef, row, index, top, active, selected, onFocus, onToggle, onView }: GridRowProps) {
  const name = `${row.firstName} ${row.lastName}`;
  return (
    <div
      ref={rowRef}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      tabIndex={active ? 0 : -1}
      data-index={index}
      data-request-id={row.requestId}
      className={`soc-grid__row soc-grid__row--body${selected ? ' soc-grid__row--selected' : ''}${row.stale ? ' soc-grid__row--stale' : ''}`}
      style={{ transform: `translateY(${top}px)` }}
      onFocus={onFocus}
    >
      <div role="gridcell" className="soc-grid__cell soc-grid__cell--check">
        {/* The official's own request: never theirs to decide, so not selectable (the service refuses it too). */}
        <input
          type="checkbox"
          className="ds-c-choice ds-c-choice--small"
          tabIndex={-1}
          checked={selected && !row.mine}
          disabled={row.mine}
          aria-label={row.mine ? `Select ${name}, request ${row.requestId}: ${OWN_REQUEST}` : `Select ${name}, request ${row.requestId}`}
          title={row.mine ? OWN_REQUEST : undefined}
          onChange={onToggle}
        />
      </div>
      <div role="gridcell" className="soc-grid__cell">
        <span className="soc-grid__text">{row.firstName}</span>
      </div>
      <div role="gridcell" className="soc-grid__cell">
        <span className="soc-grid__text">{row.lastName}</span>
      </div>
      <div role="gridcell" className="soc-grid__cell">
        <span className="soc-grid__text">{row.organization.displayId}</span>
        {row.organization.name !== row.organization.displayId && (
          <span className="soc-grid__text soc-grid__text--wrap soc-grid__sub">{row.organization.name}</span>
        )}
      </div>
      <div role="gridcell" className="soc-grid__cell">
        {/* Only once someone approved: "0 of 2" on every CMS role request would be noise (View says it). */}
        {row.approvals !== null && row.approvals.given > 0 ? (
          <>
            {/* Three lines in the row's height: the role keeps one (all of it on hover). */}
            <span className="soc-grid__text" title={row.role}>
              {row.role}
            </span>
            {/* Who gave the first approval: on hover, and in words for screen readers (a title alone is not read everywhere). */}
            <span className="ds-c-badge ds-c-badge--info soc-grid__tag soc-grid__tag--compact" title={approvalsBy(row.approvals)} data-testid="row-approvals">
              {approvalsCount(row.approvals)}
            </span>
            <span className="ds-u-visibility--screen-reader">. {approvalsBy(row.approvals)}</span>
          </>
        ) : (
          <span className="soc-grid__text soc-grid__text--wrap">{row.role}</span>
        )}
        {row.mine ? (
          <span className="ds-c-badge soc-grid__tag soc-grid__tag--mine" title={OWN_REQUEST} data-testid="row-mine">
            Your request
          </span>
        ) : (
          row.blockedReason !== null && <span className="soc-grid__text soc-grid__sub soc-grid__blocked">Cannot be approved</span>
        )}
      </div>
      <div role="gridcell" className="soc-grid__cell">
        <span className="soc-grid__text soc-grid__text--wrap">{row.program}</span>
      </div>
      <div role="gridcell" className="soc-grid__cell">
        <time className="soc-grid__text" dateTime={new Date(row.requestedAt).toISOString()} title={formatDateTime(row.requestedAt)}>
          {formatAge(row.requestedAt)}
        </time>
        {row.stale && <span className="ds-c-badge ds-c-badge--warn soc-grid__tag">Over {STALE_AFTER_DAYS} days</span>}
      </div>
      <div role="gridcell" className="soc-grid__cell">
        <button type="button" className="ds-c-button ds-c-button--ghost ds-c-button--small" tabIndex={-1} onClick={onView}>
          View<span className="ds-u-visibility--screen-reader"> {name}&rsquo;s request</span>
        </button>
      </div>
    </div>
  );
}
