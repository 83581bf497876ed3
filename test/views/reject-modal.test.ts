import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { parseRejectSubmission, REJECT_BLOCKS, renderRejectModal } from '../../src/slack/views/reject-modal.js';
import { modalMeta } from '../../src/slack/views/modal-meta.js';
import { examplePolicy } from '../helpers/app.js';

const reasons = examplePolicy().rejectionReasons;
const HANDOFF = '3f2b8c1e-5d4a-4c3b-9a1f-0e2d3c4b5a69';
type Input = KnownBlock & {
  block_id: string;
  optional?: boolean;
  dispatch_action?: boolean;
  label: { text: string };
  element: { initial_option?: { value: string }; options?: { value: string }[] };
};
const block = (view: ReturnType<typeof renderRejectModal>, id: string): Input =>
  view.blocks.find((b) => (b as Input).block_id === id) as Input;

describe('Reject modal', () => {
  const needsNote = reasons.find((r) => r.noteRequired)!;
  const noNote = reasons.find((r) => !r.noteRequired)!;
  it.each([
    ['nothing picked yet', undefined, true, 'Note for marketing'],
    ['a reason that needs no note', noNote.id, true, 'Note for marketing'],
    ['a reason that needs a note', needsNote.id, false, `Note for marketing (needed for "${needsNote.label}")`],
  ])('%s: the note is optional only when it is', (_name, picked, optional, label) => {
    const view = renderRejectModal(reasons, HANDOFF, picked);
    const note = block(view, REJECT_BLOCKS.note);
    expect([note.optional, note.label.text]).toEqual([optional, label]);
    // Picking a reason is sent at once, so the modal can be redrawn; the pick stays selected.
    expect(block(view, REJECT_BLOCKS.reason).dispatch_action).toBe(true);
    expect(block(view, REJECT_BLOCKS.reason).element.initial_option?.value).toBe(picked);
  });

  it("the outcome is a choice that can always be changed back to the reason's default", () => {
    const outcome = block(renderRejectModal(reasons, HANDOFF), REJECT_BLOCKS.outcome);
    expect(outcome.optional).toBeUndefined();
    expect(outcome.element.options?.map((o) => o.value)).toEqual(['default', 'nurture', 'disqualify']);
    expect(outcome.element.initial_option?.value).toBe('default');
    const values = (outcome: string) => ({
      [REJECT_BLOCKS.reason]: { value: { selected_option: { value: noNote.id } } },
      [REJECT_BLOCKS.outcome]: { value: { selected_option: { value: outcome } } },
    });
    expect(parseRejectSubmission(values('default'), modalMeta(HANDOFF), reasons)).toMatchObject({
      ok: true,
      outcome: noNote.outcome,
    });
    expect(parseRejectSubmission(values('disqualify'), modalMeta(HANDOFF), reasons)).toMatchObject({
      ok: true,
      outcome: 'disqualify',
    });
  });
});
