// The sender on a real SQLite file, with a recording stand-in for the federation client: a queue
// drain woken while a group commit is open never sends the rows that group may still roll back.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../../storage/open-database.ts";
import type { Database, SqlExecutor } from "../../../storage/sql.ts";
import { FederationStore } from "../../../storage/federation-store.ts";
import type { FederationClient } from "../transport/federation-client.ts";
import { createLogger } from "../../log.ts";
import { systemClock } from "../../clock.ts";
import { FederationSender } from "./federation-sender.ts";

describe("FederationSender on SQLite", () => {
  let dir: string;
  let db: Database;
  let store: FederationStore;
  let sender: FederationSender;
  /** The PDUs of each transaction sent, in order. */
  let sent: unknown[][];
  let onRequest: () => void;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "federation-sender-"));
    db = await openDatabase({ type: "sqlite", path: join(dir, "db.sqlite") });
    // a deferred foreign key is checked at COMMIT: a body inserting an orphan makes its group's COMMIT fail
    await db.exec("CREATE TABLE t_parent (id INTEGER PRIMARY KEY); CREATE TABLE t_child (p INTEGER REFERENCES t_parent (id) DEFERRABLE INITIALLY DEFERRED)");
    store = new FederationStore({ db });
    sent = [];
    onRequest = () => undefined;
    const client = {
      request: async (_d: string, _m: string, _p: string, body: { pdus: unknown[] }) => {
        sent.push(body.pdus);
        onRequest();
        return {};
      },
    } as unknown as FederationClient;
    sender = new FederationSender({ store, client, clock: systemClock, log: createLogger("error"), serverName: "a.test" });
    await sender.start();
  });
  afterEach(async () => {
    await sender.stop();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a drain woken while a group is open does not send that group's rows, which its failed COMMIT rolled back", async () => {
    if (!db.stage) throw new Error("SQLite has stage()");
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let queued!: () => void;
    const rowQueued = new Promise<void>((r) => (queued = r));
    const staged = db.stage(async (tx: SqlExecutor) => {
      await sender.enqueuePduTx(tx, ["b.test"], { event: "jamais stocké" });
      queued();
      await held; // the group stays open, as during its gather turn or a body's await
      await tx.run("INSERT INTO t_child (p) VALUES (1)");
    });
    await rowQueued;
    // a wake-up while the group is open (a back-off timer, a partner's request, an EDU's commit)
    let drained!: () => void;
    const drainRead = new Promise<void>((r) => (drained = r));
    const batch = store.batch.bind(store);
    store.batch = async (...args) => {
      const out = await batch(...args);
      drained();
      return out;
    };
    sender.wakeAll(["b.test"]);
    await drainRead;
    release();
    await assert.rejects(staged.committed, /FOREIGN KEY/);
    assert.deepEqual(sent, [], "nothing of the rolled-back group was sent");
    assert.equal((await store.status()).length, 0, "the row is gone with its group");
    // a committed row still goes out
    const delivered = new Promise<void>((r) => (onRequest = r));
    await sender.enqueuePdu(["b.test"], { event: "stocké" });
    await delivered;
    assert.deepEqual(sent, [[{ event: "stocké" }]]);
  });

  it("a transaction sent from memory reads no queue after it, and a row committed meanwhile still goes out", async () => {
    if (!db.stage) throw new Error("SQLite has stage()");
    let reads = 0;
    const batch = store.batch.bind(store);
    store.batch = (...args) => {
      reads++;
      return batch(...args);
    };
    const running = (sender as unknown as { running: Map<string, Promise<void>> }).running;
    const idle = async (): Promise<void> => {
      while (running.size > 0) await Promise.all([...running.values()]);
    };
    /** A PDU committed with its queue row, then handed to the sender (as compose-federation does). */
    const commitAndSend = async (pdu: unknown): Promise<boolean> => {
      const staged = db.stage!(async (tx: SqlExecutor) => sender.enqueuePduTx(tx, ["b.test"], pdu));
      const rows = await staged.executed;
      await staged.committed;
      return sender.sendCommitted(rows);
    };
    assert.equal(await commitAndSend({ event: "seul" }), true, "sent from memory");
    await idle();
    assert.deepEqual(sent, [[{ event: "seul" }]]);
    assert.equal(reads, 0, "no queue read after a transaction sent from memory");
    assert.equal((await store.status()).find((d) => d.destination === "b.test")?.queued ?? 0, 0, "acknowledged");

    // a second row committed while the first one's request is in flight: sent after it
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let inFlight!: () => void;
    const requested = new Promise<void>((r) => (inFlight = r));
    onRequest = () => {
      onRequest = () => undefined;
      inFlight();
    };
    const client = (sender as unknown as { client: { request: (...a: unknown[]) => Promise<unknown> } }).client;
    const request = client.request.bind(client);
    client.request = async (...a: unknown[]) => {
      const out = await request(...a);
      await held;
      return out;
    };
    assert.equal(await commitAndSend({ event: "premier" }), true);
    await requested;
    assert.equal(await commitAndSend({ event: "pendant" }), false, "the destination is busy: queued, and it is woken");
    release();
    await idle();
    assert.deepEqual(sent.slice(1), [[{ event: "premier" }], [{ event: "pendant" }]]);
    assert.equal((await store.status()).find((d) => d.destination === "b.test")?.queued ?? 0, 0);
  });

  it("start() sends what an earlier run left committed in the queue", async () => {
    await store.enqueue(["b.test"], "pdu", JSON.stringify({ event: "d'avant" }), 1);
    await sender.stop();
    sender = new FederationSender({ store, client: { request: async (_d: string, _m: string, _p: string, body: { pdus: unknown[] }) => (sent.push(body.pdus), onRequest(), {}) } as unknown as FederationClient,
      clock: systemClock, log: createLogger("error"), serverName: "a.test" });
    const delivered = new Promise<void>((r) => (onRequest = r));
    await sender.start();
    await delivered;
    assert.deepEqual(sent, [[{ event: "d'avant" }]]);
  });
});
