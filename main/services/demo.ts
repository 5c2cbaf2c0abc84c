import { createHash } from 'node:crypto';
import { Faker, en } from '@faker-js/faker';
import { ScureBase32Plugin } from 'otplib';
import type { Clock } from '../clock.js';
import { PROGRAMS, ROLE_NAMES, SECURITY_OFFICIAL_ROLE } from '../../shared/domain.js';
import type { OrganizationKind } from '../../shared/domain.js';
import type { Store } from '../store/store.js';
import type { Scenario } from '../store/seed.js';
import { hashPassword } from './passwords.js';
import type { SecretBox } from './secret-box.js';

/** One password for every demo account; listed in the README. Never used outside demo data. */
export const DEMO_PASSWORD = 'harbor-lantern-quilt-2026';
const SEED = 20_260_122;
const DAY = 86_400_000;

export interface DemoAccount {
  userId: string;
  password: string;
  /** Base32 TOTP key: `oathtool --totp -b KEY` gives the codes. */
  totpKey: string;
  credentialId: string;
  roles: string[];
  status: 'active' | 'pending' | 'locked';
}

/** The same key for the same demo user on every machine, so the README can list it. */
export function demoTotpKey(userId: string): string {
  const bytes = createHash('sha256').update(`soc-demo-totp:${userId}`).digest().subarray(0, 20);
  return new ScureBase32Plugin().encode(bytes).replace(/=+$/, '');
}

const ORGANIZATIONS: Scenario['organizations'] = [
  { displayId: 'CMS', name: 'Centers for Medicare & Medicaid Services', kind: 'cms', stateCode: null },
  { displayId: '123', name: 'Sunrise Skilled Nursing Center', kind: 'provider', stateCode: 'FL' },
  { displayId: '456', name: 'Bayview Home Health Agency', kind: 'provider', stateCode: 'FL' },
  { displayId: 'FL', name: 'Florida', kind: 'state', stateCode: 'FL' },
];

/** The officials (and one ordinary user) whose keys the README and demo-accounts.json list. */
const NAMED_ACCOUNTS: ReadonlyArray<{
  userId: string;
  first: string;
  last: string;
  org: string;
  roles: ReadonlyArray<[program: string, role: string]>;
  /** Accounts that show the sign-in error table's messages. */
  status?: 'pending' | 'locked';
  /** Someone an official proves in person (QualityNet guide 5.4.4.2); everyone else was proofed online. */
  proofing?: 'referred_in_person';
  /** A surveyor who asked for a Federal Surveyor ID (iQIES job aid, section 6). */
  fsidRequested?: boolean;
  /** A pending request the account filed: [program, role]. */
  pending?: [program: string, role: string];
  /**
   * Seeded after the generated users, so that adding an account does not change the generated
   * names (faker draws in order).
   */
  late?: boolean;
}> = [
  {
    userId: 'cms.official',
    first: 'Dana',
    last: 'Whitfield',
    org: 'CMS',
    roles: [
      ['iQIES Prod', SECURITY_OFFICIAL_ROLE.cms],
      ['iQIES Prod Test', SECURITY_OFFICIAL_ROLE.cms],
    ],
  },
  {
    userId: 'provider.so1',
    first: 'Pamela',
    last: 'Cameron',
    org: '123',
    roles: [
      ['iQIES Prod', SECURITY_OFFICIAL_ROLE.provider],
      ['iQIES Prod Test', SECURITY_OFFICIAL_ROLE.provider],
    ],
  },
  { userId: 'provider.so2', first: 'Marcus', last: 'Oyelaran', org: '123', roles: [['iQIES Prod', SECURITY_OFFICIAL_ROLE.provider]] },
  {
    userId: 'florida.so',
    first: 'Robert',
    last: 'Thompson',
    org: 'FL',
    roles: [
      ['iQIES Prod', SECURITY_OFFICIAL_ROLE.state],
      ['iQIES Prod Test', SECURITY_OFFICIAL_ROLE.state],
    ],
  },
  { userId: 'demo.user', first: 'Aditya', last: 'Ayyagari', org: '123', roles: [['iQIES Prod', 'Provider Basic User']] },
  { userId: 'pending.user', first: 'Grace', last: 'Okafor', org: '123', roles: [], status: 'pending' },
  { userId: 'locked.user', first: 'Victor', last: 'Lindqvist', org: '123', roles: [['iQIES Prod', 'Provider Basic User']], status: 'locked' },
  // Not proofed, so holding no role yet: her request waits for identity proofing.
  {
    userId: 'inperson.user',
    first: 'Nora',
    last: 'Castillo',
    org: '123',
    roles: [],
    proofing: 'referred_in_person',
    pending: ['iQIES Prod', 'Provider Basic User'],
  },
  { userId: 'surveyor.user', first: 'Samuel', last: 'Ortiz', org: 'FL', roles: [['iQIES Prod', 'Surveyor']], fsidRequested: true },
  // A second CMS official, so that dual control of the CMS Security Official role can be tried.
  { userId: 'cms.official2', first: 'Lena', last: 'Marchetti', org: 'CMS', roles: [['iQIES Prod', SECURITY_OFFICIAL_ROLE.cms]], late: true },
  // Asks to become a CMS Security Official: two CMS officials must approve.
  { userId: 'cms.analyst', first: 'Owen', last: 'Prescott', org: 'CMS', roles: [], pending: ['iQIES Prod', SECURITY_OFFICIAL_ROLE.cms], late: true },
];

