// The federation sender's fast path (a PDU committed with its queue row goes to an idle destination
// at once, from memory) and the receiver's transaction handling (the transaction's record shares
// the events' COMMIT, a retransmitted transaction id is answered from that record). Real
// homeservers over TLS on loopback.
import assert from "node:assert/strict";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { TLSSocket } from "node:tls";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { call, enc, type Session } from "../harness/client-api.ts";
import type { FederationServices } from "../../homeserver/src/server/federation/federation-services.ts";
import type { Database, SqlExecutor } from "../../homeserver/src/storage/sql.ts";

interface Msg { event_id: string; type: string; content: Record<string, unknown> }

describe("federation send path: fast path and transaction records", function () {
  this.timeout(120_000);
  let fed: TestFederation;
  let alice: Session, bob: Session;
  let a: string, b: string;
  let roomId: string;
  const A = (): FederationServices => fed.get("a.test").hs!.context.federation!;
  const B = (): FederationServices => fed.get("b.test").hs!.context.federation!;
  const send = (body: string, txn: string): Promise<{ event_id: string }> =>
    call(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/${txn}`, { msgtype: "m.text", body });
  const bodiesOnB = async (): Promise<string[]> => {
    const page = await call<{ chunk: Msg[] }>(b, bob, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=1000`);
    return page.chunk.filter((e) => e.type === "m.room.message").map((e) => String(e.content["body"]));
  };
  const queuedFor = async (d: string): Promise<number> => (await A().store.status()).find((s) => s.destination === d)?.queued ?? 0;
  /** Every PDU B's input is handed, by event id (a duplicate delivery shows as a count of 2). */
  const received = new Map<string, number>();

  before(async () => {
    fed = await startFederation(["a.test", "b.test"]);
    a = fed.get("a.test").url;
    b = fed.get("b.test").url;
    alice = await registerUser(a, "alice");
    bob = await registerUser(b, "bob");
    ({ room_id: roomId } = await call<{ room_id: string }>(a, alice, "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat" }));
    await call(b, bob, "POST", `/_matrix/client/v3/join/${enc(roomId)}?via=a.test`, {});
    await waitFor("the join reached A", async () => ((await queuedFor("b.test")) === 0 ? true : undefined));
  });
  after(() => fed?.stop());

  const countReceived = (): void => {
    const input = B().input;
    const receive = input.receive.bind(input);
    input.receive = async (origin, raw, commits) => {
      const r = await receive(origin, raw, commits);
      received.set(r.eventId, (received.get(r.eventId) ?? 0) + 1);
      return r;
    };
  };

  it("sends to an idle destination from memory, over one reused TLS connection", async () => {
    const port = fed.get("b.test").hs!.federationPort;
    let handshakes = 0;
    const onSocket = ({ socket }: { socket: TLSSocket }): void => {
      socket.once("secureConnect", () => {
        if (socket.remotePort === port) handshakes++;
      });
    };
    await send("échauffement", "warm"); // the connection to B may be new
    await waitFor("warm-up delivered", async () => ((await queuedFor("b.test")) === 0 ? true : undefined));
    subscribe("net.client.socket", onSocket as (m: unknown) => void);
    try {
      const fast0 = A().sender.fastSends;
      for (let i = 0; i < 10; i++) {
        const body = `rapide ${i}`;
        await send(body, `fast${i}`);
        await waitFor(`B has ${body}`, async () => ((await bodiesOnB()).includes(body) ? true : undefined));
      }
      // each message found the queue idle (the previous one was acknowledged): all ten left from memory
      assert.equal(A().sender.fastSends - fast0, 10);
      assert.equal(handshakes, 0, "the keep-alive TLS connection to B is reused");
    } finally {
      unsubscribe("net.client.socket", onSocket as (m: unknown) => void);
    }
    await waitFor("queue acknowledged", async () => ((await queuedFor("b.test")) === 0 ? true : undefined));
  });

  it("a fast send that fails leaves the queue row, which the retry delivers", async () => {
    await fed.get("b.test").stop();
    const fast0 = A().sender.fastSends;
    await send("pendant la panne", "down1");
    assert.equal(A().sender.fastSends - fast0, 1, "the first attempt went from memory");
    await waitFor("the attempt failed", async () => ((await A().store.status()).find((s) => s.destination === "b.test" && s.failures > 0) ? true : undefined));
    assert.equal(await queuedFor("b.test"), 1, "the row stays until B answers");
    await fed.get("b.test").start();
    await waitFor("B got it on retry", async () => ((await bodiesOnB()).includes("pendant la panne") ? true : undefined), 30_000);
    await waitFor("row acknowledged", async () => ((await queuedFor("b.test")) === 0 ? true : undefined));
  });

  it("concurrent sends racing the queue drain: every event delivered exactly once", async () => {
    countReceived();
    const fast0 = A().sender.fastSends;
    const ids = (await Promise.all(Array.from({ length: 30 }, (_, i) => send(`rafale ${i}`, `burst${i}`)))).map((r) => r.event_id);
    await waitFor("B has the burst", async () => {
      const seen = await bodiesOnB();
      return Array.from({ length: 30 }, (_, i) => `rafale ${i}`).every((x) => seen.includes(x)) || undefined;
    }, 30_000);
    await waitFor("queue empty", async () => ((await queuedFor("b.test")) === 0 ? true : undefined));
    for (const id of ids) assert.equal(received.get(id), 1, `${id} delivered once`);
    // the burst found the queue busy after the first send: most events went through the queue
    assert.ok(A().sender.fastSends - fast0 < 30, "a busy destination is not sent to from memory");
  });

  it("the transaction's record and the event's push actions share the event's COMMIT", async () => {
    const db: Database = fed.get("b.test").hs!.context.db;
    const { stage: origStage, transaction: origTransaction } = db;
    if (!origStage) throw new Error("SQLite has stage()");
    const stage = origStage.bind(db);
    const transaction = origTransaction.bind(db);
    const groupOf: { kind: string; group: number }[] = [];
    // told apart by their source: the record's INSERT, the event's persist (RemoteInput.store), the push actions' record
    const watch = (fn: { toString(): string }, committed: Promise<unknown>): void => {
      const src = fn.toString();
      const kind = src.includes("SAVE_INBOUND_TXN") ? "txn" : src.includes("createStateGroup") ? "event" : src.includes("store.record(") ? "push" : undefined;
      if (kind) void committed.then(() => groupOf.push({ kind, group: db.groupStats!().groups }), () => undefined);
    };
    db.stage = <T>(fn: (tx: SqlExecutor) => Promise<T>): { executed: Promise<T>; committed: Promise<T> } => {
      const staged = stage(fn);
      watch(fn, staged.committed);
      return staged;
    };
    db.transaction = <T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> => {
      const committed = transaction(fn);
      watch(fn, committed);
      return committed;
    };
    try {
      await send("un seul commit", "onecommit");
      await waitFor("B has it", async () => ((await bodiesOnB()).includes("un seul commit") ? true : undefined));
      await waitFor("all three committed", async () => (["txn", "event", "push"].every((k) => groupOf.some((g) => g.kind === k)) ? true : undefined));
    } finally {
      db.stage = origStage;
      db.transaction = origTransaction;
    }
    const group = (k: string): number | undefined => groupOf.find((g) => g.kind === k)?.group;
    assert.equal(group("txn"), group("event"), `one COMMIT for the event and the transaction record: ${JSON.stringify(groupOf)}`);
    assert.equal(group("push"), group("event"), `the push actions in the event's COMMIT: ${JSON.stringify(groupOf)}`);
  });

  it("a retransmitted transaction id is answered from the record, whatever the retransmission holds", async () => {
    const put = (pdus: unknown[]): Promise<unknown> => A().client.request("b.test", "PUT", "/_matrix/federation/v1/send/dedupe-1", { origin: "a.test", origin_server_ts: Date.now(), pdus, edus: [] });
    const first = await put([{ room_id: "!inconnu:a.test", sender: "@x:a.test" }]);
    assert.ok(Object.values((first as { pdus: Record<string, { error?: string }> }).pdus).some((r) => r.error), JSON.stringify(first));
    const again = await put([]);
    assert.deepEqual(again, first);
  });
});
