// matrix-widget-api 1.19's PostmessageTransport console.logs every message it sends, whole: each
// answer to a task board's list read (10,000 events) went to the console, where the browser keeps
// it (DevTools shows messages logged before it opened) and serialises it for an attached debugger.
// This makes one transport post the same message, to the same target origin, without the log, and
// transfers the ArrayBuffers found in its `data` or `response` values (chunk-json.ts: the events
// as UTF-8 bytes, or the server's pages), which the library cannot express: the receiver gets them without a copy
// through the message, the sender's are detached (they are built for the message alone).
import type { ITransport } from "matrix-widget-api";

interface PostingTransport {
  sendInternal?: unknown;
  transportWindow?: { postMessage(message: unknown, options: { targetOrigin: string; transfer: Transferable[] }): void };
  targetOrigin?: string;
}

/** The ArrayBuffers among the values of the message's `data` and `response` objects, or in arrays there. */
export function messageBuffers(message: unknown): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const m = message as { data?: unknown; response?: unknown } | null;
  for (const part of [m?.data, m?.response]) {
    if (typeof part !== "object" || part === null) continue;
    for (const v of Object.values(part)) {
      for (const b of Array.isArray(v) ? (v as unknown[]) : [v]) if (b instanceof ArrayBuffer && !out.includes(b)) out.push(b);
    }
  }
  return out;
}

/** Leaves a transport of another shape (a later library version, a test double) as it is. */
export function quietTransport(transport: ITransport): void {
  const t = transport as unknown as PostingTransport;
  const win = t.transportWindow;
  if (typeof t.sendInternal !== "function" || win === undefined) return;
  // The origin is read at each send: ClientWidgetApi sets it after creating the transport.
  t.sendInternal = (message: unknown): void => win.postMessage(message, { targetOrigin: t.targetOrigin as string, transfer: messageBuffers(message) });
}
