import { describe, expect, it } from 'vitest';
import { EXTERNAL_SITES, isExternalLink, mailtoOf, NEED_HELP } from '../../shared/help.js';

/** Which links the shell hands to the system browser or mail program: the help desks' only. */
describe('external links', () => {
  it('opens the job aids’ sites over https and mail to the help desks', () => {
    for (const site of EXTERNAL_SITES) expect(isExternalLink(site.url)).toBe(true);
    expect(isExternalLink('https://qualitynet.cms.gov/some/page?x=1')).toBe(true);
    for (const contact of NEED_HELP.contacts) expect(isExternalLink(mailtoOf(contact.email))).toBe(true);
    expect(isExternalLink('mailto:qpp@CMS.hhs.gov')).toBe(true);
  });

  it('refuses anything else a page might ask to open', () => {
    for (const url of [
      'http://www.cms.gov/',
      'https://www.cms.gov.evil.example/',
      'https://user:pw@www.cms.gov/',
      'https://www.cms.gov:8443/',
      'https://example.org/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'mailto:someone@example.org',
      'mailto:QPP@cms.hhs.gov?body=x',
      'mailto:%ZZ',
      'app://console/index.html',
      'not a url',
    ]) {
      expect(isExternalLink(url), url).toBe(false);
    }
  });
});
