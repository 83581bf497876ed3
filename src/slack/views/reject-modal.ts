import type { KnownBlock, ModalView } from '@slack/types';
import { z } from 'zod';
import type { Policy } from '../../config/policy.js';
import { truncate } from './escape.js';
import { handoffFromMeta, modalMeta, type ParsedSubmission } from './modal-meta.js';

export const REJECT_CALLBACK = 'baton:reject';
export const REJECT_BLOCKS = { reason: 'reject_reason', note: 'reject_note', outcome: 'reject_outcome' } as const;
const ACTION = 'value';

type Reason = Policy['rejectionReasons'][number];

const option = (text: string, value: string) => ({
  text: { type: 'plain_text' as const, text: truncate(text, 75) },
  value,
});
/** Radio buttons cannot be cleared once picked, so "the reason's default" is a choice of its own. */
const DEFAULT_OUTCOME = option('As the reason says', 'default');
const OUTCOMES = [
  DEFAULT_OUTCOME,
  option('Back to marketing (nurture)', 'nurture'),
  option('Disqualify', 'disqualify'),
];

/**
 * The Reject modal: a reason from the policy, a note, an outcome. Picking a reason redraws it
 * (dispatch_action, src/slack/actions/reject-reason.ts), so the note is marked required exactly
 * when the picked reason needs one, instead of "optional" beside a note that is not.
 */
export function renderRejectModal(reasons: readonly Reason[], handoffId: string, picked?: string): ModalView {
  const reason = reasons.find((r) => r.id === picked);
  const options = reasons.slice(0, 100).map((r) => option(`${r.label}${r.noteRequired ? ' (note needed)' : ''}`, r.id));
  const initial = options.find((o) => o.value === reason?.id);
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: REJECT_BLOCKS.reason,
      dispatch_action: true,
      label: { type: 'plain_text', text: 'Why?' },
      element: {
        type: 'static_select',
        action_id: ACTION,
        placeholder: { type: 'plain_text', text: 'Pick a reason' },
        options,
        ...(initial ? { initial_option: initial } : {}),
      },
    },
    {
      type: 'input',
      block_id: REJECT_BLOCKS.note,
      optional: reason?.noteRequired !== true,
      label: {
        type: 'plain_text',
        text:
          reason?.noteRequired === true
            ? `Note for marketing (needed for "${truncate(reason.label, 60)}")`
            : 'Note for marketing',
      },
      element: { type: 'plain_text_input', action_id: ACTION, multiline: true, max_length: 2000 },
    },
    {
      type: 'input',
      block_id: REJECT_BLOCKS.outcome,
      label: { type: 'plain_text', text: 'Then' },
      element: { type: 'radio_buttons', action_id: ACTION, options: OUTCOMES, initial_option: DEFAULT_OUTCOME },
    },
  ];
  return {
    type: 'modal',
    callback_id: REJECT_CALLBACK,
    private_metadata: modalMeta(handoffId),
    title: { type: 'plain_text', text: 'Reject lead' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

const stateSchema = z.object({
  [REJECT_BLOCKS.reason]: z.object({
    [ACTION]: z.object({ selected_option: z.object({ value: z.string() }).nullable().optional() }),
  }),
  [REJECT_BLOCKS.note]: z.object({ [ACTION]: z.object({ value: z.string().nullable().optional() }) }).optional(),
  [REJECT_BLOCKS.outcome]: z
    .object({
      [ACTION]: z.object({
        selected_option: z
          .object({ value: z.enum(['default', 'nurture', 'disqualify']) })
          .nullable()
          .optional(),
      }),
    })
    .optional(),
});

export type RejectSubmission = ParsedSubmission<{
  handoffId: string;
  reasonId: string;
  note: string | undefined;
  outcome: 'nurture' | 'disqualify';
}>;

/** Pure: the submitted modal's values, or inline errors keyed by block id. */
export function parseRejectSubmission(
  values: unknown,
  privateMetadata: string,
  reasons: readonly Reason[],
): RejectSubmission {
  const handoffId = handoffFromMeta(privateMetadata);
  const state = stateSchema.safeParse(values);
  if (handoffId === undefined || !state.success)
    return {
      ok: false,
      errors: { [REJECT_BLOCKS.reason]: 'This form is out of date; close it and click Reject again.' },
    };
  const reasonId = state.data[REJECT_BLOCKS.reason][ACTION].selected_option?.value;
  const reason = reasons.find((r) => r.id === reasonId);
  if (!reason) return { ok: false, errors: { [REJECT_BLOCKS.reason]: 'Pick a reason.' } };
  const note = state.data[REJECT_BLOCKS.note]?.[ACTION].value?.trim() || undefined;
  if (reason.noteRequired && note === undefined)
    return {
      ok: false,
      errors: { [REJECT_BLOCKS.note]: `"${reason.label}" needs a note, so marketing can act on it.` },
    };
  const chosen = state.data[REJECT_BLOCKS.outcome]?.[ACTION].selected_option?.value;
  const outcome = chosen === undefined || chosen === 'default' ? reason.outcome : chosen;
  return { ok: true, handoffId, reasonId: reason.id, note, outcome };
}
