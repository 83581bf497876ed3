import type { KnownBlock, ModalView } from '@slack/types';
import { z } from 'zod';
import type { Policy } from '../../config/policy.js';
import { truncate } from './escape.js';
import { handoffFromMeta, modalMeta, type Parsed } from './modal-meta.js';

export const REJECT_CALLBACK = 'baton:reject';
export const REJECT_BLOCKS = { reason: 'reject_reason', note: 'reject_note', outcome: 'reject_outcome' } as const;
const ACTION = 'value';

type Reason = Policy['rejectionReasons'][number];

const option = (text: string, value: string) => ({ text: { type: 'plain_text' as const, text: truncate(text, 75) }, value });
const OUTCOMES = [option('Back to marketing (nurture)', 'nurture'), option('Disqualify', 'disqualify')];

/** The Reject modal: a reason from the policy, a note (required where the reason says), an outcome. */
export function renderRejectModal(reasons: readonly Reason[], handoffId: string): ModalView {
  const blocks: KnownBlock[] = [
    { type: 'input', block_id: REJECT_BLOCKS.reason, label: { type: 'plain_text', text: 'Why?' }, element: { type: 'static_select', action_id: ACTION, placeholder: { type: 'plain_text', text: 'Pick a reason' }, options: reasons.slice(0, 100).map((r) => option(`${r.label}${r.noteRequired ? ' (note needed)' : ''}`, r.id)) } },
    { type: 'input', block_id: REJECT_BLOCKS.note, optional: true, label: { type: 'plain_text', text: 'Note for marketing' }, element: { type: 'plain_text_input', action_id: ACTION, multiline: true, max_length: 2000 } },
    { type: 'input', block_id: REJECT_BLOCKS.outcome, optional: true, label: { type: 'plain_text', text: 'Then' }, hint: { type: 'plain_text', text: "Leave empty to follow the reason's default." }, element: { type: 'radio_buttons', action_id: ACTION, options: OUTCOMES } },
  ];
  return { type: 'modal', callback_id: REJECT_CALLBACK, private_metadata: modalMeta(handoffId), title: { type: 'plain_text', text: 'Reject lead' }, submit: { type: 'plain_text', text: 'Reject' }, close: { type: 'plain_text', text: 'Cancel' }, blocks };
}

const stateSchema = z.object({
  [REJECT_BLOCKS.reason]: z.object({ [ACTION]: z.object({ selected_option: z.object({ value: z.string() }).nullable().optional() }) }),
  [REJECT_BLOCKS.note]: z.object({ [ACTION]: z.object({ value: z.string().nullable().optional() }) }).optional(),
  [REJECT_BLOCKS.outcome]: z.object({ [ACTION]: z.object({ selected_option: z.object({ value: z.enum(['nurture', 'disqualify']) }).nullable().optional() }) }).optional(),
});

export type RejectSubmission = Parsed<{ handoffId: string; reasonId: string; note: string | undefined; outcome: 'nurture' | 'disqualify' }>;

/** Pure: the submitted modal's values, or inline errors keyed by block id. */
export function parseRejectSubmission(values: unknown, privateMetadata: string, reasons: readonly Reason[]): RejectSubmission {
  const handoffId = handoffFromMeta(privateMetadata);
  const state = stateSchema.safeParse(values);
  if (handoffId === undefined || !state.success) return { ok: false, errors: { [REJECT_BLOCKS.reason]: 'This form is out of date; close it and click Reject again.' } };
  const reasonId = state.data[REJECT_BLOCKS.reason][ACTION].selected_option?.value;
  const reason = reasons.find((r) => r.id === reasonId);
  if (!reason) return { ok: false, errors: { [REJECT_BLOCKS.reason]: 'Pick a reason.' } };
  const note = state.data[REJECT_BLOCKS.note]?.[ACTION].value?.trim() || undefined;
  if (reason.noteRequired && note === undefined) return { ok: false, errors: { [REJECT_BLOCKS.note]: `"${reason.label}" needs a note, so marketing can act on it.` } };
  const outcome = state.data[REJECT_BLOCKS.outcome]?.[ACTION].selected_option?.value ?? reason.outcome;
  return { ok: true, handoffId, reasonId: reason.id, note, outcome };
}
