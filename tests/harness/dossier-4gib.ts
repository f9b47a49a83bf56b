// Issue 15's 4 GiB acceptance scenario, shared by tests/e2e/dossier-4gib.test.ts and
// tests/bench/dossier-4gib.ts. Three processes besides the caller: council A's and council B's
// homeservers (tests/harness/child-councils.ts) and the agent's Node client
// (dossier-client-process.ts). The client writes a seeded file to disk, uploads it in encrypted
// parts to A; A is SIGKILLed in the middle of a part, the uploader pauses, A restarts, the upload
// resumes from the state file; the m.file goes to a room shared with B; the client downloads the
// file as B's agent through B's homeserver (federation), to disk. RSS of the three processes is
// sampled from /proc (VmRSS every 100 ms, plus VmHWM when read last).
//
// Everything on disk (the source file, both media stores, the download) is under ONE temp folder,
// removed by dispose() and, should the process exit before, by an exit handler.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startChildFederation, type ChildFederation } from "./child-councils.ts";
import { registerUser, waitFor } from "./homeserver.ts";
import { call, enc } from "./client-api.ts";
import type { ClientCommand, ClientReply } from "./dossier-client-process.ts";
import { PARTS_CONTENT_KEY } from "../../appservices/files/src/chunked/manifest.ts";

const CLIENT = fileURLToPath(new URL("./dossier-client-process.ts", import.meta.url));
const MB = 1024 * 1024;

export interface FourGibOptions {
  size: number;
  partSize: number;
  /** A is killed once the client reports this many bytes sent (choose the middle of a part). */
  killAfterBytes: number;
  seed?: string;
}

export interface ProcessMemory {
  /** Before the transfer (after the file was generated, for the client). */
  baseMb: number;
  /** Highest of the sampled VmRSS and the last VmHWM read. */
  peakMb: number;
}

export interface FourGibReport {
  size: number;
  parts: number;
  expectedSha256: string;
  downloadedSha256: string;
  downloadedBytes: number;
  firstRun: { phase: "paused" | "uploaded"; putParts: number[]; acknowledged: number[]; sentAtKill: number };
  resumedPutParts: number[];
  durationsMs: { generate: number; uploadBeforeKill: number; restart: number; uploadResumed: number; federationEvent: number; download: number; downloadWaitingForB: number };
  memory: { client: ProcessMemory; homeserverA: ProcessMemory; homeserverB: ProcessMemory };
  /** Peak sampled VmRSS (MB) per process and phase: generate, upload, resume, download. */
  phasePeaksMb: Record<string, number>;
}

