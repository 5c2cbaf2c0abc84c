import type { ReactNode } from 'react';
import { HELP_TOPICS, HelpDialog, helpHeading } from '../features/help/HelpDialog.js';
import { useHelp } from '../features/help/store.js';
import { useSession } from '../features/session/store.js';
import { DemoBanner } from './DemoBanner.js';

export const MAIN_ID = 'main-content';

interface AppFrameProps {
  /** Extra header content (user, alerts, Log Out) for the signed-in shell. */
  headerActions?: ReactNode;
  headerBelow?: ReactNode;
  /** The view: a <main id={MAIN_ID}>, with a <nav> beside it in the shell. */
  children: ReactNode;
}

/** The frame every screen shares: skip link, demo notice, government banner, header, footer. */
export function AppFrame({ headerActions, headerBelow, children }: AppFrameProps) {
  const demo = useSession((state) => state.demo);
  const readOnly = useSession((state) => state.readOnly);
  return (
    <div className="soc-app">
      <a
        className="ds-c-skip-nav"
        href={`#${MAIN_ID}`}
        onClick={(event) => {
          event.preventDefault();
          document.getElementById(MAIN_ID)?.focus();
        }}
      >
        Skip to main content
      </a>
      {demo && <DemoBanner />}
      {readOnly && (
        <section className="soc-read-only-banner" aria-label="Read-only notice" data-testid="read-only-banner">
          <strong>READ-ONLY</strong> — the start-up check failed: you can review, but nothing can be decided or changed. Restore a good backup to work normally.
        </section>
      )}
      <header className="soc-header">
        <div className="soc-header__bar">
          <p className="soc-header__title">
            <span className="soc-header__brand">CMS.gov</span>
            <span className="soc-header__name">Security Official Console</span>
          </p>
          {headerActions}
        </div>
        {headerBelow}
      </header>
      {children}
      <footer className="soc-footer">
        <FooterLinks />
        <p className="ds-u-margin--0">Security Official Console. A U.S. Government information system for authorized use only.</p>
      </footer>
      <HelpDialog />
    </div>
  );
}

/** The footer's links (QualityNet guide 5.4.3): in a desktop console they open in a pop-up, not a browser tab. */
function FooterLinks() {
  const open = useHelp((state) => state.open);
  return (
    <nav aria-label="Console information" data-testid="footer-links">
      <ul className="soc-footer__links">
        {HELP_TOPICS.map((topic) => (
          <li key={topic}>
            <button type="button" className="soc-link-button" aria-haspopup="dialog" onClick={() => open(topic)}>
              {helpHeading(topic)}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

interface SimpleMainProps {
  children: ReactNode;
  /** Narrow column for short forms (sign-in, lock); wide for setup and the warning text. */
  width?: 'narrow' | 'wide';
}

/** The main landmark of a screen without navigation. */
export function SimpleMain({ children, width = 'narrow' }: SimpleMainProps) {
  return (
    <main id={MAIN_ID} tabIndex={-1} className={`soc-main soc-main--simple soc-main--${width}`}>
      {children}
    </main>
  );
}
