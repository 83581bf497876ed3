import type { z } from 'zod';
import { HttpError } from './errors.js';

/** Every problem, each with its path, so the sender can fix the whole request in one go. */
export function validationDetails(issues: readonly z.core.$ZodIssue[]): { path: string; message: string }[] {
  return issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
}

export function parseOr400<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const details = validationDetails(parsed.error.issues);
    throw new HttpError(
      400,
      'validation_failed',
      `The ${what} has ${details.length} problem${details.length === 1 ? '' : 's'}; nothing was stored.`,
      details,
    );
  }
  return parsed.data;
}
