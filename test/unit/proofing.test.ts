import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROOFING_MESSAGES } from '../../main/services/proofing.js';
import { REQUEST_MESSAGES } from '../../main/services/requests.js';
import { assessIal2 } from '../../shared/proofing.js';
import type { ProofingDocument } from '../../shared/proofing.js';
import { CMS_ORG, Harness, PROVIDER_ORG } from '../support/console-harness.js';
import type { TestUser } from '../support/console-harness.js';
import { sideSql } from '../support/side-db.js';

const PROD = 'iQIES Prod';
const TODAY = '2026-01-15';

const passport: ProofingDocument = { type: 'us_passport', issuer: 'U.S. Department of State', expiresOn: '2030-05-01', last4: '4821', inspection: 'physical' };
const license: ProofingDocument = { type: 'drivers_license', issuer: 'Florida DHSMV', expiresOn: '2029-02-01', last4: 'A93K', inspection: 'physical' };
const bill: ProofingDocument = { type: 'utility_bill', issuer: 'Florida Power & Light', expiresOn: null, last4: '0042', inspection: 'visual' };

describe('IAL2 (NIST SP 800-63A evidence strength)', () => {
  it('one SUPERIOR document reaches IAL2', () => {
    expect(assessIal2({ photo: passport, address: bill, dateOfBirth: passport }, TODAY).reached).toBe(true);
  });
  it('one STRONG document alone does not; with a FAIR one it does', () => {
    const alone = assessIal2({ photo: license, address: license, dateOfBirth: license }, TODAY);
    expect(alone.reached).toBe(false);
    expect(alone.why).toMatch(/IAL2/);
    expect(assessIal2({ photo: license, address: bill, dateOfBirth: license }, TODAY).reached).toBe(true);
  });
  it('an expired document supports nothing, and a missing kind of evidence is named', () => {
    const expired = assessIal2({ photo: { ...passport, expiresOn: '2025-12-31' }, address: bill, dateOfBirth: passport }, TODAY);
    expect(expired).toMatchObject({ reached: false, expired: ['photo'] });
    expect(expired.why).toBe('An expired document cannot support an approval: Photo Identification.');
    expect(assessIal2({ photo: passport }, TODAY).why).toBe('Choose a document for Address Confirmation, Date of Birth Confirmation.');
  });
});

