import { slot, slotText } from '../store/slots.js';
import type { Slotted } from '../store/slots.js';
import type { Clock } from '../clock.js';
import type { AuditAction } from '../../shared/audit-actions.js';
import type { AccountAction, ChannelOutput, ChannelParsedInput, LookupRow, MailNotice, UserProfile } from '../../shared/ipc/contract.js';
import { AppError } from '../../shared/ipc/errors.js';
import { ROLE_NAMES } from '../../shared/domain.js';
import { PROOFING_STATE_LABELS, USER_STATUS_LABELS } from '../../shared/words.js';
import { isoWithOffset } from '../../shared/dates.js';
import type { UserStatus } from '../../shared/domain.js';
import { POLICY } from '../../shared/policy.js';
import type { OutboxDraft } from '../store/outbox-rows.js';
import type { UserRecord } from '../store/types.js';
import type { Store } from '../store/store.js';
import type { AccountChange, Direction, LookupScope, LookupUser, NameKey, SearchReads } from '../store/users-admin-store.js';
import { compareNames } from '../store/users-admin-store.js';
import type { FileTransfer } from './files.js';
import { writeCsv } from './csv-writer.js';
import { catalogueRefusal, catalogueView, roleAllowedIn } from '../../shared/roles.js';
import { AUTHORITY_CHANGED, administers, mayActOnAccount, officialOf, visibleUser } from './officials.js';
import { NO_AUTHORITY } from '../store/authority.js';
import type { Official } from './officials.js';
import { hashPassword, newTemporaryPassword } from './passwords.js';
import type { Reauthentication } from './reauth.js';
import type { Session, SessionRegistry } from './sessions.js';
import { accountActionEmail, accountCreatedEmail, requestFiledAtCreationEmail, roleRemovedEmail } from './email-texts.js';

const DAY_MS = 86_400_000;
/** Rows read per statement while exporting; other work runs between reads. */
const EXPORT_PAGE = 1000;
/** Users per statement of the inactivity check: a few milliseconds each on a million users. */
const SWEEP_RANGE = 20_000;

export const USER_MESSAGES = {
  notOfficial: 'Only Security Officials can look up users.',
  notFound: 'No user with this User ID in the organizations you administer.',
  notYourOrganization: 'You can look up users only in organizations you administer.',
  removeOnlyYours: 'You can remove roles only in organizations you administer.',
  ownOfficialRole: 'You cannot remove your own Security Official role.',
  cmsRoleStays: 'A CMS Security Official role is not removed: deactivate the account instead, so that dual control keeps counting this official for 30 days.',
  noSuchRole: 'This user does not hold this role.',
  ownAccount: 'You cannot change your own account here. Ask another Security Official.',
  otherOfficial: 'This user is a Security Official of an organization you do not administer; only CMS can change their account.',
  otherOrganizationRole: 'This user has a role or a request in an organization you do not administer; only CMS can change their account.',
  createdAccount: 'You created this account: another Security Official must approve it and give the person their temporary password.',
  changedMeanwhile: 'This account changed meanwhile. Look at it again.',
  lastOfficial: (name: string, organization: string) =>
    `${name} is the only Security Official of ${organization}. If you remove this role, no request there can be approved until CMS approves a new Security Official.`,
  userIdTaken: 'This User ID is already taken.',
  emailTaken: 'An account with this Email Address already exists.',
} as const;

/** When each account action may be taken, and what it is called in messages. */
const ACTION_RULES: Record<AccountAction, { allowed: (u: UserRecord, now: number) => boolean; notNow: string }> = {
  approve: { allowed: (u) => u.status === 'pending' || u.status === 'not_activated', notNow: 'This account is not waiting for approval.' },
  unlock: { allowed: (u, now) => u.status === 'locked' || (u.lockedUntil !== null && u.lockedUntil > now), notNow: 'This account is not locked.' },
  resetPassword: { allowed: (u) => u.status !== 'deactivated', notNow: 'Reactivate this account before you reset its password.' },
  deactivate: { allowed: (u) => u.status !== 'deactivated', notNow: 'This account is already deactivated.' },
  reactivate: { allowed: (u) => u.status === 'deactivated', notNow: 'This account is not deactivated.' },
  revokeCredentials: { allowed: (u) => u.status !== 'deactivated', notNow: 'Reactivate this account before you revoke its credentials.' },
};

