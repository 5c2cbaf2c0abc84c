import type { OrganizationKind } from '../../shared/domain.js';
import { catalogueRefusal } from '../../shared/roles.js';

/** The role catalogue as the option lists send it. */
export type Catalogue = ReadonlyArray<{ role: string; organizationKinds: readonly OrganizationKind[] }>;

interface Organization {
  displayId: string;
  name: string;
  kind: OrganizationKind;
}

const KIND_WORDS: Record<OrganizationKind, string> = {
  provider: 'a provider organization',
  state: 'a state agency',
  cms: 'the CMS organization',
};

/** Whether the catalogue lets this role exist in this kind of organization. */
export function roleFits(catalogue: Catalogue, role: string, kind: OrganizationKind): boolean {
  return catalogue.some((entry) => entry.role === role && entry.organizationKinds.includes(kind));
}

/** The offered roles that may exist in the organization (all of them until one is chosen), in the order offered. */
export function rolesFor(catalogue: Catalogue, roles: readonly string[], organization: Organization | undefined): string[] {
  return organization ? roles.filter((role) => roleFits(catalogue, role, organization.kind)) : [...roles];
}

/** Why the Role list is shorter than the whole catalogue, beside the list. */
export function rolesHint(organization: Organization | undefined): string | undefined {
  return organization ? `Only the roles of ${KIND_WORDS[organization.kind]} are offered.` : undefined;
}

/**
 * A new organization was chosen: the role stays if it may exist there; otherwise it is cleared,
 * with the sentence that says why (the same words the main process refuses it with).
 */
export function roleAfterOrganizationChange(
  catalogue: Catalogue,
  role: string,
  organization: Organization | undefined,
): { role: string; cleared: string | null } {
  if (!role || !organization || roleFits(catalogue, role, organization.kind)) return { role, cleared: null };
  return { role: '', cleared: `${catalogueRefusal(role, organization.name, organization.kind)} Choose a role again.` };
}
