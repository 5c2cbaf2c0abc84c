/** Domain states in the words a person reads: one list, shared with the files the console writes. */
export { PROOFING_STATE_LABELS, REQUEST_STATUS_LABELS, USER_STATUS_LABELS } from '../../shared/labels.js';

/** An organization as a person names it: "Sunrise Skilled Nursing Center (123)". */
export function organizationLabel(organization: { displayId: string; name: string }): string {
  return organization.name === organization.displayId ? organization.name : `${organization.name} (${organization.displayId})`;
}
