import { create } from 'zustand';
import type { ChannelOutput, MyRequestView } from '../../../shared/ipc/contract.js';
import { contract } from '../../../shared/ipc/contract.js';
import { call, messageOf } from '../../api.js';
import type { FieldError } from '../../components/ErrorSummary.js';
import { serverError, validateAll } from '../../components/formErrors.js';
import { useHome } from '../home/store.js';
import { useSession } from '../session/store.js';

export type AccessOptions = ChannelOutput<'access.options'>;
export type RoleHolding = ChannelOutput<'access.mine'>['roles'][number];

export interface RequestFormValues {
  program: string;
  organization: string;
  role: string;
  justification: string;
}

/** The request form's fields in the order it shows them. */
export const REQUEST_FIELDS = ['program', 'organization', 'role', 'justification'] as const;

export const submittedMessage = (requestId: number) => `Your request was submitted. Request ID: ${requestId}.`;
export const withdrawnMessage = (requestId: number) => `Request ${requestId} was withdrawn.`;

interface MyAccessState {
  options: AccessOptions | null;
  requests: MyRequestView[];
  roles: RoleHolding[];
  loaded: boolean;
  loadError: string | null;

  submitPending: boolean;
  submitErrors: FieldError[];
  /** The confirmation of the last submit or withdrawal, and a key that changes with each. */
  success: { text: string; key: number } | null;

  /** The pending request the user is asked to confirm withdrawing. */
  withdrawing: MyRequestView | null;
  withdrawPending: boolean;
  withdrawError: string | null;

  /** The user's own Federal Surveyor ID, and whether they may ask for one. */
  fsid: ChannelOutput<'fsid.mine'> | null;
  fsidMessage: string | null;

  load(): Promise<void>;
  requestFsid(): Promise<void>;
  submit(values: RequestFormValues): Promise<boolean>;
  askWithdraw(request: MyRequestView): void;
  cancelWithdraw(): void;
  confirmWithdraw(): Promise<void>;
  dismissSuccess(): void;
}

const initial = {
  options: null,
  requests: [],
  roles: [],
  loaded: false,
  loadError: null,
  submitPending: false,
  submitErrors: [],
  success: null,
  withdrawing: null,
  withdrawPending: false,
  withdrawError: null,
  fsid: null,
  fsidMessage: null,
};

let successKey = 0;

export const useMyAccess = create<MyAccessState>()((set, get) => ({
  ...initial,

  async load() {
    try {
      const [options, mine, fsid] = await Promise.all([call('access.options', {}), call('access.mine', {}), call('fsid.mine', {})]);
      set({ options, requests: mine.requests, roles: mine.roles, fsid, loaded: true, loadError: null });
    } catch (error) {
      set({ loadError: messageOf(error) });
    }
  },

  async submit(values) {
    if (get().submitPending) return false;
    // Every problem at once, by the contract's own rules; nothing is sent until there is none.
    const problems = validateAll(contract['access.request'].input, values, REQUEST_FIELDS);
    if (problems.length > 0) {
      set({ submitErrors: problems, success: null });
      return false;
    }
    set({ submitPending: true, submitErrors: [], success: null });
    try {
      const request = await call('access.request', values);
      successKey += 1;
      set({ submitPending: false, success: { text: submittedMessage(request.requestId), key: successKey } });
      await refreshMine();
      return true;
    } catch (error) {
      set({ submitPending: false, submitErrors: [serverError(error, REQUEST_FIELDS)] });
      return false;
    }
  },

  askWithdraw(request) {
    set({ withdrawing: request, withdrawError: null });
  },

  cancelWithdraw() {
    set({ withdrawing: null, withdrawError: null });
  },

  async confirmWithdraw() {
    const { withdrawing, withdrawPending } = get();
    if (!withdrawing || withdrawPending) return;
    set({ withdrawPending: true, withdrawError: null });
    try {
      await call('access.withdraw', { requestId: withdrawing.requestId });
      successKey += 1;
      set({ withdrawPending: false, withdrawing: null, success: { text: withdrawnMessage(withdrawing.requestId), key: successKey } });
      await refreshMine();
    } catch (error) {
      set({ withdrawPending: false, withdrawError: messageOf(error) });
    }
  },

  async requestFsid() {
    set({ fsidMessage: null });
    try {
      await call('fsid.request', {});
      set({ fsid: await call('fsid.mine', {}) });
    } catch (error) {
      set({ fsidMessage: messageOf(error) });
    }
  },

  dismissSuccess() {
    set({ success: null });
  },
}));

/** The user's requests and roles again, and the home summary (its badges and alerts count requests). */
async function refreshMine(): Promise<void> {
  try {
    const mine = await call('access.mine', {});
    useMyAccess.setState({ requests: mine.requests, roles: mine.roles, loadError: null });
  } catch (error) {
    useMyAccess.setState({ loadError: messageOf(error) });
  }
  void useHome.getState().load();
}

useSession.subscribe((state, previous) => {
  if (state.screen !== previous.screen && (state.screen === 'signIn' || state.screen === 'setup')) {
    useMyAccess.setState(initial);
  }
});
