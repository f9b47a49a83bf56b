// A stand-in remote homeserver for interop tests, built from our own federation code: its own
// server name and signing key, its key document on /_matrix/key/v2/server, an HTTPS listener with
// a certificate from the test CA (for any names), a signing FederationClient to call the server
// under test, and a Router the test fills to behave like an older Synapse (400 answers, legacy
// media only, ...). It records the SNI of every TLS connection it accepts.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import type { FederationConfig, HomeserverConfig, HostMapTarget } from "../../homeserver/src/config/config-types.ts";
import { generateSigningKey, type SigningKey } from "../../homeserver/src/room/signing.ts";
import { federationKeyRoutes } from "../../homeserver/src/server/api/federation-keys/routes.ts";
import { systemClock } from "../../homeserver/src/server/clock.ts";
import { startHomeserver, type RunningHomeserver } from "../../homeserver/src/server/compose.ts";
import { FederationClient } from "../../homeserver/src/server/federation/transport/federation-client.ts";
import { startFederationListener, type FederationListener } from "../../homeserver/src/server/federation/transport/listener.ts";
import { Router } from "../../homeserver/src/server/http/router.ts";
import { createLogger, type Logger } from "../../homeserver/src/server/log.ts";
import type { TestCa } from "./federation-ca.ts";
import { freePort } from "./ports.ts";
import { testConfig } from "./test-config.ts";

export interface CertFiles {
  certPath: string;
  keyPath: string;
}

/** A server certificate from the test CA valid for exactly `dnsNames` (no IP addresses). */
export function issueCertificate(ca: TestCa, dnsNames: string[]): CertFiles {
  const dir = mkdtempSync(join(ca.dir, "cert-"));
  const run = (args: string[]): void => void execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", `/CN=${dnsNames[0] ?? "x"}`]);
  writeFileSync(join(dir, "server.ext"), [
    `subjectAltName=${dnsNames.map((n) => `DNS:${n}`).join(",")}`, "basicConstraints=CA:FALSE", "keyUsage=critical,digitalSignature", "extendedKeyUsage=serverAuth",
  ].join("\n") + "\n");
  run(["x509", "-req", "-in", "server.csr", "-CA", ca.caPath, "-CAkey", join(ca.dir, "ca.key"), "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "server.ext"]);
  return { certPath: join(dir, "server.crt"), keyPath: join(dir, "server.key") };
}

export interface StandIn {
  name: string;
  key: SigningKey;
  /** Add the routes the test needs (the key document is there already). */
  router: Router;
  listener: FederationListener;
  /** Where the server under test reaches it, for its host_map. */
  target: HostMapTarget;
  /** Its own routes to other servers (the server under test), for `client`. */
  hostMap: Map<string, HostMapTarget>;
  client: FederationClient;
  /** SNI names of the TLS connections accepted ("" when none was sent). */
  sni: string[];
  stop(): Promise<void>;
}

export async function startStandIn(ca: TestCa, name: string, opts: { cert?: CertFiles; log?: Logger } = {}): Promise<StandIn> {
  const log = opts.log ?? createLogger("error");
  const key = generateSigningKey("standin");
  const hostMap = new Map<string, HostMapTarget>();
  const cert = opts.cert ?? { certPath: ca.certPath, keyPath: ca.keyPath };
  const config: FederationConfig = {
    enabled: true, listener: { host: "127.0.0.1", port: 0 }, tls: cert, extraCaPath: ca.caPath, tlsVerify: true,
    hostMap, allowList: [], denyList: [], trustedKeyServers: [], oldVerifyKeys: [],
  };
  const router = new Router();
  const keyRing = { getKeyResponse: async (): Promise<undefined> => undefined };
  federationKeyRoutes(router, { ours: { serverName: name, current: key, old: [] }, keyRing, clock: systemClock, version: "stand-in" });
  const listener = await startFederationListener({ router, log, config, maxJsonBody: 1024 * 1024 });
  const sni: string[] = [];
  listener.server.on("secureConnection", (socket: TLSSocket) => {
    const servername = (socket as TLSSocket & { servername?: string | false }).servername;
    sni.push(typeof servername === "string" ? servername : "");
  });
  const client = new FederationClient({ serverName: name, signingKey: key, config, clock: systemClock, log });
  return {
    name, key, router, listener, hostMap, client, sni,
    target: { scheme: "https", host: "localhost", port: listener.port },
    async stop() {
      client.close();
      await listener.stop();
    },
  };
}

export interface ServerUnderTest {
  hs: RunningHomeserver;
  name: string;
  url: string;
  config: HomeserverConfig;
  /** Its host_map target, for stand-ins' `hostMap`. */
  target: HostMapTarget;
  stop(): Promise<void>;
}

/** One Entente homeserver federating over TLS (certificate for localhost from `ca`) with stand-ins routed by `hostMap`. */
export async function startServerUnderTest(ca: TestCa, name: string, hostMap: Map<string, HostMapTarget>, opts: { log?: Logger; configure?: (c: HomeserverConfig) => void } = {}): Promise<ServerUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), "entente-sut-"));
  const fedPort = await freePort();
  const config = testConfig(dir, { server: { name } });
  config.federation = {
    enabled: true, listener: { host: "127.0.0.1", port: fedPort }, tls: { certPath: ca.certPath, keyPath: ca.keyPath }, extraCaPath: ca.caPath,
    tlsVerify: true, hostMap, allowList: [], denyList: [], trustedKeyServers: [], oldVerifyKeys: [],
  };
  opts.configure?.(config);
  const hs = await startHomeserver(config, { ...(opts.log ? { log: opts.log } : {}), federationSender: { minBackoffMs: 50, maxBackoffMs: 500 } });
  return {
    hs, name, url: hs.url, config, target: { scheme: "https", host: "localhost", port: fedPort },
    async stop() {
      await hs.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
