import type { App } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { Policy } from '../../config/policy.js';
import type { Logger } from '../../log.js';
import type { ServiceContext } from '../../services/context.js';
import { decide, progress } from '../../services/decisions.js';
import { acknowledge, reassignByManager } from '../../services/escalation.js';
import type { WebClient } from '../client.js';
import { slackErrorText } from '../errors.js';
import { publishHome } from '../events/app-home-opened.js';
import { ACTION_ID_PATTERN, parseAction } from '../ids.js';
import { renderLostModal, renderQualifyModal } from '../views/progress-modals.js';
import { renderRejectModal } from '../views/reject-modal.js';
import { alreadyDecidedText, formatDue } from '../views/card.js';

/** The modal each of these buttons opens, with the policy's choices. */
const MODALS: Record<'reject' | 'qualify' | 'lost', (policy: Policy, handoffId: string) => ModalView> = {
  reject: (policy, handoffId) => renderRejectModal(policy.rejectionReasons, handoffId),
  qualify: (policy, handoffId) => renderQualifyModal(policy.sqlChecklist, handoffId),
  lost: (policy, handoffId) => renderLostModal(policy.lostReasons, handoffId),
};

/** Buttons on the MQL card: acknowledged at once, then decided in Postgres. */
export function registerCardButtons(app: App, ctx: ServiceContext, logger: Logger): void {
  app.action(ACTION_ID_PATTERN, async ({ ack, action, body, respond, client }) => {
    await ack();
    // A click on the Home tab comes with the view and no response_url: answers go by DM, and the
    // clicker's Home is published again so the lead they just decided leaves their queue.
    const fromHome = 'view' in body && body.view?.type === 'home';
    const say = fromHome
      ? (text: string) => tellInDm(client, body.user.id, text)
      : (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
    const parsed = 'action_id' in action ? parseAction(action.action_id) : undefined;
    if (!parsed) {
      await say('This button belongs to an older version of Baton and no longer works.');
      return;
    }
    try {
      switch (parsed.kind) {
        case 'accept': {
          const result = await decide(ctx, parsed.handoffId, body.user.id, { kind: 'accept' });
          if (result.kind === 'already_decided') await say(alreadyDecidedText(result, ctx.policy.calendar.timeZone));
          return;
        }
        // trigger_id lives 3 s and works once: modals open before any database round trip.
        case 'reject':
        case 'qualify':
        case 'lost':
          if ('trigger_id' in body)
            await client.views.open({
              trigger_id: body.trigger_id,
              view: MODALS[parsed.kind](ctx.policy, parsed.handoffId),
            });
          return;
        case 'opportunity':
        case 'won':
        case 'return':
          await progress(ctx, parsed.handoffId, body.user.id, { kind: parsed.kind });
          return;
        case 'ack_escalation': {
          const result = await acknowledge(ctx, parsed.handoffId, body.user.id);
          if (result.kind === 'acknowledged')
            await say('Acknowledged: the notices for this lead stop. It is still waiting for a decision.');
          else
            await say(
              `${result.by === body.user.id ? 'You already acknowledged this lead' : `Already acknowledged by <@${result.by}>`} on ${formatDue(result.at, ctx.policy.calendar.timeZone)}.`,
            );
          return;
        }
        case 'reassign': {
          const to = await reassignByManager(ctx, parsed.handoffId, body.user.id);
          await say(`Reassigned to <@${to}>: their clock starts now, and they have been told.`);
          return;
        }
      }
    } catch (err) {
      await say(slackErrorText(err, logger));
    } finally {
      if (fromHome && parsed.kind === 'accept')
        await publishHome(ctx, client, body.user.id).catch((err: unknown) => {
          logger.error({ err }, 'republishing the App Home failed');
        });
    }
  });
}

async function tellInDm(client: WebClient, userId: string, text: string): Promise<void> {
  const dm = await client.conversations.open({ users: userId });
  if (dm.channel?.id) await client.chat.postMessage({ channel: dm.channel.id, text });
}
