import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack-standin.js';

// The stand-in ships with Baton (the sandbox serves it); tests use the very same one.
export * from '../../src/sandbox/slack-standin.js';

/**
 * A suite that talks to the stand-in alone: started before the suite, emptied before each test so
 * no test sees another's messages, closed after. Read `slack` inside tests (it is set in beforeAll).
 */
export function useSlackStandIn(): { slack: SlackStandIn } {
  const ctx = {} as { slack: SlackStandIn };
  beforeAll(async () => {
    ctx.slack = await startSlackStandIn();
  });
  afterAll(async () => {
    await ctx.slack.close();
  });
  beforeEach(() => {
    ctx.slack.reset();
  });
  return ctx;
}
