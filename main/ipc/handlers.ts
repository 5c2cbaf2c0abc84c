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
  };
}
