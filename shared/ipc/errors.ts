/**
 * Every failure crosses the IPC boundary as `{ code, message }` with a code from this list,
 * so the renderer can tell "refused" from "nothing" and show the job aid's wording.
 */
export const ERROR_CODES = [
  'VALIDATION',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'LOCKED',
  'SESSION_LOCKED',
  'SIGN_IN_FAILED',
  'SETUP_DONE',
  /** The console was opened read-only after a failed start-up check. */
  'READ_ONLY',
  /** The console is on its recovery screen: only the recovery choices are answered. */
  'RECOVERY',
  /** Not now: the console is starting, or its database is busy or out of reach. Try again. */
  'UNAVAILABLE',
  /** A bug: the message carries a reference the log keeps with the details. */
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface IpcError {
  code: ErrorCode;
  message: string;
  /** The input field a VALIDATION error is about, when there is one. */
  field?: string;
  /** INTERNAL only: the short reference the main process logged the failure under. */
  reference?: string;
}

export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** Thrown by services; turned into an IpcError by the router. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
