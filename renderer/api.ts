import type { Channel, ChannelInput, ChannelOutput } from '../shared/ipc/contract.js';
import type { ErrorCode, IpcError, IpcResult } from '../shared/ipc/errors.js';
import type { RendererBridge } from './global.js';

/** A refused call, carrying the main process's code and its (job-aid) wording. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  /** INTERNAL: the reference the main process logged the failure under, for the help desk. */
  readonly reference: string | undefined;

  constructor(code: ErrorCode, message: string, field?: string, reference?: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.field = field;
    this.reference = reference;
  }
}

/** Shown when the bridge itself fails: the transport, not the service, is at fault. */
export const UNREACHABLE_MESSAGE = 'The console could not reach its service. Try again; if the problem continues, restart the console.';

type SessionErrorListener = (error: ApiError, channel: Channel) => void;
const sessionErrorListeners = new Set<SessionErrorListener>();

/**
 * SESSION_LOCKED, UNAUTHENTICATED and RECOVERY can come back from any channel; the session feature
 * subscribes here so that every view need not handle them itself.
 */
export function onSessionError(listener: SessionErrorListener): () => void {
  sessionErrorListeners.add(listener);
  return () => sessionErrorListeners.delete(listener);
}

function isIpcResult(value: unknown): value is IpcResult<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  if (value.ok === true) return 'value' in value;
  if (value.ok !== false || !('error' in value)) return false;
  const error = value.error as Partial<IpcError> | null;
  return typeof error === 'object' && error !== null && typeof error.code === 'string' && typeof error.message === 'string';
}

/** Calls one channel of the contract through whichever bridge the transport installed. */
export async function call<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> {
  // The bridge is absent when the page is opened outside Electron and the browser host.
  // Read from globalThis (the page's window) so that this module also type-checks under Node, where tests drive it against a real host.
  const bridge = (globalThis as { api?: Partial<RendererBridge> }).api;
  if (!bridge || typeof bridge.invoke !== 'function') {
    throw new ApiError('UNAVAILABLE', UNREACHABLE_MESSAGE);
  }
  let result: unknown;
  try {
    result = await bridge.invoke(channel, input);
  } catch {
    throw new ApiError('UNAVAILABLE', UNREACHABLE_MESSAGE);
  }
  if (!isIpcResult(result)) throw new ApiError('UNAVAILABLE', UNREACHABLE_MESSAGE);
  if (result.ok) return result.value as ChannelOutput<C>;

  const { code, message, field, reference } = result.error;
  const error = new ApiError(code, message, field, typeof reference === 'string' ? reference : undefined);
  if (code === 'SESSION_LOCKED' || code === 'UNAUTHENTICATED' || code === 'RECOVERY') {
    for (const listener of sessionErrorListeners) listener(error, channel);
  }
  throw error;
}

/**
 * The message to show for anything a store action caught. A bug (INTERNAL) always shows its
 * reference, so the official can quote it to the help desk and it can be found in the log.
 */
export function messageOf(error: unknown): string {
  if (!(error instanceof ApiError)) return UNREACHABLE_MESSAGE;
  if (error.code === 'INTERNAL' && error.reference && !error.message.includes(error.reference)) return `${error.message} (Reference ${error.reference}.)`;
  return error.message;
}

/** The error's code, or INTERNAL for anything that is not an ApiError. */
export function codeOf(error: unknown): ErrorCode {
  return error instanceof ApiError ? error.code : 'INTERNAL';
}

/** The contract input the error is about (e.g. "code"), if the main process named one. */
export function fieldOf(error: unknown): string | undefined {
  return error instanceof ApiError ? error.field : undefined;
}

/**
 * Whether a call failed because its enrollment key is gone: the main process forgets an
 * unconfirmed key after ten minutes, and nothing the user types can bring it back.
 */
export function isEnrollmentGone(error: unknown): boolean {
  return fieldOf(error) === 'enrollmentId';
}
