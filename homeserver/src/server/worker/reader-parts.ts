// The pieces a client reader swaps in for the main process's own (see client-reader.ts):
//  - a Database that refuses write transactions and INSERTs (main is the one writer of every
//    stream, which keeps stream positions committing in sequence order; the two plain statements
//    a reader's /sync makes, a device's last-seen UPDATE and the DELETE of acknowledged to-device
//    messages, allocate no position and are safe from any process);
//  - push: no evaluation here; unread counts wait until main's evaluation cursor reached the
//    position counted to (main publishes it, "p"); the kept-count cache (unread-cache.ts) is used
//    only up to positions announced by "p" messages, since main sends the "x" of a redaction
//    before the "p" covering it (a position learnt from the database may be past a redaction
//    whose "x" is still on its way: that count is made without the cache); it is emptied when
//    messages may have been lost (reconnect, main's restart);
//  - typing: a mirror of main's lists and serial, fed by "t" messages, so typing positions in
//    sync tokens mean the same on every process.
import type { Database, Row, SqlExecutor, SqlValue } from "../../storage/sql.ts";
import type { JsonObject } from "../../room/pdu.ts";
import { PushService } from "../push/push-service.ts";
import { roomUnread, unreadSyncFields } from "../push/unread-counts.ts";
import { UnreadCountCache } from "../push/unread-cache.ts";
import type { Logger } from "../log.ts";

export class ReadOnlyWorkerError extends Error {
  constructor(what: string) {
    super(`client reader: ${what} belongs to the main process`);
    this.name = "ReadOnlyWorkerError";
  }
}

const INSERT = /^\s*(?:WITH\b[\s\S]*?\)\s*)?INSERT\b/i;

/** The reader's database: reads pass through; write transactions and INSERTs throw. */
export function readOnlyDatabase(db: Database): Database {
  const guard = (sql: string): void => {
    if (INSERT.test(sql)) throw new ReadOnlyWorkerError(`an INSERT (${sql.slice(0, 40)}…)`);
  };
  return {
    dialect: db.dialect,
    all: async <T extends Row>(sql: string, params?: readonly SqlValue[]) => {
      guard(sql);
      return db.all<T>(sql, params);
    },
    one: async <T extends Row>(sql: string, params?: readonly SqlValue[]) => {
      guard(sql);
      return db.one<T>(sql, params);
    },
    run: async (sql: string, params?: readonly SqlValue[]) => {
      guard(sql);
      return db.run(sql, params);
    },
    transaction: <T>(_fn: (tx: SqlExecutor) => Promise<T>): Promise<T> => Promise.reject(new ReadOnlyWorkerError("a write transaction")),
    exec: (_sql: string) => Promise.reject(new ReadOnlyWorkerError("DDL")),
    close: () => db.close(),
  };
}

/** Main's push-evaluation cursor as this reader knows it; waits for it to reach a position. */
export class PushProgress {
  private known = 0;
  /** The furthest position learnt from main's "p" messages (not from the database). */
  announced = 0;
  /** Positions a wait already timed out for. */
  private gaveUpTo = 0;
  private readonly waiters = new Set<{ target: number; resolve: () => void }>();
  private readonly read: () => Promise<number>;
  private readonly log: Logger;
  private readonly maxWaitMs: number;
  /** Counts losses of the LISTEN connection (`lost`). */
  private epoch = 0;
  /** The epoch whose cursor read (`refresh`) completed: from then on every "p" reaches this process. */
  private readEpoch = -1;

  /** While listening, how long a wait trusts the "p" to come before reading the cursor itself. */
  private readonly lateReadMs: number;

  constructor(deps: { read: () => Promise<number>; log: Logger; maxWaitMs?: number; lateReadMs?: number }) {
    this.read = deps.read;
    this.log = deps.log;
    this.maxWaitMs = deps.maxWaitMs ?? 10_000;
    this.lateReadMs = deps.lateReadMs ?? 250;
  }

  /** A "p" message: also moves `announced`. */
  announce(position: number): void {
    this.announced = Math.max(this.announced, position);
    this.advance(position);
  }

  advance(position: number): void {
    if (position <= this.known) return;
    this.known = position;
    for (const w of [...this.waiters]) if (w.target <= position) w.resolve();
  }

  /**
   * Re-reads the cursor (after a reconnect or main's restart: messages may have been missed). Once
   * a read made while LISTEN is up completes, every later move of main's cursor reaches this
   * process as a "p" (main sends one with each record's commit, or after it for what no record
   * covered), so waits stop reading the cursor themselves until the connection is `lost`.
   */
  async refresh(): Promise<void> {
    const epoch = this.epoch;
    this.advance(await this.read());
    if (epoch === this.epoch) this.readEpoch = epoch;
  }

