import { describe, expect, it } from 'vitest';
import { INTAKE_TOKEN, useBatonWithSlack } from '../helpers/app.js';

/* docs/delivery.md: secrets and personal data never appear in logs, even when things fail. */
describe('logs at info level', () => {
  const env = useBatonWithSlack({ baton: { config: { logLevel: 'info' }, outboxTuning: { channelRate: 100, pollMs: 50, maxBackoffMs: 200 } } });

  it('carry no email, phone or token, through a delivery that fails and is retried', async () => {
    env.slack.failNext('chat.postMessage', { status: 500 }, 2);
    env.slack.failNext('chat.postMessage', { ok: false, error: 'not_in_channel' });
    const res = await fetch(`${env.baton.url}/api/leads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ externalId: 'pii-1', source: 'web', email: 'secret.person@private.example', phone: '+46 70 555 12 34', firstName: 'Sec', lastName: 'Ret', title: 'VP Sales', activities: [{ type: 'demo_request', at: new Date().toISOString() }] }),
    });
    expect(res.status).toBe(202);
    await env.slack.waitFor('chat.postMessage', { count: 5, timeoutMs: 10_000 });
    await env.baton.outbox.idle();
    const all = env.baton.logs.join('\n');
    expect(env.baton.logs.length).toBeGreaterThan(0);
    expect(all).toMatch(/slack delivery failed; will retry/);
    for (const secret of ['secret.person@private.example', '555 12 34', INTAKE_TOKEN, 'xoxb-test', '8f742231b10e8888abcd99yyyzzz85a5']) expect(all).not.toContain(secret);
  });
});
