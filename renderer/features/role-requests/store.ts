import { create } from 'zustand';
import type { ChannelOutput, DecisionOutcome, DecisionPreviewItem, MailNotice, QueueRow, QueueSort } from '../../../shared/ipc/contract.js';
import { call, fieldOf, messageOf } from '../../api.js';
import { countOf, dayStart } from '../../components/format.js';
import { mergeMailNotices } from '../../components/mail-notice.js';
import { useHome } from '../home/store.js';
import { useSession } from '../session/store.js';

/** Rows per keyset page; the table asks for the next page as the user scrolls near the end. */
export const PAGE_SIZE = 100;
/** The contract's limit of request IDs in one call; larger selections go in several calls. */
const IDS_PER_CALL = 10_000;

export type DecisionKind = 'approve' | 'reject';
type QueuePage = ChannelOutput<'queue.page'>;
export type QueueView = ChannelOutput<'queue.view'>;

export interface QueueFilters {
  /** '' means all. */
  program: string;
  organization: string;
  sort: QueueSort;
  /** Go to: the first page starts at this day (yyyy-mm-dd, sorted by date) or these letters of a last name; '' is the top. */
  goTo: string;
}

export interface QueueScope {
  programs: QueuePage['programs'];
  organizations: QueuePage['organizations'];
  blockedOrganizations: QueuePage['blockedOrganizations'];
  singleOfficialOrganizations: QueuePage['singleOfficialOrganizations'];
}

export interface DecisionDialog {
  kind: DecisionKind;
  /** The selected requests this official may decide now. */
  decidable: number[];
  /** The selected requests that will not be decided, with why. */
  refused: DecisionOutcome[];
  /** Every selected request the main process still knows, with what the click would do to it. */
  items: DecisionPreviewItem[];
  /** Opened from a request's View: Cancel goes back to it. */
  fromPanel: number | null;
  pending: boolean;
  error: { field: string | null; message: string } | null;
}

export interface DecisionResult {
  kind: DecisionKind;
  /** How many were approved (or rejected). */
  decided: number;
  /** First approvals of a CMS Security Official role: recorded, the request waits for a second official. */
  recorded: RecordedApproval[];
  /** Everything that was not decided, from the preview and from the decision itself. */
  notDecided: DecisionOutcome[];
  /** Rejected request IDs: their official may reopen them for a day (HARP job aid FAQ). */
  rejectedIds: number[];
  /** A call that failed part-way through a very large selection: the rest were not decided. */
  failure: string | null;
  /** What became of the emails the decisions queued (null: none). */
  mail: MailNotice | null;
  key: number;
}

export interface RecordedApproval {
  requestId: number;
  /** "Owen Prescott, CMS Security Official", from the preview; null if it did not list the request. */
  who: string | null;
}

export interface RequestPanel {
  requestId: number;
  data: QueueView | null;
  loading: boolean;
  error: string | null;
  reopenPending: boolean;
  /** Set once the request was reopened from the panel. */
  reopened: boolean;
}

interface RoleRequestsState {
  filters: QueueFilters;
  rows: QueueRow[];
  nextCursor: string | null;
  total: number;
  scope: QueueScope | null;
  /** First page on its way (the rows shown, if any, are the previous list's until it arrives). */
  loading: boolean;
  loadingMore: boolean;
  loadError: string | null;

  selected: ReadonlySet<number>;
  /** The row the keyboard is on (index into rows). */
  activeIndex: number;

  previewPending: boolean;
  /** A message for a keyboard shortcut that had nothing to act on. */
  hint: string | null;
  dialog: DecisionDialog | null;
  result: DecisionResult | null;
  panel: RequestPanel | null;

  load(): Promise<void>;
  loadMore(): Promise<void>;
  setFilters(filters: Partial<QueueFilters>): void;
  toggle(requestId: number): void;
  /** "Select all on this page": every loaded row, or none. */
  selectAllLoaded(selected: boolean): void;
  setActiveIndex(index: number): void;
  /** The selection's Approve or Reject; with requestIds, those only (a request's View). */
  openDecision(kind: DecisionKind, requestIds?: readonly number[]): Promise<void>;
  closeDecision(): void;
  approve(): Promise<void>;
  reject(reason: string): Promise<void>;
  openPanel(requestId: number): Promise<void>;
  closePanel(): void;
  reopen(): Promise<void>;
  dismissResult(): void;
}

const initial = {
  filters: { program: '', organization: '', sort: 'requested' as QueueSort, goTo: '' },
  rows: [],
  nextCursor: null,
  total: 0,
  scope: null,
  loading: false,
  loadingMore: false,
  loadError: null,
  selected: new Set<number>(),
  activeIndex: 0,
  previewPending: false,
  hint: null,
  dialog: null,
  result: null,
  panel: null,
};

/** Each first-page load gets a number; a page that arrives for an older one is dropped. */
let generation = 0;
let resultKey = 0;

/** Go to's day as the moment it starts; a day before 1970 is the start of every request (none is older). */
export function goToMoment(day: string): number {
  return Math.max(0, dayStart(day));
}

