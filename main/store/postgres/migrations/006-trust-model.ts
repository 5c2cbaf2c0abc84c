import type { Migration } from '../../migrations/index.js';

/**
 * The trust model, as SQLite version 6, kept by the database itself so that no code path can skip
 * it: the role catalogue (fixed, and checked on roles, assignments and requests), proofed before
 * granted, who decides a request, the first Security Official approved only by CMS, dual control
 * for the CMS Security Official role, and live ties in the directory. Each refusal has the same
 * sentence as its SQLite trigger. PostgreSQL does not allow a subquery in a trigger's WHEN, so a
 * rule that reads other rows tests it in its function.
 */
export const migration006: Migration = {
  version: 6,
  name: 'trust-model',
  sql: /* sql */ `
CREATE TABLE role_catalogue (
  role_name          TEXT COLLATE "C" NOT NULL,
  organization_kind  TEXT COLLATE "C" NOT NULL CHECK (organization_kind IN ('provider', 'state', 'cms')),
  tier               TEXT COLLATE "C" CHECK (tier IN ('provider', 'state', 'cms')),
  PRIMARY KEY (role_name, organization_kind)
);
INSERT INTO role_catalogue (role_name, organization_kind, tier) VALUES
  ('Provider Security Official', 'provider', 'provider'),
  ('State Security Official', 'state', 'state'),
  ('CMS Security Official', 'cms', 'cms'),
  ('Assessment Coordinator', 'provider', NULL),
  ('Provider Basic User', 'provider', NULL),
  ('State Agency General User', 'state', NULL),
  ('Surveyor', 'state', NULL);
CREATE TRIGGER role_catalogue_fixed_update BEFORE UPDATE ON role_catalogue
  FOR EACH ROW EXECUTE FUNCTION soc_refuse('The role catalogue changes only with a new version of the console.');
CREATE TRIGGER role_catalogue_fixed_delete BEFORE DELETE ON role_catalogue
  FOR EACH ROW EXECUTE FUNCTION soc_refuse('The role catalogue changes only with a new version of the console.');
CREATE TRIGGER role_catalogue_fixed_insert BEFORE INSERT ON role_catalogue
  FOR EACH ROW EXECUTE FUNCTION soc_refuse('The role catalogue changes only with a new version of the console.');
CREATE TRIGGER role_catalogue_fixed_truncate BEFORE TRUNCATE ON role_catalogue
  FOR EACH STATEMENT EXECUTE FUNCTION soc_refuse('The role catalogue changes only with a new version of the console.');

CREATE FUNCTION roles_in_catalogue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM role_catalogue c WHERE c.role_name = NEW.name AND c.tier IS NOT DISTINCT FROM NEW.security_official_kind) THEN
    RAISE EXCEPTION USING MESSAGE = 'This role is not in the role catalogue.', ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER roles_in_catalogue BEFORE INSERT ON roles FOR EACH ROW EXECUTE FUNCTION roles_in_catalogue();
CREATE TRIGGER roles_fixed BEFORE UPDATE OF name, security_official_kind ON roles
  FOR EACH ROW EXECUTE FUNCTION soc_refuse('A role keeps its name and tier.');
CREATE TRIGGER organizations_kind_fixed BEFORE UPDATE OF kind ON organizations
  FOR EACH ROW WHEN (NEW.kind IS DISTINCT FROM OLD.kind) EXECUTE FUNCTION soc_refuse('An organization keeps its kind.');
-- CMS Security Officials exist only in the CMS organization: there is one.
CREATE UNIQUE INDEX organizations_one_cms ON organizations (kind) WHERE kind = 'cms';

ALTER TABLE users ADD COLUMN created_by BIGINT REFERENCES users(id);
ALTER TABLE users ADD COLUMN deactivated_at BIGINT;

CREATE TABLE role_catalogue_violations (
  id               BIGINT PRIMARY KEY,
  found_at         BIGINT NOT NULL,
  kind             TEXT COLLATE "C" NOT NULL CHECK (kind IN ('assignment', 'pending_request')),
  row_id           BIGINT NOT NULL,
  user_id          BIGINT NOT NULL,
  program_id       BIGINT NOT NULL,
  organization_id  BIGINT NOT NULL,
  role_id          BIGINT NOT NULL,
  granted_at       BIGINT,
  granted_by       BIGINT,
  request_id       BIGINT
);
SELECT soc_numbered('role_catalogue_violations');
CREATE TRIGGER role_catalogue_violations_no_update BEFORE UPDATE ON role_catalogue_violations
  FOR EACH ROW EXECUTE FUNCTION soc_refuse('The catalogue report is append-only.');
CREATE TRIGGER role_catalogue_violations_no_delete BEFORE DELETE ON role_catalogue_violations
  FOR EACH ROW EXECUTE FUNCTION soc_refuse('The catalogue report is append-only.');
CREATE TRIGGER role_catalogue_violations_no_truncate BEFORE TRUNCATE ON role_catalogue_violations
  FOR EACH STATEMENT EXECUTE FUNCTION soc_refuse('The catalogue report is append-only.');

INSERT INTO role_catalogue_violations (found_at, kind, row_id, user_id, program_id, organization_id, role_id, granted_at, granted_by, request_id)
  SELECT (extract(epoch FROM statement_timestamp()) * 1000)::bigint, 'assignment', a.id, a.user_id, a.program_id, a.organization_id, a.role_id, a.granted_at, a.granted_by, a.request_id
    FROM role_assignments a JOIN roles r ON r.id = a.role_id JOIN organizations o ON o.id = a.organization_id
   WHERE NOT EXISTS (SELECT 1 FROM role_catalogue c WHERE c.role_name = r.name AND c.organization_kind = o.kind)
   ORDER BY a.id;
INSERT INTO role_catalogue_violations (found_at, kind, row_id, user_id, program_id, organization_id, role_id, request_id)
  SELECT (extract(epoch FROM statement_timestamp()) * 1000)::bigint, 'pending_request', q.id, q.requester_id, q.program_id, q.organization_id, q.role_id, q.id
    FROM role_requests q JOIN roles r ON r.id = q.role_id JOIN organizations o ON o.id = q.organization_id
   WHERE q.status = 'pending' AND NOT EXISTS (SELECT 1 FROM role_catalogue c WHERE c.role_name = r.name AND c.organization_kind = o.kind)
   ORDER BY q.id;
DELETE FROM role_assignments WHERE id IN (SELECT row_id FROM role_catalogue_violations WHERE kind = 'assignment');

-- Whether the catalogue allows this role in this organization's kind.
CREATE FUNCTION soc_catalogue_allows(role bigint, organization bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM roles r JOIN organizations o ON o.id = organization
                   JOIN role_catalogue c ON c.role_name = r.name AND c.organization_kind = o.kind
                  WHERE r.id = role)
$$;

CREATE FUNCTION role_assignments_catalogue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT soc_catalogue_allows(NEW.role_id, NEW.organization_id) THEN
    RAISE EXCEPTION USING MESSAGE = 'The role catalogue does not allow this role in this kind of organization.', ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER role_assignments_catalogue BEFORE INSERT ON role_assignments FOR EACH ROW EXECUTE FUNCTION role_assignments_catalogue();
CREATE FUNCTION role_assignments_proofed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT proofing_state FROM users WHERE id = NEW.user_id) NOT IN ('proofed_remote', 'proofed_in_person') THEN
    RAISE EXCEPTION USING MESSAGE = 'No role is granted to a person whose identity is not proofed.', ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER role_assignments_proofed BEFORE INSERT ON role_assignments FOR EACH ROW EXECUTE FUNCTION role_assignments_proofed();
CREATE TRIGGER role_assignments_fixed BEFORE UPDATE OF user_id, program_id, organization_id, role_id ON role_assignments
  FOR EACH ROW EXECUTE FUNCTION soc_refuse('A role assignment is removed and granted again, never moved.');

CREATE FUNCTION role_requests_catalogue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT soc_catalogue_allows(NEW.role_id, NEW.organization_id) THEN
    RAISE EXCEPTION USING MESSAGE = 'The role catalogue does not allow this role in this kind of organization.', ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER role_requests_catalogue BEFORE INSERT ON role_requests
  FOR EACH ROW WHEN (NEW.status = 'pending') EXECUTE FUNCTION role_requests_catalogue();
CREATE TRIGGER role_requests_catalogue_decided BEFORE UPDATE OF status ON role_requests
  FOR EACH ROW WHEN (NEW.status IN ('pending', 'approved') AND NEW.status IS DISTINCT FROM OLD.status) EXECUTE FUNCTION role_requests_catalogue();

CREATE TRIGGER role_requests_not_own BEFORE UPDATE OF status ON role_requests
  FOR EACH ROW WHEN (NEW.status IN ('approved', 'rejected') AND NEW.decided_by = NEW.requester_id)
  EXECUTE FUNCTION soc_refuse('You cannot decide your own request');
CREATE FUNCTION role_requests_not_creator() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.decided_by = (SELECT created_by FROM users WHERE id = NEW.requester_id) THEN
    RAISE EXCEPTION USING MESSAGE = 'The Security Official who created an account cannot approve its requests.', ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER role_requests_not_creator BEFORE UPDATE OF status ON role_requests
  FOR EACH ROW WHEN (NEW.status = 'approved') EXECUTE FUNCTION role_requests_not_creator();
CREATE FUNCTION role_requests_decider() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM role_assignments a JOIN roles r ON r.id = a.role_id
                  WHERE a.user_id = NEW.decided_by AND r.security_official_kind IS NOT NULL
                    AND (a.organization_id = NEW.organization_id OR r.security_official_kind = 'cms')) THEN
    RAISE EXCEPTION USING MESSAGE = 'Only a Security Official of this organization or a CMS Security Official decides this request.', ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER role_requests_decider BEFORE UPDATE OF status ON role_requests
  FOR EACH ROW WHEN (NEW.status IN ('approved', 'rejected') AND NEW.status IS DISTINCT FROM OLD.status) EXECUTE FUNCTION role_requests_decider();
CREATE FUNCTION role_requests_first_official() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM role_assignments a
                  WHERE a.organization_id = NEW.organization_id
                    AND a.role_id IN (SELECT id FROM roles WHERE security_official_kind IS NOT NULL))
     AND NOT ((SELECT security_official_kind FROM roles WHERE id = NEW.role_id) IS NOT NULL
              AND EXISTS (SELECT 1 FROM role_assignments a JOIN roles r ON r.id = a.role_id
                           WHERE a.user_id = NEW.decided_by AND r.security_official_kind = 'cms')) THEN
    RAISE EXCEPTION USING MESSAGE = 'The first Security Official of an organization can only be approved by a CMS Security Official', ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER role_requests_first_official BEFORE UPDATE OF status ON role_requests
  FOR EACH ROW WHEN (NEW.status = 'approved' AND OLD.status = 'pending') EXECUTE FUNCTION role_requests_first_official();

CREATE TABLE request_approvals (
  request_id   BIGINT NOT NULL REFERENCES role_requests(id),
  official_id  BIGINT NOT NULL REFERENCES users(id),
  approved_at  BIGINT NOT NULL,
  PRIMARY KEY (request_id, official_id)
);
CREATE FUNCTION request_approvals_by_cms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM role_assignments a JOIN roles r ON r.id = a.role_id
                  WHERE a.user_id = NEW.official_id AND r.security_official_kind = 'cms')
     OR NEW.official_id = (SELECT requester_id FROM role_requests WHERE id = NEW.request_id)
     OR NEW.official_id IS NOT DISTINCT FROM (SELECT created_by FROM users WHERE id = (SELECT requester_id FROM role_requests WHERE id = NEW.request_id))
     OR (SELECT status FROM role_requests WHERE id = NEW.request_id) IS DISTINCT FROM 'pending' THEN
    RAISE EXCEPTION USING MESSAGE = 'An approval of a CMS Security Official role is given by another CMS Security Official, while the request is pending.', ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER request_approvals_by_cms BEFORE INSERT ON request_approvals FOR EACH ROW EXECUTE FUNCTION request_approvals_by_cms();
CREATE TRIGGER request_approvals_no_update BEFORE UPDATE ON request_approvals
  FOR EACH ROW EXECUTE FUNCTION soc_refuse('Approvals are append-only.');
CREATE TRIGGER request_approvals_no_delete BEFORE DELETE ON request_approvals
  FOR EACH ROW EXECUTE FUNCTION soc_refuse('Approvals are append-only.');
CREATE TRIGGER request_approvals_no_truncate BEFORE TRUNCATE ON request_approvals
  FOR EACH STATEMENT EXECUTE FUNCTION soc_refuse('Approvals are append-only.');

CREATE FUNCTION role_requests_dual_control() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT security_official_kind FROM roles WHERE id = NEW.role_id) = 'cms'
     AND (NOT EXISTS (SELECT 1 FROM request_approvals WHERE request_id = NEW.id AND official_id = NEW.decided_by)
          OR (SELECT count(*) FROM request_approvals WHERE request_id = NEW.id) <
             CASE WHEN (SELECT count(DISTINCT a.user_id) FROM role_assignments a JOIN users u ON u.id = a.user_id
                         WHERE a.organization_id IN (SELECT id FROM organizations WHERE kind = 'cms')
                           AND a.role_id IN (SELECT id FROM roles WHERE security_official_kind = 'cms') AND a.user_id <> NEW.requester_id
                           AND (u.status <> 'deactivated' OR u.deactivated_at > NEW.decided_at - 2592000000)
                           AND a.user_id IS DISTINCT FROM (SELECT created_by FROM users WHERE id = NEW.requester_id)) >= 2
                  THEN 2 ELSE 1 END) THEN
    RAISE EXCEPTION USING MESSAGE = 'The CMS Security Official role needs the approval of two distinct CMS Security Officials.', ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER role_requests_dual_control BEFORE UPDATE OF status ON role_requests
  FOR EACH ROW WHEN (NEW.status = 'approved' AND OLD.status = 'pending') EXECUTE FUNCTION role_requests_dual_control();

CREATE FUNCTION proofing_records_separation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.official_id = NEW.subject_id OR NEW.official_id IS NOT DISTINCT FROM (SELECT created_by FROM users WHERE id = NEW.subject_id) THEN
    RAISE EXCEPTION USING MESSAGE = 'The Security Official who created an account cannot proof its identity, and nobody proofs their own.', ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER proofing_records_separation BEFORE INSERT ON proofing_records FOR EACH ROW EXECUTE FUNCTION proofing_records_separation();

-- Live ties: only a pending request puts its requester in the organization's directory.
DROP TRIGGER role_requests_directory_in ON role_requests;
DROP TRIGGER role_requests_directory_out ON role_requests;
CREATE TRIGGER role_requests_directory_in AFTER INSERT ON role_requests
  FOR EACH ROW WHEN (NEW.status = 'pending') EXECUTE FUNCTION role_requests_directory_in();
CREATE TRIGGER role_requests_directory_return AFTER UPDATE OF status ON role_requests
  FOR EACH ROW WHEN (OLD.status <> 'pending' AND NEW.status = 'pending') EXECUTE FUNCTION role_requests_directory_in();
CREATE TRIGGER role_requests_directory_leave AFTER UPDATE OF status ON role_requests
  FOR EACH ROW WHEN (OLD.status = 'pending' AND NEW.status <> 'pending') EXECUTE FUNCTION role_requests_directory_out();
CREATE TRIGGER role_requests_directory_out AFTER DELETE ON role_requests
  FOR EACH ROW WHEN (OLD.status = 'pending') EXECUTE FUNCTION role_requests_directory_out();
DELETE FROM user_directory;
INSERT INTO user_directory (user_id, program_id, organization_id, last_name, first_name, reasons)
  SELECT m.user_id, m.program_id, m.organization_id, u.last_name, u.first_name, count(*)
    FROM (SELECT user_id, program_id, organization_id FROM role_assignments
          UNION ALL
          SELECT requester_id, program_id, organization_id FROM role_requests WHERE status = 'pending') m
    JOIN users u ON u.id = m.user_id
   GROUP BY m.user_id, m.program_id, m.organization_id, u.last_name, u.first_name;
DELETE FROM program_user_counts;
INSERT INTO program_user_counts (program_id, n) SELECT program_id, count(DISTINCT user_id) FROM user_directory GROUP BY program_id;
`,
};
