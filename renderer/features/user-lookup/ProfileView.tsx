import { useState } from 'react';
import { Button, Spinner } from '@cmsgov/design-system';
import type { UserProfile } from '../../../shared/ipc/contract.js';
import { ErrorAlert, FocusAlert } from '../../components/FocusAlert.js';
import { formatCalendarDate, formatDateTime } from '../../components/format.js';
import { PROOFING_STATE_LABELS, USER_STATUS_LABELS, organizationLabel } from '../../components/labels.js';
import { PageHeading } from '../../components/PageHeading.js';
import { AccountActionDialog, RemoveRoleDialog } from './LookupDialogs.js';
import { ACTION_LABELS } from './labels.js';
import { useUserLookup, type ProfileNotice } from './store.js';

/** iQIES job aid 4.4, Figure 8: Profile Information, then User Roles, with the account's state and actions. */
export function ProfileView() {
  const profile = useUserLookup((state) => state.profile);
  const profileError = useUserLookup((state) => state.profileError);
  const notice = useUserLookup((state) => state.notice);
  const closeProfile = useUserLookup((state) => state.closeProfile);

  return (
    <>
      <button type="button" className="soc-link-button soc-back-link" onClick={closeProfile}>
        <span aria-hidden="true">← </span>Back to Previous Page
      </button>
      {profileError && <ErrorAlert message={profileError} />}
      {!profile && !profileError && (
        <p className="ds-u-display--flex ds-u-align-items--center">
          <Spinner size="small" aria-valuetext="Loading" />
          <span className="ds-u-margin-left--1">Loading the profile…</span>
        </p>
      )}
      {profile && (
        <>
          <PageHeading focusKey={profile.userId}>
            {profile.firstName} {profile.lastName} <span className="soc-page-heading__aside">({profile.userId})</span>
          </PageHeading>
          {notice && <NoticeAlert notice={notice} />}
          <ProfileInformation profile={profile} />
          <UserRoles profile={profile} />
          <Account profile={profile} />
          <RemoveRoleDialog />
          <AccountActionDialog />
        </>
      )}
    </>
  );
}

function NoticeAlert({ notice }: { notice: ProfileNotice }) {
  const [copied, setCopied] = useState('');
  async function copy(text: string) {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('Copied.');
    } catch {
      setCopied('Select the password and copy it by hand.');
    }
  }
  return (
    <FocusAlert variation="success" focusKey={notice.key} testId="profile-notice">
      <p className="ds-c-alert__text">{notice.message}</p>
      {notice.temporaryPassword && (
        <>
          <p className="ds-c-alert__text">
            Temporary password:{' '}
            <code className="soc-mono soc-key" data-testid="temporary-password">
              {notice.temporaryPassword}
            </code>{' '}
            <Button size="small" variation="ghost" onClick={() => void copy(notice.temporaryPassword ?? '')}>
              Copy
            </Button>{' '}
            <span role="status" className="ds-u-font-size--sm">
              {copied}
            </span>
          </p>
          <p className="ds-c-alert__text ds-u-font-size--sm">
            It is shown only now. Give it to the person yourself, never by email. It works for 72 hours, and only to choose a new password.
          </p>
        </>
      )}
    </FocusAlert>
  );
}

function UserRoles({ profile }: { profile: UserProfile }) {
  const openDialog = useUserLookup((state) => state.openDialog);
  return (
    <section aria-labelledby="user-roles-heading" className="soc-section">
      <h2 id="user-roles-heading" className="ds-text-heading--xl">
        User Roles
      </h2>
      <p>View and remove user roles below.</p>
      {profile.roles.length === 0 ? (
        <p data-testid="no-roles">No roles in the organizations you administer.</p>
      ) : (
        <div className="ds-c-table__wrapper">
          <table className="ds-c-table ds-c-table--compact soc-table" data-testid="user-roles">
            <caption className="ds-u-visibility--screen-reader">
              Roles of {profile.firstName} {profile.lastName}
            </caption>
            <thead>
              <tr>
                <th scope="col">Program</th>
                <th scope="col">Organization</th>
                <th scope="col">Role</th>
                <th scope="col">
                  <span className="ds-u-visibility--screen-reader">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {profile.roles.map((role) => (
                <tr key={`${role.program}|${role.organization.displayId}|${role.role}`}>
                  <td>{role.program}</td>
                  <td>{organizationLabel(role.organization)}</td>
                  <td>
                    {role.role}
                    {role.lastSecurityOfficial && <span className="ds-c-badge ds-c-badge--warn ds-u-margin-left--1">Only Security Official</span>}
                  </td>
                  <td>
                    {role.removable ? (
                      <Button
                        size="small"
                        variation="ghost"
                        onClick={() => openDialog('remove', role)}
                        aria-label={`Remove ${role.role}, ${role.program}, ${role.organization.name}`}
                      >
                        Remove
                      </Button>
                    ) : (
                      <span className="ds-u-font-size--sm">Your own Security Official role</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function ProfileInformation({ profile }: { profile: UserProfile }) {
  const fields: Array<[string, string]> = [
    ['First Name', profile.firstName],
    ['Last Name', profile.lastName],
    ['Middle Initial', profile.middleName],
    ['Date of Birth', formatCalendarDate(profile.dateOfBirth, '')],
    ['Email Address', profile.email],
    ['Phone Number', profile.phone],
    ['Home Address Line 1', profile.addressLine1],
    ['Home Address Line 2', profile.addressLine2],
    ['City', profile.city],
    ['State', profile.state],
    ['Zip Code', profile.zip],
    ['Country', profile.country],
  ];
  return (
    <section aria-labelledby="profile-information-heading" className="soc-section">
      <h2 id="profile-information-heading" className="ds-text-heading--xl">
        Profile Information
      </h2>
      <dl className="soc-profile-grid" data-testid="profile-information">
        {fields.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value === '' ? 'N/A' : value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function Account({ profile }: { profile: UserProfile }) {
  const openDialog = useUserLookup((state) => state.openDialog);
  return (
    <section aria-labelledby="account-heading" className="soc-section">
      <h2 id="account-heading" className="ds-text-heading--xl">
        Account
      </h2>
      <dl className="soc-profile-grid" data-testid="account-state">
        <div>
          <dt>Account status</dt>
          <dd data-testid="account-status">{USER_STATUS_LABELS[profile.status]}</dd>
        </div>
        <div>
          <dt>Identity proofing</dt>
          <dd>{PROOFING_STATE_LABELS[profile.proofingState]}</dd>
        </div>
        <div>
          <dt>Two-factor credentials</dt>
          <dd data-testid="credential-count">{profile.credentialCount}</dd>
        </div>
        <div>
          <dt>Last sign-in</dt>
          <dd>{formatDateTime(profile.lastSignInAt)}</dd>
        </div>
        {profile.mustChangePassword && (
          <div>
            <dt>Password</dt>
            <dd>Temporary: must be changed at the next sign-in</dd>
          </div>
        )}
      </dl>
      {profile.self ? (
        <p className="ds-u-font-size--sm">This is your own account. Another Security Official changes it for you.</p>
      ) : profile.actions.length === 0 ? (
        <p className="ds-u-font-size--sm">No account action is available to you for this user.</p>
      ) : (
        <div className="soc-button-row" role="group" aria-label="Account actions">
          {profile.actions.map((action) => (
            <Button
              key={action}
              size="small"
              variation={action === 'deactivate' || action === 'revokeCredentials' ? 'ghost' : undefined}
              onClick={() => openDialog('action', action)}
            >
              {ACTION_LABELS[action]}
            </Button>
          ))}
        </div>
      )}
    </section>
  );
}
