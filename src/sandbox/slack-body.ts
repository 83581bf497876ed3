import type { IncomingMessage } from 'node:http';

/* Reading what the Web API client sends the Slack stand-in: form or JSON bodies, fields of any type, uploaded files. */

/** A Web API call's fields, from a form or a JSON body. */
export function decodeBody(raw: string, type: string): Record<string, unknown> {
  if (raw === '') return {};
  if (type.startsWith('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    // The Web API client sends arrays and objects (blocks, metadata, view) as JSON strings.
    if (/^[[{]/.test(v)) {
      try {
        out[k] = JSON.parse(v) as unknown;
        continue;
      } catch {
        // plain text that happens to start with a bracket
      }
    }
    out[k] = v;
  }
  return out;
}

/** A form or JSON field as text, whatever the sender encoded it as. */
export function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return v === undefined || v === null ? '' : JSON.stringify(v);
}

/** A blocks field as a list; anything else is no blocks. */
export function blockList(v: unknown): unknown[] {
  return Array.isArray(v) ? (v as unknown[]) : [];
}

/** Like Slack's upload URL: the file as the raw body, or as the file part of a multipart form. */
export function uploadedBytes(req: IncomingMessage, body: Buffer): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(req.headers['content-type'] ?? '');
  if (!boundary) return body;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2] ?? ''}`);
  for (let at = body.indexOf(delimiter); at >= 0;) {
    const next = body.indexOf(delimiter, at + delimiter.length);
    if (next < 0) break;
    const part = body.subarray(at + delimiter.length + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0 && /filename=/i.test(part.subarray(0, headerEnd).toString('utf8')))
      return part.subarray(headerEnd + 4);
    at = next;
  }
  return Buffer.alloc(0);
}
