import { describe, expect, it } from 'vitest';
import { isLoopback } from '../../src/http/routes/metrics.js';
import { INTAKE_TOKEN, useBatonWithSlack } from '../helpers/app.js';

/** A Prometheus text exposition, as sample name + labels → value. */
function parse(text: string): {
  value(name: string, labels?: Record<string, string>): number;
  sum(name: string, labels?: Record<string, string>): number;
} {
  const samples = text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((line) => {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries(
        [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]),
      );
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
  const matching = (name: string, labels: Record<string, string>) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return {
    value(name, labels = {}) {
      const found = matching(name, labels);
      if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
      return found[0]!.value;
    },
    sum: (name, labels = {}) => matching(name, labels).reduce((s, x) => s + x.value, 0),
  };
}

const lead = (i: number, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    externalId: `metrics-${i}`,
    source: 'web',
    email: `m${i}@acme.io`,
    firstName: 'Mia',
    lastName: `Metric ${i}`,
    title: 'VP Sales',
    company: 'Acme',
    mql: true,
    ...extra,
  });

describe('GET /metrics', () => {
  let offsetMs = 0;
  const env = useBatonWithSlack({
    baton: {
      now: () => new Date(Date.now() + offsetMs),
      outboxTuning: { channelRate: 100, pollMs: 50, maxBackoffMs: 200 },
    },
  });

  async function scrape(): Promise<ReturnType<typeof parse>> {
    const res = await fetch(`${env.baton.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parse(await res.text());
  }

  it('counts intake requests and Slack deliveries and reads the open work from the database', async () => {
    const before = await scrape();
    expect(before.value('baton_handoffs_open')).toBe(0);
    expect(before.value('baton_outbox_dead')).toBe(0);
    // The first post of the three MQLs' six messages is refused for good.
    env.slack.failNext('chat.postMessage', { ok: false, error: 'invalid_blocks' });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${env.baton.url}/api/leads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/json' },
        body: lead(i),
      });
      expect(res.status).toBe(202);
    }
    const bad = await fetch(`${env.baton.url}/api/leads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'no-source@acme.io' }),
    });
    expect(bad.status).toBe(400);
    await env.slack.waitFor('chat.postMessage', { count: 6, timeoutMs: 20_000 });
    await env.baton.outbox.idle();

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      after.sum(name, labels) - before.sum(name, labels);
    expect(delta('baton_http_requests_total', { route: '/api/leads', method: 'POST', status: '202' })).toBe(3);
    expect(delta('baton_http_requests_total', { route: '/api/leads', method: 'POST', status: '400' })).toBe(1);
    expect(delta('baton_http_request_duration_seconds_count', { route: '/api/leads' })).toBe(4);
    expect(delta('baton_slack_deliveries_total', { outcome: 'done' })).toBe(5);
    expect(delta('baton_slack_deliveries_total', { outcome: 'abandon' })).toBe(1);
    expect(delta('baton_slack_delivery_duration_seconds_count')).toBe(6);
    expect(after.value('baton_handoffs_open')).toBe(3);
    expect(after.value('baton_handoffs_overdue')).toBe(0);
    expect(after.value('baton_outbox_pending')).toBe(0);
    expect(after.value('baton_outbox_dead')).toBe(1);
    expect(after.value('baton_sla_sweep_lag_seconds')).toBe(0);
    expect(after.value('baton_process_resident_memory_bytes')).toBeGreaterThan(0);

    // A month later every handoff is overdue and its SLA steps due, until the next sweep (every
    // 5 s) performs them; a scrape right after the clock moves sees both.
    let seen = { overdue: 0, lag: 0 };
    for (let attempt = 1; attempt <= 5 && (seen.overdue === 0 || seen.lag === 0); attempt++) {
      offsetMs = attempt * 30 * 86_400_000;
      const later = await scrape();
      seen = { overdue: later.value('baton_handoffs_overdue'), lag: later.value('baton_sla_sweep_lag_seconds') };
    }
    expect(seen.overdue).toBeGreaterThan(0);
    expect(seen.lag).toBeGreaterThan(86_400);
  });

  it('labels what is not a route of ours "other"', async () => {
    await fetch(`${env.baton.url}/no/such/path?x=1`);
    const text = await (await fetch(`${env.baton.url}/metrics`)).text();
    expect(parse(text).sum('baton_http_requests_total', { route: 'other', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('/no/such/path');
  });
});

describe('GET /metrics with METRICS_TOKEN set', () => {
  const token = 'metrics-token-0123456789';
  const env = useBatonWithSlack({ baton: { config: { metricsToken: token } } });

  it('answers the bearer of the token only', async () => {
    expect((await fetch(`${env.baton.url}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${env.baton.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status,
    ).toBe(401);
    const res = await fetch(`${env.baton.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('baton_handoffs_open 0');
  });
});

describe('isLoopback (who may scrape without METRICS_TOKEN)', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.10.0.3', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.7', false],
    ['::ffff:192.168.1.4', false],
    ['fe80::1', false],
    ['1127.0.0.1', false],
    [undefined, false],
  ])('%s → %s', (address, expected) => {
    expect(isLoopback(address)).toBe(expected);
  });
});