const ACTION_AUDIT: Record<AccountAction, AuditAction> = {
  approve: 'account.approved',
  unlock: 'account.unlocked',
  resetPassword: 'account.password_reset',
  deactivate: 'account.deactivated',
  reactivate: 'account.reactivated',
  revokeCredentials: 'account.credentials_revoked',
};

interface Cursor {
  direction: Direction;
  query: string;
  key: NameKey;
}

/**
 * User Lookup, profiles, role removal and account administration (HARP and iQIES job aids,
 * "User Lookup" and "User Roles"; QualityNet guide 5.3.1, "Security Administrator Action").
 * Officials see only users with a role or request in an organization they administer (CMS:
 * every organization), and every change is audited in the same transaction.
 */
export class UserService {
  private sweepTimer: ReturnType<typeof setInterval> | null = null;
  private sweeping: Promise<number> | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly sessions: SessionRegistry,
    private readonly reauth: Reauthentication,
    private readonly files: FileTransfer,
    /** Called after a commit that queued emails: delivers soon, and says whether a mail server is set up. */
    private readonly onMailQueued: () => Promise<MailNotice> = async () => 'not_configured',
  ) {}

  async options(session: Session): Promise<ChannelOutput<'lookup.options'>> {
    const official = await this.official(session);
    return {
      programs: await this.store.requests.programs(),
      allOrganizations: official.isCms,
      roles: [...ROLE_NAMES],
      catalogue: catalogueView(),
    };
  }

  async search(session: Session, input: ChannelParsedInput<'lookup.search'>): Promise<ChannelOutput<'lookup.search'>> {
    const { scope } = await this.officialAndScope(session, input.program, input.organization);
    const query = input.query.trim();
    const after = input.after === undefined ? null : decodeCursor(input.after, input.direction, query);
    const now = this.clock.now();
    if (query === '') {
      const rows = await this.store.userAdmin.browse(scope, after, input.direction, input.limit + 1);
      const page = rows.slice(0, input.limit);
      const last = page[page.length - 1];
      // An organization's users are counted up to the cap, as a search's are, never all of them on every page.
      const counted = after === null ? await this.store.userAdmin.count(scope, POLICY.lookupCountCap) : null;
      return {
        rows: page.map((u) => toRow(u, false, now)),
        total: counted?.n ?? null,
        totalAtLeast: counted?.more ?? false,
        truncated: false,
        nextCursor: rows.length > input.limit && last ? encodeCursor({ direction: input.direction, query, key: keyOf(last) }) : null,
      };
    }
    // Exact matches lead the first page and are left out of every page's name-ordered rest.
    const reads = await this.store.userAdmin.searchReads(
      scope,
      query,
      after,
      input.direction,
      input.limit + 1,
      POLICY.lookupMatchCap,
      after === null ? POLICY.lookupCountCap : null,
    );
    const { exact, others } = reads;
    const shownExact = after === null ? exact : [];
    // At least one name-ordered row follows the exact matches, so that a page of them carries a
    // cursor to the rest even when they fill the page.
    const { rows, more } = mergeSearchPage(reads, after, input.direction, Math.max(1, input.limit - shownExact.length));
    const last = rows[rows.length - 1];
    let total: number | null = null;
    let totalAtLeast = false;
    if (reads.lastNameCount !== null) {
      // Last-name matches are counted (up to a cap); the others are all in hand unless truncated.
      const elsewhere = new Map([...exact, ...others.users].filter((u) => !startsWithNocase(u.lastName, query)).map((u) => [u.id, u]));
      total = reads.lastNameCount + elsewhere.size;
      totalAtLeast = reads.lastNameCount >= POLICY.lookupCountCap || others.truncated;
    }
    return {
      rows: [...shownExact.map((u) => toRow(u, true, now)), ...rows.map((u) => toRow(u, false, now))],
      total,
      totalAtLeast,
      truncated: others.truncated,
      nextCursor: more && last ? encodeCursor({ direction: input.direction, query, key: keyOf(last) }) : null,
    };
  }

  /** Export Users: the current result as CSV, streamed a page at a time (memory stays flat). */
  async exportUsers(session: Session, input: ChannelParsedInput<'lookup.export'>): Promise<ChannelOutput<'lookup.export'>> {
    const { official, scope } = await this.officialAndScope(session, input.program, input.organization);
    const query = input.query.trim();
    const label = input.organization === '' ? 'All' : input.organization;
    const day = isoWithOffset(this.clock.now()).slice(0, 10);
    const target = await this.files.save(session.clientId, `Users ${input.program} ${label} ${day}.csv`);
    if (!target) return { delivery: null, count: 0 };
    const store = this.store;
    const now = this.clock.now();
    const toCells = (u: LookupUser) => [
      u.firstName,
      u.lastName,
      u.userId,
      u.email,
      u.phone,
      USER_STATUS_LABELS[displayStatus(u, now)],
      PROOFING_STATE_LABELS[u.proofingState],
    ];
    const count = await writeCsv(
      target,
      ['First Name', 'Last Name', 'User ID', 'Email', 'Phone', 'Status', 'Identity Proofing'],
      (async function* () {
        if (query === '') {
          let after: NameKey | null = null;
          for (;;) {
            const rows = await store.userAdmin.browse(scope, after, input.direction, EXPORT_PAGE);
            yield rows.map(toCells);
            const last = rows[rows.length - 1];
            if (rows.length < EXPORT_PAGE || !last) return;
            after = keyOf(last);
          }
        }
        let after: NameKey | null = null;
        for (;;) {
          const reads = await store.userAdmin.searchReads(scope, query, after, input.direction, EXPORT_PAGE + 1, POLICY.lookupMatchCap, null);
          if (after === null) yield reads.exact.map(toCells);
          const { rows, more } = mergeSearchPage(reads, after, input.direction, EXPORT_PAGE);
          yield rows.map(toCells);
          const last = rows[rows.length - 1];
          if (!more || !last) return;
          after = keyOf(last);
        }
      })(),
    );
    const delivery = await target.commit();
    await this.store.audit.append([
      { action: 'users.exported', actorId: official.id, details: { program: input.program, organization: label, query: query.slice(0, 64), count } },
    ]);
    return { delivery, count };
  }

  async profile(session: Session, input: ChannelParsedInput<'users.profile'>): Promise<UserProfile> {
    const official = await this.official(session);
    const user = await this.visibleUser(official, input.userId);
    return this.profileView(official, user);
  }

  /** iQIES job aid 4.6-4.7: "Are you sure you want to remove this role?"; the last Security Official is asked again. */
  async removeRole(session: Session, input: ChannelParsedInput<'users.removeRole'>): Promise<ChannelOutput<'users.removeRole'>> {
    const official = await this.official(session);
    const user = await this.visibleUser(official, input.userId);
    const assignment = (await this.store.userAdmin.assignments(user.id)).find(
      (a) => a.program === input.program && a.organization.displayId === input.organization && a.role === input.role,
    );
    if (!assignment) throw new AppError('NOT_FOUND', USER_MESSAGES.noSuchRole);
    if (!administers(official, assignment.organization.id)) throw new AppError('FORBIDDEN', USER_MESSAGES.removeOnlyYours);
    const isOfficialRole = assignment.securityOfficialKind !== null;
    if (user.id === official.id && isOfficialRole) throw new AppError('FORBIDDEN', USER_MESSAGES.ownOfficialRole);
    // Removing the other CMS official's role would switch dual control off for whoever is left.
    if (assignment.securityOfficialKind === 'cms') throw new AppError('FORBIDDEN', USER_MESSAGES.cmsRoleStays);
    const last = isOfficialRole && (await this.isLastOfficial(user.id, assignment.organization.id, assignment.id));
    if (last && !input.confirmLastOfficial) {
      throw new AppError('CONFLICT', USER_MESSAGES.lastOfficial(`${user.firstName} ${user.lastName}`, assignment.organization.name), 'confirmLastOfficial');
    }
    const removed = await this.store.userAdmin.removeAssignment(
      official.id,
      assignment.id,
      [
        {
          action: 'role.removed',
          actorId: official.id,
          subjectUserId: user.id,
          organizationId: assignment.organization.id,
          requestId: assignment.requestId,
          details: { program: assignment.program, role: assignment.role, organization: assignment.organization.displayId, lastSecurityOfficial: last },
        },
      ],
      [
        {
          to: user.email,
          ...roleRemovedEmail({ role: assignment.role, program: assignment.program, organization: assignment.organization }),
          kind: 'role.removed',
          organizationId: assignment.organization.id,
          requestId: assignment.requestId,
        },
      ],
      // Counted above, but another official may remove one meanwhile: the store counts again.
      isOfficialRole && !last ? assignment.organization.id : null,
    );
    if (removed === NO_AUTHORITY) throw new AppError('FORBIDDEN', AUTHORITY_CHANGED);
    if (removed === 'last')
      throw new AppError('CONFLICT', USER_MESSAGES.lastOfficial(`${user.firstName} ${user.lastName}`, assignment.organization.name), 'confirmLastOfficial');
    if (!removed) throw new AppError('CONFLICT', 'This role was removed meanwhile.');
    const mail = await this.onMailQueued();
    return { ...(await this.profileView(official, user)), mail };
  }

  /** QualityNet guide 5.3.1, "Security Administrator Action": each needs the official's fresh code. */
  async accountAction(session: Session, input: ChannelParsedInput<'users.accountAction'>): Promise<ChannelOutput<'users.accountAction'>> {
    const official = await this.official(session);
    const user = await this.visibleUser(official, input.userId);
    await this.assertMayChangeAccount(official, user, input.action);
    const now = this.clock.now();
    const rule = ACTION_RULES[input.action];
    if (!rule.allowed(user, now)) throw new AppError('CONFLICT', rule.notNow);
    await this.reauth.confirm(session, input.code, input.action);

    let temporaryPassword: string | null = null;
    const change: AccountChange = {};
    switch (input.action) {
      case 'approve':
        // The 120-day rule counts from the approval, not from when the account was created.
        Object.assign(change, { status: 'active', reactivatedAt: now });
        if (user.mustChangePassword) {
          // The approving official hands over a new temporary password: whoever created the
          // account (and saw its first one) can no longer sign in as the person.
          temporaryPassword = newTemporaryPassword();
          Object.assign(change, {
            passwordHash: await hashPassword(temporaryPassword),
            temporaryPasswordExpiresAt: now + POLICY.temporaryPasswordHours * 3_600_000,
          });
        }
        break;
      case 'unlock':
        Object.assign(change, { clearLocks: true, ...(user.status === 'locked' ? { status: 'active' } : {}) });
        break;
      case 'deactivate':
        Object.assign(change, { status: 'deactivated' });
        break;
      case 'reactivate':
        Object.assign(change, { status: 'active', reactivatedAt: now, clearLocks: true });
        break;
      case 'resetPassword':
      case 'revokeCredentials':
        // QualityNet guide Table 5-2: a locked account waits for an official to reset its password.
        temporaryPassword = newTemporaryPassword();
        Object.assign(change, {
          passwordHash: await hashPassword(temporaryPassword),
          mustChangePassword: true,
          temporaryPasswordExpiresAt: now + POLICY.temporaryPasswordHours * 3_600_000,
          clearLocks: true,
          removeCredentials: input.action === 'revokeCredentials',
          ...(user.status === 'locked' ? { status: 'active' } : {}),
        });
        break;
    }
    const email = accountActionEmail(input.action);
    const changed = await this.store.userAdmin.changeAccount(
      official.id,
      user.id,
      [user.status],
      change,
      [
        {
          action: ACTION_AUDIT[input.action],
          actorId: official.id,
          subjectUserId: user.id,
          organizationId: user.homeOrganizationId,
          details: { previousStatus: user.status },
        },
      ],
      [{ to: user.email, subject: email.subject, body: email.body, kind: `account.${input.action}`, organizationId: user.homeOrganizationId, requestId: null }],
    );
    if (changed === NO_AUTHORITY) throw new AppError('FORBIDDEN', AUTHORITY_CHANGED);
    if (!changed) throw new AppError('CONFLICT', USER_MESSAGES.changedMeanwhile);
    // A session the user has open must not outlive a deactivation or a new password.
    if (input.action === 'deactivate' || input.action === 'resetPassword' || input.action === 'revokeCredentials') this.sessions.closeAllFor(user.id);
    const mail = await this.onMailQueued();
    const after = await this.store.users.byId(user.id);
    return { profile: await this.profileView(official, after ?? user), temporaryPassword, mail };
  }

  /** A new account for a person of the official's organization: pending, a temporary password, and a request for its first role. */
  async create(session: Session, input: ChannelParsedInput<'users.create'>): Promise<ChannelOutput<'users.create'>> {
    const official = await this.official(session);
    const programId = await this.store.requests.programId(input.program);
    if (programId === null) throw new AppError('VALIDATION', `Unknown program: ${input.program}`, 'program');
    const organization = await this.store.requests.organizationByDisplayId(input.organization);
    if (!organization) throw new AppError('VALIDATION', `Unknown organization: ${input.organization}`, 'organization');
    if (!administers(official, organization.id)) throw new AppError('FORBIDDEN', 'You can create users only in organizations you administer.');
    const role = (await this.store.requests.roles()).find((r) => r.name === input.role);
    if (!role) throw new AppError('VALIDATION', `Unknown role: ${input.role}`, 'role');
    if (!roleAllowedIn(role.name, organization.kind))
      throw new AppError('VALIDATION', catalogueRefusal(role.name, organization.name, organization.kind), 'role');
    if (await this.store.users.byUserId(input.userId)) throw new AppError('CONFLICT', USER_MESSAGES.userIdTaken, 'userId');
    await this.reauth.confirm(session, input.code, 'create user');

    const temporaryPassword = newTemporaryPassword();
    const now = this.clock.now();
    const name = `${input.firstName} ${input.lastName}`;
    const officials = await this.store.requests.securityOfficialEmails(organization.id);
    const created = await this.store.userAdmin.createAccount(
      {
        userId: input.userId,
        firstName: input.firstName,
        lastName: input.lastName,
        email: input.email,
        passwordHash: await hashPassword(temporaryPassword),
        temporaryPasswordExpiresAt: now + POLICY.temporaryPasswordHours * 3_600_000,
        organizationId: organization.id,
        programId,
        roleId: role.id,
        createdBy: official.id,
      },
      [
        { action: 'user.created', actorId: official.id, subjectUserId: slot('userRowId'), organizationId: organization.id, details: { userId: input.userId } },
        {
          action: 'request.filed',
          actorId: official.id,
          subjectUserId: slot('userRowId'),
          organizationId: organization.id,
          requestId: slot('requestId'),
          details: { program: input.program, role: input.role },
        },
      ],
      [
        {
          to: input.email,
          ...accountCreatedEmail({ organizationName: organization.name, userId: input.userId }),
          kind: 'user.created',
          organizationId: organization.id,
          requestId: slot('requestId'),
        },
        ...officials.map((to): Slotted<OutboxDraft> => ({
          to,
          ...requestFiledAtCreationEmail({
            name,
            userId: input.userId,
            role: input.role,
            program: input.program,
            organization,
            requestId: slotText('requestId'),
          }),
          kind: 'request.filed',
          organizationId: organization.id,
          requestId: slot('requestId'),
        })),
      ],
    );
    if (created === 'userId') throw new AppError('CONFLICT', USER_MESSAGES.userIdTaken, 'userId');
    if (created === 'email') throw new AppError('CONFLICT', USER_MESSAGES.emailTaken, 'email');
    if (created === NO_AUTHORITY) throw new AppError('FORBIDDEN', AUTHORITY_CHANGED);
    const mail = await this.onMailQueued();
    const user = await this.store.users.byId(created.userRowId);
    if (!user) throw new AppError('INTERNAL', 'The account was not saved.');
    return { profile: await this.profileView(official, user), temporaryPassword, requestId: created.requestId, mail };
  }

  /**
   * QualityNet guide 5.3.1: an account unused for more than 120 days is deactivated. Checked
   * at start and daily, in id ranges so a million users never hold the process for long.
   */
  sweepInactive(): Promise<number> {
    this.sweeping ??= (async () => {
      const cutoff = this.clock.now() - POLICY.inactivityDays * DAY_MS;
      const max = await this.store.userAdmin.maxUserId();
      let deactivated = 0;
      for (let from = 0; from < max; from += SWEEP_RANGE) {
        const ids = await this.store.userAdmin.inactiveBetween(cutoff, from, from + SWEEP_RANGE);
        deactivated += await this.store.userAdmin.deactivateInactive(ids, cutoff, {
          action: 'account.deactivated',
          actorId: null,
          subjectUserId: slot('userRowId'),
          details: { reason: `unused for more than ${POLICY.inactivityDays} days` },
        });
        for (const id of ids) this.sessions.closeAllFor(id);
        await new Promise((resolve) => setImmediate(resolve));
      }
      return deactivated;
    })().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  /** Runs the inactivity check now and then every day, until stop(). */
  start(onError: (error: unknown) => void): void {
    if (this.sweepTimer) return;
    const run = () => void this.sweepInactive().catch(onError);
    run();
    this.sweepTimer = setInterval(run, DAY_MS);
    this.sweepTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    // Only waits for a running check to end: its failure went to start()'s onError (or to the caller of sweepInactive).
    await this.sweeping?.catch(() => undefined);
  }

  private official(session: Session): Promise<Official> {
    return officialOf(this.store, session, USER_MESSAGES.notOfficial);
  }

  /** The official and whose users they may see; the program is read while their holdings are. */
  private async officialAndScope(session: Session, program: string, organization: string): Promise<{ official: Official; scope: LookupScope }> {
    const programId = this.store.requests.programId(program);
    // Awaited after the official's check, whose refusal comes first; a failure is not lost.
    programId.catch(() => undefined);
    const official = await this.official(session);
    return { official, scope: await this.scopeOf(official, program, await programId, organization) };
  }

  private async scopeOf(official: Official, program: string, programId: number | null, organization: string): Promise<LookupScope> {
    if (programId === null) throw new AppError('VALIDATION', `Unknown program: ${program}`, 'program');
    if (organization === '') return { programId, organizationIds: official.isCms ? 'all' : [...official.administered.keys()] };
    // An organization the official administers is already in hand (their holdings); only others are looked up.
    const org =
      [...official.administered.values()].find((o) => o.displayId === organization) ?? (await this.store.requests.organizationByDisplayId(organization));
    if (!org) throw new AppError('VALIDATION', `Unknown organization: ${organization}`, 'organization');
    if (!administers(official, org.id)) throw new AppError('FORBIDDEN', USER_MESSAGES.notYourOrganization);
    return { programId, organizationIds: [org.id] };
  }

  private visibleUser(official: Official, userId: string): Promise<UserRecord> {
    return visibleUser(this.store, official, userId, USER_MESSAGES.notFound);
  }

  /**
   * Nobody changes their own account here; an official's account is changed only by whoever
   * administers all of the organizations where they are an official (or by CMS); a temporary
   * password or the removal of credentials needs every role of the user to be in organizations
   * the official administers (or CMS), so nobody takes over another organization's account; and
   * the official who created an account does not also approve it.
   */
  private async assertMayChangeAccount(official: Official, user: UserRecord, action: AccountAction): Promise<void> {
    const refusal = await this.accountRefusal(official, user, action);
    if (refusal) throw new AppError('FORBIDDEN', refusal);
  }

  private async accountRefusal(official: Official, user: UserRecord, action: AccountAction): Promise<string | null> {
    if (user.id === official.id) return USER_MESSAGES.ownAccount;
    // Until someone else has approved it and the person has signed in, the creator may only
    // deactivate the account: otherwise deactivate-then-reactivate would approve it by another door.
    if (user.createdBy === official.id && user.lastSignInAt === null && action !== 'deactivate') return USER_MESSAGES.createdAccount;
    if (official.isCms) return null;
    const holdings = await this.store.users.roleHoldings(user.id);
    if (holdings.some((h) => h.securityOfficialKind !== null && !official.administered.has(h.organization.id))) return USER_MESSAGES.otherOfficial;
    if (!mayActOnAccount(official, await this.store.userAdmin.tiedOrganizations(user.id))) return USER_MESSAGES.otherOrganizationRole;
    return null;
  }

  private async isLastOfficial(userRowId: number, organizationId: number, removingAssignmentId: number): Promise<boolean> {
    const holdsAnother = (await this.store.userAdmin.assignments(userRowId)).some(
      (a) => a.id !== removingAssignmentId && a.organization.id === organizationId && a.securityOfficialKind !== null,
    );
    return !holdsAnother && (await this.store.userAdmin.securityOfficialCount(organizationId)) === 1;
  }

  private async profileView(official: Official, user: UserRecord): Promise<UserProfile> {
    const record = await this.store.userAdmin.profile(user.id);
    if (!record) throw new AppError('NOT_FOUND', USER_MESSAGES.notFound);
    const self = user.id === official.id;
    const roles = [];
    for (const a of await this.store.userAdmin.assignments(user.id)) {
      if (!administers(official, a.organization.id)) continue;
      const isOfficialRole = a.securityOfficialKind !== null;
      roles.push({
        program: a.program,
        organization: publicOrg(a.organization),
        role: a.role,
        removable: !(self && isOfficialRole) && a.securityOfficialKind !== 'cms',
        lastSecurityOfficial: isOfficialRole && (await this.isLastOfficial(user.id, a.organization.id, a.id)),
      });
    }
    const now = this.clock.now();
    const actions: AccountAction[] = [];
    if (!self) {
      for (const a of Object.keys(ACTION_RULES) as AccountAction[]) {
        if (!ACTION_RULES[a].allowed(user, now) || (a === 'revokeCredentials' && record.credentialCount === 0)) continue;
        if ((await this.accountRefusal(official, user, a)) === null) actions.push(a);
      }
    }
    const { id: _id, lockedUntil, ...rest } = record;
    return { ...rest, status: displayStatus({ status: record.status, lockedUntil }, now), roles, actions, self };
  }
}

