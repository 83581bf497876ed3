import type { z } from 'zod';

/** A configuration problem: one human-readable line per problem, printed at start-up before exit 1. */
export class ConfigError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
    this.name = 'ConfigError';
  }
}

/** Renders zod issues as "prefix a.b[2].c: message" lines, one per issue. */
export function issuesToLines(issues: readonly z.core.$ZodIssue[], prefix = ''): string[] {
  return issues.map((issue) => {
    const key = issue.path.reduce<string>(
      (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
      '',
    );
    return `${prefix}${key || '(root)'}: ${issue.message}`;
  });
}
