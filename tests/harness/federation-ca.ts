// A throwaway certificate authority for federation tests, made with the openssl CLI: a CA and one
// server certificate valid for localhost, 127.0.0.1 and ::1. Give caPath to federation.extra_ca_path
// and certPath/keyPath to federation.tls; map test server names to "localhost:<port>" in host_map.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCa {
  dir: string;
  caPath: string;
  certPath: string;
  keyPath: string;
  cleanup(): void;
}

const openssl = (dir: string, args: string[]): void => {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
};

export function createTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), "entente-ca-"));
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  openssl(dir, ["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=Entente test CA",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
  openssl(dir, ["req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"]);
  writeFileSync(join(dir, "server.ext"), [
    "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
    "basicConstraints=CA:FALSE",
    "keyUsage=critical,digitalSignature",
    "extendedKeyUsage=serverAuth",
  ].join("\n") + "\n");
  openssl(dir, ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
    "-out", "server.crt", "-days", "2", "-extfile", "server.ext"]);
  return {
    dir, caPath: join(dir, "ca.crt"), certPath: join(dir, "server.crt"), keyPath: join(dir, "server.key"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