  /** The LISTEN connection is lost: "p" messages may be missed until the next `refresh`. */
  lost(): void {
    this.epoch++;
  }

  /** Every "p" from now on reaches this process (LISTEN up and the cursor read since). */
  get listening(): boolean {
    return this.readEpoch === this.epoch;
  }

  /**
   * Resolves once main evaluated push rules up to `target` (or after maxWaitMs, logged). Unless
   * `listening`, the cursor is re-read from the database meanwhile (a "p" sent before this reader
   * listened, or lost), not first: main's "p" arriving during that read answers at once, not one
   * round trip later. While listening the "p" covering `target` is on its way: the cursor is read
   * only if the wait lasts past lateReadMs (one statement less per woken /sync that reaches its
   * unread counts before main's record commits; a LISTEN connection dead without a word costs a
   * wait lateReadMs, not maxWaitMs).
   */
  async atLeast(target: number): Promise<void> {
    if (target <= this.known || target <= this.gaveUpTo) return;
    await new Promise<void>((resolve) => {
      let late: NodeJS.Timeout | undefined;
      const w = {
        target,
        resolve: () => {
          clearTimeout(timer);
          clearTimeout(late);
          this.waiters.delete(w);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.log.warn("push evaluation on main is late: unread counts may lag", { wanted: target, known: this.known });
        // main is down or stuck: the other rooms of this sync (and later ones) do not wait again
        this.gaveUpTo = Math.max(this.gaveUpTo, target);
        w.resolve();
      }, this.maxWaitMs);
      this.waiters.add(w);
      // a failed read leaves the wait to "p" messages (and the time limit)
      const read = (): void => {
        this.read().then((p) => this.advance(p), (e: unknown) => this.log.warn("reading push progress failed", { error: String(e) }));
      };
      // While listening the "p" is normally on its way: the cursor is read only if it has not come
      // within lateReadMs (a LISTEN connection dead without a word, until the heartbeat finds it)
      if (this.listening) late = setTimeout(read, this.lateReadMs);
      else read();
    });
  }
}

/** PushService without evaluation nor delivery: unread counts once main's cursor covers them. */
export class ReaderPushService extends PushService {
  progress: PushProgress | undefined;
  private cache = new UnreadCountCache();

  /** An "x" message: kept counts of the room go. */
  roomRedacted(roomId: string): void {
    this.cache.roomChanged(roomId);
  }

  /** Messages may have been lost: nothing kept is trusted. */
  forgetCounts(): void {
    this.cache = new UnreadCountCache();
  }

  override start(): void {}
  override async stop(): Promise<void> {}
  override eventPersisted(_stream: number): Promise<void> {
    return Promise.resolve();
  }

  override async syncUnread(userId: string, roomId: string, upTo: number, perThread: boolean): Promise<JsonObject> {
    await this.progress?.atLeast(upTo);
    const cache = this.progress !== undefined && upTo <= this.progress.announced ? this.cache : undefined;
    return unreadSyncFields(await roomUnread(this.store, userId, roomId, upTo, cache), perThread);
  }

  override receiptMoved(_userId: string): Promise<void> {
    return Promise.reject(new ReadOnlyWorkerError("a receipt"));
  }
}

/**
 * Typing as main has it: the rooms' lists and main's serial. Same public surface as Typing
 * (sync reads `position`, `changedSince`, `current`); `set` is never called (PUT typing is
 * forwarded to main).
 */
export class TypingMirror {
  private readonly rooms = new Map<string, { users: string[]; at: number }>();
  private serial = 0;
  private instance = "";

  get position(): number {
    return this.serial;
  }

  /** A "t" message; a new main instance starts its serial over, and so does the mirror. */
  apply(instance: string, serial: number, roomId: string, users: string[]): void {
    if (instance !== this.instance) this.reset(instance);
    this.rooms.set(roomId, { users, at: serial });
    this.serial = Math.max(this.serial, serial);
  }

  reset(instance: string): void {
    this.instance = instance;
    this.rooms.clear();
    this.serial = 0;
  }

  changedSince(roomId: string, since: number): string[] | undefined {
    const r = this.rooms.get(roomId);
    if (!r || r.at <= since) return undefined;
    return [...r.users];
  }

  current(roomId: string): string[] {
    return [...(this.rooms.get(roomId)?.users ?? [])];
  }

  set(): void {
    throw new ReadOnlyWorkerError("typing");
  }
}
