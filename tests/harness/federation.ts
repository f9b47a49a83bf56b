// Several homeservers federating on loopback over TLS (a throwaway CA), each with its own temp
// folder and database. Servers can be stopped and restarted with the same identity and data.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.ts";
import { startHomeserver, type RunningHomeserver } from "../../homeserver/src/server/compose.ts";
import type { HomeserverConfig, HostMapTarget } from "../../homeserver/src/config/config-types.ts";
import { testConfig } from "./test-config.ts";
import { createTestCa, type TestCa } from "./federation-ca.ts";
import { freshDatabase } from "./postgres.ts";
import type { DbKind } from "./homeserver.ts";

export { freePort };

export interface Council {
  name: string;
  config: HomeserverConfig;
  hs: RunningHomeserver | undefined;
  /** Client-server base URL (stable across restarts). */
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface TestFederation {
  councils: Map<string, Council>;
  get(name: string): Council;
  stop(): Promise<void>;
}

export async function startFederation(names: string[], opts: { db?: DbKind; configure?: (name: string, c: HomeserverConfig) => void; start?: boolean } = {}): Promise<TestFederation> {
  const ca: TestCa = createTestCa();
  const ports = new Map<string, { client: number; fed: number }>();
  for (const n of names) ports.set(n, { client: await freePort(), fed: await freePort() });
  const hostMap = new Map<string, HostMapTarget>(names.map((n) => [n, { scheme: "https", host: "localhost", port: ports.get(n)?.fed ?? 0 }]));
  const councils = new Map<string, Council>();
  const cleanups: (() => Promise<void>)[] = [];
  for (const name of names) {
    const dir = mkdtempSync(join(tmpdir(), `entente-${name}-`));
    const p = ports.get(name) ?? { client: 0, fed: 0 };
    const config = testConfig(dir, { server: { name }, listeners: { client: { host: "127.0.0.1", port: p.client, trustForwardedFor: false } } });
    config.federation = {
      enabled: true, listener: { host: "127.0.0.1", port: p.fed }, tls: { certPath: ca.certPath, keyPath: ca.keyPath }, extraCaPath: ca.caPath,
      tlsVerify: true, hostMap, allowList: [...names], denyList: [], trustedKeyServers: [], oldVerifyKeys: [],
    };
    if (opts.db === "postgres") {
      const fresh = await freshDatabase();
      config.database = { type: "postgres", url: fresh.url };
      cleanups.push(fresh.drop);
    }
    opts.configure?.(name, config);
    const council: Council = {
      name, config, hs: undefined, url: `http://127.0.0.1:${p.client}`,
      async start() {
        this.hs = await startHomeserver(config, { federationSender: { minBackoffMs: 50, maxBackoffMs: 500 } });
      },
      async stop() {
        await this.hs?.stop();
        this.hs = undefined;
      },
    };
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    councils.set(name, council);
  }
  if (opts.start !== false) for (const c of councils.values()) await c.start();
  return {
    councils,
    get(name) {
      const c = councils.get(name);
      if (!c) throw new Error(`no council ${name}`);
      return c;
    },
    async stop() {
      for (const c of councils.values()) await c.stop();
      for (const fn of cleanups) await fn();
      ca.cleanup();
    },
  };
}
