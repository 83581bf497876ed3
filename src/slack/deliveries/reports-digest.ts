import { parsePeriod } from '../../domain/reports/periods.js';
import { funnelReport, velocityReport } from '../../services/reports.js';
import { postExactlyOnce, type SlackSender } from '../delivery.js';
import { renderDigest } from '../views/report-messages.js';

/** The weekly digest to the reports channel, computed when delivered for the week it was queued for. */
export const reportsDigest: SlackSender<'reports_digest'> = async (ctx, client, payload, row) => {
  const period = parsePeriod(payload.period);
  if (!period || !row.channel)
    return { kind: 'abandon', error: `digest period "${payload.period}" or its channel is missing` };
  const [funnel, velocity] = await Promise.all([funnelReport(ctx, period), velocityReport(ctx, period)]);
  return postExactlyOnce(ctx, client, row, { channel: row.channel, ...renderDigest(funnel, velocity) });
};
