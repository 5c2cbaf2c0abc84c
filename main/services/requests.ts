import { slot, slotText } from '../store/slots.js';
import { ChunkPacer } from './pacing.js';
import type { Slotted } from '../store/slots.js';
import type { Clock } from '../clock.js';
import { formatDateTime } from '../../shared/dates.js';
import type {
  ChannelOutput,
  ChannelParsedInput,
  DecisionOutcome,
  DecisionPreviewItem,
  MailNotice,
  MyRequestView,
  QueueRow,
} from '../../shared/ipc/contract.js';
import { AppError } from '../../shared/ipc/errors.js';
import { REOPEN_WINDOW_HOURS, ROLE_NAMES, STALE_AFTER_DAYS, isProofed } from '../../shared/domain.js';
import { CONSOLE_MESSAGES } from '../../shared/policy.js';
import { catalogueRefusal, catalogueView, roleAllowedIn } from '../../shared/roles.js';
import type { OrganizationRecord, RoleHolding } from '../store/types.js';
import type { Store } from '../store/store.js';
import type { OutboxDraft } from '../store/outbox-rows.js';
import type { ApprovalRecord, Decision, QueueKey, QueueScope, QueueView, RequestRecord } from '../store/requests-store.js';
import type { Session } from './sessions.js';
import { AUTHORITY_CHANGED, DECISION_MESSAGES, administeredOrganizations, judgeDecision, officialKindOf, officialOf } from './officials.js';
import { NO_AUTHORITY } from '../store/authority.js';
import type { Judgement, Official } from './officials.js';
import { requestDecidedEmail, requestFiledEmail, secondApprovalEmail } from './email-texts.js';

const DAY_MS = 86_400_000;

export const REQUEST_MESSAGES = {
  notOfficial: 'Only Security Officials can work with role requests.',
  ownRequest: DECISION_MESSAGES.ownRequest,
  notYours: 'This request is not for an organization you administer',
  firstOfficialByCms: DECISION_MESSAGES.firstOfficialByCms,
  noOfficialYet: DECISION_MESSAGES.noOfficialYet,
  notFound: 'No such request',
  notProofed: 'Your identity must be proofed before you can request a role. Ask your Security Official to prove your identity in person.',
} as const;

/**
 * Role requests: filing, withdrawing, the Security Official queue, bulk decisions and the
 * governance rules of the job aids (first Security Official by CMS, nobody decides their own).
 */
export class RequestService {
  constructor(
    readonly store: Store,
    readonly clock: Clock,
    /** Called after a commit that queued emails: delivers soon, and says whether a mail server is set up. */
    private readonly onMailQueued: () => Promise<MailNotice> = async () => 'not_configured',
    /** The database time one chunk of a bulk decision aims at (see ChunkPacer). */
    private readonly chunkTargetMs = 40,
  ) {}

  async options(_session: Session): Promise<ChannelOutput<'access.options'>> {
    return {
      programs: await this.store.requests.programs(),
      roles: [...ROLE_NAMES],
      catalogue: catalogueView(),
    };
  }

