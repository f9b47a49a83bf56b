// Wake-ups from the main process to client readers over PostgreSQL LISTEN/NOTIFY (one channel).
// Main publishes, after each commit it already signals in-process:
//  - "u": users whose /sync may have news (every Notifier.notifyUsers call, batched per event-loop
//    turn, deduplicated, split so each payload stays under PostgreSQL's 8,000-byte limit);
//  - "p": push evaluation reached this event position (readers count unread up to it, see
//    reader-parts.ts); "x": a redaction in this room was evaluated (kept unread counts of the
//    room go), always sent before the "p" covering it. Both go out inside the push record's own
//    transaction (`inRecord`): PostgreSQL delivers them when it commits, with no statement of
//    their own after it; `pushEvaluated`/`redacted` remain for what no committed record covered
//    (a failed record, main's start);
//  - "t": a room's typing list and main's typing serial (typing is in memory, on main only);
//  - "h": main (re)started: readers reset their typing mirror and wake everyone.
// Every message names main's instance (random per start). NOTIFY is sent after COMMIT returned,
// so a reader that gets it reads the committed rows. Order between messages is not relied upon
// except for typing, whose serial orders it.
import { randomBytes } from "node:crypto";
import { PgListener } from "../../storage/pg-listener.ts";
import { runLater, type Database, type SqlExecutor } from "../../storage/sql.ts";
import type { Logger } from "../log.ts";

export const CHANNEL = "entente_streams";
/** application_name of the readers' LISTEN connections (pg_stat_activity shows them). */
export const LISTENER_APPLICATION_NAME = "entente-reader-listen";
/** PostgreSQL refuses payloads of 8,000 bytes or more; keep a margin for the JSON around ids. */
const MAX_PAYLOAD = 7_500;

export type ChannelMessage =
  | { k: "u"; i: string; u: string[] }
  | { k: "p"; i: string; p: number }
  | { k: "x"; i: string; r: string }
  | { k: "t"; i: string; s: number; r: string; u: string[] }
  | { k: "h"; i: string };

/** Splits the users of one wake-up into payloads under the limit (ids are at most 255 bytes). */
export function userPayloads(instance: string, userIds: readonly string[]): string[] {
  const out: string[] = [];
  let batch: string[] = [];
  let size = 0;
  const head = JSON.stringify({ k: "u", i: instance, u: [] }).length;
  for (const u of userIds) {
    const len = Buffer.byteLength(JSON.stringify(u)) + 1;
    if (batch.length > 0 && head + size + len > MAX_PAYLOAD) {
      out.push(JSON.stringify({ k: "u", i: instance, u: batch }));
      batch = [];
      size = 0;
    }
    batch.push(u);
    size += len;
  }
  if (batch.length > 0) out.push(JSON.stringify({ k: "u", i: instance, u: batch }));
  return out;
}

export function parseMessage(payload: string): ChannelMessage | undefined {
  try {
    const m = JSON.parse(payload) as ChannelMessage;
    return typeof m === "object" && m !== null && typeof m.k === "string" && typeof m.i === "string" ? m : undefined;
  } catch {
    return undefined;
  }
}

/** The main process's side: NOTIFY through the pool (never inside a write transaction). */
export class StreamPublisher {
  readonly instance = randomBytes(6).toString("hex");
  private readonly db: Database;
  private readonly log: Logger;
  private users = new Set<string>();
  private progress = -1;
  /** Furthest position whose "p" a committed push record carried (inRecord, then recorded). */
  private recordedUpTo = -1;
  private redactedRooms = new Set<string>();
  private scheduled = false;
  private sending: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(deps: { db: Database; log: Logger }) {
    this.db = deps.db;
    this.log = deps.log;
  }

  hello(): void {
    this.send([JSON.stringify({ k: "h", i: this.instance })]);
  }

  wakeUsers(userIds: readonly string[]): void {
    for (const u of userIds) this.users.add(u);
    this.schedule();
  }

