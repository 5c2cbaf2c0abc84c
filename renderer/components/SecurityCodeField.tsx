import type { ChangeEvent } from 'react';
import { TextField } from '@cmsgov/design-system';
import { REQUIRED_LABEL } from './RequiredMark.js';

interface SecurityCodeFieldProps {
  id: string;
  value: string;
  onChange: (value: string) => void;
  errorMessage?: string | undefined;
  hint?: string;
  name?: string;
  disabled?: boolean;
  /** The label, where a form marks its required fields ("* Security Code"). */
  label?: string;
  /** Marks the field required (the job aids' asterisk, and `required` for screen readers). */
  required?: boolean;
}

/** The 6-digit code from an authenticator app, as every form of the console asks for it. */
export function SecurityCodeField({
  id,
  value,
  onChange,
  errorMessage,
  hint = 'The 6-digit code your authenticator app shows now.',
  name = 'code',
  disabled,
  label = 'Security Code',
  required,
}: SecurityCodeFieldProps) {
  return (
    <TextField
      id={id}
      name={name}
      label={label}
      labelClassName={required ? REQUIRED_LABEL : undefined}
      required={required}
      hint={hint}
      numeric
      autoComplete="one-time-code"
      maxLength={6}
      size="small"
      spellCheck={false}
      value={value}
      disabled={disabled}
      errorMessage={errorMessage}
      onChange={(event: ChangeEvent<HTMLInputElement>) => onChange(event.target.value)}
    />
  );
}
