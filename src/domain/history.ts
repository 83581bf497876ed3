import { assertTransition, EVENT_FOR_STAGE, type Stage } from './lifecycle.js';

/** One entry of an imported lead's stage history, in time order (README.md, "POST /api/leads/import"). */
export type HistoryEntry =
  | { stage: 'mql'; at: Date; team: string; owner: string }
  | { stage: 'sal'; at: Date; by: string }
  | { stage: 'rejected'; at: Date; by: string; reason?: string | undefined; note?: string | undefined }
  | { stage: 'nurture' | 'disqualified' | 'sql' | 'opportunity' | 'customer'; at: Date; by?: string | undefined }
  | { stage: 'lost'; at: Date; reason: string; by?: string | undefined };

export type RejectionOutcome = 'nurture' | 'disqualify';

/** What the policy says about the names a history uses. */
export interface HistoryRules {
  hasTeam(teamId: string): boolean;
  /** The outcome of a rejection reason; undefined when the policy has no such reason. */
  rejectionOutcome(reasonId: string): RejectionOutcome | undefined;
}

export interface ReplayedDecision {
  status: 'accepted' | 'rejected';
  at: Date;
  by: string;
  reason: string | null;
  note: string | null;
  outcome: RejectionOutcome | null;
}

/** A handoff the history started: by whom it was held, and how it was decided (if it was). */
export interface ReplayedHandoff {
  seq: number;
  teamId: string;
  repUserId: string;
  at: Date;
  fromStage: Stage;
  decision: ReplayedDecision | undefined;
}

/** A lead's history as what happened, in order: handoffs starting, and stage moves (events). */
export type ReplayStep =
  | { kind: 'handoff'; handoff: ReplayedHandoff }
  | {
      kind: 'move';
      type: string;
      from: Stage;
      to: Stage;
      at: Date;
      actor: string;
      reason: string | null;
      handoffSeq: number | undefined;
    };

export type Replay =
  { ok: true; stage: Stage; steps: ReplayStep[] } | { ok: false; problem: { path: string; message: string } };

const problem = (i: number, message: string): Replay => ({ ok: false, problem: { path: `history.${i}`, message } });

function illegal(from: Stage, to: Stage): string | undefined {
  try {
    assertTransition(from, to);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * Replays an imported history against the lifecycle (README.md, "POST /api/leads/import"): an `mql` starts a handoff, `sal`
 * or `rejected` decides it (a rejection lands the lead in its reason's outcome), the other
 * entries move the lead. The first entry that breaks a rule makes the whole lead invalid.
 */
export function replayHistory(history: readonly HistoryEntry[], rules: HistoryRules): Replay {
  let stage: Stage = 'lead';
  let open: ReplayedHandoff | undefined;
  let seq = 0;
  const steps: ReplayStep[] = [];
  for (const [i, e] of history.entries()) {
    switch (e.stage) {
      case 'mql': {
        if (!rules.hasTeam(e.team)) return problem(i, `team "${e.team}" is not in the policy`);
        const wrong = illegal(stage, 'mql');
        if (wrong !== undefined) return problem(i, wrong);
        open = { seq: ++seq, teamId: e.team, repUserId: e.owner, at: e.at, fromStage: stage, decision: undefined };
        steps.push({ kind: 'handoff', handoff: open });
        stage = 'mql';
        break;
      }
      case 'sal':
      case 'rejected': {
        if (!open) return problem(i, `"${e.stage}" decides a handoff, but no "mql" entry started one`);
        const known = e.stage === 'rejected' && e.reason !== undefined ? rules.rejectionOutcome(e.reason) : undefined;
        if (e.stage === 'rejected' && e.reason !== undefined && known === undefined)
          return problem(i, `rejection reason "${e.reason}" is not in the policy`);
        const outcome = known ?? 'nurture';
        const to: Stage = e.stage === 'sal' ? 'sal' : outcome === 'disqualify' ? 'disqualified' : 'nurture';
        const wrong = illegal(stage, to);
        if (wrong !== undefined) return problem(i, wrong);
        open.decision =
          e.stage === 'sal'
            ? { status: 'accepted', at: e.at, by: e.by, reason: null, note: null, outcome: null }
            : { status: 'rejected', at: e.at, by: e.by, reason: e.reason ?? null, note: e.note ?? null, outcome };
        steps.push({
          kind: 'move',
          type: e.stage === 'sal' ? 'accepted' : 'rejected',
          from: stage,
          to,
          at: e.at,
          actor: e.by,
          reason: e.stage === 'rejected' ? (e.reason ?? null) : null,
          handoffSeq: open.seq,
        });
        stage = to;
        open = undefined;
        break;
      }
      default: {
        // A rejection already landed the lead in its outcome; repeating that stage says nothing new.
        if (e.stage === stage) break;
        if (open && (e.stage === 'nurture' || e.stage === 'disqualified'))
          return problem(i, `the open handoff must be decided ("sal" or "rejected") before "${e.stage}"`);
        const wrong = illegal(stage, e.stage);
        if (wrong !== undefined) return problem(i, wrong);
        steps.push({
          kind: 'move',
          type: EVENT_FOR_STAGE[e.stage],
          from: stage,
          to: e.stage,
          at: e.at,
          actor: e.by ?? 'import',
          reason: e.stage === 'lost' ? e.reason : null,
          handoffSeq: undefined,
        });
        stage = e.stage;
      }
    }
  }
  return { ok: true, stage, steps };
}

/** A stored event, as far as the history of a lead goes. */
export interface HistoryEvent {
  type: string;
  toStage: string | null;
  at: Date;
  actor: string | null;
  reason: string | null;
  handoff: { teamId: string; rejectNote: string | null; firstRep: string | undefined } | undefined;
}

const MOVES = new Set<string>(['sql', 'opportunity', 'customer', 'nurture', 'disqualified', 'lost']);
/** Actors that are Baton itself, not a person the history could name. */
const SYSTEM_ACTORS = new Set(['import', 'baton']);

/**
 * A lead's stored events as import history entries (the export), so that importing them
 * replays the same stages, handoffs and decisions: the inverse of `replayHistory`.
 */
export function historyFromEvents(events: readonly HistoryEvent[]): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (const e of events) {
    const by = e.actor !== null && !SYSTEM_ACTORS.has(e.actor) ? e.actor : undefined;
    if (e.type === 'handoff_started' && e.handoff)
      out.push({ stage: 'mql', at: e.at, team: e.handoff.teamId, owner: e.handoff.firstRep ?? e.actor ?? 'import' });
    else if (e.type === 'accepted') out.push({ stage: 'sal', at: e.at, by: e.actor ?? 'import' });
    else if (e.type === 'rejected')
      out.push({
        stage: 'rejected',
        at: e.at,
        by: e.actor ?? 'import',
        reason: e.reason ?? undefined,
        note: e.handoff?.rejectNote ?? undefined,
      });
    else if (e.toStage === 'lost') out.push({ stage: 'lost', at: e.at, reason: e.reason ?? 'unknown', by });
    else if (e.toStage !== null && MOVES.has(e.toStage))
      out.push({ stage: e.toStage as 'sql' | 'opportunity' | 'customer' | 'nurture' | 'disqualified', at: e.at, by });
  }
  return out;
}
