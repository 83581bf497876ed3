import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

export const MANIFEST_FILE = path.resolve(import.meta.dirname, '../../manifest.yml');

/*
 * The parts of a Slack app manifest (major version 1) that Baton's manifest.yml uses, with the
 * limits Slack's published manifest schema sets on them (lengths, patterns, required keys).
 * Objects are strict, as Slack's are: a misspelt or misplaced key is a mistake Slack would refuse
 * at "Create New App". Keys Baton does not use (shortcuts, workflow steps, user scopes …) are
 * refused too, so adopting one means describing it here first. Rules that span fields are
 * checked by test/harness/manifest.test.ts.
 */
const url = z
  .string()
  .max(3000)
  .regex(/^https?:\/\//, 'must be an http(s) URL');

const slashCommand = z.strictObject({
  command: z.string().min(2).max(32).regex(/^\//, 'must start with /'),
  url: url.optional(),
  description: z.string().min(1).max(2000),
  usage_hint: z.string().min(1).max(1000).optional(),
  should_escape: z.boolean().optional(),
});

export const manifestSchema = z.strictObject({
  _metadata: z
    .strictObject({ major_version: z.literal(1), minor_version: z.number().int().nonnegative().optional() })
    .optional(),
  display_information: z.strictObject({
    name: z.string().min(1).max(35),
    description: z.string().min(1).max(140).optional(),
    long_description: z.string().min(175).max(4000).optional(),
    background_color: z
      .string()
      .regex(/^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/, 'must be a hex colour like #1d3557')
      .optional(),
  }),
  features: z
    .strictObject({
      app_home: z
        .strictObject({
          home_tab_enabled: z.boolean().optional(),
          messages_tab_enabled: z.boolean().optional(),
          messages_tab_read_only_enabled: z.boolean().optional(),
        })
        .optional(),
      bot_user: z
        .strictObject({ display_name: z.string().min(1).max(80), always_online: z.boolean().optional() })
        .optional(),
      slash_commands: z.array(slashCommand).min(1).max(50).optional(),
    })
    .optional(),
  oauth_config: z
    .strictObject({
      scopes: z.strictObject({ bot: z.array(z.string().min(1).max(50)).max(255).optional() }).optional(),
    })
    .optional(),
  settings: z
    .strictObject({
      event_subscriptions: z
        .strictObject({
          request_url: url.max(3500).optional(),
          bot_events: z
            .array(z.string().min(1).max(50))
            .max(100)
            .refine((events) => new Set(events).size === events.length, 'must not repeat an event')
            .optional(),
        })
        .optional(),
      interactivity: z.strictObject({ is_enabled: z.boolean(), request_url: url.max(3500).optional() }).optional(),
      org_deploy_enabled: z.boolean().optional(),
      socket_mode_enabled: z.boolean().optional(),
      token_rotation_enabled: z.boolean().optional(),
    })
    .optional(),
});

export type Manifest = z.infer<typeof manifestSchema>;

/** manifest.yml as parsed YAML, unvalidated (tests mutate it to check the checkers). */
export function readManifestYaml(): unknown {
  return parse(readFileSync(MANIFEST_FILE, 'utf8'));
}

/** manifest.yml, validated against `manifestSchema`; throws with every problem when it does not fit. */
export function readManifest(): Manifest {
  return manifestSchema.parse(readManifestYaml());
}
