// Forced interleavings for tests of readers that share SQLite's writer connection: a write
// executor that, right after the first statement of its `one` calls matching `pattern` ran, holds
// its caller (`reached` resolves) until `release()`: e.g. held after an events INSERT, before
// EventStore.persist reads the position back.
import type { SqlExecutor } from "../../homeserver/src/storage/sql.ts";

export interface HeldStatement {
  reached: Promise<void>;
  release(): void;
  /** `tx` wrapped: its `one` calls pause after the matching statement. */
  wrap(tx: SqlExecutor): SqlExecutor;
}

export function holdAfterStatement(pattern: RegExp): HeldStatement {
  let onReached!: () => void;
  const reached = new Promise<void>((r) => { onReached = r; });
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const wrap = (tx: SqlExecutor): SqlExecutor => new Proxy(tx, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== "one" || typeof v !== "function") return v;
      return async (sql: string, params?: unknown[]) => {
        const r = await (v as (q: string, p?: unknown[]) => Promise<unknown>).call(target, sql, params);
        if (pattern.test(sql)) {
          onReached();
          await gate;
        }
        return r;
      };
    },
  });
  return { reached, release, wrap };
}
