import type { ServiceContext } from '../services/context.js';
import type { SlackDeliveryKind } from '../services/delivery-catalogue.js';
import type { Senders } from '../services/outbox.js';
import type { WebClient } from './client.js';
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
  return {
    post_card: (p, row) => postCard(ctx, client, p, row),
    post_marketing_note: (p, row) => postMarketingNote(ctx, client, p, row),
    update_card: (p, row) => updateCard(ctx, client, p, row),
    thread_reply: (p, row) => threadReply(ctx, client, p, row),
    sla_remind_rep: (p, row) => remindRep(ctx, client, p, row),
    sla_notices: (p, row) => notices(ctx, client, p, row),
    sla_refresh_notices: (p, row) => refreshNotices(ctx, client, p, row),
    sla_breach_note: (p, row) => breachNote(ctx, client, p, row),
    sla_thread_line: (p, row) => threadLine(ctx, client, p, row),
    sla_reassigned: (p, row) => tellReassigned(ctx, client, p, row),
    sla_team_digest: (p, row) => teamDigest(ctx, client, p, row),
    reports_digest: (p, row) => reportsDigest(ctx, client, p, row),
    reports_trend_chart: (p, row) => trendChart(ctx, client, p, row),
  };
}
