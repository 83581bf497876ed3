import type { ModalView } from '@slack/types';
import { z } from 'zod';
import type { Policy } from '../../config/policy.js';
import { truncate } from './escape.js';
import { handoffFromMeta, modalMeta, type ParsedSubmission } from './modal-meta.js';

export const QUALIFY_CALLBACK = 'baton:qualify';
export const LOST_CALLBACK = 'baton:lost';
export const PROGRESS_BLOCKS = { checklist: 'qualify_checklist', reason: 'lost_reason', note: 'lost_note' } as const;
const ACTION = 'value';

const option = (text: string, value: string) => ({
  text: { type: 'plain_text' as const, text: truncate(text, 75) },
  value,
});
const modal = (
  callback: string,
  title: string,
  submit: string,
  handoffId: string,
  blocks: ModalView['blocks'],
): ModalView => ({
  type: 'modal',
  callback_id: callback,
  private_metadata: modalMeta(handoffId),
  title: { type: 'plain_text', text: title },
  submit: { type: 'plain_text', text: submit },
  close: { type: 'plain_text', text: 'Cancel' },
  blocks,
});

/** Qualify (SAL → SQL): the policy's checklist; the required items are marked and enforced. */
export function renderQualifyModal(checklist: Policy['sqlChecklist'], handoffId: string): ModalView {
  return modal(QUALIFY_CALLBACK, 'Qualify as SQL', 'Qualify', handoffId, [
    {
      type: 'input',
      block_id: PROGRESS_BLOCKS.checklist,
      optional: true,
      label: { type: 'plain_text', text: 'What do you know? (* required)' },
      element: {
        type: 'checkboxes',
        action_id: ACTION,
        options: checklist.slice(0, 10).map((c) => option(`${c.label}${c.required ? ' *' : ''}`, c.id)),
      },
    },
  ]);
}

/** Lost: a reason from the policy and an optional note. */
export function renderLostModal(reasons: Policy['lostReasons'], handoffId: string): ModalView {
  return modal(LOST_CALLBACK, 'Mark as lost', 'Lost', handoffId, [
    {
      type: 'input',
      block_id: PROGRESS_BLOCKS.reason,
      label: { type: 'plain_text', text: 'Why was it lost?' },
      element: {
        type: 'static_select',
        action_id: ACTION,
        options: reasons.slice(0, 100).map((r) => option(r.label, r.id)),
      },
    },
    {
      type: 'input',
      block_id: PROGRESS_BLOCKS.note,
      optional: true,
      label: { type: 'plain_text', text: 'Note' },
      element: { type: 'plain_text_input', action_id: ACTION, multiline: true, max_length: 2000 },
    },
  ]);
}

const stale = (block: string) => ({
  ok: false as const,
  errors: { [block]: 'This form is out of date; close it and click again.' },
});

const checklistState = z.object({
  [PROGRESS_BLOCKS.checklist]: z
    .object({
      [ACTION]: z.object({
        selected_options: z
          .array(z.object({ value: z.string() }))
          .nullable()
          .optional(),
      }),
    })
    .optional(),
});

export function parseQualifySubmission(
  values: unknown,
  privateMetadata: string,
  checklist: Policy['sqlChecklist'],
): ParsedSubmission<{ handoffId: string; checklist: string[] }> {
  const handoffId = handoffFromMeta(privateMetadata);
  const state = checklistState.safeParse(values);
  if (!handoffId || !state.success) return stale(PROGRESS_BLOCKS.checklist);
  const ticked = new Set((state.data[PROGRESS_BLOCKS.checklist]?.[ACTION].selected_options ?? []).map((o) => o.value));
  const missing = checklist.filter((c) => c.required && !ticked.has(c.id));
  if (missing.length > 0)
    return {
      ok: false,
      errors: { [PROGRESS_BLOCKS.checklist]: `Needed for an SQL: ${missing.map((c) => c.label).join('; ')}.` },
    };
  return { ok: true, handoffId, checklist: checklist.filter((c) => ticked.has(c.id)).map((c) => c.id) };
}

const lostState = z.object({
  [PROGRESS_BLOCKS.reason]: z.object({
    [ACTION]: z.object({ selected_option: z.object({ value: z.string() }).nullable().optional() }),
  }),
  [PROGRESS_BLOCKS.note]: z.object({ [ACTION]: z.object({ value: z.string().nullable().optional() }) }).optional(),
});

export function parseLostSubmission(
  values: unknown,
  privateMetadata: string,
  reasons: Policy['lostReasons'],
): ParsedSubmission<{ handoffId: string; reasonId: string; note: string | undefined }> {
  const handoffId = handoffFromMeta(privateMetadata);
  const state = lostState.safeParse(values);
  if (!handoffId || !state.success) return stale(PROGRESS_BLOCKS.reason);
  const reason = reasons.find((r) => r.id === state.data[PROGRESS_BLOCKS.reason][ACTION].selected_option?.value);
  if (!reason) return { ok: false, errors: { [PROGRESS_BLOCKS.reason]: 'Pick a reason.' } };
  return {
    ok: true,
    handoffId,
    reasonId: reason.id,
    note: state.data[PROGRESS_BLOCKS.note]?.[ACTION].value?.trim() || undefined,
  };
}
