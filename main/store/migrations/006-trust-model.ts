import type { Migration } from './migration.js';

/**
 * The trust model, kept by the database itself so that no code path can skip it:
 *
 * - role_catalogue: which role may exist in which kind of organization, and the tier of each
 *   Security Official role. A pending request, a reopened or approved request, and a role
 *   assignment outside it are refused; so is a role the catalogue does not know, or a change of an
 *   organization's kind. Values are written out here, as they were when this version was made:
 *   a later change of the catalogue is a later migration.
 * - Assignments that break the catalogue in an existing database are not silently deleted: they
 *   move to role_catalogue_violations (with every column they had), which the console reports;
 *   pending requests that break it are listed there too and can be rejected, never approved.
 * - Proofed before granted: no role is assigned to a person who is not identity-proofed.
 * - Who decides: an approval or rejection is made by a Security Official of the request's
 *   organization or a CMS Security Official; nobody decides their own request; the official who
 *   created an account neither approves its requests nor proofs it in person.
 * - The first Security Official of an organization is approved only by CMS; while an organization
 *   has no Security Official, nothing else there is approved.
 * - Dual control: the CMS Security Official role is granted only when two distinct CMS Security
 *   Officials (neither the requester nor who created the requester's account) have approved it
 *   (request_approvals), or one while the console has no other such official who is not
 *   deactivated (a locked official still counts: anyone can lock an account with wrong passwords;
 *   so does one deactivated in the last 30 days: deactivating the other official does not switch
 *   dual control off). A CMS Security Official role is not removed by another official.
 * - Live ties: a user is in an organization's directory (what its officials may see and act on)
 *   while they hold a role there or have a PENDING request there; a withdrawn, rejected or
 *   approved request no longer counts (an approval counts through the role it grants).
 */
