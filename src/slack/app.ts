import type { RequestListener } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { Logger } from '../log.js';
import { slackClientOptions, type BotIdentity } from './client.js';
import { boltLogger } from './logger.js';
import { refuseFutureRequests } from './request-time.js';

export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackAppSettings {
  botToken: string;
  signingSecret: string;
  appToken: string | undefined;
  apiUrl: string | undefined;
}

export interface SlackApp {
  app: App;
  /** Set in HTTP mode: mounted at /slack/events on our own server. */
  httpListener: RequestListener | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The Bolt app with its receiver (docs/slack-facts.md, "Requests from Slack"): HTTP at /slack/events, or Socket Mode when an
 * app token is set. Bolt never calls auth.test itself: the identity was resolved at start-up.
 */
export function createSlackApp(settings: SlackAppSettings, identity: BotIdentity, logger: Logger): SlackApp {
  const slackLogger = boltLogger(logger);
  const common = {
    token: settings.botToken,
    botId: identity.botId,
    botUserId: identity.botUserId,
    logger: slackLogger,
    clientOptions: slackClientOptions({ botToken: settings.botToken, apiUrl: settings.apiUrl }, logger),
  };
  if (settings.appToken !== undefined) {
    // The Socket Mode client makes its own Web API client: it must honour SLACK_API_URL too.
    const receiver = new SocketModeReceiver({
      appToken: settings.appToken,
      logger: slackLogger,
      installerOptions: {
        clientOptions: { ...(settings.apiUrl !== undefined ? { slackApiUrl: settings.apiUrl } : {}) },
      },
    });
    const app = new App({ ...common, receiver });
    return {
      app,
      httpListener: undefined,
      start: async () => {
        await app.start();
      },
      stop: () => app.stop().then(() => undefined),
    };
  }
  const receiver = new HTTPReceiver({
    signingSecret: settings.signingSecret,
    endpoints: [SLACK_EVENTS_PATH],
    logger: slackLogger,
    processBeforeResponse: false,
  });
  const app = new App({ ...common, receiver });
  return {
    app,
    httpListener: refuseFutureRequests(receiver.requestListener, logger),
    // Our own server carries the listener; nothing to start or stop in Bolt.
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
  };
}
