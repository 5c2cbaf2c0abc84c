import type { Services } from '../app.js';
import type { Handlers } from './router.js';
import { requireSession } from './router.js';

/** Channel -> service call. No rule lives here: the services decide. */
export function createHandlers(s: Services): Handlers {
  return {
    'app.status': async (_input, ctx) => ({
      needsSetup: await s.auth.needsSetup(),
      demo: s.demo,
      session: await s.sessions.view(ctx.clientId),
    }),
    'setup.begin': (_input, ctx) => s.auth.beginSetup(ctx.clientId),
    'setup.complete': (input, ctx) => s.auth.completeSetup(ctx.clientId, input),
    'auth.signIn': (input, ctx) => s.auth.signIn(ctx.clientId, input),
    'auth.acceptWarning': (_input, ctx) => s.auth.acceptWarning(requireSession(ctx)),
    'auth.denyWarning': (_input, ctx) => s.auth.denyWarning(requireSession(ctx)),
    'auth.signOut': (_input, ctx) => s.auth.signOut(requireSession(ctx)),
    'auth.unlock': (input, ctx) => s.auth.unlock(requireSession(ctx), input),
    'session.status': (_input, ctx) => s.sessions.view(ctx.clientId),
    'session.activity': (_input, ctx) => s.sessions.view(ctx.clientId),
    'home.summary': (_input, ctx) => s.home.summary(requireSession(ctx)),
    'mfa.list': (_input, ctx) => s.mfa.list(requireSession(ctx)),
    'mfa.beginEnrollment': (_input, ctx) => s.mfa.beginEnrollment(requireSession(ctx)),
    'mfa.confirmEnrollment': (input, ctx) => s.mfa.confirmEnrollment(requireSession(ctx), input),
    'mfa.remove': (input, ctx) => s.mfa.remove(requireSession(ctx), input),
    'access.options': (_input, ctx) => s.requests.options(requireSession(ctx)),
    'access.request': (input, ctx) => s.requests.file(requireSession(ctx), input),
    'access.mine': (_input, ctx) => s.requests.mine(requireSession(ctx)),
    'access.withdraw': (input, ctx) => s.requests.withdraw(requireSession(ctx), input),
    'queue.page': (input, ctx) => s.requests.queuePage(requireSession(ctx), input),
    'queue.preview': (input, ctx) => s.requests.preview(requireSession(ctx), input),
    'queue.approve': (input, ctx) => s.requests.approve(requireSession(ctx), input),
    'queue.reject': (input, ctx) => s.requests.reject(requireSession(ctx), input),
    'queue.view': (input, ctx) => s.requests.view(requireSession(ctx), input),
    'queue.reopen': (input, ctx) => s.requests.reopen(requireSession(ctx), input),
    'outbox.list': (input, ctx) => s.notifications.list(requireSession(ctx), input),
    'outbox.retry': (input, ctx) => s.notifications.retry(requireSession(ctx), input),
    'mail.settings': (_input, ctx) => s.notifications.mailSettings(requireSession(ctx)),
    'mail.saveSettings': (input, ctx) => s.notifications.saveMailSettings(requireSession(ctx), input),
    // ---- Request History, audit trail, exports and review archives (issue 5) ----
    'history.options': (input, ctx) => s.history.options(requireSession(ctx), input),
    'history.page': (input, ctx) => s.history.page(requireSession(ctx), input),
    'history.view': (input, ctx) => s.history.view(requireSession(ctx), input),
    'history.exportCsv': (input, ctx) => s.exports.historyCsv(requireSession(ctx), input),
    'history.exportPdf': (input, ctx) => s.exports.historyPdf(requireSession(ctx), input),
    'audit.page': (input, ctx) => s.audit.page(requireSession(ctx), input),
    'audit.status': (input, ctx) => s.audit.status(requireSession(ctx), input),
    'audit.exportCsv': (input, ctx) => s.exports.auditCsv(requireSession(ctx), input),
    'archive.export': (input, ctx) => s.archives.export(requireSession(ctx), input),
    'archive.open': (input, ctx) => s.archives.open(requireSession(ctx), input),
    'archive.close': (input, ctx) => s.archives.close(requireSession(ctx), input),
  };
}