  async file(session: Session, input: ChannelParsedInput<'access.request'>): Promise<ChannelOutput<'access.request'>> {
    const programId = await this.store.requests.programId(input.program);
    if (programId === null) throw new AppError('VALIDATION', `Unknown program: ${input.program}`, 'program');
    const organization = await this.store.requests.organizationByDisplayId(input.organization);
    if (!organization) throw new AppError('VALIDATION', `Unknown organization: ${input.organization}`, 'organization');
    const role = (await this.store.requests.roles()).find((r) => r.name === input.role);
    if (!role) throw new AppError('VALIDATION', `Unknown role: ${input.role}`, 'role');
    if (!roleAllowedIn(role.name, organization.kind))
      throw new AppError('VALIDATION', catalogueRefusal(role.name, organization.name, organization.kind), 'role');
    const requester = await this.store.users.byId(session.userRowId);
    if (!requester) throw new AppError('UNAUTHENTICATED', CONSOLE_MESSAGES.sessionEnded);
    // QualityNet guide 5.2: identity proofing comes before access.
    if (!isProofed(requester.proofingState)) {
      throw new AppError('FORBIDDEN', REQUEST_MESSAGES.notProofed);
    }

    // iQIES job aid: "An email is sent directly to the SO"; a first SO request goes to CMS.
    const officials = await this.store.requests.securityOfficialEmails(organization.id);
    const recipients = officials.length === 0 && role.securityOfficialKind !== null ? await this.store.requests.cmsOfficialEmails() : officials;
    const name = `${requester.firstName} ${requester.lastName}`;
    const filed = await this.store.requests.file(
      { requesterId: requester.id, programId, organizationId: organization.id, roleId: role.id, justification: input.justification },
      [
        {
          action: 'request.filed',
          actorId: requester.id,
          subjectUserId: requester.id,
          organizationId: organization.id,
          requestId: slot('requestId'),
          details: { program: input.program, role: input.role },
        },
      ],
      recipients.map((to): Slotted<OutboxDraft> => ({
        to,
        ...requestFiledEmail({
          name,
          userId: requester.userId,
          role: input.role,
          program: input.program,
          organization,
          requestId: slotText('requestId'),
          justification: input.justification ?? null,
        }),
        kind: 'request.filed',
        organizationId: organization.id,
        requestId: slot('requestId'),
      })),
    );
    if (filed === 'inactive') throw new AppError('UNAUTHENTICATED', CONSOLE_MESSAGES.sessionEnded);
    if (filed === 'held') throw new AppError('CONFLICT', 'You already hold this role.');
    if (filed === 'pending') throw new AppError('CONFLICT', 'You already have a pending request for this role.');
    await this.onMailQueued();
    const [created] = await this.store.requests.byIds([filed.requestId]);
    if (!created) throw new AppError('INTERNAL', 'The request was not saved.');
    return toMyView(created);
  }

  async mine(session: Session): Promise<ChannelOutput<'access.mine'>> {
    const requests = await this.store.requests.forRequester(session.userRowId);
    const roles = await this.store.requests.rolesOf(session.userRowId, 'all');
    return {
      requests: requests.map(toMyView),
      roles: roles.map((r) => ({ program: r.program, role: r.role, organization: publicOrg(r.organization) })),
    };
  }

  async withdraw(session: Session, input: ChannelParsedInput<'access.withdraw'>): Promise<ChannelOutput<'access.withdraw'>> {
    const [request] = await this.store.requests.byIds([input.requestId]);
    if (!request || request.requesterId !== session.userRowId) throw new AppError('NOT_FOUND', REQUEST_MESSAGES.notFound);
    if (request.status !== 'pending') throw new AppError('CONFLICT', 'Only a pending request can be withdrawn.');
    const done = await this.store.requests.withdraw(request.id, session.userRowId, [
      {
        action: 'request.withdrawn',
        actorId: session.userRowId,
        subjectUserId: session.userRowId,
        organizationId: request.organization.id,
        requestId: request.id,
      },
    ]);
    if (!done) throw new AppError('CONFLICT', 'This request was decided meanwhile.');
    const [after] = await this.store.requests.byIds([request.id]);
    return toMyView(after ?? request);
  }

  async queuePage(session: Session, input: ChannelParsedInput<'queue.page'>): Promise<ChannelOutput<'queue.page'>> {
    const official = await this.official(session);
    let organizationId: number | undefined;
    if (input.organization !== undefined && input.organization !== '') {
      // One the official administers is in their holdings, read once above; only CMS looks others up.
      const org =
        [...official.administered.values()].find((o) => o.displayId === input.organization) ??
        (official.isCms ? await this.store.requests.organizationByDisplayId(input.organization) : null);
      if (!org || (!official.administered.has(org.id) && !official.isCms)) throw new AppError('FORBIDDEN', REQUEST_MESSAGES.notYours);
      organizationId = org.id;
    }
    const scope: QueueScope = {
      organizationIds: [...official.administered.keys()],
      allSecurityOfficialRequests: official.isCms,
      programName: input.program === '' ? undefined : input.program,
      organizationId,
    };
    const after = input.seek !== undefined ? seekKey(input.seek) : input.after === undefined ? null : decodeCursor(input.after, input.sort);
    // The page, its total (from the counters), what judging its rows needs and the programs in one store call.
    const view = await this.store.requests.queueView(scope, after, input.sort, input.limit + 1, [...official.administered.keys()], this.clock.now());
    const records = view.records;
    const page = records.slice(0, input.limit);
    const context = await this.decisionContext(page, [], { known: view });
    const counts = context.counts;
    const last = page[page.length - 1];
    const blocked = new Map<number, { organization: ReturnType<typeof publicOrg>; reason: string }>();
    for (const r of page) {
      if ((counts.get(r.organization.id) ?? 0) === 0) {
        blocked.set(r.organization.id, { organization: publicOrg(r.organization), reason: REQUEST_MESSAGES.noOfficialYet(r.organization.name) });
      }
    }
    return {
      rows: page.map((r) => this.toQueueRow(r, official, context.of(r))),
      nextCursor: records.length > input.limit && last ? encodeCursor(last, input.sort) : null,
      total: view.total,
      blockedOrganizations: [...blocked.values()],
      singleOfficialOrganizations: [...official.administered.values()].filter((o) => counts.get(o.id) === 1).map(publicOrg),
      organizations: [...official.administered.values()].map(publicOrg),
      programs: view.programs,
    };
  }

