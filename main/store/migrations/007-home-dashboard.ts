import type { Migration } from './migration.js';

/**
 * The Home dashboard at 1,000,000 users: every figure is an index range, never a pass over users.
 *
 * - users.proofing_referred_at: when the account was referred to in-person proofing (the backlog
 *   is listed oldest first). The store sets it with the state; older referrals count from the
 *   account's creation, the best date the database holds for them.
 * - user_directory carries three copies from users, kept by triggers in the writing transaction:
 *   the last use of an active account (the later of the last sign-in, or creation, and the last
 *   reactivation: what the 120-day rule counts from), when a deactivated account was deactivated,
 *   and since when a referred account waits for in-person proofing. An official's organizations
 *   are then three index ranges each, whatever their size.
 * - For CMS (every account, in an organization or not) the same facts are partial indexes on users.
 * - Pending requests by age, decisions by week and (for every account) the days of last use are day
 *   counters (home_day_counts), per organization and for all; a window's two edge days are exact
 *   index counts of one day each. The busiest organizations are an index of pending counts.
 */
export const migration007: Migration = {
  version: 7,
  name: 'home-dashboard',
  sql: /* sql */ `
ALTER TABLE users ADD COLUMN proofing_referred_at INTEGER;

ALTER TABLE user_directory ADD COLUMN active_last_use INTEGER;
ALTER TABLE user_directory ADD COLUMN deactivated_at INTEGER;
ALTER TABLE user_directory ADD COLUMN referred_at INTEGER;

CREATE TRIGGER user_directory_facts_in AFTER INSERT ON user_directory
BEGIN
  UPDATE user_directory
     SET (active_last_use, deactivated_at, referred_at) = (
           SELECT CASE WHEN u.status = 'active' THEN max(coalesce(u.last_sign_in_at, u.created_at), coalesce(u.reactivated_at, 0)) END,
                  CASE WHEN u.status = 'deactivated' THEN coalesce(u.deactivated_at, 0) END,
                  CASE WHEN u.proofing_state = 'referred_in_person' THEN coalesce(u.proofing_referred_at, u.created_at) END
             FROM users u WHERE u.id = NEW.user_id)
   WHERE user_id = NEW.user_id AND program_id = NEW.program_id AND organization_id = NEW.organization_id;
END;
CREATE TRIGGER users_facts_to_directory
  AFTER UPDATE OF status, last_sign_in_at, created_at, reactivated_at, deactivated_at, proofing_state, proofing_referred_at ON users
BEGIN
  UPDATE user_directory
     SET active_last_use = CASE WHEN NEW.status = 'active' THEN max(coalesce(NEW.last_sign_in_at, NEW.created_at), coalesce(NEW.reactivated_at, 0)) END,
         deactivated_at = CASE WHEN NEW.status = 'deactivated' THEN coalesce(NEW.deactivated_at, 0) END,
         referred_at = CASE WHEN NEW.proofing_state = 'referred_in_person' THEN coalesce(NEW.proofing_referred_at, NEW.created_at) END
   WHERE user_id = NEW.id;
END;

UPDATE user_directory
   SET (active_last_use, deactivated_at, referred_at) = (
         SELECT CASE WHEN u.status = 'active' THEN max(coalesce(u.last_sign_in_at, u.created_at), coalesce(u.reactivated_at, 0)) END,
                CASE WHEN u.status = 'deactivated' THEN coalesce(u.deactivated_at, 0) END,
                CASE WHEN u.proofing_state = 'referred_in_person' THEN coalesce(u.proofing_referred_at, u.created_at) END
           FROM users u WHERE u.id = user_directory.user_id);

-- Day counters (UTC days since the epoch), kept by triggers in the writing transaction, so an
-- account-wide figure is a sum over a few hundred rows, whatever the number of requests or users:
--   pending:  pending requests by the day they were requested
--   approved, rejected: decisions by the day they were made
--   active_use: active accounts by the day of their last use (organization 0 only)
-- organization_id 0 is every organization (for active_use: every account, in one or not).
-- A window that does not start or end at midnight adds exact index counts for its two edge days.
CREATE TABLE home_day_counts (
  metric           TEXT NOT NULL CHECK (metric IN ('pending', 'approved', 'rejected', 'active_use')),
  organization_id  INTEGER NOT NULL,
  day              INTEGER NOT NULL,
  n                INTEGER NOT NULL,
  PRIMARY KEY (metric, organization_id, day)
) WITHOUT ROWID;
-- Pending requests per organization (every program and role): the busiest organizations are a walk of an index.
CREATE TABLE pending_by_organization (
  organization_id  INTEGER PRIMARY KEY,
  n                INTEGER NOT NULL
);
CREATE INDEX pending_by_organization_n ON pending_by_organization (n DESC, organization_id);

CREATE TRIGGER role_requests_home_in AFTER INSERT ON role_requests
BEGIN
  INSERT INTO home_day_counts (metric, organization_id, day, n)
    SELECT NEW.status, o.id, (CASE WHEN NEW.status = 'pending' THEN NEW.requested_at ELSE NEW.decided_at END) / 86400000, 1
      FROM (SELECT NEW.organization_id AS id UNION ALL SELECT 0) o
     WHERE NEW.status = 'pending' OR (NEW.status IN ('approved', 'rejected') AND NEW.decided_at IS NOT NULL)
    ON CONFLICT (metric, organization_id, day) DO UPDATE SET n = n + 1;
  INSERT INTO pending_by_organization (organization_id, n) SELECT NEW.organization_id, 1 WHERE NEW.status = 'pending'
    ON CONFLICT (organization_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER role_requests_home_change AFTER UPDATE OF status, requested_at, decided_at ON role_requests
BEGIN
  UPDATE home_day_counts SET n = n - 1
   WHERE metric = OLD.status AND organization_id IN (OLD.organization_id, 0)
     AND day = (CASE WHEN OLD.status = 'pending' THEN OLD.requested_at ELSE OLD.decided_at END) / 86400000
     AND (OLD.status = 'pending' OR (OLD.status IN ('approved', 'rejected') AND OLD.decided_at IS NOT NULL));
  INSERT INTO home_day_counts (metric, organization_id, day, n)
    SELECT NEW.status, o.id, (CASE WHEN NEW.status = 'pending' THEN NEW.requested_at ELSE NEW.decided_at END) / 86400000, 1
      FROM (SELECT NEW.organization_id AS id UNION ALL SELECT 0) o
     WHERE NEW.status = 'pending' OR (NEW.status IN ('approved', 'rejected') AND NEW.decided_at IS NOT NULL)
    ON CONFLICT (metric, organization_id, day) DO UPDATE SET n = n + 1;
  UPDATE pending_by_organization SET n = n - 1 WHERE organization_id = OLD.organization_id AND OLD.status = 'pending';
  INSERT INTO pending_by_organization (organization_id, n) SELECT NEW.organization_id, 1 WHERE NEW.status = 'pending'
    ON CONFLICT (organization_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER role_requests_home_out AFTER DELETE ON role_requests
BEGIN
  UPDATE home_day_counts SET n = n - 1
   WHERE metric = OLD.status AND organization_id IN (OLD.organization_id, 0)
     AND day = (CASE WHEN OLD.status = 'pending' THEN OLD.requested_at ELSE OLD.decided_at END) / 86400000
     AND (OLD.status = 'pending' OR (OLD.status IN ('approved', 'rejected') AND OLD.decided_at IS NOT NULL));
  UPDATE pending_by_organization SET n = n - 1 WHERE organization_id = OLD.organization_id AND OLD.status = 'pending';
END;
CREATE TRIGGER users_home_in AFTER INSERT ON users WHEN NEW.status = 'active'
BEGIN
  INSERT INTO home_day_counts (metric, organization_id, day, n)
    VALUES ('active_use', 0, max(coalesce(NEW.last_sign_in_at, NEW.created_at), coalesce(NEW.reactivated_at, 0)) / 86400000, 1)
    ON CONFLICT (metric, organization_id, day) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER users_home_change AFTER UPDATE OF status, last_sign_in_at, created_at, reactivated_at ON users
BEGIN
  UPDATE home_day_counts SET n = n - 1
   WHERE OLD.status = 'active' AND metric = 'active_use' AND organization_id = 0
     AND day = max(coalesce(OLD.last_sign_in_at, OLD.created_at), coalesce(OLD.reactivated_at, 0)) / 86400000;
  INSERT INTO home_day_counts (metric, organization_id, day, n)
    SELECT 'active_use', 0, max(coalesce(NEW.last_sign_in_at, NEW.created_at), coalesce(NEW.reactivated_at, 0)) / 86400000, 1 WHERE NEW.status = 'active'
    ON CONFLICT (metric, organization_id, day) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER users_home_out AFTER DELETE ON users WHEN OLD.status = 'active'
BEGIN
  UPDATE home_day_counts SET n = n - 1
   WHERE metric = 'active_use' AND organization_id = 0
     AND day = max(coalesce(OLD.last_sign_in_at, OLD.created_at), coalesce(OLD.reactivated_at, 0)) / 86400000;
END;

INSERT INTO home_day_counts (metric, organization_id, day, n)
  SELECT status, organization_id, requested_at / 86400000, count(*) FROM role_requests WHERE status = 'pending' GROUP BY organization_id, requested_at / 86400000;
INSERT INTO home_day_counts (metric, organization_id, day, n)
  SELECT status, organization_id, decided_at / 86400000, count(*) FROM role_requests WHERE status IN ('approved', 'rejected') AND decided_at IS NOT NULL
   GROUP BY status, organization_id, decided_at / 86400000;
INSERT INTO home_day_counts (metric, organization_id, day, n)
  SELECT metric, 0, day, sum(n) FROM home_day_counts GROUP BY metric, day;
INSERT INTO home_day_counts (metric, organization_id, day, n)
  SELECT 'active_use', 0, max(coalesce(last_sign_in_at, created_at), coalesce(reactivated_at, 0)) / 86400000, count(*) FROM users WHERE status = 'active'
   GROUP BY max(coalesce(last_sign_in_at, created_at), coalesce(reactivated_at, 0)) / 86400000;
INSERT INTO pending_by_organization (organization_id, n) SELECT organization_id, count(*) FROM role_requests WHERE status = 'pending' GROUP BY organization_id;

CREATE INDEX user_directory_last_use ON user_directory (organization_id, active_last_use, user_id) WHERE active_last_use IS NOT NULL;
CREATE INDEX user_directory_deactivated ON user_directory (organization_id, deactivated_at, user_id) WHERE deactivated_at IS NOT NULL;
CREATE INDEX user_directory_referred ON user_directory (organization_id, referred_at, user_id) WHERE referred_at IS NOT NULL;

CREATE INDEX users_last_use ON users (max(coalesce(last_sign_in_at, created_at), coalesce(reactivated_at, 0)), id) WHERE status = 'active';
CREATE INDEX users_deactivated_at ON users (deactivated_at, id) WHERE status = 'deactivated';
CREATE INDEX users_referred ON users (coalesce(proofing_referred_at, created_at), id) WHERE proofing_state = 'referred_in_person';
`,
};
