import type { ProofingState, RequestStatus, UserStatus } from './domain.js';

/** Domain states in the words a person reads (the job aids' and the QualityNet guide's), for screens and for messages. */

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

/** An in-person proofing decision (QualityNet guide 5.4.4.2). */
export const PROOFING_DECISION_LABELS: Record<'approved' | 'cancelled' | 'rejected', string> = {
  approved: 'Approved',
  cancelled: 'Cancelled',
  rejected: 'Rejected',
};

/** A known code in words; any other text as it is (an archive from an older console may hold codes this one does not know). */
export function wordsFor<K extends string>(labels: Record<K, string>, code: string): string {
  return Object.prototype.hasOwnProperty.call(labels, code) ? labels[code as K] : code;
}