  /**
   * The push record's messages, in its transaction: "x" for each room with a redaction in the
   * batch, then "p" of the batch's last position, pipelined with its COMMIT (runLater) and delivered
   * by PostgreSQL only if that commits. Call `recorded` once it did.
   */
  async inRecord(tx: SqlExecutor, position: number, redactedRooms: readonly string[]): Promise<void> {
    const payloads = redactedRooms.map((r) => JSON.stringify({ k: "x", i: this.instance, r }));
    payloads.push(JSON.stringify({ k: "p", i: this.instance, p: position }));
    await runLater(tx, `SELECT ${payloads.map(() => "pg_notify(?, ?)").join(", ")}`, payloads.flatMap((m) => [CHANNEL, m]));
  }

  /** The record carrying inRecord(position) committed. */
  recorded(position: number): void {
    this.recordedUpTo = Math.max(this.recordedUpTo, position);
  }

  /** A committed record already announced this position (and any redaction up to it). */
  covered(position: number): boolean {
    return position <= this.recordedUpTo;
  }

  /** A redaction in the room was evaluated; call before pushEvaluated of its position. */
  redacted(roomId: string): void {
    this.redactedRooms.add(roomId);
    this.schedule();
  }

  pushEvaluated(position: number): void {
    if (this.covered(position)) return;
    this.progress = Math.max(this.progress, position);
    this.schedule();
  }

  typing(roomId: string, serial: number, userIds: readonly string[]): void {
    this.send([JSON.stringify({ k: "t", i: this.instance, s: serial, r: roomId, u: userIds })]);
  }

  /** Resolves once what was published so far has been sent. */
  async close(): Promise<void> {
    this.flush();
    this.closed = true;
    await this.sending;
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const payloads = this.users.size > 0 ? userPayloads(this.instance, [...this.users]) : [];
    this.users = new Set();
    // in one statement, "x" before "p": a reader that knows the position also knows the redaction
    for (const r of this.redactedRooms) payloads.push(JSON.stringify({ k: "x", i: this.instance, r }));
    this.redactedRooms = new Set();
    if (this.progress >= 0) payloads.push(JSON.stringify({ k: "p", i: this.instance, p: this.progress }));
    this.progress = -1;
    if (payloads.length > 0) this.send(payloads);
  }

  private send(payloads: string[]): void {
    if (this.closed) return;
    // one statement per flush; sends are chained so they leave in the order they were made
    const values = payloads.map(() => "pg_notify(?, ?)").join(", ");
    const params = payloads.flatMap((p) => [CHANNEL, p]);
    this.sending = this.sending.then(() => this.db.run(`SELECT ${values}`, params)).then(
      () => undefined,
      (e: unknown) => this.log.warn("worker notify failed", { error: e instanceof Error ? e.message : String(e) }),
    );
  }
}

export interface ListenerHandlers {
  message(m: ChannelMessage): void;
  /** The LISTEN connection is (again) up: anything may have been missed before it. */
  connected(): void;
  /** The LISTEN connection is lost (a reconnection follows, then `connected`). */
  disconnected?(): void;
}

/**
 * The reader's side: one dedicated connection LISTENing; on its loss it reconnects (100 ms, doubling
 * to 2 s) and reports `connected` again, so the reader wakes every waiter and re-reads positions.
 */
export class StreamListener {
  private readonly listener: PgListener;

  constructor(deps: { url: string; handlers: ListenerHandlers; log: Logger }) {
    const { handlers } = deps;
    this.listener = new PgListener({
      url: deps.url, channel: CHANNEL, applicationName: LISTENER_APPLICATION_NAME, log: deps.log, what: "worker",
      notification: (payload) => {
        const m = payload === undefined ? undefined : parseMessage(payload);
        if (m) handlers.message(m);
      },
      up: () => handlers.connected(),
      down: () => handlers.disconnected?.(),
    });
  }

  /** Times the LISTEN connection came up (tests read it). */
  get connections(): number {
    return this.listener.connections;
  }

  /** Resolves once the first LISTEN is in place (rejects if the database is unreachable). */
  start(): Promise<void> {
    return this.listener.start();
  }

  stop(): Promise<void> {
    return this.listener.stop();
  }
}
