import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * A stand-in's HTTP server on 127.0.0.1, at a port the system chose. It listens before it serves:
 * a stand-in's answers name its own address (upload URLs, Socket Mode's URL), known only then.
 */
export interface Loopback {
  server: Server;
  /** http://127.0.0.1:<port>, no trailing slash. */
  base: string;
  /** Answers every request with `handle`; one that throws is answered 500 with the error's text. */
  serve(handle: Handler): void;
  /** Leaves a request unanswered (a hang) until close. */
  hold: (res: ServerResponse) => void;
  /** Drops held requests and open connections, then stops listening. */
  close(): Promise<void>;
}

export async function listenOnLoopback(): Promise<Loopback> {
  const held = new Set<ServerResponse>();
  const server = createServer();
  await new Promise<void>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      resolve();
    }),
  );
  return {
    server,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    serve(handle) {
      server.on('request', (req: IncomingMessage, res: ServerResponse) => {
        handle(req, res).catch((err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        });
      });
    },
    hold(res) {
      held.add(res);
    },
    async close() {
      for (const res of held) res.destroy();
      held.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}
