import { verifySlackRequest } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { signSlackRequest, slashCommandBody } from '../helpers/slack-sign.js';

/**
 * The worked example of Slack's "Verifying requests from Slack" page (a slash command's raw body,
 * signed with the page's example secret at its timestamp), copied verbatim: docs/slack-facts.md.
 */
const vector = {
  signing_secret: '8f742231b10e8888abcd99yyyzzz85a5',
  x_slack_request_timestamp: '1531420618',
  raw_body:
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  expected_x_slack_signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};

describe('request signer', () => {
  it("reproduces Slack's documented signature", () => {
    const headers = signSlackRequest(vector.signing_secret, vector.raw_body, Number(vector.x_slack_request_timestamp));
    expect(headers['x-slack-signature']).toBe(vector.expected_x_slack_signature);
    expect(headers['x-slack-request-timestamp']).toBe(vector.x_slack_request_timestamp);
  });

  it("agrees with Bolt's verifier on the documented example", () => {
    const verify = (rawBody: string): void => {
      verifySlackRequest({
        signingSecret: vector.signing_secret,
        body: rawBody,
        headers: {
          'x-slack-signature': vector.expected_x_slack_signature,
          'x-slack-request-timestamp': Number(vector.x_slack_request_timestamp),
        },
        nowMilliseconds: Number(vector.x_slack_request_timestamp) * 1000,
      });
    };
    expect(() => {
      verify(vector.raw_body);
    }).not.toThrow();
    expect(() => {
      verify(vector.raw_body.replace('roadrunner', 'coyote'));
    }).toThrow(/signature mismatch/i);
  });

  it("signs what Bolt's own verifier accepts, and a forged body is refused", () => {
    const body = slashCommandBody({
      command: '/baton',
      text: 'help',
      user_id: 'U1',
      channel_id: 'C1',
      team_id: 'T1',
      response_url: 'http://127.0.0.1/response/1',
    });
    const now = Math.floor(Date.now() / 1000);
    const headers = signSlackRequest('secret-0123456789abcdef', body, now);
    const verify = (rawBody: string): void => {
      verifySlackRequest({
        signingSecret: 'secret-0123456789abcdef',
        body: rawBody,
        headers: { 'x-slack-signature': headers['x-slack-signature'], 'x-slack-request-timestamp': now },
      });
    };
    expect(() => {
      verify(body);
    }).not.toThrow();
    expect(() => {
      verify(body.replace('help', 'pwn'));
    }).toThrow(/signature mismatch/i);
  });
});
