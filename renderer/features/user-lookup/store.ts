import { create } from 'zustand';
import type {
  AccountAction,
  ChannelInput,
  ChannelOutput,
  LookupDirection,
  LookupRow,
  MailNotice,
  ProfileRole,
  UserProfile,
} from '../../../shared/ipc/contract.js';
import { call, codeOf, fieldOf, messageOf } from '../../api.js';
import { deliverFile } from '../../files.js';
import { mailNoticeText } from '../../components/mail-notice.js';
import type { OrganizationChoice } from '../../components/OrganizationPicker.js';

export const PAGE_SIZE = 50;

type Options = ChannelOutput<'lookup.options'>;

export interface LookupFilters {
  program: string;
  /** An organization's display ID; empty is All. */
  organization: string;
  query: string;
}

export interface FormError {
  message: string;
  field: string | null;
}

/** The pop-ups of the profile: remove a role, an account action, and creating a user. */
export type LookupDialog =
  | { kind: 'remove'; role: ProfileRole; lastOfficialStep: boolean; pending: boolean; error: FormError | null }
  | { kind: 'action'; action: AccountAction; pending: boolean; error: FormError | null }
  | { kind: 'create'; pending: boolean; error: FormError | null };

/** What the official should see after a change: a sentence, and a temporary password shown once. */
export interface ProfileNotice {
  key: number;
  message: string;
  temporaryPassword: string | null;
}

export type CreateUserValues = Omit<ChannelInput<'users.create'>, 'code'> & { code: string };

interface LookupState {
  options: Options | null;
  optionsError: string | null;
  /** The form as typed; `filters` is what the listed results were searched with. */
  draft: LookupFilters;
  /** The organization chosen in the form, with its kind (the Create user dialog starts from it). */
  draftOrganization: OrganizationChoice | null;
  filters: LookupFilters | null;
  direction: LookupDirection;
  rows: LookupRow[];
  total: number | null;
  totalAtLeast: boolean;
  truncated: boolean;
  /** The cursor of each page shown so far (the first page has none), for Previous page. */
  pageCursors: Array<string | undefined>;
  nextCursor: string | null;
  loading: boolean;
  searchError: FormError | null;
  exportPending: boolean;
  exportMessage: string | null;
  exportError: string | null;

  /** The profile open instead of the list, if any. */
  profileUserId: string | null;
  profile: UserProfile | null;
  profileError: string | null;
  notice: ProfileNotice | null;
  dialog: LookupDialog | null;

  loadOptions(): Promise<void>;
  setDraft(patch: Partial<LookupFilters>): void;
  chooseOrganization(organization: OrganizationChoice | null): void;
  search(): Promise<void>;
  nextPage(): Promise<void>;
  previousPage(): Promise<void>;
  toggleDirection(): Promise<void>;
  exportUsers(): Promise<void>;
  openProfile(userId: string): Promise<void>;
  /** Another page (Home) asks for a profile: the next visit to User Lookup opens it instead of the list. */
  profileOnArrival: string | null;
  showProfileOnArrival(userId: string): void;
  closeProfile(): void;
  openDialog(dialog: LookupDialog['kind'], detail?: ProfileRole | AccountAction): void;
  closeDialog(): void;
  removeRole(): Promise<void>;
  runAction(code: string): Promise<void>;
  createUser(values: CreateUserValues): Promise<boolean>;
  dismissNotice(): void;
}

const ACTION_DONE: Record<AccountAction, string> = {
  approve: 'The account was approved. Give the person the temporary password below yourself; any earlier one no longer works.',
  unlock: 'The account was unlocked.',
  resetPassword: 'The password was reset.',
  deactivate: 'The account was deactivated. Any session the user had open has ended.',
  reactivate: 'The account was reactivated.',
  revokeCredentials: 'The two-factor credentials were removed. The user signs in with the temporary password and links a new authenticator.',
};

let noticeKey = 0;

/** A success message followed by what became of its email: never "the user was emailed" when it only waits. */
const withMail = (message: string, mail: MailNotice | undefined) => [message, mailNoticeText(mail)].filter(Boolean).join(' ');

