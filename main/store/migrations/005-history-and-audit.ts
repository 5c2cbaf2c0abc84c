import type { Migration } from './migration.js';

/**
 * Request History, the audit trail and review archives at 10,000,000 decided requests.
 * Self-contained: it reads nothing that version 4 (user lookup) adds.
 *
 * - History is the decided requests (approved or rejected), newest decision first, keyset-paged.
 *   Each list the page offers is an index range in its order: all decisions (CMS), one
 *   organization's, and the same two by requester name. Program and status ride at the end of
 *   the date indexes, so a filter on them is read from the index, never from the table.
 * - The events that followed a decision (a reopen, a role removal) are found by request.
 * - audit_scope names the organizations an event belongs to, so an official's audit trail is an
 *   index range per organization: the event's own organization, or else the organizations of the
 *   user it is about, as they were when it happened. A trigger fills it in the appending
 *   transaction.
 * - audit_head holds the chain head signed with the console's Ed25519 key, rewritten in every
 *   appending transaction: a row added or removed at the end of the chain outside the console no
 *   longer matches it. Unsigned until the console next appends (or signs it at start).
 */
export const migration005: Migration = {
  version: 5,
  name: 'history-and-audit',
  sql: /* sql */ `
CREATE INDEX role_requests_decided ON role_requests (decided_at DESC, id DESC, program_id, status)
  WHERE status IN ('approved', 'rejected');
CREATE INDEX role_requests_org_decided ON role_requests (organization_id, decided_at DESC, id DESC, program_id, status)
  WHERE status IN ('approved', 'rejected');
CREATE INDEX role_requests_decided_name ON role_requests (requester_last_name, requester_first_name, decided_at DESC, id DESC, program_id, status)
  WHERE status IN ('approved', 'rejected');
CREATE INDEX role_requests_org_decided_name ON role_requests (organization_id, requester_last_name, requester_first_name, decided_at DESC, id DESC, program_id, status)
  WHERE status IN ('approved', 'rejected');

CREATE INDEX audit_events_request ON audit_events (request_id, id) WHERE request_id IS NOT NULL;
CREATE INDEX audit_events_action_id ON audit_events (action, id);

CREATE TABLE audit_scope (
  organization_id  INTEGER NOT NULL,
  event_id         INTEGER NOT NULL,
  PRIMARY KEY (organization_id, event_id)
) WITHOUT ROWID;

INSERT OR IGNORE INTO audit_scope (organization_id, event_id)
  SELECT organization_id, id FROM audit_events WHERE organization_id IS NOT NULL;
INSERT OR IGNORE INTO audit_scope (organization_id, event_id)
  SELECT a.organization_id, e.id FROM audit_events e JOIN role_assignments a ON a.user_id = coalesce(e.subject_user_id, e.actor_id)
   WHERE e.organization_id IS NULL;
INSERT OR IGNORE INTO audit_scope (organization_id, event_id)
  SELECT u.home_organization_id, e.id FROM audit_events e JOIN users u ON u.id = coalesce(e.subject_user_id, e.actor_id)
   WHERE e.organization_id IS NULL AND u.home_organization_id IS NOT NULL;

CREATE TRIGGER audit_events_scope AFTER INSERT ON audit_events
BEGIN
  INSERT OR IGNORE INTO audit_scope (organization_id, event_id)
    SELECT NEW.organization_id, NEW.id WHERE NEW.organization_id IS NOT NULL;
  INSERT OR IGNORE INTO audit_scope (organization_id, event_id)
    SELECT a.organization_id, NEW.id FROM role_assignments a
     WHERE NEW.organization_id IS NULL AND a.user_id = coalesce(NEW.subject_user_id, NEW.actor_id);
  INSERT OR IGNORE INTO audit_scope (organization_id, event_id)
    SELECT u.home_organization_id, NEW.id FROM users u
     WHERE NEW.organization_id IS NULL AND u.id = coalesce(NEW.subject_user_id, NEW.actor_id) AND u.home_organization_id IS NOT NULL;
END;

CREATE TABLE audit_head (
  singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
  event_id   INTEGER NOT NULL,
  hash       TEXT NOT NULL,
  -- Ed25519 over the console id, event_id and hash (base64); NULL until first signed
  signature  TEXT,
  signed_at  INTEGER
);
INSERT INTO audit_head (singleton, event_id, hash)
  SELECT 1, coalesce(max(id), 0), coalesce((SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1), '${'0'.repeat(64)}') FROM audit_events;
`,
};
