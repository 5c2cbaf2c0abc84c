import type { Migration } from '../../migrations/index.js';

/**
 * As SQLite's version of the same name: the queue's index holds only pending requests, a
 * requester's no status. And, on PostgreSQL only, the counters a change of requests moves are
 * moved once per statement, not once per row.
 *
 * Why: a decision of 500 requests of one organization moved the same few counter rows (the
 * organization's pending count, its kinds of request, today's decisions) 500 times each. Every
 * such update writes a new version of the row that the transaction cannot prune, so each update
 * walked a longer chain of versions: 10,000 approvals in one transaction took 25 s, and the
 * counters' row triggers were over half of a decision's time in chunks of 500. SQLite updates its
 * rows in place, so its row triggers stay as they are.
 *
 * The statement trigger adds what the new rows count and takes away what the old rows counted,
 * key by key; a row whose status and days did not change counts the same on both sides and moves
 * nothing, and a statement that changed none of them writes no counter at all (a rename of the
 * requester updates every request of theirs).
 * Counters only go down where they exist (as the row triggers did), and pending_request_counts
 * still drops a counter that reaches zero (its own row trigger).
 */
export const migration012: Migration = {
  version: 12,
  name: 'lighter-decisions',
  sql: /* sql */ `
DROP INDEX role_requests_queue;
CREATE INDEX role_requests_queue ON role_requests (organization_id, requested_at, id) WHERE status = 'pending';
DROP INDEX role_requests_requester;
CREATE INDEX role_requests_requester ON role_requests (requester_id);

DROP TRIGGER role_requests_home_change_1_out ON role_requests;
DROP TRIGGER role_requests_home_change_2_in ON role_requests;
DROP TRIGGER role_requests_count_leave ON role_requests;
DROP TRIGGER role_requests_count_return ON role_requests;

CREATE FUNCTION role_requests_counters_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A statement trigger cannot name its columns: most updates (a requester renamed, a
  -- justification) change nothing counted, and leave here. Organization, program and role never
  -- change (role_requests_scope_fixed).
  IF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
                  WHERE o.status IS DISTINCT FROM n.status OR o.requested_at IS DISTINCT FROM n.requested_at
                     OR o.decided_at IS DISTINCT FROM n.decided_at) THEN
    RETURN NULL;
  END IF;
  -- Decisions by day, for the organization and for everyone (organization 0).
  WITH moved AS (
    SELECT m.status AS metric, o.id AS organization_id, soc_request_day(m.status, m.requested_at, m.decided_at) AS day, sum(m.k) AS k
      FROM (SELECT status, organization_id, requested_at, decided_at, 1 AS k FROM new_rows
            UNION ALL SELECT status, organization_id, requested_at, decided_at, -1 FROM old_rows) m
      CROSS JOIN LATERAL (VALUES (m.organization_id), (0::bigint)) o (id)
     WHERE soc_request_day(m.status, m.requested_at, m.decided_at) IS NOT NULL
     GROUP BY 1, 2, 3 HAVING sum(m.k) <> 0
  ), down AS (
    UPDATE home_day_counts h SET n = h.n + moved.k FROM moved
     WHERE moved.k < 0 AND h.metric = moved.metric AND h.organization_id = moved.organization_id AND h.day = moved.day
  )
  INSERT INTO home_day_counts (metric, organization_id, day, n) SELECT metric, organization_id, day, k FROM moved WHERE k > 0
    ON CONFLICT (metric, organization_id, day) DO UPDATE SET n = home_day_counts.n + EXCLUDED.n;

  -- Pending requests by organization.
  WITH moved AS (
    SELECT organization_id, sum(k) AS k
      FROM (SELECT organization_id, 1 AS k FROM new_rows WHERE status = 'pending'
            UNION ALL SELECT organization_id, -1 FROM old_rows WHERE status = 'pending') m
     GROUP BY 1 HAVING sum(k) <> 0
  ), down AS (
    UPDATE pending_by_organization p SET n = p.n + moved.k FROM moved WHERE moved.k < 0 AND p.organization_id = moved.organization_id
  )
  INSERT INTO pending_by_organization (organization_id, n) SELECT organization_id, k FROM moved WHERE k > 0
    ON CONFLICT (organization_id) DO UPDATE SET n = pending_by_organization.n + EXCLUDED.n;

  -- Pending requests by organization, program and role.
  WITH moved AS (
    SELECT organization_id, program_id, role_id, sum(k) AS k
      FROM (SELECT organization_id, program_id, role_id, 1 AS k FROM new_rows WHERE status = 'pending'
            UNION ALL SELECT organization_id, program_id, role_id, -1 FROM old_rows WHERE status = 'pending') m
     GROUP BY 1, 2, 3 HAVING sum(k) <> 0
  ), down AS (
    UPDATE pending_request_counts c SET n = c.n + moved.k FROM moved
     WHERE moved.k < 0 AND c.organization_id = moved.organization_id AND c.program_id = moved.program_id AND c.role_id = moved.role_id
  )
  INSERT INTO pending_request_counts (organization_id, program_id, role_id, n) SELECT organization_id, program_id, role_id, k FROM moved WHERE k > 0
    ON CONFLICT (organization_id, program_id, role_id) DO UPDATE SET n = pending_request_counts.n + EXCLUDED.n;
  RETURN NULL;
END $$;
CREATE TRIGGER role_requests_counters_update AFTER UPDATE ON role_requests
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION role_requests_counters_update();
`,
};