/** VmRSS and VmHWM of a process in MB (0 when it is gone). */
export function procMemoryMb(pid: number | undefined): { rss: number; hwm: number } {
  if (pid === undefined) return { rss: 0, hwm: 0 };
  try {
    const s = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? "0");
    return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

class PeakSampler {
  readonly peaks = new Map<string, number>();
  /** Peak VmRSS per process and phase ("client upload" → MB). */
  readonly phasePeaks = new Map<string, number>();
  phase = "setup";
  private readonly timer: NodeJS.Timeout;
  private readonly pids: () => Record<string, number | undefined>;
  constructor(pids: () => Record<string, number | undefined>) {
    this.pids = pids;
    this.timer = setInterval(() => this.sample(false), 100);
  }
  sample(withHwm: boolean): Record<string, number> {
    const now: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids())) {
      const m = procMemoryMb(pid);
      now[name] = m.rss;
      const key = `${name} ${this.phase}`;
      this.phasePeaks.set(key, Math.max(this.phasePeaks.get(key) ?? 0, m.rss));
      this.peaks.set(name, Math.max(this.peaks.get(name) ?? 0, m.rss, withHwm ? m.hwm : 0));
    }
    return now;
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

/** Runs the scenario; call dispose() afterwards in all cases (a mocha `after` hook). */
export class FourGibTransfer {
  private readonly dir = mkdtempSync(join(tmpdir(), "entente-4gib-"));
  private fed: ChildFederation | undefined;
  private client: ChildProcess | undefined;
  /** Processes being started: dispose() waits for them, so a timeout mid-start leaves no orphan. */
  private starting: Promise<unknown>[] = [];
  private disposed = false;
  private sampler: PeakSampler | undefined;
  private readonly onExit = (): void => rmSync(this.dir, { recursive: true, force: true });

  private readonly o: FourGibOptions;

  constructor(o: FourGibOptions) {
    this.o = o;
    process.once("exit", this.onExit);
  }

  async run(): Promise<FourGibReport> {
    const { size, partSize } = this.o;
    const seed = this.o.seed ?? "dossier-4gib";
    // both media stores inside our folder, so one removal frees everything
    const fed = (this.fed = await this.spawning(startChildFederation(["big-a.test", "big-b.test"], (name, c) => (c.media.path = join(this.dir, `media-${name}`)))));
    const a = fed.get("big-a.test");
    const b = fed.get("big-b.test");
    const client = (this.client = await this.spawning(startClient()));
    const sampler = (this.sampler = new PeakSampler(() => ({ client: client.pid, homeserverA: a.child?.pid, homeserverB: b.child?.pid })));

    const alice = await registerUser(a.url, "alice");
    const bob = await registerUser(b.url, "bob");
    const { room_id: roomId } = await call<{ room_id: string }>(a.url, alice, "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat", name: "Dossier mobilité" });
    await call(b.url, bob, "POST", `/_matrix/client/v3/join/${enc(roomId)}?via=big-a.test`, {});

    const source = join(this.dir, "source.bin");
    sampler.phase = "generate";
    const gen = await command(client, { op: "generate", path: source, seed, size }, "generated");
    const base = sampler.sample(false);
    sampler.phase = "upload";

    const up = { op: "upload", path: source, statePath: join(this.dir, "upload-state.json"), size, partSize, baseUrl: a.url, accessToken: alice.accessToken, progressEvery: 8 * MB } as const;
    let sentAtKill = 0;
    let killing: Promise<void> | undefined;
    const first = await command(client, up, ["paused", "uploaded"], (sent) => {
      if (killing !== undefined || sent < this.o.killAfterBytes) return;
      sentAtKill = sent;
      sampler.sample(true); // A's VmHWM, before it goes
      killing = a.kill();
    });
    await killing;
    sampler.phase = "resume";
    let t = performance.now();
    await this.spawning(a.start());
    const restart = performance.now() - t;
    const second = await command(client, up, "uploaded");

    t = performance.now();
    await call(a.url, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/big4g`, second.content);
    const content = await waitFor("the m.file at B", async () => {
      const r = await call<{ chunk: { type: string; content: Record<string, unknown> }[] }>(b.url, bob, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=20`);
      return r.chunk.find((e) => e.type === "m.room.message" && e.content[PARTS_CONTENT_KEY] !== undefined)?.content;
    }, 60_000);
    const federationEvent = performance.now() - t;
    sampler.phase = "download";
    const down = await command(client, { op: "download", path: join(this.dir, "downloaded.bin"), content, baseUrl: b.url, accessToken: bob.accessToken }, "downloaded");
    sampler.sample(true);
    sampler.stop();

    const mem = (name: string): ProcessMemory => ({ baseMb: base[name] ?? 0, peakMb: sampler.peaks.get(name) ?? 0 });
    const parts = (content[PARTS_CONTENT_KEY] as { parts: number }).parts;
    return {
      size, parts, expectedSha256: gen.sha256, downloadedSha256: down.sha256, downloadedBytes: down.bytes,
      firstRun: first.op === "paused" ? { phase: "paused", putParts: first.putParts, acknowledged: first.acknowledged, sentAtKill } : { phase: "uploaded", putParts: first.putParts, acknowledged: [], sentAtKill },
      resumedPutParts: second.putParts,
      durationsMs: { generate: gen.ms, uploadBeforeKill: first.ms, restart, uploadResumed: second.ms, federationEvent, download: down.ms, downloadWaitingForB: down.waitMs },
      memory: { client: mem("client"), homeserverA: mem("homeserverA"), homeserverB: mem("homeserverB") },
      phasePeaksMb: Object.fromEntries(sampler.phasePeaks),
    };
  }

  /** Tracks a process start; refuses to start anything once disposed. */
  private async spawning<T>(start: Promise<T>): Promise<T> {
    if (this.disposed) throw new Error("dossier 4 GiB transfer: disposed");
    this.starting.push(start.catch(() => undefined));
    const started = await start;
    if (this.disposed) throw new Error("dossier 4 GiB transfer: disposed while starting");
    return started;
  }

  /** Stops the three processes and removes the temp folder (safe to call twice, and after a failure). */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.sampler?.stop();
    // a start under way finishes first (then run() stops), so what it spawned is stopped below
    const started = await Promise.all(this.starting);
    this.fed ??= started.find((s): s is ChildFederation => typeof s === "object" && s !== null && "stop" in s);
    this.client ??= started.find((s): s is ChildProcess => typeof s === "object" && s !== null && "pid" in s);
    const client = this.client;
    this.client = undefined;
    if (client && client.exitCode === null && client.signalCode === null) {
      await new Promise<void>((resolve) => {
        client.once("exit", () => resolve());
        client.kill("SIGKILL");
      });
    }
    await this.fed?.stop();
    this.fed = undefined;
    rmSync(this.dir, { recursive: true, force: true });
    process.removeListener("exit", this.onExit);
  }
}

function startClient(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLIENT], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    child.once("message", () => resolve(child));
    child.once("exit", (code) => reject(new Error(`client process exited (${code}) before ready`)));
  });
}

type Reply<K extends ClientReply["op"]> = Extract<ClientReply, { op: K }>;

/** Sends a command and resolves with its answer (one of `expect`); progress goes to `onProgress`. */
function command<K extends ClientReply["op"]>(child: ChildProcess, cmd: ClientCommand, expect: K | K[], onProgress?: (sent: number) => void): Promise<Reply<K>> {
  const ok = new Set<string>(Array.isArray(expect) ? expect : [expect]);
  return new Promise((resolve, reject) => {
    const onMessage = (m: ClientReply): void => {
      if (m.op === "progress") return onProgress?.(m.sentBytes);
      done();
      if (ok.has(m.op)) resolve(m as Reply<K>);
      else reject(new Error(`client: ${m.op === "failed" ? m.error : `unexpected ${m.op}`} (after ${cmd.op})`));
    };
    const onExit = (code: number | null, signal: string | null): void => {
      done();
      reject(new Error(`client process exited (${code ?? signal}) during ${cmd.op}`));
    };
    const done = (): void => {
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
    child.send(cmd);
  });
}
