import { z } from 'zod';

/** The handoff a modal acts on travels in its private_metadata (at most 3,000 characters). */
export function modalMeta(handoffId: string): string {
  return JSON.stringify({ handoffId });
}

const metaSchema = z.object({ handoffId: z.uuid() });

/** Total: the handoff id, or undefined for anything not written by modalMeta. */
export function handoffFromMeta(privateMetadata: string): string | undefined {
  try {
    const m = metaSchema.safeParse(JSON.parse(privateMetadata));
    return m.success ? m.data.handoffId : undefined;
  } catch {
    return undefined;
  }
}

/** What a submitted modal parses to: the values, or inline errors keyed by block id. */
export type ParsedSubmission<T> = ({ ok: true } & T) | { ok: false; errors: Record<string, string> };
