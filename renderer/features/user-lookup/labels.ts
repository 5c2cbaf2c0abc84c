import type { AccountAction } from '../../../shared/ipc/contract.js';

/** The words on each account action's button (QualityNet guide 5.3.1, "Security Administrator Action"). */
export const ACTION_LABELS: Record<AccountAction, string> = {
  approve: 'Approve account',
  unlock: 'Unlock account',
  resetPassword: 'Reset password',
  deactivate: 'Deactivate account',
  reactivate: 'Reactivate account',
  revokeCredentials: 'Remove two-factor credentials',
};
