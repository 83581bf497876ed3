import { z } from 'zod';
import { renderChartPng } from '../../charts/render.js';
import { trendChartFor } from '../../services/charts.js';
import type { ServiceContext } from '../../services/context.js';
import type { DeliveryOutcome, OutboxRow } from '../../services/outbox.js';
import { findUploaded, uploadChart } from '../charts.js';
import type { WebClient } from '../client.js';
import { failureOutcome } from '../delivery.js';

const payload = z.object({ period: z.string().regex(/^\d{4}-\d{2}-\d{2}\.\.(\d{4}-\d{2}-\d{2})$/) });

/**
 * The weekly digest's 12-week trend chart, after the digest in the reports channel. The file's
 * title names the digest's week, so a retry whose first upload went through finds it instead of
 * uploading it twice.
 */
export async function deliverTrendChart(ctx: ServiceContext, client: WebClient, row: OutboxRow): Promise<DeliveryOutcome> {
  const parsed = payload.safeParse(row.payload);
  if (!parsed.success || !row.channel) return { kind: 'abandon', error: 'malformed trend chart payload' };
  const lastDay = parsed.data.period.slice(-10);
  const title = `Baton trend: 12 weeks to ${lastDay}`;
  try {
    if (row.attempts > 1 && (await findUploaded(client, row.channel, title, row.createdAt))) return { kind: 'done', result: { channel: row.channel, recovered: true } };
    // The week after the digest's last day: the chart's twelve weeks end with the digest's week.
    const chart = await trendChartFor(ctx, new Date(Date.parse(`${lastDay}T12:00:00Z`) + 86_400_000 * 2));
    await uploadChart(client, { channel: row.channel, comment: `${chart.title}: MQLs, acceptance and SLA compliance per week`, title }, chart, await renderChartPng(chart.spec));
    return { kind: 'done', result: { channel: row.channel } };
  } catch (err) {
    return failureOutcome(err, ctx, row);
  }
}
