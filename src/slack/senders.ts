import type { ServiceContext } from '../services/context.js';
import type { SlackDeliveryKind } from '../services/delivery-catalogue.js';
import type { Sender, Senders } from '../services/outbox.js';
import type { WebClient } from './client.js';
import type { SlackSender } from './delivery.js';
import {
  breachNote,
  notices,
  refreshNotices,
  remindRep,
  teamDigest,
  tellReassigned,
  threadLine,
} from './deliveries/sla-senders.js';
import { postCard, postMarketingNote, threadReply, updateCard } from './deliveries/handoff.js';
import { reportsDigest } from './deliveries/reports-digest.js';
import { trendChart } from './deliveries/trend-chart.js';

/** How each Slack kind of delivery (src/services/delivery-catalogue.ts) reaches Slack; a kind without a sender does not compile. */
export function slackSenders(ctx: ServiceContext, client: WebClient): Senders<SlackDeliveryKind> {
  const bind =
    <K extends SlackDeliveryKind>(send: SlackSender<K>): Sender<K> =>
    (p, row) =>
      send(ctx, client, p, row);
  return {
    post_card: bind(postCard),
    post_marketing_note: bind(postMarketingNote),
    update_card: bind(updateCard),
    thread_reply: bind(threadReply),
    sla_remind_rep: bind(remindRep),
    sla_notices: bind(notices),
    sla_refresh_notices: bind(refreshNotices),
    sla_breach_note: bind(breachNote),
    sla_thread_line: bind(threadLine),
    sla_reassigned: bind(tellReassigned),
    sla_team_digest: bind(teamDigest),
    reports_digest: bind(reportsDigest),
    reports_trend_chart: bind(trendChart),
  };
}
