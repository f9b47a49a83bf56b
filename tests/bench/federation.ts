// Issue 4 benchmarks: federation delivery latency and the remote join of a large room.
import { startFederation } from "../harness/federation.ts";
import { registerUser } from "../harness/homeserver.ts";
import { call, enc } from "../harness/client-api.ts";
import { median, percentile, type BenchRow } from "./stats.ts";
import type { ServerContext } from "../../homeserver/src/server/context.ts";
import { createRoom } from "../../homeserver/src/server/rooms/create-room.ts";

export async function federationBench(quick: boolean): Promise<BenchRow[]> {
  const fed = await startFederation(["bench-a.test", "bench-b.test"]);
  try {
    const a = fed.get("bench-a.test").url;
    const b = fed.get("bench-b.test").url;
    const alice = await registerUser(a, "alice");
    const bob = await registerUser(b, "bob");
    const { room_id: roomId } = await call<{ room_id: string }>(a, alice, "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat" });
    await call(b, bob, "POST", `/_matrix/client/v3/join/${enc(roomId)}?via=bench-a.test`, {});
    let since = (await call<{ next_batch: string }>(b, bob, "GET", "/_matrix/client/v3/sync?timeout=0")).next_batch;
    const samples: number[] = [];
    for (let i = 0; i < (quick ? 20 : 100); i++) {
      const body = `fed ping ${i}`;
      const start = performance.now();
      const seen = (async () => {
        for (;;) {
          const r = await call<{ next_batch: string; rooms: { join: Record<string, { timeline: { events: { content: { body?: string } }[] } }> } }>(b, bob, "GET", `/_matrix/client/v3/sync?timeout=5000&since=${since}`);
          since = r.next_batch;
          if (r.rooms.join[roomId]?.timeline.events.some((e) => e.content.body === body)) return performance.now();
        }
      })();
      await call(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/f${i}`, { msgtype: "m.text", body });
      samples.push((await seen) - start);
    }
    const rows: BenchRow[] = [
      { name: "federation send(A)→/sync(B) p50", value: median(samples), unit: "ms", target: "≤ 50 ms", met: median(samples) <= 50 },
      { name: "federation send(A)→/sync(B) p99", value: percentile(samples, 99), unit: "ms", target: "" },
    ];
    rows.push(await bigRoomJoin(fed.get("bench-a.test").hs!.context, b, quick));
    return rows;
  } finally {
    await fed.stop();
  }
}

async function bigRoomJoin(ctxA: ServerContext, b: string, quick: boolean): Promise<BenchRow> {
  const members = quick ? 100 : 1000;
  const others = quick ? 400 : 4000;
  const creator = "@creator:bench-a.test";
  const roomId = await createRoom({ localEvents: ctxA.localEvents, rooms: ctxA.stores.rooms, invite: async () => undefined }, {
    creator, serverName: "bench-a.test", roomVersion: "12", preset: "public_chat", visibility: "private", invite: [], isDirect: false,
    creationContent: {}, initialState: [],
  });
  for (let i = 0; i < members; i++) {
    const u = `@membre${i}:bench-a.test`;
    await ctxA.localEvents.send(roomId, u, { type: "m.room.member", stateKey: u, content: { membership: "join", displayname: `Agent ${i}` } });
  }
  for (let i = 0; i < others; i++) {
    await ctxA.localEvents.send(roomId, creator, { type: "org.entente.bench", stateKey: `k${i}`, content: { i } });
  }
  const joiner = await registerUser(b, "joiner");
  const start = performance.now();
  await call(b, joiner, "POST", `/_matrix/client/v3/join/${enc(roomId)}?via=bench-a.test`, {});
  const ms = performance.now() - start;
  const label = `remote join: ${members} members, ${members + others} state events`;
  return { name: label, value: ms, unit: "ms", target: quick ? "" : "≤ 3000 ms", ...(quick ? {} : { met: ms <= 3000 }) };
}
