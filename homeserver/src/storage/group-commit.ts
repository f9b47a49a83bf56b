// Group commit: write transactions queued while a commit is in flight run together in ONE
// database transaction, each inside its own SAVEPOINT, and all are acknowledged after that single
// COMMIT. With a durable commit (SQLite synchronous = FULL, PostgreSQL synchronous_commit = on)
// one fsync then covers many sends instead of one each. Nothing changes for a caller:
//  - bodies still run one at a time, in the order they were queued, each seeing the ones before;
//  - a body that throws is rolled back to its savepoint alone and its caller gets the error;
//  - `committed` resolves only after COMMIT returned: a 200 built on it means "on disk".
// `executed` resolves as soon as the body ran inside the open transaction (not yet durable): a
// room writer may build its next event on it when later reads see the open transaction (SQLite's
// single connection). If a COMMIT fails, that group is refused, and on SQLite every body queued
// meanwhile too, since they may have been built on what was rolled back (reads share the
// connection). PostgreSQL's reads see committed rows only, and the one writer that builds on a body
// before its COMMIT (the room writer's tip, postgres.ts stageEarly) finds the failure itself and
// builds again: there a send queued behind a failed COMMIT, of another room, is not refused with
// its error (`refuseQueuedOnFailure: false`).
// A body run `pipelined` (PostgreSQL's room writer, GroupSession.pipelined) has no savepoint and
// waits for none of its writes: they leave with the group's next write. It cannot be rolled back
// alone, so a failure among its writes, or its throwing after it wrote, refuses the whole group:
// that body gets its own error. The others are not acknowledged either; of them, a body run with
// `retry` (its caller reads only `committed`: PostgreSQL's db.transaction and stage) runs again at
// the head of the next group, since nothing of it was kept or seen, so its caller never learns of
// the refusal; the rest get `GroupRefused` (a pipelined body's `executed` already answered: the
// room writer builds its event again, rooms/local-events.ts). A body before the failing one that
// failed on its own keeps its own error. Every refused group answers its failing body, so reruns
// end: a body runs again only as often as groups around it are refused.

import { AsyncLocalStorage } from "node:async_hooks";
import type { SqlExecutor } from "./sql.ts";

/**
 * The body a call descends from (what it awaits, and also timers and promises it started, which
 * may outlive it): `GroupCommitter.inBody` compares it with the body running now.
 */
const bodyContext = new AsyncLocalStorage<object>();

/** One database transaction of a group, on one connection. */
export interface GroupSession {
  exec: SqlExecutor;
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** Runs raw statements that take no parameters (SAVEPOINT, RELEASE, ROLLBACK TO). */
  raw(sql: string): Promise<void>;
  close(): void;
  /**
   * Where supported: the next body runs pipelined (no SAVEPOINT, its statements' failures are the
   * group's and name `body`). Returns the function to call when it ends, which answers how many
   * statements it issued (a body that throws having issued none leaves the transaction as it was).
   */
  pipelined?(body: object): () => number;
}

/** A pipelined body's write failed: the group is refused, `body` with `error`, the others with GroupRefused. */
export class PipelinedFailure extends Error {
  readonly error: unknown;
  readonly body: object;
  constructor(error: unknown, body: object) {
    super(error instanceof Error ? error.message : String(error));
    this.error = error;
    this.body = body;
  }
}

