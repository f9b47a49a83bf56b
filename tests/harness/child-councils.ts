// Federating councils each in its own process (tests/bench/council-child.ts), so a test can read
// each homeserver's RSS on its own and kill one mid-transfer (SIGKILL, like a crash) and restart
// it with the same identity and data.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startFederation, type TestFederation } from "./federation.ts";
import type { HomeserverConfig } from "../../homeserver/src/config/config-types.ts";

const CHILD = fileURLToPath(new URL("../bench/council-child.ts", import.meta.url));

export interface ChildCouncil {
  name: string;
  url: string;
  child: ChildProcess | undefined;
  start(): Promise<void>;
  kill(): Promise<void>;
  /** Current RSS in MB (0 when not running). */
  rssMb(): number;
}

export interface ChildFederation {
  get(name: string): ChildCouncil;
  stop(): Promise<void>;
}

export async function startChildFederation(names: string[], configure?: (name: string, c: HomeserverConfig) => void): Promise<ChildFederation> {
  const fed: TestFederation = await startFederation(names, { start: false, ...(configure ? { configure } : {}) });
  const councils = new Map<string, ChildCouncil>();
  for (const name of names) {
    const c = fed.get(name);
    const council: ChildCouncil = {
      name, url: c.url, child: undefined,
      async start() {
        const cfg = c.config;
        const env = { ...process.env, ENTENTE_CONFIG: JSON.stringify({ ...cfg, federation: { ...cfg.federation, hostMap: [...cfg.federation.hostMap] } }) };
        const child = spawn(process.execPath, [CHILD], { stdio: ["ignore", "pipe", "inherit"], env });
        this.child = child;
        await new Promise<void>((resolve, reject) => {
          child.stdout?.on("data", (d: Buffer) => (d.toString().includes("ready") ? resolve() : undefined));
          child.once("exit", (code) => reject(new Error(`council ${name} exited (${code}) before ready`)));
        });
      },
      async kill() {
        const child = this.child;
        this.child = undefined;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        await new Promise<void>((resolve) => {
          child.once("exit", () => resolve());
          child.kill("SIGKILL");
        });
      },
      rssMb() {
        if (!this.child?.pid) return 0;
        try {
          return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${this.child.pid}/status`, "utf8"))?.[1] ?? "0") / 1024;
        } catch {
          return 0;
        }
      },
    };
    councils.set(name, council);
  }
  for (const c of councils.values()) await c.start();
  return {
    get(name) {
      const c = councils.get(name);
      if (!c) throw new Error(`no council ${name}`);
      return c;
    },
    async stop() {
      for (const c of councils.values()) await c.kill();
      await fed.stop();
    },
  };
}
