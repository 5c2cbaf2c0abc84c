/**
 * The role catalogue: the single source of which role may exist in which kind of organization.
 * The services offer and accept only these pairs, and the database refuses any other (its own
 * copy of this table, checked by triggers on role requests and role assignments), so no code path
 * can make a provider official a CMS Security Official.
 */
import type { OrganizationKind, RoleName } from './domain.js';
import { ROLE_NAMES } from './domain.js';

export interface CatalogueEntry {
  /** The kinds of organization the role may be held in. */
  organizationKinds: readonly OrganizationKind[];
  /** For a Security Official role, its tier (whose organizations it administers); else null. */
  tier: OrganizationKind | null;
}

export const ROLE_CATALOGUE: Readonly<Record<RoleName, CatalogueEntry>> = {
  'Provider Security Official': { organizationKinds: ['provider'], tier: 'provider' },
  'State Security Official': { organizationKinds: ['state'], tier: 'state' },
  'CMS Security Official': { organizationKinds: ['cms'], tier: 'cms' },
  'Assessment Coordinator': { organizationKinds: ['provider'], tier: null },
  'Provider Basic User': { organizationKinds: ['provider'], tier: null },
  'State Agency General User': { organizationKinds: ['state'], tier: null },
  Surveyor: { organizationKinds: ['state'], tier: null },
};

export const isRoleName = (name: string): name is RoleName => (ROLE_NAMES as readonly string[]).includes(name);

/** Whether the catalogue lets this role exist in this kind of organization. */
export function roleAllowedIn(role: string, kind: OrganizationKind): boolean {
  return isRoleName(role) && ROLE_CATALOGUE[role].organizationKinds.includes(kind);
}

/** The roles that may be requested or held in a kind of organization, in catalogue order. */
export function rolesFor(kind: OrganizationKind): RoleName[] {
  return ROLE_NAMES.filter((r) => ROLE_CATALOGUE[r].organizationKinds.includes(kind));
}

/** The catalogue as the option lists send it. */
export function catalogueView(): Array<{ role: RoleName; organizationKinds: OrganizationKind[] }> {
  return ROLE_NAMES.map((role) => ({ role, organizationKinds: [...ROLE_CATALOGUE[role].organizationKinds] }));
}

/** Why a role cannot be requested in an organization, in the words the forms show. */
export function catalogueRefusal(role: string, organizationName: string, kind: OrganizationKind): string {
  const where = { provider: 'provider organizations', state: 'state agencies', cms: 'the CMS organization' } as const;
  if (!isRoleName(role)) return `Unknown role: ${role}`;
  const allowed = ROLE_CATALOGUE[role].organizationKinds.map((k) => where[k]).join(' or ');
  return `The role ${role} exists only in ${allowed}; ${organizationName} is ${kind === 'cms' ? 'the CMS organization' : kind === 'state' ? 'a state agency' : 'a provider organization'}.`;
}

/**
 * What the Approve and Reject dialogs flag on each selected request, so an official sees what a
 * click does before making it.
 */
export const DECISION_FLAGS = [
  'security_official_role',
  'first_official',
  'first_of_dual_approval',
  'second_of_dual_approval',
  'without_dual_control',
  'unproofed_requester',
] as const;
export type DecisionFlag = (typeof DECISION_FLAGS)[number];

/** The words each flag shows. */
export const DECISION_FLAG_LABELS: Readonly<Record<DecisionFlag, string>> = {
  security_official_role: 'Security Official role',
  first_official: 'First Security Official of this organization',
  first_of_dual_approval: 'CMS Security Official role: 1 of 2 approvals; a second CMS Security Official must approve too',
  second_of_dual_approval: 'Second approval: this grants the CMS Security Official role',
  without_dual_control: 'Granted without dual control: this console has only one CMS Security Official',
  unproofed_requester: 'Waiting for identity proofing',
};
