import type { Migration } from './migration.js';

/**
 * A decision, and a first approval under dual control, count only from an official whose account
 * is not deactivated (a lock stops new sign-ins, not a session already open): deactivating an
 * official while their bulk approval runs stops it here too, whatever path wrote it.
 */
export const migration011: Migration = {
  version: 11,
  name: 'decisions-by-signed-in-officials',
  sql: /* sql */ `
DROP TRIGGER role_requests_decider;
CREATE TRIGGER role_requests_decider BEFORE UPDATE OF status ON role_requests
  WHEN NEW.status IN ('approved', 'rejected') AND NEW.status IS NOT OLD.status
   AND NOT EXISTS (SELECT 1 FROM role_assignments a JOIN roles r ON r.id = a.role_id JOIN users u ON u.id = a.user_id
                    WHERE a.user_id = NEW.decided_by AND r.security_official_kind IS NOT NULL
                      AND u.status IN ('active', 'temporarily_locked', 'locked')
                      AND (a.organization_id = NEW.organization_id OR r.security_official_kind = 'cms'))
  BEGIN SELECT RAISE(ABORT, 'Only a Security Official of this organization or a CMS Security Official decides this request.'); END;
DROP TRIGGER request_approvals_by_cms;
CREATE TRIGGER request_approvals_by_cms BEFORE INSERT ON request_approvals
  WHEN NOT EXISTS (SELECT 1 FROM role_assignments a JOIN roles r ON r.id = a.role_id JOIN users u ON u.id = a.user_id
                    WHERE a.user_id = NEW.official_id AND r.security_official_kind = 'cms'
                      AND u.status IN ('active', 'temporarily_locked', 'locked'))
    OR NEW.official_id = (SELECT requester_id FROM role_requests WHERE id = NEW.request_id)
    OR NEW.official_id IS (SELECT created_by FROM users WHERE id = (SELECT requester_id FROM role_requests WHERE id = NEW.request_id))
    OR (SELECT status FROM role_requests WHERE id = NEW.request_id) IS NOT 'pending'
  BEGIN SELECT RAISE(ABORT, 'An approval of a CMS Security Official role is given by another CMS Security Official, while the request is pending.'); END;
`,
};
