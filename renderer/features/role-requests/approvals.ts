import type { QueueRow } from '../../../shared/ipc/contract.js';

type Approvals = NonNullable<QueueRow['approvals']>;

/** "1 of 2 approvals": the dual control of a CMS Security Official role, as the queue shows it. */
export const approvalsCount = (approvals: Approvals) => `${approvals.given} of ${approvals.needed} approvals`;

/** Who approved so far and what is still missing, in a sentence. */
export function approvalsBy(approvals: Approvals): string {
  const left = approvals.needed - approvals.given;
  if (approvals.given === 0) {
    return approvals.needed === 1
      ? 'No approval yet. One CMS Security Official grants it: this console has no other.'
      : `No approval yet. ${approvals.needed} different CMS Security Officials must approve.`;
  }
  const who = `Approved by ${approvals.by.join(' and ')}.`;
  if (left <= 0) return who;
  return `${who} ${left === 1 ? 'One more CMS Security Official' : `${left} more CMS Security Officials`} must approve.`;
}
