/**
 * In-person identity proofing (QualityNet guide 5.4.4.2): the kinds of evidence, the documents
 * officials accept for each, and their strength under NIST SP 800-63A. Shared so the form can
 * say live whether the chosen documents reach IAL2, and the main process decides by the same rule.
 */

export const EVIDENCE_KINDS = ['photo', 'address', 'dateOfBirth'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** The job aid's three selections, in its words. */
export const EVIDENCE_LABELS: Record<EvidenceKind, string> = {
  photo: 'Photo Identification',
  address: 'Address Confirmation',
  dateOfBirth: 'Date of Birth Confirmation',
};

export const STRENGTHS = ['FAIR', 'STRONG', 'SUPERIOR'] as const;
export type Strength = (typeof STRENGTHS)[number];

export interface DocumentKind {
  label: string;
  strength: Strength;
  /** Which evidence the document can confirm. */
  evidence: readonly EvidenceKind[];
  /** Whether it carries an expiry date (a utility bill does not). */
  expires: boolean;
}

/**
 * SP 800-63A, 5.2.1: a U.S. passport or a permanent resident card is SUPERIOR; a driver's
 * license, state ID, passport card or military ID is STRONG; a bill, statement, lease or birth
 * certificate is FAIR. No document type here asks for a Social Security number.
 */
export const DOCUMENT_KINDS = {
  us_passport: { label: 'U.S. passport', strength: 'SUPERIOR', evidence: ['photo', 'dateOfBirth'], expires: true },
  permanent_resident_card: { label: 'Permanent resident card', strength: 'SUPERIOR', evidence: ['photo', 'dateOfBirth'], expires: true },
  passport_card: { label: 'U.S. passport card', strength: 'STRONG', evidence: ['photo', 'dateOfBirth'], expires: true },
  drivers_license: { label: "Driver's license", strength: 'STRONG', evidence: ['photo', 'address', 'dateOfBirth'], expires: true },
  state_id: { label: 'State ID card', strength: 'STRONG', evidence: ['photo', 'address', 'dateOfBirth'], expires: true },
  military_id: { label: 'Military ID', strength: 'STRONG', evidence: ['photo', 'dateOfBirth'], expires: true },
  foreign_passport: { label: 'Foreign passport', strength: 'STRONG', evidence: ['photo', 'dateOfBirth'], expires: true },
  utility_bill: { label: 'Utility bill', strength: 'FAIR', evidence: ['address'], expires: false },
  bank_statement: { label: 'Bank statement', strength: 'FAIR', evidence: ['address'], expires: false },
  lease: { label: 'Lease or mortgage statement', strength: 'FAIR', evidence: ['address'], expires: false },
  birth_certificate: { label: 'Birth certificate', strength: 'FAIR', evidence: ['dateOfBirth'], expires: false },
} as const satisfies Record<string, DocumentKind>;

export type DocumentType = keyof typeof DOCUMENT_KINDS;
export const DOCUMENT_TYPES = Object.keys(DOCUMENT_KINDS) as DocumentType[];

export const INSPECTIONS = ['visual', 'physical'] as const;
export type Inspection = (typeof INSPECTIONS)[number];
export const INSPECTION_LABELS: Record<Inspection, string> = {
  visual: 'Visual inspection',
  // Security features checked by hand or under a light.
  physical: 'Physical inspection',
};

/** "Reason for Rejection" (QualityNet guide, Figure 5-19). */
export const REJECTION_REASONS = [
  'Documents appear altered or counterfeit',
  'The person does not match the photo identification',
  'The documents do not match the account',
  'Suspected fraud',
  'Other',
] as const;
export type ProofingRejectionReason = (typeof REJECTION_REASONS)[number];
export const FRAUD_REASON: ProofingRejectionReason = 'Suspected fraud';

/** What the decision form and the main process say of a decision's missing parts, in the same words. */
export const PROOFING_FORM_MESSAGES = {
  appeared: 'Confirm that the individual appeared in person before you.',
  reasonRequired: 'Choose a Reason for Rejection.',
  commentsRequired: 'Comments are required to Reject: explain why.',
  fraudRejects: 'Suspected fraud rejects the proofing; choose Reject.',
  chooseDocument: (kind: EvidenceKind) => `Choose a document for the ${EVIDENCE_LABELS[kind]}.`,
  issuer: (documentLabel: string) => `Enter the issuer of the ${documentLabel}.`,
  expiresOn: (documentLabel: string) => `Enter the expiry date of the ${documentLabel}.`,
  /** Names the document, so that with three documents on the form the official knows which. */
  last4: (documentLabel: string) => `Enter the document number for the ${documentLabel}: its last 4 letters or digits.`,
} as const;

export interface ProofingDocument {
  type: DocumentType;
  issuer: string;
  /** YYYY-MM-DD, or null for a document without an expiry date. */
  expiresOn: string | null;
  /** The last 4 characters of the document's number; never the whole number. */
  last4: string;
  inspection: Inspection;
}

export interface Ial2Assessment {
  reached: boolean;
  /** Why not, in a sentence an official can act on; null when reached. */
  why: string | null;
  /** Expired documents among those chosen (they support nothing). */
  expired: EvidenceKind[];
}

/** The same document shown for several kinds of evidence counts once. */
function documentKey(d: ProofingDocument): string {
  return `${d.type}|${d.issuer.trim().toLowerCase()}|${d.last4.toUpperCase()}`;
}

/**
 * Whether the documents reach IAL2: one SUPERIOR document, or one STRONG plus one FAIR (or
 * better) — distinct documents, none expired on `today` (YYYY-MM-DD).
 */
export function assessIal2(documents: Partial<Record<EvidenceKind, ProofingDocument>>, today: string): Ial2Assessment {
  const expired = EVIDENCE_KINDS.filter((kind) => {
    const d = documents[kind];
    return d !== undefined && d.expiresOn !== null && d.expiresOn < today;
  });
  // An expired document is said first: it is the reason to Cancel rather than look further.
  if (expired.length > 0) {
    return { reached: false, why: `An expired document cannot support an approval: ${expired.map((k) => EVIDENCE_LABELS[k]).join(', ')}.`, expired };
  }
  const missing = EVIDENCE_KINDS.filter((kind) => documents[kind] === undefined);
  if (missing.length > 0) return { reached: false, why: `Choose a document for ${missing.map((k) => EVIDENCE_LABELS[k]).join(', ')}.`, expired };
  const distinct = new Map<string, Strength>();
  for (const kind of EVIDENCE_KINDS) {
    const d = documents[kind];
    if (d) distinct.set(documentKey(d), DOCUMENT_KINDS[d.type].strength);
  }
  const strengths = [...distinct.values()];
  if (strengths.includes('SUPERIOR')) return { reached: true, why: null, expired };
  // One STRONG plus one more document of at least FAIR strength (a second STRONG one will do).
  if (strengths.includes('STRONG') && strengths.length >= 2) return { reached: true, why: null, expired };
  return {
    reached: false,
    why: 'These documents do not reach IAL2: it takes one SUPERIOR document (a U.S. passport, a permanent resident card), or one STRONG document (such as a driver\u2019s license) and one more FAIR one (such as a utility bill).',
    expired,
  };
}
