import { existsSync } from 'node:fs';
import { ConfigError } from './errors.js';
import { loadConfig, type Config } from './env.js';
import { loadPolicy, type Policy } from './policy.js';

export { ConfigError } from './errors.js';
export { configSecrets, type Config } from './env.js';
export type { Policy } from './policy.js';

/** A `.env` in the working directory fills in what the real environment leaves unset. */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

/** Environment and policy together, so one start-up attempt reports every problem at once. */
export function loadConfigAndPolicy(env: Readonly<Record<string, string | undefined>> = process.env): {
  config: Config;
  policy: Policy;
} {
  const lines: string[] = [];
  let config: Config | undefined;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    lines.push(...err.lines);
  }
  let policy: Policy | undefined;
  try {
    policy = loadPolicy(config?.policyFile ?? env.POLICY_FILE ?? 'policy.example.yml');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    lines.push(...err.lines);
  }
  if (!config || !policy) throw new ConfigError(lines);
  return { config, policy };
}
