// The states' words live in shared/ so that the main process writes them into messages the same way.
export { PROOFING_DECISION_LABELS, PROOFING_STATE_LABELS, REQUEST_STATUS_LABELS, USER_STATUS_LABELS, wordsFor } from '../../shared/words.js';

/** An organization as a person names it: "Sunrise Skilled Nursing Center (123)". */
export function organizationLabel(organization: { displayId: string; name: string }): string {
  return organization.name === organization.displayId ? organization.name : `${organization.name} (${organization.displayId})`;
}
