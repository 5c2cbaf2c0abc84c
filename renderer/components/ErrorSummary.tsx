import { useEffect, useRef } from 'react';
import { Alert } from '@cmsgov/design-system';

export interface FieldError {
  /** The contract's input key (e.g. "password"), or null for an error about the whole form. */
  field: string | null;
  message: string;
}

interface ErrorSummaryProps {
  errors: readonly FieldError[];
  /** The id of the input for a field, so that each error links to what needs fixing. */
  idFor: (field: string) => string;
  heading?: string;
}

/**
 * The error summary at the top of a form. It takes focus when errors appear, so keyboard and
 * screen-reader users learn of them, and each entry moves focus to its field.
 */
export function ErrorSummary({ errors, idFor, heading = 'There is a problem' }: ErrorSummaryProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (errors.length > 0) ref.current?.focus();
  }, [errors]);
  if (errors.length === 0) return null;

  return (
    <div ref={ref} tabIndex={-1} className="soc-error-summary">
      <Alert variation="error" heading={heading} className="ds-u-margin-y--3">
        <ul className="ds-c-list ds-u-margin-y--0">
          {errors.map((error, index) => (
            <li key={`${error.field ?? ''}-${index}`}>
              {error.field ? (
                <a
                  href={`#${idFor(error.field)}`}
                  onClick={(event) => {
                    // Focus the field without a fragment navigation (Electron denies navigation).
                    event.preventDefault();
                    document.getElementById(idFor(error.field ?? ''))?.focus();
                  }}
                >
                  {error.message}
                </a>
              ) : (
                error.message
              )}
            </li>
          ))}
        </ul>
      </Alert>
    </div>
  );
}

/** The message for one field, to show inline next to its input. */
export function errorFor(errors: readonly FieldError[], field: string): string | undefined {
  return errors.find((error) => error.field === field)?.message;
}