/** The group's transaction was refused for another body's failure (`cause`): nothing of this one was stored. */
export class GroupRefused extends Error {
  constructor(cause: unknown) {
    super(`the group commit was refused: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

export interface Staged<T> {
  /** The body ran inside the open group transaction (not durable yet). */
  executed: Promise<T>;
  /** The group committed: durable. */
  committed: Promise<T>;
}

interface Pending {
  fn: (tx: SqlExecutor) => Promise<unknown>;
  pipelined: boolean;
  /** Run again in the next group when refused for another body's failure (see the file's head). */
  retry: boolean;
  executed: Deferred;
  committed: Deferred;
}

interface Deferred {
  promise: Promise<unknown>;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

function deferred(): Deferred {
  let resolve!: (v: unknown) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<unknown>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // a caller may only await one of the two promises
  return { promise, resolve, reject };
}

export interface GroupCommitStats {
  groups: number;
  transactions: number;
}

/** Groups refused for a pipelined body's failure, and bodies run again after such a refusal. */
export interface RefusalStats {
  refused: number;
  rerun: number;
}

export class GroupCommitter {
  private readonly open: () => Promise<GroupSession>;
  private readonly maxGroup: number;
  private readonly gather: boolean;
  private readonly refuseQueuedOnFailure: boolean;
  private queue: Pending[] = [];
  private running: Promise<void> | undefined;
  /** The body running now, if any (its token in `bodyContext`). */
  private current: Pending | undefined;
  /** The group whose transaction is open now (BEGIN run, COMMIT or ROLLBACK not finished), if any. */
  private openToken: object | undefined;
  private rolledBack = 0;
  readonly stats: GroupCommitStats = { groups: 0, transactions: 0 };
  readonly refusals: RefusalStats = { refused: 0, rerun: 0 };

  /**
   * `gather`: yield to the event loop before each COMMIT so concurrent writers can join it.
   * `refuseQueuedOnFailure` (default true): a failed COMMIT refuses the bodies queued meanwhile too
   * (they may have read the rolled-back rows: SQLite); false where reads see committed rows only.
   */
  constructor(open: () => Promise<GroupSession>, opts: { maxGroup?: number; gather?: boolean; refuseQueuedOnFailure?: boolean } = {}) {
    this.open = open;
    this.maxGroup = opts.maxGroup ?? 200;
    this.gather = opts.gather ?? true;
    this.refuseQueuedOnFailure = opts.refuseQueuedOnFailure ?? true;
  }

  /**
   * `pipelined`: the body runs without a savepoint where the session can. `retry`: its caller reads
   * only `committed`, so a group refused for another body's failure runs it again (the file's head;
   * its `executed` then keeps what the first run settled).
   */
  run<T>(fn: (tx: SqlExecutor) => Promise<T>, opts: { pipelined?: boolean; retry?: boolean } = {}): Staged<T> {
    const p: Pending = { fn, pipelined: opts.pipelined === true, retry: opts.retry === true && opts.pipelined !== true, executed: deferred(), committed: deferred() };
    this.queue.push(p);
    // `running` is cleared by drain itself in the same tick it finds the queue empty (a .finally
    // callback would run a tick later and strand what was queued in between)
    this.running ??= this.drain();
    return { executed: p.executed.promise as Promise<T>, committed: p.committed.promise as Promise<T> };
  }

  /**
   * True when called from the body running now on this committer (what it awaits included): its
   * statements run in that body's savepoint. False elsewhere, including a task a body started that
   * outlived it (a timer, a promise not awaited), or a body of another committer (database).
   */
  get inBody(): boolean {
    const token = bodyContext.getStore();
    return token !== undefined && token === this.current;
  }

  /**
   * The group whose transaction is open now (an opaque token, the same from its BEGIN to the end of
   * its COMMIT or ROLLBACK), or undefined between groups. On SQLite's one connection reads see the
   * bodies it ran so far, which its COMMIT may still fail to keep: see EventStore.settledPosition.
   */
  get openGroup(): object | undefined {
    return this.openToken;
  }

  /**
   * Rollbacks so far: a failing body's ROLLBACK TO its savepoint, a group's failure (counted just
   * before the rollback statement, which SQLite runs in the same tick). See Database.rollbacks.
   */
  get rollbacks(): number {
    return this.rolledBack;
  }

  /** Resolves once everything queued so far is committed or refused. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, this.maxGroup);
        const failure = await this.runGroup(group);
        // bodies refused for another's failure, first in the next group, in their order
        if (failure?.again !== undefined) this.queue.unshift(...failure.again);
        if (failure !== undefined && this.refuseQueuedOnFailure) {
          // bodies queued meanwhile may have read what was just rolled back
          for (const p of this.queue.splice(0)) refuse(p, failure.error);
        }
      }
    } finally {
      this.running = undefined;
    }
  }

  /** Runs one group; returns the COMMIT failure, if any, with the bodies to run again. */
  private async runGroup(group: Pending[]): Promise<{ error: unknown; again?: Pending[] } | undefined> {
    let session: GroupSession;
    try {
      session = await this.open();
    } catch (error) {
      for (const p of group) refuse(p, error);
      return { error };
    }
    const results: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      await session.begin();
      this.openToken = {};
      for (let i = 0; ; ) {
        const p = group[i++];
        if (p === undefined) {
          i--;
          // Before committing, let the event loop run once: requests that arrived meanwhile (the
          // next event of a room whose lock `executed` released) join this commit. On SQLite the
          // COMMIT's fsync blocks the thread, so nothing could queue during it.
          if (!this.gather || group.length >= this.maxGroup) break;
          await new Promise((r) => setImmediate(r));
          if (this.queue.length === 0) break;
          group.push(...this.queue.splice(0, this.maxGroup - group.length));
          continue;
        }
        // A group that cannot grow (no gathering) holding one body (the PostgreSQL push record's
        // connection, one serial caller): the transaction is its savepoint, a failure rolls the
        // whole group back below, so no SAVEPOINT / RELEASE statements. Its `send` writes are
        // checked by the COMMIT, which then refuses it: only `committed` is its answer.
        const alone = !this.gather && group.length === 1;
        if (p.pipelined && session.pipelined) {
          await this.runPipelined(session, session.pipelined(p), p, results);
          continue;
        }
        if (!alone) await session.raw("SAVEPOINT gc");
        this.current = p;
        try {
          const value = await bodyContext.run(p, () => p.fn(session.exec));
          this.current = undefined;
          if (!alone) await session.raw("RELEASE gc");
          results.push({ ok: true, value });
          p.executed.resolve(value);
        } catch (error) {
          this.current = undefined;
          this.rolledBack++; // before the statement: no lookup in between finds what was read before it under the new count
          if (!alone) await session.raw("ROLLBACK TO gc; RELEASE gc");
          results.push({ ok: false, error });
          p.executed.reject(error);
        }
      }
      if (results.every((r) => !r.ok)) await session.rollback();
      else await session.commit();
      this.openToken = undefined;
    } catch (error) {
      this.rolledBack++;
      await session.rollback().catch(() => undefined);
      this.openToken = undefined;
      session.close();
      if (error instanceof PipelinedFailure) return { error: error.error, again: this.refused(group, results, error) };
      for (const p of group) refuse(p, error);
      return { error };
    }
    session.close();
    this.stats.groups++;
    this.stats.transactions += group.length;
    group.forEach((p, i) => {
      const r = results[i];
      if (r?.ok) p.committed.resolve(r.value);
      else p.committed.reject(r?.error);
    });
    return undefined;
  }

  /**
   * A group refused for a pipelined body's failure: that body gets its error, a body that failed on
   * its own keeps its own; returns the `retry` bodies to run again (a savepoint body after the
   * failing write may have failed only because the transaction was aborted: it runs again too);
   * the others get GroupRefused.
   */
  private refused(group: Pending[], results: readonly ({ ok: boolean; error?: unknown })[], failure: PipelinedFailure): Pending[] {
    this.refusals.refused++;
    const at = group.indexOf(failure.body as Pending);
    const again: Pending[] = [];
    group.forEach((p, i) => {
      const r = results[i];
      if (p === failure.body) refuse(p, failure.error);
      // failed on its own: before the failing write, or a pipelined body (which throws having
      // issued nothing, else the group was refused for it)
      else if (r?.ok === false && (i < at || p.pipelined)) refuse(p, r.error);
      else if (p.retry) again.push(p);
      else refuse(p, new GroupRefused(failure.error));
    });
    this.refusals.rerun += again.length;
    return again;
  }

  /**
   * A pipelined body: its `executed` resolves as soon as it returns (its writes unanswered). If it
   * throws having issued statements, they cannot be undone alone: the group is refused (thrown).
   */
  private async runPipelined(session: GroupSession, end: () => number, p: Pending, results: ({ ok: true; value: unknown } | { ok: false; error: unknown })[]): Promise<void> {
    this.current = p;
    let value: unknown;
    try {
      value = await bodyContext.run(p, () => p.fn(session.exec));
    } catch (error) {
      this.current = undefined;
      if (end() > 0) throw error instanceof PipelinedFailure ? error : new PipelinedFailure(error, p);
      results.push({ ok: false, error });
      p.executed.reject(error);
      return;
    }
    this.current = undefined;
    end();
    results.push({ ok: true, value });
    p.executed.resolve(value);
  }
}

function refuse(p: Pending, error: unknown): void {
  p.executed.reject(error);
  p.committed.reject(error);
}
