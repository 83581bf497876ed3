import type { App } from '@slack/bolt';
import type { Logger } from '../../log.js';
import type { ServiceContext } from '../../services/context.js';
import { progress, type ProgressStep } from '../../services/decisions.js';
import { slackErrorText } from '../errors.js';
import { LOST_CALLBACK, parseLostSubmission, parseQualifySubmission, PROGRESS_BLOCKS, QUALIFY_CALLBACK } from '../views/progress-modals.js';

/** Qualify and Lost modals: validated inline, then the lead moves (or the modal says why not). */
export function registerProgressSubmissions(app: App, ctx: ServiceContext, logger: Logger): void {
  const submit = (callback: string, errorBlock: string, parse: (values: unknown, meta: string) => ({ ok: true; handoffId: string; step: ProgressStep } | { ok: false; errors: Record<string, string> })) => {
    app.view(callback, async ({ ack, view, body }) => {
      const parsed = parse(view.state.values, view.private_metadata);
      if (!parsed.ok) {
        await ack({ response_action: 'errors', errors: parsed.errors });
        return;
      }
      let problem: string | undefined;
      try {
        await progress(ctx, parsed.handoffId, body.user.id, parsed.step);
      } catch (err) {
        problem = slackErrorText(err, logger);
      }
      await ack(problem === undefined ? undefined : { response_action: 'errors', errors: { [errorBlock]: problem } });
    });
  };
  submit(QUALIFY_CALLBACK, PROGRESS_BLOCKS.checklist, (values, meta) => {
    const p = parseQualifySubmission(values, meta, ctx.policy.sqlChecklist);
    return p.ok ? { ok: true, handoffId: p.handoffId, step: { kind: 'qualify', checklist: p.checklist } } : p;
  });
  submit(LOST_CALLBACK, PROGRESS_BLOCKS.reason, (values, meta) => {
    const p = parseLostSubmission(values, meta, ctx.policy.lostReasons);
    return p.ok ? { ok: true, handoffId: p.handoffId, step: { kind: 'lost', reasonId: p.reasonId, note: p.note } } : p;
  });
}
