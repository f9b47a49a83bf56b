// The `federation` section of the config schema: the server-server API listener, outbound TLS
// trust, static routes for private federations, allow/deny lists and key notaries.
// Spec: https://spec.matrix.org/v1.16/server-server-api/
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { decodeBase64 } from "../spec/base64.ts";
import type { FederationConfig, HostMapTarget, OldVerifyKey } from "./config-types.ts";
import { errorCode } from "./apply-schema.ts";
import { boolean, integer, isServerName, listenHost, optional, path, section, withDefault } from "./schema-combinators.ts";
import type { Checked, Refined, ValueType } from "./schema-combinators.ts";

const isMapping = (raw: unknown): raw is Record<string, unknown> =>
  typeof raw === "object" && raw !== null && !Array.isArray(raw);

const fail = <T>(expected: string, detail?: string): Checked<T> =>
  ({ ok: false, expected: detail === undefined ? expected : `${expected} (${detail})` });

const LIST_EXPECTED = "a list of server names (https://spec.matrix.org/v1.16/appendices/#server-name)";
/** A YAML list of server names; the first bad item is named in the error. */
export const serverNameList: ValueType<string[]> = {
  expected: LIST_EXPECTED,
  stringly: false,
  check: (raw) => {
    if (!Array.isArray(raw)) return fail(LIST_EXPECTED);
    const bad = raw.findIndex((item) => typeof item !== "string" || !isServerName(item));
    if (bad >= 0) return fail(LIST_EXPECTED, `item ${bad + 1}, ${JSON.stringify(raw[bad])}, is not one`);
    return { ok: true, value: [...new Set(raw as string[])] };
  },
};

// [http:// | https://] host ":" port, host being a DNS name, a dotted quad or a bracketed IPv6 literal.
const TARGET = /^(?:(https?):\/\/)?(\[[0-9A-Fa-f:.]+\]|[0-9A-Za-z.-]+):([0-9]{1,5})$/;

/** Parses one host_map value; undefined when it is not `[scheme://]host:port`. */
export function parseHostMapTarget(s: string): HostMapTarget | undefined {
  const m = TARGET.exec(s);
  if (m === null) return undefined;
  const [, scheme = "https", rawHost = "", rawPort = ""] = m;
  const port = Number(rawPort);
  const bracketed = rawHost.startsWith("[");
  const host = bracketed ? rawHost.slice(1, -1) : rawHost;
  if (bracketed ? isIP(host) !== 6 : !/[a-zA-Z0-9]/.test(host)) return undefined;
  if (port < 1 || port > 65535) return undefined;
  return { scheme: scheme === "http" ? "http" : "https", host, port };
}

const MAP_EXPECTED = 'a mapping of server name to "host:port" (or "http://host:port", tests only)';
export const hostMap: ValueType<ReadonlyMap<string, HostMapTarget>> = {
  expected: MAP_EXPECTED,
  stringly: false,
  check: (raw) => {
    if (!isMapping(raw)) return fail(MAP_EXPECTED);
    const out = new Map<string, HostMapTarget>();
    for (const [name, value] of Object.entries(raw)) {
      if (!isServerName(name)) return fail(MAP_EXPECTED, `${JSON.stringify(name)} is not a server name`);
      const target = typeof value === "string" ? parseHostMapTarget(value) : undefined;
      if (target === undefined) return fail(MAP_EXPECTED, `the value of ${JSON.stringify(name)} is not [http://]host:port`);
      out.set(name, target);
    }
    return { ok: true, value: out };
  },
};

const OLD_EXPECTED = 'a mapping of key id ("ed25519:<version>") to { key: <unpadded base64 public key>, expired_ts: <ms> }';
const KEY_ID = /^ed25519:[a-zA-Z0-9_]+$/;

function checkOldKey(keyId: string, value: unknown): OldVerifyKey | string {
  if (!KEY_ID.test(keyId)) return `${JSON.stringify(keyId)} is not an ed25519 key id`;
  if (!isMapping(value)) return `${keyId} is not a mapping`;
  const extra = Object.keys(value).find((k) => k !== "key" && k !== "expired_ts");
  if (extra !== undefined) return `${keyId}: unknown key ${JSON.stringify(extra)}`;
  const { key, expired_ts: expiredTs } = value;
  let bytes = 0;
  try {
    bytes = typeof key === "string" ? decodeBase64(key).length : 0;
  } catch {
    bytes = 0;
  }
  if (bytes !== 32) return `${keyId}: key is not a base64 ed25519 public key (32 bytes)`;
  if (typeof expiredTs !== "number" || !Number.isSafeInteger(expiredTs) || expiredTs <= 0) {
    return `${keyId}: expired_ts is not a positive integer of milliseconds`;
  }
  return { keyId, key: key as string, expiredTs };
}

