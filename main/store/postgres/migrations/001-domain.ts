import type { Migration } from '../../migrations/index.js';

/**
 * The domain of SQLite version 1, in PostgreSQL. The same tables, columns and values, so an
 * ordinary statement runs on both engines: times are epoch milliseconds (BIGINT), flags are the
 * integers 0 and 1, blobs are BYTEA, ids are numbered as SQLite's INTEGER PRIMARY KEY: an insert
 * without an id gets the next one, and one may also be given (a seed, an import) without later
 * inserts colliding with it (see soc_numbered below).
 *
 * - Text sorts by bytes, as SQLite's BINARY does, whatever the database's locale: every text
 *   column is COLLATE "C" (which also serves prefix ranges and LIKE 'abc%' from a plain index).
 * - SQLite's NOCASE columns (sign-in ids, email addresses, names) are citext with the collation
 *   "nocase". citext folds case by the database's character type, so that is exactly NOCASE
 *   (ASCII letters folded, then byte order) only in a C-ctype database: migratePostgres refuses
 *   any other. The collation's name lets the
 *   shared SQL keep writing `x COLLATE NOCASE` (PostgreSQL folds the name to lower case). citext
 *   is a trusted extension: the migrating role needs CREATE on the database, not superuser.
 * - Rules are PL/pgSQL triggers that refuse with SQLSTATE 23000 (integrity_constraint_violation)
 *   and the same sentence as the SQLite trigger; soc_refuse(sentence) is the trigger for a rule
 *   that is a plain "never".
 * - audit_events is append-only: a trigger refuses UPDATE, DELETE and TRUNCATE. In production the
 *   application role should also lose the privilege, e.g.
 *     REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM console_app;
 *   so that even a dropped trigger would not let the console's own login rewrite history.
 * - audit_events.id has no sequence: the hash chain numbers its rows itself (the head's id + 1),
 *   under the lock described in version 5.
 */
