import type { Migration } from '../../migrations/index.js';

/**
 * The Home dashboard, as SQLite version 7: facts copied into user_directory, day counters
 * (home_day_counts) and pending counts per organization, all kept by triggers in the writing
 * transaction, and partial indexes on users for the account-wide figures.
 *
 * max(a, b): SQLite's two-argument max, which the shared SQL and the index on the last use
 * write. PostgreSQL has only greatest(), which skips NULLs; this one returns NULL when either is
 * NULL, as SQLite's does (STRICT), and is IMMUTABLE so an index may use it. It is a different
 * function from the aggregate max(x): they differ in their number of arguments. A query uses the
 * users_last_use index when it writes the same expression, so PostgreSQL needs no INDEXED BY.
 */
export const migration007: Migration = {
  version: 7,
  name: 'home-dashboard',
  sql: /* sql */ `
CREATE FUNCTION max(bigint, bigint) RETURNS bigint LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT greatest($1, $2)';

ALTER TABLE users ADD COLUMN proofing_referred_at BIGINT;

ALTER TABLE user_directory ADD COLUMN active_last_use BIGINT;
ALTER TABLE user_directory ADD COLUMN deactivated_at BIGINT;
ALTER TABLE user_directory ADD COLUMN referred_at BIGINT;

-- SQLite fills the facts in after the insert; here the row is written with them (same result, one write).
CREATE FUNCTION user_directory_facts_in() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT CASE WHEN u.status = 'active' THEN max(coalesce(u.last_sign_in_at, u.created_at), coalesce(u.reactivated_at, 0)) END,
         CASE WHEN u.status = 'deactivated' THEN coalesce(u.deactivated_at, 0) END,
         CASE WHEN u.proofing_state = 'referred_in_person' THEN coalesce(u.proofing_referred_at, u.created_at) END
    INTO NEW.active_last_use, NEW.deactivated_at, NEW.referred_at
    FROM users u WHERE u.id = NEW.user_id;
  RETURN NEW;
END $$;
CREATE TRIGGER user_directory_facts_in BEFORE INSERT ON user_directory FOR EACH ROW EXECUTE FUNCTION user_directory_facts_in();
CREATE FUNCTION users_facts_to_directory() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE user_directory
     SET active_last_use = CASE WHEN NEW.status = 'active' THEN max(coalesce(NEW.last_sign_in_at, NEW.created_at), coalesce(NEW.reactivated_at, 0)) END,
         deactivated_at = CASE WHEN NEW.status = 'deactivated' THEN coalesce(NEW.deactivated_at, 0) END,
         referred_at = CASE WHEN NEW.proofing_state = 'referred_in_person' THEN coalesce(NEW.proofing_referred_at, NEW.created_at) END
   WHERE user_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER users_facts_to_directory
  AFTER UPDATE OF status, last_sign_in_at, created_at, reactivated_at, deactivated_at, proofing_state, proofing_referred_at ON users
  FOR EACH ROW EXECUTE FUNCTION users_facts_to_directory();

UPDATE user_directory d
   SET (active_last_use, deactivated_at, referred_at) = (
         SELECT CASE WHEN u.status = 'active' THEN max(coalesce(u.last_sign_in_at, u.created_at), coalesce(u.reactivated_at, 0)) END,
                CASE WHEN u.status = 'deactivated' THEN coalesce(u.deactivated_at, 0) END,
                CASE WHEN u.proofing_state = 'referred_in_person' THEN coalesce(u.proofing_referred_at, u.created_at) END
           FROM users u WHERE u.id = d.user_id);

-- Day counters (UTC days since the epoch): see the SQLite version. organization_id 0 is every organization.
CREATE TABLE home_day_counts (
  metric           TEXT COLLATE "C" NOT NULL CHECK (metric IN ('pending', 'approved', 'rejected', 'active_use')),
  organization_id  BIGINT NOT NULL,
  day              BIGINT NOT NULL,
  n                INTEGER NOT NULL,
  PRIMARY KEY (metric, organization_id, day)
);
CREATE TABLE pending_by_organization (
  organization_id  BIGINT PRIMARY KEY,
  n                INTEGER NOT NULL
);
CREATE INDEX pending_by_organization_n ON pending_by_organization (n DESC, organization_id);

-- A request's day: the day it was requested while pending, the day it was decided once decided (NULL: not counted).
CREATE FUNCTION soc_request_day(status text, requested_at bigint, decided_at bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN status = 'pending' THEN requested_at / 86400000
              WHEN status IN ('approved', 'rejected') THEN decided_at / 86400000 END
$$;

CREATE FUNCTION role_requests_home_in() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF soc_request_day(NEW.status, NEW.requested_at, NEW.decided_at) IS NOT NULL THEN
    INSERT INTO home_day_counts (metric, organization_id, day, n)
      SELECT NEW.status, o.id, soc_request_day(NEW.status, NEW.requested_at, NEW.decided_at), 1
        FROM (SELECT NEW.organization_id AS id UNION ALL SELECT 0) o
      ON CONFLICT (metric, organization_id, day) DO UPDATE SET n = home_day_counts.n + 1;
  END IF;
  IF NEW.status = 'pending' THEN
    INSERT INTO pending_by_organization (organization_id, n) VALUES (NEW.organization_id, 1)
      ON CONFLICT (organization_id) DO UPDATE SET n = pending_by_organization.n + 1;
  END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION role_requests_home_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF soc_request_day(OLD.status, OLD.requested_at, OLD.decided_at) IS NOT NULL THEN
    UPDATE home_day_counts SET n = n - 1
     WHERE metric = OLD.status AND organization_id IN (OLD.organization_id, 0)
       AND day = soc_request_day(OLD.status, OLD.requested_at, OLD.decided_at);
  END IF;
  IF OLD.status = 'pending' THEN
    UPDATE pending_by_organization SET n = n - 1 WHERE organization_id = OLD.organization_id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER role_requests_home_in AFTER INSERT ON role_requests FOR EACH ROW EXECUTE FUNCTION role_requests_home_in();
-- A change is the old row leaving the counters and the new one entering them, in that order (as in SQLite).
CREATE TRIGGER role_requests_home_change_1_out AFTER UPDATE OF status, requested_at, decided_at ON role_requests
  FOR EACH ROW EXECUTE FUNCTION role_requests_home_out();
CREATE TRIGGER role_requests_home_change_2_in AFTER UPDATE OF status, requested_at, decided_at ON role_requests
  FOR EACH ROW EXECUTE FUNCTION role_requests_home_in();
CREATE TRIGGER role_requests_home_out AFTER DELETE ON role_requests FOR EACH ROW EXECUTE FUNCTION role_requests_home_out();

CREATE FUNCTION soc_last_use(last_sign_in_at bigint, created_at bigint, reactivated_at bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
  SELECT max(coalesce(last_sign_in_at, created_at), coalesce(reactivated_at, 0)) / 86400000
$$;
CREATE FUNCTION users_home_in() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO home_day_counts (metric, organization_id, day, n)
    VALUES ('active_use', 0, soc_last_use(NEW.last_sign_in_at, NEW.created_at, NEW.reactivated_at), 1)
    ON CONFLICT (metric, organization_id, day) DO UPDATE SET n = home_day_counts.n + 1;
  RETURN NULL;
END $$;
CREATE FUNCTION users_home_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE home_day_counts SET n = n - 1
   WHERE metric = 'active_use' AND organization_id = 0 AND day = soc_last_use(OLD.last_sign_in_at, OLD.created_at, OLD.reactivated_at);
  RETURN NULL;
END $$;
CREATE TRIGGER users_home_in AFTER INSERT ON users FOR EACH ROW WHEN (NEW.status = 'active') EXECUTE FUNCTION users_home_in();
CREATE TRIGGER users_home_change_1_out AFTER UPDATE OF status, last_sign_in_at, created_at, reactivated_at ON users
  FOR EACH ROW WHEN (OLD.status = 'active') EXECUTE FUNCTION users_home_out();
CREATE TRIGGER users_home_change_2_in AFTER UPDATE OF status, last_sign_in_at, created_at, reactivated_at ON users
  FOR EACH ROW WHEN (NEW.status = 'active') EXECUTE FUNCTION users_home_in();
CREATE TRIGGER users_home_out AFTER DELETE ON users FOR EACH ROW WHEN (OLD.status = 'active') EXECUTE FUNCTION users_home_out();

INSERT INTO home_day_counts (metric, organization_id, day, n)
  SELECT status, organization_id, requested_at / 86400000, count(*) FROM role_requests WHERE status = 'pending' GROUP BY status, organization_id, requested_at / 86400000;
INSERT INTO home_day_counts (metric, organization_id, day, n)
  SELECT status, organization_id, decided_at / 86400000, count(*) FROM role_requests WHERE status IN ('approved', 'rejected') AND decided_at IS NOT NULL
   GROUP BY status, organization_id, decided_at / 86400000;
INSERT INTO home_day_counts (metric, organization_id, day, n)
  SELECT metric, 0, day, sum(n) FROM home_day_counts GROUP BY metric, day;
INSERT INTO home_day_counts (metric, organization_id, day, n)
  SELECT 'active_use', 0, soc_last_use(last_sign_in_at, created_at, reactivated_at), count(*) FROM users WHERE status = 'active'
   GROUP BY soc_last_use(last_sign_in_at, created_at, reactivated_at);
INSERT INTO pending_by_organization (organization_id, n) SELECT organization_id, count(*) FROM role_requests WHERE status = 'pending' GROUP BY organization_id;

CREATE INDEX user_directory_last_use ON user_directory (organization_id, active_last_use, user_id) WHERE active_last_use IS NOT NULL;
CREATE INDEX user_directory_deactivated ON user_directory (organization_id, deactivated_at, user_id) WHERE deactivated_at IS NOT NULL;
CREATE INDEX user_directory_referred ON user_directory (organization_id, referred_at, user_id) WHERE referred_at IS NOT NULL;

CREATE INDEX users_last_use ON users (max(coalesce(last_sign_in_at, created_at), coalesce(reactivated_at, 0)), id) WHERE status = 'active';
CREATE INDEX users_deactivated_at ON users (deactivated_at, id) WHERE status = 'deactivated';
CREATE INDEX users_referred ON users (coalesce(proofing_referred_at, created_at), id) WHERE proofing_state = 'referred_in_person';
`,
};
