// The federation's private certificate authority and one TLS certificate per council, made with
// the openssl command. Councils trust the CA through federation.extra_ca_path, so a local or
// private federation needs no public certificate. Existing files are never replaced.
// https://spec.matrix.org/v1.16/server-server-api/#tls
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CliError } from "./cli-kit.ts";
import type { CaPaths } from "./council-paths.ts";

const CA_DAYS = "3650";
/** Browsers cap server certificates at 825 days; we follow, renewal is `rm` + `entente init`. */
const CERT_DAYS = "825";
const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];

function openssl(args: string[]): void {
  const r = spawnSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  if (r.error !== undefined) throw missingOpenssl(r.error);
  if (r.status !== 0) throw new CliError(`openssl ${args[0] ?? ""} failed: ${r.stderr.trim().split("\n").slice(-3).join(" / ")}`);
}

function missingOpenssl(e: Error): CliError {
  const enoent = "code" in e && e.code === "ENOENT";
  return new CliError(enoent
    ? "the openssl command is not installed; it makes the federation's TLS certificates. Install the Debian package `openssl` (apt-get install openssl)."
    : `cannot run openssl: ${e.message}`);
}

/** Fails early, before anything is written, when openssl is missing. */
export function checkOpenssl(): void {
  openssl(["version"]);
}

/** Both files of a pair exist, neither, or an error (half a pair is never silently replaced). */
function pairExists(a: string, b: string): boolean {
  const [hasA, hasB] = [existsSync(a), existsSync(b)];
  if (hasA !== hasB) throw new CliError(`${hasA ? a : b} exists but ${hasA ? b : a} does not; restore it or delete both to make new ones`);
  return hasA;
}

/** Creates the CA once; returns whether it was created. */
export function ensureCa(ca: CaPaths, label: string): boolean {
  if (pairExists(ca.cert, ca.key)) return false;
  mkdirSync(ca.dir, { recursive: true, mode: 0o700 });
  openssl(["req", "-x509", ...EC_KEY, "-keyout", ca.key, "-out", ca.cert, "-days", CA_DAYS,
    "-subj", `/O=Entente/CN=${label}`,
    "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
  chmodSync(ca.key, 0o600);
  return true;
}

/** A server certificate for `serverName`, 127.0.0.1 and localhost, signed by the CA. */
export function ensureServerCertificate(ca: CaPaths, certPath: string, keyPath: string, serverName: string): boolean {
  if (pairExists(certPath, keyPath)) return false;
  mkdirSync(dirname(certPath), { recursive: true });
  const work = mkdtempSync(join(tmpdir(), "entente-cert-"));
  try {
    const csr = join(work, "server.csr");
    const ext = join(work, "server.ext");
    writeFileSync(ext, [
      `subjectAltName=DNS:${serverName},DNS:localhost,IP:127.0.0.1,IP:::1`,
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=serverAuth",
    ].join("\n") + "\n");
    openssl(["req", ...EC_KEY, "-keyout", keyPath, "-out", csr, "-subj", `/O=Entente/CN=${serverName}`]);
    chmodSync(keyPath, 0o600);
    openssl(["x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-set_serial", `0x${randomBytes(15).toString("hex")}`,
      "-out", certPath, "-days", CERT_DAYS, "-extfile", ext]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return true;
}
