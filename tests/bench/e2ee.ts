// Issue 5 benchmarks: large-file throughput (local and over federation) with memory growth, and
// the time from Alice's first encrypted message in a new room to Bob's decrypted display.
import { createHash } from "node:crypto";
import * as sdk from "matrix-js-sdk";
import { startFederation } from "../harness/federation.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { newClient, startSyncing } from "../harness/matrix-client.ts";
import { hashing, randomSource, uploadStream, downloadStream } from "../harness/streams.ts";
import { median, type BenchRow } from "./stats.ts";
import { spawn, type ChildProcess } from "node:child_process";
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

/** Upload, local download and federated download of one big file; each homeserver in its own process. */
async function fileThroughput(quick: boolean): Promise<BenchRow[]> {
  const size = (quick ? 64 : 1024) * 1024 * 1024;
  const label = quick ? "64 MiB" : "1 GiB";
  const fed = await startFederation(["files-a.test", "files-b.test"], { start: false });
  const children: ChildProcess[] = [];
  try {
    for (const name of ["files-a.test", "files-b.test"]) {
      const c = fed.get(name).config;
      const env = { ...process.env, ENTENTE_CONFIG: JSON.stringify({ ...c, federation: { ...c.federation, hostMap: [...c.federation.hostMap] } }) };
      const child = spawn(process.execPath, [fileURLToPath(new URL("./council-child.ts", import.meta.url))], { stdio: ["ignore", "pipe", "inherit"], env });
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        child.stdout?.on("data", (d: Buffer) => (d.toString().includes("ready") ? resolve() : undefined));
        child.once("exit", (code) => reject(new Error(`council ${name} exited (${code})`)));
      });
    }
    const [childA, childB] = children as [ChildProcess, ChildProcess];
    const a = fed.get("files-a.test").url;
    const b = fed.get("files-b.test").url;
    const alice = await registerUser(a, "alice");
    const bob = await registerUser(b, "bob");
    await new Promise((r) => setTimeout(r, 1000));
    const baseA = rssMb(childA);
    const baseB = rssMb(childB);
    let peakA = 0;
    let peakB = 0;
    const sampler = setInterval(() => {
      peakA = Math.max(peakA, rssMb(childA) - baseA);
      peakB = Math.max(peakB, rssMb(childB) - baseB);
    }, 50);
    const up = hashing(createHash("sha256"));
    let t = performance.now();
    const mxc = await uploadStream(a, alice.accessToken, randomSource(size).pipe(up));
    const upMs = performance.now() - t;
    const id = mxc.split("/").pop() ?? "";
    t = performance.now();
    await downloadStream(`${a}/_matrix/client/v1/media/download/files-a.test/${id}`, alice.accessToken, hashing());
    const downMs = performance.now() - t;
    t = performance.now();
    const fedDown = hashing();
    await downloadStream(`${b}/_matrix/client/v1/media/download/files-a.test/${id}`, bob.accessToken, fedDown);
    const fedMs = performance.now() - t;
    clearInterval(sampler);
    if (fedDown.digest() !== up.digest()) throw new Error("federated download differs");
    const mbps = (ms: number): number => size / 2 ** 20 / (ms / 1000);
    return [
      { name: `upload ${label} (local)`, value: mbps(upMs), unit: "MB/s", target: "" },
      { name: `download ${label} (local)`, value: mbps(downMs), unit: "MB/s", target: "" },
      { name: `download ${label} over federation (first, uncached)`, value: mbps(fedMs), unit: "MB/s", target: "" },
      { name: "peak RSS growth, homeserver A (upload, downloads)", value: peakA, unit: "MB", target: "< 50 MB", met: peakA < 50 },
      { name: "peak RSS growth, homeserver B (federated fetch)", value: peakB, unit: "MB", target: "< 50 MB", met: peakB < 50 },
    ];
  } finally {
    for (const c of children) {
      c.kill("SIGTERM");
      await new Promise((r) => (c.exitCode !== null ? r(undefined) : c.once("exit", r)));
    }
    await fed.stop();
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
