/*
 * Validates manifest.yml against Slack's published app-manifest JSON Schema, for machines that
 * have a copy of it (the schema is not part of this repository). The test suite checks the
 * manifest with the project's own schema (test/helpers/manifest.ts); this is the second opinion
 * `.ci/run` asks for when the folder is there.
 *
 *   tsx test/harness/slack-schema.ts <folder holding manifest.schema.json and its versions>
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { MANIFEST_FILE, readManifestYaml } from '../helpers/manifest.js';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

// The dispatching schema refers to the versioned ones by their published URLs.
const REMOTE = 'https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/';

const folder = process.argv[2];
if (folder === undefined) {
  console.error('usage: tsx test/harness/slack-schema.ts <schema folder>');
  process.exit(2);
}
const load = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(folder, file), 'utf8')) as Record<string, unknown>;

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
for (const version of ['1.0.0', '2.0.0'])
  ajv.addSchema(load(`manifest.schema.${version}.json`), `${REMOTE}manifest.schema.${version}.json`);
const validate = ajv.compile(load('manifest.schema.json'));

// A schema that accepts anything would pass every manifest: make sure it refuses a nameless app.
if (validate({ display_information: { description: 'no name' } })) {
  console.error(`${folder}: the schema accepted an app without a name; is it Slack's manifest schema?`);
  process.exit(1);
}
if (!validate(readManifestYaml())) {
  for (const e of validate.errors ?? []) console.error(`${MANIFEST_FILE}: ${e.instancePath || '/'} ${e.message ?? ''}`);
  process.exit(1);
}
console.log(`${path.relative(process.cwd(), MANIFEST_FILE)} fits Slack's manifest schema in ${folder}`);
