// Issue 4 acceptance: a council offline for a while catches up with nothing missing; conflicting
// power-level changes made during a split resolve identically everywhere; a sender restarted with
// a non-empty queue loses nothing.
import assert from "node:assert/strict";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { call, enc, type Session } from "../harness/client-api.ts";

interface Msg { event_id: string; type: string; state_key?: string; content: Record<string, unknown> }

async function allMessages(base: string, who: Session, roomId: string): Promise<string[]> {
  const page = await call<{ chunk: Msg[] }>(base, who, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=1000`);
  return page.chunk.filter((e) => e.type === "m.room.message").map((e) => String(e.content["body"])).reverse();
}

async function currentState(base: string, who: Session, roomId: string): Promise<string> {
  const state = await call<Msg[]>(base, who, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/state`) as unknown as Msg[];
  return JSON.stringify(state.map((e) => [e.type, e.state_key, e.event_id]).sort());
}

describe("netsplits and outages between councils", function () {
  this.timeout(180_000);
  let fed: TestFederation;
  let alice: Session, bob: Session, carol: Session;
  let a: string, b: string, c: string;
  let roomId: string;

  before(async () => {
    fed = await startFederation(["a.test", "b.test", "c.test"]);
    a = fed.get("a.test").url;
    b = fed.get("b.test").url;
    c = fed.get("c.test").url;
    alice = await registerUser(a, "alice");
    bob = await registerUser(b, "bob");
    carol = await registerUser(c, "carol");
    ({ room_id: roomId } = await call<{ room_id: string }>(a, alice, "POST", "/_matrix/client/v3/createRoom", {
      preset: "public_chat", power_level_content_override: { users: { [bob.userId]: 100, [carol.userId]: 100 } },
    }));
    await call(b, bob, "POST", `/_matrix/client/v3/join/${enc(roomId)}?via=a.test`, {});
    await call(c, carol, "POST", `/_matrix/client/v3/join/${enc(roomId)}?via=a.test`, {});
    await waitFor("3 joined on every council", async () => {
      for (const [base, who] of [[a, alice], [b, bob], [c, carol]] as const) {
        const m = await call<{ joined: object }>(base, who, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/joined_members`);
        if (Object.keys(m.joined).length !== 3) return undefined;
      }
      return true;
    });
  });
  after(() => fed?.stop());

  it("B catches up after an outage with no missing event and the same state", async () => {
    await fed.get("b.test").stop();
    const sent: string[] = [];
    for (let i = 0; i < 30; i++) {
      const [base, who] = i % 2 === 0 ? [a, alice] : [c, carol];
      await call(base, who, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/split${i}`, { msgtype: "m.text", body: `pendant la coupure ${i}` });
      sent.push(`pendant la coupure ${i}`);
    }
    await call(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.topic`, { topic: "changé pendant la coupure" });
    await fed.get("b.test").start();
    await waitFor("B has every message", async () => {
      const seen = await allMessages(b, bob, roomId);
      return sent.every((m) => seen.includes(m)) || undefined;
    }, 60_000);
    await waitFor("same current state on A, B, C", async () => {
      const [sa, sb, sc] = await Promise.all([currentState(a, alice, roomId), currentState(b, bob, roomId), currentState(c, carol, roomId)]);
      return sa === sb && sb === sc || undefined;
    }, 30_000);
    const topic = await call<{ topic: string }>(b, bob, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.topic`);
    assert.equal(topic.topic, "changé pendant la coupure");
  });

  it("conflicting power-level changes made during a split resolve identically", async () => {
    const A = fed.get("a.test").hs!.context.federation!;
    const B = fed.get("b.test").hs!.context.federation!;
    A.sender.pause();
    B.sender.pause();
    const pl = await call<Record<string, unknown>>(a, alice, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.power_levels`);
    const users = pl["users"] as Record<string, number>;
    // both sides demote someone else at the same time
    await call(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.power_levels`, { ...pl, users: { ...users, [bob.userId]: 0 } });
    await call(b, bob, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.power_levels`, { ...pl, users: { ...users }, events_default: 10, state_default: 60 });
    await call(b, bob, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.topic`, { topic: "sujet de B pendant la scission" });
    A.sender.resume();
    B.sender.resume();
    await waitFor("every council converges", async () => {
      const [sa, sb, sc] = await Promise.all([currentState(a, alice, roomId), currentState(b, bob, roomId), currentState(c, carol, roomId)]);
      return sa === sb && sb === sc || undefined;
    }, 60_000);
    // and the room goes on: a message after the merge reaches everyone
    await call(c, carol, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/after-merge`, { msgtype: "m.text", body: "après la fusion" });
    for (const [base, who] of [[a, alice], [b, bob]] as const) {
      await waitFor("message after merge", async () => ((await allMessages(base, who, roomId)).includes("après la fusion") ? true : undefined));
    }
  });

  it("a sender restarted with a non-empty queue loses nothing", async () => {
    await fed.get("c.test").stop();
    for (let i = 0; i < 10; i++) {
      await call(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/queued${i}`, { msgtype: "m.text", body: `en file ${i}` });
    }
    const queued = await fed.get("a.test").hs!.context.federation!.store.status();
    assert.ok((queued.find((d) => d.destination === "c.test")?.queued ?? 0) > 0, "A has a queue for C");
    await fed.get("a.test").stop();
    await fed.get("c.test").start();
    await fed.get("a.test").start();
    await waitFor("C receives the queued messages", async () => {
      const seen = await allMessages(c, carol, roomId);
      return [...Array(10).keys()].every((i) => seen.includes(`en file ${i}`)) || undefined;
    }, 60_000);
  });
});
