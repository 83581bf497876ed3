import { describe, expect, it } from 'vitest';
import { parseAction } from '../../src/slack/ids.js';
import { LIMITS } from '../../src/slack/views/blocks.js';
import { renderBreachNote, renderManagerNotice, renderReassigned, renderReminder, renderTeamDigest, type EscalatedLead } from '../../src/slack/views/escalation.js';

const id = (n: number) => `3f2b8c1e-5d4a-4c3b-9a1f-${String(n).padStart(12, '0')}`;
const lead = (n: number, over: Partial<EscalatedLead> = {}): EscalatedLead => ({ handoffId: id(n), name: `Lead ${n}`, company: 'Acme', repUserId: 'U0EVA', dueAt: new Date('2026-11-24T13:00:00Z'), slaLabel: '4 h', ...over });
const ZONE = 'Europe/Stockholm';
const actionIds = (blocks: unknown[]): string[] => [...JSON.stringify(blocks).matchAll(/"action_id":"([^"]+)"/g)].map((m) => m[1]!);

describe('SLA messages as data', () => {
  it('the reminder names the deadline in the reader\'s zone and carries Accept and Reject for this handoff', () => {
    const r = renderReminder(lead(1), ZONE);
    expect(r.text).toContain('decide by Tue 24 Nov 14:00 GMT+1');
    expect(actionIds(r.blocks).map(parseAction)).toEqual([{ kind: 'accept', handoffId: id(1) }, { kind: 'reject', handoffId: id(1) }]);
  });

  it('the manager notice offers Acknowledge and Reassign, and counts its repeats', () => {
    const first = renderManagerNotice(lead(2), ZONE, 1);
    expect(actionIds(first.blocks).map(parseAction)).toEqual([{ kind: 'ack_escalation', handoffId: id(2) }, { kind: 'reassign', handoffId: id(2) }]);
    expect(first.text).not.toContain('notice');
    expect(renderManagerNotice(lead(2), ZONE, 3).text).toContain('(notice 3)');
  });

  it('a hostile lead name cannot ping a channel or fake a mention in any of them', () => {
    const hostile = lead(3, { name: '<!channel> <@U0BOSS> *free*', company: '<https://evil.example|click>' });
    // The breach note sits in the lead's own thread and does not repeat the name.
    expect(JSON.stringify(renderBreachNote(hostile, ZONE, 'U0MGR').blocks)).not.toContain('channel');
    for (const r of [renderReminder(hostile, ZONE), renderManagerNotice(hostile, ZONE, 1), renderReassigned(hostile, ZONE, 'U0BO', 'breach'), renderTeamDigest('SMB', [hostile], ZONE, new Date())]) {
      const json = JSON.stringify(r.blocks);
      expect(json).not.toContain('<!channel>');
      expect(json).not.toContain('<@U0BOSS>');
      expect(json).not.toContain('<https://evil.example');
      expect(json).toContain('&lt;!channel&gt;');
    }
  });

  it('the reassignment says from whom and why', () => {
    expect(renderReassigned(lead(4), ZONE, 'U0BO', 'away').text).toContain('from <@U0BO> (they are away)');
    expect(renderReassigned(lead(4), ZONE, 'U0BO', 'breach').text).toContain('(the SLA ran out)');
  });

  it('the digest: nothing overdue is said, not silence; hundreds overdue stay inside Slack\'s 50 blocks, oldest first', () => {
    const none = renderTeamDigest('SMB', [], ZONE, new Date());
    expect(none.text).toContain('nothing overdue');
    const many = Array.from({ length: 300 }, (_, i) => lead(i, { dueAt: new Date(Date.UTC(2026, 10, 20, 8, i)) }));
    const digest = renderTeamDigest('SMB', many, ZONE, new Date('2026-11-24T12:00:00Z'));
    expect(digest.blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
    const reassign = actionIds(digest.blocks).map(parseAction);
    expect(reassign[0]).toEqual({ kind: 'reassign', handoffId: id(0) });
    expect(reassign.map((a) => a!.handoffId)).toEqual(many.slice(0, reassign.length).map((l) => l.handoffId));
    expect(JSON.stringify(digest.blocks)).toContain(`…and ${300 - reassign.length} more.`);
    expect(digest.text).toContain('300 leads past due');
  });
});
