import type { App } from '@slack/bolt';
import type { Logger } from '../../log.js';
import { slackErrorText } from '../errors.js';
import type { ParsedSubmission } from '../views/modal-meta.js';

/**
 * A modal whose submit changes a lead. Values are parsed into inline errors or an action; the
 * action (milliseconds of database work) runs before the acknowledgement, so a refusal — no
 * permission, someone was faster, an illegal move — shows in the modal instead of vanishing.
 * `act` returns a problem to show, or undefined when the change was made.
 */
export function registerModalSubmit<T>(
  app: App,
  logger: Logger,
  callbackId: string,
  errorBlock: string,
  parse: (values: unknown, privateMetadata: string) => ParsedSubmission<T>,
  act: (parsed: T, userId: string) => Promise<string | undefined>,
): void {
  app.view(callbackId, async ({ ack, view, body }) => {
    const parsed = parse(view.state.values, view.private_metadata);
    if (!parsed.ok) {
      await ack({ response_action: 'errors', errors: parsed.errors });
      return;
    }
    let problem: string | undefined;
    try {
      problem = await act(parsed, body.user.id);
    } catch (err) {
      problem = slackErrorText(err, logger);
    }
    await ack(problem === undefined ? undefined : { response_action: 'errors', errors: { [errorBlock]: problem } });
  });
}
