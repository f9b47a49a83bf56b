// matrix-widget-api 1.19's PostmessageTransport console.logs every message it sends, whole: each
// answer to a task board's list read (10,000 events) went to the console, where the browser keeps
// it (DevTools shows messages logged before it opened) and serialises it for an attached debugger.
// This makes one transport post the same message, to the same target origin, without the log, and
// transfers the ArrayBuffers found directly in its `data` or `response` (chunk-json.ts: the
// events as UTF-8 bytes), which the library cannot express: the receiver gets them without a copy
// through the message, the sender's are detached (they are built for the message alone).
import type { ITransport } from "matrix-widget-api";

interface PostingTransport {
  sendInternal?: unknown;
  transportWindow?: { postMessage(message: unknown, options: { targetOrigin: string; transfer: Transferable[] }): void };
  targetOrigin?: string;
}

/** The ArrayBuffers among the values of the message's `data` and `response` objects. */
export function messageBuffers(message: unknown): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const m = message as { data?: unknown; response?: unknown } | null;
  for (const part of [m?.data, m?.response]) {
    if (typeof part !== "object" || part === null) continue;
    for (const v of Object.values(part)) if (v instanceof ArrayBuffer && !out.includes(v)) out.push(v);
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