  async preview(session: Session, input: ChannelParsedInput<'queue.preview'>): Promise<ChannelOutput<'queue.preview'>> {
    const official = await this.official(session);
    const { allowed, refused, items } = await this.judgeAll(official, input.requestIds, input.action);
    return { decidable: allowed.map(({ request }) => request.id), refused, items };
  }

  approve(session: Session, input: ChannelParsedInput<'queue.approve'>): Promise<ChannelOutput<'queue.approve'>> {
    return this.decideAll(session, input.requestIds, 'approve', null);
  }

  reject(session: Session, input: ChannelParsedInput<'queue.reject'>): Promise<ChannelOutput<'queue.reject'>> {
    return this.decideAll(session, input.requestIds, 'reject', input.reason);
  }

  async view(session: Session, input: ChannelParsedInput<'queue.view'>): Promise<ChannelOutput<'queue.view'>> {
    const official = await this.official(session);
    const [request] = await this.store.requests.byIds([input.requestId]);
    // Out of scope reads as absent, so request IDs cannot be probed.
    if (!request || !inScope(official, request)) throw new AppError('NOT_FOUND', REQUEST_MESSAGES.notFound);
    const requester = await this.store.requests.requesterProfile(request.requesterId);
    if (!requester) throw new AppError('NOT_FOUND', REQUEST_MESSAGES.notFound);
    const roles = await this.store.requests.rolesOf(request.requesterId, [...official.administered.keys()]);
    const row = this.toQueueRow(request, official, (await this.decisionContext([request])).of(request));
    return {
      request: {
        ...toMyView(request),
        decidedBy: request.decidedByEmail,
        stale: row.stale && request.status === 'pending',
        blockedReason: request.status === 'pending' ? row.blockedReason : null,
      },
      requester,
      roles: roles.map((r) => ({ program: r.program, role: r.role, organization: publicOrg(r.organization) })),
      canReopen: this.canReopen(official, request),
    };
  }

  /** HARP job aid FAQ ("I accidentally denied a request"): the official who rejected may reopen it for a day. */
  async reopen(session: Session, input: ChannelParsedInput<'queue.reopen'>): Promise<ChannelOutput<'queue.reopen'>> {
    const official = await this.official(session);
    const [request] = await this.store.requests.byIds([input.requestId]);
    if (!request || !inScope(official, request)) throw new AppError('NOT_FOUND', REQUEST_MESSAGES.notFound);
    if (request.status !== 'rejected' || request.decidedBy !== official.id) {
      throw new AppError('FORBIDDEN', 'Only the Security Official who rejected a request can reopen it.');
    }
    if (!this.canReopen(official, request)) throw new AppError('CONFLICT', `A rejection can be reopened only within ${REOPEN_WINDOW_HOURS} hours.`);
    const reopened = await this.store.requests.reopen(request.id, official.id, this.reopenNotBefore(), [
      {
        action: 'request.reopened',
        actorId: official.id,
        subjectUserId: request.requesterId,
        organizationId: request.organization.id,
        requestId: request.id,
        details: { previousReason: request.reason },
      },
    ]);
    if (reopened === NO_AUTHORITY) throw new AppError('FORBIDDEN', AUTHORITY_CHANGED);
    if (!reopened) throw new AppError('CONFLICT', 'This request changed meanwhile.');
    const [after] = await this.store.requests.byIds([request.id]);
    return toMyView(after ?? request);
  }

