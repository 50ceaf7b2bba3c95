/**
 * Turns a zod schema into a shape check for a stored document, with a one-line reason on
 * failure. The schema checks what the reader relies on; T is what the reader then takes it for.
 */
import type { z } from 'zod';

export function shapeChecker<T>(schema: z.ZodType): (value: unknown) => T {
  return (value) => {
    const result = schema.safeParse(value);
    if (result.success) return result.data as T;
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'the document';
    throw new Error(`${where}: ${issue?.message ?? 'unexpected shape'}`);
  };
}
