import { Alert, Button } from '@cmsgov/design-system';
import { useEffect } from 'react';
import { AppFrame, SimpleMain } from '../../components/AppFrame.js';
import { PageHeading } from '../../components/PageHeading.js';
import { EnrollmentConfirmedView } from './EnrollmentConfirmedView.js';
import { useFirstEnrollment } from './first-enrollment-store.js';
import { useAuth } from './store.js';
import { WARNING_CONSENT_ITEMS, WARNING_PARAGRAPHS } from './warning-text.js';

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
