import { z } from 'zod';
import { instant, optionalEmail, optionalText, requiredText } from './text.js';

// Generous caps: a form may send a 3,000-character name, which the card then shortens; the 1 MB body limit bounds the rest.

/** The fields every lead carries, live or imported. Unknown keys are ignored; blank values mean "not given". */
export const leadFieldsSchema = z.object({
  externalId: optionalText(500),
  source: requiredText(100, 'is required (the system the lead comes from, e.g. "hubspot")'),
  email: optionalEmail,
  firstName: optionalText(10_000),
  lastName: optionalText(10_000),
  title: optionalText(10_000),
  company: optionalText(10_000),
  employees: z
    .number({ error: 'must be a number of employees, like 250 (a JSON number, not "250" or a range such as "50-200")' })
    .int('must be a whole number, like 250')
    .nonnegative('must be 0 or more, like 250')
    .max(10_000_000)
    .optional(),
  industry: optionalText(100),
  country: optionalText(100)
    .refine(
      (s) => s === undefined || /^[A-Za-z]{2}$/.test(s),
      "must be an ISO 3166 two-letter country code, like SE or US (not the country's name)",
    )
    .transform((s) => s?.toUpperCase()),
  phone: optionalText(50),
  persona: optionalText(100),
  channel: optionalText(100),
  origin: z.enum(['marketing', 'sales']).default('marketing'),
  ownerHint: optionalText(50),
  accountOwner: optionalText(100),
  domain: optionalText(255),
  website: optionalText(2000),
  activities: z
    .array(z.object({ type: requiredText(100), at: instant }))
    .max(1000)
    .default([]),
  mql: z.boolean().optional(),
  score: z.number().optional(),
});

/** The lead marketing automation posts (README.md, "POST /api/leads"). */
export const leadPayloadSchema = leadFieldsSchema.refine((l) => l.externalId !== undefined || l.email !== undefined, {
  message: 'needs an externalId or an email (not blank) to be recognised when it is sent again',
  path: ['externalId'],
});

export type LeadPayload = z.output<typeof leadPayloadSchema>;
