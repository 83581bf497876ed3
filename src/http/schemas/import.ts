import { z } from 'zod';
import { leadFieldsSchema } from './lead.js';

const instant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 instant with a zone' }).transform((s) => new Date(s));
const user = z.string().trim().min(1).max(50);

/** One entry of a lead's stage history (README.md, "POST /api/leads/import"). */
export const historyEntrySchema = z.discriminatedUnion('stage', [
  z.object({ stage: z.literal('mql'), at: instant, team: z.string().min(1), owner: user }),
  z.object({ stage: z.literal('sal'), at: instant, by: user }),
  z.object({ stage: z.literal('rejected'), at: instant, by: user, reason: z.string().min(1).optional(), note: z.string().max(3000).optional() }),
  z.object({ stage: z.enum(['nurture', 'disqualified', 'sql', 'opportunity', 'customer']), at: instant, by: user.optional() }),
  z.object({ stage: z.literal('lost'), at: instant, reason: z.string().min(1), by: user.optional() }),
]);
export type HistoryEntry = z.output<typeof historyEntrySchema>;

export const importLeadSchema = leadFieldsSchema
  .extend({
    externalId: z.string({ error: 'is required for an import (it makes re-imports idempotent)' }).trim().min(1).max(500),
    createdAt: instant,
    history: z.array(historyEntrySchema).max(200).default([]),
  })
  .superRefine((lead, ctx) => {
    let previous = lead.createdAt.getTime();
    lead.history.forEach((entry, i) => {
      if (entry.at.getTime() < previous) ctx.addIssue({ code: 'custom', path: ['history', i, 'at'], message: 'is earlier than the entry before it (or createdAt): history must be in time order' });
      previous = Math.max(previous, entry.at.getTime());
    });
  });
export type ImportLead = z.output<typeof importLeadSchema>;
