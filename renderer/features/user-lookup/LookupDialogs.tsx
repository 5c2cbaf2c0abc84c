import { useCallback, useMemo, useState, type ChangeEvent, type FormEvent } from 'react';
import { Alert, Button, Dialog, TextField } from '@cmsgov/design-system';
import { contract, type AccountAction } from '../../../shared/ipc/contract.js';
import { SECURITY_OFFICIAL_ROLE } from '../../../shared/domain.js';
import { POLICY } from '../../../shared/policy.js';
import { organizationLabel } from '../../components/labels.js';
import { roleAfterOrganizationChange, rolesFor, rolesHint } from '../../components/roleCatalogue.js';
import { SecurityCodeField } from '../../components/SecurityCodeField.js';
import { SelectField } from '../../components/SelectField.js';
import { OrganizationPicker, type OrganizationChoice } from '../../components/OrganizationPicker.js';
import { DESTRUCTIVE, useDialogKeys } from '../../components/useDialogKeys.js';
import { ErrorSummary, errorFor, type FieldError } from '../../components/ErrorSummary.js';
import { validateAll } from '../../components/formErrors.js';
import { RequiredNote, required } from '../../components/RequiredNote.js';
import { ACTION_LABELS } from './labels.js';
import { useUserLookup, type FormError } from './store.js';

/** iQIES job aid 4.6, Figure 9: the Remove Role pop-up; the last Security Official is asked again. */
export function RemoveRoleDialog() {
  const dialog = useUserLookup((state) => (state.dialog?.kind === 'remove' ? state.dialog : null));
  const profile = useUserLookup((state) => state.profile);
  const { closeDialog, removeRole } = useUserLookup.getState();
  const keys = useDialogKeys({ isOpen: dialog !== null && profile !== null, onConfirm: () => void removeRole(), canConfirm: !dialog?.pending });
  if (!dialog || !profile) return null;
  const role = dialog.role;
  return (
    <Dialog
      {...keys}
      isOpen
      onExit={closeDialog}
      heading="Remove Role"
      data-testid="remove-role-dialog"
      actions={
        <div className="soc-button-row ds-u-margin-top--0">
          <Button variation="solid" className={DESTRUCTIVE} aria-disabled={dialog.pending || undefined} onClick={() => void removeRole()}>
            {dialog.lastOfficialStep ? 'Remove the only Security Official' : 'Remove'}
          </Button>
          <Button variation="ghost" onClick={closeDialog}>
            Cancel
          </Button>
        </div>
      }
    >
      {dialog.lastOfficialStep ? (
        <Alert variation="warn" heading="This is the only Security Official" headingLevel="3">
          <p className="ds-c-alert__text">
            {profile.firstName} {profile.lastName} is the only Security Official of {organizationLabel(role.organization)}. If you remove this role, no request
            there can be approved until CMS approves a new Security Official.
          </p>
          <p className="ds-c-alert__text">Are you sure you want to remove it?</p>
        </Alert>
      ) : (
        <p>Are you sure you want to remove this role?</p>
      )}
      <p className="ds-u-font-size--sm">
        {role.role}, {role.program}, {organizationLabel(role.organization)}. An email to the user is queued.
      </p>
      {dialog.error && <DialogError error={dialog.error} />}
    </Dialog>
  );
}

const ACTION_EXPLANATIONS: Record<AccountAction, string> = {
  approve: 'The account becomes active. A new temporary password is shown for you to give the person yourself; any earlier one stops working.',
  unlock: 'The account can sign in again; its count of failed sign-ins starts over.',
  resetPassword: `You get a temporary password to give the person yourself. It works for ${POLICY.temporaryPasswordHours} hours, only to choose a new password. Any session they have open ends.`,
  deactivate: 'The person can no longer sign in, and any session they have open ends. You can reactivate the account later.',
  reactivate: 'The person can sign in again. The 120-day count of non-use starts over today.',
  revokeCredentials: `For a lost or stolen device: every authenticator linked to this account is removed, and you get a temporary password to give the person. They sign in with it and link a new authenticator.`,
};

/** What takes something away from the person: its confirm button looks destructive. */
const DESTRUCTIVE_ACTIONS: ReadonlySet<AccountAction> = new Set(['deactivate', 'revokeCredentials']);

