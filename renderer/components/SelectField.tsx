import { useId, type ChangeEvent } from 'react';

export interface SelectOption {
  value: string;
  label: string;
}

interface SelectFieldProps {
  label: string;
  name: string;
  value: string;
  options: readonly SelectOption[];
  onChange: (value: string) => void;
  id?: string;
  hint?: string;
  errorMessage?: string | undefined;
  /** An empty first choice ("Select a program"); the main process says when one is required. */
  placeholder?: string;
  disabled?: boolean;
  className?: string;
}

/**
 * A native select with the design system's label, hint and error. Native, so that the keyboard,
 * screen readers and type-ahead behave as everywhere else on the desktop.
 */
export function SelectField({ label, name, value, options, onChange, id, hint, errorMessage, placeholder, disabled, className }: SelectFieldProps) {
  const generated = useId();
  const fieldId = id ?? `select-${generated}`;
  const hintId = `${fieldId}-hint`;
  const errorId = `${fieldId}-error`;
  const describedBy = [hint ? hintId : null, errorMessage ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={['ds-u-clearfix soc-select', className].filter(Boolean).join(' ')}>
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
      <select
        id={fieldId}
        name={name}
        className={`ds-c-field soc-select__field${errorMessage ? ' ds-c-field--error' : ''}`}
        value={value}
        disabled={disabled}
        aria-invalid={errorMessage ? true : undefined}
        aria-describedby={describedBy}
        onChange={(event: ChangeEvent<HTMLSelectElement>) => onChange(event.target.value)}
      >
        {placeholder !== undefined && <option value="">{placeholder}</option>}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}
