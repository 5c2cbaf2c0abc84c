import type { Migration } from '../../migrations/index.js';

/**
 * The Role Requests queue at scale, as SQLite version 3: pending counts per (organization,
 * program, role) kept by triggers in the writing transaction, and the requester's names copied
 * onto the request (and kept equal to the user's) so a page by name is an index range.
 */
export const migration003: Migration = {
  version: 3,
  name: 'queue-at-scale',
  sql: /* sql */ `
CREATE TABLE pending_request_counts (
  organization_id  BIGINT NOT NULL,
  program_id       BIGINT NOT NULL,
  role_id          BIGINT NOT NULL,
  n                INTEGER NOT NULL,
  PRIMARY KEY (organization_id, program_id, role_id)
);
CREATE INDEX pending_request_counts_role ON pending_request_counts (role_id, organization_id);

INSERT INTO pending_request_counts (organization_id, program_id, role_id, n)
  SELECT organization_id, program_id, role_id, count(*) FROM role_requests WHERE status = 'pending'
   GROUP BY organization_id, program_id, role_id;

CREATE FUNCTION role_requests_count_in() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO pending_request_counts (organization_id, program_id, role_id, n) VALUES (NEW.organization_id, NEW.program_id, NEW.role_id, 1)
    ON CONFLICT (organization_id, program_id, role_id) DO UPDATE SET n = pending_request_counts.n + 1;
  RETURN NULL;
END $$;
CREATE FUNCTION role_requests_count_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE pending_request_counts SET n = n - 1
   WHERE organization_id = OLD.organization_id AND program_id = OLD.program_id AND role_id = OLD.role_id;
  RETURN NULL;
END $$;
CREATE TRIGGER role_requests_count_insert AFTER INSERT ON role_requests
  FOR EACH ROW WHEN (NEW.status = 'pending') EXECUTE FUNCTION role_requests_count_in();
CREATE TRIGGER role_requests_count_leave AFTER UPDATE OF status ON role_requests
  FOR EACH ROW WHEN (OLD.status = 'pending' AND NEW.status <> 'pending') EXECUTE FUNCTION role_requests_count_out();
CREATE TRIGGER role_requests_count_return AFTER UPDATE OF status ON role_requests
  FOR EACH ROW WHEN (OLD.status <> 'pending' AND NEW.status = 'pending') EXECUTE FUNCTION role_requests_count_in();
CREATE TRIGGER role_requests_count_delete AFTER DELETE ON role_requests
  FOR EACH ROW WHEN (OLD.status = 'pending') EXECUTE FUNCTION role_requests_count_out();

-- Only non-zero counters are kept, so a sum reads no more rows than there are pending kinds.
CREATE FUNCTION pending_request_counts_drop_zero() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM pending_request_counts
   WHERE organization_id = NEW.organization_id AND program_id = NEW.program_id AND role_id = NEW.role_id;
  RETURN NULL;
END $$;
CREATE TRIGGER pending_request_counts_drop_zero AFTER UPDATE OF n ON pending_request_counts
  FOR EACH ROW WHEN (NEW.n <= 0) EXECUTE FUNCTION pending_request_counts_drop_zero();

-- A request never moves to another organization, program or role; refuse it rather than miscount.
CREATE TRIGGER role_requests_scope_fixed BEFORE UPDATE OF organization_id, program_id, role_id ON role_requests
  FOR EACH ROW EXECUTE FUNCTION soc_refuse('a role request keeps its organization, program and role');

ALTER TABLE role_requests ADD COLUMN requester_last_name CITEXT COLLATE nocase NOT NULL DEFAULT '';
ALTER TABLE role_requests ADD COLUMN requester_first_name CITEXT COLLATE nocase NOT NULL DEFAULT '';
UPDATE role_requests r SET requester_last_name = u.last_name, requester_first_name = u.first_name FROM users u WHERE u.id = r.requester_id;

-- SQLite copies the names after the insert; here the row is written with them (same result, one write).
CREATE FUNCTION role_requests_requester_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT u.last_name, u.first_name INTO NEW.requester_last_name, NEW.requester_first_name FROM users u WHERE u.id = NEW.requester_id;
  RETURN NEW;
END $$;
CREATE TRIGGER role_requests_requester_name BEFORE INSERT ON role_requests
  FOR EACH ROW EXECUTE FUNCTION role_requests_requester_name();
CREATE FUNCTION users_name_to_requests() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE role_requests SET requester_last_name = NEW.last_name, requester_first_name = NEW.first_name WHERE requester_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER users_name_to_requests AFTER UPDATE OF first_name, last_name ON users
  FOR EACH ROW EXECUTE FUNCTION users_name_to_requests();

CREATE INDEX role_requests_pending_name ON role_requests (requester_last_name, requester_first_name, id) WHERE status = 'pending';
CREATE INDEX role_requests_org_pending_name ON role_requests (organization_id, requester_last_name, requester_first_name, id) WHERE status = 'pending';
`,
};
