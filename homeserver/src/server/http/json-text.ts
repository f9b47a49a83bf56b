// Responses whose members are already JSON text (client events spliced from their stored text,
// rooms/client-event-text.ts): the body is joined, never parsed nor serialised again.
import type { HandlerResult } from "./router.ts";

/** The JSON text of an array of JSON texts. */
export const arrayText = (items: readonly string[]): string => `[${items.join(",")}]`;

/** A 200 JSON object from member name → the member's JSON text, in insertion order. */
export function jsonTextResult(members: Readonly<Record<string, string>>): HandlerResult {
  const body = Object.entries(members).map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",");
  return { raw: Buffer.from(`{${body}}`), headers: { "Content-Type": "application/json" } };
}
