import type { App } from '@slack/bolt';
import type { Logger } from '../../log.js';
import type { ServiceContext } from '../../services/context.js';
import { decide } from '../../services/decisions.js';
import { alreadyDecidedText } from '../views/card.js';
import { parseRejectSubmission, REJECT_BLOCKS, REJECT_CALLBACK } from '../views/reject-modal.js';
import { registerModalSubmit } from './modal-submit.js';

/** The Reject modal's submit: the lead moves to the reason's outcome, or the modal says why not. */
export function registerRejectSubmission(app: App, ctx: ServiceContext, logger: Logger): void {
  registerModalSubmit(
    app,
    logger,
    REJECT_CALLBACK,
    REJECT_BLOCKS.reason,
    (values, meta) => parseRejectSubmission(values, meta, ctx.policy.rejectionReasons),
    async (p, userId) => {
      const result = await decide(ctx, p.handoffId, userId, {
        kind: 'reject',
        reasonId: p.reasonId,
        note: p.note,
        outcome: p.outcome,
      });
      return result.kind === 'already_decided' ? alreadyDecidedText(result, ctx.policy.calendar.timeZone) : undefined;
    },
  );
}
