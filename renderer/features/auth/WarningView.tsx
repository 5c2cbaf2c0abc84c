import { Alert, Button } from '@cmsgov/design-system';
import { useEffect } from 'react';
import { AppFrame, SimpleMain } from '../../components/AppFrame.js';
import { PageHeading } from '../../components/PageHeading.js';
import { EnrollmentConfirmedView } from './EnrollmentConfirmedView.js';
import { useFirstEnrollment } from './first-enrollment-store.js';
import { useAuth } from './store.js';

/** The standard CMS warning banner text, shown after every sign-in (QualityNet guide, Figure 5-13). */
export const WARNING_PARAGRAPHS = [
  'This warning banner provides privacy and security notices consistent with applicable federal laws, directives, and other federal guidance for accessing this Government system, which includes (1) this computer network, (2) all computers connected to this network, and (3) all devices and storage media attached to this network or to a computer on this network.',
  'This system is provided for Government authorized use only.',
  'Unauthorized or improper use of this system is prohibited and may result in disciplinary action and/or civil and criminal penalties.',
  'Personal use of social media and networking sites on this system is limited as to not interfere with official work duties and is subject to monitoring.',
  'By using this system, you understand and consent to the following:',
] as const;

export const WARNING_CONSENT_ITEMS = [
  'The Government may monitor, record, and audit your system usage, including usage of personal devices and email systems for official duties or to conduct HHS business. Therefore, you have no reasonable expectation of privacy regarding any communication or data transiting or stored on this system. At any time, and for any lawful Government purpose, the government may monitor, intercept, and search and seize any communication or data transiting or stored on this system.',
  'Any communication or data transiting or stored on this system may be disclosed or used for any lawful Government purpose.',
] as const;

/** The warning page, after Successful Two-Factor Enrollment when a first credential was just linked. */
export function WarningView() {
  const confirmed = useFirstEnrollment((state) => state.confirmed);
  return confirmed ? <EnrollmentConfirmedView credentialId={confirmed.credentialId} /> : <GovernmentWarning />;
}

function GovernmentWarning() {
  const { pending, error, acceptWarning, denyWarning, reset } = useAuth();

  useEffect(() => {
    reset();
    return reset;
  }, [reset]);

  return (
    <AppFrame>
      <SimpleMain width="wide">
        <PageHeading>Warning</PageHeading>
        {error && (
          <Alert variation="error" role="alert" className="ds-u-margin-y--3">
            <p className="ds-c-alert__text">{error}</p>
          </Alert>
        )}
        <div className="soc-warning-text" data-testid="government-warning">
          {/* The spaces keep the text content one readable passage, as the banner is quoted. */}
          {WARNING_PARAGRAPHS.map((paragraph) => (
            <p key={paragraph}>{`${paragraph} `}</p>
          ))}
          <ul>
            {WARNING_CONSENT_ITEMS.map((item) => (
              <li key={item}>{`${item} `}</li>
            ))}
          </ul>
        </div>
        <div className="soc-button-row">
          <Button variation="solid" aria-disabled={pending || undefined} onClick={() => void acceptWarning()}>
            I Accept
          </Button>
          <Button aria-disabled={pending || undefined} onClick={() => void denyWarning()}>
            I Deny
          </Button>
        </div>
      </SimpleMain>
    </AppFrame>
  );
}