  /** The pending count of the official's queue (the home badge). */
  /** `known`: the official's role holdings when the caller has just read them (Home), so they are read once. */
  async pendingCount(session: Session, known?: readonly RoleHolding[]): Promise<number | null> {
    const holdings = known ?? (await this.store.users.sessionHoldings(session.userRowId));
    const kind = officialKindOf(holdings);
    if (kind === null) return null;
    return this.store.requests.queueCount({
      organizationIds: administeredOrganizations(holdings).map((o) => o.id),
      allSecurityOfficialRequests: kind === 'cms',
    });
  }

  private official(session: Session): Promise<Official> {
    return officialOf(this.store, session, REQUEST_MESSAGES.notOfficial);
  }

  private canReopen(official: Official, request: RequestRecord): boolean {
    return request.status === 'rejected' && request.decidedBy === official.id && (request.decidedAt ?? 0) >= this.reopenNotBefore();
  }

  private reopenNotBefore(): number {
    return this.clock.now() - REOPEN_WINDOW_HOURS * 3_600_000;
  }

  /**
   * What judging these requests needs, read once for all of them: each organization's official
   * count and, only when a CMS Security Official role is among them, the approvals given and the
   * CMS officials who count for dual control. A queue page passes what it read with its rows
   * (`known`); a bulk passes its `memo`, so that its chunks read the counts and the CMS officials
   * once, as when the whole bulk was judged before any chunk.
   */
  private async decisionContext(
    records: readonly RequestRecord[],
    moreOrganizations: readonly number[] = [],
    from: { known?: Pick<QueueView, 'officialCounts' | 'approvals' | 'cmsOfficials'>; memo?: BulkMemo } = {},
  ) {
    const { known, memo } = from;
    if (known) return this.contextOf(known.officialCounts, known.approvals, known.cmsOfficials);
    const wanted = [...new Set([...records.map((r) => r.organization.id), ...moreOrganizations])];
    const missing = memo ? wanted.filter((id) => !memo.counts.has(id)) : wanted;
    const read = missing.length > 0 || !memo ? await this.store.requests.securityOfficialCounts(missing) : new Map<number, number>();
    if (memo) for (const [id, n] of read) memo.counts.set(id, n);
    const counts = memo ? memo.counts : read;
    const cmsRequests = records.filter((r) => r.securityOfficialKind === 'cms').map((r) => r.id);
    const approvals = cmsRequests.length > 0 ? await this.store.requests.approvalsFor(cmsRequests) : new Map<number, ApprovalRecord[]>();
    const cmsOfficials = cmsRequests.length > 0 ? (memo?.cmsOfficials ?? (await this.store.requests.cmsOfficialIds(this.clock.now()))) : [];
    if (memo && cmsRequests.length > 0) memo.cmsOfficials = cmsOfficials;
    return this.contextOf(counts, approvals, cmsOfficials);
  }

  private contextOf(counts: Map<number, number>, approvals: Map<number, ApprovalRecord[]>, cmsOfficials: readonly number[]) {
    return {
      counts,
      of: (r: RequestRecord): RowContext => ({ officialCount: counts.get(r.organization.id) ?? 0, approvals: approvals.get(r.id) ?? [], cmsOfficials }),
    };
  }

  private toQueueRow(r: RequestRecord, official: Official, ctx: RowContext): QueueRow {
    const judged = judge(official, r, 'approve', ctx);
    return {
      requestId: r.id,
      firstName: r.requesterFirstName,
      lastName: r.requesterLastName,
      organization: publicOrg(r.organization),
      role: r.role,
      program: r.program,
      requestedAt: r.requestedAt,
      stale: this.clock.now() - r.requestedAt > STALE_AFTER_DAYS * DAY_MS,
      blockedReason: judged.refusal,
      approvals:
        judged.approvalsNeeded === null ? null : { given: ctx.approvals.length, needed: judged.approvalsNeeded, by: ctx.approvals.map((a) => a.email) },
      mine: r.requesterId === official.id,
    };
  }

