// The homeserver's configuration, as the rest of the code sees it once loaded and validated.
// The schema in config-schema.ts is the documentation; this type is what it produces.

export interface HomeserverConfig {
  server: {
    /** The server name: the part after ':' in user ids, e.g. "ville-a.example.fr". */
    name: string;
    /** Public base URL of the client-server API (for .well-known and media URLs). */
    publicBaseUrl: string;
    /** Directory holding the server's data; the default database, media and key paths live in it. */
    dataDir: string;
    /** Path of the ed25519 signing key file (created if missing). */
    signingKeyPath: string;
  };
  listeners: {
    client: { host: string; port: number; trustForwardedFor: boolean };
  };
  connections: ConnectionsConfig;
  database: { type: "sqlite"; path: string } | { type: "postgres"; url: string };
  media: {
    path: string;
    maxUploadBytes: number;
    /** Legacy unauthenticated /_matrix/media/v3/download; off by default (spec v1.11 authenticated media). */
    allowUnauthenticatedLegacy: boolean;
    userQuotaBytes: number;
    /** Legacy /_matrix/media/{r0,v3}/download|thumbnail on the federation listener, for servers without authenticated media. */
    legacyFederationDownload: boolean;
  };
  registration: {
    enabled: boolean;
    /** Shared secret for /_synapse/admin/v1/register; undefined disables that endpoint. */
    sharedSecret: string | undefined;
  };
  rateLimits: {
    login: { perSecond: number; burst: number };
    register: { perSecond: number; burst: number };
    send: { perSecond: number; burst: number };
    /** Inbound /send transactions per origin server. */
    federationSend: { perSecond: number; burst: number };
    /** Shared-secret registration nonces per client address. */
    registrationNonce: { perSecond: number; burst: number };
  };
  rooms: {
    defaultVersion: string;
    /** Which new rooms are created end-to-end encrypted (as Synapse's encryption_enabled_by_default_for_room_type). */
    encryptionByDefault: "off" | "all" | "invite";
  };
  limits: { maxJsonBodyBytes: number };
  logging: { level: "debug" | "info" | "warn" | "error" };
  passwords: PasswordsConfig;
  federation: FederationConfig;
  appservices: AppservicesConfig;
  voip: VoipConfig;
  push: PushConfig;
  workers: WorkersConfig;
}

/** TURN for calls; no TURN server unless both the URIs and the secret are set. */
/** Push notifications to push gateways (server/push/). */
export interface PushConfig {
  /** Gateway hosts allowed to resolve to loopback/private addresses (the SSRF guard's exception). */
  gatewayPrivateHosts: string[];
  retryInitialMs: number;
  retryMaxMs: number;
}

/** Several processes on one PostgreSQL (server/worker/). */
export interface WorkersConfig {
  /** Main: publish wake-ups for client readers over NOTIFY. */
  enabled: boolean;
  role: "main" | "client-reader";
  /** Main's client listener as readers reach it; required for a reader. */
  mainUrl: string | undefined;
}

export interface VoipConfig {
  turnUris: string[];
  /** coturn's static-auth-secret. */
  turnSharedSecret: string | undefined;
  /** Lifetime of the credentials handed out, in milliseconds. */
  turnUserLifetime: number;
}

/** Caps and timeouts of each listener (client, federation), counted per listener. */
export interface ConnectionsConfig {
  maxPerListener: number;
  /** Per client address (IPv6: per /64); not applied on the client listener behind a trusted proxy. */
  maxPerAddress: number;
  headersTimeoutMs: number;
  /** 0: no limit. */
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

/** Password policy, hashing queue and per-account failure limit. */
export interface PasswordsConfig {
  minimumLength: number;
  hashingConcurrency: number;
  hashingQueue: number;
  failedAttempts: { freeAttempts: number; lockoutMs: number; maxLockoutMs: number; forgetAfterMs: number };
}

/** Application services (https://spec.matrix.org/v1.16/application-service-api/). */
export interface AppservicesConfig {
  /** Registration YAML files, one per appservice (absolute once loaded). */
  registrationFiles: string[];
  /** First retry delay of a failed transaction push; doubles on each failure up to retryMaxMs. */
  retryInitialMs: number;
  retryMaxMs: number;
}

/** A static route of `federation.host_map`: acts like a /.well-known/matrix/server delegation. */
export interface HostMapTarget {
  /** "http" only for tests (plain HTTP, no TLS). */
  scheme: "https" | "http";
  /** DNS name or IP literal (IPv6 without brackets). */
  host: string;
  port: number;
}

/** A key we used to sign with, published in `old_verify_keys`. */
export interface OldVerifyKey {
  keyId: string;
  /** Unpadded base64 ed25519 public key. */
  key: string;
  expiredTs: number;
}

/** The server-server API (https://spec.matrix.org/v1.16/server-server-api/). */
export interface FederationConfig {
  enabled: boolean;
  listener: { host: string; port: number };
  /** Both set: the listener serves HTTPS; undefined: plain HTTP behind a TLS proxy. */
  tls: { certPath: string; keyPath: string } | undefined;
  /** PEM CA trusted in addition to the system CAs for outbound requests. */
  extraCaPath: string | undefined;
  /** false only in tests. */
  tlsVerify: boolean;
  /** Server name -> target, bypassing discovery; targets may be private addresses. */
  hostMap: ReadonlyMap<string, HostMapTarget>;
  /** Empty: open federation. */
  allowList: string[];
  denyList: string[];
  trustedKeyServers: string[];
  oldVerifyKeys: OldVerifyKey[];
}
