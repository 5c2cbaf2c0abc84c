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
  hint?: string | undefined;
  /** The hint changes as other fields do (a list narrowed, a choice cleared): announce it. */
  liveHint?: boolean;
  /** Below the field, so that a row of fields stays aligned when only one has a hint. */
  hintBelow?: boolean;
  errorMessage?: string | undefined;
  /** An empty first choice ("Select a program"); the main process says when one is required. */
  placeholder?: string;
  disabled?: boolean;
  className?: string;
  /** Marked required for assistive technology (the label carries the visible "*"). */
  required?: boolean;
}

/**
 * A native select with the design system's label, hint and error. Native, so that the keyboard,
 * screen readers and type-ahead behave as everywhere else on the desktop.
 */
export function SelectField({
  label,
  name,
  value,
  options,
  onChange,
  id,
  hint,
  liveHint,
  hintBelow,
  errorMessage,
  placeholder,
  disabled,
  className,
  required,
}: SelectFieldProps) {
  const generated = useId();
  const fieldId = id ?? `select-${generated}`;
  const hintId = `${fieldId}-hint`;
  const errorId = `${fieldId}-error`;
  // A live region must be in the page before its words change, or nothing is announced.
  const hintParagraph = (hint || liveHint) && (
    <p className={hintBelow ? 'ds-c-hint soc-select__hint-below' : 'ds-c-hint'} id={hintId} aria-live={liveHint ? 'polite' : undefined}>
      {hint}
    </p>
  );
  const describedBy = [hint ? hintId : null, errorMessage ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={['ds-u-clearfix soc-select', className].filter(Boolean).join(' ')}>
      <label className="ds-c-label" htmlFor={fieldId}>
        {label}
      </label>
      {!hintBelow && hintParagraph}
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
        aria-required={required || undefined}
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
      {hintBelow && hintParagraph}
    </div>
  );
}