export const oldVerifyKeys: ValueType<OldVerifyKey[]> = {
  expected: OLD_EXPECTED,
  stringly: false,
  check: (raw) => {
    if (!isMapping(raw)) return fail(OLD_EXPECTED);
    const out: OldVerifyKey[] = [];
    for (const [keyId, value] of Object.entries(raw)) {
      const checked = checkOldKey(keyId, value);
      if (typeof checked === "string") return fail(OLD_EXPECTED, checked);
      out.push(checked);
    }
    return { ok: true, value: out };
  },
};

/** A readable file, else the reason (reading is how the operator learns of a typo at load time). */
function readProblem(file: string, pem?: "certificate"): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e: unknown) {
    return `cannot read ${file}: ${errorCode(e)}`;
  }
  if (pem === "certificate" && !text.includes("-----BEGIN CERTIFICATE-----")) return `${file} holds no PEM certificate`;
  return undefined;
}

type Problem = { key: string; message: string };

const tls = section(
  "TLS of the federation listener. With both paths set it serves HTTPS; otherwise plain HTTP, for a TLS reverse proxy in front.",
  {
    cert_path: optional(path, "PEM certificate chain served by the federation listener.", "/etc/entente/federation.crt"),
    key_path: optional(path, "PEM private key of that certificate.", "/etc/entente/federation.key"),
  },
  (v, given): Refined<FederationConfig["tls"]> => {
    const errors: Problem[] = [];
    if (given("cert_path") !== given("key_path")) {
      const missing = given("cert_path") ? "key_path" : "cert_path";
      errors.push({ key: missing, message: `required when tls.${missing === "key_path" ? "cert_path" : "key_path"} is set` });
    }
    for (const [key, file] of [["cert_path", v.certPath], ["key_path", v.keyPath]] as const) {
      const problem = file === undefined ? undefined : readProblem(file, key === "cert_path" ? "certificate" : undefined);
      if (problem !== undefined) errors.push({ key, message: problem });
    }
    if (errors.length > 0) return { ok: false, errors };
    return { ok: true, value: v.certPath !== undefined && v.keyPath !== undefined ? { certPath: v.certPath, keyPath: v.keyPath } : undefined };
  },
);

const fields = {
  enabled: withDefault(boolean, "Serve the server-server API and talk to other homeservers.", true),
  listener: section("Listener of the server-server API (other homeservers connect to it).", {
    host: withDefault(listenHost, "Address to listen on; use 0.0.0.0 or :: to accept other servers directly.", "127.0.0.1"),
    port: withDefault(integer(0, 65535), "TCP port to listen on (8448 is the federation default); 0 picks a free port (tests).", 8448),
  }),
  tls,
  extra_ca_path: optional(path,
    "PEM file of a private federation CA, trusted for outbound requests IN ADDITION to the system CAs.",
    "/etc/entente/federation-ca.pem"),
  tls_verify: withDefault(boolean,
    "Verify the certificates of other servers; false is for tests only and makes federation insecure.", true),
  host_map: withDefault(hostMap,
    "Static routes (server name -> \"host:port\") used instead of .well-known/SRV discovery, for private or test " +
    "federations; targets may be private addresses and must present a certificate for the mapped host. " +
    "\"http://host:port\" is plain HTTP: tests only.",
    {}),
  allow_list: withDefault(serverNameList,
    "If not empty, federate ONLY with these server names (exact match, port included).", []),
  deny_list: withDefault(serverNameList, "Never federate with these server names (exact match, port included).", []),
  trusted_key_servers: withDefault(serverNameList,
    "Notary servers asked for a server's signing keys when that server cannot be reached directly.", []),
  old_verify_keys: withDefault(oldVerifyKeys,
    "Public keys this server used to sign with, published as old_verify_keys after a key rotation, e.g. " +
    "\"ed25519:a_old\": { key: <base64 public key>, expired_ts: <ms when it stopped being used> }.",
    {}),
};

export const federation = section("Federation: the server-server API (https://spec.matrix.org/v1.16/server-server-api/).", fields,
  (v, given): Refined<FederationConfig> => {
    const problem = v.extraCaPath === undefined ? undefined : readProblem(v.extraCaPath, "certificate");
    if (problem !== undefined) return { ok: false, errors: [{ key: "extra_ca_path", message: problem }] };
    const both = v.allowList.find((name) => v.denyList.includes(name));
    if (both !== undefined && given("deny_list")) {
      return { ok: false, errors: [{ key: "deny_list", message: `${both} is in both allow_list and deny_list` }] };
    }
    return { ok: true, value: v };
  });
