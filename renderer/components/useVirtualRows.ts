import { useCallback, useEffect, useLayoutEffect, useRef } from 'react';
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';

interface VirtualRowsOptions<T> {
  rows: readonly T[];
  rowKey: (row: T) => number | string;
  /** Fixed heights in px (CSS sets the same), so a long list costs only what is on screen. */
  rowHeight: number;
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

/**
 * What every virtualized, keyset-paged ARIA grid of the console shares: only the rows on screen
 * (plus the active one, so the tab stop always exists) are rendered; the next page is asked for
 * as the user nears the end; arrows, Home/End and Page Up/Down move the active row and focus.
 * `navigate` handles those keys and says whether it did; the grid handles its own (Enter, Space...).
 */
export function useVirtualRows<T>(options: VirtualRowsOptions<T>) {
  const { rows, rowKey, rowHeight, headerHeight, activeIndex, setActiveIndex, hasMore, loadingMore, loadMore, loadAhead } = options;
  const scrollRef = useRef<HTMLDivElement>(null);
  /** Set when the keyboard moved the active row, so the effect below moves focus with it. */
  const focusPending = useRef(false);

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

  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 10,
    scrollMargin: headerHeight,
    scrollPaddingStart: headerHeight,
    rangeExtractor,
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
    virtualizer.scrollToIndex(next, { align: 'auto' });
    if (next === activeIndex) {
      focusPending.current = false;
      scrollRef.current?.querySelector<HTMLElement>(`[data-index="${next}"]`)?.focus({ preventScroll: true });
    }
  }

  /** Moves the active row for the grid's movement keys; false for any other key. */
  function navigate(key: string): boolean {
    const visibleRows = Math.max(1, Math.floor(((scrollRef.current?.clientHeight ?? 0) - headerHeight) / rowHeight) - 1);
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

  return { scrollRef, virtualizer, items, navigate };
}