function pageInput(filters: QueueFilters, after?: string) {
  return {
    ...(filters.program ? { program: filters.program } : {}),
    ...(filters.organization ? { organization: filters.organization } : {}),
    sort: filters.sort,
    limit: PAGE_SIZE,
    ...(after
      ? { after }
      : filters.goTo
        ? { seek: filters.sort === 'requested' ? { requestedFrom: goToMoment(filters.goTo) } : { lastName: filters.goTo } }
        : {}),
  };
}

function scopeOf(page: QueuePage): QueueScope {
  return {
    programs: page.programs,
    organizations: page.organizations,
    blockedOrganizations: page.blockedOrganizations,
    singleOfficialOrganizations: page.singleOfficialOrganizations,
  };
}

function mergeBlocked(known: QueueScope['blockedOrganizations'], more: QueueScope['blockedOrganizations']): QueueScope['blockedOrganizations'] {
  const seen = new Set(known.map((blocked) => blocked.organization.displayId));
  const added = more.filter((blocked) => !seen.has(blocked.organization.displayId));
  return added.length === 0 ? known : [...known, ...added];
}

function chunks(ids: readonly number[]): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_CALL) out.push(ids.slice(i, i + IDS_PER_CALL));
  return out;
}

export const decidedMessage = (kind: DecisionKind, n: number) => `${countOf(n, 'request')} ${kind === 'approve' ? 'approved' : 'rejected'}.`;
export const NOTHING_SELECTED = 'Select one or more requests first.';

export const useRoleRequests = create<RoleRequestsState>()((set, get) => ({
  ...initial,

  async load() {
    generation += 1;
    const mine = generation;
    set({ loading: true, loadError: null });
    try {
      const page = await call('queue.page', pageInput(get().filters));
      if (mine !== generation) return;
      const stillListed = new Set(page.rows.map((row) => row.requestId));
      set((state) => ({
        rows: page.rows,
        nextCursor: page.nextCursor,
        total: page.total,
        scope: scopeOf(page),
        loading: false,
        loadingMore: false,
        // A selection survives a refresh only for the rows still listed.
        selected: new Set([...state.selected].filter((id) => stillListed.has(id))),
        activeIndex: Math.min(state.activeIndex, Math.max(0, page.rows.length - 1)),
      }));
    } catch (error) {
      if (mine !== generation) return;
      set({ loading: false, loadError: messageOf(error) });
    }
  },

  async loadMore() {
    const { nextCursor, loadingMore, loading, filters } = get();
    if (!nextCursor || loadingMore || loading) return;
    const mine = generation;
    set({ loadingMore: true });
    try {
      const page = await call('queue.page', pageInput(filters, nextCursor));
      if (mine !== generation) return;
      set((state) => ({
        rows: [...state.rows, ...page.rows],
        nextCursor: page.nextCursor,
        total: page.total,
        loadingMore: false,
        // The main process names the blocked organizations of each page's rows: keep them all.
        scope: state.scope && { ...state.scope, blockedOrganizations: mergeBlocked(state.scope.blockedOrganizations, page.blockedOrganizations) },
      }));
    } catch (error) {
      if (mine !== generation) return;
      set({ loadingMore: false, loadError: messageOf(error) });
    }
  },

  setFilters(filters) {
    set((state) => ({ filters: { ...state.filters, ...filters }, selected: new Set(), activeIndex: 0, rows: [], nextCursor: null }));
    void get().load();
  },

  toggle(requestId) {
    set((state) => {
      // The official's own request is not theirs to decide: never selected.
      if (state.rows.some((row) => row.requestId === requestId && row.mine)) return state;
      const selected = new Set(state.selected);
      if (selected.has(requestId)) selected.delete(requestId);
      else selected.add(requestId);
      return { selected, hint: null };
    });
  },

  selectAllLoaded(selected) {
    set((state) => ({ selected: selected ? new Set(state.rows.filter((row) => !row.mine).map((row) => row.requestId)) : new Set(), hint: null }));
  },

  setActiveIndex(index) {
    const { rows, activeIndex } = get();
    const next = Math.max(0, Math.min(index, rows.length - 1));
    if (next !== activeIndex) set({ activeIndex: next });
  },

  async openDecision(kind, requestIds) {
    const { selected, previewPending, dialog, panel } = get();
    if (previewPending || dialog) return;
    const wanted = requestIds ?? [...selected];
    if (wanted.length === 0) {
      set({ hint: NOTHING_SELECTED });
      return;
    }
    // From a View, the pop-up takes the View's place (one pop-up at a time); Cancel brings it back.
    const fromPanel = requestIds !== undefined && panel !== null ? panel.requestId : null;
    set({ previewPending: true, hint: null, loadError: null });
    try {
      const decidable: number[] = [];
      const refused: DecisionOutcome[] = [];
      const items: DecisionPreviewItem[] = [];
      for (const ids of chunks(wanted)) {
        const preview = await call('queue.preview', { requestIds: ids, action: kind });
        decidable.push(...preview.decidable);
        refused.push(...preview.refused);
        items.push(...preview.items);
      }
      set({
        previewPending: false,
        ...(fromPanel !== null ? { panel: null } : {}),
        dialog: { kind, decidable, refused, items, fromPanel, pending: false, error: null },
      });
    } catch (error) {
      const message = messageOf(error);
      if (fromPanel !== null) set((state) => ({ previewPending: false, panel: state.panel && { ...state.panel, error: message } }));
      else set({ previewPending: false, loadError: message });
    }
  },

  closeDecision() {
    const dialog = get().dialog;
    if (!dialog || dialog.pending) return;
    set({ dialog: null });
    if (dialog.fromPanel !== null) void get().openPanel(dialog.fromPanel);
  },

  approve() {
    return decide('approve', null);
  },

  reject(reason) {
    return decide('reject', reason);
  },

  async openPanel(requestId) {
    set({ panel: { requestId, data: null, loading: true, error: null, reopenPending: false, reopened: false } });
    try {
      const data = await call('queue.view', { requestId });
      if (get().panel?.requestId !== requestId) return;
      set((state) => ({ panel: state.panel && { ...state.panel, data, loading: false } }));
    } catch (error) {
      if (get().panel?.requestId !== requestId) return;
      set((state) => ({ panel: state.panel && { ...state.panel, loading: false, error: messageOf(error) } }));
    }
  },

  closePanel() {
    set({ panel: null });
  },

  async reopen() {
    const panel = get().panel;
    if (!panel || panel.reopenPending) return;
    const { requestId } = panel;
    set({ panel: { ...panel, reopenPending: true, error: null } });
    try {
      await call('queue.reopen', { requestId });
      const data = await call('queue.view', { requestId });
      set((state) => ({
        panel: state.panel?.requestId === requestId ? { ...state.panel, data, reopenPending: false, reopened: true } : state.panel,
        // The reopened request is pending again: it no longer needs offering for reopening.
        result: state.result && { ...state.result, rejectedIds: state.result.rejectedIds.filter((id) => id !== requestId) },
      }));
      await afterChange();
    } catch (error) {
      set((state) => ({
        panel: state.panel?.requestId === requestId ? { ...state.panel, reopenPending: false, error: messageOf(error) } : state.panel,
      }));
    }
  },

  dismissResult() {
    set({ result: null });
  },
}));

