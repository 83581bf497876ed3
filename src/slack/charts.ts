import { renderChartPng } from '../charts/render.js';
import type { Chart } from '../charts/specs.js';
import { reportChart, type ChartRequest } from '../services/charts.js';
import type { ServiceContext } from '../services/context.js';
import type { WebClient } from './client.js';
import { findInHistory } from './history.js';

/*
 * Charts reach Slack as uploaded PNG files (files.uploadV2: getUploadURLExternal, the bytes,
 * completeUploadExternal; scope files:write). Slack shows an image only from a public URL or a
 * file it holds, and Baton has no public file host.
 */

export interface ChartTarget {
  readonly channel: string;
  /** The message text shown with the image. */
  readonly comment: string;
  /** The file's title; unique per delivery where a retry must find an earlier upload. */
  readonly title?: string;
}

const filename = (title: string): string =>
  `${
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'chart'
  }.png`;

export async function uploadChart(client: WebClient, target: ChartTarget, chart: Chart, png: Buffer): Promise<void> {
  const title = target.title ?? chart.title;
  await client.files.uploadV2({
    channel_id: target.channel,
    initial_comment: target.comment,
    file: png,
    filename: filename(title),
    title,
    alt_text: chart.alt,
  });
}

/** A chart for one person: in their direct message with Baton, where only they see it. */
export async function sendChartToUser(
  client: WebClient,
  user: string,
  chart: Chart,
  png: Buffer,
  comment: string,
): Promise<string> {
  const dm = await client.conversations.open({ users: user });
  const channel = dm.channel?.id;
  if (channel === undefined) throw new Error('conversations.open answered without a channel');
  await uploadChart(client, { channel, comment }, chart, png);
  return channel;
}

/** Whether the channel already holds a file with this title since `since` (a retry after a lost answer). */
export async function findUploaded(client: WebClient, channel: string, title: string, since: Date): Promise<boolean> {
  return (
    (await findInHistory(client, { channel }, (m) => (m.files ?? []).some((f) => f.title === title), since)) !==
    undefined
  );
}

/** Draws a report's chart and sends it to `user`; answers what to tell them where it went. */
export async function sendReportChart(
  ctx: ServiceContext,
  client: WebClient,
  user: string,
  req: ChartRequest,
): Promise<string> {
  const chart = await reportChart(ctx, req);
  const channel = await sendChartToUser(
    client,
    user,
    chart,
    await renderChartPng(chart.spec),
    `${chart.title} (${ctx.policy.reportingTimeZone})`,
  );
  return `:bar_chart: The chart is in your direct messages with Baton: <#${channel}>.`;
}
