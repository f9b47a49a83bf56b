// Review R8 (b760e61): on PostgreSQL the room writer's events are pipelined bodies, and a failing
// write refuses their whole group. A client's retransmission of a committed send (same txn id after
// a lost answer: normal client behaviour) made its event_txns insert fail, so every other request
// sharing its group (account data, receipts, to-device, other users' sends) answered 500.
// What must hold, on a real homeserver over HTTP:
//  - a transaction the process committed is answered from the store without entering a group:
//    no group is refused, whatever the loop of retransmissions;
//  - after a restart (the process does not know the txn), the first retransmission refuses one
//    group at most, later ones none, and no other request of that group fails (group-commit.ts
//    runs its transactions again, the room writer builds its events again);
//  - each retransmission gets the original event id.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startHomeserver, type RunningHomeserver } from "../../homeserver/src/server/compose.ts";
import type { WriterRefusals } from "../../homeserver/src/storage/postgres.ts";
import { enc, type Session } from "../harness/client-api.ts";
import { aliceAndBobInPublicRoom } from "../harness/public-room.ts";
import { freshDatabase, requirePostgres } from "../harness/postgres.ts";
import { testConfig, type ConfigOverrides } from "../harness/test-config.ts";

interface Answer {
  what: string;
  status: number;
  json: Record<string, unknown>;
}

describe("PostgreSQL: a retransmitted send refuses no other request's write (review R8)", function () {
  this.timeout(180_000);
  let dir: string;
  let url: string;
  let drop: (() => Promise<void>) | undefined;
  let hs: RunningHomeserver | undefined;
  let alice: Session;
  let bob: Session;
  let roomId: string;
  let original: string;

  const start = async (): Promise<RunningHomeserver> => startHomeserver(testConfig(dir, { database: { type: "postgres", url } as NonNullable<ConfigOverrides["database"]> }));
  const refusals = (): { refused: number; rerun: number } => {
    const r = (hs?.context.db as Partial<WriterRefusals> | undefined)?.writerRefusals?.();
    assert.ok(r, "the PostgreSQL writer counts its refused groups");
    return r;
  };
  const put = async (who: Session, path: string, body: unknown, what: string): Promise<Answer> => {
    const r = await fetch(`${hs?.url ?? ""}/_matrix/client/v3${path}`, {
      method: path.includes("/receipt/") ? "POST" : "PUT",
      headers: { Authorization: `Bearer ${who.accessToken}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    return { what, status: r.status, json: (await r.json()) as Record<string, unknown> };
  };
  const retransmit = (): Promise<Answer> => put(alice, `/rooms/${enc(roomId)}/send/m.room.message/dup`, { msgtype: "m.text", body: "une fois" }, "retransmission");

  /** Rounds of bob's account data, receipts, to-device messages and sends, each with alice's retransmission (`copies` at once). */
  const rounds = async (tag: string, n: number, copies = 1): Promise<void> => {
    const failed: string[] = [];
    for (let r = 0; r < n; r++) {
      const all: Promise<Answer>[] = [];
      for (let i = 0; i < 6; i++) {
        if (i === 3) for (let c = 0; c < copies; c++) all.push(retransmit()); // among the others: sharing their groups
        all.push(put(bob, `/user/${enc(bob.userId)}/account_data/org.example.${tag}${i}`, { r, i }, "account data"));
        all.push(put(bob, `/rooms/${enc(roomId)}/receipt/m.read/${enc(original)}`, {}, "receipt"));
        all.push(put(bob, `/sendToDevice/org.example.ping/${tag}${r}_${i}`, { messages: { [alice.userId]: { "*": { r, i } } } }, "to-device"));
        all.push(put(bob, `/rooms/${enc(roomId)}/send/m.room.message/${tag}${r}_${i}`, { msgtype: "m.text", body: `${tag} ${r}.${i}` }, "bob's send"));
      }
      for (const a of await Promise.all(all)) {
        if (a.status !== 200) failed.push(`${a.what}: ${a.status} ${String(a.json["errcode"])} ${String(a.json["error"])}`);
        else if (a.what === "retransmission" && a.json["event_id"] !== original) failed.push(`retransmission answered ${String(a.json["event_id"])}, not ${original}`);
      }
    }
    assert.deepEqual(failed, [], `${failed.length} requests failed`);
  };

  before(async function () {
    await requirePostgres(this);
    const fresh = await freshDatabase();
    url = fresh.url;
    drop = fresh.drop;
    dir = mkdtempSync(join(tmpdir(), "entente-retrans-"));
    hs = await start();
    ({ alice, bob, roomId } = await aliceAndBobInPublicRoom(hs.url));
    const first = await retransmit();
    assert.equal(first.status, 200);
    original = String(first.json["event_id"]);
  });
  after(async () => {
    await hs?.stop();
    await drop?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("a transaction this process committed: answered from the store, no group refused", async () => {
    await rounds("a", 8);
    assert.equal(refusals().refused, 0, "no group refused");
  });

  it("after a restart: the first retransmissions (three at once) refuse one group at most, nobody else fails, a loop refuses no more", async () => {
    await hs?.stop();
    hs = await start();
    // the room's tip in memory (a send of bob's): the retransmission is then built without a read
    // and its body joins the group of the requests around it
    assert.equal((await put(bob, `/rooms/${enc(roomId)}/send/m.room.message/warm`, { msgtype: "m.text", body: "tiède" }, "bob's send")).status, 200);
    await rounds("b", 8, 3);
    assert.ok(refusals().refused <= 1, `refused groups: ${refusals().refused}`);
  });

  it("after a restart, a client replaying its old txn ids one by one refuses one group, and bob's sends all succeed (review R16)", async () => {
    const old: { txn: string; id: string }[] = [];
    for (let i = 0; i < 40; i++) {
      const a = await put(alice, `/rooms/${enc(roomId)}/send/m.room.message/old${i}`, { msgtype: "m.text", body: `ancien ${i}` }, "alice's send");
      assert.equal(a.status, 200);
      old.push({ txn: `old${i}`, id: String(a.json["event_id"]) });
    }
    await hs?.stop();
    hs = await start();
    assert.equal((await put(bob, `/rooms/${enc(roomId)}/send/m.room.message/warm2`, { msgtype: "m.text", body: "tiède" }, "bob's send")).status, 200);
    const replay = (async () => {
      const wrong: string[] = [];
      for (const o of old) {
        const a = await put(alice, `/rooms/${enc(roomId)}/send/m.room.message/${o.txn}`, { msgtype: "m.text", body: "rejoué" }, "replay");
        if (a.status !== 200 || a.json["event_id"] !== o.id) wrong.push(`${o.txn}: ${a.status} ${String(a.json["event_id"] ?? a.json["errcode"])}`);
      }
      return wrong;
    })();
    const sends = (async () => {
      const failed: string[] = [];
      for (let r = 0; r < 10; r++) {
        const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => put(bob, `/rooms/${enc(roomId)}/send/m.room.message/c${r}_${i}`, { msgtype: "m.text", body: `c ${r}.${i}` }, "bob's send")));
        for (const a of answers) if (a.status !== 200) failed.push(`${a.status} ${String(a.json["errcode"])}`);
      }
      return failed;
    })();
    assert.deepEqual(await replay, [], "each replay answered with its original event id");
    assert.deepEqual(await sends, [], "bob's sends");
    assert.ok(refusals().refused <= 1, `refused groups: ${refusals().refused} (one per replaying device at most)`);
  });
});
