import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * The repository explains itself: comments, tests and docs cite only what a reader of the
 * repository can open (docs/, README.md, source files), never notes that live beside it.
 */
const REPO = path.resolve(import.meta.dirname, '../..');
const ROOTS = ['src', 'test', 'docs', 'README.md'];
const TEXT = /\.(ts|js|md|json|yml|yaml|css|html)$/;

// Spelt in pieces so this file does not trip its own check.
const OUTSIDE = [
  ['SPEC', ' §'],
  ['SLACK', '-NOTES'],
  ['HUBSPOT', '-NOTES'],
  ['..', '/shared'],
].map((parts) => parts.join(''));

function files(at: string): string[] {
  const full = path.join(REPO, at);
  if (statSync(full).isFile()) return TEXT.test(at) ? [at] : [];
  return readdirSync(full).flatMap((name) => files(path.join(at, name)));
}

const lines = ROOTS.flatMap(files).flatMap((file) =>
  readFileSync(path.join(REPO, file), 'utf8')
    .split('\n')
    .map((text, i) => ({ where: `${file}:${String(i + 1)}`, text })),
);

/** The comment part of a line of code (whole line of a page). */
function commentOf(line: { where: string; text: string }): string {
  if (line.where.includes('.md:')) return line.text;
  const trimmed = line.text.trim();
  if (trimmed.startsWith('*') || trimmed.startsWith('/*')) return trimmed;
  const slashes = line.text.indexOf('// ');
  return slashes >= 0 ? line.text.slice(slashes) : '';
}

describe('the repository is self-contained', () => {
  it('reads files', () => {
    expect(lines.length).toBeGreaterThan(1_000);
  });

  it.each(OUTSIDE)('nothing cites %s, which is not in the repository', (name) => {
    expect(lines.filter((l) => l.text.includes(name)).map((l) => `${l.where}: ${l.text.trim()}`)).toEqual([]);
  });

  it('every docs/ page cited exists', () => {
    const cited = lines.flatMap((l) =>
      [...l.text.matchAll(/\bdocs\/[\w./-]*\w\.md\b/g)].map((m) => ({ where: l.where, file: m[0] })),
    );
    expect(cited.length).toBeGreaterThan(20);
    expect(cited.filter((c) => !existsSync(path.join(REPO, c.file))).map((c) => `${c.where}: ${c.file}`)).toEqual([]);
  });

  it('every TypeScript file named by its name alone exists somewhere in the repository', () => {
    const names = new Set([...files('src'), ...files('test')].map((f) => path.basename(f)));
    for (const extra of ['drizzle.config.ts', 'vitest.config.ts']) names.add(extra);
    // In code, ".ts" after a name is usually a property (a message timestamp): only comments and pages name files.
    const named = lines.flatMap((l) =>
      [...commentOf(l).matchAll(/(?<![\w/.-])([\w-]+\.ts)\b/g)].map((m) => ({ where: l.where, file: m[1]! })),
    );
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((n) => !names.has(n.file)).map((n) => `${n.where}: ${n.file}`)).toEqual([]);
  });

  it('every source file a comment or page names by its path exists', () => {
    const named = lines.flatMap((l) =>
      [...l.text.matchAll(/\b(?:src|test)\/[\w/.-]+\.ts\b/g)].map((m) => ({ where: l.where, file: m[0] })),
    );
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((n) => !existsSync(path.join(REPO, n.file))).map((n) => `${n.where}: ${n.file}`)).toEqual([]);
  });
});
