import type { ProofingState, RequestStatus, UserStatus } from './domain.js';

/**
 * Domain states in the words a person reads (the job aids' and the QualityNet guide's). Shared:
 * the screens show them, and the files the console writes (CSV, PDF) carry the same words.
 */

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
