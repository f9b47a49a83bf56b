import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, parseConfig } from "./load-config.ts";
import { parseHostMapTarget } from "./federation-schema.ts";

const MINIMAL = "server:\n  name: ville-a.example.fr\n";
const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

function errorsOf(yaml: string, baseDir = "/etc/entente"): string[] {
  try {
    parseConfig(MINIMAL + yaml, "homeserver.yaml", baseDir, {});
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.errors;
  }
  assert.fail("expected the config to be rejected");
}

describe("federation config", () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "entente-fedconf-")); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the TLS pair and the extra CA relative to the config directory", () => {
    writeFileSync(join(dir, "fed.crt"), PEM);
    writeFileSync(join(dir, "fed.key"), "-----BEGIN PRIVATE KEY-----\n");
    writeFileSync(join(dir, "ca.pem"), PEM);
    const config = parseConfig(`${MINIMAL}federation:\n  tls: { cert_path: fed.crt, key_path: fed.key }\n  extra_ca_path: ca.pem\n`,
      "homeserver.yaml", dir, {});
    assert.deepEqual(config.federation.tls, { certPath: join(dir, "fed.crt"), keyPath: join(dir, "fed.key") });
    assert.equal(config.federation.extraCaPath, join(dir, "ca.pem"));
  });

  it("requires both TLS paths and reports unreadable files", () => {
    writeFileSync(join(dir, "fed.crt"), PEM);
    writeFileSync(join(dir, "not-a-cert.pem"), "hello\n");
    assert.deepEqual(errorsOf("federation:\n  tls: { cert_path: fed.crt }\n", dir), [
      "homeserver.yaml: federation.tls.key_path: required when tls.cert_path is set",
    ]);
    assert.deepEqual(errorsOf("federation:\n  tls: { cert_path: nope.crt, key_path: nope.key }\n", dir), [
      `homeserver.yaml: federation.tls.cert_path: cannot read ${join(dir, "nope.crt")}: ENOENT`,
      `homeserver.yaml: federation.tls.key_path: cannot read ${join(dir, "nope.key")}: ENOENT`,
    ]);
    assert.deepEqual(errorsOf("federation:\n  extra_ca_path: not-a-cert.pem\n", dir), [
      `homeserver.yaml: federation.extra_ca_path: ${join(dir, "not-a-cert.pem")} holds no PEM certificate`,
    ]);
  });

  it("checks the listener port range and server names in lists, naming the bad item", () => {
    assert.deepEqual(errorsOf("federation:\n  listener: { port: 65536 }\n  allow_list: [ok.example, \"bad name\"]\n" +
      "  deny_list: other.example\n  trusted_key_servers: [7]\n"), [
      "homeserver.yaml: federation.listener.port: expected an integer 0-65535, got 65536",
      'homeserver.yaml: federation.allow_list: expected a list of server names (https://spec.matrix.org/v1.16/appendices/#server-name) (item 2, "bad name", is not one), got a list',
      'homeserver.yaml: federation.deny_list: expected a list of server names (https://spec.matrix.org/v1.16/appendices/#server-name), got "other.example"',
      "homeserver.yaml: federation.trusted_key_servers: expected a list of server names (https://spec.matrix.org/v1.16/appendices/#server-name) (item 1, 7, is not one), got a list",
    ]);
  });

  it("checks host_map names and targets", () => {
    const prefix = 'homeserver.yaml: federation.host_map: expected a mapping of server name to "host:port" (or "http://host:port", tests only)';
    assert.deepEqual(errorsOf('federation:\n  host_map: { "a b": "localhost:1" }\n'), [`${prefix} ("a b" is not a server name), got a mapping`]);
    assert.deepEqual(errorsOf('federation:\n  host_map: { a.test: "localhost" }\n'), [`${prefix} (the value of "a.test" is not [http://]host:port), got a mapping`]);
    assert.deepEqual(errorsOf('federation:\n  host_map: [a]\n'), [`${prefix}, got a list`]);
  });

  it("refuses a name in both allow_list and deny_list", () => {
    assert.deepEqual(errorsOf("federation:\n  allow_list: [a.test]\n  deny_list: [a.test]\n"), [
      "homeserver.yaml: federation.deny_list: a.test is in both allow_list and deny_list",
    ]);
  });

  it("checks old_verify_keys: key id, 32-byte key, expired_ts", () => {
    const bad = (entry: string): string => errorsOf(`federation:\n  old_verify_keys: { ${entry} }\n`)[0] ?? "";
    assert.match(bad('"rsa:x": { key: AAAA, expired_ts: 1 }'), /"rsa:x" is not an ed25519 key id/);
    assert.match(bad('"ed25519:a": { key: AAAA, expired_ts: 1 }'), /ed25519:a: key is not a base64 ed25519 public key/);
    assert.match(bad('"ed25519:a": { key: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8, expired_ts: -5 }'), /expired_ts is not a positive integer/);
    assert.match(bad('"ed25519:a": { key: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8, expired_ts: 1, extra: 1 }'), /unknown key "extra"/);
  });

  it("parses host_map targets", () => {
    assert.deepEqual(parseHostMapTarget("127.0.0.1:8448"), { scheme: "https", host: "127.0.0.1", port: 8448 });
    assert.deepEqual(parseHostMapTarget("https://[fd00::1]:443"), { scheme: "https", host: "fd00::1", port: 443 });
    assert.deepEqual(parseHostMapTarget("http://b.test:8008"), { scheme: "http", host: "b.test", port: 8008 });
    for (const bad of ["b.test", "b.test:0", "b.test:70000", "ftp://b.test:1", "[zz]:1", "https://b.test:1/path", ":1"]) {
      assert.equal(parseHostMapTarget(bad), undefined, bad);
    }
  });
});
