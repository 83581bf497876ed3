import { renderChartPng } from '../../charts/render.js';
import { trendChartFor } from '../../services/charts.js';
import { findUploaded, uploadChart } from '../charts.js';
import { failureOutcome, type SlackSender } from '../delivery.js';

/**
 * The weekly digest's 12-week trend chart, after the digest in the reports channel. The file's
 * title names the digest's week, so a retry whose first upload went through finds it instead of
 * uploading it twice.
 */
export const trendChart: SlackSender<'reports_trend_chart'> = async (ctx, client, payload, row) => {
  if (!row.channel) return { kind: 'abandon', error: 'the trend chart has no channel' };
  const lastDay = payload.period.slice(-10);
  const title = `Baton trend: 12 weeks to ${lastDay}`;
  try {
    if (row.attempts > 1 && (await findUploaded(client, row.channel, title, row.createdAt)))
      return { kind: 'done', result: { channel: row.channel, recovered: true } };
    // The week after the digest's last day: the chart's twelve weeks end with the digest's week.
    const chart = await trendChartFor(ctx, new Date(Date.parse(`${lastDay}T12:00:00Z`) + 86_400_000 * 2));
    await uploadChart(
      client,
      { channel: row.channel, comment: `${chart.title}: MQLs, acceptance and SLA compliance per week`, title },
      chart,
      await renderChartPng(chart.spec),
    );
    return { kind: 'done', result: { channel: row.channel } };
  } catch (err) {
    return failureOutcome(err, ctx, row);
  }
};