/**
 * A page of a search in name order: last-name matches (read from their index, in name order)
 * merged with the matches by first name, user ID or email, of which there are few (at most
 * lookupMatchCap of each kind). Exact matches, shown first, are left out. When every last-name
 * match asked for came, more may follow that sort before some of the other matches, which then
 * wait for a later page.
 */
function mergeSearchPage(reads: SearchReads, after: NameKey | null, direction: Direction, room: number): { rows: LookupUser[]; more: boolean } {
  const exactIds = new Set(reads.exact.map((u) => u.id));
  const beyond = (u: NameKey) => after === null || ordered(direction, after, u);
  const merged = new Map<number, LookupUser>();
  for (const u of [...reads.lastNames, ...reads.others.users]) if (!exactIds.has(u.id) && beyond(u)) merged.set(u.id, u);
  let candidates = [...merged.values()].sort((a, b) => (direction === 'asc' ? compareNames(a, b) : compareNames(b, a)));
  const lastRead = reads.lastNames[reads.lastNames.length - 1];
  if (reads.lastNames.length === reads.lastNamesAsked && lastRead) candidates = candidates.filter((u) => !ordered(direction, lastRead, u));
  return { rows: candidates.slice(0, room), more: candidates.length > room };
}

/** A temporary lock is a time, shown as a status while it lasts. */
function displayStatus(u: { status: UserStatus; lockedUntil: number | null }, now: number): UserStatus {
  return u.status === 'active' && u.lockedUntil !== null && u.lockedUntil > now ? 'temporarily_locked' : u.status;
}

