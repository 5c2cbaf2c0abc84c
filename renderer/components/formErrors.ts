import type { z } from 'zod';
import { ApiError, fieldOf, messageOf } from '../api.js';
import type { FieldError } from './ErrorSummary.js';

/**
 * Every problem of a form at once: the contract's own input schema run on the values (the same
 * schema the main process checks with), one error per field, in the order the form shows them.
 * `keyOf` names the field an issue is about (by default the first step of its path); `messageOf`
 * may reword an issue (to name the document a number is missing from, say).
 */
export function validateAll(
  schema: z.ZodType,
  values: unknown,
  order: readonly string[],
  options: { keyOf?: (path: readonly PropertyKey[]) => string | null; reword?: (key: string, issue: z.core.$ZodIssue) => string | undefined } = {},
): FieldError[] {
  const parsed = schema.safeParse(values);
  if (parsed.success) return [];
  const keyOf = options.keyOf ?? ((path) => (typeof path[0] === 'string' ? path[0] : null));
  const byField = new Map<string, FieldError>();
  const general: FieldError[] = [];
  for (const issue of parsed.error.issues) {
    const key = keyOf(issue.path);
    const message = (key !== null ? options.reword?.(key, issue) : undefined) ?? issue.message;
    if (key === null) general.push({ field: null, message });
    else if (!byField.has(key)) byField.set(key, { field: key, message });
  }
  return [...sortByOrder([...byField.values()], order), ...general];
}

/** Errors in the order their fields appear on the form; fields the order does not know go last. */
export function sortByOrder(errors: FieldError[], order: readonly string[]): FieldError[] {
  const rank = (field: string | null) => {
    const index = field === null ? -1 : order.indexOf(field);
    return index === -1 ? order.length : index;
  };
  return [...errors].sort((a, b) => rank(a.field) - rank(b.field));
}

/** A refusal from the main process as the summary lists it: tied to its field when it names one the form has. */
export function serverError(error: unknown, fields: readonly string[]): FieldError {
  const field = fieldOf(error);
  return { field: field !== undefined && fields.includes(field) ? field : null, message: error instanceof ApiError ? error.message : messageOf(error) };
}
