import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { POLICY } from '../../shared/policy.js';
import { contract } from '../../shared/ipc/contract.js';
import type { Channel, ChannelInput, ChannelOutput, FileDelivery } from '../../shared/ipc/contract.js';
import type { ErrorCode } from '../../shared/ipc/errors.js';
import { CMS_ORG, Harness, PASSWORD, PROVIDER_ORG } from '../support/console-harness.js';
import { SmtpTestServer } from '../support/smtp-test-server.js';
import type { TestUser } from '../support/console-harness.js';
import { sideSql } from '../support/side-db.js';
import { ON_POSTGRES } from '../support/test-engine.js';

/**
 * The authorization matrix: every channel of the contract, called through dispatch by
 * each kind of caller, with an input that would succeed for someone allowed, asserting exactly what
 * each caller gets. The table is typed by the contract's channels, and checked against them at run
 * time, so a new channel does not compile until its row is written.
 *
 * Callers, in column order:
 * - none:    no session
 * - user:    an ordinary user of organization 123 (Assessment Coordinator)
 * - so123:   the Provider Security Official of organization 123, whose users are the targets
 * - so456:   the Provider Security Official of another organization (456)
 * - stateFL: the State Security Official of the Florida state agency
 * - cms:     a CMS Security Official
 *
 * A cell is 'ok' (answered and done), an error code, or for bulk decisions the per-request
 * outcome ('refused', 'not_found'). Targets are made afresh for each caller, so that one caller's
 * success never changes what the next one gets.
 */

const PERSONAS = ['none', 'user', 'so123', 'so456', 'stateFL', 'cms'] as const;
type Persona = (typeof PERSONAS)[number];
type Outcome = 'ok' | 'refused' | 'not_found' | ErrorCode;
type Row = Record<Persona, Outcome>;

const PROD = 'iQIES Prod';
const DAY = 86_400_000;
const ARCHIVE_TOKEN = 'matrixArchiveToken01';
const NEW_PASSWORD = 'a new long passphrase for the matrix';

/** A row in column order: none, user, so123, so456, stateFL, cms. */
const row = (...cells: [Outcome, Outcome, Outcome, Outcome, Outcome, Outcome]): Row => Object.fromEntries(PERSONAS.map((p, i) => [p, cells[i]])) as Row;