/**
 * Fills the demo database once (deterministic: faker with a fixed seed, keys derived from the
 * user IDs), and returns the accounts testers sign in with. Times are relative to now.
 */
export async function seedDemo(store: Store, box: SecretBox, clock: Clock): Promise<DemoAccount[]> {
  const accounts = NAMED_ACCOUNTS.map((a, i) => ({
    userId: a.userId,
    password: DEMO_PASSWORD,
    totpKey: demoTotpKey(a.userId),
    credentialId: `SOC${String(100_000_001 + i).padStart(9, '0')}`,
    roles: a.roles.map(([program, role]) => `${role} (${program}, ${a.org})`),
    status: a.status ?? ('active' as const),
  }));
  if ((await store.meta.get('demo')) === '1') {
    // Demo data is relative to now: keep its accounts from going stale (120-day rule) over months.
    await store.demo.refreshActivity();
    return accounts;
  }
  if ((await store.users.count()) > 0) throw new Error("The demo's database holds non-demo data; refusing to seed it");

  const faker = new Faker({ locale: [en] });
  faker.seed(SEED);
  const now = clock.now();
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const users: Array<Scenario['users'][number]> = [];
  const assignments: Array<Scenario['assignments'][number]> = [];
  const requests: Array<Scenario['requests'][number]> = [];
  const person = (userId: string, first: string, last: string, org: string) => ({
    userId,
    firstName: first,
    lastName: last,
    email: `${userId.replace(/[^a-z0-9]/gi, '.')}@example.org`,
    phone: faker.phone.number({ style: 'national' }),
    dateOfBirth: faker.date
      .birthdate({ min: 25, max: 65, mode: 'age', refDate: new Date(now) })
      .toISOString()
      .slice(0, 10),
    addressLine1: faker.location.streetAddress(),
    city: faker.location.city(),
    state: 'FL',
    zip: faker.location.zipCode('#####'),
    status: 'active' as const,
    passwordHash,
    createdAt: now - 400 * DAY,
    lastSignInAt: now - faker.number.int({ min: 1, max: 20 }) * DAY,
    proofingState: 'proofed_remote' as const,
    homeOrganization: org,
  });
  const named = (a: (typeof NAMED_ACCOUNTS)[number]) => {
    users.push({ ...person(a.userId, a.first, a.last, a.org), status: a.status ?? 'active', proofingState: a.proofing ?? 'proofed_remote' });
    for (const [program, role] of a.roles) assignments.push({ userId: a.userId, program, organization: a.org, role, grantedAt: now - 300 * DAY });
    if (a.pending) {
      const [program, role] = a.pending;
      requests.push({
        requester: a.userId,
        program,
        organization: a.org,
        role,
        justification: 'Joined this week',
        status: 'pending',
        requestedAt: now - 3 * DAY,
        decidedAt: null,
        decidedBy: null,
        reason: null,
      });
    }
  };
  for (const a of NAMED_ACCOUNTS) if (!a.late) named(a);
  const ordinaryRoles = ['Assessment Coordinator', 'Provider Basic User', 'State Agency General User'] as const;
  for (let i = 0; i < 40; i += 1) {
    const first = faker.person.firstName();
    const last = faker.person.lastName();
    const userId = `${first}.${last}${i}`.toLowerCase().replace(/[^a-z0-9.]/g, '');
    const org = i < 26 ? '123' : i < 34 ? 'FL' : '456';
    users.push(person(userId, first, last, org));
    const program = faker.helpers.arrayElement(PROGRAMS.slice(0, 3));
    const role = org === 'FL' ? 'State Agency General User' : faker.helpers.arrayElement(ordinaryRoles.slice(0, 2));
    if (i % 3 !== 0) assignments.push({ userId, program, organization: org, role, grantedAt: now - faker.number.int({ min: 30, max: 300 }) * DAY });
    if (i % 4 === 1) {
      // Pending requests, some older than 30 days (stale).
      requests.push({
        requester: userId,
        program,
        organization: org,
        role,
        justification: 'Needs access for assessment submissions',
        status: 'pending',
        requestedAt: now - faker.number.int({ min: 0, max: 45 }) * DAY - i * 60_000,
        decidedAt: null,
        decidedBy: null,
        reason: null,
      });
    } else if (org === '123' && i % 4 === 2) {
      const approved = i % 8 !== 2;
      const requestedAt = now - faker.number.int({ min: 40, max: 200 }) * DAY;
      requests.push({
        requester: userId,
        program,
        organization: org,
        role,
        justification: '',
        status: approved ? 'approved' : 'rejected',
        requestedAt,
        decidedAt: requestedAt + DAY,
        decidedBy: 'provider.so1',
        reason: approved ? null : 'Not employed by this organization',
      });
    }
  }
  for (const a of NAMED_ACCOUNTS) if (a.late) named(a);
  // Organization 456 has no Security Official yet: its first one must be approved by CMS.
  const first456 = users.find((u) => u.homeOrganization === '456');
  if (first456) {
    requests.push({
      requester: first456.userId,
      program: 'iQIES Prod',
      organization: '456',
      role: SECURITY_OFFICIAL_ROLE.provider,
      justification: 'Administrator of the agency',
      status: 'pending',
      requestedAt: now - 2 * DAY,
      decidedAt: null,
      decidedBy: null,
      reason: null,
    });
  }

  const scenario: Scenario = {
    programs: PROGRAMS,
    roles: ROLE_NAMES.map((name) => ({ name, securityOfficialKind: soKind(name) })),
    organizations: ORGANIZATIONS,
    users,
    credentials: accounts.map((a) => ({
      userId: a.userId,
      credentialId: a.credentialId,
      label: 'Demo authenticator',
      secretSealed: box.seal(a.totpKey, a.credentialId),
      createdAt: now - 300 * DAY,
    })),
    assignments,
    requests,
  };
  await store.demo.seed(
    scenario,
    NAMED_ACCOUNTS.filter((a) => a.fsidRequested).map((a) => a.userId),
  );
  await store.audit.append([{ action: 'demo.seeded', actorId: null, details: { users: users.length, requests: requests.length } }]);
  return accounts;
}

function soKind(role: string): OrganizationKind | null {
  for (const [kind, name] of Object.entries(SECURITY_OFFICIAL_ROLE) as Array<[OrganizationKind, string]>) if (name === role) return kind;
  return null;
}
