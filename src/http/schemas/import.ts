import { z } from 'zod';
import { leadFieldsSchema } from './lead.js';
import { instant, optionalText, requiredText } from './text.js';

const user = requiredText(50);

/** One entry of a lead's stage history (README.md, "POST /api/leads/import"). */
export const historyEntrySchema = z.discriminatedUnion('stage', [
  z.object({ stage: z.literal('mql'), at: instant, team: requiredText(100), owner: user }),
  z.object({ stage: z.literal('sal'), at: instant, by: user }),
  z.object({
    stage: z.literal('rejected'),
    at: instant,
    by: user,
    reason: optionalText(100),
    note: optionalText(3000),
  }),
  z.object({
    stage: z.enum(['nurture', 'disqualified', 'sql', 'opportunity', 'customer']),
    at: instant,
    by: optionalText(50),
  }),
  z.object({ stage: z.literal('lost'), at: instant, reason: requiredText(100), by: optionalText(50) }),
]);
export type HistoryEntry = z.output<typeof historyEntrySchema>;

export const importLeadSchema = leadFieldsSchema
  .extend({
    externalId: requiredText(500, 'is required for an import (it makes re-imports idempotent)'),
    createdAt: instant,
    history: z.array(historyEntrySchema).max(200).default([]),
  })
  .superRefine((lead, ctx) => {
    let previous = lead.createdAt.getTime();
    lead.history.forEach((entry, i) => {
      if (entry.at.getTime() < previous)
        ctx.addIssue({
          code: 'custom',
          path: ['history', i, 'at'],
          message: 'is earlier than the entry before it (or createdAt): history must be in time order',
        });
      previous = Math.max(previous, entry.at.getTime());
    });
  });
export type ImportLead = z.output<typeof importLeadSchema>;