/** An account action, confirmed with the official's own fresh security code. */
export function AccountActionDialog() {
  const dialog = useUserLookup((state) => (state.dialog?.kind === 'action' ? state.dialog : null));
  const profile = useUserLookup((state) => state.profile);
  const { closeDialog, runAction } = useUserLookup.getState();
  const [code, setCode] = useState('');
  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    await runAction(code);
    setCode('');
  };
  const keys = useDialogKeys({ isOpen: dialog !== null && profile !== null, onConfirm: () => void submit(), canConfirm: !dialog?.pending });
  if (!dialog || !profile) return null;
  const close = () => {
    setCode('');
    closeDialog();
  };
  const label = ACTION_LABELS[dialog.action];
  return (
    <Dialog
      {...keys}
      isOpen
      onExit={close}
      heading={label}
      data-testid="account-action-dialog"
      actions={
        <div className="soc-button-row ds-u-margin-top--0">
          <Button
            variation="solid"
            className={DESTRUCTIVE_ACTIONS.has(dialog.action) ? DESTRUCTIVE : undefined}
            aria-disabled={dialog.pending || undefined}
            onClick={() => void submit()}
          >
            {label}
          </Button>
          <Button variation="ghost" onClick={close}>
            Cancel
          </Button>
        </div>
      }
    >
      <p>
        {label} for {profile.firstName} {profile.lastName} ({profile.userId})?
      </p>
      <p className="ds-u-font-size--sm">{ACTION_EXPLANATIONS[dialog.action]}</p>
      <form noValidate onSubmit={(event) => void submit(event)}>
        <SecurityCodeField
          id="account-action-code"
          value={code}
          onChange={setCode}
          hint="A fresh code from your own authenticator app confirms that it is you."
          errorMessage={dialog.error?.field === 'code' ? dialog.error.message : undefined}
        />
      </form>
      {dialog.error && dialog.error.field !== 'code' && <DialogError error={dialog.error} />}
    </Dialog>
  );
}

const EMPTY_USER = { userId: '', firstName: '', lastName: '', email: '', program: '', organization: '', role: '' };
/** The Create user fields in the order the form shows them (and the error summary lists them). */
const CREATE_FIELDS = ['firstName', 'lastName', 'email', 'userId', 'program', 'organization', 'role', 'code'] as const;
const createFieldId = (field: string) => `create-${field}`;
/** The role a new account asks for unless the official chooses another, where the organization allows it. */
const DEFAULT_ROLE = 'Provider Basic User';
const OFFICIAL_ROLES: readonly string[] = Object.values(SECURITY_OFFICIAL_ROLE);

/** Never a Security Official role unless the official chooses one. */
function defaultRole(roles: readonly string[]): string {
  return roles.includes(DEFAULT_ROLE) ? DEFAULT_ROLE : (roles.find((role) => !OFFICIAL_ROLES.includes(role)) ?? '');
}