const EVERYONE = row('ok', 'ok', 'ok', 'ok', 'ok', 'ok');
const SIGNED_IN = row('UNAUTHENTICATED', 'ok', 'ok', 'ok', 'ok', 'ok');
const OFFICIALS = row('UNAUTHENTICATED', 'FORBIDDEN', 'ok', 'ok', 'ok', 'ok');
/** Acting on a user of organization 123: its own official and CMS; others cannot even see the user. */
const ORG_123_USER = row('UNAUTHENTICATED', 'FORBIDDEN', 'ok', 'NOT_FOUND', 'NOT_FOUND', 'ok');
/** Only the console's CMS Security Official. */
const CMS_ONLY = row('UNAUTHENTICATED', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'ok');
const STATE_ONLY = row('UNAUTHENTICATED', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'ok', 'FORBIDDEN');
/** Channels of a session state no ordinary caller is in (warning page, temporary password...). */
const NOT_IN_THAT_STATE = row('UNAUTHENTICATED', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN');

interface Case<C extends Channel> {
  /** What the row says, in words, for whoever reads a failure. */
  rule: string;
  expect: Row;
  /** The input for this caller, after making whatever it acts on. */
  input: (fx: Fixture, p: Persona) => Promise<ChannelInput<C>> | ChannelInput<C>;
  /** For answers that carry their own refusals (bulk decisions): the outcome for the one target. */
  outcome?: (value: ChannelOutput<C>) => Outcome;
}

type Matrix = { [C in Channel]: Case<C> | Array<Case<C>> };

/** A Federal Surveyor ID of each caller's surveyor (an FSID belongs to one user). */
const fsidOf = (p: Persona): string => `FL${PERSONAS.indexOf(p) + 1000}`;

/** The one request a bulk decision was asked about. */
const single = (value: { results: Array<{ outcome: string }> }): Outcome => {
  const outcome = value.results[0]?.outcome;
  return outcome === 'approved' || outcome === 'rejected' ? 'ok' : ((outcome ?? 'not_found') as Outcome);
};

/** Verify or remove: the caller's surveyor of Florida has an FSID entered by the state's official. */
const SURVEYOR_WITH_FSID: Case<'fsid.verify'> & Case<'fsid.remove'> = {
  rule: "a surveyor of the state's agency: its State Security Official",
  expect: STATE_ONLY,
  input: async (fx, p) => {
    await fx.call('stateFL', 'fsid.save', { userId: `s_${p}`, fsid: fsidOf(p) });
    return { userId: `s_${p}` };
  },
};

const MATRIX: Matrix = {
  'app.status': { rule: 'anyone: the window asks what to show', expect: EVERYONE, input: () => ({}) },
  'setup.begin': {
    rule: 'nobody once the console is set up',
    expect: row('SETUP_DONE', 'SETUP_DONE', 'SETUP_DONE', 'SETUP_DONE', 'SETUP_DONE', 'SETUP_DONE'),
    input: () => ({}),
  },
  'setup.complete': {
    rule: 'nobody once the console is set up',
    expect: row('SETUP_DONE', 'SETUP_DONE', 'SETUP_DONE', 'SETUP_DONE', 'SETUP_DONE', 'SETUP_DONE'),
    input: () => ({
      enrollmentId: 'x',
      userId: 'intruder',
      firstName: 'I',
      lastName: 'N',
      email: 'i@example.org',
      password: PASSWORD,
      organizationName: 'X',
      code: '123456',
    }),
  },
  'auth.signIn': {
    rule: "anyone with the account's password and a fresh code",
    expect: EVERYONE,
    input: (fx, p) => fx.signInInput(`spare_${p}`),
  },
  'auth.acceptWarning': {
    rule: 'whoever has just signed in (the warning page)',
    expect: SIGNED_IN,
    input: (fx, p) => fx.toWarningPage(p),
  },
  'auth.denyWarning': { rule: 'whoever has just signed in (the warning page)', expect: SIGNED_IN, input: (fx, p) => fx.toWarningPage(p) },
  'auth.signOut': { rule: 'any session', expect: SIGNED_IN, input: () => ({}) },
  'auth.unlock': {
    rule: "the locked session's own user",
    expect: SIGNED_IN,
    input: (fx, p) => {
      fx.h.clock.advance(POLICY.idleLockMinutes * 60_000 + 1000);
      return { password: PASSWORD, code: fx.freshCode(p) };
    },
  },
  'session.status': { rule: 'anyone', expect: EVERYONE, input: () => ({}) },
  'session.activity': { rule: 'any signed-in user', expect: SIGNED_IN, input: () => ({}) },
  'home.summary': { rule: 'any signed-in user', expect: SIGNED_IN, input: () => ({}) },
  'home.dashboard': { rule: 'any signed-in user; the figures only of the organizations an official administers', expect: SIGNED_IN, input: () => ({}) },
  'mfa.list': { rule: 'any signed-in user, their own credentials', expect: SIGNED_IN, input: () => ({}) },
  'mfa.beginEnrollment': { rule: 'any signed-in user, their own credentials', expect: SIGNED_IN, input: () => ({}) },
  'mfa.confirmEnrollment': {
    rule: 'any signed-in user, their own new credential',
    expect: SIGNED_IN,
    input: async (fx, p) => {
      if (p === 'none') return { enrollmentId: 'enrollment', code: '123456' };
      const e = await fx.call(p, 'mfa.beginEnrollment', {});
      fx.h.nextStep();
      return { enrollmentId: e.enrollmentId, code: fx.h.code(e.secret) };
    },
  },
  'mfa.remove': {
    rule: 'any signed-in user, their own credential, with a code from it',
    expect: SIGNED_IN,
    input: async (fx, p) => {
      if (p === 'none') return { credentialId: 'SOC00000001', code: '123456' };
      const e = await fx.call(p, 'mfa.beginEnrollment', {});
      fx.h.nextStep();
      await fx.call(p, 'mfa.confirmEnrollment', { enrollmentId: e.enrollmentId, code: fx.h.code(e.secret) });
      fx.h.nextStep();
      return { credentialId: e.credentialId, code: fx.h.code(e.secret) };
    },
  },
  'access.options': { rule: 'any signed-in user', expect: SIGNED_IN, input: () => ({}) },
  'access.request': {
    rule: 'any signed-in, proofed user, for themselves',
    expect: SIGNED_IN,
    input: () => ({ program: PROD, organization: '123', role: 'Provider Basic User' }),
  },
  'access.mine': { rule: 'any signed-in user, their own', expect: SIGNED_IN, input: () => ({}) },
  'access.withdraw': [
    {
      rule: 'the requester withdraws their own request',
      expect: SIGNED_IN,
      input: async (fx, p) => ({
        requestId: p === 'none' ? 1 : (await fx.call(p, 'access.request', { program: PROD, organization: '123', role: 'Provider Basic User' })).requestId,
      }),
    },
    {
      rule: "nobody withdraws someone else's request",
      expect: row('UNAUTHENTICATED', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND'),
      input: async (fx, p) => ({ requestId: await fx.pending(p) }),
    },
  ],
  'queue.page': { rule: 'Security Officials (each sees their organizations)', expect: OFFICIALS, input: () => ({}) },
  'queue.preview': {
    rule: 'an ordinary request of 123: decidable by its own official only',
    expect: row('UNAUTHENTICATED', 'FORBIDDEN', 'ok', 'not_found', 'not_found', 'not_found'),
    input: async (fx, p) => ({ requestIds: [await fx.pending(p)], action: 'approve' as const }),
    outcome: (v) => (v.decidable.length === 1 ? 'ok' : ((v.refused[0]?.outcome ?? 'not_found') as Outcome)),
  },
  'queue.approve': [
    {
      rule: 'an ordinary request of 123: its own official only (CMS decides Security Official requests)',
      expect: row('UNAUTHENTICATED', 'FORBIDDEN', 'ok', 'not_found', 'not_found', 'not_found'),
      input: async (fx, p) => ({ requestIds: [await fx.pending(p)] }),
      outcome: single,
    },
    {
      rule: 'a second Security Official of 123: its own official or CMS',
      expect: row('UNAUTHENTICATED', 'FORBIDDEN', 'ok', 'not_found', 'not_found', 'ok'),
      input: async (fx, p) => ({ requestIds: [await fx.pending(p, 'Provider Security Official')] }),
      outcome: single,
    },
    {
      rule: 'the first Security Official of an organization: CMS only',
      expect: row('UNAUTHENTICATED', 'FORBIDDEN', 'not_found', 'not_found', 'not_found', 'ok'),
      input: async (fx, p) => ({ requestIds: [await fx.pending(p, 'Provider Security Official', '789')] }),
      outcome: single,
    },
  ],
  'queue.reject': {
    rule: 'an ordinary request of 123: its own official only',
    expect: row('UNAUTHENTICATED', 'FORBIDDEN', 'ok', 'not_found', 'not_found', 'not_found'),
    input: async (fx, p) => ({ requestIds: [await fx.pending(p)], reason: 'Not on our staff' }),
    outcome: single,
  },
  'queue.view': {
    rule: 'a request of 123: its own official (CMS sees Security Official requests only)',
    expect: row('UNAUTHENTICATED', 'FORBIDDEN', 'ok', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND'),
    input: async (fx, p) => ({ requestId: await fx.pending(p) }),
  },
  'queue.reopen': {
    rule: 'only the official who rejected it, within a day',
    expect: row('UNAUTHENTICATED', 'FORBIDDEN', 'ok', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND'),
    input: async (fx, p) => {
      const requestId = await fx.pending(p);
      await fx.call('so123', 'queue.reject', { requestIds: [requestId], reason: 'Not on our staff' });
      return { requestId };
    },
  },
  'outbox.list': { rule: "Security Officials (each sees their organizations' mail)", expect: OFFICIALS, input: () => ({}) },
  'outbox.retry': {
    rule: 'a failed email about organization 123: its own official and CMS',
    expect: ORG_123_USER,
    input: async (fx, p) => ({ id: await fx.failedMail(p) }),
  },
  'mail.settings': { rule: 'Security Officials', expect: OFFICIALS, input: () => ({}) },
  'mail.saveSettings': {
    rule: "the console's mail server carries every organization's mail: CMS only",
    expect: CMS_ONLY,
    input: () => ({ host: '127.0.0.1', port: 2525, secure: false, user: '', from: 'console@example.org' }),
  },
  'mail.sendTest': { rule: "a test of the console's mail server: CMS only, like its settings", expect: CMS_ONLY, input: () => ({}) },
  'lookup.options': { rule: 'Security Officials', expect: OFFICIALS, input: () => ({}) },
  'lookup.search': { rule: 'Security Officials (each within their organizations)', expect: OFFICIALS, input: () => ({ program: PROD }) },
  'lookup.export': { rule: 'Security Officials (each within their organizations)', expect: OFFICIALS, input: () => ({ program: PROD }) },
  'organizations.search': { rule: 'Security Officials (each within their organizations)', expect: OFFICIALS, input: () => ({ query: '123' }) },
  'users.profile': { rule: 'a user of 123', expect: ORG_123_USER, input: (_fx, p) => ({ userId: `t_${p}` }) },
  'users.removeRole': {
    rule: 'a role at 123',
    expect: ORG_123_USER,
    input: (_fx, p) => ({ userId: `t_${p}`, program: PROD, organization: '123', role: 'Provider Basic User' }),
  },
  'users.accountAction': {
    rule: "a user of 123, with the official's fresh code",
    expect: ORG_123_USER,
    input: (fx, p) => ({ userId: `t_${p}`, action: 'resetPassword' as const, code: fx.freshCode(p) }),
  },
  'users.create': {
    rule: 'a new user at 123',
    expect: row('UNAUTHENTICATED', 'FORBIDDEN', 'ok', 'FORBIDDEN', 'FORBIDDEN', 'ok'),
    input: (fx, p) => ({
      userId: `new_${p}`,
      firstName: 'New',
      lastName: 'User',
      email: `new_${p}@example.org`,
      program: PROD,
      organization: '123',
      role: 'Provider Basic User',
      code: fx.freshCode(p),
    }),
  },
  'auth.signInWithTemporaryPassword': {
    rule: 'anyone holding the temporary password',
    expect: EVERYONE,
    input: async (fx, p) => fx.temporaryPassword(`t_${p}`),
  },
  'auth.changePassword': [
    {
      rule: 'only a session signed in with a temporary password',
      expect: NOT_IN_THAT_STATE,
      input: () => ({ newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }),
    },
    {
      rule: 'whoever signed in with a temporary password, from any window',
      expect: EVERYONE,
      input: async (fx, p) => {
        await fx.call(p, 'auth.signInWithTemporaryPassword', await fx.temporaryPassword(`t_${p}`));
        return { newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD };
      },
    },
  ],
  'auth.requestPasswordReset': {
    rule: "anyone with the account's User ID and a fresh code from its authenticator (no mail here: the officials are named)",
    expect: EVERYONE,
    input: (fx, p) => ({ userId: `spare_${p}`, code: fx.spareCode(p) }),
  },
  'auth.completePasswordReset': {
    rule: "anyone holding the reset's token and the one-time code emailed to the account",
    expect: EVERYONE,
    input: async (fx, p) => ({ ...(await fx.emailedReset(p)), newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }),
  },
  'auth.beginFirstEnrollment': [
    { rule: 'only a session without a credential (first enrollment)', expect: NOT_IN_THAT_STATE, input: () => ({}) },
    {
      rule: 'whoever set their password after a temporary one, from any window',
      expect: EVERYONE,
      input: async (fx, p) => {
        await fx.toFirstEnrollment(p);
        return {};
      },
    },
  ],
  'auth.completeFirstEnrollment': [
    {
      rule: 'only a session without a credential (first enrollment)',
      expect: NOT_IN_THAT_STATE,
      input: () => ({ enrollmentId: 'enrollment', code: '123456' }),
    },
    {
      rule: 'whoever set their password after a temporary one, with a code from the new credential',
      expect: EVERYONE,
      input: async (fx, p) => {
        await fx.toFirstEnrollment(p);
        const e = await fx.call(p, 'auth.beginFirstEnrollment', {});
        return { enrollmentId: e.enrollmentId, code: fx.h.code(e.secret) };
      },
    },
  ],
  'proofing.lookup': { rule: 'a user of 123', expect: ORG_123_USER, input: (_fx, p) => ({ accountId: `t_${p}` }) },
  'proofing.decide': {
    rule: "a user of 123 at the official's desk",
    expect: ORG_123_USER,
    input: async (fx, p) => {
      await fx.notProofed(`t_${p}`);
      return { accountId: `t_${p}`, decision: 'cancel' as const, appearedInPerson: false };
    },
  },
  'proofing.receipt': {
    rule: 'the receipt of a proofing of a user of 123',
    expect: ORG_123_USER,
    input: async (fx, p) => {
      await fx.notProofed(`t_${p}`);
      const { recordId } = await fx.call('so123', 'proofing.decide', { accountId: `t_${p}`, decision: 'cancel', appearedInPerson: false });
      return { recordId };
    },
  },
  'fsid.search': { rule: 'State Security Officials only (job aid 6)', expect: STATE_ONLY, input: () => ({}) },
  'fsid.save': {
    rule: "a surveyor of the state's agency: its State Security Official",
    expect: STATE_ONLY,
    input: (_fx, p) => ({ userId: `s_${p}`, fsid: fsidOf(p) }),
  },
  'fsid.verify': SURVEYOR_WITH_FSID,
  'fsid.remove': SURVEYOR_WITH_FSID,
  'fsid.request': {
    rule: 'only a Surveyor asks for their own (none of these callers is one; test/unit/fsid.test.ts has one ask)',
    expect: row('UNAUTHENTICATED', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'),
    input: () => ({}),
  },
  'fsid.mine': { rule: 'any signed-in user, their own', expect: SIGNED_IN, input: () => ({}) },
  'history.options': { rule: 'Security Officials', expect: OFFICIALS, input: () => ({}) },
  'history.page': { rule: "Security Officials (each sees their organizations' decisions)", expect: OFFICIALS, input: () => ({}) },
  'history.view': {
    rule: 'a decision at 123: its officials and CMS',
    expect: ORG_123_USER,
    input: async (fx, p) => {
      const requestId = await fx.pending(p);
      await fx.call('so123', 'queue.approve', { requestIds: [requestId] });
      return { requestId };
    },
  },
  'history.exportCsv': { rule: 'Security Officials (their own scope)', expect: OFFICIALS, input: () => ({}) },
  'history.exportPdf': { rule: 'Security Officials (their own scope)', expect: OFFICIALS, input: () => ({}) },
  'audit.page': { rule: 'Security Officials (their own scope)', expect: OFFICIALS, input: () => ({}) },
  'audit.status': { rule: 'Security Officials', expect: OFFICIALS, input: () => ({}) },
  'audit.exportCsv': { rule: 'Security Officials (their own scope)', expect: OFFICIALS, input: () => ({}) },
  'archive.export': {
    rule: 'an archive of 123: its officials and CMS',
    expect: row('UNAUTHENTICATED', 'FORBIDDEN', 'ok', 'FORBIDDEN', 'FORBIDDEN', 'ok'),
    input: (fx) => ({ organizations: ['123'], from: fx.h.clock.now() - DAY, to: fx.h.clock.now() + DAY }),
  },
  'archive.open': {
    rule: 'Security Officials review an archive (read-only)',
    expect: OFFICIALS,
    input: async (fx) => ({ uploadToken: await fx.offerArchive() }),
  },
  'archive.close': [
    {
      rule: 'whoever opened an archive closes it',
      expect: row('UNAUTHENTICATED', 'not_found', 'ok', 'ok', 'ok', 'ok'),
      input: async (fx, p) => {
        if (p === 'none' || p === 'user') return { archiveId: 'AAAAAAAAAAAAAAAAAAAA' };
        const { archive } = await fx.call(p, 'archive.open', { uploadToken: await fx.offerArchive() });
        return { archiveId: archive?.archiveId ?? '' };
      },
      outcome: (v) => (v.closed ? 'ok' : 'not_found'),
    },
    {
      rule: 'an archive so123 opened: nobody else closes it',
      expect: row('UNAUTHENTICATED', 'not_found', 'ok', 'not_found', 'not_found', 'not_found'),
      input: async (fx) => {
        const { archive } = await fx.call('so123', 'archive.open', { uploadToken: await fx.offerArchive() });
        return { archiveId: archive?.archiveId ?? '' };
      },
      outcome: (v) => (v.closed ? 'ok' : 'not_found'),
    },
  ],
  'backup.status': { rule: 'Security Officials', expect: OFFICIALS, input: () => ({}) },
  // On PostgreSQL the database operator backs up and restores: officials are told so (CONFLICT), others refused as ever.
  'backup.now': {
    rule: 'Security Officials; on PostgreSQL, the database operator',
    expect: ON_POSTGRES ? row('UNAUTHENTICATED', 'FORBIDDEN', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT') : OFFICIALS,
    input: () => ({}),
  },
  'backup.restore': {
    rule: "a restore replaces every organization's decisions since the backup: CMS only, with a fresh code; on PostgreSQL, the database operator",
    expect: ON_POSTGRES ? row('UNAUTHENTICATED', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'CONFLICT') : CMS_ONLY,
    input: async (fx, p) => {
      const name = ON_POSTGRES ? 'console-2026-01-15.sqlite' : (await fx.h.app.services.backups.backupNow(null)).name;
      return { name, code: p === 'none' ? '123456' : fx.freshCode(p) };
    },
  },
  'recovery.restore': {
    rule: 'only a console on its recovery screen (this one started normally)',
    expect: row('CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT'),
    input: () => ({ name: 'console-2026-01-15.sqlite' }),
  },
  'recovery.openReadOnly': {
    rule: 'only a console on its recovery screen (this one started normally)',
    expect: row('CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT'),
    input: () => ({}),
  },
};

const ACCOUNTS: Record<Exclude<Persona, 'none'>, { organization: string; role: string }> = {
  user: { organization: '123', role: 'Assessment Coordinator' },
  so123: { organization: '123', role: 'Provider Security Official' },
  so456: { organization: '456', role: 'Provider Security Official' },
  stateFL: { organization: 'FL', role: 'State Security Official' },
  cms: { organization: 'CMS', role: 'CMS Security Official' },
};

/** One console per channel: the callers signed in, and per caller a requester, a user of 123, a surveyor of FL and a spare account. */
class Fixture {
  private users: Record<string, TestUser> = {};
  private signedIn = new Set<string>();
  private archivePath: string | null = null;
  private offered = 0;

  constructor(readonly h: Harness) {}

  static async create(): Promise<Fixture> {
    const fx = new Fixture(await Harness.create());
    const perPersona = PERSONAS.flatMap((p) => [
      { userId: `req_${p}`, organization: '123' },
      { userId: `t_${p}`, organization: '123', roles: [[PROD, 'Provider Basic User']] as Array<[string, string]> },
      { userId: `s_${p}`, organization: 'FL', roles: [[PROD, 'Surveyor']] as Array<[string, string]> },
      { userId: `spare_${p}`, organization: '123' },
    ]);
    fx.users = await fx.h.seed({
      organizations: [
        CMS_ORG,
        PROVIDER_ORG,
        { displayId: '456', name: 'Bayview Home Health', kind: 'provider' },
        { displayId: '789', name: 'Harbor Hospice', kind: 'provider' },
        { displayId: 'FL', name: 'Florida', kind: 'state' },
      ],
      users: [
        ...Object.entries(ACCOUNTS).map(([p, a]) => ({ userId: p, organization: a.organization, roles: [[PROD, a.role]] as Array<[string, string]> })),
        ...perPersona,
      ],
    });
    for (const p of PERSONAS) if (p !== 'none') await fx.signIn(p);
    return fx;
  }

  async signIn(userId: string): Promise<void> {
    this.h.nextStep();
    await this.h.signIn(userId, this.user(userId));
    this.signedIn.add(userId);
  }

  user(userId: string): TestUser {
    const u = this.users[userId];
    if (!u) throw new Error(`no test user ${userId}`);
    return u;
  }

  /** A code from the caller's credential in a step not used yet. */
  freshCode(p: Persona): string {
    if (p === 'none') return '123456';
    this.h.nextStep();
    return this.h.code(this.user(p).secret);
  }

  async call<C extends Channel>(clientId: string, channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> {
    if (!this.signedIn.has(clientId) && clientId !== 'none' && this.users[clientId]) await this.signIn(clientId);
    return this.h.call(clientId, channel, input);
  }

  /** A fresh code from the caller's spare account's authenticator. */
  spareCode(p: Persona): string {
    this.h.nextStep();
    return this.h.code(this.user(`spare_${p}`).secret);
  }

  /** Forgot your Password? started for the caller's spare account, the one-time code read from the email. */
  async emailedReset(p: Persona): Promise<{ resetId: string; code: string }> {
    const smtp = await mailSink();
    await this.call('cms', 'mail.saveSettings', { host: '127.0.0.1', port: smtp.port, secure: false, user: '', from: 'console@example.org' });
    const before = smtp.received.length;
    const start = await this.h.call(`reset_${p}`, 'auth.requestPasswordReset', { userId: `spare_${p}`, code: this.spareCode(p) });
    if (start.delivery !== 'email') throw new Error('the one-time code was not emailed');
    await smtp.waitForMessages(before + 1);
    const code = /one-time code: (\d+)/.exec(smtp.received.at(-1)?.text ?? '')?.[1];
    if (!code) throw new Error('no one-time code in the email');
    return { resetId: start.resetId, code };
  }

  signInInput(userId: string): ChannelInput<'auth.signIn'> {
    this.h.nextStep();
    return { userId, password: PASSWORD, code: this.h.code(this.user(userId).secret), agreeToTerms: true };
  }

  /** Signs the caller in again, leaving their window on the warning page. */
  async toWarningPage(p: Persona): Promise<Record<string, never>> {
    if (p !== 'none') await this.h.call(p, 'auth.signIn', this.signInInput(p));
    return {};
  }

  /** A pending request of the caller's own requester (a proofed user of 123, or of `organization`). */
  async pending(p: Persona, role = 'Assessment Coordinator', organization = '123'): Promise<number> {
    return (await this.call(`req_${p}`, 'access.request', { program: PROD, organization, role, justification: 'matrix' })).requestId;
  }

  /** An email about organization 123 that failed, for the Retry button. */
  async failedMail(p: Persona): Promise<number> {
    const requestId = await this.pending(p);
    const row = (await sideSql(this.h.app).get('SELECT id FROM outbox WHERE request_id = ? ORDER BY id LIMIT 1', [requestId])) as { id: number };
    await sideSql(this.h.app).run("UPDATE outbox SET status = 'failed', attempts = 5, last_error = 'connection refused' WHERE id = ?", [row.id]);
    return row.id;
  }

  async notProofed(userId: string): Promise<void> {
    await sideSql(this.h.app).run("UPDATE users SET proofing_state = 'referred_in_person' WHERE user_id = ?", [userId]);
  }

  /** A temporary password for the user, as CMS hands it over after revoking their credentials. */
  async temporaryPassword(userId: string): Promise<ChannelInput<'auth.signInWithTemporaryPassword'>> {
    const { temporaryPassword } = await this.call('cms', 'users.accountAction', { userId, action: 'revokeCredentials', code: this.freshCode('cms') });
    if (!temporaryPassword) throw new Error('no temporary password');
    return { userId, password: temporaryPassword, agreeToTerms: true };
  }

  /** The caller's window signed in as t_<caller> with a temporary password, then set a password: first enrollment next. */
  async toFirstEnrollment(p: Persona): Promise<void> {
    await this.call(p, 'auth.signInWithTemporaryPassword', await this.temporaryPassword(`t_${p}`));
    await this.call(p, 'auth.changePassword', { newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
  }

  /** A review archive of 123 where the console's file transfer finds it, as an upload would. */
  async offerArchive(): Promise<string> {
    if (!this.archivePath) {
      const result = await this.call('so123', 'archive.export', { organizations: ['123'], from: this.h.clock.now() - DAY, to: this.h.clock.now() + DAY });
      this.archivePath = savedPath(result.delivery);
    }
    const token = `${ARCHIVE_TOKEN}${(this.offered += 1)}`;
    mkdirSync(join(this.h.dir, 'exports'), { recursive: true });
    copyFileSync(this.archivePath, join(this.h.dir, 'exports', token));
    return token;
  }
}

function savedPath(delivery: FileDelivery | null): string {
  if (delivery?.kind !== 'saved') throw new Error(`expected a saved file, got ${JSON.stringify(delivery)}`);
  return delivery.path;
}

let sink: SmtpTestServer | null = null;
/** One mail server for the run, started when a row first needs mail. */
async function mailSink(): Promise<SmtpTestServer> {
  sink ??= await SmtpTestServer.start();
  return sink;
}

const CHANNELS = Object.keys(contract) as Channel[];
const printed: string[] = [];

describe('authorization matrix: every channel, every kind of caller', () => {
  it('has a row for every channel of the contract, and none for a channel that is gone', () => {
    expect(Object.keys(MATRIX).sort()).toEqual([...CHANNELS].sort());
  });

  for (const channel of CHANNELS) {
    const cases = [MATRIX[channel]].flat() as Array<Case<Channel>>;
    cases.forEach((c, index) => {
      it(`${channel}${cases.length > 1 ? ` (${index + 1})` : ''}: ${c.rule}`, async () => {
        const fx = await Fixture.create();
        try {
          const got = {} as Row;
          for (const p of PERSONAS) {
            const input = await c.input(fx, p);
            const result = await fx.h.app.dispatch({ clientId: p }, channel, input);
            if (result.ok) got[p] = c.outcome ? c.outcome(result.value as never) : 'ok';
            else got[p] = result.error.code;
          }
          printed.push(`${channel.padEnd(34)} ${PERSONAS.map((p) => got[p].padEnd(15)).join(' ')}`);
          expect(got).toEqual(c.expect);
        } finally {
          await fx.h.dispose();
        }
      }, 60_000);
    });
  }

  afterAll(async () => {
    await sink?.close();
    console.log(`authorization matrix: ${CHANNELS.length} channels\n${''.padEnd(34)} ${PERSONAS.map((p) => p.padEnd(15)).join(' ')}\n${printed.join('\n')}`);
  });
});