export const migration006: Migration = {
  version: 6,
  name: 'trust-model',
  sql: /* sql */ `
CREATE TABLE role_catalogue (
  role_name          TEXT NOT NULL,
  organization_kind  TEXT NOT NULL CHECK (organization_kind IN ('provider', 'state', 'cms')),
  tier               TEXT CHECK (tier IN ('provider', 'state', 'cms')),
  PRIMARY KEY (role_name, organization_kind)
) WITHOUT ROWID;
INSERT INTO role_catalogue (role_name, organization_kind, tier) VALUES
  ('Provider Security Official', 'provider', 'provider'),
  ('State Security Official', 'state', 'state'),
  ('CMS Security Official', 'cms', 'cms'),
  ('Assessment Coordinator', 'provider', NULL),
  ('Provider Basic User', 'provider', NULL),
  ('State Agency General User', 'state', NULL),
  ('Surveyor', 'state', NULL);
CREATE TRIGGER role_catalogue_fixed_update BEFORE UPDATE ON role_catalogue
  BEGIN SELECT RAISE(ABORT, 'The role catalogue changes only with a new version of the console.'); END;
CREATE TRIGGER role_catalogue_fixed_delete BEFORE DELETE ON role_catalogue
  BEGIN SELECT RAISE(ABORT, 'The role catalogue changes only with a new version of the console.'); END;
CREATE TRIGGER role_catalogue_fixed_insert BEFORE INSERT ON role_catalogue
  BEGIN SELECT RAISE(ABORT, 'The role catalogue changes only with a new version of the console.'); END;

CREATE TRIGGER roles_in_catalogue BEFORE INSERT ON roles
  WHEN NOT EXISTS (SELECT 1 FROM role_catalogue c WHERE c.role_name = NEW.name AND c.tier IS NEW.security_official_kind)
  BEGIN SELECT RAISE(ABORT, 'This role is not in the role catalogue.'); END;
CREATE TRIGGER roles_fixed BEFORE UPDATE OF name, security_official_kind ON roles
  BEGIN SELECT RAISE(ABORT, 'A role keeps its name and tier.'); END;
CREATE TRIGGER organizations_kind_fixed BEFORE UPDATE OF kind ON organizations WHEN NEW.kind IS NOT OLD.kind
  BEGIN SELECT RAISE(ABORT, 'An organization keeps its kind.'); END;
-- CMS Security Officials exist only in the CMS organization: there is one.
CREATE UNIQUE INDEX organizations_one_cms ON organizations (kind) WHERE kind = 'cms';

-- Who created an account (Create user): they may not approve its requests nor proof it.
ALTER TABLE users ADD COLUMN created_by INTEGER REFERENCES users(id);
-- When an account was last deactivated: a CMS official deactivated in the last 30 days still
-- counts for dual control, so that deactivating the other official cannot switch it off.
ALTER TABLE users ADD COLUMN deactivated_at INTEGER;

CREATE TABLE role_catalogue_violations (
  id               INTEGER PRIMARY KEY,
  found_at         INTEGER NOT NULL,
  kind             TEXT NOT NULL CHECK (kind IN ('assignment', 'pending_request')),
  row_id           INTEGER NOT NULL,
  user_id          INTEGER NOT NULL,
  program_id       INTEGER NOT NULL,
  organization_id  INTEGER NOT NULL,
  role_id          INTEGER NOT NULL,
  granted_at       INTEGER,
  granted_by       INTEGER,
  request_id       INTEGER
);
CREATE TRIGGER role_catalogue_violations_no_update BEFORE UPDATE ON role_catalogue_violations
  BEGIN SELECT RAISE(ABORT, 'The catalogue report is append-only.'); END;
CREATE TRIGGER role_catalogue_violations_no_delete BEFORE DELETE ON role_catalogue_violations
  BEGIN SELECT RAISE(ABORT, 'The catalogue report is append-only.'); END;

INSERT INTO role_catalogue_violations (found_at, kind, row_id, user_id, program_id, organization_id, role_id, granted_at, granted_by, request_id)
  SELECT CAST(strftime('%s', 'now') AS INTEGER) * 1000, 'assignment', a.id, a.user_id, a.program_id, a.organization_id, a.role_id, a.granted_at, a.granted_by, a.request_id
    FROM role_assignments a JOIN roles r ON r.id = a.role_id JOIN organizations o ON o.id = a.organization_id
   WHERE NOT EXISTS (SELECT 1 FROM role_catalogue c WHERE c.role_name = r.name AND c.organization_kind = o.kind)
   ORDER BY a.id;
INSERT INTO role_catalogue_violations (found_at, kind, row_id, user_id, program_id, organization_id, role_id, request_id)
  SELECT CAST(strftime('%s', 'now') AS INTEGER) * 1000, 'pending_request', q.id, q.requester_id, q.program_id, q.organization_id, q.role_id, q.id
    FROM role_requests q JOIN roles r ON r.id = q.role_id JOIN organizations o ON o.id = q.organization_id
   WHERE q.status = 'pending' AND NOT EXISTS (SELECT 1 FROM role_catalogue c WHERE c.role_name = r.name AND c.organization_kind = o.kind)
   ORDER BY q.id;
DELETE FROM role_assignments WHERE id IN (SELECT row_id FROM role_catalogue_violations WHERE kind = 'assignment');

CREATE TRIGGER role_assignments_catalogue BEFORE INSERT ON role_assignments
  WHEN NOT EXISTS (SELECT 1 FROM roles r JOIN organizations o ON o.id = NEW.organization_id
                     JOIN role_catalogue c ON c.role_name = r.name AND c.organization_kind = o.kind
                    WHERE r.id = NEW.role_id)
  BEGIN SELECT RAISE(ABORT, 'The role catalogue does not allow this role in this kind of organization.'); END;
CREATE TRIGGER role_assignments_proofed BEFORE INSERT ON role_assignments
  WHEN (SELECT proofing_state FROM users WHERE id = NEW.user_id) NOT IN ('proofed_remote', 'proofed_in_person')
  BEGIN SELECT RAISE(ABORT, 'No role is granted to a person whose identity is not proofed.'); END;
CREATE TRIGGER role_assignments_fixed BEFORE UPDATE OF user_id, program_id, organization_id, role_id ON role_assignments
  BEGIN SELECT RAISE(ABORT, 'A role assignment is removed and granted again, never moved.'); END;

CREATE TRIGGER role_requests_catalogue BEFORE INSERT ON role_requests
  WHEN NEW.status = 'pending'
   AND NOT EXISTS (SELECT 1 FROM roles r JOIN organizations o ON o.id = NEW.organization_id
                     JOIN role_catalogue c ON c.role_name = r.name AND c.organization_kind = o.kind
                    WHERE r.id = NEW.role_id)
  BEGIN SELECT RAISE(ABORT, 'The role catalogue does not allow this role in this kind of organization.'); END;
CREATE TRIGGER role_requests_catalogue_decided BEFORE UPDATE OF status ON role_requests
  WHEN NEW.status IN ('pending', 'approved') AND NEW.status IS NOT OLD.status
   AND NOT EXISTS (SELECT 1 FROM roles r JOIN organizations o ON o.id = NEW.organization_id
                     JOIN role_catalogue c ON c.role_name = r.name AND c.organization_kind = o.kind
                    WHERE r.id = NEW.role_id)
  BEGIN SELECT RAISE(ABORT, 'The role catalogue does not allow this role in this kind of organization.'); END;

CREATE TRIGGER role_requests_not_own BEFORE UPDATE OF status ON role_requests
  WHEN NEW.status IN ('approved', 'rejected') AND NEW.decided_by = NEW.requester_id
  BEGIN SELECT RAISE(ABORT, 'You cannot decide your own request'); END;
CREATE TRIGGER role_requests_not_creator BEFORE UPDATE OF status ON role_requests
  WHEN NEW.status = 'approved' AND NEW.decided_by = (SELECT created_by FROM users WHERE id = NEW.requester_id)
  BEGIN SELECT RAISE(ABORT, 'The Security Official who created an account cannot approve its requests.'); END;
CREATE TRIGGER role_requests_decider BEFORE UPDATE OF status ON role_requests
  WHEN NEW.status IN ('approved', 'rejected') AND NEW.status IS NOT OLD.status
   AND NOT EXISTS (SELECT 1 FROM role_assignments a JOIN roles r ON r.id = a.role_id
                    WHERE a.user_id = NEW.decided_by AND r.security_official_kind IS NOT NULL
                      AND (a.organization_id = NEW.organization_id OR r.security_official_kind = 'cms'))
  BEGIN SELECT RAISE(ABORT, 'Only a Security Official of this organization or a CMS Security Official decides this request.'); END;
CREATE TRIGGER role_requests_first_official BEFORE UPDATE OF status ON role_requests
  WHEN NEW.status = 'approved' AND OLD.status = 'pending'
   AND NOT EXISTS (SELECT 1 FROM role_assignments a
                    WHERE a.organization_id = NEW.organization_id
                      AND a.role_id IN (SELECT id FROM roles WHERE security_official_kind IS NOT NULL))
   AND NOT ((SELECT security_official_kind FROM roles WHERE id = NEW.role_id) IS NOT NULL
            AND EXISTS (SELECT 1 FROM role_assignments a JOIN roles r ON r.id = a.role_id
                         WHERE a.user_id = NEW.decided_by AND r.security_official_kind = 'cms'))
  BEGIN SELECT RAISE(ABORT, 'The first Security Official of an organization can only be approved by a CMS Security Official'); END;

CREATE TABLE request_approvals (
  request_id   INTEGER NOT NULL REFERENCES role_requests(id),
  official_id  INTEGER NOT NULL REFERENCES users(id),
  approved_at  INTEGER NOT NULL,
  PRIMARY KEY (request_id, official_id)
) WITHOUT ROWID;
CREATE TRIGGER request_approvals_by_cms BEFORE INSERT ON request_approvals
  WHEN NOT EXISTS (SELECT 1 FROM role_assignments a JOIN roles r ON r.id = a.role_id
                    WHERE a.user_id = NEW.official_id AND r.security_official_kind = 'cms')
    OR NEW.official_id = (SELECT requester_id FROM role_requests WHERE id = NEW.request_id)
    OR NEW.official_id IS (SELECT created_by FROM users WHERE id = (SELECT requester_id FROM role_requests WHERE id = NEW.request_id))
    OR (SELECT status FROM role_requests WHERE id = NEW.request_id) IS NOT 'pending'
  BEGIN SELECT RAISE(ABORT, 'An approval of a CMS Security Official role is given by another CMS Security Official, while the request is pending.'); END;
CREATE TRIGGER request_approvals_no_update BEFORE UPDATE ON request_approvals
  BEGIN SELECT RAISE(ABORT, 'Approvals are append-only.'); END;
CREATE TRIGGER request_approvals_no_delete BEFORE DELETE ON request_approvals
  BEGIN SELECT RAISE(ABORT, 'Approvals are append-only.'); END;
CREATE TRIGGER role_requests_dual_control BEFORE UPDATE OF status ON role_requests
  WHEN NEW.status = 'approved' AND OLD.status = 'pending'
   AND (SELECT security_official_kind FROM roles WHERE id = NEW.role_id) = 'cms'
   AND (NOT EXISTS (SELECT 1 FROM request_approvals WHERE request_id = NEW.id AND official_id = NEW.decided_by)
        OR (SELECT count(*) FROM request_approvals WHERE request_id = NEW.id) <
           CASE WHEN (SELECT count(DISTINCT a.user_id) FROM role_assignments a JOIN users u ON u.id = a.user_id
                       WHERE a.organization_id IN (SELECT id FROM organizations WHERE kind = 'cms')
                         AND a.role_id IN (SELECT id FROM roles WHERE security_official_kind = 'cms') AND a.user_id <> NEW.requester_id
                         AND (u.status <> 'deactivated' OR u.deactivated_at > NEW.decided_at - 2592000000)
                         AND a.user_id IS NOT (SELECT created_by FROM users WHERE id = NEW.requester_id)) >= 2
                THEN 2 ELSE 1 END)
  BEGIN SELECT RAISE(ABORT, 'The CMS Security Official role needs the approval of two distinct CMS Security Officials.'); END;

CREATE TRIGGER proofing_records_separation BEFORE INSERT ON proofing_records
  WHEN NEW.official_id = NEW.subject_id OR NEW.official_id IS (SELECT created_by FROM users WHERE id = NEW.subject_id)
  BEGIN SELECT RAISE(ABORT, 'The Security Official who created an account cannot proof its identity, and nobody proofs their own.'); END;

-- Every rule above that reads role_assignments by organization or by user is an index seek
-- (role_assignments_org, or the (user_id, ...) unique index): a trigger runs for every decision.

-- Live ties: only a pending request puts its requester in the organization's directory.
DROP TRIGGER role_requests_directory_in;
DROP TRIGGER role_requests_directory_out;
CREATE TRIGGER role_requests_directory_in AFTER INSERT ON role_requests WHEN NEW.status = 'pending'
BEGIN
  INSERT INTO user_directory (user_id, program_id, organization_id, last_name, first_name, reasons)
    SELECT NEW.requester_id, NEW.program_id, NEW.organization_id, u.last_name, u.first_name, 1 FROM users u WHERE u.id = NEW.requester_id
    ON CONFLICT (user_id, program_id, organization_id) DO UPDATE SET reasons = reasons + 1;
END;
CREATE TRIGGER role_requests_directory_return AFTER UPDATE OF status ON role_requests
  WHEN OLD.status <> 'pending' AND NEW.status = 'pending'
BEGIN
  INSERT INTO user_directory (user_id, program_id, organization_id, last_name, first_name, reasons)
    SELECT NEW.requester_id, NEW.program_id, NEW.organization_id, u.last_name, u.first_name, 1 FROM users u WHERE u.id = NEW.requester_id
    ON CONFLICT (user_id, program_id, organization_id) DO UPDATE SET reasons = reasons + 1;
END;
CREATE TRIGGER role_requests_directory_leave AFTER UPDATE OF status ON role_requests
  WHEN OLD.status = 'pending' AND NEW.status <> 'pending'
BEGIN
  UPDATE user_directory SET reasons = reasons - 1
   WHERE user_id = OLD.requester_id AND program_id = OLD.program_id AND organization_id = OLD.organization_id;
END;
CREATE TRIGGER role_requests_directory_out AFTER DELETE ON role_requests WHEN OLD.status = 'pending'
BEGIN
  UPDATE user_directory SET reasons = reasons - 1
   WHERE user_id = OLD.requester_id AND program_id = OLD.program_id AND organization_id = OLD.organization_id;
END;
DELETE FROM user_directory;
INSERT INTO user_directory (user_id, program_id, organization_id, last_name, first_name, reasons)
  SELECT m.user_id, m.program_id, m.organization_id, u.last_name, u.first_name, count(*)
    FROM (SELECT user_id, program_id, organization_id FROM role_assignments
          UNION ALL
          SELECT requester_id, program_id, organization_id FROM role_requests WHERE status = 'pending') m
    JOIN users u ON u.id = m.user_id
   GROUP BY m.user_id, m.program_id, m.organization_id;
DELETE FROM program_user_counts;
INSERT INTO program_user_counts (program_id, n) SELECT program_id, count(DISTINCT user_id) FROM user_directory GROUP BY program_id;
`,
};
