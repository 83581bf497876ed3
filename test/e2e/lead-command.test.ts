import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { useBatonWithSlack } from '../helpers/app.js';
import { clickHandoff, postedHandoff, typeCommand } from '../helpers/flows.js';

// Logging at info, to check the email never reaches the logs there.
const env = useBatonWithSlack({
  baton: {
    config: { logLevel: 'info' },
    outboxTuning: { channelRate: 200, channelBurst: 20, pollMs: 50, maxBackoffMs: 300 },
  },
});

let seq = 0;
async function lead(
  user: string,
  text: string,
): Promise<{ status: number; body: string; reply: Record<string, unknown> }> {
  seq += 1;
  const before = env.slack.callsTo('response_url').length;
  const res = await typeCommand(env, { text, userId: user, reply: `lead-${seq}` });
  const replies = await env.slack.waitFor('response_url', { count: before + 1 });
  return { status: res.status, body: res.body, reply: replies.at(-1)!.body };
}

describe('/baton lead EMAIL', () => {
  it("shows the lead's card and its history in order, times in the asker's zone, only to the asker", async () => {
    const h = await postedHandoff(env);
    const email = rowsOf<{ email: string }>(
      await env.baton.database.db.execute(
        sql`select l.email from leads l join handoffs h on h.lead_id = l.id where h.id = ${h.handoffId}`,
      ),
    )[0]!.email;
    await clickHandoff(env, {
      kind: 'accept',
      handoffId: h.handoffId,
      userId: h.rep,
      messageTs: h.cardTs,
      reply: 'click',
    });
    await env.slack.waitFor('chat.update');
    await env.baton.outbox.idle();

    // Slack escapes an email in a command's text as a mailto link; the case of the address does not matter.
    const upper = email.toUpperCase();
    const { status, body, reply } = await lead('U0CARL', `lead <mailto:${upper}|${upper}>`);
    expect(status).toBe(200);
    expect(body).toBe('');
    expect(reply.response_type).toBe('ephemeral');
    const blocks = JSON.stringify(reply.blocks);
    expect(blocks).toContain('New MQL: Flo');
    expect(blocks).toContain(`Accepted by <@${h.rep}>`);
    // Carl works in New York: the history is in his zone.
    expect(blocks).toContain('times in America/New_York');
    const history = (reply.blocks as { type: string; text?: { text: string } }[])
      .map((b) => b.text?.text ?? '')
      .find((t) => t.includes('*Accepted*'))!;
    const lines = history.split('\n');
    const types = rowsOf<{ type: string }>(
      await env.baton.database.db.execute(
        sql`select e.type from events e join handoffs h on h.lead_id = e.lead_id where h.id = ${h.handoffId} order by e.at, e.id`,
      ),
    ).map((r) => r.type);
    expect(types.slice(0, 2)).toEqual(['created', 'handoff_started']);
    expect(lines).toHaveLength(types.length);
    // Every line in people's words: no internal ids such as "by baton: _score_threshold_".
    expect(lines[1]).toContain(
      '*Handed to sales* lead → MQL by Baton, automatically: _the score reached the MQL threshold_',
    );
    expect(history).not.toMatch(/score_threshold|handoff_started|by baton\b|→ sal\b/);
    expect(lines.at(-1)).toContain(`*Accepted* MQL → accepted by <@${h.rep}>`);
    const events = rowsOf<{ at: Date | string }>(
      await env.baton.database.db.execute(
        sql`select e.at from events e join handoffs h on h.lead_id = e.lead_id where h.id = ${h.handoffId} and e.type = 'accepted'`,
      ),
    );
    const acceptedAt = new Date(events[0]!.at);
    const inNewYork = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'America/New_York',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(acceptedAt);
    expect(lines.at(-1)).toContain(`\`${inNewYork}\``);
    expect(env.baton.logs.join('\n').toLowerCase()).not.toContain(email.toLowerCase());
  });

  it('an unknown email gets a clear answer, and nothing about it is logged', async () => {
    const { status, reply } = await lead('U0EVA', 'lead nobody@nowhere.example');
    expect(status).toBe(200);
    expect(reply).toMatchObject({ response_type: 'ephemeral' });
    expect(String(reply.text)).toContain('No lead in Baton has the email nobody@nowhere.example');
    expect(env.baton.logs.join('\n')).not.toContain('nobody@nowhere.example');
  });

  it('the usage names the command', async () => {
    const res = await typeCommand(env, { text: 'lead', userId: 'U0EVA', reply: 'usage' });
    expect(JSON.stringify(res.json)).toContain('/baton lead EMAIL');
  });
  it('is refused to someone the policy does not name, without revealing whether the lead exists', async () => {
    const { status, reply } = await lead('U0STRANGER', 'lead nobody@nowhere.example');
    expect(status).toBe(200);
    expect(String(reply.text)).toContain('Only the reps, managers and marketers');
    expect(String(reply.text)).not.toContain('nobody@nowhere.example');
  });
});
