import type { ProofingState, RequestStatus, UserStatus } from '../../shared/domain.js';

/** Domain states in the words a person reads (the job aids' and the QualityNet guide's). */

export const REQUEST_STATUS_LABELS: Record<RequestStatus, string> = {
  pending: 'Pending',
  approved: 'Approved',
  rejected: 'Rejected',
  cancelled: 'Withdrawn',
};

export const USER_STATUS_LABELS: Record<UserStatus, string> = {
  pending: 'Pending',
  active: 'Active',
  temporarily_locked: 'Temporarily locked',
  locked: 'Locked',
  deactivated: 'Deactivated',
  not_activated: 'Not activated',
};

export const PROOFING_STATE_LABELS: Record<ProofingState, string> = {
  not_started: 'Identity not yet proofed',
  referred_phone: 'Referred to phone proofing',
  referred_in_person: 'Referred to in-person proofing',
  proofed_remote: 'Identity proofed online',
  proofed_in_person: 'Identity proofed in person',
  rejected: 'Identity proofing rejected',
};

/** An organization as a person names it: "Sunrise Skilled Nursing Center (123)". */
export function organizationLabel(organization: { displayId: string; name: string }): string {
  return organization.name === organization.displayId ? organization.name : `${organization.name} (${organization.displayId})`;
}
