import { useState, type KeyboardEvent, type ReactNode } from 'react';
import { useVirtualRows } from './useVirtualRows.js';
import './grid.css';

export interface GridColumn<T> {
  header: ReactNode;
  cell: (row: T) => ReactNode;
}

interface VirtualGridProps<T> {
  rows: readonly T[];
  columns: ReadonlyArray<GridColumn<T>>;
  rowKey: (row: T) => number | string;
  /** The usual row height in px (CSS sets it as the minimum): only the rows on screen are rendered, so 10 million rows cost what is on screen. */
  rowHeight: number;
  headerHeight: number;
  hasMore: boolean;
  loadingMore: boolean;
  /** A store action (stable across renders). */
  loadMore: () => unknown;
  /** Enter on a row (View). */
  onOpen?: (row: T) => void;
  labelledBy: string;
  describedBy?: string;
  className: string;
  testId: string;
  rowAttributes?: (row: T) => Record<string, string | number>;
  /** Ask for the next page when this close to the last loaded row. */
  loadAhead?: number;
}

/**
 * A read-only list as an ARIA grid that grows with the page (the window scrolls it, its header row
 * sticks): virtualized (only rows on screen are in the DOM; aria-rowindex says where they are),
 * keyset-paged as the user scrolls, one tab stop (the row the keyboard is
 * on): arrows, Home/End and Page Up/Down move, Enter opens the row. Role Requests' grid, without
 * selection.
 */
export function VirtualGrid<T>(props: VirtualGridProps<T>) {
  const { rows, columns, rowKey, rowHeight, headerHeight, hasMore, loadingMore, loadMore, onOpen, labelledBy, describedBy, className, testId, rowAttributes } =
    props;
  const loadAhead = props.loadAhead ?? 30;
  const [activeIndex, setActiveIndex] = useState(0);
  const active = Math.min(activeIndex, Math.max(0, rows.length - 1));
  const { scrollRef, bodyRef, virtualizer, items, navigate, offsetOf, measureRow } = useVirtualRows({
    rows,
    rowKey,
    rowHeight,
    headerHeight,
    activeIndex: active,
    setActiveIndex,
    hasMore,
    loadingMore,
    loadMore,
    loadAhead,
  });

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (!navigate(event.key)) {
      const onControl = (event.target as HTMLElement).closest('button, a, input') !== null;
      const row = rows[active];
      if (event.key !== 'Enter' || onControl || !row || !onOpen) return;
      onOpen(row);
    }
    event.preventDefault();
  }

  return (
    <div
      ref={scrollRef}
      role="grid"
      className={`soc-grid ${className}`}
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      aria-rowcount={hasMore ? -1 : rows.length + 1}
      aria-colcount={columns.length}
      aria-readonly="true"
      data-testid={testId}
    >
      <div role="rowgroup" className="soc-grid__head">
        <div role="row" aria-rowindex={1} className="soc-grid__row soc-grid__row--head">
          {columns.map((column, i) => (
            <div key={i} role="columnheader" className="soc-grid__cell">
              {column.header}
            </div>
          ))}
        </div>
      </div>
      <div ref={bodyRef} role="rowgroup" className="soc-grid__body" style={{ height: virtualizer.getTotalSize() }} onKeyDown={onKeyDown}>
        {items.map((item) => {
          const row = rows[item.index];
          if (row === undefined) return null;
          return (
            <div
              key={item.key}
              ref={measureRow}
              role="row"
              aria-rowindex={item.index + 2}
              tabIndex={item.index === active ? 0 : -1}
              data-index={item.index}
              {...rowAttributes?.(row)}
              className="soc-grid__row soc-grid__row--body"
              style={{ transform: `translateY(${offsetOf(item.start)}px)` }}
              onFocus={() => setActiveIndex(item.index)}
            >
              {columns.map((column, i) => (
                <div key={i} role="gridcell" className="soc-grid__cell">
                  {column.cell(row)}
                </div>
              ))}
            </div>
          );
        })}
      </div>
    </div>
  );
}