/** A new account for a person of the official's organization. */
export function CreateUserDialog() {
  const dialog = useUserLookup((state) => (state.dialog?.kind === 'create' ? state.dialog : null));
  const options = useUserLookup((state) => state.options);
  const draft = useUserLookup((state) => state.draft);
  const draftOrganization = useUserLookup((state) => state.draftOrganization);
  const { closeDialog, createUser } = useUserLookup.getState();
  const [values, setValues] = useState(EMPTY_USER);
  /** The organization chosen in the dialog, with its kind (which roles it allows). */
  const [picked, setPicked] = useState<OrganizationChoice | null>(null);
  /** An official of a few organizations picks from a list; with exactly one, it is chosen already. */
  const [few, setFew] = useState<readonly OrganizationChoice[] | null>(null);
  const onFewOrganizations = useCallback((organizations: readonly OrganizationChoice[] | null) => setFew(organizations), []);
  /** Whether the official chose a role (or had one cleared): until then the default is offered. */
  const [roleChosen, setRoleChosen] = useState(false);
  /** Why the role was cleared when the organization changed, until a role is chosen again. */
  const [cleared, setCleared] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const keys = useDialogKeys({ isOpen: dialog !== null, onConfirm: 'form', canConfirm: !dialog?.pending });
  /** Every problem the contract's schema finds on submit, before anything is sent. */
  const [clientErrors, setClientErrors] = useState<FieldError[]>([]);
  const serverError = dialog?.error ?? null;
  // One array per change, so that the summary takes focus when errors appear, not on every render.
  const errors = useMemo<FieldError[]>(
    () =>
      clientErrors.length > 0
        ? clientErrors
        : serverError
          ? [{ field: (CREATE_FIELDS as readonly string[]).includes(serverError.field ?? '') ? serverError.field : null, message: serverError.message }]
          : [],
    [clientErrors, serverError],
  );
  if (!dialog) return null;
  const catalogue = options?.catalogue ?? [];
  const program = values.program || draft.program || options?.programs[0] || '';
  const chosenOrganization = picked ?? (draft.organization !== '' ? draftOrganization : null) ?? (few?.length === 1 ? (few[0] ?? null) : null) ?? undefined;
  const organization = chosenOrganization?.displayId ?? '';
  // Only the roles the chosen organization's kind allows; none until an organization is chosen.
  const roles = chosenOrganization ? rolesFor(catalogue, options?.roles ?? [], chosenOrganization) : [];
  const role = roleChosen ? values.role : defaultRole(roles);
  const fieldError = (field: string) => errorFor(errors, field);
  const set = (field: keyof typeof EMPTY_USER) => (event: ChangeEvent<HTMLInputElement>) => setValues({ ...values, [field]: event.target.value });
  const chooseOrganization = (next: OrganizationChoice | null) => {
    const after = roleAfterOrganizationChange(catalogue, role, next ?? undefined);
    // A default the official never chose follows the organization silently; a chosen role is cleared with why.
    const clears = roleChosen && after.cleared !== null;
    setPicked(next);
    setValues({ ...values, organization: next?.displayId ?? '', role: clears ? '' : values.role });
    setCleared(clears ? after.cleared : null);
  };
  const chooseRole = (value: string) => {
    setValues({ ...values, role: value });
    setRoleChosen(true);
    setCleared(null);
  };
  const close = () => {
    setValues(EMPTY_USER);
    setPicked(null);
    setRoleChosen(false);
    setCleared(null);
    setCode('');
    setClientErrors([]);
    closeDialog();
  };
  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    const input = { ...values, program, organization, role, code };
    const problems = validateAll(contract['users.create'].input, input, CREATE_FIELDS);
    setClientErrors(problems);
    if (problems.length > 0) return;
    const created = await createUser(input);
    setCode('');
    if (created) {
      setValues(EMPTY_USER);
      setPicked(null);
      setRoleChosen(false);
      setCleared(null);
    }
  };
  return (
    <Dialog
      {...keys}
      isOpen
      onExit={close}
      heading="Create user"
      size="wide"
      data-testid="create-user-dialog"
      actions={
        <div className="soc-button-row ds-u-margin-top--0">
          <Button variation="solid" aria-disabled={dialog.pending || undefined} onClick={() => void submit()}>
            Create user
          </Button>
          <Button variation="ghost" onClick={close}>
            Cancel
          </Button>
        </div>
      }
    >
      <p className="ds-u-font-size--sm">
        The account starts pending, with a temporary password you give the person yourself, and a request for its first role.
      </p>
      <ErrorSummary errors={errors} idFor={createFieldId} />
      <RequiredNote />
      <form noValidate onSubmit={(event) => void submit(event)} className="soc-create-user soc-form-row--top" data-testid="create-user-form">
        <TextField
          id="create-firstName"
          name="firstName"
          label={required('First Name')}
          aria-required
          value={values.firstName}
          errorMessage={fieldError('firstName')}
          onChange={set('firstName')}
        />
        <TextField
          id="create-lastName"
          name="lastName"
          label={required('Last Name')}
          aria-required
          value={values.lastName}
          errorMessage={fieldError('lastName')}
          onChange={set('lastName')}
        />
        <TextField
          id="create-email"
          name="email"
          label={required('Email Address')}
          aria-required
          type="email"
          value={values.email}
          errorMessage={fieldError('email')}
          onChange={set('email')}
        />
        <TextField
          id="create-userId"
          name="userId"
          label={required('User ID')}
          aria-required
          spellCheck={false}
          value={values.userId}
          errorMessage={fieldError('userId')}
          onChange={set('userId')}
        />
        <SelectField
          id="create-program"
          name="program"
          label={required('Program')}
          required
          value={program}
          options={(options?.programs ?? []).map((p) => ({ value: p, label: p }))}
          errorMessage={fieldError('program')}
          onChange={(value) => setValues({ ...values, program: value })}
        />
        <OrganizationPicker
          id="create-organization"
          name="organization"
          label={required('Organization')}
          required
          value={organization}
          selected={chosenOrganization}
          placeholder="Select an organization"
          errorMessage={fieldError('organization')}
          onChange={chooseOrganization}
          onFewOrganizations={onFewOrganizations}
        />
        <SelectField
          id="create-role"
          name="role"
          label={required('Role')}
          required
          value={role}
          placeholder={role === '' ? (chosenOrganization ? 'Select a role' : 'Select an organization first') : undefined}
          hint={cleared ?? rolesHint(chosenOrganization)}
          liveHint
          hintBelow
          className={cleared ? 'soc-select--cleared' : undefined}
          options={roles.map((r) => ({ value: r, label: r }))}
          errorMessage={fieldError('role')}
          onChange={chooseRole}
        />
        <div className="soc-create-user__code">
          <SecurityCodeField
            id="create-code"
            label={required('Security Code')}
            value={code}
            onChange={setCode}
            hint="A fresh code from your own authenticator app confirms that it is you."
            errorMessage={fieldError('code')}
          />
        </div>
      </form>
    </Dialog>
  );
}

function DialogError({ error }: { error: FormError }) {
  return (
    <Alert variation="error" role="alert" className="ds-u-margin-top--2">
      <p className="ds-c-alert__text">{error.message}</p>
    </Alert>
  );
}
