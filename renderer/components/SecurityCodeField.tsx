import type { ChangeEvent } from 'react';
import { TextField } from '@cmsgov/design-system';

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
}: SecurityCodeFieldProps) {
  return (
    <TextField
      id={id}
      name={name}
      label={label}
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