describe('In-Person Proofing (QualityNet guide 5.4.4.2)', () => {
  let h: Harness;
  let u: Record<string, TestUser>;

  beforeEach(async () => {
    h = await Harness.create();
    u = await h.seed({
      organizations: [CMS_ORG, PROVIDER_ORG, { displayId: '456', name: 'Bayview Home Health', kind: 'provider' }],
      users: [
        { userId: 'cms', organization: 'CMS', roles: [[PROD, 'CMS Security Official']] },
        { userId: 'so1', organization: '123', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'so2', organization: '123', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'so456', organization: '456', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'nina', organization: '123', roles: [[PROD, 'Assessment Coordinator']] },
        { userId: 'omar', organization: '456', roles: [[PROD, 'Provider Basic User']] },
      ],
    });
    await sideSql(h.app).run("UPDATE users SET proofing_state = 'referred_in_person' WHERE user_id IN ('nina', 'omar')");
    for (const id of ['cms', 'so1', 'so456', 'nina']) {
      await h.signIn(id, u[id]!);
      h.nextStep();
    }
  });
  afterEach(() => h.dispose());

  const decide = (who: string, input: Record<string, unknown>) =>
    h.app.dispatch({ clientId: who }, 'proofing.decide', { accountId: 'nina', appearedInPerson: true, ...input });
  const state = async (userId: string) => ((await sideSql(h.app).get('SELECT proofing_state AS s FROM users WHERE user_id = ?', [userId])) as { s: string }).s;
  const records = async () => ((await sideSql(h.app).get('SELECT count(*) AS n FROM proofing_records')) as { n: number }).n;

  it('approves with three documents reaching IAL2 and the affirmation; the user may then request roles', async () => {
    const subject = await h.call('so1', 'proofing.lookup', { accountId: 'NINA' });
    expect(subject).toMatchObject({ userId: 'nina', proofingState: 'referred_in_person', refusal: null, history: [] });
    expect(await h.refusal('nina', 'access.request', { program: PROD, organization: '123', role: 'Provider Basic User' })).toMatchObject({
      code: 'FORBIDDEN',
      message: REQUEST_MESSAGES.notProofed,
    });
    const result = await decide('so1', { decision: 'approve', documents: { photo: license, address: bill, dateOfBirth: license } });
    expect(result).toMatchObject({ ok: true, value: { subject: { proofingState: 'proofed_in_person' } } });
    expect(await state('nina')).toBe('proofed_in_person');
    expect(await h.auditActions()).toContain('proofing.approved');
    // Only the last 4 characters are kept: no column or JSON field holds a whole number.
    const stored = (await sideSql(h.app).get('SELECT documents FROM proofing_records')) as { documents: string };
    expect(JSON.parse(stored.documents)).toEqual({ photo: license, address: bill, dateOfBirth: license });
    await h.call('nina', 'access.request', { program: PROD, organization: '123', role: 'Provider Basic User' });
  });

  it('refuses an approval short of IAL2, with an expired document, without the affirmation or a document; records nothing', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ decision: 'approve', documents: { photo: license, address: license, dateOfBirth: license } }, 'documents'],
      [{ decision: 'approve', documents: { photo: { ...passport, expiresOn: '2025-01-01' }, address: bill, dateOfBirth: passport } }, 'documents'],
      [{ decision: 'approve', documents: { photo: passport, address: bill, dateOfBirth: passport }, appearedInPerson: false }, 'appearedInPerson'],
      [{ decision: 'approve', documents: { photo: passport, dateOfBirth: passport } }, 'documents'],
      [{ decision: 'approve', documents: { photo: bill, address: bill, dateOfBirth: passport } }, 'documents'],
      [{ decision: 'approve', documents: { photo: { ...license, expiresOn: null }, address: bill, dateOfBirth: license } }, 'documents'],
      [{ decision: 'approve', documents: { photo: { ...passport, last4: '12345' }, address: bill, dateOfBirth: passport } }, 'documents'],
      [{ decision: 'approve', documents: { photo: passport, address: bill, dateOfBirth: passport }, suspectedFraud: true }, 'suspectedFraud'],
    ];
    for (const [input, field] of cases) {
      const result = await decide('so1', input);
      expect(result, JSON.stringify(input)).toMatchObject({ ok: false, error: { code: 'VALIDATION', field } });
    }
    expect(await records()).toBe(0);
    expect(await state('nina')).toBe('referred_in_person');
  });

  it('a rejection needs a Reason for Rejection and Comments', async () => {
    expect(await decide('so1', { decision: 'reject', comments: 'Photo does not match' })).toMatchObject({ ok: false, error: { field: 'reason' } });
    expect(await decide('so1', { decision: 'reject', reason: 'Other', comments: '   ' })).toMatchObject({ ok: false, error: { field: 'comments' } });
    expect(await records()).toBe(0);
    await h.call('so1', 'proofing.decide', {
      accountId: 'nina',
      decision: 'reject',
      appearedInPerson: true,
      reason: 'The person does not match the photo identification',
      comments: 'Photo is of someone else',
    });
    expect(await state('nina')).toBe('rejected');
  });

  it('cancel (wrong documents) closes the session, and the person can come back', async () => {
    await h.call('so1', 'proofing.decide', {
      accountId: 'nina',
      decision: 'cancel',
      appearedInPerson: true,
      documents: { photo: { ...passport, expiresOn: '2024-01-01' } },
    });
    expect(await state('nina')).toBe('referred_in_person');
    const again = await h.call('so1', 'proofing.lookup', { accountId: 'nina' });
    expect(again.history.map((r) => r.decision)).toEqual(['cancelled']);
    expect(again.refusal).toBeNull();
    await h.call('so1', 'proofing.decide', {
      accountId: 'nina',
      decision: 'approve',
      appearedInPerson: true,
      documents: { photo: passport, address: bill, dateOfBirth: passport },
    });
    expect(await state('nina')).toBe('proofed_in_person');
  });

  it("suspected fraud rejects with the fraud reason and alerts the organization's other officials", async () => {
    await h.call('so1', 'proofing.decide', {
      accountId: 'nina',
      decision: 'reject',
      appearedInPerson: true,
      suspectedFraud: true,
      comments: 'The license hologram is missing',
    });
    const record = await sideSql(h.app).get('SELECT reason, suspected_fraud AS fraud FROM proofing_records');
    expect(record).toEqual({ reason: 'Suspected fraud', fraud: 1 });
    const alerts = ((await sideSql(h.app).all("SELECT to_address AS t FROM outbox WHERE kind = 'proofing.fraud'")) as Array<{ t: string }>).map((r) => r.t);
    expect(alerts).toEqual(['so2@example.org']);
  });

  it("only officials proof, never themselves, only their organizations' users (CMS: anyone), and only once", async () => {
    expect(await h.refusal('nina', 'proofing.lookup', { accountId: 'omar' })).toMatchObject({ code: 'FORBIDDEN', message: PROOFING_MESSAGES.notOfficial });
    expect(await h.refusal('so1', 'proofing.lookup', { accountId: 'omar' })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await h.refusal('so1', 'proofing.decide', { accountId: 'omar', decision: 'cancel', appearedInPerson: true })).toMatchObject({ code: 'NOT_FOUND' });
    expect((await h.call('so1', 'proofing.lookup', { accountId: 'so1' })).refusal).toBe(PROOFING_MESSAGES.self);
    await sideSql(h.app).run("UPDATE users SET proofing_state = 'referred_in_person' WHERE user_id = 'so1'");
    expect(await h.refusal('so1', 'proofing.decide', { accountId: 'so1', decision: 'cancel', appearedInPerson: true })).toMatchObject({
      code: 'FORBIDDEN',
      message: PROOFING_MESSAGES.self,
    });
    await h.call('cms', 'proofing.decide', {
      accountId: 'omar',
      decision: 'approve',
      appearedInPerson: true,
      documents: { photo: passport, address: bill, dateOfBirth: passport },
    });
    expect(
      await h.refusal('so456', 'proofing.decide', {
        accountId: 'omar',
        decision: 'approve',
        appearedInPerson: true,
        documents: { photo: passport, address: bill, dateOfBirth: passport },
      }),
    ).toMatchObject({
      code: 'CONFLICT',
      message: PROOFING_MESSAGES.alreadyProofed,
    });
  });

  /**
   * Decisions on one person at once, on either engine (PostgreSQL runs them side by side, so which
   * reads first varies): whatever order they land in, nothing is recorded after the person is
   * proofed, nothing is recorded on a state its official did not see, and every other decision is
   * refused with the reason.
   */
  const decidedAtOnce = async (calls: Array<() => Promise<Awaited<ReturnType<typeof decide>>>>) => {
    const results = await Promise.all(calls.map((call) => call()));
    const decisions = (await h.auditActions()).filter((a) => a.startsWith('proofing.'));
    expect(decisions).toHaveLength(results.filter((r) => r.ok).length);
    expect(await records()).toBe(decisions.length);
    // At most one approval, and nothing after it.
    expect(decisions.filter((d) => d === 'proofing.approved').length).toBeLessThanOrEqual(1);
    if (decisions.includes('proofing.approved')) expect(decisions.at(-1)).toBe('proofing.approved');
    for (const r of results.filter((x) => !x.ok)) {
      expect([PROOFING_MESSAGES.alreadyProofed, PROOFING_MESSAGES.changedMeanwhile]).toContain(r.ok ? null : r.error.message);
      expect(r).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    }
    expect(await state('nina')).toBe(decisions.at(-1) === 'proofing.approved' ? 'proofed_in_person' : 'rejected');
    return { results, decisions };
  };

  it('two officials deciding for one person at once: nothing is recorded after the person is proofed, nor on a state unseen', async () => {
    const documents = { photo: passport, address: bill, dateOfBirth: passport };
    const { results } = await decidedAtOnce([
      () => decide('so1', { decision: 'approve', documents }),
      () => decide('cms', { decision: 'approve', documents }),
      () => decide('so1', { decision: 'reject', documents, reason: 'The documents do not match the account', comments: 'Name differs' }),
    ]);
    // The two approvals read the same state: one of them at most is taken.
    expect(results.filter((r) => !r.ok).length).toBeGreaterThanOrEqual(1);
  });

  it("an approval taken on the state before another official's rejection is refused; looked up again, it is taken", async () => {
    const documents = { photo: passport, address: bill, dateOfBirth: passport };
    const approve = () => decide('cms', { decision: 'approve', documents });
    const { decisions } = await decidedAtOnce([
      () => decide('so1', { decision: 'reject', documents, reason: 'The documents do not match the account', comments: 'Name differs' }),
      approve,
    ]);
    if (!decisions.includes('proofing.approved')) {
      // Having seen the rejection, the CMS official approves deliberately.
      expect((await h.call('cms', 'proofing.lookup', { accountId: 'nina' })).proofingState).toBe('rejected');
      expect(await approve()).toMatchObject({ ok: true, value: { subject: { proofingState: 'proofed_in_person' } } });
    }
    expect(await state('nina')).toBe('proofed_in_person');
  });

  it('prints a receipt with types, issuers, expiry and last 4 only', async () => {
    const { recordId } = await h.call('so1', 'proofing.decide', {
      accountId: 'nina',
      decision: 'approve',
      appearedInPerson: true,
      documents: { photo: passport, address: bill, dateOfBirth: passport },
    });
    const { delivery } = await h.call('so1', 'proofing.receipt', { recordId });
    const path = delivery?.kind === 'saved' ? delivery.path : '';
    const pdf = readFileSync(path);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(1500);
    expect(await h.refusal('so456', 'proofing.receipt', { recordId })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await h.auditActions()).toContain('proofing.receipt_printed');
  });

  it('records remote proofing outcomes by Table 5-1; a person in Canada is proofed only in person', async () => {
    const omar = ((await sideSql(h.app).get("SELECT id FROM users WHERE user_id = 'omar'")) as { id: number }).id;
    await sideSql(h.app).run("UPDATE users SET proofing_state = 'not_started', country = 'Canada' WHERE id = ?", [omar]);
    await expect(h.app.services.proofing.recordRemoteOutcome(omar, 'verified', null)).rejects.toThrow(PROOFING_MESSAGES.canadaInPerson);
    expect(await h.app.services.proofing.recordRemoteOutcome(omar, 'canada', null)).toBe('referred_in_person');
    await sideSql(h.app).run("UPDATE users SET country = 'US' WHERE id = ?", [omar]);
    expect(await h.app.services.proofing.recordRemoteOutcome(omar, 'cannot_verify', 'EXP-77812')).toBe('referred_phone');
    expect((await h.call('cms', 'proofing.lookup', { accountId: 'omar' })).reference).toBe('EXP-77812');
    expect(await h.app.services.proofing.recordRemoteOutcome(omar, 'verified', 'EXP-77812')).toBe('proofed_remote');
  });
});
