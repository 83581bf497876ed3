import { loadDatabaseConfig } from '../config/env.js';
import { ConfigError } from '../config/errors.js';
import { openDatabase } from '../db/client.js';

/** `npm run db:migrate`: applies committed migrations to DATABASE_URL (or the embedded database). */
async function run(): Promise<void> {
  const database = await openDatabase(loadDatabaseConfig());
  try {
    await database.migrate();
    process.stdout.write(`migrations applied (${database.kind})\n`);
  } finally {
    await database.close();
  }
}

run().catch((err: unknown) => {
  process.stderr.write(
    err instanceof ConfigError
      ? err.lines.map((l) => `config error: ${l}\n`).join('')
      : `migration failed: ${String(err)}\n`,
  );
  process.exit(1);
});
