import { useId, type ChangeEvent } from 'react';

interface DateFieldProps {
  label: string;
  name: string;
  /** yyyy-mm-dd, or '' for none. */
  value: string;
  onChange: (value: string) => void;
  id?: string;
  hint?: string;
  errorMessage?: string | undefined;
  className?: string;
}

/**
 * A native date input in the design system's field style: the browser's own picker and
 * keyboard entry, read by screen readers as a date.
 */
export function DateField({ label, name, value, onChange, id, hint, errorMessage, className }: DateFieldProps) {
  const generated = useId();
  const fieldId = id ?? `date-${generated}`;
  const hintId = `${fieldId}-hint`;
  const errorId = `${fieldId}-error`;
  const describedBy = [hint ? hintId : null, errorMessage ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={['soc-date', className].filter(Boolean).join(' ')}>
      <label className="ds-c-label" htmlFor={fieldId}>
        {label}
      </label>
      {hint && (
        <p className="ds-c-hint" id={hintId}>
          {hint}
        </p>
      )}
      {errorMessage && (
        <p className="ds-c-inline-error" id={errorId}>
          {errorMessage}
        </p>
      )}
      <input
        id={fieldId}
        name={name}
        type="date"
        className={`ds-c-field soc-date__field${errorMessage ? ' ds-c-field--error' : ''}`}
        value={value}
        aria-invalid={errorMessage ? true : undefined}
        aria-describedby={describedBy}
        onChange={(event: ChangeEvent<HTMLInputElement>) => onChange(event.target.value)}
      />
    </div>
  );
}
