import { create } from 'zustand';
import { contract, type ChannelInput, type MailSettingsView, type MailTestResult } from '../../../shared/ipc/contract.js';
import { call, messageOf } from '../../api.js';
import type { FieldError } from '../../components/ErrorSummary.js';
import { serverError, sortByOrder, validateAll } from '../../components/formErrors.js';
import { useSession } from '../session/store.js';

export const SAVED_MESSAGE = 'Mail settings saved.';
/** The form's fields in the order it shows them. */
export const MAIL_FIELDS = ['host', 'port', 'user', 'from', 'password'] as const;

/** The form as typed: text fields as text; the store turns them into the contract's input. */
export interface MailSettingsForm {
  host: string;
  port: string;
  secure: boolean;
  user: string;
  from: string;
  /** Empty: keep the stored password. */
  password: string;
  removePassword: boolean;
}

interface MailSettingsState {
  settings: MailSettingsView | null;
  loadError: string | null;
  pending: boolean;
  errors: FieldError[];
  saved: { key: number } | null;
  /** Changes with every load and save, so the form starts again from what is stored. */
  formKey: number;
  /** Opens the page: forgets the last outcome and loads the stored settings. */
  open(): Promise<void>;
  save(form: MailSettingsForm): Promise<boolean>;
  /** The last Send test email: sent, or why not; a key that changes with each. */
  test: { key: number; result: MailTestResult } | null;
  testPending: boolean;
  sendTest(): Promise<void>;
}

const initial = { settings: null, loadError: null, pending: false, errors: [], saved: null, formKey: 0, test: null, testPending: false };
let savedKey = 0;
let testKey = 0;

export function formOf(settings: MailSettingsView): MailSettingsForm {
  return {
    host: settings.host,
    port: String(settings.port),
    secure: settings.secure,
    user: settings.user,
    from: settings.from,
    password: '',
    removePassword: false,
  };
}

/** A port as typed; anything that is not a whole number goes as 0, which the main process refuses with its message. */
function portOf(text: string): number {
  const trimmed = text.trim();
  return /^\d{1,5}$/.test(trimmed) ? Number(trimmed) : 0;
}

export const useMailSettings = create<MailSettingsState>()((set, get) => ({
  ...initial,

  async open() {
    set({ saved: null, errors: [], test: null });
    try {
      const settings = await call('mail.settings', {});
      set((state) => ({ settings, loadError: null, formKey: state.formKey + 1 }));
    } catch (error) {
      set({ loadError: messageOf(error) });
    }
  },

  async save(form) {
    if (get().pending) return false;
    const input: ChannelInput<'mail.saveSettings'> = {
      host: form.host,
      port: portOf(form.port),
      secure: form.secure,
      user: form.user,
      from: form.from,
      // The contract: omitted keeps the stored password, '' removes it.
      ...(form.removePassword ? { password: '' } : form.password ? { password: form.password } : {}),
    };
    // Every problem at once, by the contract's own rules (a password needs its User name too, as main says).
    const problems = validateAll(contract['mail.saveSettings'].input, input, MAIL_FIELDS);
    if (input.password && form.user.trim() === '' && !problems.some((p) => p.field === 'user')) {
      problems.push({ field: 'user', message: 'Enter the User the password belongs to' });
    }
    if (problems.length > 0) {
      set({ errors: sortByOrder(problems, MAIL_FIELDS), saved: null, test: null });
      return false;
    }
    set({ pending: true, errors: [], saved: null, test: null });
    try {
      const settings = await call('mail.saveSettings', input);
      savedKey += 1;
      set((state) => ({ settings, pending: false, saved: { key: savedKey }, formKey: state.formKey + 1 }));
      return true;
    } catch (error) {
      set({ pending: false, errors: [serverError(error, MAIL_FIELDS)] });
      return false;
    }
  },

  async sendTest() {
    if (get().testPending) return;
    set({ testPending: true, test: null, saved: null });
    try {
      const result = await call('mail.sendTest', {});
      testKey += 1;
      set({ testPending: false, test: { key: testKey, result } });
    } catch (error) {
      testKey += 1;
      set({ testPending: false, test: { key: testKey, result: { sent: false, to: '', problem: null, message: messageOf(error) } } });
    }
  },
}));

useSession.subscribe((state, previous) => {
  if (state.screen !== previous.screen && (state.screen === 'signIn' || state.screen === 'setup')) {
    useMailSettings.setState(initial);
  }
});
