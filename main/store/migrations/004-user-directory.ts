import type { Migration } from './migration.js';

/**
 * User Lookup (HARP and iQIES job aids) and the account actions of the QualityNet guide.
 *
 * - user_directory: who an official may see. A user belongs to (program, organization) while
 *   they hold a role or have a request there; officials never see anyone else. Triggers keep
 *   it in the same transaction as the role or request that puts a user there, with a count of
 *   the reasons, so removing one role of two keeps the user visible. The requester's names are
 *   copied in (and kept equal by a trigger on users), so a page of an organization sorted by
 *   name is one index range even for the largest organization.
 * - program_user_counts: how many distinct users a program has, for "Users (N)" when a CMS
 *   official looks at All organizations (a million users must not be counted row by row).
 * - users: when a temporary password stops working, and when an official last reactivated the
 *   account (the 120-day rule counts from then, not from a sign-in before the deactivation).
 */
export const migration004: Migration = {
  version: 4,
  name: 'user-directory',
  sql: /* sql */ `
ALTER TABLE users ADD COLUMN temporary_password_expires_at INTEGER;
ALTER TABLE users ADD COLUMN reactivated_at INTEGER;
CREATE INDEX users_inactivity ON users (status, last_sign_in_at) WHERE status = 'active';

CREATE TABLE user_directory (
  user_id          INTEGER NOT NULL REFERENCES users(id),
  program_id       INTEGER NOT NULL,
  organization_id  INTEGER NOT NULL,
  last_name        TEXT NOT NULL COLLATE NOCASE,
  first_name       TEXT NOT NULL COLLATE NOCASE,
  reasons          INTEGER NOT NULL,
  PRIMARY KEY (user_id, program_id, organization_id)
) WITHOUT ROWID;
CREATE INDEX user_directory_by_name ON user_directory (program_id, organization_id, last_name, first_name, user_id);
CREATE INDEX user_directory_by_first_name ON user_directory (program_id, organization_id, first_name, last_name, user_id);
-- All organizations of a program (CMS officials): the same orders without the organization.
CREATE INDEX user_directory_program_by_name ON user_directory (program_id, last_name, first_name, user_id);
CREATE INDEX user_directory_program_by_first_name ON user_directory (program_id, first_name, last_name, user_id);

CREATE TABLE program_user_counts (
  program_id  INTEGER PRIMARY KEY,
  n           INTEGER NOT NULL
);

-- A user's first row in a program counts them once for that program; their last row uncounts them.
CREATE TRIGGER user_directory_count_in AFTER INSERT ON user_directory
  WHEN NOT EXISTS (SELECT 1 FROM user_directory d WHERE d.user_id = NEW.user_id AND d.program_id = NEW.program_id AND d.organization_id <> NEW.organization_id)
BEGIN
  INSERT INTO program_user_counts (program_id, n) VALUES (NEW.program_id, 1)
    ON CONFLICT (program_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER user_directory_count_out AFTER DELETE ON user_directory
  WHEN NOT EXISTS (SELECT 1 FROM user_directory d WHERE d.user_id = OLD.user_id AND d.program_id = OLD.program_id)
BEGIN
  UPDATE program_user_counts SET n = n - 1 WHERE program_id = OLD.program_id;
END;
CREATE TRIGGER user_directory_drop_unreferenced AFTER UPDATE OF reasons ON user_directory WHEN NEW.reasons <= 0
BEGIN
  DELETE FROM user_directory WHERE user_id = NEW.user_id AND program_id = NEW.program_id AND organization_id = NEW.organization_id;
END;

CREATE TRIGGER role_assignments_directory_in AFTER INSERT ON role_assignments
BEGIN
  INSERT INTO user_directory (user_id, program_id, organization_id, last_name, first_name, reasons)
    SELECT NEW.user_id, NEW.program_id, NEW.organization_id, u.last_name, u.first_name, 1 FROM users u WHERE u.id = NEW.user_id
    ON CONFLICT (user_id, program_id, organization_id) DO UPDATE SET reasons = reasons + 1;
END;
CREATE TRIGGER role_assignments_directory_out AFTER DELETE ON role_assignments
BEGIN
  UPDATE user_directory SET reasons = reasons - 1
   WHERE user_id = OLD.user_id AND program_id = OLD.program_id AND organization_id = OLD.organization_id;
END;
CREATE TRIGGER role_requests_directory_in AFTER INSERT ON role_requests
BEGIN
  INSERT INTO user_directory (user_id, program_id, organization_id, last_name, first_name, reasons)
    SELECT NEW.requester_id, NEW.program_id, NEW.organization_id, u.last_name, u.first_name, 1 FROM users u WHERE u.id = NEW.requester_id
    ON CONFLICT (user_id, program_id, organization_id) DO UPDATE SET reasons = reasons + 1;
END;
CREATE TRIGGER role_requests_directory_out AFTER DELETE ON role_requests
BEGIN
  UPDATE user_directory SET reasons = reasons - 1
   WHERE user_id = OLD.requester_id AND program_id = OLD.program_id AND organization_id = OLD.organization_id;
END;
CREATE TRIGGER users_name_to_directory AFTER UPDATE OF first_name, last_name ON users
BEGIN
  UPDATE user_directory SET last_name = NEW.last_name, first_name = NEW.first_name WHERE user_id = NEW.id;
END;

INSERT INTO user_directory (user_id, program_id, organization_id, last_name, first_name, reasons)
  SELECT m.user_id, m.program_id, m.organization_id, u.last_name, u.first_name, count(*)
    FROM (SELECT user_id, program_id, organization_id FROM role_assignments
          UNION ALL
          SELECT requester_id, program_id, organization_id FROM role_requests) m
    JOIN users u ON u.id = m.user_id
   GROUP BY m.user_id, m.program_id, m.organization_id;
-- The bulk insert above fired the count trigger row by row; recount once to be sure.
DELETE FROM program_user_counts;
INSERT INTO program_user_counts (program_id, n) SELECT program_id, count(DISTINCT user_id) FROM user_directory GROUP BY program_id;
`,
};