  /** Splits requests into those this official may decide and those refused, with reasons and what each click does. */
  private async judgeAll(official: Official, ids: readonly number[], action: 'approve' | 'reject', memo?: BulkMemo) {
    const unique = [...new Set(ids)];
    const records = new Map((await this.store.requests.byIds(unique)).map((r) => [r.id, r]));
    const context = await this.decisionContext([...records.values()], [], { memo });
    const allowed: Array<{ request: RequestRecord; judged: Judgement }> = [];
    const refused: DecisionOutcome[] = [];
    const items: DecisionPreviewItem[] = [];
    for (const id of unique) {
      const r = records.get(id);
      if (!r || !inScope(official, r)) {
        refused.push({ requestId: id, outcome: 'not_found', message: REQUEST_MESSAGES.notFound });
        continue;
      }
      if (r.status !== 'pending') {
        refused.push({ requestId: id, outcome: 'conflict', message: alreadyDecided(r) });
        continue;
      }
      const judged = judge(official, r, action, context.of(r));
      items.push({
        requestId: r.id,
        name: `${r.requesterFirstName} ${r.requesterLastName}`,
        userId: r.requesterUserId,
        role: r.role,
        organization: publicOrg(r.organization),
        program: r.program,
        flags: judged.flags,
        refusal: judged.refusal,
      });
      if (judged.refusal) refused.push({ requestId: id, outcome: 'refused', message: judged.refusal });
      else allowed.push({ request: r, judged });
    }
    return { allowed, refused, items };
  }

  private async decideAll(
    session: Session,
    ids: readonly number[],
    action: 'approve' | 'reject',
    reason: string | null,
  ): Promise<ChannelOutput<'queue.approve'>> {
    const official = await this.official(session);
    const unique = [...new Set(ids)];
    const refused: DecisionOutcome[] = [];
    const decided: DecisionOutcome[] = [];
    let secondApproval: { cmsEmails: readonly string[]; approverEmail: string } | null = null;
    let anyAllowed = false;
    const pacer = new ChunkPacer(this.chunkTargetMs);
    const memo: BulkMemo = { counts: new Map(), cmsOfficials: null };
    // Each chunk is read, judged and decided in turn: reading all 10,000 requests first held the
    // database for most of a second in one call and handed the main process 10,000 rows at once.
    for (let i = 0; i < unique.length;) {
      const slice = unique.slice(i, i + pacer.size);
      i += slice.length;
      const judged = await this.judgeAll(official, slice, action, memo);
      refused.push(...judged.refused);
      const chunk = judged.allowed;
      if (chunk.length > 0) {
        anyAllowed = true;
        // Who is asked for the second approval of a CMS Security Official role: read once, when first needed.
        if (secondApproval === null && chunk.some(({ judged: j }) => j.approvalsNeeded === 2)) {
          secondApproval = { cmsEmails: await this.store.requests.cmsOfficialEmails(), approverEmail: (await this.store.users.byId(official.id))?.email ?? '' };
        }
        const asked = secondApproval ?? { cmsEmails: [], approverEmail: '' };
        const decisions: Decision[] = chunk.map(({ request, judged: j }) => this.decision(official, request, action, reason, j, asked));
        const { conflicts, recorded, refused: refusedByDatabase, noAuthority } = await pacer.run(() => this.store.requests.decide(official.id, decisions));
        if (noAuthority) {
          // Deactivated, or every Security Official role removed, since the bulk began: it stops here.
          for (const id of [...chunk.map(({ request }) => request.id), ...unique.slice(i)]) {
            decided.push({ requestId: id, outcome: 'refused', message: AUTHORITY_CHANGED });
          }
          break;
        }
        const conflicted = new Set(conflicts);
        const waiting = new Set(recorded);
        const databaseRefused = new Map(refusedByDatabase.map((r) => [r.requestId, r.message]));
        const meanwhile = conflicts.length > 0 ? new Map((await this.store.requests.byIds(conflicts)).map((r) => [r.id, r])) : new Map<number, RequestRecord>();
        for (const { request: r } of chunk) {
          const ruled = databaseRefused.get(r.id);
          if (ruled !== undefined) {
            decided.push({ requestId: r.id, outcome: 'refused', message: ruled });
          } else if (conflicted.has(r.id)) {
            const now = meanwhile.get(r.id);
            decided.push({
              requestId: r.id,
              outcome: 'conflict',
              message: now && now.status !== 'pending' ? alreadyDecided(now) : 'This request was decided meanwhile.',
            });
          } else if (waiting.has(r.id)) {
            decided.push({
              requestId: r.id,
              outcome: 'awaiting_second_approval',
              message: 'Recorded: 1 of 2 approvals. A second CMS Security Official must approve it too.',
            });
          } else {
            decided.push({ requestId: r.id, outcome: action === 'approve' ? 'approved' : 'rejected', message: action === 'approve' ? 'Approved' : 'Rejected' });
            // A Security Official granted here changes how later chunks are judged: read those again.
            if (action === 'approve' && r.securityOfficialKind !== null) {
              memo.counts.delete(r.organization.id);
              if (r.securityOfficialKind === 'cms') memo.cmsOfficials = null;
            }
          }
        }
      }
      // Let other work run between chunks: a bulk of 10,000 must not stall the console.
      if (i < unique.length) await new Promise((resolve) => setImmediate(resolve));
    }
    // Refusals first, then the decisions in the order they were made, as when all were judged before any was decided.
    const results: DecisionOutcome[] = [...refused, ...decided];
    // Every decision recorded emails someone (the requester, or the CMS officials asked for a second approval).
    const mailed = results.some((r) => r.outcome === 'approved' || r.outcome === 'rejected' || r.outcome === 'awaiting_second_approval');
    const mail = anyAllowed ? await this.onMailQueued() : null;
    await this.auditRefusals(official, action, results);
    return mailed && mail ? { results, mail } : { results };
  }

