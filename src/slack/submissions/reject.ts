import type { App } from '@slack/bolt';
import type { Logger } from '../../log.js';
import type { ServiceContext } from '../../services/context.js';
import { decide } from '../../services/decisions.js';
import { alreadyDecidedText } from '../actions/card-buttons.js';
import { slackErrorText } from '../errors.js';
import { parseRejectSubmission, REJECT_BLOCKS, REJECT_CALLBACK } from '../views/reject-modal.js';

/**
 * The Reject modal's submit. The decision (milliseconds) runs before the acknowledgement, so a
 * refusal — no permission, someone was faster — shows inline in the modal instead of vanishing.
 */
export function registerRejectSubmission(app: App, ctx: ServiceContext, logger: Logger): void {
  app.view(REJECT_CALLBACK, async ({ ack, view, body }) => {
    const parsed = parseRejectSubmission(view.state.values, view.private_metadata, ctx.policy.rejectionReasons);
    if (!parsed.ok) {
      await ack({ response_action: 'errors', errors: parsed.errors });
      return;
    }
    let problem: string | undefined;
    try {
      const result = await decide(ctx, parsed.handoffId, body.user.id, { kind: 'reject', reasonId: parsed.reasonId, note: parsed.note, outcome: parsed.outcome });
      if (result.kind === 'already_decided') problem = alreadyDecidedText(result, ctx.policy.calendar.timeZone);
    } catch (err) {
      problem = slackErrorText(err, logger);
    }
    await ack(problem === undefined ? undefined : { response_action: 'errors', errors: { [REJECT_BLOCKS.reason]: problem } });
  });
}
