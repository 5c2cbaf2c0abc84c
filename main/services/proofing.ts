import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import PDFDocument from 'pdfkit';
import type { Clock } from '../clock.js';
import type { ChannelOutput, ChannelParsedInput, MailNotice, ProofingSubject } from '../../shared/ipc/contract.js';
import { AppError } from '../../shared/ipc/errors.js';
import { isProofed } from '../../shared/domain.js';
import type { ProofingState } from '../../shared/domain.js';
import { DOCUMENT_KINDS, EVIDENCE_KINDS, EVIDENCE_LABELS, FRAUD_REASON, INSPECTION_LABELS, PROOFING_FORM_MESSAGES, assessIal2 } from '../../shared/proofing.js';
import type { EvidenceKind, ProofingDocument } from '../../shared/proofing.js';
import type { OutboxDraft } from '../store/outbox-rows.js';
import type { ProofingDecision, ProofingRecord } from '../store/proofing-store.js';
import type { UserRecord } from '../store/types.js';
import type { Store } from '../store/store.js';
import type { FileTransfer } from './files.js';
import { AUTHORITY_CHANGED, officialOf, proofingRefusal, visibleUser } from './officials.js';
import { NO_AUTHORITY } from '../store/authority.js';
import type { Official } from './officials.js';
import type { Session } from './sessions.js';
import { proofingDecidedEmail, proofingFraudEmail } from './email-texts.js';

export const PROOFING_MESSAGES = {
  notOfficial: 'Only Security Officials prove identities in person.',
  notFound: 'No account with this Account ID in the organizations you administer.',
  self: 'You cannot prove your own identity. Another Security Official must do it.',
  createdAccount: "You created this account: another Security Official must prove this person's identity.",
  alreadyProofed: "This person's identity is already proofed.",
  changedMeanwhile: "Another decision on this person's identity was recorded meanwhile. Look the person up again before deciding.",
  appeared: PROOFING_FORM_MESSAGES.appeared,
  reasonRequired: PROOFING_FORM_MESSAGES.reasonRequired,
  commentsRequired: PROOFING_FORM_MESSAGES.commentsRequired,
  fraudRejects: PROOFING_FORM_MESSAGES.fraudRejects,
  canadaInPerson: 'Experian is unable to verify the identity of individuals who reside in Canada: they are proofed in person.',
} as const;

/**
 * Outcomes a remote identity-proofing provider reports (QualityNet guide, Table 5-1). The
 * console calls no provider itself; an adapter for one reports through recordRemoteOutcome.
 */
export type RemoteProofingOutcome =
  /** Identity questions answered: proofed online. */
  | 'verified'
  /** "Your identity cannot be verified via online authentication": phone Experian with the reference ID. */
  | 'cannot_verify'
  /** "Identity questions cannot be generated for you": phone Experian with the reference ID. */
  | 'questions_not_generated'
  /** The phone session did not succeed: in person with a Security Administrator. */
  | 'phone_failed'
  /** Canada as the country of residence: in person with a Security Administrator. */
  | 'canada';

const REMOTE_STATES: Record<RemoteProofingOutcome, ProofingState> = {
  verified: 'proofed_remote',
  cannot_verify: 'referred_phone',
  questions_not_generated: 'referred_phone',
  phone_failed: 'referred_in_person',
  canada: 'referred_in_person',
};

const DECISIONS: Record<'approve' | 'cancel' | 'reject', ProofingDecision> = { approve: 'approved', cancel: 'cancelled', reject: 'rejected' };

const isCanada = (country: string) => /^(ca|can|canada)$/i.test(country.trim());

