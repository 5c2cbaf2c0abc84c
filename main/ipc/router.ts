import type { z } from 'zod';
import { contract, isChannel } from '../../shared/ipc/contract.js';
import type { Access, Channel, ChannelOutput, ChannelParsedInput } from '../../shared/ipc/contract.js';
import { AppError } from '../../shared/ipc/errors.js';
import { CONSOLE_MESSAGES } from '../../shared/policy.js';
import type { IpcError, IpcResult } from '../../shared/ipc/errors.js';
import type { Session, SessionRegistry } from '../services/sessions.js';
import { READ_ONLY_MESSAGE } from './read-only.js';
import { CONTENTION_MESSAGE, databaseRefusal, lostRaces } from '../store/invariant-error.js';
import { UNAVAILABLE_MESSAGE, classifyFailure, internalMessage } from './failures.js';

/** Who is calling: the transport's client, never anything the renderer claims about itself. */
export interface CallerContext {
  clientId: string;
}

export interface HandlerContext extends CallerContext {
  /** Present for every channel whose access is not 'public'. */
  session: Session | null;
}

export type Handlers = {
  [C in Channel]: (input: ChannelParsedInput<C>, ctx: HandlerContext) => Promise<ChannelOutput<C>>;
};

export interface RouterOptions {
  /** Check every result against the contract's output schema (tests and development). */
  validateOutput?: boolean;
  /** Where unexpected failures (bugs) are reported, under the reference the caller is shown; never given inputs, which may hold secrets. */
  logError?: (channel: string, error: unknown, incident: string) => void;
  /** Opened read-only: only these channels are answered; the rest get READ_ONLY. */
  readOnlyChannels?: ReadonlySet<Channel>;
}

export type Dispatch = (caller: CallerContext, channel: unknown, input: unknown) => Promise<IpcResult<unknown>>;

/** What the router asks of the session registry (a console on its recovery screen has no sessions). */
export type SessionLookup = Pick<SessionRegistry, 'resolve' | 'touch'>;

const NO_SESSION: IpcError = { code: 'UNAUTHENTICATED', message: CONSOLE_MESSAGES.sessionEnded };

/**
 * The one router: channel -> validate input -> resolve session -> authorize -> handler ->
 * typed result or typed error. Both transports (Electron IPC, the browser host) call this.
 */
export function createDispatch(handlers: Handlers, sessions: SessionLookup, options: RouterOptions = {}): Dispatch {
  return route(
    (channel) => handlers[channel],
    () => null,
    sessions,
    options,
  );
}

/**
 * The same router for a console that answers only some channels (its recovery screen): any
 * other channel gets `refusal` before its input is read; the ones it has are validated,
 * authorized and answered exactly as createDispatch does.
 */
export function createPartialDispatch(handlers: Partial<Handlers>, refusal: () => IpcError, sessions: SessionLookup, options: RouterOptions = {}): Dispatch {
  return route(
    (channel) => handlers[channel],
    (channel) => (handlers[channel] ? null : refusal()),
    sessions,
    options,
  );
}

function route(
  handlerOf: (channel: Channel) => Handlers[Channel] | undefined,
  refuse: (channel: Channel) => IpcError | null,
  sessions: SessionLookup,
  options: RouterOptions,
): Dispatch {
  return async (caller, channel, input) => {
    if (!isChannel(channel)) return fail({ code: 'NOT_FOUND', message: 'Unknown channel' });
    if (options.readOnlyChannels && !options.readOnlyChannels.has(channel)) return fail({ code: 'READ_ONLY', message: READ_ONLY_MESSAGE });
    const refusal = refuse(channel);
    if (refusal) return fail(refusal);
    const spec = contract[channel];
    const parsed = (spec.input as z.ZodType).safeParse(input ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path[0];
      return fail({
        code: 'VALIDATION',
        message: issue?.message ?? 'The request is not valid',
        ...(typeof field === 'string' ? { field } : {}),
      });
    }
    try {
      const session = await sessions.resolve(caller.clientId);
      const denied = authorize(spec.access, session);
      if (denied) return fail(denied);
      if (session && !spec.passive && session.state !== 'locked' && session.state !== 'warning') sessions.touch(session);
      const handler = handlerOf(channel) as (i: unknown, ctx: HandlerContext) => Promise<unknown>;
      const value = await handler(parsed.data, { ...caller, session });
      if (options.validateOutput) (spec.output as z.ZodType).parse(value);
      return { ok: true, value };
    } catch (error) {
      if (error instanceof AppError) {
        return fail({ code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) });
      }
      const refused = databaseRefusal(error);
      if (refused !== null) return fail({ code: 'FORBIDDEN', message: refused });
      if (lostRaces(error)) return fail({ code: 'CONFLICT', message: CONTENTION_MESSAGE });
      const failure = classifyFailure(error);
      if (failure.code === 'UNAVAILABLE') return fail({ code: 'UNAVAILABLE', message: UNAVAILABLE_MESSAGE });
      options.logError?.(channel, error, failure.incident);
      return fail({ code: 'INTERNAL', message: internalMessage(failure.incident), reference: failure.incident });
    }
  };
}

function authorize(access: Access, session: Session | null): IpcError | null {
  switch (access) {
    case 'public':
      return null;
    case 'any':
      return session ? null : NO_SESSION;
    case 'warning':
      if (!session) return NO_SESSION;
      return session.state === 'warning' ? null : { code: 'FORBIDDEN', message: 'The warning page has already been answered.' };
    case 'locked':
      if (!session) return NO_SESSION;
      return session.state === 'locked' ? null : { code: 'FORBIDDEN', message: 'This session is not locked.' };
    case 'password':
      if (!session) return NO_SESSION;
      return session.state === 'password' ? null : { code: 'FORBIDDEN', message: 'There is no temporary password to change.' };
    case 'enroll':
      if (!session) return NO_SESSION;
      return session.state === 'enroll' ? null : { code: 'FORBIDDEN', message: 'A two-factor credential is already enrolled.' };
    case 'session':
      if (!session) return NO_SESSION;
      switch (session.state) {
        case 'active':
          return null;
        case 'locked':
          return { code: 'SESSION_LOCKED', message: CONSOLE_MESSAGES.sessionLocked };
        case 'warning':
          return { code: 'FORBIDDEN', message: 'Accept the warning page to continue.' };
        case 'password':
          return { code: 'FORBIDDEN', message: 'Change your temporary password to continue.' };
        case 'enroll':
          return { code: 'FORBIDDEN', message: 'Enroll a two-factor credential to continue.' };
      }
  }
}

function fail(error: IpcError): IpcResult<never> {
  return { ok: false, error };
}

/** The session a handler of a non-public channel is guaranteed by the router. */
export function requireSession(ctx: HandlerContext): Session {
  if (!ctx.session) throw new AppError('UNAUTHENTICATED', NO_SESSION.message);
  return ctx.session;
}
