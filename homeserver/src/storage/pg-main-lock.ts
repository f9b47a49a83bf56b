// One main (writing) homeserver process per PostgreSQL database: the room writer hands out stream
// positions from blocks it took from the events sequence (pg-positions.ts), so two mains writing
// one database would commit positions out of order and client readers (which read MAX) could skip
// events. The main holds a session advisory lock on a dedicated connection for its whole life;
// a second main waits up to `waitMs` (a restart after kill -9: the dead process's backend lets go
// as soon as PostgreSQL sees its socket close; a dead host's, within ~25 s: keepalives below) and
// then refuses to start, saying why. Client readers, the CLI and migrations do not take it. If the
// lock's connection is lost, it is taken again; should another main hold it by then, an error is
// logged every minute until one stops (the guarantee is the start's: main goes on writing).
import pg from "pg";
import type { Logger } from "../server/log.ts";

/** pg_try_advisory_lock(key1, key2): "ENT" and 1, the main writer. */
const KEY: readonly [number, number] = [0x454e54, 1];

export class MainLockHeld extends Error {
  override name = "MainLockHeld";
}

export interface MainLock {
  release(): Promise<void>;
}

async function tryLock(url: string): Promise<pg.Client | undefined> {
  const client = new pg.Client({ connectionString: url, keepAlive: true, keepAliveInitialDelayMillis: 10_000, application_name: "entente main lock" });
  client.on("error", () => undefined); // reported through "end" below once held
  try {
    await client.connect();
    // The lock lives as long as PostgreSQL believes this connection's peer alive: if main's host
    // dies (power cut) no FIN arrives, and with the server's default keepalives (2 h 11 min) the
    // restarted main would be refused all that time. Probes after 10 s idle, every 5 s, 3 lost:
    // a dead holder lets go within ~25 s (ignored on a Unix socket, where the kernel tells at once).
    await client.query("SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3");
    const r = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS locked", [...KEY]);
    if (r.rows[0]?.locked === true) return client;
  } catch {
    // unreachable now: the caller retries
  }
  await client.end().catch(() => undefined);
  return undefined;
}

export async function holdMainLock(url: string, log: Logger, o: { waitMs?: number } = {}): Promise<MainLock> {
  const waitMs = o.waitMs ?? 40_000; // past the ~25 s a dead host's connection takes to be dropped
  const deadline = Date.now() + waitMs;
  let client = await tryLock(url);
  while (client === undefined) {
    if (Date.now() > deadline) {
      throw new MainLockHeld(`another main homeserver process is writing this PostgreSQL database (it holds the main lock, waited ${Math.round(waitMs / 1000)} s): stop it first, or start this process as a client reader (workers.enabled, entente serve --role client-reader); a lock left by a process that no longer exists: SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'entente main lock'`);
    }
    await new Promise((r) => setTimeout(r, 200));
    client = await tryLock(url);
  }
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const watch = (c: pg.Client): void => {
    c.once("end", () => {
      if (stopped) return;
      log.warn("main lock connection lost, taking the lock again");
      const again = async (warnedAt: number): Promise<void> => {
        if (stopped) return;
        const next = await tryLock(url);
        if (next !== undefined) {
          if (stopped) return void next.end().catch(() => undefined);
          client = next;
          log.info("main lock taken again");
          return watch(next);
        }
        const now = Date.now();
        if (now - warnedAt >= 60_000) log.error("main lock held by another process: two main processes may be writing this database; stop one of them");
        timer = setTimeout(() => void again(now - warnedAt >= 60_000 ? now : warnedAt), 1_000);
      };
      timer = setTimeout(() => void again(Date.now() - 50_000), 100);
    });
  };
  watch(client);
  return {
    async release() {
      stopped = true;
      clearTimeout(timer);
      await client?.end().catch(() => undefined);
    },
  };
}
