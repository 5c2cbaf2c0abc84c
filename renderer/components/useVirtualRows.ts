import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { defaultRangeExtractor, useWindowVirtualizer, type Range } from '@tanstack/react-virtual';

interface VirtualRowsOptions<T> {
  rows: readonly T[];
  rowKey: (row: T) => number | string;
  /** The usual row height in px (CSS sets it as the minimum); a row that wraps is measured. */
  rowHeight: number;
  /** The header row's height in px when it does not wrap (it is measured once on screen). */
  headerHeight: number;
  /** The row the keyboard is on: the grid's one tab stop. */
  activeIndex: number;
  setActiveIndex: (index: number) => void;
  hasMore: boolean;
  loadingMore: boolean;
  /** Stable across renders (a store action), or the effect that calls it reruns each render. */
  loadMore: () => unknown;
  /** Ask for the next page when the rows on screen come this close to the last loaded one. */
  loadAhead: number;
}

interface Layout {
  /** Where the first row starts, from the top of the document. */
  bodyTop: number;
  /** How much of the window's top the sticky header (and what sticks above it) covers. */
  covered: number;
}

/**
 * What every virtualized, keyset-paged ARIA grid of the console shares: the grid grows with the
 * page and the window scrolls it (no box with its own scroll bar hides the seventh request); only
 * the rows on screen (plus the active one, so the tab stop always exists) are rendered; the next
 * page is asked for as the user nears the end; arrows, Home/End and Page Up/Down move the active
 * row and focus. `navigate` handles those keys and says whether it did; the grid handles its own
 * (Enter, Space...). Rows may wrap (a long organization name): each rendered row is measured.
 */
export function useVirtualRows<T>(options: VirtualRowsOptions<T>) {
  const { rows, rowKey, rowHeight, headerHeight, activeIndex, setActiveIndex, hasMore, loadingMore, loadMore, loadAhead } = options;
  /** The grid (role="grid"): rows are looked up in it to move focus. */
  const scrollRef = useRef<HTMLDivElement>(null);
  /** The rowgroup holding the body rows: its place on the page is the virtualizer's scroll margin. */
  const bodyRef = useRef<HTMLDivElement>(null);
  const [layout, setLayout] = useState<Layout>({ bodyTop: 0, covered: headerHeight });
  /** Set when the keyboard moved the active row, so the effect below moves focus with it. */
  const focusPending = useRef(false);

  // What is above the grid (filters, alerts, a notice) moves it down the page: measure where the
  // body starts after every render and whenever the page changes size.
  const measure = useCallback(() => {
    const body = bodyRef.current;
    const head = scrollRef.current?.querySelector<HTMLElement>('[role="rowgroup"]');
    if (!body) return;
    const bodyTop = Math.round(body.getBoundingClientRect().top + window.scrollY);
    const stickyTop = head ? Number.parseFloat(getComputedStyle(head).top) || 0 : 0;
    const covered = Math.round(stickyTop + (head?.getBoundingClientRect().height ?? headerHeight));
    setLayout((previous) => (previous.bodyTop === bodyTop && previous.covered === covered ? previous : { bodyTop, covered }));
  }, [headerHeight]);
  useLayoutEffect(measure);
  useEffect(() => {
    const observer = new ResizeObserver(() => measure());
    observer.observe(document.body);
    return () => observer.disconnect();
  }, [measure]);

  const rangeExtractor = useCallback(
    (range: Range) => {
      const indexes = defaultRangeExtractor(range);
      if (activeIndex < range.count && !indexes.includes(activeIndex)) {
        indexes.push(activeIndex);
        indexes.sort((a, b) => a - b);
      }
      return indexes;
    },
    [activeIndex],
  );

  const virtualizer = useWindowVirtualizer({
    count: rows.length,
    estimateSize: () => rowHeight,
    overscan: 10,
    scrollMargin: layout.bodyTop,
    // The sticky header covers the window's top: a row moved to "start" goes just below it.
    scrollPaddingStart: layout.covered,
    rangeExtractor,
    // Rounded up, not to the nearest pixel: a row of 65.3px taken as 65 would slide under the next one and hide its border.
    measureElement: (element) => Math.ceil(element.getBoundingClientRect().height),
    getItemKey: (index) => {
      const row = rows[index];
      return row === undefined ? index : rowKey(row);
    },
  });
  const items = virtualizer.getVirtualItems();
  const lastRendered = items.length > 0 ? (items[items.length - 1]?.index ?? -1) : -1;

  useEffect(() => {
    if (hasMore && !loadingMore && lastRendered >= rows.length - loadAhead) void loadMore();
  }, [hasMore, loadingMore, lastRendered, rows.length, loadMore, loadAhead]);

  useLayoutEffect(() => {
    if (!focusPending.current) return;
    focusPending.current = false;
    scrollRef.current?.querySelector<HTMLElement>(`[data-index="${activeIndex}"]`)?.focus({ preventScroll: true });
  }, [activeIndex]);

  function moveTo(index: number) {
    if (rows.length === 0) return;
    const next = Math.max(0, Math.min(index, rows.length - 1));
    focusPending.current = true;
    setActiveIndex(next);
    // 'instant': the design system asks the page for smooth scrolling, which would lag the keyboard.
    virtualizer.scrollToIndex(next, { align: 'auto', behavior: 'instant' });
    if (next === activeIndex) {
      focusPending.current = false;
      scrollRef.current?.querySelector<HTMLElement>(`[data-index="${next}"]`)?.focus({ preventScroll: true });
    }
  }

  /** Moves the active row for the grid's movement keys; false for any other key. */
  function navigate(key: string): boolean {
    const visibleRows = Math.max(1, Math.floor((window.innerHeight - layout.covered) / rowHeight) - 1);
    const targets: Record<string, number> = {
      ArrowDown: activeIndex + 1,
      ArrowUp: activeIndex - 1,
      Home: 0,
      End: rows.length - 1,
      PageDown: activeIndex + visibleRows,
      PageUp: activeIndex - visibleRows,
    };
    const target = targets[key];
    if (target === undefined) return false;
    moveTo(target);
    return true;
  }

  /** A body row's offset inside the body rowgroup (for its transform). */
  const offsetOf = (start: number) => start - layout.bodyTop;

  return { scrollRef, bodyRef, virtualizer, items, navigate, offsetOf, measureRow: virtualizer.measureElement };
}
