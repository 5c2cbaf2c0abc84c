import type { z } from 'zod';
import type { FieldError } from '../../components/ErrorSummary.js';

/**
 * Every problem the contract's own input schema finds in a form, one per field, in the order
 * the fields appear: the error summary lists them all at once, before any call is made, in
 * the words the main process would use.
 */
export function problemsOf(schema: z.ZodType, values: unknown, order: readonly string[]): FieldError[] {
  const result = schema.safeParse(values);
  if (result.success) return [];
  const byField = new Map<string, string>();
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? '');
    if (!byField.has(field)) byField.set(field, issue.message);
  }
  return order.flatMap((field) => {
    const message = byField.get(field);
    return message === undefined ? [] : [{ field, message }];
  });
}
