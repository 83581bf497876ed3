import type { App } from '@slack/bolt';
import type { Logger } from '../../log.js';
import type { ServiceContext } from '../../services/context.js';
import { handoffFromMeta } from '../views/modal-meta.js';
import { REJECT_BLOCKS, renderRejectModal } from '../views/reject-modal.js';

/** A reason picked in the Reject modal: the modal is redrawn so the note says whether it is needed. */
export function registerRejectReason(app: App, ctx: ServiceContext, logger: Logger): void {
  app.action({ block_id: REJECT_BLOCKS.reason, action_id: 'value' }, async ({ ack, action, body, client }) => {
    await ack();
    if (action.type !== 'static_select' || body.type !== 'block_actions' || !body.view) return;
    const handoffId = handoffFromMeta(body.view.private_metadata);
    if (handoffId === undefined) return;
    // The hash makes Slack refuse the update if the modal changed meanwhile (a submit won the race).
    await client.views
      .update({
        view_id: body.view.id,
        hash: body.view.hash,
        view: renderRejectModal(ctx.policy.rejectionReasons, handoffId, action.selected_option.value),
      })
      .catch((err: unknown) => {
        logger.warn({ err }, 'redrawing the Reject modal failed');
      });
  });
}
