import type { Migration } from '../../migrations/index.js';

/**
 * Forgot your Password?, as SQLite version 8: a reset works once and for a short time; once
 * ended a row never changes again, and it is never deleted (the audit trail refers to it).
 * Whatever else changes the account (password, status, an authenticator removed) ends a reset
 * under way. "Now" is the statement's time, as SQLite's 'now' is.
 */
export const migration008: Migration = {
  version: 8,
  name: 'password-resets',
  sql: /* sql */ `
CREATE TABLE password_resets (
  id          BIGINT PRIMARY KEY,
  user_id     BIGINT NOT NULL REFERENCES users(id),
  token_hash  TEXT COLLATE "C" NOT NULL UNIQUE CHECK (length(token_hash) = 64),
  code_hash   TEXT COLLATE "C" NOT NULL CHECK (length(code_hash) = 64),
  created_at  BIGINT NOT NULL,
  expires_at  BIGINT NOT NULL CHECK (expires_at > created_at),
  ended_at    BIGINT,
  end_reason  TEXT COLLATE "C" CHECK (end_reason IN ('used', 'replaced', 'too_many_tries', 'not_sent', 'superseded')),
  CHECK ((ended_at IS NULL) = (end_reason IS NULL))
);
SELECT soc_numbered('password_resets');
CREATE INDEX password_resets_open ON password_resets (user_id) WHERE ended_at IS NULL;
CREATE TRIGGER password_resets_end_once BEFORE UPDATE ON password_resets
  FOR EACH ROW WHEN (OLD.ended_at IS NOT NULL) EXECUTE FUNCTION soc_refuse('A password reset that has ended cannot be used again.');
CREATE TRIGGER password_resets_fixed BEFORE UPDATE OF id, user_id, token_hash, code_hash, created_at, expires_at ON password_resets
  FOR EACH ROW EXECUTE FUNCTION soc_refuse('A password reset keeps its user, code and expiry.');
CREATE TRIGGER password_resets_used_in_time BEFORE UPDATE OF ended_at ON password_resets
  FOR EACH ROW WHEN (NEW.end_reason = 'used' AND NEW.ended_at >= OLD.expires_at) EXECUTE FUNCTION soc_refuse('This one-time code has expired.');

CREATE FUNCTION password_resets_supersede_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE password_resets SET ended_at = (extract(epoch FROM statement_timestamp()) * 1000)::bigint, end_reason = 'superseded'
   WHERE user_id = NEW.id AND ended_at IS NULL;
  RETURN NULL;
END $$;
CREATE FUNCTION password_resets_supersede_credential() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE password_resets SET ended_at = (extract(epoch FROM statement_timestamp()) * 1000)::bigint, end_reason = 'superseded'
   WHERE user_id = OLD.user_id AND ended_at IS NULL;
  RETURN NULL;
END $$;
CREATE TRIGGER password_resets_end_on_password AFTER UPDATE OF password_hash ON users
  FOR EACH ROW WHEN (NEW.password_hash IS DISTINCT FROM OLD.password_hash) EXECUTE FUNCTION password_resets_supersede_user();
CREATE TRIGGER password_resets_end_on_status AFTER UPDATE OF status ON users
  FOR EACH ROW WHEN (NEW.status <> 'active') EXECUTE FUNCTION password_resets_supersede_user();
CREATE TRIGGER password_resets_end_on_credential AFTER DELETE ON mfa_credentials
  FOR EACH ROW EXECUTE FUNCTION password_resets_supersede_credential();
CREATE TRIGGER password_resets_kept BEFORE DELETE ON password_resets
  FOR EACH ROW EXECUTE FUNCTION soc_refuse('Password resets are kept for the audit trail.');
CREATE TRIGGER password_resets_kept_truncate BEFORE TRUNCATE ON password_resets
  FOR EACH STATEMENT EXECUTE FUNCTION soc_refuse('Password resets are kept for the audit trail.');
`,
};
