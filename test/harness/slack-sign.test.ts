import { readFileSync } from 'node:fs';
import path from 'node:path';
import { verifySlackRequest } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { signSlackRequest, slashCommandBody } from '../helpers/slack-sign.js';

const vector = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../shared/fixtures/slack/signing-vector.slack-docs.json'), 'utf8')) as {
  signing_secret: string;
  x_slack_request_timestamp: string;
  raw_body: string;
  expected_x_slack_signature: string;
};

describe('request signer', () => {
  it("reproduces Slack's documented signature", () => {
    const headers = signSlackRequest(vector.signing_secret, vector.raw_body, Number(vector.x_slack_request_timestamp));
    expect(headers['x-slack-signature']).toBe(vector.expected_x_slack_signature);
    expect(headers['x-slack-request-timestamp']).toBe(vector.x_slack_request_timestamp);
  });

  it("signs what Bolt's own verifier accepts, and a forged body is refused", () => {
    const body = slashCommandBody({ command: '/baton', text: 'help', user_id: 'U1', channel_id: 'C1', team_id: 'T1', response_url: 'http://127.0.0.1/response/1' });
    const now = Math.floor(Date.now() / 1000);
    const headers = signSlackRequest('secret-0123456789abcdef', body, now);
    const verify = (rawBody: string): void => {
      verifySlackRequest({ signingSecret: 'secret-0123456789abcdef', body: rawBody, headers: { 'x-slack-signature': headers['x-slack-signature'], 'x-slack-request-timestamp': now } });
    };
    expect(() => { verify(body); }).not.toThrow();
    expect(() => { verify(body.replace('help', 'pwn')); }).toThrow(/signature mismatch/i);
  });
});
