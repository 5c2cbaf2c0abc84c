import { Button, Dialog } from '@cmsgov/design-system';
import type { ReactNode } from 'react';
import { EXTERNAL_SITES, NEED_HELP } from '../../../shared/help.js';
import { useDialogKeys } from '../../components/useDialogKeys.js';
import { WARNING_CONSENT_ITEMS, WARNING_PARAGRAPHS } from '../auth/warning-text.js';
import { Contacts, ExternalLink } from './NeedHelp.js';
import { useHelp, type HelpTopic } from './store.js';

const HEADINGS: Record<HelpTopic, string> = { accessibility: 'Accessibility', privacy: 'Privacy', terms: 'Terms of Use', help: 'Help' };
export const HELP_TOPICS: readonly HelpTopic[] = ['accessibility', 'privacy', 'terms', 'help'];
export const helpHeading = (topic: HelpTopic) => HEADINGS[topic];

/** The footer's Accessibility, Privacy, Terms of Use and Help, inside the console. */
export function HelpDialog() {
  const topic = useHelp((state) => state.topic);
  const close = useHelp((state) => state.close);
  const keys = useDialogKeys({ isOpen: topic !== null });
  return (
    <Dialog
      {...keys}
      isOpen={topic !== null}
      onExit={close}
      heading={topic ? HEADINGS[topic] : ''}
      size="wide"
      data-testid="help-dialog"
      actions={
        <div className="soc-button-row ds-u-margin-top--0">
          <Button variation="solid" onClick={close}>
            Close
          </Button>
        </div>
      }
    >
      {topic && <div className="soc-help">{BODIES[topic]()}</div>}
    </Dialog>
  );
}

const BODIES: Record<HelpTopic, () => ReactNode> = {
  accessibility: () => (
    <>
      <p>The Security Official Console is built with the CMS Design System, which follows Section 508 and WCAG 2.1 level AA.</p>
      <p>Every screen works from the keyboard:</p>
      <ul>
        <li>Skip to main content is the first thing Tab reaches.</li>
        <li>In a list of requests, decisions or users, the arrow keys move between rows and Enter opens View.</li>
        <li>A pop-up opens on its first field. Enter confirms it; in a text box, where Enter starts a new line, Ctrl+Enter does. Escape closes it.</li>
      </ul>
      <p>If a screen is hard to use with your assistive technology, tell your application&apos;s help desk:</p>
      <Contacts contacts={NEED_HELP.contacts} />
    </>
  ),
  privacy: () => (
    <>
      <p>
        This console keeps the profile information, roles, role requests and decisions of the users it administers, and an audit trail of every decision and
        account action, in its own database on this computer. Only the computer account that runs the console can read its files.
      </p>
      <p>
        Passwords are kept only as one-way hashes (argon2id). The keys of authenticator apps are encrypted. A file you export (CSV, report, archive) is saved
        where you choose; an archive never holds a password, security key or mail setting.
      </p>
      <p>Your use of this console is recorded in its audit trail: see Terms of Use.</p>
    </>
  ),
  terms: () => (
    <>
      <p className="ds-u-font-weight--bold">The warning shown after every log in (QualityNet guide, Figure 5-13):</p>
      {WARNING_PARAGRAPHS.map((paragraph) => (
        <p key={paragraph}>{paragraph}</p>
      ))}
      <ul>
        {WARNING_CONSENT_ITEMS.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
    </>
  ),
  help: () => (
    <>
      <h3 className="ds-text-heading--lg ds-u-margin-top--0">{NEED_HELP.heading}</h3>
      <p>{NEED_HELP.text}</p>
      <Contacts contacts={NEED_HELP.contacts} more />
      <h3 className="ds-text-heading--lg">How this console works</h3>
      <p>
        It follows the Security Official job aids of HARP (Manage Access), iQIES and the Secure QualityNet Portal: Role Requests, User Lookup, Request History,
        In-Person Proofing and Federal Surveyor IDs work as they describe.
      </p>
      <h3 className="ds-text-heading--lg">Sites</h3>
      <p>These open in your web browser, not in the console.</p>
      <ul className="soc-help__sites">
        {EXTERNAL_SITES.map((site) => (
          <li key={site.url}>
            <ExternalLink href={site.url}>{`${site.name} (${new URL(site.url).host})`}</ExternalLink>
          </li>
        ))}
      </ul>
    </>
  ),
};
