// Polls as Element sends them (MSC3381, unstable `org.matrix.msc3381.poll.*` types, stable m.poll.*
// read too): a start event, responses referencing it (each sender's latest counts), an end event
// from the poll's creator, or from someone allowed to redact others' messages, closing it (MSC3381;
// the first valid end by timestamp counts). Responses after the end are ignored.
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
  /** Who started the poll: they may close it (as may a moderator, see foldPolls' mayEnd). */
  creator: string;
  /** Whether the signed-in agent may close it now (see canClosePoll). */
  closableByMe: boolean;
}

/** Who else than the creator may close polls: by MSC3381, those who may redact others' messages. */
export type PollEnders = (sender: string) => boolean;

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

export function foldPolls(events: readonly RawEvent[], me: string, mayEnd: PollEnders = () => false): Map<string, PollView> {
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
    if (kind === "end" && (e.sender === p.start.sender || mayEnd(e.sender))) p.endTs = Math.min(p.endTs ?? e.ts, e.ts);
    if (kind === "response") {
      const answer = responseAnswer(e.content);
      const prev = p.votes.get(e.sender);
      if (answer !== undefined && (prev === undefined || prev.ts <= e.ts)) p.votes.set(e.sender, { answer, ts: e.ts });
    }
  }
  const out = new Map<string, PollView>();
  for (const [id, p] of polls) {
    const valid = [...p.votes].filter(([, v]) => (p.endTs === undefined || v.ts <= p.endTs) && p.parsed.answers.some((a) => a.id === v.answer));
    const closed = p.endTs !== undefined;
    out.set(id, {
      question: p.parsed.question,
      answers: p.parsed.answers.map((a) => ({ ...a, votes: valid.filter(([, v]) => v.answer === a.id).length })),
      myAnswer: valid.find(([sender]) => sender === me)?.[1].answer,
      closed,
      voters: valid.length,
      creator: p.start.sender,
      closableByMe: canClosePoll({ closed, creator: p.start.sender }, me, mayEnd),
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

/**
 * The end event as Element sends it (matrix-js-sdk PollEndEvent.from(id, text).serialize()): the
 * reference, an empty poll.end block, and the closing text both as an MSC1767 text block and as
 * the plain body/msgtype fallback older clients show.
 */
export const pollEndContent = (pollId: string, text: string): Record<string, unknown> => ({
  "m.relates_to": { rel_type: "m.reference", event_id: pollId },
  [POLL_END]: {},
  [TEXT]: text,
  body: text,
  msgtype: "m.text",
});

/** The answers with the most votes (none when nobody voted): what the closing text announces. */
export function leadingAnswers(p: PollView): string[] {
  const top = Math.max(0, ...p.answers.map((a) => a.votes));
  return top === 0 ? [] : p.answers.filter((a) => a.votes === top).map((a) => a.text);
}

/** Whether `me` may close this poll: open, and its creator or allowed to redact others' messages. */
export const canClosePoll = (p: Pick<PollView, "closed" | "creator">, me: string, mayEnd: PollEnders): boolean => !p.closed && (p.creator === me || mayEnd(me));