async function decide(kind: DecisionKind, reason: string | null): Promise<void> {
  const { dialog } = useRoleRequests.getState();
  if (!dialog || dialog.kind !== kind || dialog.pending) return;
  useRoleRequests.setState({ dialog: { ...dialog, pending: true, error: null } });
  const results: DecisionOutcome[] = [];
  let failure: string | null = null;
  let mail: MailNotice | null = null;
  try {
    for (const ids of chunks(dialog.decidable)) {
      const response =
        kind === 'approve' ? await call('queue.approve', { requestIds: ids }) : await call('queue.reject', { requestIds: ids, reason: reason ?? '' });
      results.push(...response.results);
      mail = mergeMailNotices(mail, response.mail);
    }
  } catch (error) {
    if (results.length === 0) {
      // Nothing was decided (a blank reason, say): the pop-up stays, with the main process's message.
      useRoleRequests.setState((state) => ({
        dialog: state.dialog && { ...state.dialog, pending: false, error: { field: fieldOf(error) ?? null, message: messageOf(error) } },
      }));
      return;
    }
    // A later call failed: report what was decided, and the failure for the rest.
    failure = messageOf(error);
  }
  const decidedOutcome = kind === 'approve' ? 'approved' : 'rejected';
  const decided = results.filter((r) => r.outcome === decidedOutcome);
  const listed = new Map(dialog.items.map((item) => [item.requestId, `${item.name}, ${item.role}`]));
  const recorded = results
    .filter((r) => r.outcome === 'awaiting_second_approval')
    .map((r): RecordedApproval => ({ requestId: r.requestId, who: listed.get(r.requestId) ?? null }));
  resultKey += 1;
  useRoleRequests.setState((state) => ({
    dialog: null,
    // A decision from a View takes only its request out of the selection; a bulk one clears it.
    selected: dialog.fromPanel !== null ? new Set([...state.selected].filter((id) => id !== dialog.fromPanel)) : new Set(),
    result: {
      kind,
      decided: decided.length,
      recorded,
      notDecided: [...dialog.refused, ...results.filter((r) => r.outcome !== decidedOutcome && r.outcome !== 'awaiting_second_approval')],
      rejectedIds: kind === 'reject' ? decided.map((r) => r.requestId) : [],
      failure,
      mail,
      key: resultKey,
    },
  }));
  await afterChange();
}

/** The list and the home badge show a decision at once. */
async function afterChange(): Promise<void> {
  await Promise.all([useRoleRequests.getState().load(), useHome.getState().load()]);
}

useSession.subscribe((state, previous) => {
  if (state.screen !== previous.screen && (state.screen === 'signIn' || state.screen === 'setup')) {
    generation += 1;
    useRoleRequests.setState({ ...initial, selected: new Set() });
  }
});