/** In-Person Proofing (QualityNet guide 5.4.4.2): the person is in the room with the official. */
export class ProofingService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly files: FileTransfer,
    /** Called after a commit that queued emails: delivers soon, and says whether a mail server is set up. */
    private readonly onMailQueued: () => Promise<MailNotice> = async () => 'not_configured',
  ) {}

  async lookup(session: Session, input: ChannelParsedInput<'proofing.lookup'>): Promise<ProofingSubject> {
    const official = await this.official(session);
    const subject = await visibleUser(this.store, official, input.accountId, PROOFING_MESSAGES.notFound);
    return this.subjectView(official, subject);
  }

  async decide(session: Session, input: ChannelParsedInput<'proofing.decide'>): Promise<ChannelOutput<'proofing.decide'>> {
    const official = await this.official(session);
    const subject = await visibleUser(this.store, official, input.accountId, PROOFING_MESSAGES.notFound);
    const separation = this.separationRefusal(official, subject);
    if (separation) throw new AppError('FORBIDDEN', separation);
    if (isProofed(subject.proofingState)) throw new AppError('CONFLICT', PROOFING_MESSAGES.alreadyProofed);
    const documents = input.documents as Partial<Record<EvidenceKind, ProofingDocument>>;
    this.checkDocuments(documents);

    let reason: string | null = null;
    let comments: string | null = input.comments.trim() === '' ? null : input.comments.trim();
    if (input.decision === 'approve') {
      if (input.suspectedFraud) throw new AppError('VALIDATION', PROOFING_MESSAGES.fraudRejects, 'suspectedFraud');
      if (!input.appearedInPerson) throw new AppError('VALIDATION', PROOFING_MESSAGES.appeared, 'appearedInPerson');
      const ial2 = assessIal2(documents, this.today());
      if (!ial2.reached) throw new AppError('VALIDATION', ial2.why ?? 'These documents do not reach IAL2.', 'documents');
    } else if (input.decision === 'reject') {
      reason = input.suspectedFraud ? FRAUD_REASON : (input.reason ?? null);
      if (reason === null) throw new AppError('VALIDATION', PROOFING_MESSAGES.reasonRequired, 'reason');
      // QualityNet guide 5.4.4.2, step 7: "If you reject the user, you must explain why in the Comments field".
      if (comments === null) throw new AppError('VALIDATION', PROOFING_MESSAGES.commentsRequired, 'comments');
    } else {
      comments ??= 'Cancelled: the person may come back with the right documents.';
    }

    const decision = DECISIONS[input.decision];
    const newState: ProofingState | null = decision === 'approved' ? 'proofed_in_person' : decision === 'rejected' ? 'rejected' : null;
    const name = `${subject.firstName} ${subject.lastName}`;
    const outbox: OutboxDraft[] = [
      {
        to: subject.email,
        ...proofingDecidedEmail(decision, reason),
        kind: `proofing.${decision}`,
        organizationId: subject.homeOrganizationId,
        requestId: null,
      },
    ];
    if (input.suspectedFraud) {
      // Alert the person's organizations' other officials (not the person).
      for (const o of await this.store.proofing.officialEmailsAround(subject.id, official.id)) {
        outbox.push({
          to: o.email,
          ...proofingFraudEmail({ name, userId: subject.userId, comments }),
          kind: 'proofing.fraud',
          organizationId: o.organizationId,
          requestId: null,
        });
      }
    }
    const recordId = await this.store.proofing.record(
      {
        subjectId: subject.id,
        officialId: official.id,
        decision,
        documents,
        appearedInPerson: input.appearedInPerson,
        reason,
        comments,
        suspectedFraud: input.suspectedFraud,
      },
      newState,
      [
        {
          action: `proofing.${decision}`,
          actorId: official.id,
          subjectUserId: subject.id,
          organizationId: subject.homeOrganizationId,
          details: { reason, suspectedFraud: input.suspectedFraud, evidence: EVIDENCE_KINDS.filter((k) => documents[k] !== undefined).join(',') },
        },
      ],
      outbox,
      subject.proofingState,
    );
    // Another official (or the remote provider) decided on the person since the state was read
    // above, or the official's own roles changed meanwhile.
    if (recordId === 'changed') {
      const now = await this.store.users.byId(subject.id);
      throw new AppError('CONFLICT', now && isProofed(now.proofingState) ? PROOFING_MESSAGES.alreadyProofed : PROOFING_MESSAGES.changedMeanwhile);
    }
    if (recordId === NO_AUTHORITY) throw new AppError('FORBIDDEN', AUTHORITY_CHANGED);
    const mail = await this.onMailQueued();
    const after = (await this.store.users.byId(subject.id)) ?? subject;
    return { recordId, subject: await this.subjectView(official, after), mail };
  }

  /** A printable receipt of the proofing record for the person (PDF): types, issuers, expiry, last 4 only. */
  async receipt(session: Session, input: ChannelParsedInput<'proofing.receipt'>): Promise<ChannelOutput<'proofing.receipt'>> {
    const official = await this.official(session);
    const record = await this.store.proofing.byId(input.recordId);
    if (!record) throw new AppError('NOT_FOUND', 'No such proofing record.');
    await visibleUser(this.store, official, record.subjectUserId, 'No such proofing record.');
    const target = await this.files.save(session.clientId, `Identity proofing receipt ${record.id}.pdf`);
    if (!target) return { delivery: null };
    try {
      await writeReceipt(record, target.path);
    } catch (error) {
      await target.abort();
      throw error;
    }
    await this.store.audit.append([
      { action: 'proofing.receipt_printed', actorId: official.id, subjectUserId: record.subjectId, details: { recordId: record.id } },
    ]);
    return { delivery: await target.commit() };
  }

  /** Table 5-1's outcomes onto the proofing state; a person in Canada is only ever proofed in person. */
  async recordRemoteOutcome(userRowId: number, outcome: RemoteProofingOutcome, referenceId: string | null): Promise<ProofingState> {
    const user = await this.store.users.byId(userRowId);
    if (!user) throw new AppError('NOT_FOUND', 'No such user.');
    if (isProofed(user.proofingState)) throw new AppError('CONFLICT', PROOFING_MESSAGES.alreadyProofed);
    if (outcome === 'verified' && isCanada(await this.countryOf(userRowId))) throw new AppError('CONFLICT', PROOFING_MESSAGES.canadaInPerson);
    const state = REMOTE_STATES[outcome];
    const written = await this.store.proofing.setRemoteOutcome(userRowId, state, referenceId, [
      { action: 'proofing.remote_outcome', actorId: null, subjectUserId: userRowId, details: { outcome, referenceId } },
    ]);
    if (!written) throw new AppError('CONFLICT', PROOFING_MESSAGES.alreadyProofed);
    return state;
  }

  private official(session: Session): Promise<Official> {
    return officialOf(this.store, session, PROOFING_MESSAGES.notOfficial);
  }

  private today(): string {
    return new Date(this.clock.now()).toISOString().slice(0, 10);
  }

  private async countryOf(userRowId: number): Promise<string> {
    return (await this.store.userAdmin.profile(userRowId))?.country ?? '';
  }

  /** Each document must be one that can confirm the evidence it is shown for, and say when it expires. */
  private checkDocuments(documents: Partial<Record<EvidenceKind, ProofingDocument>>): void {
    for (const kind of EVIDENCE_KINDS) {
      const d = documents[kind];
      if (!d) continue;
      const documentKind = DOCUMENT_KINDS[d.type];
      if (!(documentKind.evidence as readonly EvidenceKind[]).includes(kind)) {
        throw new AppError('VALIDATION', `A ${documentKind.label.toLowerCase()} cannot serve as ${EVIDENCE_LABELS[kind]}.`, 'documents');
      }
      if (documentKind.expires && d.expiresOn === null) {
        throw new AppError('VALIDATION', `Enter the expiry date of the ${documentKind.label.toLowerCase()} (${EVIDENCE_LABELS[kind]}).`, 'documents');
      }
    }
  }

  /** Nobody proofs themselves, and the official who created an account does not proof it. */
  private separationRefusal(official: Official, subject: UserRecord): string | null {
    if (proofingRefusal(official, subject) === null) return null;
    return subject.id === official.id ? PROOFING_MESSAGES.self : PROOFING_MESSAGES.createdAccount;
  }

  private async subjectView(official: Official, subject: UserRecord): Promise<ProofingSubject> {
    const profile = await this.store.userAdmin.profile(subject.id);
    const refusal = this.separationRefusal(official, subject) ?? (isProofed(subject.proofingState) ? PROOFING_MESSAGES.alreadyProofed : null);
    return {
      userId: subject.userId,
      firstName: subject.firstName,
      lastName: subject.lastName,
      state: profile?.state ?? '',
      country: profile?.country ?? '',
      proofingState: subject.proofingState,
      reference: await this.store.proofing.reference(subject.id),
      refusal,
      history: (await this.store.proofing.history(subject.id)).map((r) => ({
        recordId: r.id,
        decision: r.decision,
        decidedAt: r.decidedAt,
        official: r.officialEmail,
        reason: r.reason,
      })),
    };
  }
}

