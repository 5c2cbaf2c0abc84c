import type { Migration } from '../../migrations/index.js';

/**
 * User Lookup, as SQLite version 4: user_directory (who an official may see, with a count of the
 * reasons and the names copied in) and program_user_counts, both kept by triggers in the writing
 * transaction.
 */
export const migration004: Migration = {
  version: 4,
  name: 'user-directory',
  sql: /* sql */ `
ALTER TABLE users ADD COLUMN temporary_password_expires_at BIGINT;
ALTER TABLE users ADD COLUMN reactivated_at BIGINT;
CREATE INDEX users_inactivity ON users (status, last_sign_in_at) WHERE status = 'active';

CREATE TABLE user_directory (
  user_id          BIGINT NOT NULL REFERENCES users(id),
  program_id       BIGINT NOT NULL,
  organization_id  BIGINT NOT NULL,
  last_name        CITEXT COLLATE nocase NOT NULL,
  first_name       CITEXT COLLATE nocase NOT NULL,
  reasons          INTEGER NOT NULL,
  PRIMARY KEY (user_id, program_id, organization_id)
);
CREATE INDEX user_directory_by_name ON user_directory (program_id, organization_id, last_name, first_name, user_id);
CREATE INDEX user_directory_by_first_name ON user_directory (program_id, organization_id, first_name, last_name, user_id);
CREATE INDEX user_directory_program_by_name ON user_directory (program_id, last_name, first_name, user_id);
CREATE INDEX user_directory_program_by_first_name ON user_directory (program_id, first_name, last_name, user_id);

CREATE TABLE program_user_counts (
  program_id  BIGINT PRIMARY KEY,
  n           INTEGER NOT NULL
);

-- A user's first row in a program counts them once for that program; their last row uncounts them.
-- SQLite has one writer; here two transactions could each add a user's first row in two
-- organizations, each see no other, and count the user twice. A per-user advisory lock (the
-- one-key form, keyed by users.id) makes the second wait, then see the first's row.
CREATE FUNCTION user_directory_count_in() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(NEW.user_id);
  IF NOT EXISTS (SELECT 1 FROM user_directory d WHERE d.user_id = NEW.user_id AND d.program_id = NEW.program_id AND d.organization_id <> NEW.organization_id) THEN
    INSERT INTO program_user_counts (program_id, n) VALUES (NEW.program_id, 1)
      ON CONFLICT (program_id) DO UPDATE SET n = program_user_counts.n + 1;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER user_directory_count_in AFTER INSERT ON user_directory FOR EACH ROW EXECUTE FUNCTION user_directory_count_in();
CREATE FUNCTION user_directory_count_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(OLD.user_id);
  IF NOT EXISTS (SELECT 1 FROM user_directory d WHERE d.user_id = OLD.user_id AND d.program_id = OLD.program_id) THEN
    UPDATE program_user_counts SET n = n - 1 WHERE program_id = OLD.program_id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER user_directory_count_out AFTER DELETE ON user_directory FOR EACH ROW EXECUTE FUNCTION user_directory_count_out();
CREATE FUNCTION user_directory_drop_unreferenced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM user_directory WHERE user_id = NEW.user_id AND program_id = NEW.program_id AND organization_id = NEW.organization_id;
  RETURN NULL;
END $$;
CREATE TRIGGER user_directory_drop_unreferenced AFTER UPDATE OF reasons ON user_directory
  FOR EACH ROW WHEN (NEW.reasons <= 0) EXECUTE FUNCTION user_directory_drop_unreferenced();

CREATE FUNCTION role_assignments_directory_in() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO user_directory (user_id, program_id, organization_id, last_name, first_name, reasons)
    SELECT NEW.user_id, NEW.program_id, NEW.organization_id, u.last_name, u.first_name, 1 FROM users u WHERE u.id = NEW.user_id
    ON CONFLICT (user_id, program_id, organization_id) DO UPDATE SET reasons = user_directory.reasons + 1;
  RETURN NULL;
END $$;
CREATE TRIGGER role_assignments_directory_in AFTER INSERT ON role_assignments FOR EACH ROW EXECUTE FUNCTION role_assignments_directory_in();
CREATE FUNCTION role_assignments_directory_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE user_directory SET reasons = reasons - 1
   WHERE user_id = OLD.user_id AND program_id = OLD.program_id AND organization_id = OLD.organization_id;
  RETURN NULL;
END $$;
CREATE TRIGGER role_assignments_directory_out AFTER DELETE ON role_assignments FOR EACH ROW EXECUTE FUNCTION role_assignments_directory_out();

-- A request's requester (version 6 narrows these to pending requests).
CREATE FUNCTION role_requests_directory_in() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO user_directory (user_id, program_id, organization_id, last_name, first_name, reasons)
    SELECT NEW.requester_id, NEW.program_id, NEW.organization_id, u.last_name, u.first_name, 1 FROM users u WHERE u.id = NEW.requester_id
    ON CONFLICT (user_id, program_id, organization_id) DO UPDATE SET reasons = user_directory.reasons + 1;
  RETURN NULL;
END $$;
CREATE TRIGGER role_requests_directory_in AFTER INSERT ON role_requests FOR EACH ROW EXECUTE FUNCTION role_requests_directory_in();
CREATE FUNCTION role_requests_directory_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE user_directory SET reasons = reasons - 1
   WHERE user_id = OLD.requester_id AND program_id = OLD.program_id AND organization_id = OLD.organization_id;
  RETURN NULL;
END $$;
CREATE TRIGGER role_requests_directory_out AFTER DELETE ON role_requests FOR EACH ROW EXECUTE FUNCTION role_requests_directory_out();

CREATE FUNCTION users_name_to_directory() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE user_directory SET last_name = NEW.last_name, first_name = NEW.first_name WHERE user_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER users_name_to_directory AFTER UPDATE OF first_name, last_name ON users FOR EACH ROW EXECUTE FUNCTION users_name_to_directory();

INSERT INTO user_directory (user_id, program_id, organization_id, last_name, first_name, reasons)
  SELECT m.user_id, m.program_id, m.organization_id, u.last_name, u.first_name, count(*)
    FROM (SELECT user_id, program_id, organization_id FROM role_assignments
          UNION ALL
          SELECT requester_id, program_id, organization_id FROM role_requests) m
    JOIN users u ON u.id = m.user_id
   GROUP BY m.user_id, m.program_id, m.organization_id, u.last_name, u.first_name;
DELETE FROM program_user_counts;
INSERT INTO program_user_counts (program_id, n) SELECT program_id, count(DISTINCT user_id) FROM user_directory GROUP BY program_id;
`,
};
