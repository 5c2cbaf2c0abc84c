import type { Migration } from './index.js';

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
 * - Pending requests by organization and age, and decisions by organization and week, are ranges of
 *   the queue and history indexes of versions 1 and 5.
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

CREATE INDEX user_directory_last_use ON user_directory (organization_id, active_last_use, user_id) WHERE active_last_use IS NOT NULL;
CREATE INDEX user_directory_deactivated ON user_directory (organization_id, deactivated_at, user_id) WHERE deactivated_at IS NOT NULL;
CREATE INDEX user_directory_referred ON user_directory (organization_id, referred_at, user_id) WHERE referred_at IS NOT NULL;

CREATE INDEX users_last_use ON users (max(coalesce(last_sign_in_at, created_at), coalesce(reactivated_at, 0)), id) WHERE status = 'active';
CREATE INDEX users_deactivated_at ON users (deactivated_at, id) WHERE status = 'deactivated';
CREATE INDEX users_referred ON users (coalesce(proofing_referred_at, created_at), id) WHERE proofing_state = 'referred_in_person';
`,
};
