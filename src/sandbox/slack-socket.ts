import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { Waiters } from './waiters.js';

/**
 * The Slack stand-in's Socket Mode end: an app that opened a connection (apps.connections.open)
 * is greeted with hello, gets the envelopes a test pushes, and acknowledges each by its id.
 */
export class SocketModeLink {
  private socket: WebSocket | undefined;
  private readonly connectedWaiters = new Waiters();
  private readonly acks = new Map<string, (ack: { envelope_id: string; payload?: unknown }) => void>();
  private readonly wss = new WebSocketServer({ noServer: true });

  constructor(server: Server) {
    server.on('upgrade', (req, sock, head) => {
      this.wss.handleUpgrade(req, sock, head, (ws) => {
        this.accept(ws);
      });
    });
  }

  private accept(ws: WebSocket): void {
    this.socket = ws;
    ws.on('message', (data: Buffer) => {
      const ack = JSON.parse(data.toString('utf8')) as { envelope_id?: string; payload?: unknown };
      if (ack.envelope_id !== undefined)
        this.acks.get(ack.envelope_id)?.({ envelope_id: ack.envelope_id, payload: ack.payload });
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'standin', approximate_connection_time: 18060 },
        connection_info: { app_id: 'A0BATON' },
      }),
    );
    this.connectedWaiters.wake();
  }

  /** Resolves once an app has connected and been greeted. */
  async connected(timeoutMs: number): Promise<void> {
    await this.connectedWaiters.until(
      () => (this.socket ? true : undefined),
      timeoutMs,
      () => 'stand-in: no Socket Mode connection',
    );
  }

  /** Pushes an envelope and resolves with the app's acknowledgement. */
  send(type: string, payload: unknown, timeoutMs: number): Promise<{ envelope_id: string; payload?: unknown }> {
    const ws = this.socket;
    if (!ws) return Promise.reject(new Error('stand-in: no Socket Mode connection'));
    const envelopeId = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.acks.delete(envelopeId);
        reject(new Error(`stand-in: envelope ${type} not acknowledged`));
      }, timeoutMs);
      this.acks.set(envelopeId, (ack) => {
        clearTimeout(timer);
        this.acks.delete(envelopeId);
        resolve(ack);
      });
      ws.send(
        JSON.stringify({
          envelope_id: envelopeId,
          type,
          payload,
          accepts_response_payload: true,
          retry_attempt: 0,
          retry_reason: '',
        }),
      );
    });
  }

  close(): void {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }
}
