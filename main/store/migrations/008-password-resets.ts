import type { Migration } from './migration.js';

/**
 * Forgot your Password?: a user who proved their authenticator is emailed a one-time code, and
 * a new password is set with it. The code is kept only as a keyed hash (the key is the
 * console's data key, outside this file), and so is the token that ties the second step to the
 * window that took the first. A reset works once and for a short time: once ended (used,
 * replaced by a newer one, or ended by too many wrong codes) a row never changes again, and
 * it is never deleted (the audit trail refers to it).
 */
export const migration008: Migration = {
  version: 8,
  name: 'password-resets',
  sql: /* sql */ `
CREATE TABLE password_resets (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id),
  token_hash  TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
  code_hash   TEXT NOT NULL CHECK (length(code_hash) = 64),
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL CHECK (expires_at > created_at),
  ended_at    INTEGER,
  end_reason  TEXT CHECK (end_reason IN ('used', 'replaced', 'too_many_tries', 'not_sent', 'superseded')),
  CHECK ((ended_at IS NULL) = (end_reason IS NULL))
);
CREATE INDEX password_resets_open ON password_resets (user_id) WHERE ended_at IS NULL;
CREATE TRIGGER password_resets_end_once BEFORE UPDATE ON password_resets
  WHEN OLD.ended_at IS NOT NULL
  BEGIN SELECT RAISE(ABORT, 'A password reset that has ended cannot be used again.'); END;
CREATE TRIGGER password_resets_fixed BEFORE UPDATE OF id, user_id, token_hash, code_hash, created_at, expires_at ON password_resets
  BEGIN SELECT RAISE(ABORT, 'A password reset keeps its user, code and expiry.'); END;
CREATE TRIGGER password_resets_used_in_time BEFORE UPDATE OF ended_at ON password_resets
  WHEN NEW.end_reason = 'used' AND NEW.ended_at >= OLD.expires_at
  BEGIN SELECT RAISE(ABORT, 'This one-time code has expired.'); END;
-- Whatever else changes the account ends a reset under way: an official's temporary password,
-- revoked credentials, a removed authenticator, a lock or a deactivation. Otherwise whoever
-- started it could still finish it after the official had acted. (The reset's own completion
-- marks it used before it sets the password, so it is not ended here.)
CREATE TRIGGER password_resets_end_on_password AFTER UPDATE OF password_hash ON users
  WHEN NEW.password_hash IS NOT OLD.password_hash
  BEGIN
    UPDATE password_resets SET ended_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), end_reason = 'superseded'
     WHERE user_id = NEW.id AND ended_at IS NULL;
  END;
CREATE TRIGGER password_resets_end_on_status AFTER UPDATE OF status ON users
  WHEN NEW.status <> 'active'
  BEGIN
    UPDATE password_resets SET ended_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), end_reason = 'superseded'
     WHERE user_id = NEW.id AND ended_at IS NULL;
  END;
CREATE TRIGGER password_resets_end_on_credential AFTER DELETE ON mfa_credentials
  BEGIN
    UPDATE password_resets SET ended_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), end_reason = 'superseded'
     WHERE user_id = OLD.user_id AND ended_at IS NULL;
  END;
CREATE TRIGGER password_resets_kept BEFORE DELETE ON password_resets
  BEGIN SELECT RAISE(ABORT, 'Password resets are kept for the audit trail.'); END;
`,
};
