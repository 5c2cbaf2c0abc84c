import { useState } from 'react';
import { Button } from '@cmsgov/design-system';
import type { EnrollmentView } from '../../shared/ipc/contract.js';
import { groupKey } from './format.js';

interface EnrollmentDetailsProps {
  enrollment: EnrollmentView;
}

/**
 * What an authenticator app needs to add a credential: the QR code, or the key typed by hand.
 * The key is grouped in fours for reading and also shown exactly, for copying.
 */
export function EnrollmentDetails({ enrollment }: EnrollmentDetailsProps) {
  const [copyStatus, setCopyStatus] = useState('');

  async function copyKey() {
    try {
      await navigator.clipboard.writeText(enrollment.secret);
      setCopyStatus('Key copied.');
    } catch {
      setCopyStatus('The key could not be copied. Select it and copy it by hand.');
    }
  }

  return (
    <div className="soc-enrollment">
      <ol className="ds-c-list ds-u-margin-top--0">
        <li>Open the authenticator app on your phone, tablet or computer.</li>
        <li>Scan the QR code, or add an account by hand with the key below (time-based, 6 digits).</li>
        <li>Enter the security code the app then shows.</li>
      </ol>
      <div className="soc-enrollment__body">
        <img className="soc-enrollment__qr" src={enrollment.qrDataUrl} alt="QR code for your authenticator app" width={192} height={192} />
        <dl className="soc-definition-list">
          <div>
            <dt>Credential ID</dt>
            <dd data-testid="credential-id" className="soc-mono">
              {enrollment.credentialId}
            </dd>
          </div>
          <div>
            <dt>Key</dt>
            <dd>
              <span className="soc-mono soc-key">{groupKey(enrollment.secret)}</span>
              <span className="ds-u-display--block ds-u-font-size--sm ds-u-margin-top--1">
                Exact key, without spaces:{' '}
                <code data-testid="totp-key" className="soc-mono soc-key--exact">
                  {enrollment.secret}
                </code>
              </span>
              <span className="ds-u-display--flex ds-u-align-items--center ds-u-margin-top--1">
                <Button type="button" size="small" variation="ghost" onClick={() => void copyKey()}>
                  Copy key
                </Button>
                <span role="status" className="ds-u-font-size--sm ds-u-margin-left--1">
                  {copyStatus}
                </span>
              </span>
            </dd>
          </div>
        </dl>
      </div>
    </div>
  );
}
