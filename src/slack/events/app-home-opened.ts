import type { App } from '@slack/bolt';
import type { WebClient } from '../client.js';
import type { Logger } from '../../log.js';
import type { ServiceContext } from '../../services/context.js';
import { homeFor } from '../../services/home.js';
import { renderHome } from '../views/home.js';

/** Renders and publishes someone's Home tab from what the store holds now. */
export async function publishHome(ctx: ServiceContext, client: WebClient, userId: string): Promise<void> {
  await client.views.publish({ user_id: userId, view: renderHome(await homeFor(ctx, userId)) });
}

/** The Home tab is rebuilt each time it is opened (Bolt has already acknowledged the event). */
export function registerAppHomeOpened(app: App, ctx: ServiceContext, logger: Logger): void {
  app.event('app_home_opened', async ({ event, client }) => {
    // The same event fires for the Messages tab, which has nothing to publish.
    if (event.tab !== 'home') return;
    try {
      await publishHome(ctx, client, event.user);
    } catch (err) {
      logger.error({ err, user: event.user }, 'publishing the App Home failed');
    }
  });
}
