import type { ActionsBlock, Button, ContextBlock, HeaderBlock, KnownBlock, SectionBlock } from '@slack/types';
import { encodeAction, type CardAction } from '../ids.js';
import { truncate, truncateMrkdwn } from './escape.js';

/** Slack's limits (docs/slack-facts.md, "Block Kit limits"), enforced here once rather than at every call. */
export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  header: 150,
  button: 75,
  contextElements: 10,
} as const;

export const header = (text: string): HeaderBlock => ({
  type: 'header',
  text: { type: 'plain_text', text: truncate(text, LIMITS.header), emoji: true },
});

export const section = (mrkdwn: string): SectionBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: truncateMrkdwn(mrkdwn, LIMITS.sectionText) },
});

export const fields = (pairs: readonly [string, string][]): SectionBlock => ({
  type: 'section',
  fields: pairs
    .slice(0, LIMITS.fields)
    .map(([label, value]) => ({ type: 'mrkdwn', text: truncateMrkdwn(`*${label}*\n${value}`, LIMITS.fieldText) })),
});

export const context = (mrkdwn: string): ContextBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text: truncateMrkdwn(mrkdwn, LIMITS.sectionText) }],
});

export const divider = (): KnownBlock => ({ type: 'divider' });

export function button(label: string, action: CardAction, style?: 'primary' | 'danger'): Button {
  return {
    type: 'button',
    text: { type: 'plain_text', text: truncate(label, LIMITS.button), emoji: true },
    action_id: encodeAction(action),
    value: action.handoffId,
    ...(style ? { style } : {}),
  };
}

export const actions = (blockId: string, elements: Button[]): ActionsBlock => ({
  type: 'actions',
  block_id: blockId,
  elements,
});
