// Our /relations extension beside `fr.entente.lean` (client-event-text.ts): the page says how many
// events its chunk holds and of which kinds, (type, state key, msgtype), before the chunk itself.
// A client that hands the page's bytes to a widget (our web client, the task board) must check
// the widget may receive every event of it; with the kinds it does so without parsing the 5,000
// events a page holds (~1/4 of its main thread's work in the board's read, issue 13), and the
// bytes go on to the widget as they came. The kinds are read from the very texts sent.
import { topLevelValueText } from "../../../spec/json-text.ts";
import type { HandlerResult } from "../../http/router.ts";

/** The member of a lean page's body holding its summary: `{"count": n, "kinds": [[type, state_key | null, msgtype | null], …]}`. */
export const PAGE_SUMMARY_MEMBER = "fr.entente.page";

export type EventKind = [type: string, stateKey: string | null, msgtype: string | null];

const stringValue = (text: string | undefined): string | undefined | null => {
  if (text === undefined) return undefined;
  const v: unknown = JSON.parse(text);
  return typeof v === "string" ? v : null;
};

/**
 * The distinct kinds of the events `texts` (lean event JSON texts), or undefined when one cannot be
 * told without a parse (a non-string type, state key or msgtype; keys written with escapes): the
 * page then goes without a summary and the client parses it. A msgtype hidden behind an escaped
 * key reads as none, which a widget's capabilities grant only when they grant every msgtype.
 */
export function eventKinds(texts: readonly string[]): EventKind[] | undefined {
  const seen = new Map<string, EventKind>();
  for (const text of texts) {
    const type = stringValue(topLevelValueText(text, "type"));
    if (typeof type !== "string") return undefined;
    const stateKeyText = topLevelValueText(text, "state_key");
    const stateKey = stringValue(stateKeyText);
    if (stateKey === null) return undefined;
    let msgtype: string | null = null;
    if (stateKey === undefined) {
      const content = topLevelValueText(text, "content");
      if (content === undefined) return undefined;
      const m = stringValue(topLevelValueText(content, "msgtype"));
      if (m === null) return undefined;
      msgtype = m ?? null;
    }
    const kind: EventKind = [type, stateKey ?? null, msgtype];
    const key = JSON.stringify(kind);
    if (!seen.has(key)) seen.set(key, kind);
  }
  return [...seen.values()];
}

/** The summary member's JSON text for events of these kinds, or undefined when one is unknown. */
export function pageSummaryText(kinds: readonly (EventKind | undefined)[]): string | undefined {
  const distinct = new Map<string, EventKind>();
  for (const k of kinds) {
    if (k === undefined) return undefined;
    const key = `${k[0]}\u0000${k[1] ?? "\u0001"}\u0000${k[2] ?? "\u0001"}`;
    if (!distinct.has(key)) distinct.set(key, k);
  }
  return JSON.stringify({ count: kinds.length, kinds: [...distinct.values()] });
}

const COMMA = Buffer.from(",");

/**
 * A lean page's body: the members of `head` (JSON texts, in order), the summary, then the chunk
 * of the events' UTF-8 JSON, last; assembled as bytes (the events are kept encoded).
 */
export function leanPageResult(head: Readonly<Record<string, string>>, events: readonly { bytes: Buffer; kind: EventKind | undefined }[]): HandlerResult {
  let start = "{";
  for (const [key, value] of Object.entries(head)) start += `${JSON.stringify(key)}:${value},`;
  const summary = pageSummaryText(events.map((e) => e.kind));
  if (summary !== undefined) start += `${JSON.stringify(PAGE_SUMMARY_MEMBER)}:${summary},`;
  const parts: Buffer[] = [Buffer.from(`${start}"chunk":[`)];
  events.forEach((e, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(e.bytes);
  });
  parts.push(Buffer.from("]}"));
  return { raw: Buffer.concat(parts), headers: { "Content-Type": "application/json" } };
}
