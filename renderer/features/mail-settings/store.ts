import { create } from 'zustand';
import type { MailSettingsView } from '../../../shared/ipc/contract.js';
import { call, fieldOf, messageOf } from '../../api.js';
import type { FieldError } from '../../components/ErrorSummary.js';
import { useSession } from '../session/store.js';

export const SAVED_MESSAGE = 'Mail settings saved.';

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
}

const initial = { settings: null, loadError: null, pending: false, errors: [], saved: null, formKey: 0 };
let savedKey = 0;

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
    set({ saved: null, errors: [] });
    try {
      const settings = await call('mail.settings', {});
      set((state) => ({ settings, loadError: null, formKey: state.formKey + 1 }));
    } catch (error) {
      set({ loadError: messageOf(error) });
    }
  },

  async save(form) {
    if (get().pending) return false;
    set({ pending: true, errors: [], saved: null });
    try {
      const settings = await call('mail.saveSettings', {
        host: form.host,
        port: portOf(form.port),
        secure: form.secure,
        user: form.user,
        from: form.from,
        // The contract: omitted keeps the stored password, '' removes it.
        ...(form.removePassword ? { password: '' } : form.password ? { password: form.password } : {}),
      });
      savedKey += 1;
      set((state) => ({ settings, pending: false, saved: { key: savedKey }, formKey: state.formKey + 1 }));
      return true;
    } catch (error) {
      set({ pending: false, errors: [{ field: fieldOf(error) ?? null, message: messageOf(error) }] });
      return false;
    }
  },
}));

useSession.subscribe((state, previous) => {
  if (state.screen !== previous.screen && (state.screen === 'signIn' || state.screen === 'setup')) {
    useMailSettings.setState(initial);
  }
});
