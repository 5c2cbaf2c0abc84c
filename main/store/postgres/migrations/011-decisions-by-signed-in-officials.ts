import type { Migration } from '../../migrations/index.js';

/** As SQLite's version of the same name: decisions and first approvals only from officials not deactivated. */
export const migration011: Migration = {
  version: 11,
  name: 'decisions-by-signed-in-officials',
  sql: /* sql */ `
CREATE OR REPLACE FUNCTION role_requests_decider() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM role_assignments a JOIN roles r ON r.id = a.role_id JOIN users u ON u.id = a.user_id
                  WHERE a.user_id = NEW.decided_by AND r.security_official_kind IS NOT NULL
                    AND u.status IN ('active', 'temporarily_locked', 'locked')
                    AND (a.organization_id = NEW.organization_id OR r.security_official_kind = 'cms')) THEN
    RAISE EXCEPTION USING MESSAGE = 'Only a Security Official of this organization or a CMS Security Official decides this request.', ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE OR REPLACE FUNCTION request_approvals_by_cms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM role_assignments a JOIN roles r ON r.id = a.role_id JOIN users u ON u.id = a.user_id
                  WHERE a.user_id = NEW.official_id AND r.security_official_kind = 'cms'
                    AND u.status IN ('active', 'temporarily_locked', 'locked'))
     OR NEW.official_id = (SELECT requester_id FROM role_requests WHERE id = NEW.request_id)
     OR NEW.official_id IS NOT DISTINCT FROM (SELECT created_by FROM users WHERE id = (SELECT requester_id FROM role_requests WHERE id = NEW.request_id))
     OR (SELECT status FROM role_requests WHERE id = NEW.request_id) IS DISTINCT FROM 'pending' THEN
    RAISE EXCEPTION USING MESSAGE = 'An approval of a CMS Security Official role is given by another CMS Security Official, while the request is pending.', ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
`,
};