  /**
   * A decision the rules refused is a security event too (someone tried): one audit row per
   * refused or unknown request, in the requester's organization where the request is in scope.
   */
  private async auditRefusals(official: Official, action: 'approve' | 'reject', results: readonly DecisionOutcome[]): Promise<void> {
    const refused = results.filter((r) => r.outcome === 'refused' || r.outcome === 'not_found');
    if (refused.length === 0) return;
    const inScopeRecords = new Map(
      (await this.store.requests.byIds(refused.filter((r) => r.outcome === 'refused').map((r) => r.requestId))).map((r) => [r.id, r]),
    );
    await this.store.audit.append(
      refused.map((r) => {
        const record = inScopeRecords.get(r.requestId);
        return {
          action: 'request.decision_refused',
          actorId: official.id,
          subjectUserId: record?.requesterId ?? null,
          organizationId: record?.organization.id ?? null,
          // An unknown or out-of-scope ID is kept in the details only: it names no request of this console for the official.
          requestId: record ? r.requestId : null,
          details: { action, outcome: r.outcome, reason: r.message, ...(record ? {} : { requestId: r.requestId }) },
        };
      }),
    );
  }

  private decision(
    official: Official,
    r: RequestRecord,
    action: 'approve' | 'reject',
    reason: string | null,
    judged: Judgement,
    secondApproval: { cmsEmails: readonly string[]; approverEmail: string },
  ): Decision {
    const verb = action === 'approve' ? 'approved' : 'rejected';
    const approvalsNeeded = action === 'approve' ? judged.approvalsNeeded : null;
    // A grant of the top tier made by one official is marked, so that it can be reviewed.
    const dual: Record<string, boolean> = approvalsNeeded === null ? {} : { dualControl: approvalsNeeded >= 2 };
    return {
      requestId: r.id,
      action,
      reason,
      approvalsNeeded,
      audit: {
        action: `request.${verb}`,
        actorId: official.id,
        subjectUserId: r.requesterId,
        organizationId: r.organization.id,
        requestId: r.id,
        details: { program: r.program, role: r.role, reason, ...dual },
      },
      outbox: [
        {
          to: r.requesterEmail,
          ...requestDecidedEmail({ requestId: r.id, role: r.role, program: r.program, organizationName: r.organization.name, verb, reason }),
          kind: 'request.decided',
          organizationId: r.organization.id,
          requestId: r.id,
        },
      ],
      recorded: {
        audit: {
          action: 'request.approval_recorded',
          actorId: official.id,
          subjectUserId: r.requesterId,
          organizationId: r.organization.id,
          requestId: r.id,
          details: { program: r.program, role: r.role, approvalsNeeded: approvalsNeeded ?? 0 },
        },
        outbox: secondApproval.cmsEmails
          .filter((to) => to !== r.requesterEmail && to !== secondApproval.approverEmail)
          .map((to) => ({
            to,
            ...secondApprovalEmail({
              requestId: r.id,
              approverEmail: secondApproval.approverEmail,
              requesterName: `${r.requesterFirstName} ${r.requesterLastName}`,
              requesterUserId: r.requesterUserId,
              role: r.role,
              program: r.program,
            }),
            kind: 'request.second_approval',
            organizationId: r.organization.id,
            requestId: r.id,
          })),
      },
    };
  }
}

