import type { IntakeQueue } from '../../services/intake.js';
import { requireBearer } from '../auth.js';
import { ONE_MEGABYTE, readJson } from '../body.js';
import { leadPayloadSchema } from '../schemas/lead.js';
import type { Route } from '../server.js';
import { parseOr400 } from '../validation.js';

/** POST /api/leads: one lead from marketing automation (README.md, "POST /api/leads"). */
export function leadRoutes(intake: IntakeQueue, intakeToken: string | undefined, onHandoff: () => void): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/leads',
      async handle(req) {
        requireBearer(req, intakeToken, 'INTAKE_TOKEN');
        const lead = parseOr400(leadPayloadSchema, await readJson(req, ONE_MEGABYTE), 'lead');
        const result = await intake.submit(lead);
        if (result.handoffId !== undefined) onHandoff();
        return {
          status: 202,
          json: {
            id: result.leadId,
            stage: result.stage,
            score: result.score,
            handoffId: result.handoffId ?? null,
            created: result.created,
          },
        };
      },
    },
  ];
}