const DECISION_WORDS: Record<ProofingDecision, string> = { approved: 'Approved', cancelled: 'Cancelled', rejected: 'Rejected' };

/** The receipt, laid out with pdfkit: what the person showed, and what the official decided. */
async function writeReceipt(record: ProofingRecord, path: string): Promise<void> {
  const doc = new PDFDocument({ size: 'LETTER', margin: 54, info: { Title: `Identity proofing receipt ${record.id}`, Author: 'Security Official Console' } });
  const out = createWriteStream(path, { mode: 0o600 });
  doc.pipe(out);
  doc.fontSize(18).font('Helvetica-Bold').text('In-Person Identity Proofing Receipt');
  doc.moveDown(0.5).fontSize(10).font('Helvetica').fillColor('#555555').text('Security Official Console. A U.S. Government information system.');
  doc.moveDown().fillColor('#000000').fontSize(11);
  const line = (label: string, value: string) => doc.font('Helvetica-Bold').text(`${label}: `, { continued: true }).font('Helvetica').text(value);
  line('Record', String(record.id));
  line('Person', `${record.subjectName} (user ID ${record.subjectUserId})`);
  line('Decision', DECISION_WORDS[record.decision]);
  line('Date and time (UTC)', new Date(record.decidedAt).toISOString().replace('T', ' ').slice(0, 16));
  line('Security Official', `${record.officialName} (${record.officialEmail})`);
  line('Appeared in person', record.appearedInPerson ? 'Yes, affirmed by the Security Official' : 'Not affirmed');
  if (record.reason) line('Reason for Rejection', record.reason);
  if (record.comments) line('Comments', record.comments);
  doc.moveDown().font('Helvetica-Bold').fontSize(13).text('Documents presented');
  doc.fontSize(11);
  for (const kind of EVIDENCE_KINDS) {
    const d = record.documents[kind];
    doc.moveDown(0.4).font('Helvetica-Bold').text(EVIDENCE_LABELS[kind]);
    if (!d) {
      doc.font('Helvetica').text('None recorded');
      continue;
    }
    const documentKind = DOCUMENT_KINDS[d.type];
    doc
      .font('Helvetica')
      .text(`${documentKind.label} (${documentKind.strength}), issued by ${d.issuer}`)
      .text(`${d.expiresOn ? `Expires ${d.expiresOn}` : 'No expiry date'}; number ending ${d.last4}; ${INSPECTION_LABELS[d.inspection].toLowerCase()}`);
  }
  doc
    .moveDown()
    .fontSize(9)
    .fillColor('#555555')
    .text('This receipt holds the last 4 characters of each document number only. No whole document number and no Social Security number are kept.');
  doc.end();
  await finished(out);
}
