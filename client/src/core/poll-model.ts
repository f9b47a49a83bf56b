// Polls as Element sends them (MSC3381, unstable `org.matrix.msc3381.poll.*` types, stable m.poll.*
// read too): a start event, responses referencing it (each sender's latest counts), an end event
// from the poll's creator closing it. Responses after the end are ignored.
import { isRecord, relationOf, str, type RawEvent } from "./raw-event.ts";

export const POLL_START = "org.matrix.msc3381.poll.start";
export const POLL_RESPONSE = "org.matrix.msc3381.poll.response";
export const POLL_END = "org.matrix.msc3381.poll.end";
const TEXT = "org.matrix.msc1767.text";

export interface PollView {
  question: string;
  answers: { id: string; text: string; votes: number }[];
  myAnswer: string | undefined;
  closed: boolean;
  voters: number;
}

export function isPollEvent(type: string): "start" | "response" | "end" | undefined {
  if (type === POLL_START || type === "m.poll.start") return "start";
  if (type === POLL_RESPONSE || type === "m.poll.response") return "response";
  if (type === POLL_END || type === "m.poll.end") return "end";
  return undefined;
}

const textOf = (v: unknown): string | undefined => {
  if (typeof v === "string") return v;
  if (Array.isArray(v)) for (const part of v) if (isRecord(part) && typeof part["body"] === "string") return part["body"];
  if (isRecord(v)) return str(v[TEXT]) ?? textOf(v["m.text"]) ?? str(v["body"]);
  return undefined;
};

function parseStart(content: Record<string, unknown>): { question: string; answers: { id: string; text: string }[] } | undefined {
  const poll = content[POLL_START] ?? content["m.poll"] ?? content["m.poll.start"];
  if (!isRecord(poll)) return undefined;
  const question = textOf(poll["question"]);
  const answers = Array.isArray(poll["answers"]) ? poll["answers"] : [];
  const parsed = answers.flatMap((a) => {
    if (!isRecord(a)) return [];
    const id = str(a["id"]) ?? str(a["m.id"]);
    const text = textOf(a) ?? textOf(a["m.text"]);
    return id !== undefined && text !== undefined ? [{ id, text }] : [];
  });
  return question === undefined ? undefined : { question, answers: parsed };
}

function responseAnswer(content: Record<string, unknown>): string | undefined {
  const r = content[POLL_RESPONSE] ?? content["m.selections"];
  const list = isRecord(r) ? r["answers"] : r;
  return Array.isArray(list) && typeof list[0] === "string" ? list[0] : undefined;
}

export function foldPolls(events: readonly RawEvent[], me: string): Map<string, PollView> {
  const polls = new Map<string, { start: RawEvent; parsed: NonNullable<ReturnType<typeof parseStart>>; endTs: number | undefined; votes: Map<string, { answer: string; ts: number }> }>();
  for (const e of events) {
    if (e.redacted === true) continue;
    const kind = isPollEvent(e.type);
    if (kind === "start") {
      const parsed = parseStart(e.content);
      if (parsed !== undefined) polls.set(e.eventId, { start: e, parsed, endTs: undefined, votes: new Map() });
    }
  }
  for (const e of events) {
    const kind = isPollEvent(e.type);
    if (e.redacted === true || kind === undefined || kind === "start") continue;
    const target = relationOf(e.content).eventId;
    const p = target !== undefined ? polls.get(target) : undefined;
    if (p === undefined) continue;
    if (kind === "end" && e.sender === p.start.sender) p.endTs = Math.min(p.endTs ?? e.ts, e.ts);
    if (kind === "response") {
      const answer = responseAnswer(e.content);
      const prev = p.votes.get(e.sender);
      if (answer !== undefined && (prev === undefined || prev.ts <= e.ts)) p.votes.set(e.sender, { answer, ts: e.ts });
    }
  }
  const out = new Map<string, PollView>();
  for (const [id, p] of polls) {
    const valid = [...p.votes].filter(([, v]) => (p.endTs === undefined || v.ts <= p.endTs) && p.parsed.answers.some((a) => a.id === v.answer));
    out.set(id, {
      question: p.parsed.question,
      answers: p.parsed.answers.map((a) => ({ ...a, votes: valid.filter(([, v]) => v.answer === a.id).length })),
      myAnswer: valid.find(([sender]) => sender === me)?.[1].answer,
      closed: p.endTs !== undefined,
      voters: valid.length,
    });
  }
  return out;
}

/** Content of a poll start as Element sends it (single choice, results shown when closed or voted). */
export function pollStartContent(question: string, answers: readonly string[]): Record<string, unknown> {
  const fallback = `${question}\n${answers.map((a, i) => `${i + 1}. ${a}`).join("\n")}`;
  return {
    [POLL_START]: {
      kind: "org.matrix.msc3381.poll.disclosed",
      max_selections: 1,
      question: { [TEXT]: question },
      answers: answers.map((a, i) => ({ id: `a${i + 1}`, [TEXT]: a })),
    },
    [TEXT]: fallback,
  };
}

export const pollResponseContent = (pollId: string, answerId: string): Record<string, unknown> => ({
  "m.relates_to": { rel_type: "m.reference", event_id: pollId },
  [POLL_RESPONSE]: { answers: [answerId] },
});

export const pollEndContent = (pollId: string, text: string): Record<string, unknown> => ({
  "m.relates_to": { rel_type: "m.reference", event_id: pollId },
  [POLL_END]: {},
  [TEXT]: text,
});
