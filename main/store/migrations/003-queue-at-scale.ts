import type { Migration } from './migration.js';

/**
 * The Role Requests queue at scale (1,000,000 users, 100,000 pending requests):
 *
 * - The queue's total and the home badge were a count over every pending request in scope
 *   (17 ms for a CMS official). Triggers now keep a pending count per (organization, program,
 *   role), so a total is a sum over a few hundred counter rows, whatever the queue's size. The
 *   triggers run inside the writing transaction, so a count can never disagree with the rows.
 * - Sorting by Last Name joined every pending request to its requester and sorted them (170 ms
 *   for a CMS official). The requester's names are now copied onto the request and indexed for
 *   pending requests, so a page by name is an index range like a page by date. A trigger keeps
 *   the copy equal to the user's names.
 */
export const migration003: Migration = {
  version: 3,
  name: 'queue-at-scale',
  sql: /* sql */ `
CREATE TABLE pending_request_counts (
  organization_id  INTEGER NOT NULL,
  program_id       INTEGER NOT NULL,
  role_id          INTEGER NOT NULL,
  n                INTEGER NOT NULL,
  PRIMARY KEY (organization_id, program_id, role_id)
) WITHOUT ROWID;
CREATE INDEX pending_request_counts_role ON pending_request_counts (role_id, organization_id);

INSERT INTO pending_request_counts (organization_id, program_id, role_id, n)
  SELECT organization_id, program_id, role_id, count(*) FROM role_requests WHERE status = 'pending'
   GROUP BY organization_id, program_id, role_id;

CREATE TRIGGER role_requests_count_insert AFTER INSERT ON role_requests WHEN NEW.status = 'pending'
BEGIN
  INSERT INTO pending_request_counts (organization_id, program_id, role_id, n) VALUES (NEW.organization_id, NEW.program_id, NEW.role_id, 1)
    ON CONFLICT (organization_id, program_id, role_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER role_requests_count_leave AFTER UPDATE OF status ON role_requests
  WHEN OLD.status = 'pending' AND NEW.status <> 'pending'
BEGIN
  UPDATE pending_request_counts SET n = n - 1
   WHERE organization_id = OLD.organization_id AND program_id = OLD.program_id AND role_id = OLD.role_id;
END;
CREATE TRIGGER role_requests_count_return AFTER UPDATE OF status ON role_requests
  WHEN OLD.status <> 'pending' AND NEW.status = 'pending'
BEGIN
  INSERT INTO pending_request_counts (organization_id, program_id, role_id, n) VALUES (NEW.organization_id, NEW.program_id, NEW.role_id, 1)
    ON CONFLICT (organization_id, program_id, role_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER role_requests_count_delete AFTER DELETE ON role_requests WHEN OLD.status = 'pending'
BEGIN
  UPDATE pending_request_counts SET n = n - 1
   WHERE organization_id = OLD.organization_id AND program_id = OLD.program_id AND role_id = OLD.role_id;
END;
-- Only non-zero counters are kept, so a sum reads no more rows than there are pending kinds.
CREATE TRIGGER pending_request_counts_drop_zero AFTER UPDATE OF n ON pending_request_counts WHEN NEW.n <= 0
BEGIN
  DELETE FROM pending_request_counts
   WHERE organization_id = NEW.organization_id AND program_id = NEW.program_id AND role_id = NEW.role_id;
END;
-- A request never moves to another organization, program or role; refuse it rather than miscount.
CREATE TRIGGER role_requests_scope_fixed BEFORE UPDATE OF organization_id, program_id, role_id ON role_requests
BEGIN
  SELECT RAISE(ABORT, 'a role request keeps its organization, program and role');
END;

ALTER TABLE role_requests ADD COLUMN requester_last_name TEXT NOT NULL DEFAULT '' COLLATE NOCASE;
ALTER TABLE role_requests ADD COLUMN requester_first_name TEXT NOT NULL DEFAULT '' COLLATE NOCASE;
UPDATE role_requests
   SET requester_last_name = (SELECT last_name FROM users WHERE users.id = role_requests.requester_id),
       requester_first_name = (SELECT first_name FROM users WHERE users.id = role_requests.requester_id);

CREATE TRIGGER role_requests_requester_name AFTER INSERT ON role_requests
BEGIN
  UPDATE role_requests
     SET requester_last_name = (SELECT last_name FROM users WHERE id = NEW.requester_id),
         requester_first_name = (SELECT first_name FROM users WHERE id = NEW.requester_id)
   WHERE id = NEW.id;
END;
CREATE TRIGGER users_name_to_requests AFTER UPDATE OF first_name, last_name ON users
BEGIN
  UPDATE role_requests SET requester_last_name = NEW.last_name, requester_first_name = NEW.first_name WHERE requester_id = NEW.id;
END;

CREATE INDEX role_requests_pending_name ON role_requests (requester_last_name, requester_first_name, id) WHERE status = 'pending';
CREATE INDEX role_requests_org_pending_name ON role_requests (organization_id, requester_last_name, requester_first_name, id) WHERE status = 'pending';
`,
};