function toRow(u: LookupUser, exact: boolean, now: number): LookupRow {
  return { userId: u.userId, firstName: u.firstName, lastName: u.lastName, email: u.email, status: displayStatus(u, now), exact };
}

/** NOCASE's notion of "starts with": only A-Z fold. */
function startsWithNocase(value: string, prefix: string): boolean {
  const fold = (t: string) => t.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return fold(value).startsWith(fold(prefix));
}

function keyOf(u: NameKey): NameKey {
  return { lastName: u.lastName, firstName: u.firstName, id: u.id };
}

function ordered(direction: Direction, after: NameKey, u: NameKey): boolean {
  const c = compareNames(u, after);
  return direction === 'asc' ? c > 0 : c < 0;
}

function publicOrg(o: { displayId: string; name: string; kind: 'provider' | 'state' | 'cms' }) {
  return { displayId: o.displayId, name: o.name, kind: o.kind };
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.direction, c.query, c.key.lastName, c.key.firstName, c.key.id]), 'utf8').toString('base64url');
}

/** A NUL, or a surrogate without its other half. */
const UNNAMEABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function decodeCursor(cursor: string, direction: Direction, query: string): NameKey {
  const bad = new AppError('VALIDATION', 'The page cursor is not valid; start from the first page.', 'after');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad;
  }
  if (!Array.isArray(parsed) || parsed.length !== 5) throw bad;
  const [d, q, lastName, firstName, id] = parsed as unknown[];
  if (d !== direction || q !== query || typeof lastName !== 'string' || typeof firstName !== 'string' || !Number.isSafeInteger(id)) throw bad;
  // No stored name holds a NUL or half a character, and the engines order such strings apart
  // from the page's merge: a cursor with one was not made here.
  if (UNNAMEABLE.test(lastName) || UNNAMEABLE.test(firstName)) throw bad;
  return { lastName, firstName, id: id as number };
}
