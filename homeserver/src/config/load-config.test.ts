import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type { HomeserverConfig } from "./config-types.ts";
import { ConfigError, loadConfig, parseConfig } from "./load-config.ts";

const BASE = "/etc/entente";
const parse = (yaml: string, env: NodeJS.ProcessEnv = {}): HomeserverConfig => parseConfig(yaml, "homeserver.yaml", BASE, env);

/** The ConfigError lines for `yaml`; fails when it loads. */
function errorsOf(yaml: string, env: NodeJS.ProcessEnv = {}, baseDir = BASE): string[] {
  try {
    parseConfig(yaml, "homeserver.yaml", baseDir, env);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    assert.equal(e.message, e.errors.join("\n"));
    return e.errors;
  }
  assert.fail("expected the config to be rejected");
}

const MINIMAL = "server:\n  name: ville-a.example.fr\n";

describe("parseConfig", () => {
  it("fills every default from a config that only has server.name", () => {
    const expected: HomeserverConfig = {
      server: {
        name: "ville-a.example.fr",
        publicBaseUrl: "http://127.0.0.1:8008",
        dataDir: "/etc/entente/data",
        signingKeyPath: "/etc/entente/data/signing.key",
      },
      listeners: { client: { host: "127.0.0.1", port: 8008, trustForwardedFor: false } },
      connections: { maxPerListener: 2000, maxPerAddress: 200, headersTimeoutMs: 20000, requestTimeoutMs: 600000, keepAliveTimeoutMs: 65000 },
      database: { type: "sqlite", path: "/etc/entente/data/homeserver.db" },
      media: { path: "/etc/entente/data/media", maxUploadBytes: 4294967296, allowUnauthenticatedLegacy: false, userQuotaBytes: 0, legacyFederationDownload: true },
      registration: { enabled: false, sharedSecret: undefined },
      rateLimits: {
        login: { perSecond: 0.5, burst: 5 },
        register: { perSecond: 0.2, burst: 5 },
        send: { perSecond: 10, burst: 50 },
        federationSend: { perSecond: 10, burst: 100 },
        registrationNonce: { perSecond: 1, burst: 10 },
      },
      rooms: { defaultVersion: "12", encryptionByDefault: "invite" },
      limits: { maxJsonBodyBytes: 1048576 },
      logging: { level: "info" },
      passwords: { minimumLength: 10, hashingConcurrency: 2, hashingQueue: 32, failedAttempts: { freeAttempts: 5, lockoutMs: 10000, maxLockoutMs: 3600000, forgetAfterMs: 86400000 } },
      federation: {
        enabled: true, listener: { host: "127.0.0.1", port: 8448 }, tls: undefined, extraCaPath: undefined, tlsVerify: true,
        hostMap: new Map(), allowList: [], denyList: [], trustedKeyServers: [], oldVerifyKeys: [],
      },
      appservices: { registrationFiles: [], retryInitialMs: 1000, retryMaxMs: 300000 },
      voip: { turnUris: [], turnSharedSecret: undefined, turnUserLifetime: 3600000 },
      push: { gatewayPrivateHosts: [], retryInitialMs: 1000, retryMaxMs: 600000 },
      workers: { enabled: false, role: "main", mainUrl: undefined },
    };
    const config = parse(MINIMAL);
    assert.deepEqual(config, expected);
    assert.ok("sharedSecret" in config.registration, "sharedSecret is present, as undefined");
  });

  it("maps every snake_case key to its camelCase property", () => {
    const config = parse(`
server:
  name: "ville-b.example.fr:8448"
  public_base_url: https://matrix.ville-b.example.fr/
  data_dir: /var/lib/entente
  signing_key_path: /etc/entente/keys/ed25519.key
listeners:
  client: { host: "::", port: 8118, trust_forwarded_for: true }
connections:
  max_per_listener: 500
  max_per_address: 50
  headers_timeout_ms: 5000
  request_timeout_ms: 0
  keep_alive_timeout_ms: 30000
database:
  type: postgres
  url: postgres://entente@db.internal/entente
media:
  path: /srv/media
  max_upload_bytes: 104857600
  allow_unauthenticated_legacy: true
  user_quota_bytes: 1073741824
  legacy_federation_download: false
registration:
  enabled: true
  shared_secret: s3cret-s3cret
rate_limits:
  login: { per_second: 1, burst: 3 }
  register: { per_second: 0.1, burst: 2 }
  send: { per_second: 20, burst: 100 }
  federation_send: { per_second: 5, burst: 50 }
  registration_nonce: { per_second: 2, burst: 4 }
rooms:
  default_version: 11
limits:
  max_json_body_bytes: 65536
logging:
  level: debug
passwords:
  minimum_length: 12
  hashing_concurrency: 1
  hashing_queue: 8
  failed_attempts: { free_attempts: 3, lockout_ms: 5000, max_lockout_ms: 600000, forget_after_ms: 3600000 }
federation:
  enabled: false
  listener: { host: "0.0.0.0", port: 0 }
  tls_verify: false
  host_map: { "ville-c.test": "localhost:8449", "[::1]:8448": "http://[::1]:9000" }
  allow_list: [ville-c.test, "[::1]:8448"]
  deny_list: [evil.example]
  trusted_key_servers: [notary.example.fr]
  old_verify_keys: { "ed25519:old": { key: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8, expired_ts: 1700000000000 } }
appservices:
  registration_files: [bridges/irc.yaml, /srv/tasks.yaml, bridges/irc.yaml]
  retry_initial_ms: 500
  retry_max_ms: 60000
voip:
  turn_uris: ["turns:turn.ville-b.example.fr:5349?transport=tcp"]
  turn_shared_secret: turn-s3cret
  turn_user_lifetime: 86400000
workers:
  enabled: true
  main_url: http://10.0.0.5:8008
`);
    assert.deepEqual(config, {
      server: {
        name: "ville-b.example.fr:8448",
        publicBaseUrl: "https://matrix.ville-b.example.fr",
        dataDir: "/var/lib/entente",
        signingKeyPath: "/etc/entente/keys/ed25519.key",
      },
      listeners: { client: { host: "::", port: 8118, trustForwardedFor: true } },
      connections: { maxPerListener: 500, maxPerAddress: 50, headersTimeoutMs: 5000, requestTimeoutMs: 0, keepAliveTimeoutMs: 30000 },
      database: { type: "postgres", url: "postgres://entente@db.internal/entente" },
      media: { path: "/srv/media", maxUploadBytes: 104857600, allowUnauthenticatedLegacy: true, userQuotaBytes: 1073741824, legacyFederationDownload: false },
      registration: { enabled: true, sharedSecret: "s3cret-s3cret" },
      rateLimits: { login: { perSecond: 1, burst: 3 }, register: { perSecond: 0.1, burst: 2 }, send: { perSecond: 20, burst: 100 },
        federationSend: { perSecond: 5, burst: 50 }, registrationNonce: { perSecond: 2, burst: 4 } },
      rooms: { defaultVersion: "11", encryptionByDefault: "invite" },
      limits: { maxJsonBodyBytes: 65536 },
      logging: { level: "debug" },
      passwords: { minimumLength: 12, hashingConcurrency: 1, hashingQueue: 8, failedAttempts: { freeAttempts: 3, lockoutMs: 5000, maxLockoutMs: 600000, forgetAfterMs: 3600000 } },
      federation: {
        enabled: false, listener: { host: "0.0.0.0", port: 0 }, tls: undefined, extraCaPath: undefined, tlsVerify: false,
        hostMap: new Map([["ville-c.test", { scheme: "https", host: "localhost", port: 8449 }], ["[::1]:8448", { scheme: "http", host: "::1", port: 9000 }]]),
        allowList: ["ville-c.test", "[::1]:8448"], denyList: ["evil.example"], trustedKeyServers: ["notary.example.fr"],
        oldVerifyKeys: [{ keyId: "ed25519:old", key: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", expiredTs: 1700000000000 }],
      },
      appservices: { registrationFiles: ["/etc/entente/bridges/irc.yaml", "/srv/tasks.yaml"], retryInitialMs: 500, retryMaxMs: 60000 },
      voip: { turnUris: ["turns:turn.ville-b.example.fr:5349?transport=tcp"], turnSharedSecret: "turn-s3cret", turnUserLifetime: 86400000 },
      push: { gatewayPrivateHosts: [], retryInitialMs: 1000, retryMaxMs: 600000 },
      workers: { enabled: true, role: "main", mainUrl: "http://10.0.0.5:8008" },
    });
  });

  it("checks the passwords section: hashing concurrency within the libuv pool, a lock-out cap not below the first lock-out", () => {
    const errors = errorsOf(`${MINIMAL}passwords:\n  hashing_concurrency: 8\n  minimum_length: 0\n  failed_attempts: { lockout_ms: 5000, max_lockout_ms: 1000 }\n`);
    assert.deepEqual(errors.map((e) => e.split(": ")[1]).sort(),
      ["passwords.failed_attempts.max_lockout_ms", "passwords.hashing_concurrency", "passwords.minimum_length"]);
  });

  it("checks the appservices section: a list of paths, and a retry cap not below the first delay", () => {
    const errors = errorsOf(`${MINIMAL}appservices:\n  registration_files: irc.yaml\n`);
    assert.deepEqual(errors.map((e) => e.split(": ")[1]), ["appservices.registration_files"]);
    const cap = errorsOf(`${MINIMAL}appservices:\n  retry_initial_ms: 5000\n  retry_max_ms: 1000\n`);
    assert.deepEqual(cap.map((e) => e.split(": ").slice(1).join(": ")), ["appservices.retry_max_ms: must be at least retry_initial_ms"]);
  });

  it("checks the workers section: a known role, and main's URL for a client reader", () => {
    const errors = errorsOf(`${MINIMAL}workers:\n  role: writer\n  main_url: ftp://x\n`);
    assert.deepEqual(errors.map((e) => e.split(": ")[1]).sort(), ["workers.main_url", "workers.role"]);
    const reader = errorsOf(`${MINIMAL}workers:\n  role: client-reader\n`);
    assert.deepEqual(reader.map((e) => e.split(": ").slice(1).join(": ")), ["workers.main_url: required when workers.role is client-reader"]);
    const ok = parse(`${MINIMAL}workers:\n  enabled: true\n  role: client-reader\n  main_url: http://10.0.0.5:8008/\n`);
    assert.deepEqual(ok.workers, { enabled: true, role: "client-reader", mainUrl: "http://10.0.0.5:8008" });
  });

  it("resolves relative paths against the config directory, and derives defaults from data_dir", () => {
    const config = parse(`${MINIMAL}  data_dir: state\ndatabase:\n  path: ../db/hs.db\nmedia:\n  path: /abs/media\n`);
    assert.equal(config.server.dataDir, "/etc/entente/state");
    assert.equal(config.server.signingKeyPath, "/etc/entente/state/signing.key");
    assert.deepEqual(config.database, { type: "sqlite", path: "/etc/db/hs.db" });
    assert.equal(config.media.path, "/abs/media");
  });

  it("derives public_base_url from the client listener, bracketing IPv6", () => {
    assert.equal(parse(`${MINIMAL}listeners:\n  client:\n    port: 9000\n`).server.publicBaseUrl, "http://127.0.0.1:9000");
    assert.equal(parse(`${MINIMAL}listeners:\n  client:\n    host: "::1"\n`).server.publicBaseUrl, "http://[::1]:8008");
  });

  it("treats empty sections as all defaults", () => {
    assert.deepEqual(parse(`${MINIMAL}media:\nlogging:\n`), parse(MINIMAL));
  });
});

describe("parseConfig errors", () => {
  it("reports a wrong type with the key path and the offending value", () => {
    assert.deepEqual(errorsOf(`${MINIMAL}listeners:\n  client:\n    port: abc\n`), [
      'homeserver.yaml: listeners.client.port: expected an integer 0-65535, got "abc"',
    ]);
  });

  it("checks constraints: port range, booleans, enums, minimums, URLs, server name grammar", () => {
    const errors = errorsOf(`
server:
  name: "bad name!"
  public_base_url: ftp://example.org
listeners:
  client: { port: 70000 }
media:
  allow_unauthenticated_legacy: "yes"
  max_upload_bytes: 0
rate_limits:
  send: { per_second: -1, burst: 1.5 }
rooms:
  default_version: 99
limits:
  max_json_body_bytes: 65535
logging:
  level: verbose
`);
    assert.deepEqual(errors, [
      'homeserver.yaml: server.name: expected a server name, hostname[:port] (https://spec.matrix.org/v1.16/appendices/#server-name), got "bad name!"',
      'homeserver.yaml: server.public_base_url: expected an http:// or https:// URL without query or fragment, got "ftp://example.org"',
      "homeserver.yaml: listeners.client.port: expected an integer 0-65535, got 70000",
      'homeserver.yaml: media.max_upload_bytes: expected a positive integer, got 0',
      'homeserver.yaml: media.allow_unauthenticated_legacy: expected a boolean (true or false), got "yes"',
      "homeserver.yaml: rate_limits.send.per_second: expected a number >= 0, got -1",
      "homeserver.yaml: rate_limits.send.burst: expected a positive integer, got 1.5",
      'homeserver.yaml: rooms.default_version: expected one of "6", "7", "8", "9", "10", "11", "12", got 99',
      "homeserver.yaml: limits.max_json_body_bytes: expected an integer >= 65536, got 65535",
      'homeserver.yaml: logging.level: expected one of "debug", "info", "warn", "error", got "verbose"',
    ]);
  });

  it("reports unknown keys, suggesting a close known key", () => {
    assert.deepEqual(errorsOf(`${MINIMAL}  publicBaseUrl: https://x.example\ndatabse: {}\nlisteners:\n  client:\n    prot: 1\n    colour: blue\n`), [
      'homeserver.yaml: databse: unknown key (did you mean "database"?)',
      'homeserver.yaml: server.publicBaseUrl: unknown key (did you mean "public_base_url"?)',
      'homeserver.yaml: listeners.client.prot: unknown key (did you mean "port"?)',
      "homeserver.yaml: listeners.client.colour: unknown key",
    ]);
  });

  it("reports a missing required key, also when its section is missing or the file is empty", () => {
    const missing = ["homeserver.yaml: server.name: missing required key"];
    assert.deepEqual(errorsOf("server:\n  data_dir: x\n"), missing);
    assert.deepEqual(errorsOf("logging:\n  level: warn\n"), missing);
    assert.deepEqual(errorsOf(""), missing);
    assert.deepEqual(errorsOf("server:\n  name:\n"), missing);
  });

  it("reports non-mapping sections and top level", () => {
    assert.deepEqual(errorsOf(`${MINIMAL}listeners: 5\nmedia: [a]\n`), [
      "homeserver.yaml: listeners: expected a mapping of keys, got 5",
      "homeserver.yaml: media: expected a mapping of keys, got a list",
    ]);
    assert.deepEqual(errorsOf("- server\n"), ["homeserver.yaml: expected a mapping of keys, got a list", "homeserver.yaml: server.name: missing required key"]);
  });

  it("reports YAML syntax errors with their line", () => {
    assert.deepEqual(errorsOf("server:\n  name: ville-a.example.fr\n\tdata_dir: x\n"), [
      "homeserver.yaml: line 3, column 1: invalid YAML: Tabs are not allowed as indentation",
    ]);
    assert.match(errorsOf("server:\n  name: 'unterminated\n")[0]!, /^homeserver\.yaml: line 3, column 1: invalid YAML: Missing closing 'quote/);
    assert.match(errorsOf("server:\n  name: a\n  name: b\n")[0]!, /^homeserver\.yaml: line 3, column 3: invalid YAML: Map keys must be unique/);
  });

  it("checks the database type against its keys", () => {
    assert.deepEqual(errorsOf(`${MINIMAL}database:\n  type: postgres\n  path: hs.db\n`), [
      "homeserver.yaml: database.url: required when database.type is postgres",
      "homeserver.yaml: database.path: only used when database.type is sqlite",
    ]);
    assert.deepEqual(errorsOf(`${MINIMAL}database:\n  url: postgres://db/entente\n`), [
      "homeserver.yaml: database.url: only used when database.type is postgres",
    ]);
    assert.deepEqual(errorsOf(`${MINIMAL}database:\n  type: mysql\n`), [
      'homeserver.yaml: database.type: expected one of "sqlite", "postgres", got "mysql"',
    ]);
  });

  it("lists several problems from different sections in one ConfigError", () => {
    const errors = errorsOf("server:\n  nme: x\nlisteners:\n  client:\n    port: abc\nmedia:\n  user_quota_bytes: -1\nlogging: {level: loud}\n");
    assert.deepEqual(errors.map((e) => e.split(": ")[1]), [
      "server.nme", "server.name", "listeners.client.port", "media.user_quota_bytes", "logging.level",
    ]);
  });
});

describe("secrets", () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "entente-config-")); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads <key>_file relative to the config directory and trims it", () => {
    mkdirSync(join(dir, "secrets"));
    writeFileSync(join(dir, "secrets", "reg"), "  hunter2-hunter2\n");
    writeFileSync(join(dir, "name"), "ville-c.example.fr\n");
    const config = parseConfig(
      "server:\n  name_file: name\nregistration:\n  shared_secret_file: secrets/reg\n", "homeserver.yaml", dir, {});
    assert.equal(config.registration.sharedSecret, "hunter2-hunter2");
    assert.equal(config.server.name, "ville-c.example.fr");
  });

  it("reports unreadable, empty or doubly given secret files", () => {
    writeFileSync(join(dir, "empty"), " \n");
    const errors = errorsOf(`${MINIMAL}registration:\n  shared_secret_file: nope\ndatabase:\n  type: postgres\n  url_file: empty\n`, {}, dir);
    assert.deepEqual(errors, [
      `homeserver.yaml: database.url_file: ${join(dir, "empty")} is empty`,
      `homeserver.yaml: registration.shared_secret_file: cannot read ${join(dir, "nope")}: ENOENT`,
    ]);
    assert.deepEqual(errorsOf(`${MINIMAL}registration:\n  shared_secret: a\n  shared_secret_file: b\n`), [
      "homeserver.yaml: registration.shared_secret: give either shared_secret or shared_secret_file, not both",
    ]);
    assert.deepEqual(errorsOf(`${MINIMAL}listeners:\n  client:\n    port_file: p\n`), [
      "homeserver.yaml: listeners.client.port_file: unknown key (port is not a string, so it cannot be read from a file)",
    ]);
  });

  it("substitutes ${ENV:NAME}, as the whole value or inside it", () => {
    const env = { REG_SECRET: "from-the-env", PGPASSWORD: "pw" };
    const config = parse(`${MINIMAL}registration:\n  shared_secret: \${ENV:REG_SECRET}\n` +
      "database:\n  type: postgres\n  url: postgres://entente:${ENV:PGPASSWORD}@db/entente\n", env);
    assert.equal(config.registration.sharedSecret, "from-the-env");
    assert.deepEqual(config.database, { type: "postgres", url: "postgres://entente:pw@db/entente" });
  });

  it("reports missing or malformed environment references", () => {
    assert.deepEqual(errorsOf(`${MINIMAL}registration:\n  shared_secret: \${ENV:NOT_SET}\nlogging:\n  level: \${ENV:}\n`), [
      "homeserver.yaml: registration.shared_secret: environment variable NOT_SET is not set",
      "homeserver.yaml: logging.level: malformed ${ENV:NAME} reference (NAME is letters, digits and _)",
    ]);
  });

  it("never prints a secret value in an error", () => {
    writeFileSync(join(dir, "url"), "mysql://root:TOPSECRET1@db\n");
    const env = { BAD_URL: "http://u:TOPSECRET2@db", LEVEL: "TOPSECRET3" };
    const errors = errorsOf(`${MINIMAL}registration:\n  shared_secret: 12345678\n` +
      "database:\n  type: postgres\n  url_file: url\nlogging:\n  level: ${ENV:LEVEL}\n", env, dir);
    assert.equal(errors.length, 3);
    assert.doesNotMatch(errors.join("\n"), /TOPSECRET|12345678/);
    assert.ok(errors.includes("homeserver.yaml: registration.shared_secret: expected a non-empty string, got a number (value hidden)"));
    assert.doesNotMatch(errorsOf(`${MINIMAL}database:\n  type: postgres\n  url: \${ENV:BAD_URL}\n`, env).join(), /TOPSECRET/);
  });
});

describe("loadConfig", () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "entente-config-")); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("resolves paths against the config file's directory, not the working directory", () => {
    const file = join(dir, "homeserver.yaml");
    writeFileSync(file, `${MINIMAL}  data_dir: ./state\n`);
    const config = loadConfig(relative(process.cwd(), file), {});
    assert.equal(config.server.dataDir, join(dir, "state"));
  });

  it("prefixes errors with the path it was given", () => {
    const file = join(dir, "homeserver.yaml");
    writeFileSync(file, "server: {}\n");
    assert.throws(() => loadConfig(file, {}), { name: "ConfigError", message: `${file}: server.name: missing required key` });
  });

  it("reports a missing file", () => {
    const file = join(dir, "absent.yaml");
    assert.throws(() => loadConfig(file), (e: unknown) =>
      e instanceof ConfigError && e.message === `cannot read config file ${file}: ENOENT` && e.errors.length === 1);
  });
});
