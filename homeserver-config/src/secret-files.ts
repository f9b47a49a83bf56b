// Secrets and keys are written once: `entente init` never replaces an existing one, because a new
// signing key, certificate or shared secret would break what already trusts the old one.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** A random secret, URL-safe (fits in YAML, shells and HTTP bodies without quoting). */
export const randomSecret = (bytes = 24): string => randomBytes(bytes).toString("base64url");

/**
 * Writes `content` to `path` unless the file exists (atomically: the `wx` flag fails on an
 * existing file, so two concurrent inits cannot both write). Returns whether it wrote.
 */
export function writeIfMissing(path: string, content: string | (() => string), mode = 0o600): boolean {
  if (existsSync(path)) return false; // checked first so a key is not generated for nothing
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(path, typeof content === "string" ? content : content(), { flag: "wx", mode });
    return true;
  } catch (e: unknown) {
    if (typeof e === "object" && e !== null && "code" in e && e.code === "EEXIST") return false;
    throw e;
  }
}
