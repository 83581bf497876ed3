import { loadDatabaseConfig } from '../config/env.js';
import { ConfigError } from '../config/errors.js';
import { openDatabase, type Db } from '../db/client.js';
import { listDead, redriveDead } from '../db/repo/outbox.js';

const USAGE = `usage: npm run outbox -- list | retry ID | retry-all
  list       the dead deliveries (Slack refused them for good): id, kind, channel, attempts, queued at, last error
  retry ID   queue dead delivery ID again; the running Baton sends it within a second
  retry-all  queue every dead delivery again
`;

/** What the operator asked for, or undefined when the arguments make no sense. */
function parse(
  args: readonly string[],
): { cmd: 'list' } | { cmd: 'retry'; id: number } | { cmd: 'retry-all' } | undefined {
  const [cmd, id, ...rest] = args;
  if (rest.length > 0) return undefined;
  if (cmd === 'list' && id === undefined) return { cmd };
  if (cmd === 'retry-all' && id === undefined) return { cmd };
  if (cmd === 'retry' && id !== undefined && /^\d{1,15}$/.test(id)) return { cmd, id: Number(id) };
  return undefined;
}

async function list(db: Db): Promise<string> {
  const rows = await listDead(db);
  if (rows.length === 0) return 'no dead deliveries\n';
  const lines = rows.map((r) =>
    [r.id, r.kind, r.channel ?? '-', r.attempts, r.createdAt.toISOString(), r.lastError ?? ''].join('\t'),
  );
  return `${['id', 'kind', 'channel', 'attempts', 'queued', 'last error'].join('\t')}\n${lines.join('\n')}\n`;
}

/** `npm run outbox -- …`: dead deliveries listed and re-driven, on DATABASE_URL or the embedded database. */
async function run(): Promise<number> {
  const command = parse(process.argv.slice(2));
  if (!command) {
    process.stderr.write(USAGE);
    return 2;
  }
  const database = await openDatabase(loadDatabaseConfig());
  try {
    if (command.cmd === 'list') {
      process.stdout.write(await list(database.db));
      return 0;
    }
    const queued = await redriveDead(database.db, new Date(), command.cmd === 'retry' ? [command.id] : 'all');
    if (command.cmd === 'retry' && queued.length === 0) {
      process.stderr.write(`no dead delivery with id ${command.id} (see npm run outbox -- list)\n`);
      return 1;
    }
    process.stdout.write(
      `${queued.length} dead deliver${queued.length === 1 ? 'y' : 'ies'} queued again${queued.length > 0 ? `: ${queued.join(', ')}` : ''}\n`,
    );
    return 0;
  } finally {
    await database.close();
  }
}

run().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      err instanceof ConfigError
        ? err.lines.map((l) => `config error: ${l}\n`).join('')
        : `outbox command failed: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
