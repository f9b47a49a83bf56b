// A HomeserverConfig for tests: ephemeral port, everything inside a fresh temp folder.
import { join } from "node:path";
import type { HomeserverConfig } from "../../homeserver/src/config/config-types.ts";

export type ConfigOverrides = Partial<{ [K in keyof HomeserverConfig]: Partial<HomeserverConfig[K]> }>;

export function testConfig(dir: string, overrides: ConfigOverrides = {}): HomeserverConfig {
  const name = (overrides.server?.name as string | undefined) ?? "test.local";
  const base: HomeserverConfig = {
    server: { name, publicBaseUrl: "http://127.0.0.1", dataDir: dir, signingKeyPath: join(dir, "signing.key") },
    listeners: { client: { host: "127.0.0.1", port: 0, trustForwardedFor: false } },
    connections: { maxPerListener: 2000, maxPerAddress: 200, headersTimeoutMs: 20_000, requestTimeoutMs: 600_000, keepAliveTimeoutMs: 65_000 },
    database: { type: "sqlite", path: join(dir, "homeserver.db") },
    media: { path: join(dir, "media"), maxUploadBytes: 4 * 1024 ** 3, allowUnauthenticatedLegacy: false, userQuotaBytes: 0, legacyFederationDownload: true },
    registration: { enabled: true, sharedSecret: "test-shared-secret" },
    rateLimits: { login: { perSecond: 0, burst: 0 }, register: { perSecond: 0, burst: 0 }, send: { perSecond: 0, burst: 0 },
      // the production defaults: the federation suites prove legitimate traffic stays under them
      federationSend: { perSecond: 10, burst: 100 }, registrationNonce: { perSecond: 0, burst: 0 } },
    // Encryption off by default: most suites use matrix-js-sdk clients without crypto.
    rooms: { defaultVersion: "12", encryptionByDefault: "off" },
    limits: { maxJsonBodyBytes: 1024 * 1024 },
    logging: { level: "warn" },
    passwords: { minimumLength: 10, hashingConcurrency: 2, hashingQueue: 32, failedAttempts: { freeAttempts: 5, lockoutMs: 10_000, maxLockoutMs: 3_600_000, forgetAfterMs: 86_400_000 } },
    federation: {
      enabled: false, listener: { host: "127.0.0.1", port: 0 }, tls: undefined, extraCaPath: undefined, tlsVerify: true,
      hostMap: new Map(), allowList: [], denyList: [], trustedKeyServers: [], oldVerifyKeys: [],
    },
    appservices: { registrationFiles: [], retryInitialMs: 1000, retryMaxMs: 300_000 },
    voip: { turnUris: [], turnSharedSecret: undefined, turnUserLifetime: 3_600_000 },
    push: { gatewayPrivateHosts: [], retryInitialMs: 1000, retryMaxMs: 600_000 },
    workers: { enabled: false, role: "main", mainUrl: undefined },
  };
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(overrides)) out[k] = { ...(base as unknown as Record<string, object>)[k], ...v };
  return out as unknown as HomeserverConfig;
}