export const migration001: Migration = {
  version: 1,
  name: 'domain',
  sql: /* sql */ `
CREATE EXTENSION IF NOT EXISTS citext;
CREATE COLLATION IF NOT EXISTS nocase FROM "C";

CREATE FUNCTION soc_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING MESSAGE = TG_ARGV[0], ERRCODE = 'integrity_constraint_violation';
END $$;

-- SQLite's rowid ids: a row inserted without an id takes the next number of its table's sequence;
-- a row given a larger id moves the sequence past it, so the next insert without one does not
-- collide (an identity column would hand that id out again). setval is not undone by a rollback:
-- numbers may have gaps, as an identity's do. soc_numbered('t') gives table t this.
CREATE FUNCTION soc_assign_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id IS NULL THEN
    NEW.id := nextval(TG_ARGV[0]::regclass);
  ELSIF NEW.id > coalesce(pg_sequence_last_value(TG_ARGV[0]::regclass), 0) THEN
    PERFORM setval(TG_ARGV[0]::regclass, NEW.id);
  END IF;
  RETURN NEW;
END $$;
CREATE FUNCTION soc_numbered(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE SEQUENCE %I OWNED BY %I.id', t || '_id_seq', t);
  -- Named to fire before the table's other BEFORE INSERT triggers (PostgreSQL fires them in name order).
  EXECUTE format('CREATE TRIGGER assign_id BEFORE INSERT ON %I FOR EACH ROW EXECUTE FUNCTION soc_assign_id(%L)', t, t || '_id_seq');
END $$;

CREATE TABLE programs (
  id    BIGINT PRIMARY KEY,
  name  TEXT COLLATE "C" NOT NULL UNIQUE
);

CREATE TABLE organizations (
  id          BIGINT PRIMARY KEY,
  display_id  TEXT COLLATE "C" NOT NULL UNIQUE,
  name        TEXT COLLATE "C" NOT NULL,
  kind        TEXT COLLATE "C" NOT NULL CHECK (kind IN ('provider', 'state', 'cms')),
  state_code  TEXT COLLATE "C"
);

CREATE TABLE roles (
  id    BIGINT PRIMARY KEY,
  name  TEXT COLLATE "C" NOT NULL UNIQUE,
  security_official_kind TEXT COLLATE "C" CHECK (security_official_kind IN ('provider', 'state', 'cms'))
);

CREATE TABLE users (
  id                    BIGINT PRIMARY KEY,
  user_id               CITEXT COLLATE nocase NOT NULL UNIQUE,
  first_name            CITEXT COLLATE nocase NOT NULL,
  middle_name           TEXT COLLATE "C" NOT NULL DEFAULT '',
  last_name             CITEXT COLLATE nocase NOT NULL,
  email                 CITEXT COLLATE nocase NOT NULL UNIQUE,
  phone                 TEXT COLLATE "C" NOT NULL DEFAULT '',
  date_of_birth         TEXT COLLATE "C",
  address_line1         TEXT COLLATE "C" NOT NULL DEFAULT '',
  address_line2         TEXT COLLATE "C" NOT NULL DEFAULT '',
  city                  TEXT COLLATE "C" NOT NULL DEFAULT '',
  state                 TEXT COLLATE "C" NOT NULL DEFAULT '',
  zip                   TEXT COLLATE "C" NOT NULL DEFAULT '',
  country               TEXT COLLATE "C" NOT NULL DEFAULT 'US',
  status                TEXT COLLATE "C" NOT NULL CHECK (status IN ('pending', 'active', 'temporarily_locked', 'locked', 'deactivated', 'not_activated')),
  password_hash         TEXT COLLATE "C" NOT NULL,
  must_change_password  INTEGER NOT NULL DEFAULT 0,
  failed_attempts       INTEGER NOT NULL DEFAULT 0,
  temporary_lock_count  INTEGER NOT NULL DEFAULT 0,
  locked_until          BIGINT,
  last_sign_in_at       BIGINT,
  created_at            BIGINT NOT NULL,
  proofing_state        TEXT COLLATE "C" NOT NULL DEFAULT 'not_started' CHECK (proofing_state IN ('not_started', 'referred_phone', 'referred_in_person', 'proofed_remote', 'proofed_in_person', 'rejected')),
  proofing_reference    TEXT COLLATE "C",
  fsid                  CITEXT COLLATE nocase UNIQUE,
  fsid_state            TEXT COLLATE "C" CHECK (fsid_state IN ('requested', 'pending', 'verified')),
  home_organization_id  BIGINT REFERENCES organizations(id)
);
CREATE INDEX users_last_name ON users (last_name, first_name, id);
CREATE INDEX users_first_name ON users (first_name, last_name, id);

CREATE TABLE mfa_credentials (
  id              BIGINT PRIMARY KEY,
  user_id         BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  credential_id   TEXT COLLATE "C" NOT NULL UNIQUE,
  label           TEXT COLLATE "C" NOT NULL DEFAULT '',
  secret_sealed   BYTEA NOT NULL,
  last_used_step  BIGINT,
  created_at      BIGINT NOT NULL,
  last_used_at    BIGINT
);
CREATE INDEX mfa_credentials_user ON mfa_credentials (user_id);

CREATE TABLE role_requests (
  id               BIGINT PRIMARY KEY,
  requester_id     BIGINT NOT NULL REFERENCES users(id),
  program_id       BIGINT NOT NULL REFERENCES programs(id),
  organization_id  BIGINT NOT NULL REFERENCES organizations(id),
  role_id          BIGINT NOT NULL REFERENCES roles(id),
  justification    TEXT COLLATE "C" NOT NULL DEFAULT '',
  status           TEXT COLLATE "C" NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled')),
  requested_at     BIGINT NOT NULL,
  decided_at       BIGINT,
  decided_by       BIGINT REFERENCES users(id),
  reason           TEXT COLLATE "C"
);
CREATE INDEX role_requests_queue ON role_requests (organization_id, status, requested_at, id);
CREATE INDEX role_requests_pending ON role_requests (requested_at, id) WHERE status = 'pending';
CREATE INDEX role_requests_requester ON role_requests (requester_id, status);
CREATE INDEX role_requests_history ON role_requests (decided_by, decided_at DESC, id DESC) WHERE decided_at IS NOT NULL;

CREATE TABLE role_assignments (
  id               BIGINT PRIMARY KEY,
  user_id          BIGINT NOT NULL REFERENCES users(id),
  program_id       BIGINT NOT NULL REFERENCES programs(id),
  organization_id  BIGINT NOT NULL REFERENCES organizations(id),
  role_id          BIGINT NOT NULL REFERENCES roles(id),
  granted_at       BIGINT NOT NULL,
  granted_by       BIGINT REFERENCES users(id),
  request_id       BIGINT REFERENCES role_requests(id),
  UNIQUE (user_id, program_id, organization_id, role_id)
);
CREATE INDEX role_assignments_org ON role_assignments (organization_id, role_id, user_id);

CREATE TABLE proofing_records (
  id                 BIGINT PRIMARY KEY,
  subject_id         BIGINT NOT NULL REFERENCES users(id),
  official_id        BIGINT NOT NULL REFERENCES users(id),
  decision           TEXT COLLATE "C" NOT NULL CHECK (decision IN ('approved', 'cancelled', 'rejected')),
  -- JSON text, as in SQLite (not jsonb: the hash chain and the exports read it byte for byte)
  documents          TEXT COLLATE "C" NOT NULL,
  appeared_in_person INTEGER NOT NULL,
  reason             TEXT COLLATE "C",
  comments           TEXT COLLATE "C",
  suspected_fraud    INTEGER NOT NULL DEFAULT 0,
  decided_at         BIGINT NOT NULL
);
CREATE INDEX proofing_records_subject ON proofing_records (subject_id, decided_at);

-- Append-only: each row carries SHA-256(previous hash || canonical row).
CREATE TABLE audit_events (
  id               BIGINT PRIMARY KEY,
  at               BIGINT NOT NULL,
  actor_id         BIGINT,
  action           TEXT COLLATE "C" NOT NULL,
  subject_user_id  BIGINT,
  organization_id  BIGINT,
  request_id       BIGINT,
  details          TEXT COLLATE "C" NOT NULL DEFAULT '{}',
  prev_hash        TEXT COLLATE "C" NOT NULL,
  hash             TEXT COLLATE "C" NOT NULL
);
CREATE INDEX audit_events_action ON audit_events (action, at);
CREATE INDEX audit_events_subject ON audit_events (subject_user_id, at);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION soc_refuse('audit events are append-only');
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION soc_refuse('audit events are append-only');
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION soc_refuse('audit events are append-only');

CREATE TABLE outbox (
  id               BIGINT PRIMARY KEY,
  to_address       TEXT COLLATE "C" NOT NULL,
  subject          TEXT COLLATE "C" NOT NULL,
  body             TEXT COLLATE "C" NOT NULL,
  kind             TEXT COLLATE "C" NOT NULL,
  status           TEXT COLLATE "C" NOT NULL CHECK (status IN ('owed', 'sent', 'failed')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  BIGINT NOT NULL,
  last_error       TEXT COLLATE "C",
  created_at       BIGINT NOT NULL,
  sent_at          BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

SELECT soc_numbered(t) FROM unnest(ARRAY['programs', 'organizations', 'roles', 'users', 'mfa_credentials', 'role_requests', 'role_assignments', 'proofing_records', 'outbox']) AS t;

CREATE TABLE console_meta (
  key    TEXT COLLATE "C" PRIMARY KEY,
  value  TEXT COLLATE "C" NOT NULL
);
`,
};
