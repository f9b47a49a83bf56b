// Issue 5 benchmarks: large-file throughput (local and over federation) with memory growth, and
// the time from Alice's first encrypted message in a new room to Bob's decrypted display.
import { createHash } from "node:crypto";
import * as sdk from "matrix-js-sdk";
import { startFederation } from "../harness/federation.ts";
import { waitFor } from "../harness/homeserver.ts";
import { newClient, startSyncing } from "../harness/matrix-client.ts";
import { hashing, randomSource, uploadStream, downloadStream } from "../harness/streams.ts";
import { median, type BenchRow } from "./stats.ts";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { rssMb } from "./client-server.ts";

export async function e2eeBench(quick: boolean): Promise<BenchRow[]> {
  const rows = await fileThroughput(quick);
  const fed = await startFederation(["e2ee-a.test", "e2ee-b.test"], { configure: (_n, c) => (c.rooms.encryptionByDefault = "invite") });
  try {
    rows.push(await firstMessageLatency(fed.get("e2ee-a.test").url, fed.get("e2ee-b.test").url, quick ? 3 : 7));
  } finally {
    await fed.stop();
  }
  return rows;
}

/** Upload, local download and federated download of one big file; homeservers in a child process. */
async function fileThroughput(quick: boolean): Promise<BenchRow[]> {
  const size = (quick ? 64 : 1024) * 1024 * 1024;
  const label = quick ? "64 MiB" : "1 GiB";
  const child = spawn(process.execPath, [fileURLToPath(new URL("./federation-child.ts", import.meta.url))], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const info = await new Promise<{ a: string; b: string; alice: string; bob: string }>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const line = out.split("\n").find((l) => l.startsWith("{"));
        if (line) resolve(JSON.parse(line) as { a: string; b: string; alice: string; bob: string });
      });
      child.once("exit", (code) => reject(new Error(`federation child exited (${code})`)));
    });
    await new Promise((r) => setTimeout(r, 1000));
    const base = rssMb(child);
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(child) - base)), 50);
    const up = hashing(createHash("sha256"));
    let t = performance.now();
    const mxc = await uploadStream(info.a, info.alice, randomSource(size).pipe(up));
    const upMs = performance.now() - t;
    const id = mxc.split("/").pop() ?? "";
    t = performance.now();
    await downloadStream(`${info.a}/_matrix/client/v1/media/download/files-a.test/${id}`, info.alice, hashing());
    const downMs = performance.now() - t;
    t = performance.now();
    const fedDown = hashing();
    await downloadStream(`${info.b}/_matrix/client/v1/media/download/files-a.test/${id}`, info.bob, fedDown);
    const fedMs = performance.now() - t;
    clearInterval(sampler);
    if (fedDown.digest() !== up.digest()) throw new Error("federated download differs");
    const mbps = (ms: number): number => size / 2 ** 20 / (ms / 1000);
    return [
      { name: `upload ${label} (local)`, value: mbps(upMs), unit: "MB/s", target: "" },
      { name: `download ${label} (local)`, value: mbps(downMs), unit: "MB/s", target: "" },
      { name: `download ${label} over federation (first, uncached)`, value: mbps(fedMs), unit: "MB/s", target: "" },
      { name: "peak RSS growth of the 2 homeservers during transfers", value: peak, unit: "MB", target: "< 50 MB", met: peak < 50 },
    ];
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
}

async function firstMessageLatency(a: string, b: string, rooms: number): Promise<BenchRow> {
  const alice = await newClient(a, "alice_e2ee");
  const bob = await newClient(b, "bob_e2ee");
  for (const c of [alice.client, bob.client]) {
    await c.initRustCrypto({ useIndexedDB: false });
    await startSyncing(c);
  }
  const samples: number[] = [];
  try {
    for (let i = 0; i < rooms; i++) {
      const { room_id: roomId } = await alice.client.createRoom({ preset: sdk.Preset.PrivateChat, invite: [bob.userId] });
      await waitFor("invite", () => bob.client.getRoom(roomId)?.getMyMembership() === "invite" || undefined);
      await bob.client.joinRoom(roomId);
      await waitFor("joined", () => alice.client.getRoom(roomId)?.getMember(bob.userId)?.membership === "join" || undefined);
      const start = performance.now();
      const { event_id } = await alice.client.sendTextMessage(roomId, `premier message ${i}`);
      await waitFor("decrypted", () => {
        const ev = bob.client.getRoom(roomId)?.findEventById(event_id);
        return ev && !ev.isBeingDecrypted() && ev.getType() === "m.room.message" ? true : undefined;
      }, 60_000);
      samples.push(performance.now() - start);
    }
  } finally {
    alice.client.stopClient();
    bob.client.stopClient();
  }
  return { name: "first encrypted message → Bob's decrypted display (p50, 2 councils)", value: median(samples), unit: "ms", target: "" };
}
