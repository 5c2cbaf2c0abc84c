import type { Migration } from '../../migrations/index.js';

/**
 * Request History and the audit trail, as SQLite version 5: the decided-request indexes (each
 * list an index range in its order), audit_scope filled by a trigger in the appending
 * transaction, and audit_head, the signed head of the hash chain.
 *
 * One chain, whatever the number of console processes: SQLite has one writer at a time, but
 * PostgreSQL runs appending transactions side by side, and two that read the same last row would
 * fork the chain. So an appending transaction first locks the head row,
 *   SELECT event_id, hash FROM audit_head WHERE singleton = 1 FOR UPDATE
 * and keeps the lock to its COMMIT: the next appender waits, then reads the new head. The head
 * row always exists (made here), so the lock always has a row to take.
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
  organization_id  BIGINT NOT NULL,
  event_id         BIGINT NOT NULL,
  PRIMARY KEY (organization_id, event_id)
);

INSERT INTO audit_scope (organization_id, event_id)
  SELECT organization_id, id FROM audit_events WHERE organization_id IS NOT NULL
  ON CONFLICT DO NOTHING;
INSERT INTO audit_scope (organization_id, event_id)
  SELECT a.organization_id, e.id FROM audit_events e JOIN role_assignments a ON a.user_id = coalesce(e.subject_user_id, e.actor_id)
   WHERE e.organization_id IS NULL
  ON CONFLICT DO NOTHING;
INSERT INTO audit_scope (organization_id, event_id)
  SELECT u.home_organization_id, e.id FROM audit_events e JOIN users u ON u.id = coalesce(e.subject_user_id, e.actor_id)
   WHERE e.organization_id IS NULL AND u.home_organization_id IS NOT NULL
  ON CONFLICT DO NOTHING;

CREATE FUNCTION audit_events_scope() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.organization_id IS NOT NULL THEN
    INSERT INTO audit_scope (organization_id, event_id) VALUES (NEW.organization_id, NEW.id) ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO audit_scope (organization_id, event_id)
      SELECT a.organization_id, NEW.id FROM role_assignments a WHERE a.user_id = coalesce(NEW.subject_user_id, NEW.actor_id)
      ON CONFLICT DO NOTHING;
    INSERT INTO audit_scope (organization_id, event_id)
      SELECT u.home_organization_id, NEW.id FROM users u
       WHERE u.id = coalesce(NEW.subject_user_id, NEW.actor_id) AND u.home_organization_id IS NOT NULL
      ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER audit_events_scope AFTER INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_scope();

CREATE TABLE audit_head (
  singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
  event_id   BIGINT NOT NULL,
  hash       TEXT COLLATE "C" NOT NULL,
  -- Ed25519 over the console id, event_id and hash (base64); NULL until first signed
  signature  TEXT COLLATE "C",
  signed_at  BIGINT
);
INSERT INTO audit_head (singleton, event_id, hash)
  SELECT 1, coalesce(max(id), 0), coalesce((SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1), '${'0'.repeat(64)}') FROM audit_events;
`,
};
