import type { App } from '@slack/bolt';
import { renderBatonHelp } from '../views/help.js';

/** `/baton`: help now; away/back/lead/pace arrive with the decision flows. */
export function registerBatonCommand(app: App): void {
  app.command('/baton', async ({ ack, command }) => {
    const words = command.text.trim().split(/\s+/).filter(Boolean);
    const sub = words[0]?.toLowerCase();
    const reply = renderBatonHelp(sub === undefined || sub === 'help' ? undefined : sub);
    await ack({ response_type: 'ephemeral', ...reply });
  });
}
