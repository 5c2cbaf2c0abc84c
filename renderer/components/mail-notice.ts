import type { MailNotice } from '../../shared/ipc/contract.js';

/**
 * What an official is told about the emails a decision queued: never that an email was sent
 * when it only waits in the Outbox. Null when the decision emailed nobody.
 */
export function mailNoticeText(mail: MailNotice | null | undefined, count: 'one' | 'several' = 'one'): string | null {
  if (!mail) return null;
  const one = count === 'one';
  if (mail === 'not_configured') return one ? 'The email is queued: no mail server is set up yet.' : 'The emails are queued: no mail server is set up yet.';
  return one
    ? 'The email is queued and goes out shortly; the Outbox shows when it is sent.'
    : 'The emails are queued and go out shortly; the Outbox shows when they are sent.';
}

/** Several calls' notices as one: any that found no mail server set up is the one to tell. */
export function mergeMailNotices(a: MailNotice | null, b: MailNotice | null | undefined): MailNotice | null {
  if (a === 'not_configured' || b === 'not_configured') return 'not_configured';
  return a ?? b ?? null;
}
