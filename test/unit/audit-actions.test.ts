import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_CATEGORY_ACTIONS } from '../../main/services/audit.js';
import { eventText } from '../../main/services/history.js';
import { matchesActionFilter } from '../../main/store/audit-trail-store.js';
import {
  AUDIT_ACTION_NAMES,
  AUDIT_ACTIONS,
  AUDIT_CATEGORY_LABELS,
  auditActionsOf,
  auditActionWords,
  auditDetailFields,
  isAuditAction,
  parseAuditDetails,
} from '../../shared/audit-actions.js';
import { AUDIT_CATEGORIES } from '../../shared/domain.js';

const MAIN = resolve(import.meta.dirname, '../../main');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|cts|sql)$/.test(entry.name) ? [path] : [];
  });
}

interface Written {
  file: string;
  /** An exact action, or a pattern for a template such as `request.${verb}`. */
  action: string;
  pattern: RegExp | null;
}

/** setWindowOpenHandler's answers: `{ action: 'deny' }` is Electron's vocabulary, not an audit action. */
const ELECTRON_WINDOW_ANSWERS = new Set(['allow', 'deny']);

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every way main/ writes an action: `action: '…'`, `action: \`….${x}\``, an *_ACTION constant, a Record typed AuditAction, a literal passed to a function taking an AuditAction, a ternary that picks an action, and SQL that inserts into or names actions of the audit table. */
function writtenActions(): Written[] {
  const found: Written[] = [];
  const add = (file: string, action: string) => found.push({ file, action, pattern: null });
  for (const path of sources(MAIN)) {
    const file = relative(MAIN, path);
    const text = readFileSync(path, 'utf8');
    // Not a union type (`action: 'approve' | 'reject'` names a decision), nor Electron's answer to a window.open.
    for (const m of text.matchAll(/\baction\s*[:=]\s*'([^']+)'(?!\s*\|)/g)) if (!ELECTRON_WINDOW_ANSWERS.has(m[1]!)) add(file, m[1]!);
    for (const m of text.matchAll(/\b[A-Z_]*ACTION\s*=\s*'([^']+)'/g)) add(file, m[1]!);
    for (const m of text.matchAll(/\baction:\s*`([^`]+)`/g)) {
      const template = m[1]!;
      found.push({
        file,
        action: template,
        pattern: new RegExp(
          `^${template
            .split(/\$\{[^}]*\}/)
            .map(escape)
            .join('[a-z_]+')}$`,
        ),
      });
    }
    for (const m of text.matchAll(/Record<\w+,\s*AuditAction>\s*=\s*\{([^}]*)\}/g)) for (const v of m[1]!.matchAll(/:\s*'([^']+)'/g)) add(file, v[1]!);
    // A function that takes an AuditAction: the literals its callers in the file pass (before any details object).
    for (const fn of text.matchAll(/(\w+)\([^)]*?\baction: AuditAction\b/g)) {
      for (const call of text.matchAll(new RegExp(`\\b${fn[1]}\\(([^(){]*)`, 'g')))
        if (!call[1]!.includes('AuditAction')) for (const v of call[1]!.matchAll(/'([a-z]+(?:\.[a-z_]+)?)'/g)) add(file, v[1]!);
    }
    // A ternary with one registered branch chooses between actions: both must be registered.
    for (const m of text.matchAll(/\?\s*'([a-z]+\.[a-z_]+)'\s*:\s*'([a-z]+\.[a-z_]+)'/g)) {
      if (isAuditAction(m[1]!) || isAuditAction(m[2]!)) {
        add(file, m[1]!);
        add(file, m[2]!);
      }
    }
    // SQL: literal actions in an INSERT into the audit table (a trigger or migration), or in a WHERE on it.
    for (const m of text.matchAll(/INSERT\s+(?:OR\s+\w+\s+)?INTO\s+audit_events\b[^;`]*?VALUES\s*\(([^)]*)\)/gi))
      for (const v of m[1]!.matchAll(/'([^']+)'/g)) add(file, v[1]!);
    for (const m of text.matchAll(/\baction\s*(?:=|IN\s*\()\s*'([^']+)'/g)) add(file, m[1]!);
  }
  return found;
}

