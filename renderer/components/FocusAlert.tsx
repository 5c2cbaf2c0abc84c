import { useEffect, useRef, type ReactNode } from 'react';
import { Alert } from '@cmsgov/design-system';

interface FocusAlertProps {
  variation: 'success' | 'warn' | 'error';
  heading?: string;
  children: ReactNode;
  /** Changes for each new outcome, so that focus moves to it even when the text repeats. */
  focusKey: unknown;
  testId?: string;
  className?: string;
}

/**
 * The outcome of an action (the job aids' green notification). It takes focus when it appears,
 * so that keyboard and screen-reader users hear it where the dialog closed.
 */
export function FocusAlert({ variation, heading, children, focusKey, testId, className }: FocusAlertProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // After this commit: a pop-up closed by the same change hands focus back to its opener
    // first, and the outcome should have it.
    const frame = requestAnimationFrame(() => ref.current?.focus());
    return () => cancelAnimationFrame(frame);
  }, [focusKey]);
  return (
    <div ref={ref} tabIndex={-1} className="soc-focus-target" data-testid={testId}>
      <Alert variation={variation} heading={heading} headingLevel="2" className={className ?? 'ds-u-margin-y--3'}>
        {children}
      </Alert>
    </div>
  );
}

/** The main process's message, verbatim. */
export function ErrorAlert({ message, className }: { message: string; className?: string }) {
  return (
    <Alert variation="error" role="alert" className={className ?? 'ds-u-margin-y--2'}>
      <p className="ds-c-alert__text">{message}</p>
    </Alert>
  );
}
