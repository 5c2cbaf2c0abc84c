import './forms.css';

/** The job aids mark required fields with "*"; this line says so above the form, in the iQIES job aid's words. */
export function RequiredNote({ children = 'All fields marked with an asterisk (*) are required.' }: { children?: string }) {
  return (
    <p className="ds-u-font-size--sm soc-required-note" data-testid="required-note">
      {children}
    </p>
  );
}

/** A label with the job aids' "*" marker, after it as on User Lookup ("Program *"). */
export function required(label: string): string {
  return `${label} *`;
}
