import { MORE_HELP, NEED_HELP, mailtoOf, type HelpContact } from '../../../shared/help.js';
import './help.css';

/** HARP job aid: the sidebar's "Need Help?" box, its words and contacts as they are. */
export function NeedHelp() {
  return (
    <aside className="soc-need-help" aria-labelledby="need-help-heading" data-testid="need-help">
      <h2 id="need-help-heading" className="soc-need-help__heading">
        {NEED_HELP.heading}
      </h2>
      <p className="soc-need-help__text">{NEED_HELP.text}</p>
      <Contacts contacts={NEED_HELP.contacts} />
    </aside>
  );
}

/** Help desks as the job aids give them: name, email, phone numbers. */
export function Contacts({ contacts, more = false }: { contacts: readonly HelpContact[]; more?: boolean }) {
  return (
    <ul className="soc-contacts">
      {[...contacts, ...(more ? MORE_HELP : [])].map((contact) => (
        <li key={contact.name} className="soc-contacts__item">
          <strong className="soc-contacts__name">{contact.name}</strong>
          {contact.email && <ExternalLink href={mailtoOf(contact.email)}>{contact.email}</ExternalLink>}
          {contact.phones.map((phone) => (
            <span key={phone} className="soc-contacts__phone">
              {phone}
            </span>
          ))}
        </li>
      ))}
    </ul>
  );
}

/**
 * A link out of the console: the desktop shell hands it to the system browser or mail program
 * (only those of shared/help.ts), the browser host opens a tab. Never a navigation of this window.
 */
export function ExternalLink({ href, children }: { href: string; children: string }) {
  return (
    <a href={href} target="_blank" rel="noopener noreferrer" className="soc-external-link">
      {children}
    </a>
  );
}
