import './required-mark.css';

/**
 * The class that puts the job aids' red asterisk after a required field's label ("User ID *").
 * Drawn by CSS with empty alternative text, so the field's name stays "User ID"; screen
 * readers hear "required" from the input itself (give it `required`).
 */
export const REQUIRED_LABEL = 'soc-required-label';

/** The key to the asterisks, above a form (QualityNet guide, Figure 5-4: "* Required Field"). */
export function RequiredFieldNote() {
  return (
    <p className="soc-required-note ds-u-font-size--sm">
      <span className="soc-required" aria-hidden="true">
        *
      </span>{' '}
      Required Field
    </p>
  );
}