/** What the chunks of one bulk decision read once: officials per organization, and the CMS officials who count for dual control. */
interface BulkMemo {
  counts: Map<number, number>;
  cmsOfficials: readonly number[] | null;
}

interface RowContext {
  officialCount: number;
  approvals: readonly ApprovalRecord[];
  cmsOfficials: readonly number[];
}

function judge(official: Official, r: RequestRecord, action: 'approve' | 'reject', ctx: RowContext): Judgement {
  return judgeDecision(
    official,
    {
      requesterId: r.requesterId,
      requesterName: `${r.requesterFirstName} ${r.requesterLastName}`,
      requesterProofingState: r.requesterProofingState,
      requesterCreatedBy: r.requesterCreatedBy,
      role: r.role,
      securityOfficialKind: r.securityOfficialKind,
      organization: r.organization,
    },
    action,
    { officialCount: ctx.officialCount, approvedBy: ctx.approvals.map((a) => a.officialId), cmsOfficials: ctx.cmsOfficials },
  );
}

function inScope(official: Official, r: RequestRecord): boolean {
  return official.administered.has(r.organization.id) || (official.isCms && r.securityOfficialKind !== null);
}

function alreadyDecided(r: RequestRecord): string {
  if (r.status === 'cancelled') return 'Withdrawn by the requester';
  const verb = r.status === 'approved' ? 'approved' : 'rejected';
  return `Already ${verb} by ${r.decidedByEmail ?? 'another official'} on ${formatDateTime(r.decidedAt ?? 0)}`;
}

function publicOrg(o: { displayId: string; name: string; kind: OrganizationRecord['kind'] }) {
  return { displayId: o.displayId, name: o.name, kind: o.kind };
}

function toMyView(r: RequestRecord): MyRequestView {
  return {
    requestId: r.id,
    program: r.program,
    organization: publicOrg(r.organization),
    role: r.role,
    justification: r.justification,
    status: r.status,
    requestedAt: r.requestedAt,
    decidedAt: r.decidedAt,
    reason: r.reason,
  };
}

/**
 * Go to: a key just before the first row wanted, so that the page starts there. Ids are
 * positive, so (moment - 1, the largest id) is before every request made at `requestedFrom`, and
 * (letters, '', 0) before every requester whose last name is those letters or comes after them
 * (names compare without case for ASCII letters, on both engines, as the queue sorts them).
 */
function seekKey(seek: NonNullable<ChannelParsedInput<'queue.page'>['seek']>): QueueKey {
  if ('requestedFrom' in seek) return { sort: 'requested', requestedAt: seek.requestedFrom - 1, id: Number.MAX_SAFE_INTEGER };
  return { sort: 'lastName', lastName: seek.lastName, firstName: '', id: 0 };
}

function encodeCursor(r: RequestRecord, sort: 'requested' | 'lastName'): string {
  const key: QueueKey =
    sort === 'requested' ? { sort, requestedAt: r.requestedAt, id: r.id } : { sort, lastName: r.requesterLastName, firstName: r.requesterFirstName, id: r.id };
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, sort: 'requested' | 'lastName'): QueueKey {
  const bad = new AppError('VALIDATION', 'The page cursor is not valid; start from the first page.', 'after');
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad;
  }
  const k = key as Record<string, unknown>;
  if (typeof k !== 'object' || k === null || k.sort !== sort || !Number.isSafeInteger(k.id)) throw bad;
  if (sort === 'requested' && Number.isSafeInteger(k.requestedAt)) return { sort, requestedAt: k.requestedAt as number, id: k.id as number };
  if (sort === 'lastName' && typeof k.lastName === 'string' && typeof k.firstName === 'string') {
    return { sort, lastName: k.lastName, firstName: k.firstName, id: k.id as number };
  }
  throw bad;
}
