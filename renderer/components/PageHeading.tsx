import { useEffect, useRef, type ReactNode } from 'react';

interface PageHeadingProps {
  children: ReactNode;
  /** Changes whenever the user navigates, so that focus follows even to the same page. */
  focusKey?: string | number;
  className?: string;
}

/**
 * The view's one h1. It takes focus when the view appears so that keyboard and screen-reader
 * users start at the top of the new content, as they would after a page load.
 */
export function PageHeading({ children, focusKey, className }: PageHeadingProps) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: false });
  }, [focusKey]);
  return (
    <h1 ref={ref} tabIndex={-1} className={['ds-text-heading--3xl soc-page-heading', className].filter(Boolean).join(' ')}>
      {children}
    </h1>
  );
}
