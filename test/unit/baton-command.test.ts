import { describe, expect, it } from 'vitest';
import { repByName } from '../../src/services/reps.js';
import { parseBatonCommand, type BatonCommand } from '../../src/slack/commands/baton.js';
import { examplePolicy } from '../helpers/app.js';

describe('a typed rep name', () => {
  const policy = examplePolicy();
  it.each([
    ['Ana', 'U0ANA'],
    ['ana andersson', 'U0ANA'],
    ['EVA', 'U0EVA'],
    ['u0filip', 'U0FILIP'],
  ])('%j → %s', (typed, user) => {
    expect(repByName(policy, typed)).toBe(user);
  });
  it.each([['Zed', /Baton knows no rep called "Zed"\. Mention them/]])('%j is explained', (typed, message) => {
    expect(() => repByName(policy, typed)).toThrow(message);
  });
});

describe('/baton text', () => {
  it.each<[string, BatonCommand]>([
    ['', { kind: 'help' }],
    ['HELP', { kind: 'help' }],
    ['away', { kind: 'away', target: undefined, from: undefined, until: undefined }],
    ['away until 2026-12-01', { kind: 'away', target: undefined, from: undefined, until: '2026-12-01' }],
    [
      'away <@U0EVA|eva> until 2026-12-01',
      { kind: 'away', target: { user: 'U0EVA' }, from: undefined, until: '2026-12-01' },
    ],
    ['away <@U0EVA>', { kind: 'away', target: { user: 'U0EVA' }, from: undefined, until: undefined }],
    [
      'away <@U0EVA> from 2026-12-01 until 2026-12-05',
      { kind: 'away', target: { user: 'U0EVA' }, from: '2026-12-01', until: '2026-12-05' },
    ],
    ['away FROM 2026-12-01', { kind: 'away', target: undefined, from: '2026-12-01', until: undefined }],
    ['away until 2026-12-05 from 2026-12-01', { kind: 'unknown', input: 'away until 2026-12-05 from 2026-12-01' }],
    ['away from tomorrow', { kind: 'unknown', input: 'away from tomorrow' }],
    ['away from 2026-12-01 until', { kind: 'unknown', input: 'away from 2026-12-01 until' }],
    ['back', { kind: 'back', target: undefined }],
    ['back <@U0EVA|eva>', { kind: 'back', target: { user: 'U0EVA' } }],
    ['away until tomorrow', { kind: 'unknown', input: 'away until tomorrow' }],
    // Without escaping, Slack sends a mention as typed: a name, with or without @, in one or two words.
    ['away @Ana until 2026-12-03', { kind: 'away', target: { name: 'Ana' }, from: undefined, until: '2026-12-03' }],
    ['away @eva', { kind: 'away', target: { name: 'eva' }, from: undefined, until: undefined }],
    [
      'away Ana Andersson until 2026-12-03',
      { kind: 'away', target: { name: 'Ana Andersson' }, from: undefined, until: '2026-12-03' },
    ],
    ['back Filip Falk', { kind: 'back', target: { name: 'Filip Falk' } }],
    ['back <@U0EVA> until 2026-12-01', { kind: 'unknown', input: 'back <@U0EVA> until 2026-12-01' }],
    ['frobnicate', { kind: 'unknown', input: 'frobnicate' }],
    [
      'route email=<mailto:ana@acme.io|ana@acme.io> country=SE employees=250 website=<https://acme.io/x>',
      {
        kind: 'route',
        fields: { email: 'ana@acme.io', country: 'SE', employees: '250', website: 'https://acme.io/x' },
      },
    ],
    ['ROUTE activity=demo_request,webinar', { kind: 'route', fields: { activity: 'demo_request,webinar' } }],
    ['route', { kind: 'unknown', input: 'route' }],
    ['route country SE', { kind: 'unknown', input: 'route country SE' }],
    ['pace', { kind: 'pace' }],
    ['PACE', { kind: 'pace' }],
    ['pace please', { kind: 'unknown', input: 'pace please' }],
    ['lead ana@acme.io', { kind: 'lead', email: 'ana@acme.io' }],
    ['LEAD <mailto:Ana@Acme.io|Ana@Acme.io>', { kind: 'lead', email: 'Ana@Acme.io' }],
    ['lead', { kind: 'unknown', input: 'lead' }],
    ['lead ana', { kind: 'unknown', input: 'lead ana' }],
    ['lead ana@acme.io bo@acme.io', { kind: 'unknown', input: 'lead ana@acme.io bo@acme.io' }],
  ])('%j', (text, expected) => {
    expect(parseBatonCommand(text)).toEqual(expected);
  });
});
