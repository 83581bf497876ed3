/*
 * Whether a failure means the database cannot be reached right now (stopped, restarting, out of
 * connections, the network between us), as opposed to a statement it refused. Callers answer the
 * first with "try again shortly" and never retry it piece by piece. Drivers wrap their errors
 * (drizzle's "Failed query" around postgres.js's, a connect AggregateError around one per
 * address), so the whole chain is searched.
 */

const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
// postgres.js's own connection errors.
const DRIVER = new Set(['CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED']);
// SQLSTATE: admin_shutdown, crash_shutdown, cannot_connect_now (starting or stopping), too_many_connections.
const SERVER = new Set(['57P01', '57P02', '57P03', '53300']);

const codeOf = (err: object): unknown => (err as { code?: unknown }).code;
// A socket's own errors carry the call that failed; an HTTP client's abort ("aborted", ECONNRESET) has none.
const fromSocket = (err: object): boolean => typeof (err as { syscall?: unknown }).syscall === 'string';

/** The code that says so (`ECONNREFUSED`, `57P01`, …: never SQL, never a value), or undefined. */
export function databaseUnavailable(err: unknown, depth = 0): string | undefined {
  if (typeof err !== 'object' || err === null || depth > 8) return undefined;
  const code = codeOf(err);
  // SQLSTATE class 08: connection exception.
  if (
    typeof code === 'string' &&
    ((NETWORK.has(code) && fromSocket(err)) || DRIVER.has(code) || SERVER.has(code) || /^08[0-9A-Z]{3}$/.test(code))
  )
    return code;
  const inner =
    err instanceof AggregateError
      ? err.errors.map((e) => databaseUnavailable(e, depth + 1)).find((c) => c !== undefined)
      : undefined;
  return inner ?? databaseUnavailable((err as { cause?: unknown }).cause, depth + 1);
}

/**
 * Whether a failure is the database refusing a second row for a unique index, `constraint`
 * (SQLSTATE 23505): postgres.js names it `constraint_name`, PGlite `constraint`.
 */
export function isUniqueViolation(err: unknown, constraint: string, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 8) return false;
  const { constraint_name: named, constraint: plain } = err as { constraint_name?: unknown; constraint?: unknown };
  if (codeOf(err) === '23505' && (named === constraint || plain === constraint)) return true;
  return isUniqueViolation((err as { cause?: unknown }).cause, constraint, depth + 1);
}
