// matrix-widget-api 1.19's PostmessageTransport console.logs every message it sends, whole: each
// answer to a task board's list read (10,000 events) went to the console, where the browser keeps
// it (DevTools shows messages logged before it opened) and serialises it for an attached debugger.
// This makes one transport post the same message, to the same target origin, without the log.
import type { ITransport } from "matrix-widget-api";

interface PostingTransport { sendInternal?: unknown; transportWindow?: { postMessage(message: unknown, targetOrigin: string): void }; targetOrigin?: string }

/** Leaves a transport of another shape (a later library version, a test double) as it is. */
export function quietTransport(transport: ITransport): void {
  const t = transport as unknown as PostingTransport;
  const win = t.transportWindow;
  if (typeof t.sendInternal !== "function" || win === undefined) return;
  // The origin is read at each send: ClientWidgetApi sets it after creating the transport.
  t.sendInternal = (message: unknown): void => win.postMessage(message, t.targetOrigin as string);
}
