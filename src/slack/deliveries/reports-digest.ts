import { z } from 'zod';
import { parsePeriod } from '../../domain/reports/periods.js';
import type { ServiceContext } from '../../services/context.js';
import type { DeliveryOutcome, OutboxRow } from '../../services/outbox.js';
import { funnelReport, velocityReport } from '../../services/reports.js';
import type { WebClient } from '../client.js';
import { postExactlyOnce } from '../delivery.js';
import { renderDigest } from '../views/reports.js';

const payload = z.object({ period: z.string() });

/** The weekly digest to the reports channel, computed when delivered for the week it was queued for. */
export async function deliverReportsDigest(ctx: ServiceContext, client: WebClient, row: OutboxRow): Promise<DeliveryOutcome> {
  const parsed = payload.safeParse(row.payload);
  const period = parsed.success ? parsePeriod(parsed.data.period) : undefined;
  if (!period || !row.channel) return { kind: 'abandon', error: 'malformed digest payload' };
  const [funnel, velocity] = await Promise.all([funnelReport(ctx, period), velocityReport(ctx, period)]);
  return postExactlyOnce(ctx, client, row, { channel: row.channel, ...renderDigest(funnel, velocity) });
}
