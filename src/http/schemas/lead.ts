import { z } from 'zod';

// Generous caps: a form may send a 3,000-character name, which the card then shortens; the 1 MB body limit bounds the rest.
// Postgres text cannot hold NUL: refused here with its path rather than failing the write.
const noNul = (s: string): boolean => !s.includes('\u0000');
const text = (max: number) => z.string().trim().max(max).refine(noNul, 'must not contain NUL characters').optional();
const instant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 instant with a zone, e.g. 2026-11-02T09:30:00Z' }).transform((s) => new Date(s));

/** The fields every lead carries, live or imported. Unknown keys are ignored, empty strings mean "not given". */
export const leadFieldsSchema = z.object({
    externalId: text(500),
    source: z.string({ error: 'is required (the system the lead comes from, e.g. "hubspot")' }).trim().min(1, 'is required').max(100).refine(noNul, 'must not contain NUL characters'),
    email: z.email({ error: 'must be an email address' }).max(320).optional().or(z.literal('').transform(() => undefined)),
    firstName: text(10_000),
    lastName: text(10_000),
    title: text(10_000),
    company: text(10_000),
    employees: z.number().int().nonnegative().max(10_000_000).optional(),
    industry: text(100),
    country: z.string().trim().regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166 two-letter country code').transform((s) => s.toUpperCase()).optional().or(z.literal('').transform(() => undefined)),
    phone: text(50),
    persona: text(100),
    channel: text(100),
    origin: z.enum(['marketing', 'sales']).default('marketing'),
    ownerHint: text(50),
    accountOwner: text(100),
    domain: text(255),
    website: text(2000),
    activities: z.array(z.object({ type: z.string().trim().min(1).max(100).refine(noNul, 'must not contain NUL characters'), at: instant })).max(1000).default([]),
    mql: z.boolean().optional(),
    score: z.number().optional(),
});

/** SPEC §7: the lead marketing automation posts. */
export const leadPayloadSchema = leadFieldsSchema.refine((l) => l.externalId !== undefined || l.email !== undefined, { message: 'needs an externalId or an email to be recognised when it is sent again', path: ['externalId'] });

export type LeadPayload = z.output<typeof leadPayloadSchema>;
