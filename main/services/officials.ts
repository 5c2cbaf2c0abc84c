import { AppError } from '../../shared/ipc/errors.js';
import { isProofed } from '../../shared/domain.js';
import type { OfficialKind, ProofingState } from '../../shared/domain.js';
import { catalogueRefusal, roleAllowedIn } from '../../shared/roles.js';
import type { DecisionFlag } from '../../shared/roles.js';
import type { OrganizationRecord, RoleHolding, UserRecord } from '../store/types.js';
import type { Store } from '../store/store.js';

/**
 * Who administers what, and who may decide, grant, proof and hand over accounts: the trust
 * model's rules in one place. The database keeps the same rules as triggers, so a path that
 * forgot to ask here is refused there; these functions give the official the reason first.
 */

/** A signed-in Security Official, with the organizations they administer. */
export interface Official {
  id: number;
  kind: OfficialKind;
  isCms: boolean;
  administered: Map<number, OrganizationRecord>;
}

export const NOT_OFFICIAL = 'Only Security Officials can do this.';

/**
 * Said when, between the start of a call and its write, the official's roles (or account) changed,
 * or the person left the organizations the call relied on: nothing was written.
 */
export const AUTHORITY_CHANGED =
  "Your Security Official roles, or this person's organizations, changed meanwhile, so nothing was changed. Look the person up again.";

export const DECISION_MESSAGES = {
  ownRequest: 'You cannot decide your own request',
  createdAccount: 'You created this account: another Security Official must approve its requests.',
  notProofed: (name: string) => `Waiting for identity proofing: ${name}'s identity must be proofed before a role can be granted.`,
  cmsRoleByCms: 'Only a CMS Security Official can approve the CMS Security Official role.',
  alreadyApproved: 'You already approved this request. A second CMS Security Official must approve it too.',
  firstOfficialByCms: 'The first Security Official of an organization can only be approved by a CMS Security Official',
  noOfficialYet: (org: string) => `No Security Official yet: the first Security Official of ${org} must be approved by CMS`,
} as const;

/** The broadest Security Official role a user holds: CMS over state over provider. */
export function officialKindOf(
  holdings: ReadonlyArray<Pick<RoleHolding, 'securityOfficialKind'> & { organization: Pick<OrganizationRecord, 'kind'> }>,
): OfficialKind | null {
  for (const kind of ['cms', 'state', 'provider'] as const) {
    // A Security Official role counts only in the kind of organization it belongs to; the
    // database refuses any other, and this keeps a stray row from ever meaning CMS.
    if (holdings.some((h) => h.securityOfficialKind === kind && h.organization.kind === kind)) return kind;
  }
  return null;
}

/** Organizations where the user holds a Security Official role of that organization's kind. */
export function administeredOrganizations(holdings: readonly RoleHolding[]): OrganizationRecord[] {
  const byId = new Map<number, OrganizationRecord>();
  for (const h of holdings) if (h.securityOfficialKind !== null && h.securityOfficialKind === h.organization.kind) byId.set(h.organization.id, h.organization);
  return [...byId.values()];
}

/** The state organizations where the user is a State Security Official (iQIES job aid, section 6: Federal Surveyor IDs). */
export function stateOrganizations(holdings: readonly RoleHolding[]): OrganizationRecord[] {
  return administeredOrganizations(holdings).filter((o) => o.kind === 'state');
}

/** The session's user as an official, or FORBIDDEN with `message` when they hold no Security Official role. */
export async function officialOf(store: Store, session: { userRowId: number }, message: string = NOT_OFFICIAL): Promise<Official> {
  const holdings = await store.users.sessionHoldings(session.userRowId);
  const kind = officialKindOf(holdings);
  if (kind === null) throw new AppError('FORBIDDEN', message);
  return { id: session.userRowId, kind, isCms: kind === 'cms', administered: new Map(administeredOrganizations(holdings).map((o) => [o.id, o])) };
}

/** Whether the official administers an organization (CMS officials administer every one). */
export function administers(official: Official, organizationId: number): boolean {
  return official.isCms || official.administered.has(organizationId);
}

/**
 * The user with this user ID, if the official may see them: they hold a role or have a pending
 * request in an organization the official administers (any, for CMS), or they are the official.
 * Withdrawn, rejected and removed ties give nothing. Out of scope reads as not found, so that
 * user IDs cannot be probed.
 */
export async function visibleUser(store: Store, official: Official, userId: string, notFound: string): Promise<UserRecord> {
  const user = await store.users.byUserId(userId);
  if (!user) throw new AppError('NOT_FOUND', notFound);
  if (user.id === official.id) return user;
  const visible = await store.userAdmin.isInOrganizations(user.id, official.isCms ? 'all' : [...official.administered.keys()]);
  if (!visible) throw new AppError('NOT_FOUND', notFound);
  return user;
}

