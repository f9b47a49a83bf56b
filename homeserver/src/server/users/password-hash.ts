// Password hashing with Argon2id (node:crypto, Node >= 24.7) at OWASP's recommended parameters
// (m=19 MiB, t=2, p=1: ~75 ms and 19 MiB per hash here). Hashes are PHC strings
// `$argon2id$v=19$m=19456,t=2,p=1$salt$hash` (standard base64, unpadded) that carry their own
// parameters, so raising them later keeps old hashes verifiable; `needsRehash` tells the login
// path to re-hash with the current ones. Hashes of the first versions, `scrypt$N$r$p$salt$hash`
// (N=2^14), still verify and are re-hashed on the next successful login.
// Every hash and verification goes through one bounded queue per process (hash-queue.ts): the
// libuv thread pool it protects is per process too, whatever the number of servers in it.
import { argon2, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { HashQueue, type HashQueueLimits, type HashQueueStats } from "./hash-queue.ts";

export interface Argon2Params {
  /** Memory in KiB. */
  m: number;
  /** Passes. */
  t: number;
  /** Lanes. */
  p: number;
}

/** OWASP Password Storage Cheat Sheet: Argon2id, m=19456 (19 MiB), t=2, p=1. */
export const DEFAULT_ARGON2: Argon2Params = { m: 19456, t: 2, p: 1 };

export const DEFAULT_HASH_QUEUE: HashQueueLimits = { concurrency: 2, maxQueued: 32 };

const KEY_LEN = 32;
const SALT_LEN = 16;
// Bounds for parameters read back from the database, so a corrupt row cannot pin the CPU or memory.
const ARGON2_MAX = { m: 256 * 1024, t: 16, p: 16 };
const SCRYPT_MAX = { N: 2 ** 20, r: 32, p: 16 };

const queue = new HashQueue(DEFAULT_HASH_QUEUE);

/** Sets the per-process bounds of the hashing queue (from the config, at server start). */
export function configureHashQueue(limits: HashQueueLimits): void {
  queue.setLimits(limits);
}

export const hashQueueStats = (): HashQueueStats => queue.stats();
export const resetHashQueueStats = (): void => queue.resetStats();

function deriveArgon2(password: string, salt: Buffer, params: Argon2Params): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    argon2("argon2id", { message: password.normalize("NFC"), nonce: salt, parallelism: params.p, tagLength: KEY_LEN, memory: params.m, passes: params.t },
      (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function deriveScrypt(password: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  const opts: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFC"), salt, KEY_LEN, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

const b64 = (b: Buffer): string => b.toString("base64").replace(/=+$/, "");

function encodeArgon2(params: Argon2Params, salt: Buffer, key: Buffer): string {
  return `$argon2id$v=19$m=${params.m},t=${params.t},p=${params.p}$${b64(salt)}$${b64(key)}`;
}

export async function hashPassword(password: string, params: Argon2Params = DEFAULT_ARGON2): Promise<string> {
  const salt = randomBytes(SALT_LEN);
  const key = await queue.run(() => deriveArgon2(password, salt, params));
  return encodeArgon2(params, salt, key);
}

type ParsedHash =
  | { kind: "argon2id"; params: Argon2Params; salt: Buffer; key: Buffer }
  | { kind: "scrypt"; N: number; r: number; p: number; salt: Buffer; key: Buffer };

const int = (x: string | undefined): number => (x !== undefined && /^\d{1,8}$/.test(x) ? Number(x) : NaN);
const inRange = (x: number, min: number, max: number): boolean => x >= min && x <= max;

function parseArgon2(parts: string[]): ParsedHash | undefined {
  // ["", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash]
  if (parts.length !== 6 || parts[2] !== "v=19") return undefined;
  const m = /^m=(\d{1,8}),t=(\d{1,8}),p=(\d{1,8})$/.exec(parts[3] ?? "");
  if (!m) return undefined;
  const params = { m: int(m[1]), t: int(m[2]), p: int(m[3]) };
  if (!inRange(params.p, 1, ARGON2_MAX.p) || !inRange(params.t, 1, ARGON2_MAX.t) || !inRange(params.m, 8 * params.p, ARGON2_MAX.m)) return undefined;
  const salt = Buffer.from(parts[4] ?? "", "base64");
  const key = Buffer.from(parts[5] ?? "", "base64");
  if (salt.length < 8 || key.length !== KEY_LEN) return undefined;
  return { kind: "argon2id", params, salt, key };
}

function parseScrypt(parts: string[]): ParsedHash | undefined {
  if (parts.length !== 6) return undefined;
  const [N, r, p] = parts.slice(1, 4).map(int) as [number, number, number];
  const powerOfTwo = N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > SCRYPT_MAX.N || !inRange(r, 1, SCRYPT_MAX.r) || !inRange(p, 1, SCRYPT_MAX.p)) return undefined;
  const salt = Buffer.from(parts[4] ?? "", "base64url");
  const key = Buffer.from(parts[5] ?? "", "base64url");
  if (salt.length < 8 || key.length !== KEY_LEN) return undefined;
  return { kind: "scrypt", N, r, p, salt, key };
}

function parseHash(stored: string): ParsedHash | undefined {
  const parts = stored.split("$");
  if (parts[0] === "" && parts[1] === "argon2id") return parseArgon2(parts);
  if (parts[0] === "scrypt") return parseScrypt(parts);
  return undefined;
}

/** Constant-time check of a password against a stored hash; false for any malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const key = await queue.run(() => parsed.kind === "argon2id"
    ? deriveArgon2(password, parsed.salt, parsed.params)
    : deriveScrypt(password, parsed.salt, parsed.N, parsed.r, parsed.p));
  return timingSafeEqual(key, parsed.key);
}

/** Whether a (verified) stored hash should be replaced by one with the current algorithm and parameters. */
export function needsRehash(stored: string, params: Argon2Params = DEFAULT_ARGON2): boolean {
  const parsed = parseHash(stored);
  if (parsed?.kind !== "argon2id") return true;
  return parsed.params.m !== params.m || parsed.params.t !== params.t || parsed.params.p !== params.p;
}

// A fixed hash of a random password: verifying against it costs as much as a real check, so a
// login for an unknown user takes as long as one with a wrong password.
let dummyHash: Promise<string> | undefined;

/** Spends the time of one verification and returns false (unknown user, no password). */
export async function verifyAgainstDummy(password: string): Promise<false> {
  // A failed first hash (queue full) must not be cached, or every later call would fail too.
  dummyHash ??= hashPassword(randomBytes(16).toString("hex")).catch((e: unknown) => {
    dummyHash = undefined;
    throw e;
  });
  await verifyPassword(password, await dummyHash);
  return false;
}
