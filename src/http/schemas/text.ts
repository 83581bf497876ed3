import { z } from 'zod';

/**
 * Every string of the HTTP schemas is built here, so every one is checked before it can reach
 * the database: Postgres text cannot hold NUL, and a lone UTF-16 surrogate cannot be encoded
 * as UTF-8 — either would fail the write (a 500, or a whole import stopped) instead of a 400
 * that names the field. ESLint forbids `z.string`, `z.email` and `z.iso` elsewhere in
 * src/http/schemas, so a new field cannot skip the check.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function storable(s: string): string | undefined {
  if (s.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(s)) return 'must not contain a lone UTF-16 surrogate (invalid Unicode)';
  return undefined;
}

const checked = <S extends z.ZodType<string, string>>(schema: S) =>
  schema.superRefine((value, ctx) => {
    const problem = storable(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Trimmed text; blank (empty or only spaces) means "not given", everywhere. */
export const optionalText = (max: number) =>
  checked(z.string().trim().max(max))
    .transform((s) => (s === '' ? undefined : s))
    .optional();

/** Trimmed text that must be given (blank is not). */
export const requiredText = (max: number, error = 'is required') =>
  checked(z.string({ error }).trim().min(1, error).max(max));

/** An email address; blank means "not given". */
export const optionalEmail = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v),
  checked(z.email({ error: 'must be an email address' }).max(320)).optional(),
);

/** Dates Baton stores: computed with in calendars and reports, so within 1970–9999. */
export const MIN_YEAR = 1970;
export const instant = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 instant with a zone, e.g. 2026-11-02T09:30:00Z' })
  .transform((s) => new Date(s))
  .refine(
    (d) => !Number.isNaN(d.getTime()) && d.getUTCFullYear() >= MIN_YEAR && d.getUTCFullYear() <= 9999,
    `must be in the years ${MIN_YEAR}–9999`,
  );
