import { describe, expect, it } from 'vitest';
import { redactValues, serializeError, type LoggedError } from '../../src/log.js';

/** A driver's error as postgres.js and PGlite build them: Postgres' fields as own properties. */
function databaseError(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), { severity: 'ERROR', ...fields });
}

/** drizzle-orm's DrizzleQueryError: the statement and its parameters in the message and as fields. */
function queryError(query: string, params: unknown[], cause: Error): Error {
  const err = new Error(`Failed query: ${query}\nparams: ${params.join(',')}`, { cause });
  return Object.assign(err, { query, params });
}

const text = (v: unknown): string => JSON.stringify(v);

describe('serializeError', () => {
  const cases: { name: string; err: Error; kept: string[]; gone: string[] }[] = [
    {
      name: 'a failed statement keeps its SQL and loses its parameters, in message, stack and cause',
      err: queryError(
        'insert into leads select * from jsonb_to_recordset($1)',
        ['[{"email":"ana@acme.io","last_name":"Andersson"}]'],
        databaseError('new row for relation "leads" violates check constraint "leads_check"', {
          code: '23514',
          constraint: 'leads_check',
          detail: 'Failing row contains (Andersson, ana@acme.io).',
        }),
      ),
      kept: ['insert into leads', 'parameters withheld', '23514', 'leads_check', 'violates check constraint'],
      gone: ['ana@acme.io', 'Andersson', 'Failing row'],
    },
    {
      name: 'a unique violation loses its detail (the key values)',
      err: databaseError('duplicate key value violates unique constraint "leads_email"', {
        code: '23505',
        constraint_name: 'leads_email',
        detail: 'Key (email)=(bo@acme.io) already exists.',
        where: 'SQL statement',
        query: 'insert …',
        parameters: ['bo@acme.io'],
      }),
      kept: ['23505', 'leads_email', 'duplicate key'],
      gone: ['bo@acme.io', 'already exists', 'SQL statement'],
    },
    {
      name: 'a value Postgres quotes in its message is withheld; identifiers stay',
      err: databaseError('invalid input syntax for type integer: "Ana Andersson"', { code: '22P02', table: 'leads' }),
      kept: ['invalid input syntax for type integer', '22P02', '"leads"'],
      gone: ['Ana Andersson'],
    },
    {
      name: 'an error of our own keeps its fields',
      err: Object.assign(new Error('Slack refused: not_in_channel'), {
        code: 'slack_webapi_platform_error',
        data: { error: 'not_in_channel' },
      }),
      kept: ['not_in_channel', 'slack_webapi_platform_error'],
      gone: [],
    },
  ];
  it.each(cases)('$name', ({ err, kept, gone }) => {
    const out = text(serializeError(err));
    for (const k of kept) expect(out).toContain(k);
    for (const g of gone) expect(out).not.toContain(g);
  });

  it('keeps the frames of the stack and the chain of causes', () => {
    const out = serializeError(new Error('outer', { cause: new Error('inner') })) as LoggedError;
    expect(out.stack).toMatch(/^\s+at /);
    expect(out.cause?.message).toBe('inner');
  });

  it('leaves what is not an error alone, and takes anything with a message for one', () => {
    expect(serializeError('text')).toBe('text');
    const bare = serializeError(
      Object.assign(Object.create(null) as object, { message: 'bare', detail: 'Key (email)=(x)', status: 7 }),
    );
    expect(bare).toMatchObject({ type: 'Error', message: 'bare', status: 7 });
    expect(bare).not.toHaveProperty('detail');
  });
});

describe('redactValues', () => {
  it.each([
    ['{"msg":"mail ana.a+x@sub.acme.io now"}', '{"msg":"mail [redacted email] now"}'],
    ['{"msg":"call +46 70 555 12 34"}', '{"msg":"call [redacted phone]"}'],
    ['{"msg":"token xoxb-123-abc and xapp-1-A2"}', '{"msg":"token [redacted token] and [redacted token]"}'],
    ['{"msg":"secret intake-token-0123456789!"}', '{"msg":"secret [redacted]!"}'],
    [
      '{"time":1796105979633,"at":"2026-11-20T09:12:00Z","port":3000}',
      '{"time":1796105979633,"at":"2026-11-20T09:12:00Z","port":3000}',
    ],
  ])('%s', (line, expected) => {
    expect(redactValues(line, ['intake-token-0123456789'])).toBe(expected);
  });
});
