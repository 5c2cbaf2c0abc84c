import type { Migration } from './migration.js';

/**
 * The whole domain in one first version, so later capabilities add queries,
 * not upheaval. Times are epoch milliseconds (INTEGER). No SSN column exists anywhere, and
 * identity documents keep only their last 4 characters.
 */
export const migration001: Migration = {
  version: 1,
  name: 'domain',
  sql: /* sql */ `
CREATE TABLE programs (
  id    INTEGER PRIMARY KEY,
  name  TEXT NOT NULL UNIQUE
);

CREATE TABLE organizations (
  id          INTEGER PRIMARY KEY,
  display_id  TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('provider', 'state', 'cms')),
  state_code  TEXT
);

CREATE TABLE roles (
  id    INTEGER PRIMARY KEY,
  name  TEXT NOT NULL UNIQUE,
  -- which Security Official role this is, if any: provider, state or cms
  security_official_kind TEXT CHECK (security_official_kind IN ('provider', 'state', 'cms'))
);

CREATE TABLE users (
  id                    INTEGER PRIMARY KEY,
  user_id               TEXT NOT NULL COLLATE NOCASE UNIQUE,
  first_name            TEXT NOT NULL,
  middle_name           TEXT NOT NULL DEFAULT '',
  last_name             TEXT NOT NULL,
  email                 TEXT NOT NULL COLLATE NOCASE UNIQUE,
  phone                 TEXT NOT NULL DEFAULT '',
  date_of_birth         TEXT,
  address_line1         TEXT NOT NULL DEFAULT '',
  address_line2         TEXT NOT NULL DEFAULT '',
  city                  TEXT NOT NULL DEFAULT '',
  state                 TEXT NOT NULL DEFAULT '',
  zip                   TEXT NOT NULL DEFAULT '',
  country               TEXT NOT NULL DEFAULT 'US',
  status                TEXT NOT NULL CHECK (status IN ('pending', 'active', 'temporarily_locked', 'locked', 'deactivated', 'not_activated')),
  password_hash         TEXT NOT NULL,
  must_change_password  INTEGER NOT NULL DEFAULT 0,
  failed_attempts       INTEGER NOT NULL DEFAULT 0,
  temporary_lock_count  INTEGER NOT NULL DEFAULT 0,
  locked_until          INTEGER,
  last_sign_in_at       INTEGER,
  created_at            INTEGER NOT NULL,
  proofing_state        TEXT NOT NULL DEFAULT 'not_started' CHECK (proofing_state IN ('not_started', 'referred_phone', 'referred_in_person', 'proofed_remote', 'proofed_in_person', 'rejected')),
  proofing_reference    TEXT,
  fsid                  TEXT UNIQUE,
  fsid_state            TEXT CHECK (fsid_state IN ('requested', 'pending', 'verified')),
  home_organization_id  INTEGER REFERENCES organizations(id)
);
CREATE INDEX users_last_name ON users (last_name COLLATE NOCASE, first_name COLLATE NOCASE, id);
CREATE INDEX users_first_name ON users (first_name COLLATE NOCASE, last_name COLLATE NOCASE, id);

CREATE TABLE mfa_credentials (
  id              INTEGER PRIMARY KEY,
  user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  credential_id   TEXT NOT NULL UNIQUE,
  label           TEXT NOT NULL DEFAULT '',
  secret_sealed   BLOB NOT NULL,
  last_used_step  INTEGER,
  created_at      INTEGER NOT NULL,
  last_used_at    INTEGER
);
CREATE INDEX mfa_credentials_user ON mfa_credentials (user_id);

CREATE TABLE role_requests (
  id               INTEGER PRIMARY KEY,          -- the numeric Request ID users see
  requester_id     INTEGER NOT NULL REFERENCES users(id),
  program_id       INTEGER NOT NULL REFERENCES programs(id),
  organization_id  INTEGER NOT NULL REFERENCES organizations(id),
  role_id          INTEGER NOT NULL REFERENCES roles(id),
  justification    TEXT NOT NULL DEFAULT '',
  status           TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled')),
  requested_at     INTEGER NOT NULL,
  decided_at       INTEGER,
  decided_by       INTEGER REFERENCES users(id),
  reason           TEXT
);
CREATE INDEX role_requests_queue ON role_requests (organization_id, status, requested_at, id);
CREATE INDEX role_requests_pending ON role_requests (requested_at, id) WHERE status = 'pending';
CREATE INDEX role_requests_requester ON role_requests (requester_id, status);
CREATE INDEX role_requests_history ON role_requests (decided_by, decided_at DESC, id DESC) WHERE decided_at IS NOT NULL;

CREATE TABLE role_assignments (
  id               INTEGER PRIMARY KEY,
  user_id          INTEGER NOT NULL REFERENCES users(id),
  program_id       INTEGER NOT NULL REFERENCES programs(id),
  organization_id  INTEGER NOT NULL REFERENCES organizations(id),
  role_id          INTEGER NOT NULL REFERENCES roles(id),
  granted_at       INTEGER NOT NULL,
  granted_by       INTEGER REFERENCES users(id),
  request_id       INTEGER REFERENCES role_requests(id),
  UNIQUE (user_id, program_id, organization_id, role_id)
);
CREATE INDEX role_assignments_org ON role_assignments (organization_id, role_id, user_id);

CREATE TABLE proofing_records (
  id                 INTEGER PRIMARY KEY,
  subject_id         INTEGER NOT NULL REFERENCES users(id),
  official_id        INTEGER NOT NULL REFERENCES users(id),
  decision           TEXT NOT NULL CHECK (decision IN ('approved', 'cancelled', 'rejected')),
  -- JSON: [{ evidence, type, issuer, expiresOn, last4, inspection }]; never a whole number
  documents          TEXT NOT NULL,
  appeared_in_person INTEGER NOT NULL,
  reason             TEXT,
  comments           TEXT,
  suspected_fraud    INTEGER NOT NULL DEFAULT 0,
  decided_at         INTEGER NOT NULL
);
CREATE INDEX proofing_records_subject ON proofing_records (subject_id, decided_at);

-- Append-only: each row carries SHA-256(previous hash || canonical row).
CREATE TABLE audit_events (
  id               INTEGER PRIMARY KEY,
  at               INTEGER NOT NULL,
  actor_id         INTEGER,
  action           TEXT NOT NULL,
  subject_user_id  INTEGER,
  organization_id  INTEGER,
  request_id       INTEGER,
  details          TEXT NOT NULL DEFAULT '{}',
  prev_hash        TEXT NOT NULL,
  hash             TEXT NOT NULL
);
CREATE INDEX audit_events_action ON audit_events (action, at);
CREATE INDEX audit_events_subject ON audit_events (subject_user_id, at);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
  BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
  BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

CREATE TABLE outbox (
  id               INTEGER PRIMARY KEY,
  to_address       TEXT NOT NULL,
  subject          TEXT NOT NULL,
  body             TEXT NOT NULL,
  kind             TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('owed', 'sent', 'failed')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  last_error       TEXT,
  created_at       INTEGER NOT NULL,
  sent_at          INTEGER
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- Facts about this database itself (e.g. that it holds demo data).
CREATE TABLE console_meta (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);
`,
};