/**
 * Whether the official may act on this user's account (a temporary password, credentials, its
 * status): only when every tie of the user (each role and each pending request) is in an
 * organization the official administers (else only CMS). An account is one for every
 * organization, so nobody takes over, or locks out, a person another organization vouches for.
 */
export function mayActOnAccount(official: Official, tiedOrganizationIds: readonly number[]): boolean {
  return official.isCms || tiedOrganizationIds.every((id) => official.administered.has(id));
}

/** Why the official may not proof this person in person, or null. */
export function proofingRefusal(official: Official, subject: Pick<UserRecord, 'id' | 'createdBy'>): string | null {
  if (subject.id === official.id) return 'You cannot proof your own identity.';
  if (subject.createdBy === official.id) return 'You created this account: another Security Official must proof this person.';
  return null;
}

/** What the rules need to know about a pending request to judge a decision on it. */
export interface DecisionSubject {
  requesterId: number;
  requesterName: string;
  requesterProofingState: ProofingState;
  requesterCreatedBy: number | null;
  role: string;
  /** The tier of the requested role, when it is a Security Official role. */
  securityOfficialKind: OfficialKind | null;
  organization: Pick<OrganizationRecord, 'id' | 'name' | 'kind'>;
}

export interface DecisionContext {
  /** Security Officials the request's organization has now. */
  officialCount: number;
  /** CMS officials who already approved it (dual control). */
  approvedBy: readonly number[];
  /** CMS Security Officials of the console whose account is not deactivated. */
  cmsOfficials: readonly number[];
}

export interface Judgement {
  refusal: string | null;
  flags: DecisionFlag[];
  /** For the CMS Security Official role: how many distinct approvals grant it. */
  approvalsNeeded: number | null;
}

/**
 * Whether this official may approve or reject a pending request in their scope, and what the
 * click would do. The job aids' rules: nobody decides their own request; the first Security
 * Official of an organization only by CMS, later ones by that organization's officials or CMS;
 * no other role where an organization has no official. Added: the catalogue, proofed before
 * granted, the creator of an account does not approve its requests, and two distinct CMS
 * officials for the CMS Security Official role (one while the console has no other).
 */
export function judgeDecision(official: Official, r: DecisionSubject, action: 'approve' | 'reject', ctx: DecisionContext): Judgement {
  const flags: DecisionFlag[] = [];
  let approvalsNeeded: number | null = null;
  const proofed = isProofed(r.requesterProofingState);
  if (!proofed) flags.push('unproofed_requester');
  if (r.securityOfficialKind !== null) {
    flags.push('security_official_role');
    if (r.securityOfficialKind === 'cms') {
      // Those who may approve: neither the requester nor whoever created the requester's account.
      approvalsNeeded = ctx.cmsOfficials.filter((id) => id !== r.requesterId && id !== r.requesterCreatedBy).length >= 2 ? 2 : 1;
      const given = ctx.approvedBy.length;
      // One official's rejection is final: the dual-control flags speak of approvals only.
      if (action === 'reject') approvalsNeeded = null;
      else if (approvalsNeeded === 1) flags.push('without_dual_control');
      else flags.push(given === 0 ? 'first_of_dual_approval' : 'second_of_dual_approval');
    } else if (ctx.officialCount === 0) {
      flags.push('first_official');
    }
  }
  const refuse = (refusal: string): Judgement => ({ refusal, flags, approvalsNeeded });
  if (r.requesterId === official.id) return refuse(DECISION_MESSAGES.ownRequest);
  if (action === 'reject') return { refusal: null, flags, approvalsNeeded };
  if (!roleAllowedIn(r.role, r.organization.kind)) return refuse(catalogueRefusal(r.role, r.organization.name, r.organization.kind));
  if (r.requesterCreatedBy === official.id) return refuse(DECISION_MESSAGES.createdAccount);
  if (!proofed) return refuse(DECISION_MESSAGES.notProofed(r.requesterName));
  if (r.securityOfficialKind === 'cms') {
    if (!official.isCms) return refuse(DECISION_MESSAGES.cmsRoleByCms);
    if (ctx.approvedBy.includes(official.id)) return refuse(DECISION_MESSAGES.alreadyApproved);
    return { refusal: null, flags, approvalsNeeded };
  }
  if (r.securityOfficialKind !== null) {
    // iQIES job aid FAQ: "The first SO can only be approved by CMS; subsequent SOs are approved by an existing SO".
    if (ctx.officialCount === 0 && !official.isCms) return refuse(DECISION_MESSAGES.firstOfficialByCms);
    return { refusal: null, flags, approvalsNeeded };
  }
  // "What if the only SO has left the provider? No new user roles can be approved until a new SO is approved."
  if (ctx.officialCount === 0) return refuse(DECISION_MESSAGES.noOfficialYet(r.organization.name));
  return { refusal: null, flags, approvalsNeeded };
}
