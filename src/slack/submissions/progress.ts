import type { App } from '@slack/bolt';
import type { Logger } from '../../log.js';
import type { ServiceContext } from '../../services/context.js';
import { progress, type ProgressStep } from '../../services/decisions.js';
import {
  LOST_CALLBACK,
  parseLostSubmission,
  parseQualifySubmission,
  PROGRESS_BLOCKS,
  QUALIFY_CALLBACK,
} from '../views/progress-modals.js';
import type { ParsedSubmission } from '../views/modal-meta.js';
import { registerModalSubmit } from './modal-submit.js';

/** Qualify and Lost modals: validated inline, then the lead moves (or the modal says why not). */
export function registerProgressSubmissions(app: App, ctx: ServiceContext, logger: Logger): void {
  const moveOn = <T extends { handoffId: string }>(
    callbackId: string,
    errorBlock: string,
    parse: (values: unknown, privateMetadata: string) => ParsedSubmission<T>,
    step: (parsed: T) => ProgressStep,
  ): void => {
    registerModalSubmit(app, logger, callbackId, errorBlock, parse, async (p, userId) => {
      await progress(ctx, p.handoffId, userId, step(p));
      return undefined;
    });
  };
  moveOn(
    QUALIFY_CALLBACK,
    PROGRESS_BLOCKS.checklist,
    (values, meta) => parseQualifySubmission(values, meta, ctx.policy.sqlChecklist),
    (p) => ({ kind: 'qualify', checklist: p.checklist }),
  );
  moveOn(
    LOST_CALLBACK,
    PROGRESS_BLOCKS.reason,
    (values, meta) => parseLostSubmission(values, meta, ctx.policy.lostReasons),
    (p) => ({ kind: 'lost', reasonId: p.reasonId, note: p.note }),
  );
}
