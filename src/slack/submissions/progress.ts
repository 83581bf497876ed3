import type { App } from '@slack/bolt';
import type { Logger } from '../../log.js';
import type { ServiceContext } from '../../services/context.js';
import { progress } from '../../services/decisions.js';
import {
  LOST_CALLBACK,
  parseLostSubmission,
  parseQualifySubmission,
  PROGRESS_BLOCKS,
  QUALIFY_CALLBACK,
} from '../views/progress-modals.js';
import { registerModalSubmit } from './modal-submit.js';

/** Qualify and Lost modals: validated inline, then the lead moves (or the modal says why not). */
export function registerProgressSubmissions(app: App, ctx: ServiceContext, logger: Logger): void {
  registerModalSubmit(
    app,
    logger,
    QUALIFY_CALLBACK,
    PROGRESS_BLOCKS.checklist,
    (values, meta) => parseQualifySubmission(values, meta, ctx.policy.sqlChecklist),
    async (p, userId) => {
      await progress(ctx, p.handoffId, userId, { kind: 'qualify', checklist: p.checklist });
      return undefined;
    },
  );
  registerModalSubmit(
    app,
    logger,
    LOST_CALLBACK,
    PROGRESS_BLOCKS.reason,
    (values, meta) => parseLostSubmission(values, meta, ctx.policy.lostReasons),
    async (p, userId) => {
      await progress(ctx, p.handoffId, userId, { kind: 'lost', reasonId: p.reasonId, note: p.note });
      return undefined;
    },
  );
}
