import type { ProofingDocument } from '../../shared/proofing.js';
import { CMS_ORG, Harness, PROVIDER_ORG } from './console-harness.js';
import type { TestUser } from './console-harness.js';
import type { SqlDatabase } from '../../main/store/sql.js';
import { sideSql } from './side-db.js';

export const PROD = 'iQIES Prod';
export const passport: ProofingDocument = {
  type: 'us_passport',
  issuer: 'U.S. Department of State',
  expiresOn: '2030-05-01',
  last4: '4821',
  inspection: 'physical',
};
export const bill: ProofingDocument = { type: 'utility_bill', issuer: 'Florida Power & Light', expiresOn: null, last4: '0042', inspection: 'visual' };
/** An in-person proofing that reaches IAL2, with the person in the room. */
export const proofIn = (accountId: string) =>
  ({ accountId, appearedInPerson: true, decision: 'approve', documents: { photo: passport, address: bill, dateOfBirth: passport } }) as const;

/**
 * A console with every kind of official the trust model tells apart, all signed in: two CMS
 * officials (so dual control applies), two officials of provider 123, one of provider 456 (with a
 * provider 789 that has none), Florida's, and ordinary people: a provider user, a Florida surveyor,
 * and two CMS staff without roles who may ask for the CMS Security Official role.
 */
export class TrustConsole {
  private constructor(
    readonly h: Harness,
    readonly users: Record<string, TestUser>,
  ) {}

  static async create(): Promise<TrustConsole> {
    const h = await Harness.create();
    const users = await h.seed({
      organizations: [
        CMS_ORG,
        PROVIDER_ORG,
        { displayId: '456', name: 'Bayview Home Health', kind: 'provider' },
        { displayId: '789', name: 'Harbor Rehab', kind: 'provider' },
        { displayId: 'FL', name: 'Florida', kind: 'state' },
      ],
      users: [
        { userId: 'cms1', organization: 'CMS', roles: [[PROD, 'CMS Security Official']] },
        { userId: 'cms2', organization: 'CMS', roles: [[PROD, 'CMS Security Official']] },
        { userId: 'so1', organization: '123', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'so2', organization: '123', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'so456', organization: '456', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'flso', organization: 'FL', roles: [[PROD, 'State Security Official']] },
        { userId: 'demo', organization: '123', roles: [[PROD, 'Provider Basic User']] },
        { userId: 'analyst', organization: 'CMS' },
        { userId: 'analyst2', organization: 'CMS' },
        { userId: 'surveyor', organization: 'FL', roles: [[PROD, 'Surveyor']] },
      ],
    });
    for (const id of Object.keys(users)) {
      await h.signIn(id, users[id]!);
      h.nextStep();
    }
    return new TrustConsole(h, users);
  }

  /** The console's database on either engine, for arranging and inspecting rows (SQL both engines accept). */
  get sql(): SqlDatabase {
    return sideSql(this.h.app);
  }

  /** A fresh code of the user's authenticator (the next time step). */
  code(who: string): string {
    this.h.nextStep();
    return this.h.code(this.users[who]!.secret);
  }

  async rowId(userId: string): Promise<number> {
    const row = await this.sql.get<{ id: number }>('SELECT id FROM users WHERE user_id = ?', [userId]);
    if (!row) throw new Error(`No user ${userId}`);
    return row.id;
  }

  /** Rows in a table (the name is the test's own, never data). */
  async rowCount(table: string): Promise<number> {
    return (await this.sql.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))?.n ?? 0;
  }

  /** The roles a user holds, as (role, organization). */
  holds(userId: string): Promise<Array<{ role: string; org: string }>> {
    return this.sql.all<{ role: string; org: string }>(
      'SELECT r.name AS role, o.display_id AS org FROM role_assignments a JOIN roles r ON r.id = a.role_id JOIN organizations o ON o.id = a.organization_id JOIN users u ON u.id = a.user_id WHERE u.user_id = ? ORDER BY r.name, o.display_id',
      [userId],
    );
  }
}

/**
 * Runs `first` just before a service's next calls of one store method (after every check the
 * service made), then the call itself: the way to make another official's change commit between a
 * service's read and its write. Returns the function that puts the service's store back.
 */
export function beforeStoreCall(service: object, part: string, method: string, first: () => Promise<unknown>): () => void {
  const holder = service as { store: object };
  const real = holder.store;
  holder.store = new Proxy(real, {
    get: (target, key) =>
      key === part
        ? new Proxy(Reflect.get(target, key) as object, {
            get: (store, name) =>
              name === method
                ? async (...args: unknown[]) => {
                    await first();
                    return (Reflect.get(store, name) as (...a: unknown[]) => Promise<unknown>)(...args);
                  }
                : Reflect.get(store, name),
          })
        : Reflect.get(target, key),
  });
  return () => {
    holder.store = real;
  };
}