export const useUserLookup = create<LookupState>()((set, get) => {
  async function fetchPage(filters: LookupFilters, direction: LookupDirection, cursor: string | undefined): Promise<ChannelOutput<'lookup.search'>> {
    return call('lookup.search', { ...filters, direction, limit: PAGE_SIZE, ...(cursor ? { after: cursor } : {}) });
  }

  /** Shows page `index` of the current search, whose cursor is known. */
  async function show(filters: LookupFilters, direction: LookupDirection, cursors: Array<string | undefined>, total: number | null): Promise<void> {
    set({ loading: true, searchError: null });
    try {
      const page = await fetchPage(filters, direction, cursors[cursors.length - 1]);
      set({
        filters,
        direction,
        rows: page.rows,
        // "Users (N)" comes with the first page; later pages keep it.
        total: page.total ?? total,
        // Later pages keep what the first page said of its total.
        ...(page.total !== null ? { totalAtLeast: page.totalAtLeast } : {}),
        truncated: page.truncated,
        pageCursors: cursors,
        nextCursor: page.nextCursor,
        loading: false,
      });
    } catch (error) {
      set({ loading: false, searchError: { message: messageOf(error), field: fieldOf(error) ?? null } });
    }
  }

  async function reloadProfile(userId: string): Promise<void> {
    try {
      set({ profile: await call('users.profile', { userId }), profileError: null });
    } catch (error) {
      set({ profileError: messageOf(error) });
    }
  }

  function dialogError(error: unknown): FormError {
    return { message: messageOf(error), field: fieldOf(error) ?? null };
  }

  return {
    options: null,
    optionsError: null,
    draft: { program: '', organization: '', query: '' },
    draftOrganization: null,
    filters: null,
    direction: 'asc',
    rows: [],
    total: null,
    totalAtLeast: false,
    truncated: false,
    pageCursors: [undefined],
    nextCursor: null,
    loading: false,
    searchError: null,
    exportPending: false,
    exportMessage: null,
    exportError: null,
    profileUserId: null,
    profile: null,
    profileError: null,
    notice: null,
    dialog: null,
    profileOnArrival: null,

    showProfileOnArrival(userId) {
      set({ profileOnArrival: userId });
    },

    async loadOptions() {
      try {
        const options = await call('lookup.options', {});
        const draft = get().draft;
        // The job aid's defaults (iQIES Figure 6): the first program, and All organizations, even for an official of one.
        const program = draft.program || options.programs[0] || '';
        set({ options, optionsError: null, draft: { ...draft, program } });
        // "All users within the selected organization are loaded by default."
        if (get().filters === null && program) await get().search();
      } catch (error) {
        set({ optionsError: messageOf(error) });
      }
    },

    setDraft(patch) {
      set((state) => ({ draft: { ...state.draft, ...patch } }));
    },

    chooseOrganization(organization) {
      set((state) => ({ draft: { ...state.draft, organization: organization?.displayId ?? '' }, draftOrganization: organization }));
    },

    async search() {
      set({ exportMessage: null, exportError: null });
      await show({ ...get().draft }, get().direction, [undefined], null);
    },

    async nextPage() {
      const { filters, direction, pageCursors, nextCursor, total } = get();
      if (!filters || !nextCursor) return;
      await show(filters, direction, [...pageCursors, nextCursor], total);
    },

    async previousPage() {
      const { filters, direction, pageCursors, total } = get();
      if (!filters || pageCursors.length < 2) return;
      await show(filters, direction, pageCursors.slice(0, -1), total);
    },

    async toggleDirection() {
      const { filters, direction, total } = get();
      if (!filters) return;
      await show(filters, direction === 'asc' ? 'desc' : 'asc', [undefined], total);
    },

    async exportUsers() {
      const { filters, direction, exportPending } = get();
      if (!filters || exportPending) return;
      set({ exportPending: true, exportMessage: null, exportError: null });
      try {
        const result = await call('lookup.export', { ...filters, direction });
        set({
          exportPending: false,
          exportMessage: result.delivery ? `${deliverFile(result.delivery)} (${result.count.toLocaleString()} users).` : null,
        });
      } catch (error) {
        set({ exportPending: false, exportError: messageOf(error) });
      }
    },

    async openProfile(userId) {
      set({ profileUserId: userId, profile: null, profileError: null, notice: null, dialog: null });
      await reloadProfile(userId);
    },

    closeProfile() {
      set({ profileUserId: null, profile: null, profileError: null, notice: null, dialog: null });
      // The list may have changed (a role removed, an account deactivated).
      const { filters, direction, pageCursors, total } = get();
      if (filters) void show(filters, direction, pageCursors, total);
    },

    openDialog(kind, detail) {
      if (kind === 'remove' && detail && typeof detail === 'object')
        set({ dialog: { kind, role: detail, lastOfficialStep: false, pending: false, error: null } });
      else if (kind === 'action' && typeof detail === 'string') set({ dialog: { kind, action: detail, pending: false, error: null } });
      else if (kind === 'create') set({ dialog: { kind, pending: false, error: null } });
    },

    closeDialog() {
      set({ dialog: null });
    },

    async removeRole() {
      const { dialog, profile } = get();
      if (dialog?.kind !== 'remove' || dialog.pending || !profile) return;
      // The last Security Official is asked a second time (the main process insists too).
      if (dialog.role.lastSecurityOfficial && !dialog.lastOfficialStep) {
        set({ dialog: { ...dialog, lastOfficialStep: true } });
        return;
      }
      set({ dialog: { ...dialog, pending: true, error: null } });
      try {
        const { mail, ...updated } = await call('users.removeRole', {
          userId: profile.userId,
          program: dialog.role.program,
          organization: dialog.role.organization.displayId,
          role: dialog.role.role,
          confirmLastOfficial: dialog.lastOfficialStep,
        });
        set({
          profile: updated,
          dialog: null,
          notice: { key: ++noticeKey, message: withMail(`The role ${dialog.role.role} was removed.`, mail), temporaryPassword: null },
        });
      } catch (error) {
        if (fieldOf(error) === 'confirmLastOfficial') {
          set({ dialog: { ...dialog, pending: false, lastOfficialStep: true, role: { ...dialog.role, lastSecurityOfficial: true }, error: null } });
        } else {
          set({ dialog: { ...dialog, pending: false, error: dialogError(error) } });
        }
      }
    },

    async runAction(code) {
      const { dialog, profile } = get();
      if (dialog?.kind !== 'action' || dialog.pending || !profile) return;
      set({ dialog: { ...dialog, pending: true, error: null } });
      try {
        const result = await call('users.accountAction', { userId: profile.userId, action: dialog.action, code });
        set({
          profile: result.profile,
          dialog: null,
          notice: { key: ++noticeKey, message: withMail(ACTION_DONE[dialog.action], result.mail), temporaryPassword: result.temporaryPassword },
        });
      } catch (error) {
        // A locked session takes the whole window to the lock screen (session store).
        if (codeOf(error) === 'SESSION_LOCKED') return;
        set({ dialog: { ...dialog, pending: false, error: dialogError(error) } });
      }
    },

    async createUser(values) {
      const { dialog } = get();
      if (dialog?.kind !== 'create' || dialog.pending) return false;
      set({ dialog: { ...dialog, pending: true, error: null } });
      try {
        const created = await call('users.create', values);
        set({
          dialog: null,
          profileUserId: created.profile.userId,
          profile: created.profile,
          profileError: null,
          notice: {
            key: ++noticeKey,
            message: withMail(
              `The account was created and is pending. Request ${created.requestId} for ${values.role} waits in Role Requests; another Security Official approves the account and proves the person's identity in person.`,
              created.mail,
            ),
            temporaryPassword: created.temporaryPassword,
          },
        });
        return true;
      } catch (error) {
        if (codeOf(error) !== 'SESSION_LOCKED') set({ dialog: { ...dialog, pending: false, error: dialogError(error) } });
        return false;
      }
    },

    dismissNotice() {
      set({ notice: null });
    },
  };
});