describe('the audit action registry', () => {
  it('puts every action in exactly one kind of event, and each kind has words in the filter', () => {
    for (const action of AUDIT_ACTION_NAMES) expect(AUDIT_CATEGORIES, action).toContain(AUDIT_ACTIONS[action].category);
    const listed = AUDIT_CATEGORIES.flatMap((category) => AUDIT_CATEGORY_ACTIONS[category]);
    expect([...listed].sort()).toEqual([...AUDIT_ACTION_NAMES].sort());
    expect(new Set(listed).size).toBe(listed.length);
    for (const category of AUDIT_CATEGORIES) {
      expect(AUDIT_CATEGORY_LABELS[category]).toMatch(/^[A-Z]/);
      expect(auditActionsOf(category).length, category).toBeGreaterThan(0);
    }
  });

  it("makes each kind's filter match exactly that kind's actions", () => {
    for (const category of AUDIT_CATEGORIES) {
      const matched = AUDIT_ACTION_NAMES.filter((action) => matchesActionFilter(AUDIT_CATEGORY_ACTIONS[category], action));
      expect(matched, category).toEqual(auditActionsOf(category));
    }
  });

  it('has words for every action: a capital first, no code, no two actions alike', () => {
    const words = AUDIT_ACTION_NAMES.map((action) => AUDIT_ACTIONS[action].words);
    for (const w of words) expect(w).toMatch(/^[A-Z][^_]*[^.]$/);
    expect(new Set(words).size).toBe(words.length);
    expect(auditActionWords('signin.succeeded')).toBe('Signed in');
    expect(auditActionWords('request.approved')).toBe('Approved a role request');
    // An archive from an older console may hold an action this one does not know: shown as written.
    expect(auditActionWords('legacy.thing')).toBe('legacy.thing');
  });

  it('registers every action main/ writes, and writes every action it registers', () => {
    const written = writtenActions();
    // The scan must see the ways actions are written, or it would prove nothing.
    expect(written.length).toBeGreaterThan(50);
    expect(written.some((w) => w.pattern?.test('request.approved'))).toBe(true);
    expect(written.some((w) => w.pattern?.test('proofing.cancelled'))).toBe(true);
    expect(written.map((w) => w.action)).toEqual(
      expect.arrayContaining(['signout', 'unlock.failed', 'session.unlocked', 'audit.chain_broken', 'account.credentials_revoked']),
    );

    const unregistered = written.filter((w) => (w.pattern ? !AUDIT_ACTION_NAMES.some((a) => w.pattern!.test(a)) : !isAuditAction(w.action)));
    expect(unregistered.map((w) => `${w.file}: ${w.action}`)).toEqual([]);
    const neverWritten = AUDIT_ACTION_NAMES.filter((a) => !written.some((w) => (w.pattern ? w.pattern.test(a) : w.action === a)));
    expect(neverWritten).toEqual([]);
  });
});

describe('audit details in words', () => {
  it('labels each detail and puts the values in words, what it was about first', () => {
    const fields = auditDetailFields({ reason: null, dualControl: false, role: 'Assessment Coordinator', program: 'iQIES Prod', organization: '123' });
    expect(fields.map((f) => `${f.label}: ${f.value}`)).toEqual([
      'Role: Assessment Coordinator',
      'Program: iQIES Prod',
      'Organization: 123',
      'Needed two approvals: No',
    ]);
  });

  it('writes statuses, decisions, evidence and moments in words, and names an unknown key from its name', () => {
    const at = Date.UTC(2026, 10, 29, 22, 10);
    const text = auditDetailFields({
      previousStatus: 'temporarily_locked',
      action: 'approve',
      outcome: 'awaiting_second_approval',
      evidence: 'photo,dateOfBirth',
      until: at,
      newThing: 'x',
      password: 'kept',
    }).map((f) => `${f.label}: ${f.value}`);
    expect(text).toEqual([
      'Outcome: Waiting for a second approval',
      'Status before: Temporarily locked',
      'Decision asked for: Approve',
      'Evidence: Photo Identification, Date of Birth Confirmation',
      `Locked until: ${new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit' }).format(at).replace(/[\u202f\u00a0]/g, ' ')}`,
      'New thing: x',
      'Password: Kept',
    ]);
    expect(text.join(' ')).not.toMatch(/_|[a-z][A-Z]/);
    expect(auditDetailFields({ reason: 'not_activated' })).toEqual([{ key: 'reason', label: 'Reason', value: 'Not activated' }]);
    expect(auditDetailFields({ reason: 'Left the organization' })[0]?.value).toBe('Left the organization');
  });

  it('reads stored details back, keeping text that is not an object whole', () => {
    expect(parseAuditDetails('{"role":"Surveyor","n":1,"ok":true,"nested":{"a":1}}')).toEqual({ role: 'Surveyor', n: 1, ok: true, nested: '{"a":1}' });
    expect(parseAuditDetails('{}')).toEqual({});
    expect(parseAuditDetails('')).toEqual({});
    expect(parseAuditDetails('not json')).toEqual({ details: 'not json' });
  });
});

describe("a request's events in the Request ID pop-up", () => {
  const event = (action: string, actorId: number | null) => ({
    id: 1,
    at: 0,
    actorId,
    action,
    subjectUserId: null,
    organizationId: null,
    requestId: 7,
    details: '{}',
    prevHash: '',
    hash: '',
  });
  const emails = new Map([[3, 'so1@example.org']]);

  it('words every action, never its code', () => {
    expect(eventText(event('request.approval_recorded', 3), emails)).toBe('First of two approvals given by so1@example.org');
    expect(eventText(event('mail.retry', 3), emails)).toBe('Retried an email (so1@example.org)');
    expect(eventText(event('request.decision_refused', null), emails)).toBe('Decision not made (the console)');
  });
});
