/**
 * Where a Security Official gets help, in the job aids' own words: the sidebar's "Need Help?"
 * box of the HARP Security Official pages, the iQIES Service Center (iQIES job aid) and the
 * QualityNet Help Desk (QualityNet guide); and the few sites the console links to. The shell
 * opens only these in the system browser (main/shell/policy.ts), never inside the window.
 */

export interface HelpContact {
  name: string;
  email: string | null;
  phones: readonly string[];
}

/** HARP job aid, the sidebar of User Lookup and Role Requests. */
export const NEED_HELP = {
  heading: 'Need Help?',
  text: "Contact your application's help desk for assistance.",
  contacts: [
    { name: 'Quality Payment Program', email: 'QPP@cms.hhs.gov', phones: ['1-866-288-8292', 'TTY: 1-877-715-6222'] },
    { name: 'IQIES Technical Support', email: 'help@qtso.com', phones: ['1-800-339-9313'] },
  ] satisfies HelpContact[],
} as const;

/** The other help desks the job aids name. */
export const MORE_HELP: readonly HelpContact[] = [
  // iQIES job aid: "Contact the iQIES Service Center at 800-339-9313 or iQIES@cms.hhs.gov".
  { name: 'iQIES Service Center', email: 'iQIES@cms.hhs.gov', phones: ['800-339-9313'] },
  // QualityNet guide: "Contact the QualityNet Help Desk at 1-(866)-288-8912 for assistance".
  { name: 'QualityNet Help Desk', email: null, phones: ['1-(866)-288-8912'] },
];

/** The sites of the job aids ("CMS Sites": QualityNet and www.cms.gov, QualityNet guide 5.4.3). */
export const EXTERNAL_SITES = [
  { name: 'HARP', url: 'https://harp.cms.gov/' },
  { name: 'iQIES', url: 'https://iqies.cms.gov/' },
  { name: 'QualityNet', url: 'https://qualitynet.cms.gov/' },
  { name: 'CMS.gov', url: 'https://www.cms.gov/' },
] as const;

/** The PostgreSQL manual's chapter on base backups and point-in-time recovery: what the Backup page of a console on PostgreSQL points its officials' database operator to. */
export const POSTGRESQL_BACKUP_DOCS = 'https://www.postgresql.org/docs/current/continuous-archiving.html';

const EXTERNAL_HOSTS: ReadonlySet<string> = new Set([...EXTERNAL_SITES.map((site) => site.url), POSTGRESQL_BACKUP_DOCS].map((url) => new URL(url).host));
const HELP_EMAILS: ReadonlySet<string> = new Set(
  [...NEED_HELP.contacts, ...MORE_HELP].flatMap((contact) => (contact.email ? [contact.email.toLowerCase()] : [])),
);

/**
 * Whether a link may leave the console for the system browser or mail program: one of the
 * sites above over https (no credentials, default port), or a mailto: to one of the help desks.
 * Anything else a page asks to open is refused.
 */
export function isExternalLink(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'mailto:') {
    // A malformed escape (mailto:%ZZ) is refused, never thrown into the main process's handlers.
    let address: string;
    try {
      address = decodeURIComponent(parsed.pathname).toLowerCase();
    } catch {
      return false;
    }
    return HELP_EMAILS.has(address) && parsed.search === '';
  }
  return parsed.protocol === 'https:' && parsed.username === '' && parsed.password === '' && parsed.port === '' && EXTERNAL_HOSTS.has(parsed.host);
}

export const mailtoOf = (email: string) => `mailto:${email}`;
